"""``__in`` on integer columns matches nothing for a number the column cannot hold."""

import pytest
from django.contrib.auth.models import Group

from projects.models import Project
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def test_ids_past_the_columns_range_match_nothing():
    project = ProjectFactory()

    assert list(Project.objects.filter(pk__in=[10**400, -(10**30)])) == []
    assert list(Project.objects.filter(pk__in=[10**400, project.pk])) == [project]
    assert list(Project.objects.exclude(pk__in=[10**400])) == [project]


def test_a_choice_of_groups_past_the_range_is_no_choice():
    from django import forms

    field = forms.ModelMultipleChoiceField(queryset=Group.objects.all())

    with pytest.raises(forms.ValidationError):
        field.clean([str(10**40)])

"""The project finder: search, filters and sorts of the list, parsed by django-filter.

The URL's query string is the whole state (``?q=...&agenda=...&sort=...&page=...``), so a
search can be shared, bookmarked and restored by the back button.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db import models

from projects.models import Agenda, Project, Tag
from projects.search import MAX_QUERY_LENGTH


class Sort(models.TextChoices):
    """The orders the list offers; relevance only with a search."""

    RELEVANCE = "relevance", "Best match"
    NUMBER = "number", "Agenda order"
    NEWEST = "newest", "Newest"
    ACTIVITY = "activity", "Recent activity"
    WANTED = "wanted", "Most wanted"
    NEGLECTED = "neglected", "Neglected: wanted, nobody on it"


class FinderForm(forms.Form):
    """The finder's form: labels without a trailing colon, like the site's other forms."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class ProjectFilter(django_filters.FilterSet):
    """Search, filters and sort of the project list; each one narrows the others' results."""

    q = django_filters.CharFilter(
        label="Search projects",
        method="search",
        max_length=MAX_QUERY_LENGTH,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "e.g. gradient hacking"}),
    )
    agenda = django_filters.ModelChoiceFilter(
        queryset=Agenda.objects.all(), to_field_name="slug", empty_label="Any agenda"
    )
    kind = django_filters.ChoiceFilter(choices=Project.Kind.choices, empty_label="Any kind")
    tag = django_filters.ModelChoiceFilter(
        field_name="tags",
        label="Tag",
        queryset=Tag.objects.all(),
        to_field_name="slug",
        empty_label="Any tag",
    )
    status = django_filters.ChoiceFilter(
        choices=[(s.value, s.label) for s in Project.Status if s != Project.Status.PROPOSED],
        empty_label="Any status",
    )
    unclaimed = django_filters.BooleanFilter(
        label="Nobody on it", method="only_unclaimed", widget=forms.CheckboxInput
    )
    stale = django_filters.BooleanFilter(
        label="Gone quiet", method="only_stale", widget=forms.CheckboxInput
    )
    has_outputs = django_filters.BooleanFilter(
        label="Has outputs", method="only_with_outputs", widget=forms.CheckboxInput
    )
    # Blank is the default order: best match for a search, else agenda order.
    sort = django_filters.ChoiceFilter(
        label="Sort by",
        choices=[(s.value, s.label) for s in Sort if s != Sort.RELEVANCE],
        method="sort_by",
        empty_label=Sort.RELEVANCE.label,
    )

    class Meta:
        model = Project
        form = FinderForm
        fields = ["q", "agenda", "kind", "tag", "status", "unclaimed", "stale", "has_outputs"]

    @property
    def query(self) -> str:
        """The search words, once the form is valid; "" without a search."""
        return (self.form.cleaned_data.get("q") or "").strip() if self.is_valid() else ""

    @property
    def sorted_by(self) -> str:
        """The order in effect: the one asked for, else best match for a search, else agenda
        order (best match without a search means agenda order too)."""
        asked = self.form.cleaned_data.get("sort") if self.is_valid() else ""
        if not asked:
            return Sort.RELEVANCE if self.query else Sort.NUMBER
        return asked

    def _in_use(self, *left_out: str) -> bool:
        """Whether any field but those ``left_out`` holds a value."""
        data = self.form.cleaned_data if self.is_valid() else {}
        return any(
            value not in (None, "", False) for key, value in data.items() if key not in left_out
        )

    @property
    def is_filtered(self) -> bool:
        """Whether a filter (not the search, not the sort) narrows the list."""
        return self._in_use("q", "sort")

    @property
    def is_refined(self) -> bool:
        """Whether a filter or a sort (not the search) is in use, or a filter value is bad:
        then the form shows its filters open."""
        return not self.is_valid() or self._in_use("q")

    def filter_queryset(self, queryset):
        """Apply the filters, then the order (which needs the search's rank)."""
        queryset = super().filter_queryset(queryset)
        return self.order(queryset)

    def search(self, queryset, name: str, value: str):
        """Projects matching the words (``ProjectQuerySet.search``), ranked."""
        return queryset.search(value) if value.strip() else queryset

    def only_unclaimed(self, queryset, name: str, value: bool | None):
        """When ticked: open projects nobody holds an active claim on."""
        return queryset.filter(status=Project.Status.OPEN, active_count=0) if value else queryset

    def only_stale(self, queryset, name: str, value: bool | None):
        """When ticked: projects whose standing is stale (everyone on it gone quiet)."""
        return queryset.filter(standing=Project.Standing.STALE) if value else queryset

    def only_with_outputs(self, queryset, name: str, value: bool | None):
        """When ticked: projects with at least one output that was not rejected."""
        return queryset.filter(output_count__gt=0) if value else queryset

    def sort_by(self, queryset, name: str, value: str):
        """Ordering happens in ``order``, after every filter."""
        return queryset

    def order(self, queryset):
        """Order by the sort in effect; ties fall back to agenda order."""
        tail = ("agenda_id", "number")
        demand = models.F("interest_count") * 3 + models.F("comment_count")
        match self.sorted_by:
            case Sort.RELEVANCE:
                return queryset.order_by("-search_rank", *tail)
            case Sort.NEWEST:
                return queryset.order_by("-created_at", "-pk")
            case Sort.ACTIVITY:
                return queryset.order_by(models.F("last_activity_at").desc(nulls_last=True), *tail)
            case Sort.WANTED:
                return queryset.order_by("-interest_count", "-comment_count", *tail)
            case Sort.NEGLECTED:
                # A claim gone quiet leaves a project as neglected as no claim at all.
                nobody_on_it = models.Case(
                    models.When(status=Project.Status.OPEN, fresh_count=0, then=0), default=1
                )
                return queryset.order_by(nobody_on_it, demand.desc(), *tail)
        return queryset.in_agenda_order()

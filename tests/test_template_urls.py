"""Every template's ``{% url %}`` (agenda_site.template_urls) gives what Django's gives: a
name with no arguments reversed once per process, under its script prefix, URLconf and
application namespace."""

import pytest
from django.template import Context, Template
from django.template.loader import get_template
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse, set_script_prefix

from agenda_site import template_urls


def render(source: str, **context) -> str:
    return Template("{% load static %}" + source).render(Context(context))


def test_it_is_the_url_tag_of_every_template():
    engine = get_template("base.html").template.engine
    assert engine.template_builtins[-1].tags["url"] is template_urls.url
    before = template_urls._reversed.cache_info().hits
    for _ in range(3):
        assert render("{% url 'projects:activity' %}") == reverse("projects:activity")
    assert template_urls._reversed.cache_info().hits >= before + 2


def test_it_gives_what_reverse_gives_with_and_without_arguments():
    assert render("{% url 'projects:project-list' %}") == reverse("projects:project-list")
    assert render("{% url 'projects:project-detail' 'a-b' %}") == reverse(
        "projects:project-detail", args=["a-b"]
    )
    assert render("{% url 'projects:project-detail' slug=s %}", s="x") == "/projects/x/"
    assert render("{% url name %}", name="projects:agenda-list") == reverse("projects:agenda-list")
    assert render("{% url 'projects:agenda-list' as there %}[{{ there }}]") == "[/agendas/]"


def test_a_name_that_is_no_page_fails_as_djangos_does():
    with pytest.raises(NoReverseMatch):
        render("{% url 'no-such-page' %}")
    assert render("{% url 'no-such-page' as there %}[{{ there }}]") == "[]"


def test_each_script_prefix_gets_its_own_url():
    try:
        set_script_prefix("/board/")
        assert render("{% url 'projects:agenda-list' %}") == "/board/agendas/"
    finally:
        set_script_prefix("/")
    assert render("{% url 'projects:agenda-list' %}") == "/agendas/"


@pytest.mark.django_db
def test_the_application_namespace_of_the_request_is_asked_for():
    request = RequestFactory().get("/")
    request.current_app = "admin"
    html = Template("{% url 'admin:index' %}").render(Context({"request": request}))
    assert html == reverse("admin:index", current_app="admin")

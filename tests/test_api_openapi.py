"""The OpenAPI document at /api/openapi.json is valid, and every answer of the API (lists,
details, redirects and errors) matches what it documents."""

import datetime
import re

import pytest
from jsonschema.exceptions import ValidationError
from openapi_schema_validator import OAS31Validator, oas31_format_checker, validate
from openapi_spec_validator import validate as validate_document

from projects.models import Claim, Output, Project
from projects.services import project_merge
from tests.factories import (
    AgendaFactory,
    ClaimFactory,
    CommentFactory,
    OutputFactory,
    ProjectFactory,
    TagFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def document(client) -> dict:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return response.json()


@pytest.fixture
def board(curator):
    """An agenda whose projects show every field: tags, claims of each state with dates,
    outputs of each review, comments, interest, a limit, a retired and a merged project."""
    agenda = AgendaFactory(
        slug="documented", author="A. Author", published_on=datetime.date(2022, 5, 1)
    )
    project = ProjectFactory(
        agenda=agenda, slug="documented-project", summary="Agreed scope.", claim_limit=3
    )
    project.tags.set([TagFactory(name="Evals"), TagFactory(name="Théorie")])
    ClaimFactory(project=project, target_date=datetime.date(2031, 1, 1))
    ClaimFactory(
        project=project, state=Claim.State.COMPLETED, ended_at=datetime.datetime.now(datetime.UTC)
    )
    ClaimFactory(project=project, state=Claim.State.DORMANT)
    OutputFactory(project=project, accepted=True, kind=Output.Kind.CODE)
    OutputFactory(project=project)
    OutputFactory(project=project, review=Output.Review.REJECTED)
    CommentFactory(project=project)
    project.set_interest(researcher=UserFactory(), interested=True)
    ProjectFactory(agenda=agenda, retired=True)
    ProjectFactory(agenda=agenda, slug="duplicate")
    project_merge(
        duplicate=agenda.projects.get(slug="duplicate"), kept=project, by=curator, reason="Same."
    )
    AgendaFactory(slug="empty")


def documented_response(document: dict, path: str, status: int) -> dict:
    """The document's entry for a GET of ``path`` answering ``status``."""
    for template, item in document["paths"].items():
        pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
        if re.match(pattern, path):
            responses = item["get"]["responses"]
            assert str(status) in responses, f"{status} is not documented for {template}"
            return responses[str(status)]
    raise AssertionError(f"{path} is not in the OpenAPI document")


def assert_documented(document: dict, client, url: str, status: int) -> None:
    """GET ``url``: it answers ``status``, and its body matches the documented schema."""
    response = client.get(url)
    assert response.status_code == status, response.content
    documented = documented_response(document, url.split("?")[0], status)
    if "content" not in documented:
        assert response.content == b""
        return
    schema = documented["content"]["application/json"]["schema"]
    validate(
        response.json(),
        {**schema, "components": document["components"]},
        cls=OAS31Validator,
        format_checker=oas31_format_checker,
    )


def test_the_openapi_document_is_valid_openapi_3_1(document):
    validate_document(document)

    assert document["openapi"].startswith("3.1")
    assert set(document["paths"]) == {
        "/api/agendas/",
        "/api/agendas/{slug}/",
        "/api/projects/",
        "/api/projects/{slug}/",
    }


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/agendas/", 200),
        ("/api/agendas/?limit=1&offset=1", 200),
        ("/api/agendas/documented/", 200),
        ("/api/agendas/empty/", 200),
        ("/api/projects/", 200),
        ("/api/projects/?limit=1", 200),
        ("/api/projects/?status=retired&unclaimed=true&kind=paper", 200),
        ("/api/projects/?unclaimed=true", 200),
        ("/api/projects/?unclaimed=false", 200),
        ("/api/projects/?tag=nothing", 200),
        ("/api/projects/documented-project/", 200),
        ("/api/projects/duplicate/", 301),
        ("/api/agendas/?limit=101", 400),
        ("/api/projects/?offset=-1&status=proposed&unclaimed=perhaps", 400),
        ("/api/agendas/no-such-agenda/", 404),
        ("/api/projects/no-such-project/", 404),
    ],
)
def test_every_answer_matches_the_openapi_document(document, client, board, url, status):
    assert_documented(document, client, url, status)


def test_an_answer_that_strays_from_the_document_is_caught(document, client, board):
    """The check above is not vacuous: a wrong type or a missing field fails it."""
    schema = documented_response(document, "/api/projects/documented-project/", 200)
    schema = {
        **schema["content"]["application/json"]["schema"],
        "components": document["components"],
    }
    body = client.get("/api/projects/documented-project/").json()

    for broken in ({**body, "number": "three"}, {k: v for k, v in body.items() if k != "counts"}):
        with pytest.raises(ValidationError):
            validate(broken, schema, cls=OAS31Validator, format_checker=oas31_format_checker)


def test_an_agendas_counts_are_documented_as_the_total_and_one_number_per_standing(document):
    counts = document["components"]["schemas"]["StandingCounts"]

    assert list(counts["properties"]) == ["total", *Project.Standing.values]
    assert set(counts["required"]) == set(counts["properties"])
    for standing in Project.Standing:
        assert counts["properties"][standing.value]["description"] == standing.label


def test_an_agenda_missing_a_standings_count_strays_from_the_document(document, client, board):
    schema = documented_response(document, "/api/agendas/documented/", 200)
    schema = {
        **schema["content"]["application/json"]["schema"],
        "components": document["components"],
    }
    body = client.get("/api/agendas/documented/").json()
    validate(body, schema, cls=OAS31Validator, format_checker=oas31_format_checker)

    for standing in ["total", *Project.Standing.values]:
        counts = {k: v for k, v in body["counts"].items() if k != standing}
        with pytest.raises(ValidationError):
            validate(
                {**body, "counts": counts},
                schema,
                cls=OAS31Validator,
                format_checker=oas31_format_checker,
            )

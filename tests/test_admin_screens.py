"""The admin's screens at their edges: deciding a proposal on its page, merging by title
with a preview, reviewing an output with buttons, the flag queue's reasons, nothing
deletable, and the copy curators read."""

import pytest
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.db import connection
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects import services
from projects.models import (
    Agenda,
    Claim,
    Comment,
    Event,
    Interest,
    Output,
    Project,
    Proposal,
    Tag,
    Watch,
)
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


def snapshot() -> list:
    """Every row a merge, a decision or a review could change."""
    rows = []
    for model in (Project, Claim, Comment, Output, Interest, Watch, Event, Proposal):
        rows += [model_to_dict(obj) for obj in model.objects.order_by("pk")]
    return rows


# 1. Deciding a proposal on its page


def propose_edit(researcher) -> Proposal:
    project = ProjectFactory(description="Old words")
    return services.project_propose_edit(
        by=researcher, project=project, title=project.title, description="New words", kind="paper"
    )


def test_the_decision_is_the_proposal_pages_own_form(client, curating, researcher):
    proposal = propose_edit(researcher)

    html = client.get(reverse("admin:projects_proposal_change", args=[proposal.pk])).content
    html = html.decode()

    decide = reverse("admin:projects_proposal_decide", args=[proposal.pk])
    assert f'<form action="{decide}" method="post" id="proposal_form"' in html
    assert 'id="decision-reason"' in html and 'name="reject"' in html
    assert 'name="_save"' not in html


def test_rejecting_without_a_reason_shows_the_page_with_the_error_at_the_reason(
    client, curating, researcher
):
    proposal = propose_edit(researcher)

    response = client.post(
        reverse("admin:projects_proposal_decide", args=[proposal.pk]),
        {"reason": "  ", "reject": "Reject"},
    )

    assert response.status_code == 400
    assert response.context["decision_form"].errors["reason"] == [
        "Say why, so that the proposer can learn from it."
    ]
    html = response.content.decode()
    row = html[html.index('class="form-row field-reason errors"') :]
    assert row.index("Say why") < row.index('id="decision-reason"')
    assert list(get_messages(response.wsgi_request)) == []
    assert Proposal.objects.get(pk=proposal.pk).is_pending


def test_a_refused_approval_keeps_the_reason_that_was_typed(client, curating, researcher):
    proposal = propose_edit(researcher)
    services.project_merge(
        duplicate=proposal.project, kept=ProjectFactory(), by=curating, reason="Same"
    )

    response = client.post(
        reverse("admin:projects_proposal_decide", args=[proposal.pk]),
        {"reason": "Clearer wording", "approve": "Approve"},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "The project was merged into another since." in html
    assert ">\nClearer wording</textarea>" in html
    assert Proposal.objects.get(pk=proposal.pk).is_pending


def test_approving_from_the_page_goes_back_to_the_list_with_a_message(client, curating, researcher):
    proposal = propose_edit(researcher)

    response = client.post(
        reverse("admin:projects_proposal_decide", args=[proposal.pk]),
        {"reason": "", "approve": "Approve"},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:projects_proposal_changelist")
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        f"Approved the proposal “{proposal.title}”."
    ]
    assert Project.objects.get(pk=proposal.project.pk).description == "New words"


def test_the_decide_address_answers_a_get_with_405(client, curating, researcher):
    proposal = propose_edit(researcher)

    response = client.get(reverse("admin:projects_proposal_decide", args=[proposal.pk]))

    assert response.status_code == 405


def test_staff_without_the_review_permission_cannot_decide(
    client, researcher, sign_in_with_two_factor
):
    proposal = propose_edit(researcher)
    staff = UserFactory(is_staff=True)
    staff.groups.clear()
    sign_in_with_two_factor(client, staff)

    response = client.post(
        reverse("admin:projects_proposal_decide", args=[proposal.pk]),
        {"reason": "Fine", "approve": "Approve"},
    )

    assert response.status_code == 403
    assert Proposal.objects.get(pk=proposal.pk).is_pending


# 2. Merging: the kept project chosen by its title, a preview, then the merge


def test_the_merge_chooser_lists_open_projects_by_title_not_by_id(client, curating):
    agenda = AgendaFactory(title="Open problems")
    duplicate = ProjectFactory(agenda=agenda, number=3, title="Duplicate idea")
    ProjectFactory(agenda=agenda, number=12, title="Kept idea")
    ProjectFactory(agenda=agenda, number=13, title="Retired idea", retired=True)
    ProjectFactory(agenda=agenda, number=14, title="Proposed idea", proposed=True)

    response = client.get(reverse("admin:projects_project_merge", args=[duplicate.pk]))

    prompt, *groups = response.context["form"].fields["kept"].choices
    assert prompt == ("", "Choose the project to keep")
    assert [(group, [label for _, label in options]) for group, options in groups] == [
        ("Open problems", ["12. Kept idea"])
    ]
    html = response.content.decode()
    assert '<optgroup label="Open problems">' in html
    assert 'type="number"' not in html and "---------" not in html


@pytest.fixture
def merge_pair(curating):
    """A duplicate with one of everything, and the project to keep, which already has a
    claim of one of the duplicate's researchers, one of its outputs' URLs and a watcher."""
    kept, duplicate = ProjectFactory(title="Kept"), ProjectFactory(title="Duplicate")
    both, alone = UserFactory(display_name="Both Places"), UserFactory(username="alone")
    ClaimFactory(project=kept, researcher=both)
    ClaimFactory(project=duplicate, researcher=both)
    ClaimFactory(project=duplicate, researcher=alone)
    CommentFactory.create_batch(2, project=duplicate)
    OutputFactory(project=kept, url="https://example.org/same")
    OutputFactory(project=duplicate, url="https://example.org/same", title="Same link")
    OutputFactory(project=duplicate, url="https://example.org/new")
    duplicate.set_interest(researcher=alone, interested=True)
    duplicate.set_watch(user=alone, watching=True)
    duplicate.set_watch(user=both, watching=True)
    kept.set_watch(user=both, watching=True)
    return duplicate, kept


def test_the_first_merge_post_shows_what_will_move_and_changes_nothing(client, merge_pair):
    duplicate, kept = merge_pair
    before = snapshot()

    response = client.post(
        reverse("admin:projects_project_merge", args=[duplicate.pk]),
        {"kept": kept.pk, "reason": "The same idea"},
    )

    assert response.status_code == 200
    preview = response.context["preview"]
    assert preview.moves == {
        "claims": 2,
        "comments": 2,
        "outputs": 1,
        "interests": 1,
        "watchers": 1,
    }
    assert preview.already_watching == 1
    assert preview.released == ["Both Places"]
    assert preview.staying == [("Same link", "https://example.org/same")]
    html = response.content.decode()
    assert "2 claims" in html and "1 output<" in html and "Both Places" in html
    assert 'name="confirm"' in html and f'name="kept" value="{kept.pk}"' in html
    assert snapshot() == before


def test_the_confirming_merge_post_merges(client, merge_pair):
    duplicate, kept = merge_pair

    response = client.post(
        reverse("admin:projects_project_merge", args=[duplicate.pk]),
        {"kept": kept.pk, "reason": "The same idea", "confirm": "Merge"},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:projects_project_change", args=[kept.pk])
    duplicate.refresh_from_db()
    assert duplicate.merged_into == kept
    assert kept.claims.count() == 3 and kept.comments.count() == 2
    assert list(duplicate.outputs.values_list("title", flat=True)) == ["Same link"]


def test_going_back_from_the_merge_preview_keeps_the_choice_and_the_reason(client, merge_pair):
    duplicate, kept = merge_pair

    response = client.post(
        reverse("admin:projects_project_merge", args=[duplicate.pk]),
        {"kept": kept.pk, "reason": "The same idea", "back": "Change the choice"},
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert f'<option value="{kept.pk}" selected>' in html
    assert ">\nThe same idea</textarea>" in html
    assert Project.objects.get(pk=duplicate.pk).merged_into is None


def test_a_project_that_cannot_be_kept_is_refused_at_the_chooser(client, curating):
    duplicate, retired = ProjectFactory(), ProjectFactory(retired=True)

    response = client.post(
        reverse("admin:projects_project_merge", args=[duplicate.pk]),
        {"kept": retired.pk, "reason": "Same idea"},
    )

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["kept"]
    assert ">\nSame idea</textarea>" in response.content.decode()


def test_a_merge_refused_by_the_domain_is_shown_before_the_preview(client, curating):
    duplicate, kept = ProjectFactory(), ProjectFactory()
    services.project_merge(duplicate=duplicate, kept=ProjectFactory(), by=curating, reason="x")

    response = client.post(
        reverse("admin:projects_project_merge", args=[duplicate.pk]),
        {"kept": kept.pk, "reason": "Same idea"},
    )

    assert response.status_code == 400
    assert "One of these projects was already merged." in response.content.decode()
    assert "preview" not in response.context


# 3. Nothing of the board is ever deleted in the admin


def one_of(model):
    """One saved object of a registered model, for the delete checks."""
    makers = {
        Project: ProjectFactory,
        Agenda: AgendaFactory,
        Tag: TagFactory,
        Output: OutputFactory,
        Comment: CommentFactory,
        Claim: ClaimFactory,
        Proposal: lambda: services.project_propose(
            by=UserFactory(), agenda=None, title="T", description="d", kind="paper"
        ),
    }
    return makers[model]()


PROJECTS_MODELS = sorted(
    (model for model in admin.site._registry if model._meta.app_label == "projects"),
    key=lambda model: model._meta.model_name,
)


@pytest.mark.parametrize("model", PROJECTS_MODELS, ids=lambda m: m._meta.model_name)
def test_no_model_of_the_board_can_be_deleted_in_the_admin_even_by_a_superuser(
    client, model, sign_in_with_two_factor
):
    obj = one_of(model)
    sign_in_with_two_factor(client, UserFactory(is_superuser=True, is_staff=True))
    name = f"admin:projects_{model._meta.model_name}"

    changelist = client.get(reverse(f"{name}_changelist"))
    change = client.get(reverse(f"{name}_change", args=[obj.pk]))
    delete_url = reverse(f"{name}_delete", args=[obj.pk])
    asked = client.get(delete_url)
    posted = client.post(delete_url, {"post": "yes"})
    bulk = client.post(
        reverse(f"{name}_changelist"),
        {"action": "delete_selected", ACTION_CHECKBOX_NAME: [obj.pk], "post": "yes"},
    )

    action_form = changelist.context["action_form"]  # None: no action at all
    actions = [value for value, _ in action_form.fields["action"].choices] if action_form else []
    assert "delete_selected" not in actions
    assert change.status_code == 200 and delete_url not in change.content.decode()
    assert (asked.status_code, posted.status_code) == (403, 403)
    assert bulk.status_code in (200, 302)
    assert model.objects.filter(pk=obj.pk).exists()


READ_ONLY_MODELS = [Output, Comment, Claim, Proposal]


@pytest.mark.parametrize("model", READ_ONLY_MODELS, ids=lambda m: m._meta.model_name)
def test_a_post_to_a_read_only_page_is_refused_and_writes_nothing(
    client, model, sign_in_with_two_factor
):
    """Its page has no Save: a hand-made POST would write every field back as it was read,
    over whatever the domain changed meanwhile."""
    obj = one_of(model)
    sign_in_with_two_factor(client, UserFactory(is_superuser=True, is_staff=True))
    before = model_to_dict(model.objects.get(pk=obj.pk))

    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            reverse(f"admin:projects_{model._meta.model_name}_change", args=[obj.pk])
        )

    assert response.status_code == 405
    writes = [
        q["sql"] for q in queries.captured_queries if q["sql"].startswith(("UPDATE", "INSERT"))
    ]
    assert not [sql for sql in writes if "django_session" not in sql]
    assert model_to_dict(model.objects.get(pk=obj.pk)) == before


# 4. Reviewing an output from its page


def test_the_output_page_offers_accept_and_reject_instead_of_save(client, curating):
    output = OutputFactory()

    html = client.get(reverse("admin:projects_output_change", args=[output.pk])).content.decode()

    review = reverse("admin:projects_output_review", args=[output.pk])
    assert f'<form action="{review}" method="post" id="output_form"' in html
    assert 'name="accept"' in html and 'name="reject"' in html
    assert 'name="_save"' not in html and 'name="_continue"' not in html


def test_accepting_an_output_goes_on_to_the_next_one_awaiting_review(client, curating):
    first, second = OutputFactory(), OutputFactory()

    response = client.post(
        reverse("admin:projects_output_review", args=[first.pk]), {"accept": "Accept"}
    )

    assert response["Location"] == reverse("admin:projects_output_change", args=[second.pk])
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        f"Accepted “{first.title}”. This is the next output awaiting review."
    ]
    first.refresh_from_db()
    assert (first.review, first.reviewed_by) == ("accepted", curating)
    assert first.project.events.filter(kind=Event.Kind.OUTPUT_ACCEPTED).exists()


def test_rejecting_the_last_output_awaiting_review_goes_back_to_the_list(client, curating):
    output = OutputFactory()

    response = client.post(
        reverse("admin:projects_output_review", args=[output.pk]), {"reject": "Reject"}
    )

    assert response["Location"] == reverse("admin:projects_output_changelist")
    assert Output.objects.get(pk=output.pk).review == "rejected"


def test_a_refused_review_comes_back_as_the_page_with_the_error(client, curating):
    output = OutputFactory(accepted=True)
    before = snapshot()

    response = client.post(
        reverse("admin:projects_output_review", args=[output.pk]), {"accept": "Accept"}
    )

    assert response.status_code == 400
    assert "This output is already accepted." in response.content.decode()
    assert snapshot() == before


def test_a_review_without_a_button_is_refused(client, curating):
    output = OutputFactory()

    response = client.post(reverse("admin:projects_output_review", args=[output.pk]), {})

    assert response.status_code == 400
    assert "Press one of the buttons." in response.content.decode()
    assert Output.objects.get(pk=output.pk).review == "pending"


# 5. The flag queue shows why each comment was flagged


def flag_queue(client):
    return client.get(reverse("admin:projects_comment_changelist"), {"flagged": "open"})


def test_the_flag_queue_shows_the_reason_of_each_open_flag(client, curating):
    comment = CommentFactory()
    comment.flag(by=UserFactory(username="old"), reason="Already dealt with")
    comment.resolve_flags(by=curating)
    comment.flag(by=UserFactory(username="alan"), reason="Off topic")
    comment.flag(by=UserFactory(username="bea"))

    html = flag_queue(client).content.decode()

    assert "<li>Off topic <span class='flag-by'>(alan)</span></li>" in html
    assert "<li>No reason given <span class='flag-by'>(bea)</span></li>" in html
    assert "Already dealt with" not in html


def test_the_flag_queue_makes_as_many_queries_for_20_flagged_comments_as_for_1(client, curating):
    """Guards a query per row for each comment's open flags and who raised them."""

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert flag_queue(client).status_code == 200
        return len(queries)

    CommentFactory().flag(by=UserFactory(), reason="Spam")
    one = count()
    for _ in range(19):
        CommentFactory().flag(by=UserFactory(), reason="Spam")

    assert count() == one


# 7. Copy: one voice, sentence case


def test_the_status_choices_name_what_the_curator_does(client, curating):
    url = lambda project: reverse("admin:projects_project_status", args=[project.pk])  # noqa: E731

    open_choices = client.get(url(ProjectFactory())).context["form"].fields["to"].choices
    retired_choices = client.get(url(ProjectFactory(retired=True))).context["form"]

    assert [label for _, label in open_choices] == ["Mark addressed", "Retire"]
    assert [label for _, label in retired_choices.fields["to"].choices] == ["Reopen"]


def test_the_action_bar_has_labels_without_colons_and_a_prompt_instead_of_dashes(client, curating):
    ProjectFactory()

    html = client.get(reverse("admin:projects_project_changelist")).content.decode()

    assert '<option value="" selected>Choose an action</option>' in html
    assert "<label>Reason <input" in html and "<label>Tag <input" in html
    assert ":" not in "".join(
        field.label for field in admin.site._registry[Project].action_form().fields.values()
    )
    assert "---------" not in html


def test_lists_are_titled_by_what_they_list(client, curating):
    response = client.get(reverse("admin:projects_comment_changelist"))

    assert "<h1>Comments</h1>" in response.content.decode()


def test_read_only_pages_are_titled_by_what_a_curator_does_there(client, curating):
    output = OutputFactory()

    response = client.get(reverse("admin:projects_output_change", args=[output.pk]))

    assert "<h1>Review an output</h1>" in response.content.decode()

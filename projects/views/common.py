"""What the project page and its actions share: each section's context, and the two ways
to answer a POST.

One URL, two renderings. An htmx request gets the section that changed, with the
project's history (and any other section the change touched) swapped out of band and
a sentence for screen readers in the page's live region; each section loads only what
it shows. A plain request is redirected: to the section after a change, or, after bad
input, to the form's first invalid field, which the next page shows again with its
errors (the form's data waits in the session), so that a reload never posts twice.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme

from projects import permissions
from projects.forms import (
    ActionForm,
    CheckInForm,
    ClaimForm,
    CommentForm,
    CompleteForm,
    ConfirmForm,
    FlagForm,
    InterestForm,
    OutputForm,
    ReleaseForm,
    ReplyForm,
    ReviveForm,
    WatchForm,
)
from projects.models import Project

PAGE = "projects/project_detail.html"
FLASH_KEY = "projects:invalid-form"


def participant_required(view: Callable) -> Callable:
    """Deny anyone who may not take part: a plain request goes to the login page, htmx is
    told to go there. After signing in, the user comes back to the page the form was on
    (never to the POST-only URL itself)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if permissions.can_participate(request.user):
            return view(request, *args, **kwargs)
        came_from = request.headers.get("HX-Current-URL") or request.headers.get("Referer") or "/"
        if request.method in ("GET", "HEAD"):
            came_from = request.get_full_path()
        if not url_has_allowed_host_and_scheme(
            came_from, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            came_from = "/"
        parts = urlsplit(came_from)
        login = redirect_to_login(parts.path + (f"?{parts.query}" if parts.query else ""))
        if request.htmx:
            return HttpResponse(status=204, headers={"HX-Redirect": login.url})
        return login

    return wrapper


class Forms:
    """Where a page's forms come from: fresh, or the one a POST left invalid.

    That form is either this request's own (an htmx answer) or, after a plain POST, the
    one kept in the session for the page the user is sent back to; it is shown once, and
    only on that page. When the page no longer has such a form to show (the comment
    replied to was deleted meanwhile, the claim ended in another tab), ``unplaced``
    holds its errors, for the page to say at the top.
    """

    def __init__(self, bound: ActionForm | None = None, kept: dict | None = None) -> None:
        self.bound, self.kept = bound, kept
        self.placed = False

    @classmethod
    def kept_in(cls, request: HttpRequest) -> Forms:
        """The invalid form a plain POST left for this page, if any (taken out of the
        session either way, so that it never shows on another page)."""
        kept = request.session.pop(FLASH_KEY, None)
        return cls(kept=kept if kept and kept["path"] == request.path else None)

    @staticmethod
    def keep(request: HttpRequest, form: ActionForm, *, path: str) -> None:
        """Keep an invalid form's data and its errors for the page at ``path``."""
        request.session[FLASH_KEY] = {
            "path": path,
            "form": type(form).__name__,
            "target": form.target,
            "data": [(k, v) for k, v in form.data.lists() if k != "csrfmiddlewaretoken"],
            "errors": [str(e) for e in form.non_field_errors()],
            "summary": form.error_summary(),
        }

    @property
    def unplaced(self) -> list[str]:
        """The errors of a form sent back that the page had no place for."""
        if self.placed:
            return []
        if self.bound is not None:
            return self.bound.error_summary()
        return self.kept["summary"] if self.kept else []

    def target_of(self, form_class: type[ActionForm]) -> int | None:
        """The object the form of this class that was sent acts on, if one was sent."""
        if self.bound is not None and type(self.bound) is form_class:
            return self.bound.target
        if self.kept and self.kept["form"] == form_class.__name__:
            return self.kept["target"]
        return None

    def get(self, form_class: type[ActionForm], *, target: int | None = None, **kwargs):
        """The form of this class (for this object), bound with errors if it was the one sent."""
        bound = self.bound
        if bound is not None and type(bound) is form_class and bound.target == target:
            self.placed = True
            return bound
        kept = self.kept
        if kept and kept["form"] == form_class.__name__ and kept["target"] == target:
            self.placed = True
            data = QueryDict(mutable=True)
            for key, values in kept["data"]:
                data.setlist(key, values)
            form = form_class(data, **kwargs)
            form.is_valid()
            for error in kept["errors"]:
                if error not in form.non_field_errors():
                    form.add_error(None, error)
            form.focus_first_error()
            return form
        return form_class(**kwargs)


# Each section of the project page: what it loads, and the context it renders with.


def claims_context(request: HttpRequest, project: Project, forms: Forms) -> dict:
    """Who is on it, who finished it (with what came of it), and your claim's forms; or, when
    your claim went dormant, the form that revives it."""
    user = request.user
    mine = next((c for c in project.active_claims if c.researcher_id == user.pk), None)
    target = {"target": mine.pk, "claim": mine} if mine else None
    # Your latest dormant claim, while you hold no active one (ended claims come oldest first).
    dormant = None
    if mine is None and user.is_authenticated:
        dormant = next(
            (
                c
                for c in reversed(project.ended_claims)
                if c.researcher_id == user.pk and c.is_dormant
            ),
            None,
        )
    return {
        "my_dormant_claim": dormant,
        "revive_form": forms.get(ReviveForm, target=dormant.pk, claim=dormant) if dormant else None,
        "confirm_form": forms.get(ConfirmForm, **target) if mine else None,
        "active_claims": project.active_claims,
        "completed_claims": [c for c in project.ended_claims if c.is_completed],
        "past_claims": [c for c in project.ended_claims if not c.is_completed],
        "my_active_claim": mine,
        "others_claims": [c for c in project.active_claims if c.researcher_id != user.pk],
        "claim_form": forms.get(ClaimForm, project=project, researcher=user),
        "checkin_form": forms.get(CheckInForm, **target) if mine else None,
        "complete_form": forms.get(CompleteForm, **target) if mine else None,
        "release_form": forms.get(ReleaseForm, **target) if mine else None,
    }


def outputs_context(request: HttpRequest, project: Project, forms: Forms) -> dict:
    """The outputs you may see, leading ones first, and the form to link one."""
    return {
        "outputs": project.output_list,
        "output_form": forms.get(
            OutputForm, project=project, by=request.user, claims=project.my_claims
        ),
    }


def signals_context(request: HttpRequest, project: Project, forms: Forms) -> dict:
    """Who wants it done, how many watch it, and your own interest."""
    mine = next((i for i in project.interest_list if i.researcher_id == request.user.pk), None)
    return {
        "interests": project.interest_list,
        "my_interest": mine,
        "interest_form": forms.get(
            InterestForm,
            project=project,
            user=request.user,
            initial={"note": mine.note if mine else ""},
        ),
        "watch_form": WatchForm(project=project, user=request.user),
    }


def discussion_context(request: HttpRequest, project: Project, forms: Forms) -> dict:
    """One page of threads (each comment with its replies), oldest first as ever; how big
    the discussion is; and the links to earlier and later threads.

    A comment says whether you may reply to it or flag it, with a link that fetches its
    form; the page holds at most one reply form and one flag form: the one sent back with
    errors, else the one asked for (``?reply=<pk>``, ``?flag=<pk>``, the links without
    JavaScript)."""
    user = request.user
    threads = project.thread_list[::-1]  # loaded newest first, for the page to hold the latest
    reply_to = forms.target_of(ReplyForm) or asked_for(request, "reply")
    flag = forms.target_of(FlagForm) or asked_for(request, "flag")
    for thread in threads:
        for comment in [thread, *thread.reply_list]:
            comment.may_reply = permissions.can_reply(user, comment)
            comment.may_flag = permissions.can_flag(user, comment)
            if comment.may_reply and comment.pk == reply_to:
                comment.reply_form = forms.get(
                    ReplyForm, target=comment.pk, project=project, author=user, parent=comment
                )
            if comment.may_flag and comment.pk == flag:
                comment.flag_form = forms.get(FlagForm, target=comment.pk, comment=comment, by=user)
    page = project.discussion_page
    pages = discussion_pages(project)
    return {
        "comments": threads,
        "comment_count": project.shown_comment_count,
        "thread_count": project.thread_count,
        "discussion_page": page,
        "discussion_pages": pages,
        "earlier_comments_url": project.discussion_url(page + 1) if page < pages else "",
        "later_comments_url": project.discussion_url(page - 1) if page > 1 else "",
        "comment_form": forms.get(
            CommentForm, project=project, author=user, initial=quoted(request, project)
        ),
    }


def asked_for(request: HttpRequest, name: str) -> int | None:
    """The comment a query parameter names (``?reply=<pk>``), if it is a number."""
    raw = request.GET.get(name, "")
    return int(raw) if raw.isdigit() and raw.isascii() and len(raw) < 12 else None


def quoted(request: HttpRequest, project: Project) -> dict:
    """The comment form's first text when the reader asked to quote a comment of the project
    (``?quote=<pk>``, the Quote link without JavaScript): that comment as a quote, if they may
    see and quote it. One query, only then."""
    pk = request.GET.get("quote", "")
    if not (pk.isdigit() and pk.isascii() and permissions.can_participate(request.user)):
        return {}
    comment = project.comments.shown().select_related("author").filter(pk=int(pk)).first()
    if comment is None or not permissions.can_quote(request.user, comment):
        return {}
    return {"body": comment.quote()}


def discussion_pages(project: Project) -> int:
    """How many pages the discussion of a project from ``with_discussion`` fills (at least 1)."""
    return max(1, -(-project.thread_count // settings.DISCUSSION_THREADS_PER_PAGE))


def history_context(request: HttpRequest, project: Project, forms: Forms) -> dict:
    """The latest public events."""
    return {"events": project.recent_events}


# Each loader takes the queryset, the user and the discussion page to show.
SECTIONS: dict[str, tuple[Callable, Callable]] = {
    "claim-panel": (lambda qs, user, page: qs.with_claims(), claims_context),
    "outputs": (lambda qs, user, page: qs.with_outputs(user), outputs_context),
    "signals": (lambda qs, user, page: qs.with_signals(user), signals_context),
    "discussion": (lambda qs, user, page: qs.with_discussion(user, page), discussion_context),
    "history": (lambda qs, user, page: qs.with_history(), history_context),
}


# Each kind of thing of a reader's own that the project page shows, and the sections that
# show it (``ProjectQuerySet.with_stakes_of`` finds which a reader holds), rendered for them.
# Some show only in pieces of a section, which a kept page has rendered in alone
# (``projects.views.pages._kept_page``): an active claim, in your claim's forms and the
# output form (which offers all your claims, so that your others need no section then); a
# watch, in the watch button; comments and flags, in the actions of the comments they are on.
STAKES: dict[str, tuple[str, ...]] = {
    "claim": ("claim-panel", "outputs"),
    "active_claim": (),
    "interest": ("signals",),
    "watch": (),
    "comment": (),
    "flag": (),
    "output": ("outputs",),
}


def page_context(request: HttpRequest, project: Project, forms: Forms) -> dict:
    """Everything the project page shows; ``project`` comes from ``for_detail``."""
    context = {"project": project}
    for _, build in SECTIONS.values():
        context |= build(request, project, forms)
    return context


def render_page(request: HttpRequest, project: Project) -> HttpResponse:
    """The whole project page, with any form a plain POST left invalid shown again (or,
    when the page has no place for it any more, its errors at the top)."""
    forms = Forms.kept_in(request)
    context = page_context(request, project, forms)
    for error in forms.unplaced:
        messages.error(request, f"Not saved: {error}")
    response = HttpResponse(render_to_string(PAGE, context, request))
    patch_vary_headers(response, ["HX-Request"])
    return response


def sections_context(
    request: HttpRequest, pk: int, names: list[str], forms: Forms, discussion_page: int = 1
) -> dict:
    """What the sections ``names`` of project ``pk``'s page show, loading only that; the
    discussion at ``discussion_page``."""
    queryset = Project.objects.filter(pk=pk).select_related("agenda")
    for name in dict.fromkeys(names):
        queryset = SECTIONS[name][0](queryset, request.user, discussion_page)
    project = queryset.get()
    context = {"project": project}
    for name in dict.fromkeys(names):
        context |= SECTIONS[name][1](request, project, forms)
    return context


def render_own_sections(
    request: HttpRequest, pk: int, names: set[str], discussion_page: int, extra: dict
) -> dict[str, str]:
    """The sections ``names`` of project ``pk``'s page as the reader sees them, each as the
    page holds it (not out of band), with ``extra`` in their context."""
    ordered = [name for name in SECTIONS if name in names]
    context = sections_context(request, pk, ordered, Forms(), discussion_page) | extra
    return {name: render_to_string(f"{PAGE}#{name}", context, request) for name in ordered}


def render_sections(
    request: HttpRequest,
    project: Project,
    *,
    section: str,
    also: tuple[str, ...] = (),
    form: ActionForm | None = None,
    announce: str = "",
    discussion_page: int = 1,
) -> HttpResponse:
    """For htmx: one section of the page, plus ``also`` and the history out of band, and
    ``announce`` in the live region; the discussion at ``discussion_page``. Loads only what
    those sections show."""
    names = [section, *also, "history"]
    forms = Forms(bound=form)
    context = sections_context(request, project.pk, names, forms, discussion_page)
    # A refusal the section has no form for any more is said at its top.
    html = render_to_string(
        f"{PAGE}#{section}", {**context, "section_errors": forms.unplaced}, request
    )
    for name in dict.fromkeys(names[1:]):
        if name != section:
            html += render_to_string(f"{PAGE}#{name}", {**context, "oob": True}, request)
    html += render_to_string("projects/_announcer.html", {"text": announce, "oob": True})
    # htmx 2 does not swap 4xx answers: an invalid form comes back as 200 with its errors.
    response = HttpResponse(html)
    patch_vary_headers(response, ["HX-Request"])
    return response


def respond_to_post(
    request: HttpRequest,
    project: Project,
    *,
    form: ActionForm,
    done: bool,
    section: str,
    anchor: str = "",
    message: str = "",
    also: tuple[str, ...] = (),
    discussion_page: int = 1,
) -> HttpResponse:
    """After a POST: htmx gets the changed section (and the form's errors inside it); a
    plain request is redirected to the section with a message after a change, or back to
    the first invalid field (else ``anchor``, else the section) to show its errors; either
    way with the discussion at ``discussion_page``."""
    if request.htmx:
        announce = message if done else "Not saved: " + " ".join(form.error_summary())
        response = render_sections(
            request,
            project,
            section=section,
            also=also,
            form=None if done else form,
            announce=announce,
            discussion_page=discussion_page,
        )
        return saved(response) if done else response
    if done:
        if message:
            messages.success(request, message)
        return see_other(project.discussion_url(discussion_page, anchor=section))
    Forms.keep(request, form, path=project.get_absolute_url())
    anchor = error_anchor(form, anchor or section)
    return see_other(project.discussion_url(discussion_page, anchor=anchor))


def saved(response: HttpResponse) -> HttpResponse:
    """Tell the page that the form htmx sent was saved (the event ``board:saved`` on the
    form, before the swap): static/js/drafts.js forgets its drafts then."""
    response["HX-Trigger"] = "board:saved"
    return response


def error_anchor(form: ActionForm, fallback: str) -> str:
    """The fragment to send the browser back to after bad input: the first field with an
    error (the one ``focus_first_error`` gave autofocus), else ``fallback`` (the form); after
    a Preview, the preview.

    Browsers skip ``autofocus`` when the URL's fragment names another element, but move
    focus to a field the fragment names; so the fragment is the field itself.
    """
    if not form.errors and getattr(form, "previewing", ""):
        # Preview: to the preview, above the text (the widget names it after the field).
        return form[form.previewing].id_for_label + "-preview"
    for name in form.errors:
        if name in form.fields:
            field = form[name]
            if field.is_hidden:
                return fallback
            # A radio group has no id of its own to focus: name its first button.
            return field.id_for_label or field.subwidgets[0].id_for_label or fallback
    return fallback


def see_other(url: str) -> HttpResponseRedirect:
    """A 303 redirect: the browser follows it with a GET, whatever the method was."""
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response

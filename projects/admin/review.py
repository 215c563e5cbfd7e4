"""The review queues: outputs, flagged comments, stale and dormant claims (proposals have
their own module).

Curators act here through buttons and admin actions that call the domain methods; the
objects themselves are read-only in the admin.
"""

import copy
import datetime

from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator

from projects.admin.common import BoardModelAdmin, ButtonForm, apply_each
from projects.models import Claim, Comment, CommentVersion, Flag, Output


def _when(moment: datetime.datetime) -> str:
    """A moment as the admin's pages show one: local date, hours and minutes."""
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


class ReadOnlyAdmin(BoardModelAdmin):
    """Shown and acted on, never edited field by field: changes go through actions."""

    # The title of one object's page: it is reviewed or moderated, never "changed".
    change_title = ""

    def has_add_permission(self, request: HttpRequest) -> bool:
        """Never: these are made on the site, by researchers."""
        return False

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        """Every field but the internal id: a change is a domain action, never an edited field."""
        return [f.name for f in self.model._meta.fields if not f.primary_key]

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """The object's page. A POST to it is refused (405): its page offers no Save, and
        Django's save would write every field back as it was read, over any change the
        domain made meanwhile, with no event."""
        if request.method == "POST" and object_id is not None:
            return HttpResponseNotAllowed(["GET", "HEAD"])
        return super().changeform_view(request, object_id, form_url, extra_context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        """The page under its own title, without Save buttons (they would save nothing)."""
        context.update(show_save=False, show_save_and_continue=False)
        if obj is not None and self.change_title:
            context["title"] = self.change_title
        return super().render_change_form(request, context, add, change, form_url, obj)

    def refused(self, request: HttpRequest, obj, extra_context: dict) -> TemplateResponse:
        """The object's page again, as a GET shows it, with a refused button form (its errors
        and what was typed) in ``extra_context``; status 400."""
        # Django's change view saves on POST; this page only shows, so it is asked as a GET.
        as_get = copy.copy(request)
        as_get.method = "GET"
        response = self.change_view(as_get, str(obj.pk), extra_context=extra_context)
        response.status_code = 400
        return response


class ReviewForm(ButtonForm):
    """Accept or reject an output: the button pressed is the decision."""

    buttons = ("accept", "reject")


@admin.register(Output)
class OutputAdmin(ReadOnlyAdmin):
    """Linked outputs; pending ones wait for a curator to accept or reject them."""

    list_display = ("title", "project", "kind", "addresses", "review", "submitted_by", "created_at")
    list_filter = ("review", "kind", "addresses")
    list_select_related = ("project", "submitted_by")
    search_fields = ("title", "url", "project__title")
    actions = ["accept_selected", "reject_selected"]
    change_title = "Review an output"

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        """Reviewers act on outputs (through the domain; no field is edited)."""
        return request.user.has_perm("projects.review_output")

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        """The output's page, whose one form is the review (posted to review_view)."""
        if obj is not None and self.has_change_permission(request, obj):
            form_url = reverse("admin:projects_output_review", args=[obj.pk])
            context.setdefault("review_form", ReviewForm())
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self) -> list:
        """The admin's URLs, and the review of one output."""
        return [
            path(
                "<int:pk>/review/",
                self.admin_site.admin_view(self.review_view),
                name="projects_output_review",
            ),
            *super().get_urls(),
        ]

    def review_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Accept or reject one output from its page (POST only), then go on to the next
        output awaiting review, or back to the list; a refusal comes back as the page, 400."""
        output = get_object_or_404(Output, pk=pk)
        if not self.has_change_permission(request, output):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        form = ReviewForm(request.POST)
        if form.is_valid():
            accept = form.cleaned_data["button"] == "accept"
            try:
                (output.accept if accept else output.reject)(by=request.user)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return self._after_review(request, output, "Accepted" if accept else "Rejected")
        return self.refused(request, output, {"review_form": form})

    def _after_review(self, request: HttpRequest, output: Output, done: str) -> HttpResponse:
        """Say what was done, then show the oldest output still awaiting review, if any."""
        following = Output.objects.pending().exclude(pk=output.pk).order_by("created_at", "pk")
        if (next_output := following.first()) is None:
            self.message_user(request, f"{done} “{output.title}”. No more outputs await review.")
            return redirect("admin:projects_output_changelist")
        self.message_user(
            request, f"{done} “{output.title}”. This is the next output awaiting review."
        )
        return redirect("admin:projects_output_change", next_output.pk)

    @admin.action(description="Accept selected outputs", permissions=["change"])
    def accept_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        """Accept each selected output."""
        apply_each(request, queryset, lambda o: o.accept(by=request.user), "Accepted")

    @admin.action(description="Reject selected outputs", permissions=["change"])
    def reject_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        """Reject each selected output."""
        apply_each(request, queryset, lambda o: o.reject(by=request.user), "Rejected")


class FlaggedFilter(admin.SimpleListFilter):
    """Comments by their flags: waiting for a curator, or flagged at any time."""

    title = "flags"
    parameter_name = "flagged"

    def lookups(self, request, model_admin):
        """The two ways to list flagged comments."""
        return [("open", "Flagged, not dealt with"), ("any", "Ever flagged")]

    def queryset(self, request, queryset):
        """The comments with open flags, or with any flag."""
        if self.value() == "open":
            return queryset.filter(open_flags__gt=0)
        if self.value() == "any":
            return queryset.filter(flags__isnull=False).distinct()
        return queryset


class ScopeFilter(admin.SimpleListFilter):
    """Comments about a project's scope, or the rest of the discussion."""

    title = "scope"
    parameter_name = "scope"

    def lookups(self, request, model_admin):
        """About scope, or not."""
        return [("yes", "About scope"), ("no", "Other comments")]

    def queryset(self, request, queryset):
        """The comments marked (or not marked) as about scope."""
        if self.value() in ("yes", "no"):
            return queryset.filter(is_scope=self.value() == "yes")
        return queryset


class HiddenFilter(admin.SimpleListFilter):
    """Comments a curator hid, or the ones still shown."""

    title = "hidden by a curator"
    parameter_name = "hidden"

    def lookups(self, request, model_admin):
        """Hidden, or shown."""
        return [("yes", "Hidden"), ("no", "Shown")]

    def queryset(self, request, queryset):
        """The comments hidden (or not hidden) by a curator."""
        if self.value() in ("yes", "no"):
            return queryset.filter(hidden_at__isnull=self.value() == "no")
        return queryset


class FlagInline(admin.TabularInline):
    """The flags on a comment, with who raised and who resolved each."""

    model = Flag
    fk_name = "comment"
    template = "admin/projects/comment/flag_inline.html"
    extra = 0
    can_delete = False
    readonly_fields = ("flagged_by", "reason", "created_at", "resolved_by", "resolved_at")
    fields = readonly_fields

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        """Never: researchers flag comments on the site."""
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Flag]:
        """The flags with who raised and who resolved each, in the same query."""
        return super().get_queryset(request).select_related("flagged_by", "resolved_by")


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
    """Comments, with flagged ones first in the queue; curators hide, unhide or dismiss."""

    # What a moderator reads first (the comment and why it was flagged) comes first.
    list_display = (
        "excerpt",
        "flag_reasons",
        "open_flags",
        "author",
        "on_project",
        "created_at",
        "is_scope",
        "hidden",
        "edited_since_flagged",
    )
    list_filter = (FlaggedFilter, ScopeFilter, HiddenFilter)
    list_select_related = ("project", "author")
    search_fields = ("body", "author__username", "project__title")
    inlines = [FlagInline]
    actions = ["hide_selected", "unhide_selected", "dismiss_flags"]
    change_title = "Moderate a comment"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Comment]:
        """Comments with their open flags counted, whether they were edited since the first
        of those, and those flags (with who raised them) fetched in one query for the whole
        page."""
        open_flags = Q(flags__resolved_at__isnull=True)
        first_open_flag = Flag.objects.filter(
            comment=OuterRef(OuterRef("pk")), resolved_at__isnull=True
        ).order_by("created_at")
        edited_since = CommentVersion.objects.filter(
            comment=OuterRef("pk"),
            replaced_at__gt=Subquery(first_open_flag.values("created_at")[:1]),
        )
        return (
            super()
            .get_queryset(request)
            .annotate(
                open_flags=Count("flags", filter=open_flags),
                edited_since_flagged=Exists(edited_since),
            )
            .prefetch_related(
                Prefetch(
                    "flags",
                    queryset=Flag.objects.filter(resolved_at__isnull=True)
                    .select_related("flagged_by")
                    .order_by("created_at", "pk"),
                    to_attr="open_flag_list",
                )
            )
        )

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        """Moderators act on comments (through the domain; no field is edited)."""
        return request.user.has_perm("projects.moderate_comment")

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        """The comment's fields, then its text when each flag was raised and every earlier
        version of it: its author's edits never hide from curators what was flagged."""
        return [*super().get_readonly_fields(request, obj), "as_flagged", "earlier_versions"]

    @admin.display(description="Edited since flagged", boolean=True)
    def edited_since_flagged(self, comment: Comment) -> bool:
        """Whether its author edited it after the first flag still waiting (annotated)."""
        return comment.edited_since_flagged

    @admin.display(description="Text when flagged")
    def as_flagged(self, comment: Comment) -> str:
        """What each flag's author read, where the comment has changed since (two queries)."""
        flags = list(comment.flags.select_related("flagged_by").order_by("created_at", "pk"))
        if not flags:
            return "Never flagged."
        versions = list(comment.versions.all())
        changed = [
            (flag, text)
            for flag in flags
            if (text := comment.body_at(flag.created_at, versions)) != comment.body
        ]
        if not changed:
            return "Unchanged since it was flagged."
        return format_html_join(
            "",
            '<p class="comment-version-when">Flagged by {} on {}, when it read:</p>'
            '<div class="comment-version">{}</div>',
            ((flag.flagged_by.public_name, _when(flag.created_at), text) for flag, text in changed),
        )

    @admin.display(description="Earlier versions")
    def earlier_versions(self, comment: Comment) -> str:
        """Every text its author replaced, oldest first, with when it was written and replaced
        (one query)."""
        versions = list(comment.versions.all())
        if not versions:
            return "None: never edited."
        return format_html_join(
            "",
            '<p class="comment-version-when">Written {}, replaced {}{}:</p>'
            '<div class="comment-version">{}</div>',
            (
                (
                    _when(version.written_at),
                    _when(version.replaced_at),
                    " (about scope)" if version.is_scope else "",
                    version.body,
                )
                for version in versions
            ),
        )

    @admin.display(description="Comment")
    def excerpt(self, comment: Comment) -> str:
        """The comment's opening words."""
        return comment.body[:80] + ("…" if len(comment.body) > 80 else "")

    @admin.display(description="Project", ordering="project__title")
    def on_project(self, comment: Comment) -> str:
        """The project's number and the opening of its title."""
        return Truncator(str(comment.project)).chars(50)

    @admin.display(description="Hidden", boolean=True)
    def hidden(self, comment: Comment) -> bool:
        """Whether a curator hid it."""
        return comment.is_hidden

    @admin.display(description="Open flags", ordering="open_flags")
    def open_flags(self, comment: Comment) -> int:
        """How many flags wait for a curator."""
        return comment.open_flags

    @admin.display(description="Why it was flagged")
    def flag_reasons(self, comment: Comment) -> str:
        """Each open flag's reason and who gave it (prefetched: no query per row)."""
        if not comment.open_flag_list:
            return "-"
        return format_html(
            '<ul class="flag-reasons">{}</ul>',
            format_html_join(
                "",
                "<li>{} <span class='flag-by'>({})</span></li>",
                (
                    (flag.reason or "No reason given", flag.flagged_by.public_name)
                    for flag in comment.open_flag_list
                ),
            ),
        )

    @admin.action(description="Hide selected comments", permissions=["change"])
    def hide_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        """Hide each selected comment, which deals with its flags."""
        apply_each(request, queryset, lambda c: c.hide(by=request.user), "Hidden")

    @admin.action(description="Unhide selected comments", permissions=["change"])
    def unhide_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        """Show each selected comment again."""
        apply_each(request, queryset, lambda c: c.unhide(by=request.user), "Shown again")

    @admin.action(description="Dismiss flags (keep the comments shown)", permissions=["change"])
    def dismiss_flags(self, request: HttpRequest, queryset: QuerySet) -> None:
        """Mark the selected comments' flags as dealt with, leaving the comments shown."""
        apply_each(
            request, queryset, lambda c: c.dismiss_flags(by=request.user), "Flags dismissed on"
        )


class AttentionFilter(admin.SimpleListFilter):
    """Claims a curator may want to follow up: silent for long, or dormant."""

    title = "needs attention"
    parameter_name = "attention"

    def lookups(self, request, model_admin):
        """Stale or dormant."""
        return [("stale", "Stale (active, silent)"), ("dormant", "Dormant")]

    def queryset(self, request, queryset):
        """The stale or the dormant claims."""
        if self.value() == "stale":
            return queryset.stale()
        if self.value() == "dormant":
            return queryset.dormant()
        return queryset


@admin.register(Claim)
class ClaimAdmin(ReadOnlyAdmin):
    """Claims, with the stale and dormant ones a curator may want to follow up."""

    list_display = (
        "project",
        "researcher",
        "state",
        "started_at",
        "last_activity_at",
        "stale_reminded_at",
        "target_date",
    )
    list_filter = (AttentionFilter, "state")
    list_select_related = ("project", "researcher")
    search_fields = ("project__title", "researcher__username")
    ordering = ("last_activity_at",)
    change_title = "Claim"

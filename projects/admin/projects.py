"""Projects in the admin: edits kept as versions, status changes with reasons, merges, and
bulk actions. No status is ever written here directly: every change calls the domain."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from projects import services
from projects.admin.common import BoardActionForm, BoardModelAdmin, action_bar, apply_each
from projects.admin.merge import MergeForm, merge_preview
from projects.models import Output, Project, Tag, TextVersion
from projects.models.curation import MAX_CLAIM_LIMIT


class ReasonActionForm(BoardActionForm):
    """The action bar, with a reason for the actions that need one."""

    reason = forms.CharField(required=False, label="Reason")


class CurationActionForm(BoardActionForm):
    """The action bar, with the values the bulk actions need, and how each is read.

    The fields take any text: a value the bar itself refused would read only "No action
    selected". The action that needs a value reads it here, and a bad one is refused with
    a message that says why.
    """

    reason = forms.CharField(required=False, label="Reason")
    claim_limit = forms.CharField(required=False, label="Claim limit (blank for no limit)")
    tag = forms.CharField(required=False, label="Tag")

    def claim_limit_value(self) -> int | None:
        """The claim limit typed (None when blank). Raises ValidationError(code="limit")."""
        raw = self.cleaned_data.get("claim_limit", "").strip()
        if not raw:
            return None
        if not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= MAX_CLAIM_LIMIT):
            raise ValidationError(
                f"A claim limit is a whole number from 1 to {MAX_CLAIM_LIMIT}, or blank.",
                code="limit",
            )
        return int(raw)

    def tag_value(self) -> Tag:
        """The tag named (made if new). Raises ValidationError(code="tag")."""
        name = self.cleaned_data.get("tag", "")
        if len(name.strip()) > Tag._meta.get_field("name").max_length:
            raise ValidationError("A tag is at most 50 characters long.", code="tag")
        tag = Tag.named(name)
        if tag is None:
            raise ValidationError("Write the tag to add in the Tag box.", code="tag")
        return tag


# Which field of the status form each refusal of Project.change_status is about.
STATUS_ERROR_FIELDS = {
    "reason": "reason",
    "outputs": "outputs",
    "transition": "to",
    "proposal": "to",
}


class StatusForm(forms.Form):
    """Move a project to another status, with a reason (and outputs, to mark it addressed)."""

    required_css_class = "required"

    to = forms.ChoiceField(
        label="Change",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what to do with the project."},
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept in the project's history.",
        error_messages={"required": "Give a reason: it is kept in the project's history."},
    )
    outputs = forms.ModelMultipleChoiceField(
        queryset=Output.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Accepted outputs",
        help_text="To mark it addressed: the accepted outputs that justify it.",
    )

    def __init__(self, *args, project: Project, **kwargs) -> None:
        """The moves open to ``project`` now, and its accepted outputs."""
        super().__init__(*args, **kwargs)
        # Each move is named by what the curator does: "Mark addressed", "Retire", "Reopen".
        self.fields["to"].choices = [
            (to, name[:1].upper() + name[1:])
            for (start, to), name in Project.TRANSITIONS.items()
            if start == project.status
        ]
        if Project.Status.ADDRESSED not in dict(self.fields["to"].choices):
            del self.fields["outputs"]  # only marking it addressed names outputs
            return
        outputs = self.fields["outputs"]
        outputs.queryset = project.outputs.accepted()
        if not outputs.queryset.exists():
            outputs.help_text = "None yet: accept one of its outputs before marking it addressed."


@admin.register(Project)
class ProjectAdmin(BoardModelAdmin):
    """Projects, ordered as their agendas number them."""

    list_display = ("number", "title", "kind", "status", "claim_limit", "agenda")
    list_display_links = ("number", "title")
    list_filter = ("status", "kind", "agenda", "tags")
    list_select_related = ("agenda",)
    search_fields = ("title", "description", "slug")
    ordering = ("agenda", "number")
    # The agenda and the tags as plain selects: the autocomplete widget's box has no
    # accessible name until something is chosen, and its search box no label.
    readonly_fields = ("status", "merged_into", "versions", "created_at", "updated_at")
    # Fixed once a project exists: the slug is its public URL, and the agenda and number
    # are where the importer finds it again.
    fixed_fields = ("agenda", "number", "slug")
    action_form = CurationActionForm
    actions = ["retire_selected", "reopen_selected", "set_claim_limit", "add_tag"]
    fieldsets = (
        (None, {"fields": ("agenda", "number", "title", "slug", "kind", "status", "merged_into")}),
        ("Text", {"fields": ("description", "summary", "versions")}),
        ("Claims and tags", {"fields": ("claim_limit", "claim_window_days", "tags")}),
        ("Dates", {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )

    def formfield_for_dbfield(self, db_field, request: HttpRequest, **kwargs):
        """The claim window's help names the board's default in days."""
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "claim_window_days":
            field.help_text = (
                f"{db_field.help_text[:-1]} ({settings.CLAIM_STALE_DAYS} days). Any activity "
                "of the holder on the project starts a claim's quiet spell over."
            )
        return field

    def get_prepopulated_fields(self, request: HttpRequest, obj: Project | None = None) -> dict:
        """The slug follows the title while a project is being added, never afterwards."""
        return {} if obj else {"slug": ("title",)}

    def get_readonly_fields(self, request: HttpRequest, obj: Project | None = None) -> tuple:
        """Status and history always; agenda, number and slug once the project exists."""
        return (*self.readonly_fields, *self.fixed_fields) if obj else self.readonly_fields

    def save_model(self, request: HttpRequest, obj: Project, form, change: bool) -> None:
        """A new project is saved and recorded; each changed field of an existing one goes
        through its own domain method, which keeps versions and records the event."""
        if not change:
            super().save_model(request, obj, form, change)
            obj.record_added(by=request.user)
            return
        project, data, by = Project.objects.get(pk=obj.pk), form.cleaned_data, request.user
        note = "Edited in the admin"
        edits = {
            "title": lambda: project.rename(title=data["title"], by=by, note=note),
            "kind": lambda: project.set_kind(kind=data["kind"], by=by, note=note),
            "description": lambda: project.edit_description(
                text=data["description"], by=by, note=note
            ),
            "summary": lambda: project.edit_summary(text=data["summary"], by=by, note=note),
            "claim_limit": lambda: project.set_claim_limit(limit=data["claim_limit"], by=by),
            "claim_window_days": lambda: project.set_claim_window(
                days=data["claim_window_days"], by=by
            ),
            "tags": lambda: project.set_tags(tags=data["tags"], by=by),
        }
        for field in form.changed_data:
            edits[field]()

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        """Tags of an existing project changed in ``save_model``, through set_tags."""
        if not change:
            super().save_related(request, form, formsets, change)

    @admin.display(description="Earlier versions")
    def versions(self, project: Project) -> str:
        """The latest earlier versions of its text, each with a link to view or restore it."""
        rows = project.versions.select_related("created_by")[:30]
        if not rows:
            return "No edits yet."
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                '<li>{} · {} · {} {} <a href="{}">view or restore</a></li>',
                (
                    (
                        v.get_field_display(),
                        v.created_at.strftime("%d %b %Y %H:%M"),
                        v.created_by or "import",
                        f"({v.note})" if v.note else "",
                        reverse("admin:projects_project_restore", args=[project.pk, v.pk]),
                    )
                    for v in rows
                ),
            ),
        )

    # Bulk actions

    @admin.action(description="Retire selected projects (give a reason)", permissions=["change"])
    def retire_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        """Retire each selected project, with the reason in the action bar."""
        reason = action_bar(self, request).cleaned_data["reason"]
        apply_each(request, queryset, lambda p: p.retire(by=request.user, reason=reason), "Retired")

    @admin.action(description="Reopen selected projects (give a reason)", permissions=["change"])
    def reopen_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        """Reopen each selected project, with the reason in the action bar."""
        reason = action_bar(self, request).cleaned_data["reason"]
        apply_each(
            request, queryset, lambda p: p.reopen(by=request.user, reason=reason), "Reopened"
        )

    @admin.action(description="Set the claim limit of selected projects", permissions=["change"])
    def set_claim_limit(self, request: HttpRequest, queryset: QuerySet) -> None:
        """Give each selected project the claim limit in the action bar (blank: no limit)."""
        try:
            limit = action_bar(self, request).claim_limit_value()
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return
        apply_each(
            request,
            queryset,
            lambda p: p.set_claim_limit(limit=limit, by=request.user),
            "Claim limit set on",
        )

    @admin.action(description="Add a tag to selected projects", permissions=["change"])
    def add_tag(self, request: HttpRequest, queryset: QuerySet) -> None:
        """Add the tag named in the action bar to each selected project."""
        try:
            tag = action_bar(self, request).tag_value()
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return
        apply_each(
            request, queryset, lambda p: p.add_tag(tag=tag, by=request.user), f"Tagged “{tag.name}”"
        )

    # Views of one project: status, merge, restore a version

    def get_urls(self) -> list:
        """The admin's URLs, and the project's status, merge and restore pages."""
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/status/", wrap(self.status_view), name="projects_project_status"),
            path("<int:pk>/merge/", wrap(self.merge_view), name="projects_project_merge"),
            path(
                "<int:pk>/versions/<int:version_pk>/restore/",
                wrap(self.restore_view),
                name="projects_project_restore",
            ),
            *super().get_urls(),
        ]

    def _project_for_change(self, request: HttpRequest, pk: int) -> Project:
        """The project, if the user may change it (404 or 403 otherwise)."""
        project = get_object_or_404(Project, pk=pk)
        if not self.has_change_permission(request, project):
            raise PermissionDenied
        return project

    def _form_page(
        self,
        request,
        project,
        form,
        *,
        title,
        intro,
        button,
        crumb,
        template="admin/projects/project/action_form.html",
        extra=None,
    ):
        """One of the project's own pages (status, merge, restore): 400 when the form refuses."""
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": project,
            "form": form,
            "title": title,
            "intro": intro,
            "button": button,
            "crumb": crumb,
            **(extra or {}),
        }
        return TemplateResponse(
            request,
            template,
            context,
            status=400 if form.errors else 200,
        )

    def status_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Change the project's status with a reason, through Project.change_status."""
        project = self._project_for_change(request, pk)
        form = StatusForm(request.POST if request.method == "POST" else None, project=project)
        if form.is_bound and form.is_valid():
            try:
                project.change_status(by=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(STATUS_ERROR_FIELDS.get(error.code), error)
            else:
                self.message_user(request, f"Status is now {project.get_status_display().lower()}.")
                return redirect("admin:projects_project_change", project.pk)
        return self._form_page(
            request,
            project,
            form,
            title=f"Change the status of “{project.title}”",
            intro=f"Now {project.get_status_display().lower()}. The reason is kept in its history.",
            button="Change status",
            crumb="Change status",
        )

    def merge_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Merge this duplicate into another project in two POSTs: the first shows what will
        move (nothing is saved), the confirming one merges through services.project_merge."""
        project = self._project_for_change(request, pk)
        form = MergeForm(request.POST if request.method == "POST" else None, project=project)
        # "back" comes from the preview: the form again, with what was chosen and typed.
        if form.is_bound and "back" not in request.POST and form.is_valid():
            kept, reason = form.cleaned_data["kept"], form.cleaned_data["reason"]
            merge = {"duplicate": project, "kept": kept, "by": request.user, "reason": reason}
            try:
                if "confirm" in request.POST:
                    services.project_merge(**merge)
                else:
                    preview = merge_preview(**merge)
            except ValidationError as error:
                form.add_merge_error(error)
            else:
                if "confirm" in request.POST:
                    self.message_user(request, f"Merged into “{kept.title}”.")
                    return redirect("admin:projects_project_change", kept.pk)
                return self._form_page(
                    request,
                    project,
                    form,
                    title="Confirm the merge",
                    intro=f"“{project}” merges into “{kept.agenda.title} · {kept}”. "
                    "Nothing is saved until you confirm.",
                    button="Merge",
                    crumb="Merge",
                    template="admin/projects/project/merge_preview.html",
                    extra={"preview": preview},
                )
        return self._form_page(
            request,
            project,
            form,
            title=f"Merge “{project.title}” into another project",
            intro="Its claims, comments, outputs, interests and watchers move to the kept "
            "project; its page redirects there; both histories record the merge. You see "
            "what moves before anything is saved.",
            button="Show what will move",
            crumb="Merge",
        )

    def restore_view(self, request: HttpRequest, pk: int, version_pk: int) -> HttpResponse:
        """Show an earlier version; on POST make it current again (as a new version)."""
        project = self._project_for_change(request, pk)
        version = get_object_or_404(TextVersion, pk=version_pk, project=project)
        form = forms.Form(request.POST or None)
        if request.method == "POST":
            project.restore_version(version, by=request.user)
            self.message_user(request, f"Restored the {version.get_field_display().lower()}.")
            return redirect("admin:projects_project_change", project.pk)
        return self._form_page(
            request,
            project,
            form,
            title=f"Restore this version of the {version.get_field_display().lower()}?",
            intro=f"Version of {version.created_at:%d %b %Y %H:%M}. Restoring keeps every version.",
            button="Restore this version",
            crumb="Restore a version",
            extra={"version": version},
        )

"""Agendas and tags; importing an agenda file (with a preview) and exporting one."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path

from projects.admin.common import BoardModelAdmin
from projects.importers import AgendaFormatError, export_agenda, import_agenda, parse_agenda
from projects.models import Agenda, Tag

MAX_IMPORT_BYTES = 1_000_000


@admin.register(Tag)
class TagAdmin(BoardModelAdmin):
    """Tags, searchable for the autocomplete on agendas and projects."""

    list_display = ("name", "slug")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


class AgendaImportForm(forms.Form):
    """Step one: a file. Step two: the same text, confirmed after the preview."""

    file = forms.FileField(
        required=False, help_text="Markdown: YAML front matter, then a numbered list of projects."
    )
    content = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self) -> dict:
        """The file's text (or the confirmed text), parsed; a bad file is refused at the field."""
        data = super().clean()
        upload = data.get("file")
        if upload:
            if upload.size > MAX_IMPORT_BYTES:
                raise forms.ValidationError({"file": "The file is larger than 1 MB."})
            data["content"] = upload.read()
        elif not data.get("content"):
            raise forms.ValidationError({"file": "Choose a file to import."})
        try:
            data["parsed"] = parse_agenda(data["content"])
        except AgendaFormatError as error:
            raise forms.ValidationError({"file": str(error)}) from None
        if isinstance(data["content"], bytes):
            data["content"] = data["content"].decode("utf-8-sig")
        return data


@admin.register(Agenda)
class AgendaAdmin(BoardModelAdmin):
    """Agendas with their project counts; import from a file, export back to one."""

    list_display = ("title", "author", "project_count", "source_url", "published_on", "updated_at")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    search_fields = ("title", "author", "intro")
    list_filter = ("tags",)
    # By title, here and in the projects' agenda autocomplete, which pages through them.
    ordering = ("title",)
    prepopulated_fields = {"slug": ("title",)}
    # Tags as a plain multiple select: the autocomplete widget's search box has no label.
    autocomplete_fields = ()
    readonly_fields = ("created_at", "updated_at")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Agenda]:
        """Agendas with their project counts, in one query for the list."""
        return super().get_queryset(request).with_project_counts()

    @admin.display(description="Projects", ordering="project_count")
    def project_count(self, agenda: Agenda) -> int:
        """How many projects the agenda has, whatever their status."""
        return agenda.project_count

    def get_urls(self) -> list:
        """The admin's URLs, and the import and export pages."""
        wrap = self.admin_site.admin_view
        return [
            path("import/", wrap(self.import_view), name="projects_agenda_import"),
            path("<int:pk>/export/", wrap(self.export_view), name="projects_agenda_export"),
            *super().get_urls(),
        ]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        """Upload a file, see what it would create and update, then confirm: one importer,
        run first as a dry run for the preview and then for real."""
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        form = AgendaImportForm(request.POST or None, request.FILES or None)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "form": form,
            "title": "Import an agenda",
        }
        if request.method == "POST" and form.is_valid():
            content = form.cleaned_data["content"]
            if "confirm" in request.POST:
                report = import_agenda(content)
                self.message_user(request, report.summary(), messages.SUCCESS)
                return redirect("admin:projects_agenda_change", report.agenda.pk)
            report = import_agenda(content, dry_run=True)
            context |= {
                "report": report,
                "items": [
                    (item, report.action(item.number)) for item in form.cleaned_data["parsed"].items
                ],
                "confirm_form": AgendaImportForm(initial={"content": content}),
            }
        return TemplateResponse(request, "admin/projects/agenda/import.html", context)

    def export_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The agenda as a file in the format the importer reads."""
        agenda = get_object_or_404(Agenda, pk=pk)
        if not self.has_view_permission(request, agenda):
            raise PermissionDenied
        response = HttpResponse(export_agenda(agenda), content_type="text/markdown; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{agenda.slug}.md"'
        return response

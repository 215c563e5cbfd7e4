"""Curation in the admin: agendas, projects and tags."""

from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest

from projects.models import Agenda, Project, Tag


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    """Tags, searchable for the autocomplete on agendas and projects."""

    list_display = ("name", "slug")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Agenda)
class AgendaAdmin(admin.ModelAdmin):
    """Agendas with their project counts."""

    list_display = ("title", "author", "project_count", "source_url", "published_on", "updated_at")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    search_fields = ("title", "author", "intro")
    list_filter = ("tags",)
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("tags",)
    readonly_fields = ("created_at", "updated_at")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Agenda]:
        return super().get_queryset(request).with_project_counts()

    @admin.display(description="Projects", ordering="project_count")
    def project_count(self, agenda: Agenda) -> int:
        return agenda.project_count


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    """Projects, ordered as their agendas number them.

    The status is read-only here: it changes only through the lifecycle actions that
    record who changed it and why.
    """

    list_display = ("number", "title", "kind", "status", "claim_limit", "agenda")
    list_display_links = ("number", "title")
    list_filter = ("status", "kind", "agenda", "tags")
    list_select_related = ("agenda",)
    search_fields = ("title", "description", "slug")
    ordering = ("agenda", "number")
    autocomplete_fields = ("agenda", "tags")
    readonly_fields = ("status", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("agenda", "number", "title", "slug", "kind", "status")}),
        ("Text", {"fields": ("description",)}),
        ("Claims and tags", {"fields": ("claim_limit", "tags")}),
        ("Dates", {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )

    def get_prepopulated_fields(self, request: HttpRequest, obj: Project | None = None) -> dict:
        return {} if obj else {"slug": ("title",)}

    def get_readonly_fields(self, request: HttpRequest, obj: Project | None = None) -> tuple:
        # A project's slug is its public URL: fixed once the project exists.
        return (*self.readonly_fields, "slug") if obj else self.readonly_fields

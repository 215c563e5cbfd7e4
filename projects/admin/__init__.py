"""Curation in the admin. Every action calls the same domain methods as the site."""

from projects.admin import agendas, projects, proposals, review  # noqa: F401  (registers the ModelAdmins)

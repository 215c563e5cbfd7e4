"""The static files' storage (agenda_site.storage): whitenoise's, each URL found once."""

from django.core.management import call_command
from django.templatetags.static import static
from django.test import override_settings

from agenda_site.storage import StaticFilesStorage


def test_each_url_is_the_hashed_name_and_found_once(tmp_path, settings):
    settings.STATIC_ROOT = tmp_path
    settings.DEBUG = False
    with override_settings(
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "agenda_site.storage.StaticFilesStorage"},
        }
    ):
        call_command("collectstatic", interactive=False, verbosity=0)
        storage = StaticFilesStorage()
        first = storage.url("css/site.css")
        assert first.startswith("/static/css/site.") and first != "/static/css/site.css"
        assert storage._urls == {"css/site.css": first}
        assert storage.url("css/site.css") == first == static("css/site.css")
        assert storage.url("css/site.css", force=True) == first

"""WSGI entry point, which ``manage.py serve`` hands to granian (settings.WSGI_APPLICATION)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agenda_site.settings")

application = get_wsgi_application()

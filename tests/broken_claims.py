"""A deliberately broken claim, for the race tests to catch: the app with every row lock
gone (``select_for_update`` locks nothing), served under tests.settings_broken_claims. With
the database's constraint dropped too (the test does that), nothing serializes claims."""

from django.core.wsgi import get_wsgi_application
from django.db.models import QuerySet

application = get_wsgi_application()
QuerySet.select_for_update = lambda self, *args, **kwargs: self

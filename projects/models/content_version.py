"""The version of everything the board shows, bumped after every committed write."""

from django.db import models


class ContentVersion(models.Model):
    """One row whose number goes up after each transaction that wrote anything a page may
    show (projects.page_cache). Cached pages are filed under the number they were rendered
    at, so none is served once anything changed. It lives in the database, next to what it
    versions: a cache that loses a write can never make an old page current again."""

    number = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "content version"

    def __str__(self) -> str:
        return f"content version {self.number}"

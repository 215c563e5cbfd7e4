"""The board's own settings, as deployed (DEBUG off), plus what only the page benchmark
needs: a minimal view through the whole middleware stack (``/bench/baseline``, the floor
every page is measured against) and each answer's database query count in a header."""

import os

os.environ.setdefault("SECURE_SSL_REDIRECT", "false")  # wrk speaks plain HTTP

from agenda_site.settings import *  # noqa: E402, F403

ROOT_URLCONF = "bench.urls"
# The baseline is the floor of a page, not of a cached one.
PAGE_CACHE_SKIP = [*PAGE_CACHE_SKIP, "/bench/"]  # noqa: F405
# Each data set's pages under a prefix of their own in the Redis they share.
CACHES["default"]["KEY_PREFIX"] = os.environ.get("BENCH_CACHE_KEY_PREFIX", "")  # noqa: F405
# Outermost, so that the count includes every middleware's queries (session, user).
MIDDLEWARE = ["bench.urls.count_queries", *MIDDLEWARE]  # noqa: F405

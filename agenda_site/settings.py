"""Settings for the Research Agenda Board: every deploy value comes from the environment.

Defaults are safe for a first run on a laptop: SQLite in a git-ignored folder, mail to
the console, an in-process cache. ``DEBUG`` is off unless set, and with ``DEBUG`` off the
app refuses to start on the development secret key. See ``.env.example`` for the list.
"""

import sys
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEVELOPMENT_SECRET_KEY = "django-insecure-development-only-never-use-in-production"

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default=DEVELOPMENT_SECRET_KEY)
if not DEBUG and SECRET_KEY == DEVELOPMENT_SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is the development key while DEBUG is off. Set SECRET_KEY to a long "
        "random value (or set DEBUG=true on a development machine)."
    )

# The name the site gives itself in the mail it sends, and its public address (for the
# links in mail that no request carries).
SITE_NAME = env.str("SITE_NAME", default="Research Agenda Board")
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "projects.apps.BoardAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "csp",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "template_partials.apps.SimpleAppConfig",
    "django_tasks",
    "django_tasks_db",
    "accounts",
    "projects",
    "notifications",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "projects.middleware.permissions_policy",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages compressed for browsers that ask (whitenoise serves static files precompressed,
    # before this). Django's gzip pads each answer at random against BREACH, and the CSRF
    # token in a page is masked afresh on every answer.
    "django.middleware.gzip.GZipMiddleware",
    # Above the session and the user: 503, not 500, when the database is away.
    "projects.outages.database_outage",
    "projects.middleware.refuse_nul_characters",
    # Before the session and the user: a visitor's page from the shared cache costs no query.
    "projects.page_cache.page_cache",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, with the signed-in user kept in the shared cache (accounts.middleware).
    "accounts.middleware.KeptUserMiddleware",
    "projects.middleware.private_pages_for_the_signed_in",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "projects.middleware.board_links",
]

ROOT_URLCONF = "agenda_site.urls"
WSGI_APPLICATION = "agenda_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "notifications.context_processors.unread_notifications",
            ],
            # {% url %} reverses a name with no arguments once per process.
            "builtins": ["template_partials.templatetags.partials", "agenda_site.template_urls"],
            "loaders": [
                (
                    "template_partials.loader.Loader",
                    [
                        (
                            "django.template.loaders.cached.Loader",
                            [
                                "django.template.loaders.filesystem.Loader",
                                "django.template.loaders.app_directories.Loader",
                            ],
                        )
                    ],
                )
            ],
        },
    }
]

# SQLite lives in var/, which git ignores; DATABASE_URL switches to PostgreSQL (psycopg 3).
(BASE_DIR / "var").mkdir(exist_ok=True)
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}")
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
# With persistent connections, check each one is alive before a request reuses it.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# A database that does not answer must not hold a worker: give up connecting after this many
# seconds, and the page answers 503 (projects.outages).
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DB_CONNECT_TIMEOUT", default=5)
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": env.cache_url("CACHE_URL", default=env.str("REDIS_URL", default="locmemcache://"))
}
# Redis away is a miss, not an error (agenda_site.cache): the site keeps serving, and the
# rate limits count nothing until it is back. Connecting and answering get a second each.
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"]["BACKEND"] = "agenda_site.cache.FailOpenRedisCache"
    CACHES["default"].setdefault("OPTIONS", {}).setdefault("socket_connect_timeout", 1)
    CACHES["default"]["OPTIONS"].setdefault("socket_timeout", 1)

# Whole pages for visitors who are not signed in, in the shared cache and never stale
# (projects.page_cache), unless DEBUG is on (templates change under it) or PAGE_CACHE=false.
# A cache in each process's memory would serve a page another process has already
# changed, so page caching is off then (system check board.W003).
SHARED_CACHE_BACKENDS = (
    "django.core.cache.backends.redis.RedisCache",
    "agenda_site.cache.FailOpenRedisCache",
    "django.core.cache.backends.memcached.PyMemcacheCache",
    "django.core.cache.backends.memcached.PyLibMCCache",
)
# Sessions from Redis and kept in the database (agenda_site.sessions); from the database
# alone with any other cache: one per process would keep a session another process had
# ended, and one that does not fail open would stop every signed-in page while it is away.
SESSION_ENGINE = (
    "agenda_site.sessions"
    if CACHES["default"]["BACKEND"] == "agenda_site.cache.FailOpenRedisCache"
    else "django.contrib.sessions.backends.db"
)
PAGE_CACHE_WANTED = env.bool("PAGE_CACHE", default=not DEBUG)
PAGE_CACHE = PAGE_CACHE_WANTED and CACHES["default"]["BACKEND"] in SHARED_CACHE_BACKENDS
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=300)
# Path prefixes never cached besides the personal ones the page cache knows.
PAGE_CACHE_SKIP: list[str] = []
# Every process bumps the content version after its writes, caching or not: a cron job or a
# shell without the cache must not leave the app servers' pages old.
TRACK_CONTENT_VERSION = True

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"

# Accounts (django-allauth): sign in with username or email; the address must be verified
# before the first sign-in. Its rate limits (on by default) count in the shared cache.
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = env.str("ACCOUNT_EMAIL_VERIFICATION", default="mandatory")
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
# allauth's forms in the board's words: sentence case, and a message at each empty field.
ACCOUNT_FORMS = {
    "login": "accounts.forms.LoginForm",
    "signup": "accounts.forms.SignupForm",
    "add_email": "accounts.forms.AddEmailForm",
    "reset_password": "accounts.forms.ResetPasswordForm",
    "reset_password_from_key": "accounts.forms.ResetPasswordKeyForm",
    "change_password": "accounts.forms.ChangePasswordForm",
    "set_password": "accounts.forms.SetPasswordForm",
    "reauthenticate": "accounts.forms.ReauthenticateForm",
}
# ASCII letters, digits, - and _: no look-alike ("ｒｏｏｔ", Cyrillic "аdmin") can sign up.
ACCOUNT_USERNAME_VALIDATORS = "projects.validators.username_validators"
ACCOUNT_USERNAME_BLACKLIST = ["admin", "accounts", "people", "curators", "staff"]
# Adding, removing or choosing an email address asks for the password (or a second factor)
# again, whatever the age of the session; changing the password asks for the current one.
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_REAUTHENTICATION_METHODS = ("password", "mfa")
# Every verified address of an account hears of a change to its addresses, its password or
# its second factors (accounts.adapters.AccountAdapter.send_notification_mail).
ACCOUNT_EMAIL_NOTIFICATIONS = True

# Two-factor authentication (allauth's MFA app): an authenticator app (TOTP) with recovery
# codes, and security keys or passkeys (WebAuthn) as a second factor. WebAuthn needs HTTPS,
# or http://localhost in development (not 127.0.0.1: an IP address cannot be its domain).
MFA_ADAPTER = "accounts.adapters.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_TOTP_ISSUER = SITE_NAME
MFA_FORMS = {
    "authenticate": "accounts.forms.AuthenticateForm",
    "reauthenticate": "accounts.forms.MFAReauthenticateForm",
    "activate_totp": "accounts.forms.ActivateTOTPForm",
    "add_webauthn": "accounts.forms.AddWebAuthnForm",
    "edit_webauthn": "accounts.forms.EditWebAuthnForm",
    "authenticate_webauthn": "accounts.forms.AuthenticateWebAuthnForm",
    "reauthenticate_webauthn": "accounts.forms.ReauthenticateWebAuthnForm",
}
# Staff reach the admin only with a second factor set up and used in this session
# (accounts.two_factor). Off only for development: `make run` turns it off.
STAFF_MFA_REQUIRED = env.bool("STAFF_MFA_REQUIRED", default=True)

# The address a request comes from, for allauth's rate limits and the board's alike
# (projects.ratelimits.client_address): REMOTE_ADDR, unless the app servers sit behind this
# many proxies of yours, each appending to X-Forwarded-For, or behind one that puts the
# client's address in a header of its own (e.g. X-Real-IP). Never trust a header that a
# client can send straight to the app servers.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env.str("TRUSTED_CLIENT_IP_HEADER", default="") or None

# Rate limits on the board's writes (projects/ratelimits.py), counted in the cache: per
# kind of write, comma-separated rates in allauth's notation, so many per period (s, m, h,
# d; "10m" is ten minutes) per account ("user") or per address ("ip"). Each is read from
# RATE_LIMIT_<KIND> (RATE_LIMIT_CHECK_IN for "check-in"); an empty value lifts that kind's
# limits. Far above what a person does by hand: they stop scripts, not researchers.
RATE_LIMITS = {
    kind: env.str("RATE_LIMIT_" + kind.upper().replace("-", "_"), default=default)
    for kind, default in {
        # Comments and replies.
        "comment": "10/m/user,100/h/user,30/m/ip,300/h/ip",
        # Editing and deleting one's comments.
        "edit": "20/m/user,200/h/user,60/m/ip",
        # Claiming, completing, releasing, reviving.
        "claim": "10/m/user,60/h/user,30/m/ip",
        # Checking in, and "Still on it".
        "check-in": "10/m/user,100/h/user,30/m/ip",
        # Linking outputs.
        "output": "10/m/user,100/h/user,30/m/ip",
        # Proposing projects and edits.
        "proposal": "5/m/user,50/h/user,15/m/ip",
        # Flagging comments for curators.
        "flag": "10/m/user,100/h/user,30/m/ip",
        # "I want this done" and watching, on and off.
        "signal": "30/m/user,500/h/user,90/m/ip",
        # Looking up names to mention as one types "@" (a read, but one per few keystrokes).
        "lookup": "60/m/user,1000/h/user,120/m/ip",
        # Notification settings, marking notifications read, one's profile.
        "settings": "20/m/user,60/m/ip",
        # Curators on the site: hiding comments, reviewing outputs.
        "curation": "60/m/user,180/m/ip",
        # A reminder's one-click links and unsubscribe links, which need no sign-in (mail
        # providers post one-click unsubscribes from a few addresses of theirs).
        "link": "60/m/ip,1000/h/ip",
        # Previews of markdown (they store nothing, but each renders on the server).
        "preview": "60/m/user,600/h/user,120/m/ip",
    }.items()
}

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Where collectstatic writes the files the app server serves (make serve collects them).
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "var" / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # whitenoise's CompressedManifestStaticFilesStorage, each URL found once (agenda_site.storage).
    "staticfiles": {"BACKEND": "agenda_site.storage.StaticFilesStorage"},
}

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
globals().update(EMAIL_CONFIG)  # EMAIL_BACKEND, EMAIL_HOST, EMAIL_PORT and the rest
# A mail server that accepts a connection and then says nothing must not hold a worker.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
# Background work (Django's tasks API): at once, in the request, by default; in production
# TASKS_BACKEND=django_tasks_db.DatabaseBackend queues tasks in the database for
# `manage.py db_worker`. Mail goes through the outbox (notifications.outbox) either way.
TASKS = {
    "default": {
        "BACKEND": env.str(
            "TASKS_BACKEND", default="django_tasks.backends.immediate.ImmediateBackend"
        )
    }
}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default=f"{SITE_NAME} <board@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Behind a TLS-terminating proxy, say so with SECURE_PROXY_SSL_HEADER=true.
if env.bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# Load balancers probe plain HTTP; the health and readiness checks answer, not redirect.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
# No script reads either cookie: htmx sends the CSRF token from <body hx-headers>, forms
# from their hidden field. Lax keeps them off cross-site POSTs and embedded requests.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
if not DEBUG:
    # The __Host- prefix makes the browser refuse these cookies unless they are Secure, for
    # the whole site (Path=/) and this host alone (no Domain): no subdomain can plant one.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts, styles, images, fonts and connections from
# this site only, nothing inline (htmx's indicator style is off in base.html's htmx-config),
# forms post here only, no framing, no <base>, no plugins. Django's admin and allauth's
# pages keep to it too, so no page needs a nonce or an exception.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}

# Logs go to stdout, with the keys of password reset and verification links (and other
# secrets that ride in URLs) taken out of every line (projects.logs); the app server's access
# log is filtered the same way (agenda_site/granian-logging.json, used by manage.py serve).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"},
    },
    "filters": {
        "redact_secrets": {"()": "projects.logs.RedactSecrets"},
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": sys.stdout,
            "formatter": "plain",
            "filters": ["redact_secrets"],
        },
    },
    "root": {"handlers": ["stdout"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django": {
            "handlers": ["stdout"],
            "level": env.str("LOG_LEVEL", default="INFO"),
            "propagate": False,
        },
    },
}

# How many projects one page of a list shows.
PROJECTS_PER_PAGE = env.int("PROJECTS_PER_PAGE", default=50)
# How many threads (a comment with its replies) one page of a project's discussion shows.
DISCUSSION_THREADS_PER_PAGE = env.int("DISCUSSION_THREADS_PER_PAGE", default=30)
# How many active claims one researcher may hold at once.
MAX_ACTIVE_CLAIMS = env.int("MAX_ACTIVE_CLAIMS", default=5)
# A claim's window: an active claim silent this many days is stale (a curator may set
# another window for one project); its holder is reminded, once per silence.
CLAIM_STALE_DAYS = env.int("CLAIM_STALE_DAYS", default=30)
# Days after that reminder, with still no word, before a stale claim turns dormant.
CLAIM_GRACE_DAYS = env.int("CLAIM_GRACE_DAYS", default=14)
# Days before a claim's target date that its holder is reminded of it.
TARGET_REMINDER_DAYS = env.int("TARGET_REMINDER_DAYS", default=3)
# The hour (in TIME_ZONE) at which daily digests go out, and weekly ones on Mondays.
DIGEST_HOUR = env.int("DIGEST_HOUR", default=7)
if not 0 <= DIGEST_HOUR <= 23:
    raise ImproperlyConfigured(f"DIGEST_HOUR is an hour of the day, 0 to 23, not {DIGEST_HOUR}.")

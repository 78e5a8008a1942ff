"""Settings, read from the environment (12-factor).

Production-safe by default: DEBUG is off and hosts are restricted unless the dev switch
``KEYCLUSTERS_DEV=1`` is set (``make run`` sets it). ``DATABASE_URL`` selects the database;
without it an embedded SQLite file at ``var/keyclusters.sqlite3`` is used.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEV = env.bool("KEYCLUSTERS_DEV", default=False)
DEBUG = env.bool("KEYCLUSTERS_DEBUG", default=DEV)
VAR_DIR = Path(env.str("KEYCLUSTERS_VAR_DIR", default=str(BASE_DIR / "var")))


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once and kept in var/."""
    key = env.str("SECRET_KEY", default="")
    if key:
        return key
    path = VAR_DIR / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(50)
        path.write_text(key)
        path.chmod(0o600)
        return key


SECRET_KEY = _secret_key()
# With DEBUG on (KEYCLUSTERS_DEV: the demo), a missing page shows the site's own 404 page, as in
# production; KEYCLUSTERS_TECHNICAL_404=1 shows Django's debug page (the URL patterns it tried).
TECHNICAL_404 = env.bool("KEYCLUSTERS_TECHNICAL_404", default=False)
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"] if DEV else ["localhost"]
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "simple_history",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "csp",
    # Serves the API documentation's scripts from the static files (not from a CDN), so
    # that the Content-Security-Policy holds on /api/v1/docs too.
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "keyclusters.worker",
    "keyclusters.accounts",
    "keyclusters.registry",
    "keyclusters.competitions",
    "keyclusters.evaluation",
    "keyclusters.statuses",
    "keyclusters.benchmarking",
    "keyclusters.monitoring",
    "keyclusters.council",
    "keyclusters.surveys",
    "keyclusters.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    # last: with DEBUG on, a missing page shows the site's 404 page (keyclusters/web/errors.py)
    "keyclusters.web.errors.NotFoundPageMiddleware",
]

ROOT_URLCONF = "keyclusters.urls"
WSGI_APPLICATION = "keyclusters.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "keyclusters.web.context_processors.navigation",
            ],
        },
    }
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'keyclusters.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Write transactions take the database's write lock when they begin (IMMEDIATE), and a
    # request that finds it taken waits up to SQLITE_BUSY_TIMEOUT seconds instead of failing
    # with "database is locked": concurrent requests queue up, none of them answers 500.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": env.float("SQLITE_BUSY_TIMEOUT", default=20)}
    )
    if DATABASES["default"]["NAME"] != ":memory:":
        DATABASES["default"]["OPTIONS"]["init_command"] = (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
        )
    # Tests run in memory unless a file is named (the concurrency tests need one: threads of a
    # shared in-memory database lock whole tables and do not wait for each other).
    DATABASES["default"]["TEST"] = {"NAME": env.str("SQLITE_TEST_DATABASE", default=":memory:")}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:dashboard"
LOGOUT_REDIRECT_URL = "web:home"

# The client's address. Without TRUSTED_PROXY_HEADER it is the peer of the connection
# (REMOTE_ADDR); behind a reverse proxy, name the header the proxy sets (e.g. X-Forwarded-For
# or X-Real-IP): the address is then read from it, TRUSTED_PROXY_COUNT entries from its right
# (the entries the proxies added; those on the left are the client's word), and only on
# requests whose peer is one of TRUSTED_PROXIES (addresses or networks; empty: any peer, so
# let nothing but the proxy reach the server). keyclusters/accounts/client_address.py.
TRUSTED_PROXY_HEADER = env.str("TRUSTED_PROXY_HEADER", default="")
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1)
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
if TRUSTED_PROXY_COUNT < 1:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 1 or more")

# Failed-login lockout: 5 failures for one user name from one client address lock that user
# name from that address for 30 minutes; the same user from another address, and other users
# from the same address, are not locked. Someone who knows a user name therefore cannot lock
# its owner out: only their own address. The address is the client's, not the proxy's.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "keyclusters.accounts.client_address.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# Password reset requests: at most PASSWORD_RESET_LIMIT per client address and, separately,
# per e-mail address within PASSWORD_RESET_WINDOW seconds (counted in the default cache).
PASSWORD_RESET_LIMIT = env.int("PASSWORD_RESET_LIMIT", default=5)
PASSWORD_RESET_WINDOW = env.int("PASSWORD_RESET_WINDOW", default=3600)

LANGUAGE_CODE = "pl"
LANGUAGES = [("pl", _("Polish")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Europe/Warsaw"
USE_I18N = True
USE_TZ = True
# Dates and numbers in the language's format (keyclusters/formats/): 30.11.2026, 1 234,50.
FORMAT_MODULE_PATH = ["keyclusters.formats"]
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# Uploaded and generated files. Nothing serves MEDIA_ROOT by URL: each file goes out through a
# view that checks who asks (keyclusters/private_files.py). PRIVATE_FILES_SERVER hands the
# sending to the web server in front: "django" (Python sends the bytes), "x-accel-redirect"
# (nginx, an internal location at PRIVATE_FILES_ACCEL_PREFIX aliased to MEDIA_ROOT) or
# "x-sendfile" (Apache mod_xsendfile); docs/operations.md, "Private files".
MEDIA_URL = "media/"
MEDIA_ROOT = VAR_DIR / "media"
PRIVATE_FILES_SERVER = env.str("PRIVATE_FILES_SERVER", default="django")
PRIVATE_FILES_ACCEL_PREFIX = env.str("PRIVATE_FILES_ACCEL_PREFIX", default="/private-media/")
if PRIVATE_FILES_SERVER not in ("django", "x-accel-redirect", "x-sendfile"):
    raise ImproperlyConfigured(
        "PRIVATE_FILES_SERVER must be django, x-accel-redirect or x-sendfile"
    )
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if DEV
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="keyclusters@localhost")


# The cache holds the API throttle's counters, the state of API keys (so that a revocation
# holds everywhere at once) and the verification index's change counter. With several server
# processes or hosts, point CACHE_URL at a shared Redis (redis://127.0.0.1:6379/0: Django's
# RedisCache); without it each process keeps its own (locmem), which is right for one process.
# CACHE_KEY_PREFIX separates installations sharing one Redis database. A Redis that does not
# answer costs a request at most CACHE_TIMEOUT seconds, and then the process does without it
# for a few seconds (docs/operations.md, "When a component fails").
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}
CACHES["default"].setdefault("KEY_PREFIX", env.str("CACHE_KEY_PREFIX", default="keyclusters"))
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    _cache_timeout = env.float("CACHE_TIMEOUT", default=0.5)
    for _option in ("socket_connect_timeout", "socket_timeout"):
        CACHES["default"].setdefault("OPTIONS", {}).setdefault(_option, _cache_timeout)
# Requests per API key to the verification endpoints, and the public address of the site
# (written into the QR codes of certificates made outside a request).
VERIFICATION_API_RATE = env.str("VERIFICATION_API_RATE", default="600/m")
# The authority named on certificates as their issuer, and the checks of typed certificate
# codes (the public "check a certificate" page) allowed per client address.
CERTIFICATE_ISSUER = env.str(
    "CERTIFICATE_ISSUER",
    default="Ministerstwo Rozwoju i Technologii / Ministry of Development and Technology",
)
CERTIFICATE_CHECK_RATE = env.str("CERTIFICATE_CHECK_RATE", default="60/m")
# Verification answers from an in-process copy of the memberships and grants (see
# keyclusters/statuses/index.py): other processes' changes are seen within RECHECK seconds.
VERIFICATION_INDEX = env.bool("VERIFICATION_INDEX", default=True)
VERIFICATION_INDEX_RECHECK = env.float("VERIFICATION_INDEX_RECHECK", default=1.0)
VERIFICATION_INDEX_MAX_AGE = env.float("VERIFICATION_INDEX_MAX_AGE", default=300.0)
KEYCLUSTERS_PUBLIC_URL = env.str("KEYCLUSTERS_PUBLIC_URL", default="http://localhost:8000")

# Background work (report batches, long imports) through the database: no broker needed.
# Run a worker with `keyclusters worker` (`keyclusters serve --dev`, so `make run`, starts one);
# it writes a heartbeat that the pages starting work check. Tests run tasks at once
# (ImmediateBackend).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# HTTPS and security headers; production (KEYCLUSTERS_DEV off) has them all on by default.
# Behind a proxy that ends TLS, SECURE_PROXY_SSL_HEADER names the header by which it says the
# request came over HTTPS ("X-Forwarded-Proto: https"): without it every request looks like
# plain HTTP, the SSL redirect loops and the certificates' QR links begin with http://.
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEV)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_FAILURE_VIEW = "keyclusters.web.errors.csrf_failure"  # a styled, translated page
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEV)
# A load balancer's health checks may come over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^api/v1/(health|ready)$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEV else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
# Preloading is the domain owner's decision (it binds every subdomain, and undoing it takes
# months), so it stays off unless asked for; the deploy check's reminder is silenced for that.
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]


def _proxy_ssl_header(value: str) -> tuple[str, str] | None:
    """``"X-Forwarded-Proto: https"`` (or ``HTTP_X_FORWARDED_PROTO=https``) as Django wants it."""
    if not value.strip():
        return None
    name, separator, expected = value.replace("=", ":", 1).partition(":")
    name, expected = name.strip(), expected.strip()
    if not separator or not name or not expected:
        raise ImproperlyConfigured(
            'SECURE_PROXY_SSL_HEADER must look like "X-Forwarded-Proto: https"'
        )
    meta = name.upper().replace("-", "_")
    return (meta if meta.startswith("HTTP_") else f"HTTP_{meta}", expected)


SECURE_PROXY_SSL_HEADER = _proxy_ssl_header(env.str("SECURE_PROXY_SSL_HEADER", default=""))
# The host the proxy received (X-Forwarded-Host), when it does not pass Host on.
USE_X_FORWARDED_HOST = env.bool("USE_X_FORWARDED_HOST", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp), in development too: scripts, styles, fonts and images
# come from the site itself only (no inline script, style element or style attribute; htmx's
# own indicator styles are off, site.css has them), plus data: images (Bootstrap's icons).
# CSP_REPORT_URI collects violations; CSP_REPORT_ONLY=1 reports without blocking.
_CSP_DIRECTIVES = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
if env.str("CSP_REPORT_URI", default=""):
    _CSP_DIRECTIVES["report-uri"] = [env.str("CSP_REPORT_URI")]
if env.bool("CSP_REPORT_ONLY", default=False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": _CSP_DIRECTIVES}
else:
    CONTENT_SECURITY_POLICY = {"DIRECTIVES": _CSP_DIRECTIVES}

# The membership ledger (docs/registry.md): a start more days than this before its recording
# needs evidence; an invitation of a member organisation (docs/self-service.md) works so many days.
MEMBERSHIP_BACKDATING_DAYS = env.int("MEMBERSHIP_BACKDATING_DAYS", default=30)
INVITATION_DAYS = env.int("INVITATION_DAYS", default=14)

# The largest file of each kind, in the web pages and on the command line alike (checked before
# the file is read; keyclusters/registry/uploads.py). UPLOAD_LIMITS_MB="members=80,documents=10"
# changes some of them. What a file may hold once read: keyclusters/domain/tablefile.py (Limits).
UPLOAD_LIMITS_MB = {
    "organisations": 50, "clusters": 5, "members": 50, "statuses": 5,
    "benchmarking": 20, "documents": 20, "verification": 10, "rulebooks": 1,
}  # fmt: skip
for _kind, _mb in env.dict("UPLOAD_LIMITS_MB", default={}).items():
    if _kind not in UPLOAD_LIMITS_MB:
        raise ImproperlyConfigured(f"UPLOAD_LIMITS_MB: {_kind!r} is not one of {UPLOAD_LIMITS_MB}")
    UPLOAD_LIMITS_MB[_kind] = float(_mb)
UPLOAD_LIMITS = {kind: int(mb * 2**20) for kind, mb in UPLOAD_LIMITS_MB.items()}
# Past the largest limit nothing more of an upload is kept (its size is still counted, so the
# page can say how large it was); uploads over 2.5 MB wait in a temporary file, not in memory.
FILE_UPLOAD_HANDLERS = [
    "keyclusters.registry.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
FILE_UPLOAD_MAX_MEMORY_SIZE = int(2.5 * 2**20)
# A request's body other than its files (forms, JSON: a bulk verification of 100,000 NIPs is
# about 2 MB).
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 2**20

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}

"""Grant Finder settings: one file, every value from the environment (django-environ).

Development (``DJANGO_DEBUG=true``, what ``make run`` sets) has safe local defaults.
Production (``DJANGO_DEBUG`` unset or false) refuses to start without its secrets.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from grants.scoring import default_weights as default_score_weights

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if env.bool("DJANGO_READ_DOT_ENV_FILE", default=False):
    environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DJANGO_DEBUG", default=False)

# No default in production: a missing secret must stop the process, not weaken it.
SECRET_KEY = (
    env("DJANGO_SECRET_KEY") if not DEBUG else env("DJANGO_SECRET_KEY", default="dev-insecure-key-for-local-use-only")
)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "core",
    "accounts",
    "billing",
    "profiles",
    "grants",
    "funders",
    "applications",
    "legacy",
    "accounts.admin_apps.AuditedAdminConfig",  # django.contrib.admin on an audited site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "djstripe",
    "social_django",
    "django_tasks_db",
    "axes",
]
# dj-stripe's own three migrations take two minutes on an empty database (0002 alone removes 514
# fields one by one, each re-rendering ~60 related models); billing/djstripe_migrations holds
# their squash (same schema, about 60 operations) that replaces them. tests/billing/
# test_djstripe_migrations.py fails when an upgraded dj-stripe brings migrations it does not replace.
MIGRATION_MODULES = {"djstripe": "billing.djstripe_migrations"}

MIDDLEWARE = [
    # First: it times and logs the whole request (grantfinder/request_log.py).
    "grantfinder.request_log.RequestLogMiddleware",
    # Request latency and database queries by URL pattern, for /metrics (grantfinder/metrics.py).
    "grantfinder.metrics.MetricsMiddleware",
    # Next: a request still waiting on the database past its deadline answers 503 (grantfinder/outage.py).
    "grantfinder.outage.DatabaseDeadlineMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Before any view or rate limit reads the input (CSRF's check of the form comes later, in
    # process_view): NUL and the like, non-object API bodies, broken multipart.
    "grantfinder.input_hygiene.InputHygieneMiddleware",
    "billing.middleware.UsageLimitMiddleware",
    "accounts.middleware.SignInErrorMiddleware",
    # Rate limits (429 with Retry-After) on pages and the API alike (accounts/throttling.py).
    "accounts.middleware.ThrottleMiddleware",
    # Last, as django-axes asks: it turns a sign-in refused for too many failures into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "grantfinder.urls"
WSGI_APPLICATION = "grantfinder.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
            ],
        },
    },
]

# Database: DATABASE_URL, or an embedded PostgreSQL in var/ started on demand.
if env("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
else:
    from grantfinder.embedded_db import embedded_database_settings

    DATABASES = {"default": embedded_database_settings(BASE_DIR)}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"].setdefault("OPTIONS", {})
DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=5))
# A database host that vanished from the network (no reset) must not hang a request or /health
# for the kernel's ~15 minutes: over TCP, libpq drops a connection whose writes go unacknowledged
# this long (ignored on Unix sockets).
DATABASES["default"]["OPTIONS"].setdefault("tcp_user_timeout", env.int("DATABASE_TCP_USER_TIMEOUT_MS", default=5000))
# An idle pooled connection to a host that went away is found out by keepalives within ~1 min,
# not at its next use (also ignored on Unix sockets).
for _option, _value in {
    "keepalives": 1,
    "keepalives_idle": 30,
    "keepalives_interval": 10,
    "keepalives_count": 3,
}.items():
    DATABASES["default"]["OPTIONS"].setdefault(_option, _value)

# Every statement on every connection (pages, API, workers, commands) is stopped by the server after
# this long, so a runaway query, or one left behind by a gunicorn worker killed mid-request, cannot
# hold locks and a backend for hours. 5 min is far above any page (a page's request is cut off at
# DATABASE_REQUEST_DEADLINE_SECONDS) and above the longest import batch; `migrate` lifts it for its
# own session (legacy/management/commands/migrate.py). 0 turns it off for one run.
# django-test-migrations' DatabaseConfiguration check wants it set (bar line 10).
DATABASE_STATEMENT_TIMEOUT_MS = env.int("DATABASE_STATEMENT_TIMEOUT_MS", default=300_000)
DATABASES["default"]["OPTIONS"]["options"] = " ".join(
    filter(
        None,
        [DATABASES["default"]["OPTIONS"].get("options", ""), f"-c statement_timeout={DATABASE_STATEMENT_TIMEOUT_MS}"],
    )
)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Index names longer than Oracle's 30 characters come from the legacy schema and the migration
# summary; PostgreSQL (our only database) allows 63.
SILENCED_SYSTEM_CHECKS = ["models.E034"]
AUTH_USER_MODEL = "accounts.User"

# `migrate` waits at most this long for a lock (0: forever), then fails; rerunning it is safe.
MIGRATION_LOCK_TIMEOUT_MS = env.int("MIGRATION_LOCK_TIMEOUT_MS", default=5000)

# The legacy (pre-Django) database: whose rows the single-user data becomes.
LEGACY_OWNER_EMAIL = env("LEGACY_OWNER_EMAIL", default="")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
# Signing in lands on the dashboard (or on a same-site ``next``); a path, so social-auth reads it too.
LOGIN_REDIRECT_URL = "/dashboard/"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Uploaded documents live outside the web root and are served only through views.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")

# Mail: EMAIL_URL-style settings would hide the backend; name it. Console in development.
MAILERS = {
    "default": {
        "BACKEND": env(
            "EMAIL_BACKEND",
            default="django.core.mail.backends.console.EmailBackend"
            if DEBUG
            else "django.core.mail.backends.smtp.EmailBackend",
        ),
        "OPTIONS": {
            key: value
            for key, value in {
                "host": env("EMAIL_HOST", default=""),
                "port": env.int("EMAIL_PORT", default=0),
                "username": env("EMAIL_HOST_USER", default=""),
                "password": env("EMAIL_HOST_PASSWORD", default=""),
                "use_tls": env.bool("EMAIL_USE_TLS", default=False),
            }.items()
            if value
        },
    }
}
# Absolute links in e-mails.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Grant Finder <no-reply@grantfinder.local>")

# Background work: Django's tasks API on the database (worker: manage.py db_worker).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Each worker beats every WORKER_HEARTBEAT_SECONDS; one silent for WORKER_STALE_AFTER_SECONDS is
# taken for dead: /health says so and fail_stale_tasks fails its running tasks (core/workers.py).
WORKER_HEARTBEAT_SECONDS = env.float("WORKER_HEARTBEAT_SECONDS", default=15.0)
WORKER_STALE_AFTER_SECONDS = env.int("WORKER_STALE_AFTER_SECONDS", default=120)
# /metrics (grantfinder/metrics.py): from these addresses or networks (not through a proxy), or
# with "Authorization: Bearer METRICS_TOKEN"; everyone else gets a 404.
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=["127.0.0.1", "::1"] if DEBUG else [])
METRICS_TOKEN = env("METRICS_TOKEN", default="")
# /health's checks give up after this long, so a hung database still gets a prompt 503.
HEALTH_STATEMENT_TIMEOUT_MS = env.int("HEALTH_STATEMENT_TIMEOUT_MS", default=2000)
# A request still waiting on the database this long after it started is cut off with a 503
# (grantfinder/outage.py); well below gunicorn's 30 s timeout. 0 turns it off.
DATABASE_REQUEST_DEADLINE_SECONDS = env.float("DATABASE_REQUEST_DEADLINE_SECONDS", default=5.0)

# Stripe through dj-stripe. Without keys, billing says it is not configured.
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_PUBLISHABLE_KEY = env("STRIPE_PUBLISHABLE_KEY", default="")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_API_BASE = env("STRIPE_API_BASE", default="")
STRIPE_LIVE_MODE = env.bool("STRIPE_LIVE_MODE", default=False)
STRIPE_TEST_SECRET_KEY = STRIPE_SECRET_KEY
STRIPE_LIVE_SECRET_KEY = STRIPE_SECRET_KEY
DJSTRIPE_FOREIGN_KEY_TO_FIELD = "id"
DJSTRIPE_USE_NATIVE_JSONFIELD = True


def _plan(key: str, name: str, price_cents: int, searches: int, applications: int) -> dict:
    """One plan, every figure overridable as PLAN_<KEY>_<FIELD>; the Stripe price as STRIPE_PRICE_<KEY>."""
    prefix = f"PLAN_{key.upper()}_"
    return {
        "name": name,
        "price_cents": env.int(f"{prefix}PRICE_CENTS", default=price_cents),
        "currency": "usd",
        "searches": env.int(f"{prefix}SEARCHES", default=searches),
        "applications": env.int(f"{prefix}APPLICATIONS", default=applications),
        "stripe_price_id": env(f"STRIPE_PRICE_{key.upper()}", default="") if price_cents else "",
    }


# Plans in one place (billing.selectors reads them): monthly allowances and Stripe prices.
PLANS = {
    "free": _plan("free", "Free", 0, searches=5, applications=1),
    "basic": _plan("basic", "Basic", 1500, searches=50, applications=20),
    "pro": _plan("pro", "Pro", 4900, searches=250, applications=100),
}

# Auth0 through social-auth. Without a domain, password sign-in serves local users.
AUTH0_DOMAIN = env("AUTH0_DOMAIN", default="")
AUTH0_CLIENT_ID = env("AUTH0_CLIENT_ID", default="")
AUTH0_CLIENT_SECRET = env("AUTH0_CLIENT_SECRET", default="")
AUTH0_BASE_URL = env("AUTH0_BASE_URL", default="")
AUTH0_ENABLED = bool(AUTH0_DOMAIN and AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET)
ALLOW_PASSWORD_LOGIN = env.bool("ALLOW_PASSWORD_LOGIN", default=not AUTH0_ENABLED)
SOCIAL_AUTH_AUTH0_DOMAIN = AUTH0_DOMAIN
SOCIAL_AUTH_AUTH0_KEY = AUTH0_CLIENT_ID
SOCIAL_AUTH_AUTH0_SECRET = AUTH0_CLIENT_SECRET
SOCIAL_AUTH_AUTH0_BASE_URL = AUTH0_BASE_URL
# First, the django-axes lockout check: a locked-out account or address is refused before any
# password is tried (accounts/throttling.py).
AUTHENTICATION_BACKENDS = [
    "accounts.throttling.SignInLockoutBackend",
    "accounts.auth0.Auth0",
    "django.contrib.auth.backends.ModelBackend",
]
SOCIAL_AUTH_URL_NAMESPACE = "social"
SOCIAL_AUTH_JSONFIELD_ENABLED = True
# Our User has no username: these steps replace social-auth's get_username/create_user, and
# link by e-mail only when Auth0 says it is verified (accounts/auth0.py).
SOCIAL_AUTH_PIPELINE = (
    "social_core.pipeline.social_auth.social_details",
    "social_core.pipeline.social_auth.social_uid",
    "social_core.pipeline.social_auth.auth_allowed",
    "social_core.pipeline.social_auth.social_user",
    "accounts.auth0.user_link_or_create",
    "accounts.auth0.user_refuse_inactive",
    "social_core.pipeline.social_auth.associate_user",
    "social_core.pipeline.social_auth.load_extra_data",
    "accounts.auth0.user_sync_from_id_token",
)
# A refused sign-in comes back to the sign-in page with a message, never a 500 (also in DEBUG).
SOCIAL_AUTH_RAISE_EXCEPTIONS = False
SOCIAL_AUTH_LOGIN_ERROR_URL = "/accounts/login/"
SOCIAL_AUTH_INACTIVE_USER_URL = "/accounts/login/"
SOCIAL_AUTH_LOGIN_REDIRECT_URL = LOGIN_REDIRECT_URL
SOCIAL_AUTH_SANITIZE_REDIRECTS = True

# Grants.gov and the LLM.
GRANTSGOV_API_BASE = env("GRANTSGOV_API_BASE", default="https://api.grants.gov/v1/api")
GRANTSGOV_TIMEOUT_SECONDS = env.float("GRANTSGOV_TIMEOUT_SECONDS", default=20.0)
# How the scheduled `sync_grants --source grantsgov` refreshes the catalog: "api" (search2 and
# fetchOpportunity) or "xml" (download the day's XML extract from GRANTSGOV_EXTRACT_URL).
GRANTSGOV_SYNC_METHOD = env("GRANTSGOV_SYNC_METHOD", default="api")
if GRANTSGOV_SYNC_METHOD not in ("api", "xml"):
    raise ImproperlyConfigured(f"GRANTSGOV_SYNC_METHOD must be 'api' or 'xml', not {GRANTSGOV_SYNC_METHOD!r}.")
# {date} is the extract's day (YYYYMMDD); Grants.gov posts it around 4 am Eastern.
GRANTSGOV_EXTRACT_URL = env(
    "GRANTSGOV_EXTRACT_URL",
    default="https://prod-grants-gov-chatbot.s3.amazonaws.com/extracts/GrantsDBExtract{date}v2.zip",
)
# /health reports the catalog "stale" when no Grants.gov sync succeeded for this long.
CATALOG_STALE_AFTER_HOURS = env.float("CATALOG_STALE_AFTER_HOURS", default=36.0)
# The California Grants Portal's CKAN datastore on data.ca.gov (grants/sources/ca_portal.py).
CA_GRANTS_API_BASE = env("CA_GRANTS_API_BASE", default="https://data.ca.gov/api/3/action")
CA_GRANTS_RESOURCE_ID = env("CA_GRANTS_RESOURCE_ID", default="111c8c88-21f6-453c-ae2c-b4785a0624f5")
CA_GRANTS_TIMEOUT_SECONDS = env.float("CA_GRANTS_TIMEOUT_SECONDS", default=30.0)
# A search run also asks Grants.gov for matches the catalog lacks (off: the catalog only).
GRANTSGOV_LIVE_SEARCH = env.bool("GRANTSGOV_LIVE_SEARCH", default=False)
GRANTSGOV_LIVE_FETCH_LIMIT = env.int("GRANTSGOV_LIVE_FETCH_LIMIT", default=25)
# Grant scoring: the composite is the weighted mean of the six dimensions, whose names and default
# weights are the table grants.scoring.SCORE_DIMENSIONS (plain Python: safe to import here).
GRANT_SCORE_WEIGHTS = default_score_weights()
GRANT_DEADLINE_REMINDER_DAYS = env.int("GRANT_DEADLINE_REMINDER_DAYS", default=14)
LLM_BASE_URL = env("LLM_BASE_URL", default="")
LLM_API_KEY = env("LLM_API_KEY", default="")
LLM_MODEL = env("LLM_MODEL", default="")
# Per request: seconds before giving up, and retries (with backoff) after a timeout, 429 or 5xx.
LLM_TIMEOUT_SECONDS = env.float("LLM_TIMEOUT_SECONDS", default=60.0)
LLM_MAX_RETRIES = env.int("LLM_MAX_RETRIES", default=2)
# Sections written at once (one request each); the cost per million tokens, in US cents.
LLM_CONCURRENCY = env.int("LLM_CONCURRENCY", default=6)
LLM_INPUT_CENTS_PER_MILLION_TOKENS = env.float("LLM_INPUT_CENTS_PER_MILLION_TOKENS", default=27.0)
LLM_OUTPUT_CENTS_PER_MILLION_TOKENS = env.float("LLM_OUTPUT_CENTS_PER_MILLION_TOKENS", default=110.0)

# Abuse limits. Counters live in the cache that every worker and machine shares (CACHES below).
# Sign-in (django-axes): after SIGN_IN_FAILURE_LIMIT failures for one account, or from one address,
# sign-in is refused for SIGN_IN_COOLOFF_MINUTES (each further try during the lock restarts it).
AXES_ENABLED = env.bool("SIGN_IN_LOCKOUT_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("SIGN_IN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.float("SIGN_IN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # per account and per address, separately
AXES_USERNAME_FORM_FIELD = "username"  # the sign-in form's name for the e-mail
AXES_USERNAME_CALLABLE = "accounts.throttling.sign_in_username"
AXES_CLIENT_IP_CALLABLE = "accounts.throttling.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.views.sign_in_locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Failures only: no table of every successful sign-in with its address.
AXES_DISABLE_ACCESS_LOG = True
# How many proxies in front append to X-Forwarded-For (0: the peer's address is the client's).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Per-user rate limits, "<count>/<second|minute|hour>"; the next request gets 429 with Retry-After.
THROTTLE_RATES = {
    "generation": env("THROTTLE_GENERATION_RATE", default="10/minute"),  # writing or rewriting with the LLM
    "search_run": env("THROTTLE_SEARCH_RUN_RATE", default="10/minute"),
    "api_write": env("THROTTLE_API_WRITE_RATE", default="60/minute"),  # any POST/PUT/PATCH/DELETE on /api/
}
# The shared cache: Redis when REDIS_URL is set, else a table in PostgreSQL (created by migrate).
if env("REDIS_URL", default=""):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": env("REDIS_URL")}}
else:
    CACHES = {
        "default": {
            "BACKEND": "accounts.cache.DatabaseCache",
            "LOCATION": "cache_entries",
            # Past this many rows, a write deletes the expired ones (never a live counter).
            "OPTIONS": {"MAX_ENTRIES": 10_000},
        }
    }

ACCOUNT_DELETION_GRACE_DAYS = env.int("ACCOUNT_DELETION_GRACE_DAYS", default=30)
# The purge's erasure log (user ids and times), kept outside the database so that a restored
# backup cannot roll it back: `manage.py replay_erasures` reads it after a restore.
ERASURE_LOG_PATH = env.path("ERASURE_LOG_PATH", default=BASE_DIR / "var" / "erasure-log.jsonl")

# Encryption at rest (accounts/encryption.py): Fernet keys, newest first; the first encrypts, all
# decrypt. Production refuses to start without one; development and tests use a fixed, public key.
DEV_ENCRYPTION_KEY = "Z3JhbnRmaW5kZXItZGV2LWtleS1ub3Qtc2VjcmV0ISE="
ENCRYPTION_KEYS = env.list("ENCRYPTION_KEYS", default=[DEV_ENCRYPTION_KEY] if DEBUG else [])
if not ENCRYPTION_KEYS:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "Set ENCRYPTION_KEYS: one or more Fernet keys, newest first (generate one with "
        "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')."
    )
if not DEBUG and DEV_ENCRYPTION_KEY in ENCRYPTION_KEYS:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("ENCRYPTION_KEYS holds the public development key; production needs its own.")
from cryptography.fernet import Fernet  # noqa: E402

for _key in ENCRYPTION_KEYS:
    Fernet(_key)  # a malformed key stops the process here rather than at the first write

# Security. Production (DEBUG off) gets secure cookies, HSTS and a strict CSP.
from django.utils.csp import CSP  # noqa: E402

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    # A <base> or plugin content slipped into a page could re-point every relative URL or run code.
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
    # Sign-in and sign-out forms redirect to Auth0, which form-action also governs.
    "form-action": [
        CSP.SELF,
        *([AUTH0_BASE_URL.rstrip("/") or f"https://{AUTH0_DOMAIN}"] if AUTH0_DOMAIN else []),
        # Checkout and "Manage billing" POST to us, then redirect to Stripe's hosted pages.
        "https://checkout.stripe.com",
        "https://billing.stripe.com",
    ],
    "frame-ancestors": [CSP.NONE],
}
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_HTTPONLY = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "grantfinder.request_log.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        "requests": {"class": "logging.StreamHandler", "formatter": "json"},
    },
    # One JSON line per request (grantfinder/request_log.py); REQUEST_LOG_LEVEL=WARNING silences it.
    "loggers": {
        "grantfinder.requests": {
            "handlers": ["requests"],
            "level": env("REQUEST_LOG_LEVEL", default="INFO"),
            "propagate": False,
        },
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}

"""Portico's settings. The environment is read here, once, and nowhere else.

Every default makes `make run` work on a bare machine (SQLite in WAL mode under var/,
files on local disk, tasks in process) and is safe: DEBUG is off unless asked for and
the secret key is generated once into var/ rather than written in the repository.
"""

import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured

from portico.operations.s3 import s3_storage

# Lets admin.ModelAdmin[Model] and friends be subscripted at run time, as the stubs type them.
django_stubs_ext.monkeypatch()


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("PORTICO_VAR_DIR", Path.cwd() / "var")).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """Take SECRET_KEY from the environment, else one generated once and kept in var/."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = VAR_DIR / "secret_key"
    try:
        # O_EXCL: two processes starting together must not write two different keys.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


DEBUG = _flag("PORTICO_DEBUG")
# Production means served over HTTPS behind a proxy: secure cookies, HSTS, MFA for staff.
PRODUCTION = _flag("PORTICO_PRODUCTION")
SECRET_KEY = _secret_key()
# Keys retired by a rotation, still accepted (never used to sign) so that sessions,
# password-reset links and signed mail links made before it keep working a while.
SECRET_KEY_FALLBACKS = _list("PORTICO_SECRET_KEY_FALLBACKS", "")
ALLOWED_HOSTS = _list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = _list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "portico.adminconfig.SystemsAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",  # Django's form templates, which the admin's widget templates include
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_htmx",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "portico.parties",
    "portico.audit",
    "portico.events",
    "portico.webhooks",
    "django_tasks_db",
    "portico.service",
    "portico.notify",
    "portico.mail",
    "portico.automations",
    "portico.surveys",
    "portico.reports",
    "portico.api",
    "portico.login",
    "portico.knowledge",
    "portico.console",
    "portico.portal",
    "portico.demo",
    "portico.operations",
]

MIDDLEWARE = [
    "portico.operations.proxy.ForwardedForMiddleware",
    "portico.operations.requestlog.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise: static files (nginx's, in production) are not Portico's requests.
    "portico.operations.metrics.MetricsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "portico.login.middleware.StaffIdleTimeoutMiddleware",
    "portico.login.middleware.MfaRequiredMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

# Who may say, in X-Forwarded-For, whom they forwarded (portico.operations.proxy): the
# reverse proxy in front of the web server, on this machine unless set.
PORTICO_TRUSTED_PROXIES = _list("PORTICO_TRUSTED_PROXIES", "127.0.0.1,::1")
# `portico serve`: gunicorn's gthread workers, each with this many threads (and database
# connections). Pages are Python-bound, so more processes than cores buy nothing.
PORTICO_WEB_WORKERS = int(os.environ.get("PORTICO_WEB_WORKERS", min(4, 2 * (os.cpu_count() or 1))))
PORTICO_WEB_THREADS = int(os.environ.get("PORTICO_WEB_THREADS", 4))
# The Prometheus metrics at /metrics (portico.operations.metrics) answer only these
# addresses or networks (the client's, after PORTICO_TRUSTED_PROXIES), or a request
# bearing the token; no token, no token access. Everyone else gets a 404.
PORTICO_METRICS_ALLOWED = _list("PORTICO_METRICS_ALLOWED", "127.0.0.1,::1")
PORTICO_METRICS_TOKEN = os.environ.get("PORTICO_METRICS_TOKEN", "")
# Where the web server's worker processes keep their counts for /metrics to add up
# (portico.operations.gunicorn_conf); blank: var/metrics/<bind address>. One directory
# per app server: it is emptied when that server starts.
PORTICO_METRICS_DIR = os.environ.get("PORTICO_METRICS_DIR", "")

# How long a process keeps a user group's zones and application rights before reading
# them again (portico.access.setup); 0 reads them on every request.
PORTICO_SETUP_CACHE_SECONDS = float(os.environ.get("PORTICO_SETUP_CACHE_SECONDS", 10))

ROOT_URLCONF = "portico.urls"
WSGI_APPLICATION = "portico.wsgi.application"
ASGI_APPLICATION = "portico.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portico.navigation.navigation",
            ],
            "builtins": ["portico.timetags"],
        },
    },
]

# Forms, fields and widgets are drawn by Jinja2 (src/portico/jinja2/, then Django's own
# Jinja2 form templates), in less time than by the templates above; a template Jinja2
# lacks (the admin's widgets) comes from those. See portico.forms_renderer.
FORM_RENDERER = "portico.forms_renderer.FormRenderer"

# --- database --------------------------------------------------------------------------
SQLITE_PATH = VAR_DIR / "portico.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{SQLITE_PATH}"), conn_max_age=60
    )
}
# Set by portico.asgi: under ASGI every request runs on a thread of its own, so a
# connection kept open for reuse stays with a thread that never runs again. Portico's
# pages are served by WSGI workers (gunicorn's gthread: a fixed set of threads), where a
# connection kept per thread saves opening one, and its PRAGMAs, on every request.
ASGI = os.environ.get("PORTICO_ASGI") == "1"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0 if ASGI else 600
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers go on while one writer writes; IMMEDIATE takes the write lock
        # at BEGIN so two writers queue on busy_timeout instead of failing mid-transaction.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Portico's queries are short and indexed. JIT compiling them cost 40 ms a query at a
    # million transactions (more than the query), and with the default random_page_cost
    # of 4 (spinning disks) the planner preferred walking a whole table to a few hundred
    # index probes. PORTICO_PG_OPTIONS replaces these per-session settings.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = os.environ.get(
        "PORTICO_PG_OPTIONS", "-c jit=off -c random_page_cost=1.1"
    )
    if ASGI:
        # Under ASGI a connection kept for reuse (CONN_MAX_AGE) stays with its thread: at
        # 32 clients the server ran out of PostgreSQL connections within seconds. A pool
        # per process lends each request a connection and takes it back at the end;
        # PORTICO_PG_POOL_SIZE x workers must stay under PostgreSQL's max_connections.
        from psycopg_pool import ConnectionPool

        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
        DATABASES["default"]["OPTIONS"]["pool"] = {
            "min_size": 2,
            "max_size": int(os.environ.get("PORTICO_PG_POOL_SIZE", 16)),
            "timeout": 10,
            # A connection is tried before it is lent: after a database restart the pool
            # hands out live connections instead of ones the restart cut.
            "check": ConnectionPool.check_connection,
        }
# A read-only streaming replica of the primary: the reports read their figures from it
# (portico.operations.replica says what goes there and why); all else uses the primary.
if replica_url := os.environ.get("DATABASE_REPLICA_URL"):
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured(
            "DATABASE_REPLICA_URL is set but DATABASE_URL is not PostgreSQL: a replica is a "
            "PostgreSQL standby of the primary. Unset DATABASE_REPLICA_URL, or set "
            "DATABASE_URL to the primary PostgreSQL database."
        )
    replica = dj_database_url.parse(replica_url)
    if replica["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_REPLICA_URL must be a postgres:// URL.")
    primary = DATABASES["default"]
    replica["CONN_MAX_AGE"] = primary["CONN_MAX_AGE"]
    replica["CONN_HEALTH_CHECKS"] = primary["CONN_HEALTH_CHECKS"]
    replica["OPTIONS"] = {
        # A replica that does not answer must not hold a report for long: the reports then
        # read the primary (the URL's own connect_timeout wins).
        "connect_timeout": 3,
        **{key: value for key, value in primary["OPTIONS"].items() if key != "pool"},
        **replica.get("OPTIONS", {}),
    }
    # The primary's session settings, and read-only: a URL that names the primary by
    # mistake still takes no write.
    replica["OPTIONS"]["options"] = (
        f"{primary['OPTIONS']['options']} -c default_transaction_read_only=on"
    )
    if "pool" in primary["OPTIONS"]:
        replica["OPTIONS"]["pool"] = dict(primary["OPTIONS"]["pool"])
    # Under test, the suite's one database stands in for the replica too.
    replica["TEST"] = {"MIRROR": "default"}
    DATABASES["replica"] = replica
    DATABASE_ROUTERS = ["portico.operations.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- people and log-in ------------------------------------------------------------------
AUTH_USER_MODEL = "parties.User"
AUTHENTICATION_BACKENDS = [
    # Portico's backend with every password check counted first (portico.login.limits).
    "portico.login.backends.LimitedBackend",
]
SESSION_ENGINE = "portico.login.sessions"
SESSION_COOKIE_AGE = int(os.environ.get("PORTICO_SESSION_AGE", 60 * 60 * 12))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.ScryptPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

ACCOUNT_ADAPTER = "portico.login.adapter.PorticoAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SESSION_REMEMBER = None
# Five wrong passwords for one account in five minutes, whatever the address, and
# twenty a minute from one address, whatever the account; the same for API tokens
# (per token prefix). Counted atomically in the database by portico.login.limits, so
# every worker shares one count; allauth's own cache-based "login_failed" limit is off.
PORTICO_LOGIN_FAILED_LIMIT = os.environ.get("PORTICO_LOGIN_FAILED_LIMIT", "20/m/ip,5/5m/key")
ACCOUNT_RATE_LIMITS = {
    "login_failed": False,
    # allauth's own 30 log-ins a minute per address is off too: the address limit above
    # covers it, and allauth answers 429 to any attempt that waits more than a second for
    # its cache lock, which ten simultaneous attempts from one address did on a loaded
    # machine (test_fifty_wrong_passwords_at_once..., now and then).
    "login": False,
    "reset_password": "20/m/ip,5/m/key",
}
# A password-reset link works once, and for an hour.
PASSWORD_RESET_TIMEOUT = int(os.environ.get("PORTICO_PASSWORD_RESET_SECONDS", 60 * 60))
# Staff sessions end after this long without a request (portico.login.middleware).
PORTICO_STAFF_IDLE_MINUTES = int(os.environ.get("PORTICO_STAFF_IDLE_MINUTES", 30))

# Two-factor authentication: an authenticator app (TOTP) with recovery codes. A user
# group can require it; in production every member of staff must use it.
MFA_ADAPTER = "portico.login.adapter.PorticoMFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Portico"
PORTICO_MFA_REQUIRED_FOR_STAFF = _flag("PORTICO_MFA_REQUIRED_FOR_STAFF", PRODUCTION)
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Portico] "
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Portico <service@portico.example>")

# --- e-mail: written to files under var/ unless an SMTP server is named -------------------
if smtp_host := os.environ.get("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": smtp_host,
                "port": int(os.environ.get("EMAIL_PORT", "25")),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": _flag("EMAIL_USE_TLS"),
                # A mail server that hangs must not hold a deliverer (or a request) forever.
                "timeout": int(os.environ.get("EMAIL_TIMEOUT", "30")),
            },
        }
    }
else:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(VAR_DIR / "mail")},
        }
    }
# --- e-mail in: `portico mailin` ----------------------------------------------------------
# The SMTP/LMTP port `portico mailin` serves (on HOST) for an MTA to relay to.
PORTICO_MAILIN_HOST = os.environ.get("PORTICO_MAILIN_HOST", "127.0.0.1")
PORTICO_MAILIN_PORT = int(os.environ.get("PORTICO_MAILIN_PORT", "2525"))
# Authentication-Results headers are believed only when our own MTA wrote them: the
# authserv-id it stamps them with. Blank: none are believed (and none can quarantine).
PORTICO_MAIL_AUTHSERV_ID = os.environ.get("PORTICO_MAIL_AUTHSERV_ID", "")
# Replies Portico writes to any one address in an hour (refusals, acknowledgements of
# mail-in): a loop with another robot ends here.
# Satisfaction surveys (issue 23): a person is not asked again within this many days.
PORTICO_SATISFACTION_QUIET_DAYS = int(os.environ.get("PORTICO_SATISFACTION_QUIET_DAYS", "7"))
PORTICO_MAIL_REPLIES_PER_HOUR = int(os.environ.get("PORTICO_MAIL_REPLIES_PER_HOUR", "10"))
# How often `portico mailin --imap` polls each mailbox.
PORTICO_IMAP_POLL_SECONDS = float(os.environ.get("PORTICO_IMAP_POLL_SECONDS", "30"))
# Hard bounces after which an address is no longer mailed, until someone clears it.
PORTICO_MAIL_HARD_BOUNCE_LIMIT = int(os.environ.get("PORTICO_MAIL_HARD_BOUNCE_LIMIT", "3"))

# Links in e-mails point here.
PORTICO_SITE_URL = os.environ.get("PORTICO_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- cache: shared by every process (rate limits count across workers) -------------------
# With Redis, the set-up version (portico.access.setup) is read from it once per request,
# so a change reaches every process at once. A Redis that does not answer is skipped,
# not waited for: rate limits fail open (portico.operations.cache).
if redis_url := os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "portico.operations.cache.SharedRedisCache",
            "LOCATION": redis_url,
            # Another application on the same Redis database keeps its own keys; VERSION
            # moves when a cached value changes shape, so old processes do not misread it.
            "KEY_PREFIX": "portico",
            "VERSION": 1,
            # Redis answers in well under a millisecond on a LAN: half a second without
            # an answer means it is away, and a request goes on without it.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "portico_cache",
        }
    }

# --- background work --------------------------------------------------------------------
# Django's Tasks API on a queue in the database (django-tasks-db), run by `portico
# worker`: it dispatches events to their subscribers, sends the outbox and webhook
# deliveries, and runs the periodic jobs. `make run` starts one beside the web server.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# After a commit that recorded events, a dispatch job is queued so that a worker starts
# on them at once; without it the worker's sweep still finds them, a little later.
PORTICO_WAKE_WORKER = _flag("PORTICO_WAKE_WORKER", True)
# Outbox rows claimed by a worker that died are taken by another after this long; longer
# than a batch takes to send (each message has EMAIL_TIMEOUT), so a live one keeps them.
PORTICO_OUTBOX_LEASE_SECONDS = int(os.environ.get("PORTICO_OUTBOX_LEASE_SECONDS", 300))
# The same for a webhook delivery (each attempt may wait 10 s to connect and per read).
PORTICO_WEBHOOK_LEASE_SECONDS = int(os.environ.get("PORTICO_WEBHOOK_LEASE_SECONDS", 600))
# The event feed (GET /api/v1/events/) lists an event once it is this many seconds old:
# ids are taken at insert, not at commit, and a cursor must not pass an event whose
# transaction has yet to commit (portico.api.views.events).
PORTICO_EVENT_FEED_DELAY = float(os.environ.get("PORTICO_EVENT_FEED_DELAY", 5))

# --- webhooks ---------------------------------------------------------------------------
# Webhooks go over HTTPS to public addresses only (no loopback, private, link-local...
# address, checked after DNS resolution), except to these hosts, which may also be plain
# HTTP: local integrations work out of the box, and production lists none unless told.
PORTICO_WEBHOOK_ALLOWED_HOSTS = _list(
    "PORTICO_WEBHOOK_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,[::1]"
)
# True only in the test settings: a host not listed above is refused before any DNS
# look-up, so no test can reach off the machine, whatever URL it (or schemathesis) makes.
PORTICO_WEBHOOK_ALLOWED_HOSTS_ONLY = False
# How long a process trusts its list of the event names webhooks subscribe to
# (portico.webhooks.subscribers.wanted) before reading it again.
PORTICO_WEBHOOK_NAMES_SECONDS = float(os.environ.get("PORTICO_WEBHOOK_NAMES_SECONDS", 5))

# --- files ------------------------------------------------------------------------------
MEDIA_ROOT = Path(os.environ.get("PORTICO_MEDIA_ROOT", VAR_DIR / "media"))
STATIC_URL = "/static/"
# Collected by `portico collectstatic`; a container image collects them at build time
# into a directory of its own, outside the volume that holds var/.
STATIC_ROOT = Path(os.environ.get("PORTICO_STATIC_ROOT", VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Where uploads are kept: `local` (MEDIA_ROOT) or `s3` (a bucket, S3 or compatible).
PORTICO_STORAGE = os.environ.get("PORTICO_STORAGE", "local").strip().lower()
# Seconds a signed download URL for a file on S3 works: long enough for the browser to
# follow the redirect, too short to be worth forwarding to anyone.
PORTICO_DOWNLOAD_URL_SECONDS = int(os.environ.get("PORTICO_DOWNLOAD_URL_SECONDS", "60"))
# An internal nginx location (e.g. `/_protected/`) aliasing MEDIA_ROOT: local files are then
# sent by nginx after Portico's access check (X-Accel-Redirect). Blank: Portico sends them.
PORTICO_X_ACCEL_REDIRECT = os.environ.get("PORTICO_X_ACCEL_REDIRECT", "").strip()
if PORTICO_X_ACCEL_REDIRECT and not (
    PORTICO_X_ACCEL_REDIRECT.startswith("/") and PORTICO_X_ACCEL_REDIRECT.endswith("/")
):
    raise ImproperlyConfigured("PORTICO_X_ACCEL_REDIRECT is a location like /_protected/.")


_FILES: dict[str, Any]
if PORTICO_STORAGE == "local":
    _FILES = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
elif PORTICO_STORAGE == "s3":
    if not os.environ.get("PORTICO_S3_BUCKET"):
        raise ImproperlyConfigured("PORTICO_STORAGE=s3 needs PORTICO_S3_BUCKET.")
    _FILES = s3_storage(
        os.environ["PORTICO_S3_BUCKET"],
        os.environ.get("PORTICO_S3_ENDPOINT_URL") or None,
        os.environ.get("PORTICO_S3_REGION") or None,
        PORTICO_DOWNLOAD_URL_SECONDS,
    )
else:
    raise ImproperlyConfigured("PORTICO_STORAGE is `local` or `s3`.")
STORAGES = {
    "default": _FILES,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- internationalisation -------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("PORTICO_TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

# --- security headers -------------------------------------------------------------------
from django.utils.csp import CSP  # noqa: E402  (kept beside the policy it builds)

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = _flag("PORTICO_SSL_REDIRECT", True)
    # Health checks and the metrics scrape come straight to an app server over plain
    # HTTP (systemd, a container's HEALTHCHECK, Prometheus): a redirect would fail them.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

# PORTICO_LOG_FORMAT=json: one JSON object per line, with each request's id, person,
# status and time (portico.operations.requestlog); plain text otherwise.
LOG_FORMAT = os.environ.get("PORTICO_LOG_FORMAT", "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "portico.operations.requestlog.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("PORTICO_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # In plain text the server's own access log says as much; JSON lines replace it.
        "portico.requests": {"level": "INFO" if LOG_FORMAT == "json" else "WARNING"},
    },
}

# --- attachments ------------------------------------------------------------------------
PORTICO_ATTACHMENT_MAX_BYTES = int(os.environ.get("PORTICO_ATTACHMENT_MAX_BYTES", 25 * 1024 * 1024))
# Django refuses bodies past this before any view runs; a little headroom for the form.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# --- REST API (portico.api) -------------------------------------------------------------
REST_FRAMEWORK: dict[str, object] = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # The token first: its WWW-Authenticate header makes "no credentials" a 401.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "portico.api.authentication.BearerTokenAuthentication",
        "portico.api.authentication.PersonSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["portico.api.permissions.IsActivePerson"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": [
        "portico.api.throttling.PersonRateThrottle",
        "portico.api.throttling.AnonymousRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "person": os.environ.get("PORTICO_API_RATE", "1200/minute"),
        "anonymous": os.environ.get("PORTICO_API_ANONYMOUS_RATE", "60/minute"),
    },
    "DEFAULT_PAGINATION_CLASS": None,
    "DEFAULT_METADATA_CLASS": None,
    "URL_FORMAT_OVERRIDE": None,
    "EXCEPTION_HANDLER": "portico.api.exceptions.handle",
    "NON_FIELD_ERRORS_KEY": "non_field_errors",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Portico API",
    "DESCRIPTION": "Transactions, notes, files, grants, parties and the knowledge base, "
    "under the same access "
    "rules as the console and portals. Every failure answers "
    '`{"type": …, "detail": …, "errors": {field: [messages]}}`.',
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "portico.api.schema.add_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "StatusCategoryEnum": "portico.service.models.Status.Category",
        "ChannelEnum": "portico.service.models.Channel",
        "ClassificationKindEnum": "portico.service.models.Classification.Kind",
        "OrganizationKindEnum": "portico.parties.models.Organization.Kind",
        "RelationKindEnum": "portico.service.models.Relation.Kind",
        "NoteVisibilityEnum": "portico.service.models.Note.Visibility",
        "NoteDirectionEnum": "portico.service.models.Note.Direction",
    },
}

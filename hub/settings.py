"""Settings for Khurusapha ONE, read from environment variables with embedded defaults (DESIGN.md §7)."""

import ipaddress
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError

from hub import logs

BASE_DIR = Path(__file__).resolve().parent.parent
STATE_DIR = Path(os.environ.get("STATE_DIR", BASE_DIR / ".state"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _local_secret_key() -> str:
    # A development checkout gets its own random key, kept out of git; production passes SECRET_KEY
    # (./run serve refuses to start without it).
    path = STATE_DIR / "secret_key"
    if not path.exists():
        STATE_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = env_bool("DEBUG")
SECRET_KEY = os.environ.get("SECRET_KEY") or _local_secret_key()
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters long.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# HTTPS=true in production: secure cookies, HSTS, redirect. Off by default so the demo works on
# plain http://127.0.0.1.
HTTPS = env_bool("HTTPS")
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if env_bool("BEHIND_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Probes and scrapers talk to each process over the private network, not through TLS.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^healthz/(live|ready)$", r"^metrics$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "django_htmx",
    "ninja",  # serves the API docs' assets itself, not from a CDN
    "huey.contrib.djhuey",
    "hub",
    "directory",
    "chat",
    "meetings",
    "licensing",
    "dashboard",
    "frontend",
    # django-scheduler: events, rules, occurrences (its urls are never mounted). Last, so that its
    # own base.html and other templates never shadow ours.
    "schedule",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "hub.observe.RequestFactsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "hub.middleware.ThaiFirstLocaleMiddleware",
    "hub.middleware.ApiMethodNotAllowedMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "hub.middleware.ScopedSessionMiddleware",
    "meetings.middleware.PersonalTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "hub.urls"
ASGI_APPLICATION = "hub.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "hub.context_processors.navigation",
            ],
            "builtins": ["hub.templatetags.thai_dates"],
        },
    }
]

# Database: SQLite embedded, PostgreSQL (psycopg 3 with its pool) when DATABASE_URL is set.
# Under ASGI, persistent connections leak per thread, so CONN_MAX_AGE stays 0 and the pool reuses.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    # The pool tests a connection before handing it over (hub/postgresql): after a database
    # restart or failover, dead connections are replaced instead of failing a request.
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0, conn_health_checks=False)}
else:
    STATE_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": STATE_DIR / "khurusapha.sqlite3",
            # A file, not memory: tests run a real server in a subprocess that must see the same
            # test database (tests/conftest.py names one per run).
            "TEST": {"NAME": STATE_DIR / "test.sqlite3"},
        }
    }
_engine = DATABASES["default"]["ENGINE"]
if _engine == "django.db.backends.postgresql":
    # The same backend, with a check of pooled connections that costs no round trip (hub/postgresql).
    DATABASES["default"]["ENGINE"] = "hub.postgresql"
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": int(os.environ.get("DATABASE_POOL_SIZE", "10")),
        # How long a request waits for a connection before it fails (503 while the database is down).
        "timeout": float(os.environ.get("DATABASE_POOL_TIMEOUT_SECONDS", "10")),
    }
    DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", 5)
elif _engine == "django.db.backends.sqlite3":
    # WAL lets the demo's socket and page threads (and a test's server process) read while one writes.
    # IMMEDIATE: a writer takes the lock when its transaction begins, so concurrent senders queue
    # instead of failing to upgrade a read lock ("database is locked").
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL;",
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Channel layer: in-memory embedded, Redis when REDIS_URL is set. The pub/sub layer keeps group
# membership in the process (nothing to lose in Redis, no group_expiry); see docs/architecture.md.
REDIS_URL = os.environ.get("REDIS_URL", "")
LAYER_CAPACITY = 100_000
CHANNEL_LAYER_KIND = os.environ.get("CHANNEL_LAYER", "pubsub")
CHANNELS_PREFIX = os.environ.get("CHANNELS_PREFIX", "ksp")
if REDIS_URL:
    if CHANNEL_LAYER_KIND not in {"pubsub", "core"}:
        raise ImproperlyConfigured("CHANNEL_LAYER must be 'pubsub' or 'core'.")
    CHANNEL_LAYERS = {
        "default": {
            # The pub/sub layer, telling hub.fanout when its subscriptions were lost (hub/layers.py).
            "BACKEND": (
                "hub.layers.PubSubLayer" if CHANNEL_LAYER_KIND == "pubsub" else "channels_redis.core.RedisChannelLayer"
            ),
            "CONFIG": {
                "hosts": [
                    {
                        "address": REDIS_URL,
                        # A Redis that does not answer must fail fast: publishing is best effort after commit.
                        "socket_connect_timeout": 2,
                        # A pooled connection that Redis closed when it restarted fails on first use:
                        # that command goes once more, at once, on a new connection. Only a refused or
                        # broken connection is tried again, never a timeout, so a Redis that is down
                        # costs no extra wait.
                        "retry": Retry(NoBackoff(), 1, supported_errors=(RedisConnectionError,)),
                    }
                ],
                "prefix": CHANNELS_PREFIX,
            },
        }
    }
    if CHANNEL_LAYER_KIND == "core":
        CHANNEL_LAYERS["default"]["CONFIG"].update(
            group_expiry=int(os.environ.get("CHANNEL_GROUP_EXPIRY", "86400")),
            # One channel per process carries every event of its sockets (hub.fanout): the
            # default of 100 waiting messages would drop events under load.
            capacity=LAYER_CAPACITY,
        )
else:
    CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels.layers.InMemoryChannelLayer", "CONFIG": {"capacity": LAYER_CAPACITY}}
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
CSRF_FAILURE_VIEW = "hub.views.csrf_failure"
LOGIN_URL = "login"
# Log-in throttling (hub/login_throttle.py, docs/architecture.md): wrong passwords per account and
# per address within the window; a browser that has logged in as the account has its own count.
LOGIN_FAILURES_PER_ACCOUNT = int(os.environ.get("LOGIN_FAILURES_PER_ACCOUNT", "10"))
LOGIN_FAILURES_PER_ADDRESS = int(os.environ.get("LOGIN_FAILURES_PER_ADDRESS", "100"))
LOGIN_FAILURE_WINDOW_SECONDS = int(os.environ.get("LOGIN_FAILURE_WINDOW_SECONDS", "900"))
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Thai first, English second; Bangkok time.
LANGUAGE_CODE = "th"
# Each language is named in itself, whatever language the page is in.
LANGUAGES = [("th", "ไทย"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "frontend" / "locale"]
LANGUAGE_COOKIE_NAME = "ksp_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = HTTPS
TIME_ZONE = "Asia/Bangkok"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", STATE_DIR / "static"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", STATE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every start without it
# Tests and the demo serve straight from the app folders: no collectstatic step to forget.
WHITENOISE_USE_FINDERS = env_bool("STATIC_FROM_APPS", default=DEBUG)

# The socket protocol's limits (DESIGN.md §3). Daphne drops the connection above 1 MiB; below
# that, the consumer answers too_large and keeps the socket.
WS_MAX_FRAME_BYTES = int(os.environ.get("WS_MAX_FRAME_BYTES", str(64 * 1024)))
# Frames of any kind one socket may send per 10 s; beyond it they are refused before any work.
WS_FRAME_LIMIT = int(os.environ.get("WS_FRAME_LIMIT", "300"))
# Frames one person may send per 10 s over all their sockets of a process, and how many sockets
# they may have open there (hub.inbox).
WS_PERSON_FRAME_LIMIT = int(os.environ.get("WS_PERSON_FRAME_LIMIT", "300"))
WS_MAX_SOCKETS_PER_PERSON = int(os.environ.get("WS_MAX_SOCKETS_PER_PERSON", "20"))
# A person whose last socket closed is announced offline only if they have not come back by then.
PRESENCE_OFFLINE_GRACE_SECONDS = float(os.environ.get("PRESENCE_OFFLINE_GRACE_SECONDS", "5"))
CHAT_SEND_LIMIT = int(os.environ.get("CHAT_SEND_LIMIT", "20"))  # messages per person per 10 s
WS_HEARTBEAT_SECONDS = float(os.environ.get("WS_HEARTBEAT_SECONDS", "30"))
# How often each process checks that its sockets' people, sessions and tokens are still valid (hub.access).
WS_ACCESS_SWEEP_SECONDS = float(os.environ.get("WS_ACCESS_SWEEP_SECONDS", "10"))
WS_PROBE_SECONDS = float(os.environ.get("WS_PROBE_SECONDS", "5"))
WS_PROBE_DEAD_SECONDS = float(os.environ.get("WS_PROBE_DEAD_SECONDS", "30"))

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Khurusapha ONE <no-reply@localhost>")

# The office's main number: an extension in a saved contact (vCard) is dialled through it.
OFFICE_PHONE_NUMBER = os.environ.get("OFFICE_PHONE_NUMBER", "+66 2 280 0000")

JITSI_DOMAIN = os.environ.get("JITSI_DOMAIN", "meet.jit.si")
JITSI_APP_ID = os.environ.get("JITSI_APP_ID", "")
JITSI_APP_SECRET = os.environ.get("JITSI_APP_SECRET", "")
# The token plugin's accepted audience (its asap_accepted_audiences / JWT_ACCEPTED_AUDIENCES).
JITSI_AUDIENCE = os.environ.get("JITSI_AUDIENCE", "jitsi")
# https in production; the demo and the tests use a stand-in on loopback over http.
JITSI_SCHEME = os.environ.get("JITSI_SCHEME", "https")
# The deployment's HTTP endpoints (health, room size), e.g. https://meet.example:5280; none by default.
JITSI_API_URL = os.environ.get("JITSI_API_URL", "")
# Signs the deployment's participant events (meetings/webhook.py); without it, attendance comes
# from the meeting page's IFrame API events only.
JITSI_WEBHOOK_SECRET = os.environ.get("JITSI_WEBHOOK_SECRET", "")


def _jobs_redis_pool(url: str):
    from redis import ConnectionPool

    return ConnectionPool.from_url(url, socket_connect_timeout=2, socket_timeout=5)


# Background jobs on Huey (DESIGN.md §2): Redis with REDIS_URL, else a SQLite file in STATE_DIR.
# `manage.py run_huey` consumes them; `./run demo` runs the consumer inside the server process
# (JOBS_IN_SERVER, hub/jobs.py). Each task is made idempotent by the database, not by the engine.
HUEY = {
    "huey_class": "huey.RedisHuey" if REDIS_URL else "huey.SqliteHuey",
    "name": f"{CHANNELS_PREFIX}-jobs",
    "immediate": env_bool("HUEY_IMMEDIATE"),
    # A Redis that is down or hangs fails a call in seconds (/metrics reads the queue too); the
    # consumer's blocking read waits 1 s, well inside the socket timeout.
    "connection": {"connection_pool": _jobs_redis_pool(REDIS_URL)}
    if REDIS_URL
    else {"filename": str(STATE_DIR / "jobs.sqlite3")},
    "consumer": {"workers": 2, "worker_type": "thread"},
}
JOBS_IN_SERVER = env_bool("JOBS_IN_SERVER")
# The hub's own address, for links in e-mails (a job has no request to take it from).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Working hours "find a time" offers meetings in (Bangkok time; Thai government offices 08:30-16:30).
MEETING_WORKDAY = (
    os.environ.get("MEETING_WORKDAY_START", "08:30"),
    os.environ.get("MEETING_WORKDAY_END", "16:30"),
)
# Office hours that case service targets count in (Bangkok time, Monday to Friday, Thai public
# holidays excluded: licensing.workhours).
OFFICE_HOURS = (
    os.environ.get("OFFICE_HOURS_START", "08:30"),
    os.environ.get("OFFICE_HOURS_END", "16:30"),
)
LICENSING_API_URL = os.environ.get("LICENSING_API_URL", "")
LICENSING_API_TOKEN = os.environ.get("LICENSING_API_TOKEN", "")
LICENSING_WEBHOOK_SECRET = os.environ.get("LICENSING_WEBHOOK_SECRET", "")
# A committee review: how many experts are proposed, how many votes make a quorum, how long it meets.
COMMITTEE_SIZE = int(os.environ.get("COMMITTEE_SIZE", "5"))
COMMITTEE_QUORUM = int(os.environ.get("COMMITTEE_QUORUM", "3"))
COMMITTEE_MEETING_MINUTES = int(os.environ.get("COMMITTEE_MEETING_MINUTES", "120"))
# Days after a case's decision (or withdrawal) before its applicant's details are erased (PDPA).
LICENSING_RETENTION_DAYS = int(os.environ.get("LICENSING_RETENTION_DAYS", "365"))

# Logs: one line per request and per socket (hub.observe) with a request id; LOG_FORMAT=json
# writes each line as a JSON object, for a log collector.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "plain")
if LOG_FORMAT not in {"plain", "json"}:
    raise ImproperlyConfigured("LOG_FORMAT must be 'plain' or 'json'.")
LOGGING = logs.config(LOG_FORMAT, os.environ.get("LOG_LEVEL", "INFO"))

# /metrics (Prometheus) answers only these scrapers: addresses in METRICS_ALLOWED_NETWORKS
# (comma-separated, e.g. 10.0.5.0/24) and requests with "Authorization: Bearer METRICS_TOKEN".
METRICS_ALLOWED_NETWORKS = [ipaddress.ip_network(net, strict=False) for net in env_list("METRICS_ALLOWED_NETWORKS")]
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
# /healthz/ready: how long PostgreSQL and Redis each have to answer.
READINESS_TIMEOUT_SECONDS = float(os.environ.get("READINESS_TIMEOUT_SECONDS", "1"))

"""Django settings: every value comes from the environment through icalbridge.env."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url

from icalbridge.env import env_bool, env_int, env_list, env_str, secret_key_in

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("ICALBRIDGE_DATA_DIR", str(BASE_DIR.parent / "var")))
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("ICALBRIDGE_DEBUG", False)
SECRET_KEY = env_str("ICALBRIDGE_SECRET_KEY") or secret_key_in(DATA_DIR)
PUBLIC_URL = env_str("ICALBRIDGE_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
# The public address is a host the hub answers to and, over HTTPS, an origin its forms are
# posted from: an operator who names the domain once must not have to repeat it, or every
# page would answer 400 and every form post 403 behind the HTTPS proxy.
_PUBLIC = urlsplit(PUBLIC_URL)
ALLOWED_HOSTS = env_list(
    "ICALBRIDGE_ALLOWED_HOSTS",
    list(dict.fromkeys(["127.0.0.1", "localhost", "[::1]", *filter(None, [_PUBLIC.hostname])])),
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "icalbridge.hub",
    "icalbridge.web",
    "icalbridge.operators",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "icalbridge.security.SecurityHeadersMiddleware",
    # Last, so that it turns a refused login into the lockout page (icalbridge.login_lockout).
    "axes.middleware.AxesMiddleware",
]

# The lockout check comes first: a locked-out attempt is refused before any password is tried.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "icalbridge.urls"
WSGI_APPLICATION = "icalbridge.wsgi.application"

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
            ],
        },
    },
]

# How long a request waits for another writer's lock before answering 503 (SQLite's busy
# timeout, PostgreSQL's lock_timeout; icalbridge.busy_database).
ICALBRIDGE_DB_BUSY_TIMEOUT_S = float(env_str("ICALBRIDGE_DB_BUSY_TIMEOUT_S", "20"))

_default_sqlite = f"sqlite:///{DATA_DIR / 'icalbridge.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", _default_sqlite), conn_max_age=env_int("DB_CONN_MAX_AGE", 0)
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so that the worker processes a test starts share its database;
    # one per test run, so that runs side by side do not share one.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / f"test-{os.getpid()}.sqlite3")}
    # WAL lets the feed server read while the worker writes; IMMEDIATE avoids the
    # "database is locked" upgrade deadlock between two writers.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": ICALBRIDGE_DB_BUSY_TIMEOUT_S,
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve static files from the app folders too, so that no collectstatic step is needed.
WHITENOISE_USE_FINDERS = True
ICALBRIDGE_DEMO_FEEDS = env_bool("ICALBRIDGE_DEMO_FEEDS", False)

# Behind TLS (ICALBRIDGE_HTTPS=1, usually behind a proxy that sets X-Forwarded-Proto), cookies
# are sent over HTTPS only and browsers are told to keep to HTTPS (Django's deploy checklist).
HTTPS = env_bool("ICALBRIDGE_HTTPS", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("ICALBRIDGE_HTTPS_REDIRECT", True)
# Health checks (a container's, a load balancer's) ask over plain HTTP on the inside.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_AGE = 14 * 24 * 3600
CSRF_TRUSTED_ORIGINS = env_list(
    "ICALBRIDGE_CSRF_TRUSTED_ORIGINS",
    [f"https://{_PUBLIC.netloc}"] if _PUBLIC.scheme == "https" and _PUBLIC.netloc else [],
)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Password and API token guessing (icalbridge.login_lockout): this many failures of one
# account from one address within the lockout time lock that pair for the lockout time.
ICALBRIDGE_LOGIN_FAILURE_LIMIT = env_int("ICALBRIDGE_LOGIN_FAILURE_LIMIT", 5)
ICALBRIDGE_LOGIN_LOCKOUT_MINUTES = env_int("ICALBRIDGE_LOGIN_LOCKOUT_MINUTES", 15)
AXES_ENABLED = ICALBRIDGE_LOGIN_FAILURE_LIMIT > 0
AXES_FAILURE_LIMIT = max(1, ICALBRIDGE_LOGIN_FAILURE_LIMIT)
AXES_COOLOFF_TIME = "icalbridge.login_lockout.cool_off"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# A failure during a lock does not extend it: every lock ends after the lockout time.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "icalbridge.login_lockout.address_of_request"
AXES_USERNAME_CALLABLE = "icalbridge.login_lockout.attempted_account"
AXES_LOCKOUT_CALLABLE = "icalbridge.login_lockout.locked_out_page"
# Successful logins are not logged (one row per login, forever); failures are, until cool-off.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

EMAIL_HOST = env_str("ICALBRIDGE_SMTP_HOST", "127.0.0.1")
EMAIL_PORT = env_int("ICALBRIDGE_SMTP_PORT", 25)
EMAIL_HOST_USER = env_str("ICALBRIDGE_SMTP_USER", "")
EMAIL_HOST_PASSWORD = env_str("ICALBRIDGE_SMTP_PASSWORD", "")
EMAIL_USE_TLS = env_bool("ICALBRIDGE_SMTP_STARTTLS", False)
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = env_str("ICALBRIDGE_MAIL_FROM", "icalbridge <noreply@localhost>")
if env_bool("ICALBRIDGE_MAIL_TO_CONSOLE", not env_str("ICALBRIDGE_SMTP_HOST")):
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# Fetching other people's servers (docs/domain.md).
ICALBRIDGE_ALLOW_PRIVATE_URLS_RAW = env_str("ICALBRIDGE_ALLOW_PRIVATE_URLS", "")
ICALBRIDGE_FETCH_MAX_BYTES = env_int("ICALBRIDGE_FETCH_MAX_BYTES", 10 * 1024 * 1024)
ICALBRIDGE_FETCH_TIMEOUT_S = env_int("ICALBRIDGE_FETCH_TIMEOUT_S", 30)
# What one feed may bring in (icalbridge/core/feed_limits.py): more events than this in
# the dates read refuses the feed whole; longer titles are cut.
ICALBRIDGE_MAX_EVENTS_PER_FEED = env_int("ICALBRIDGE_MAX_EVENTS_PER_FEED", 20_000)
ICALBRIDGE_MAX_TEXT_CHARS = env_int("ICALBRIDGE_MAX_TEXT_CHARS", 200)
# Off only in the simulation's control run, to show what echo detection prevents.
ICALBRIDGE_ECHO_DETECTION = env_bool("ICALBRIDGE_ECHO_DETECTION", True)
ICALBRIDGE_POLL_INTERVAL_S = env_int("ICALBRIDGE_POLL_INTERVAL_S", 15 * 60)
# How long a worker's claim on a channel lasts (0: three fetch time-outs, at least a minute).
ICALBRIDGE_CLAIM_LEASE_S = env_int("ICALBRIDGE_CLAIM_LEASE_S", 0)
# When an import fails through no fault of the feed (database lost, a bug), retry after this.
ICALBRIDGE_INTERNAL_RETRY_S = env_int("ICALBRIDGE_INTERNAL_RETRY_S", 60)
ICALBRIDGE_FAILURES_BEFORE_ERROR = env_int("ICALBRIDGE_FAILURES_BEFORE_ERROR", 3)
ICALBRIDGE_STALE_AFTER_HOURS = env_int("ICALBRIDGE_STALE_AFTER_HOURS", 24)
# How long a platform that shows imported dates back as blocks has, after fetching nights,
# before they are called "not applied" (docs/alerts.md).
ICALBRIDGE_NOT_APPLIED_GRACE_S = env_int("ICALBRIDGE_NOT_APPLIED_GRACE_S", 6 * 3600)
# How often the worker re-derives each exporting channel's export side (alerts, counts).
ICALBRIDGE_EXPORT_CHECK_S = env_int("ICALBRIDGE_EXPORT_CHECK_S", 10 * 60)
# The bearer token /metrics asks for; empty leaves it open (keep it behind your firewall).
ICALBRIDGE_METRICS_TOKEN = env_str("ICALBRIDGE_METRICS_TOKEN", "")
# API requests a token may make per minute (0: no limit); counted per web process.
ICALBRIDGE_API_RATE_PER_MINUTE = env_int("ICALBRIDGE_API_RATE_PER_MINUTE", 600)
# The hour (hub time zone) at which users who chose a daily digest receive it.
ICALBRIDGE_DIGEST_HOUR = env_int("ICALBRIDGE_DIGEST_HOUR", 7)
# A client asking for this many unknown feed tokens within a minute gets 429 for
# ICALBRIDGE_FEED_PROBE_BLOCK_S seconds (0 turns the limit off). Behind a proxy, the client
# is the last X-Forwarded-For address, else every platform would share the proxy's address.
ICALBRIDGE_FEED_PROBE_LIMIT = env_int("ICALBRIDGE_FEED_PROBE_LIMIT", 20)
ICALBRIDGE_FEED_PROBE_BLOCK_S = env_int("ICALBRIDGE_FEED_PROBE_BLOCK_S", 300)
ICALBRIDGE_BEHIND_PROXY = env_bool("ICALBRIDGE_BEHIND_PROXY", False)
# Each web process answers the feeds it served from memory until the database says they
# changed (icalbridge.feeds.feed_changes: LISTEN/NOTIFY on PostgreSQL, data_version on
# SQLite). Off: every request looks its feed up, as a pooler that cannot LISTEN requires.
ICALBRIDGE_FEEDS_IN_MEMORY = env_bool("ICALBRIDGE_FEEDS_IN_MEMORY", True)

# Agenda feeds pushed into CalDAV calendars (docs/agenda-feeds.md). The key that encrypts
# the stored CalDAV passwords (SECRET_KEY when empty), and how often each pushed calendar is
# compared with its feed in full (a change is pushed at once, whatever this says).
ICALBRIDGE_CREDENTIALS_KEY = env_str("ICALBRIDGE_CREDENTIALS_KEY", "")
ICALBRIDGE_CALDAV_RECONCILE_S = env_int("ICALBRIDGE_CALDAV_RECONCILE_S", 3600)
# Google's CalDAV takes OAuth 2.0 bearer tokens, not passwords (docs/agenda-feeds.md). With the
# client of the hub's own Google Cloud project, the agenda links page offers "Connect with
# Google"; without it, people bring their own OAuth credentials through the API. The token
# endpoint is also where their refresh tokens are traded, unless they name another.
ICALBRIDGE_GOOGLE_CLIENT_ID = env_str("ICALBRIDGE_GOOGLE_CLIENT_ID", "")
ICALBRIDGE_GOOGLE_CLIENT_SECRET = env_str("ICALBRIDGE_GOOGLE_CLIENT_SECRET", "")
ICALBRIDGE_GOOGLE_AUTHORIZE_URL = env_str(
    "ICALBRIDGE_GOOGLE_AUTHORIZE_URL", "https://accounts.google.com/o/oauth2/v2/auth"
)
ICALBRIDGE_GOOGLE_TOKEN_URL = env_str(
    "ICALBRIDGE_GOOGLE_TOKEN_URL", "https://oauth2.googleapis.com/token"
)
# A Google calendar's CalDAV collection; {calendar} is its ID (an address for one's own).
ICALBRIDGE_GOOGLE_CALDAV_URL = env_str(
    "ICALBRIDGE_GOOGLE_CALDAV_URL",
    "https://apidata.googleusercontent.com/caldav/v2/{calendar}/events/",
)

# Background work: RedisHuey when REDIS_URL is set, else SqliteHuey beside the database.
REDIS_URL = env_str("REDIS_URL", "")
HUEY_QUEUE_FILE = DATA_DIR / "queue.sqlite3"
ICALBRIDGE_WORKER_THREADS = env_int("ICALBRIDGE_WORKER_THREADS", 4)
# How often a worker looks for due channels, and the longest a queue consumer sleeps when idle.
ICALBRIDGE_SCHEDULER_TICK_S = float(env_str("ICALBRIDGE_SCHEDULER_TICK_S", "5"))
ICALBRIDGE_QUEUE_MAX_DELAY_S = float(env_str("ICALBRIDGE_QUEUE_MAX_DELAY_S", "1"))
ICALBRIDGE_FETCH_RECORD_GATHER_S = float(env_str("ICALBRIDGE_FETCH_RECORD_GATHER_S", "0.5"))
# How often a worker turns new facts into alerts and sends them; one scheduler tick unless set.
ICALBRIDGE_ALERTS_EVERY_S = float(
    env_str("ICALBRIDGE_ALERTS_EVERY_S", str(ICALBRIDGE_SCHEDULER_TICK_S))
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("ICALBRIDGE_LOG_LEVEL", "INFO")},
    # Every fetch and every task is recorded as an import run; their own logs are noise.
    "loggers": {
        "httpx": {"level": "WARNING"},
        "huey": {"level": "WARNING"},
        "huey.consumer": {"level": "WARNING"},
        # Each failed login is an AccessAttempt row (administration); a lockout is a warning.
        "axes": {"level": "WARNING"},
    },
}

# The web app's templates first: django.contrib.admin ships registration/ templates of its
# own that would otherwise style the password reset pages as the admin.
TEMPLATES[0]["DIRS"] = [BASE_DIR / "web" / "templates"]

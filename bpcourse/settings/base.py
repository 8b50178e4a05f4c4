"""Settings shared by every environment; everything that differs comes from the environment.

Environment variables (all optional for a local run):
  DJANGO_SECRET_KEY, DJANGO_DEBUG, DJANGO_ALLOWED_HOSTS, DJANGO_CSRF_TRUSTED_ORIGINS,
  DATABASE_URL (default: SQLite in var/db.sqlite3), CONN_MAX_AGE,
  CELERY_BROKER_URL or REDIS_URL (default: kombu's filesystem transport under var/broker),
  BPCOURSE_SWEEP_AGE_SECONDS, BPCOURSE_SWEEP_INTERVAL_SECONDS, BPCOURSE_VISIBILITY_TIMEOUT_SECONDS,
  BPCOURSE_VAR_DIR (where SQLite, the embedded broker and the beat schedule live),
  DJANGO_EMAIL_* and DJANGO_DEFAULT_FROM_EMAIL (see Email below), BPCOURSE_INVITATIONS_PER_IMPORT/_PER_DAY.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_str(name: str, default: str = "") -> str:
    """A string from the environment; empty counts as unset."""
    value = os.environ.get(name, "").strip()
    return value or default


def env_bool(name: str, default: bool = False) -> bool:
    """A boolean from the environment (1/true/yes/on)."""
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    return value in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    """An integer from the environment."""
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def env_float(name: str, default: float) -> float:
    """A float from the environment."""
    value = os.environ.get(name, "").strip()
    return float(value) if value else default


def env_list(name: str, default: list[str]) -> list[str]:
    """A comma-separated list from the environment."""
    value = os.environ.get(name, "").strip()
    if not value:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


VAR_DIR = Path(env_str("BPCOURSE_VAR_DIR", str(BASE_DIR / "var"))).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)

# --- Core -------------------------------------------------------------------------------------
# The fallback key is for local runs only; settings.prod refuses to start without DJANGO_SECRET_KEY.
SECRET_KEY = env_str("DJANGO_SECRET_KEY", "django-insecure-local-only-7c1f0e4b9d2a4f6e8b3c5d7e9f1a2b4c")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "ninja",  # serves swagger-ui from its own static files (no CDN)
    "exercises",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "exercises.web.zones.ViewerTimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "bpcourse.middleware.JsonApiErrorsMiddleware",
]

ROOT_URLCONF = "bpcourse.urls"
WSGI_APPLICATION = "bpcourse.wsgi.application"
ASGI_APPLICATION = "bpcourse.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "exercises.web.zones.time_zone_context",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------
# SQLite shared by the web process and a Celery worker needs these options: without them up to
# 40 % of concurrent writes failed with "database is locked" (see shared notes).
SQLITE_OPTIONS = {
    "timeout": 20,
    "transaction_mode": "IMMEDIATE",
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}
CONN_MAX_AGE = env_int("CONN_MAX_AGE", 60)
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=CONN_MAX_AGE,
        # A persistent connection is checked (one cheap query) before each request reuses it.
        conn_health_checks=CONN_MAX_AGE > 0 and env_bool("CONN_HEALTH_CHECKS", True),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(SQLITE_OPTIONS)
elif env_bool("BPCOURSE_DB_ASYNC_COMMIT") and "postgresql" in DATABASES["default"]["ENGINE"]:
    # For worker processes only: their writes (claims, results, sweeps) are recoverable — a
    # crash loses at most the last moments of them, never corrupts, and the sweep grades the
    # submission again with no attempt counted twice — so they need not wait for WAL flushes.
    # The web process, which tells a student "accepted", keeps full durability.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c synchronous_commit=off"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# --- Email -------------------------------------------------------------------------------------
# SMTP when DJANGO_EMAIL_HOST is set, else files in var/mail/ (one per message) for a local run;
# DJANGO_EMAIL_BACKEND picks any backend (e.g. django.core.mail.backends.console.EmailBackend).
EMAIL_HOST = env_str("DJANGO_EMAIL_HOST")
EMAIL_BACKEND = env_str(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = Path(env_str("DJANGO_EMAIL_FILE_PATH", str(VAR_DIR / "mail")))
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("DJANGO_EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("DJANGO_EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", True) and not env_bool("DJANGO_EMAIL_USE_SSL")
EMAIL_USE_SSL = env_bool("DJANGO_EMAIL_USE_SSL")
EMAIL_TIMEOUT = env_int("DJANGO_EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "bpcourse <noreply@localhost>")
# Roster invitations: at most this many per import, and per inviting instructor in 24 hours.
BPCOURSE_INVITATIONS_PER_IMPORT = env_int("BPCOURSE_INVITATIONS_PER_IMPORT", 300)
BPCOURSE_INVITATIONS_PER_DAY = env_int("BPCOURSE_INVITATIONS_PER_DAY", 1000)

# --- Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("zh-hans", _("Simplified Chinese")),
]
# Project-level catalogue (API and service messages); the app's own catalogue is exercises/locale.
LOCALE_PATHS = [BASE_DIR / "bpcourse" / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

# --- Static files (whitenoise) ----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns when it is missing
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve straight from the apps' static folders when collectstatic has not run (local runs).
WHITENOISE_USE_FINDERS = True

# --- Request limits: keep bodies small (answers are short strings) ----------------------------
DATA_UPLOAD_MAX_MEMORY_SIZE = 32 * 1024
# The largest template (4-8-8-3) has 340 parts, plus the form token and CSRF fields.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000

# --- Grading ----------------------------------------------------------------------------------
BPCOURSE_MAX_ANSWER_CHARS = env_int("BPCOURSE_MAX_ANSWER_CHARS", 200)
# Practice shows a part's expected value after this many wrong answers to it (exercises.grading.reveal).
BPCOURSE_REVEAL_AFTER_WRONG = env_int("BPCOURSE_REVEAL_AFTER_WRONG", 3)
# Mastery per skill (graders.mastery): recent attempts weigh more, mastery = Σ λ^r·s_r / (c + Σ λ^r)
# with λ = DECAY and c = PRIOR; a skill is mastered at THRESHOLD. Adaptive practice moves on after
# ADAPTIVE_RUN right attempts in a row; a mastered skill comes back for review after the intervals
# (days; each review made when due moves to the next). The last MASTERY_HISTORY graded attempts count.
BPCOURSE_MASTERY_DECAY = env_float("BPCOURSE_MASTERY_DECAY", 0.7)
BPCOURSE_MASTERY_PRIOR = env_float("BPCOURSE_MASTERY_PRIOR", 0.5)
BPCOURSE_MASTERY_THRESHOLD = env_float("BPCOURSE_MASTERY_THRESHOLD", 0.8)
BPCOURSE_ADAPTIVE_RUN = env_int("BPCOURSE_ADAPTIVE_RUN", 3)
BPCOURSE_REVIEW_INTERVALS_DAYS = tuple(
    float(days) for days in env_list("BPCOURSE_REVIEW_INTERVALS_DAYS", ["1", "3", "7", "14", "30"])
)
BPCOURSE_MASTERY_HISTORY = env_int("BPCOURSE_MASTERY_HISTORY", 100)
# "My progress" caches each student's parsed graded attempts (Django's cache) until a new one is
# graded or a regrade changes a report; this bounds how long anything else that places parts
# (a new version of the graders after a deploy) could stay unseen.
BPCOURSE_MASTERY_CACHE_SECONDS = env_int("BPCOURSE_MASTERY_CACHE_SECONDS", 3600)
# A submission still queued (or stuck in grading) this long is re-enqueued by the sweep.
# Chosen with the Redis visibility timeout below so that a killed worker's submissions are
# graded within a minute: redelivery after <= 30 s (+ up to 5 s until a worker's restore
# cycle runs), or the sweep after 30 s (+ up to 10 s until the next beat tick).
BPCOURSE_SWEEP_AGE_SECONDS = env_float("BPCOURSE_SWEEP_AGE_SECONDS", 30.0)
BPCOURSE_SWEEP_INTERVAL_SECONDS = env_float("BPCOURSE_SWEEP_INTERVAL_SECONDS", 10.0)
# A claim (status "grading") older than this may be taken over by another copy of the task.
# Must exceed the hard time limit so that a running task is never overtaken.
BPCOURSE_GRADING_STALE_SECONDS = env_float(
    "BPCOURSE_GRADING_STALE_SECONDS", BPCOURSE_SWEEP_AGE_SECONDS
)

# A regrade runs in steps of at most this many submissions or seconds; each step's hard time
# limit stays below the visibility timeout, so Redis never hands a running step to a second worker.
BPCOURSE_REGRADE_CHUNK_SIZE = env_int("BPCOURSE_REGRADE_CHUNK_SIZE", 200)
BPCOURSE_REGRADE_CHUNK_SECONDS = env_float("BPCOURSE_REGRADE_CHUNK_SECONDS", 5.0)
BPCOURSE_REGRADE_SOFT_TIME_LIMIT = env_int("BPCOURSE_REGRADE_SOFT_TIME_LIMIT", 15)
BPCOURSE_REGRADE_TIME_LIMIT = env_int("BPCOURSE_REGRADE_TIME_LIMIT", 20)# A grading task also claims other queued submissions of its kind, at most this many at a time,
# in rounds while each round finds as many as it asked for, for at most this many seconds
# (and a quarter of the soft time limit): fewer task round trips than submissions under load.
BPCOURSE_GRADING_BATCH = env_int("BPCOURSE_GRADING_BATCH", 32)
BPCOURSE_GRADING_BATCH_SECONDS = env_float("BPCOURSE_GRADING_BATCH_SECONDS", 1.0)
# While a grading task of a queue waits to start, submits send none (exercises.grading.wake);
# the flag that says so lasts at most this long. 0: every submit sends its own task.
BPCOURSE_GRADING_WAKE_SECONDS = env_float("BPCOURSE_GRADING_WAKE_SECONDS", 10.0)
# After its batch a grading task stays this long (with no new submission; at most a quarter of
# the soft time limit, and half of it in all) as its queue's listener: submits poke it through
# Redis instead of sending a task (exercises.grading.linger). 0: tasks leave at once. Needs Redis
# and the wake flag above.
BPCOURSE_GRADING_LINGER_SECONDS = env_float("BPCOURSE_GRADING_LINGER_SECONDS", 2.0)
# A running regrade whose cursor has not moved this long gets its next step sent again (beat).
BPCOURSE_REGRADE_STALE_SECONDS = env_float("BPCOURSE_REGRADE_STALE_SECONDS", 60.0)

# --- Rate limits (exercises/web/ratelimit.py) -------------------------------------------------
# "N/S": N requests per S seconds. `client`: per signed-in user, else per browser session (login:
# failed sign-ins per username); `ip`: every anonymous request of one address together. Each is
# overridable as BPCOURSE_RATE_<SCOPE> and BPCOURSE_RATE_<SCOPE>_IP, e.g. BPCOURSE_RATE_LOGIN=5/600.
BPCOURSE_RATE_LIMITS_ENABLED = env_bool("BPCOURSE_RATE_LIMITS", True)
# Behind a proxy that sets the client's address in a header, its META name (e.g. HTTP_X_REAL_IP).
BPCOURSE_RATE_LIMIT_IP_HEADER = env_str("BPCOURSE_RATE_LIMIT_IP_HEADER")


def env_rate(name: str, default: str) -> tuple[int, int]:
    """A rate "N/S" from the environment: (N requests, per S seconds)."""
    count, _sep, seconds = env_str(name, default).partition("/")
    return int(count), max(1, int(seconds or 1))


_RATE_DEFAULTS = {  # scope: (client, ip)
    "login": ("10/300", "30/300"),
    "signup": ("5/3600", "60/3600"),
    "join": ("10/600", "30/600"),
    "practice_variant": ("30/60", "30/60"),
    "practice_submit": ("30/60", "60/60"),
    "hint": ("30/60", "60/60"),
    "authoring_preview": ("60/60", "60/60"),
    "authoring_save": ("20/60", "20/60"),
    "password_reset": ("5/3600", "20/3600"),
    "grading_write": ("60/60", "60/60"),  # score overrides, regrade notices dismissed
    "lti_launch": ("60/60", "120/60"),
    "lti_sync": ("10/600", "30/600"),
}
BPCOURSE_RATE_LIMITS = {
    scope: {
        "client": env_rate(f"BPCOURSE_RATE_{scope.upper()}", client),
        "ip": env_rate(f"BPCOURSE_RATE_{scope.upper()}_IP", ip),
    }
    for scope, (client, ip) in _RATE_DEFAULTS.items()
}

# --- LTI 1.3 (exercises/lti): the tool's key is BPCOURSE_LTI_PRIVATE_KEY (PEM) or
# BPCOURSE_LTI_PRIVATE_KEY_FILE, else the database's (manage.py lti_rotate_key).
BPCOURSE_LTI_HTTP_TIMEOUT = env_int("BPCOURSE_LTI_HTTP_TIMEOUT", 10)
# A launch syncs the roster (names and roles) unless it was synced this recently.
BPCOURSE_LTI_ROSTER_SYNC_SECONDS = env_int("BPCOURSE_LTI_ROSTER_SYNC_SECONDS", 600)
BPCOURSE_SITE_URL = env_str("BPCOURSE_SITE_URL", "http://127.0.0.1:8000")

# --- Cache (rate limits, refused network descriptions): shared by every web and worker process
# With Redis down, limits are not applied (logged) rather than failing requests.
_CACHE_URL = env_str("BPCOURSE_CACHE_URL") or env_str("REDIS_URL")
if _CACHE_URL:
    _CACHE = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _CACHE_URL,
              "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}
else:
    _CACHE = {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(VAR_DIR / "cache"),
              "OPTIONS": {"MAX_ENTRIES": 3000}}
CACHES = {"default": {**_CACHE, "KEY_PREFIX": "bpcourse", "TIMEOUT": 3600}}

# --- Authoring: the size of an instructor's own network and the cost of checking it ----------
# A custom network asks at most this many quantities (the built-in 4-8-8-3 asks 340).
BPCOURSE_MAX_NETWORK_PARTS = env_int("BPCOURSE_MAX_NETWORK_PARTS", 400)
# Problem sets: questions an assignment may hold, and networks a question's pool may hold.
BPCOURSE_MAX_QUESTIONS = env_int("BPCOURSE_MAX_QUESTIONS", 20)
BPCOURSE_MAX_POOL_MEMBERS = env_int("BPCOURSE_MAX_POOL_MEMBERS", 10)
# One budget for every seed a check (preview or save) tries: draws and CPU seconds.
BPCOURSE_AUTHORING_MAX_DRAWS = env_int("BPCOURSE_AUTHORING_MAX_DRAWS", 120)
BPCOURSE_AUTHORING_MAX_SECONDS = env_float("BPCOURSE_AUTHORING_MAX_SECONDS", 0.1)
# How long a refused network description stays refused without being checked again.
BPCOURSE_AUTHORING_FAILURE_CACHE_SECONDS = env_int("BPCOURSE_AUTHORING_FAILURE_CACHE_SECONDS", 86400)

# --- Celery -----------------------------------------------------------------------------------
# Grading takes milliseconds. Redis redelivers an unacknowledged task only after the visibility
# timeout (one hour by default!): 30 s keeps a killed worker's work within the one-minute goal.
# It must stay above the longest ETA/countdown (retry backoff max 20 s) and the hard time limit,
# or a task still held by a live worker would be delivered a second time (harmless — grading is
# idempotent — but wasted work).
BPCOURSE_VISIBILITY_TIMEOUT_SECONDS = env_float("BPCOURSE_VISIBILITY_TIMEOUT_SECONDS", 30.0)

CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or env_str("REDIS_URL") or "filesystem://"
BROKER_DIR = VAR_DIR / "broker"
if CELERY_BROKER_URL.startswith("filesystem://"):
    # Embedded broker for a local run with nothing installed: kombu's filesystem transport.
    # It deletes a message when it is fetched, so a killed worker loses its tasks: the sweep
    # (beat) re-enqueues them. Use Redis in production.
    (BROKER_DIR / "queue").mkdir(parents=True, exist_ok=True)
    (BROKER_DIR / "control").mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
        "polling_interval": 0.1,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": BPCOURSE_VISIBILITY_TIMEOUT_SECONDS,
        # kombu 5.7 looks for expired unacknowledged messages only every
        # interval × throttle seconds (10 × 10 by default): check every 5 s instead.
        "unacked_restore_interval": 5,
        "unacked_restore_throttle": 1,
        # A publish never hangs on a broker that vanished without closing the connection.
        "socket_connect_timeout": 3,
        "socket_timeout": 5,
    }
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None  # a worker waits for the broker to come back
# A web request publishing while the broker is down gives up after about a second; the
# submission stays stored as "queued" and the sweep enqueues it later.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 10)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 20)
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_TASK_DEFAULT_QUEUE", "bpcourse")
# Homework grading has a queue of its own (every worker consumes both), so that a flood of
# practice submissions on the default queue never delays it.
BPCOURSE_HOMEWORK_QUEUE = env_str("BPCOURSE_HOMEWORK_QUEUE", "homework")
CELERY_TASK_ALWAYS_EAGER = False
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_WORKER_SEND_TASK_EVENTS = False
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "sweep-stale-submissions": {
        "task": "exercises.sweep_submissions",
        "schedule": BPCOURSE_SWEEP_INTERVAL_SECONDS,
        # A sweep that waited longer than one interval is pointless: the next one is coming.
        "options": {"expires": BPCOURSE_SWEEP_INTERVAL_SECONDS},
    },
    "sweep-stalled-regrades": {
        "task": "exercises.sweep_regrades",
        "schedule": BPCOURSE_SWEEP_INTERVAL_SECONDS,
        "options": {"expires": BPCOURSE_SWEEP_INTERVAL_SECONDS},
    },
}

# Verdicts are announced through Redis pub/sub (exercises.grading.notify) to status requests that
# wait for them (long polls, at most BPCOURSE_STATUS_WAIT_SECONDS; 0 turns waiting off).
BPCOURSE_NOTIFY_URL = env_str("BPCOURSE_NOTIFY_URL") or (
    CELERY_BROKER_URL if CELERY_BROKER_URL.startswith(("redis://", "rediss://")) else ""
)
BPCOURSE_STATUS_WAIT_SECONDS = env_float("BPCOURSE_STATUS_WAIT_SECONDS", 8.0)
# The API's fast lane (exercises.api.hot, in bpcourse/wsgi.py): anonymous practice submits and
# status reads answered without the full middleware stack. False: every request takes the full stack.
BPCOURSE_HOT_PATHS = env_bool("BPCOURSE_HOT_PATHS", True)
# The result page an answer sheet leads to waits this long for the verdict before it shows
# "queued" (within the limit above; 0: it never waits).
BPCOURSE_PAGE_WAIT_SECONDS = env_float("BPCOURSE_PAGE_WAIT_SECONDS", 0.5)

# --- Logging ----------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(process)d: %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own console handler would print every record a second time.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.db.backends": {"level": "WARNING"},
        # The filesystem transport has no host name; kombu warns about it on every connect.
        "kombu.connection": {"level": "ERROR"},
    },
}

# --- Content-Security-Policy (django-csp 4) ------------------------------------------------------
# Everything from this site only: no inline script, no inline style, no plugins, no framing. The
# pages keep their scripts and styles in static files (exercises/static/); the API docs page
# (swagger-ui) gets its own small allowance in exercises/api/urls.py.
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1, "csp.middleware.CSPMiddleware")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

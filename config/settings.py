"""Descent settings, read from the environment.

Defaults are for development and need no server: SQLite under var/ and Kombu's
filesystem broker. DATABASE_URL switches to PostgreSQL, REDIS_URL to Redis (broker,
result backend and cache), BROKER_URL=amqp://... the broker alone to RabbitMQ. With DEBUG
off the app refuses to start without SECRET_KEY and ALLOWED_HOSTS, and the security
settings default to what `check --deploy` wants.
"""

import base64
import hashlib
import re
from datetime import timedelta
from pathlib import Path

from csp.constants import NONCE, NONE, SELF, UNSAFE_HASHES

from .env import (
    ImproperlyConfigured,
    database_from_url,
    env_bool,
    env_int,
    env_list,
    env_rate,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("DESCENT_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment (production), "
            "or set DEBUG=1 for local development."
        )
    SECRET_KEY = "dev-only-insecure-key-never-use-in-production-0123456789abcdef"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is not set (comma-separated host names).")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "axes",
    "csp",
    # LTI 1.3's models, admin and `rotate_keys` (django-lti); Descent's side is lti/.
    "lti_tool",
    "accounts",
    "courses",
    "grading",
    "authoring",
    "teaching",
    "lti",
]

MIDDLEWARE = [
    # First, so the request histogram on /metrics times the whole stack.
    "config.metrics_middleware.RequestTimingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A lesson's shared page, the same for every reader, before any session is read
    # (courses/lesson_shell.py); everything else goes on down.
    "courses.lesson_shell.LessonShellMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Times on the pages in the viewer's cohort's zone (courses.templatetags.dates).
    "courses.middleware.ViewerTimeZoneMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A database outage inside a view becomes the 503 page (handler500 covers the rest).
    "config.middleware.DatabaseUnavailableMiddleware",
    # Last, so that it turns a log-in refused by the lockout into the page that says when
    # to try again (accounts.throttling.lockout_response).
    "axes.middleware.AxesMiddleware",
    # Below CSP and X-Frame-Options, so both read what it sets on the way out: pages of
    # an LTI session may be framed by that LMS (lti/framing.py).
    "lti.framing.FramedByPlatformMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "teaching.context.teaching",
            ],
        },
    },
]

DATABASE_URL = env_str("DATABASE_URL")
DATABASES = {
    "default": database_from_url(DATABASE_URL)
    if DATABASE_URL
    else {"ENGINE": "django.db.backends.sqlite3", "NAME": VAR_DIR / "descent.sqlite3"}
}
# DB_POOL_SIZE > 0 (the web, on PostgreSQL): each process keeps a pool of that many
# connections (psycopg_pool) instead of one per thread. A long-polling request gives its
# connection back while it waits (grading/wakeup.py): with the pool that is a hand-back,
# not a closed connection and a new backend when it wakes.
DB_POOL_SIZE = env_int("DB_POOL_SIZE", 0)
if DB_POOL_SIZE < 0:
    raise ImproperlyConfigured(f"DB_POOL_SIZE must be 0 (no pool) or more, not {DB_POOL_SIZE}")
if DB_POOL_SIZE > 0 and DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps them instead
    DATABASES["default"]["OPTIONS"]["pool"] = {
        "min_size": 1,
        "max_size": DB_POOL_SIZE,
        # A request that finds every connection busy waits this long, then fails.
        "timeout": 10,
        # Retire a connection after a while, as CONN_MAX_AGE did.
        "max_lifetime": 600,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    # Files under var/, shared by every process on the machine like the embedded broker:
    # the web, the worker and its pool children see the same rate-limit counters and
    # the same sandbox reports on the status page.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# The image collects its static files at build time into STATIC_ROOT (the Dockerfile sets
# it), which a DESCENT_VAR_DIR on a volume must not hide.
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

LOGIN_URL = "/accounts/login/"
# After log-in (without a ?next=): instructors to /teach/, students to their courses.
LOGIN_REDIRECT_URL = "landing"
# The lockout backend first: it refuses a locked account or address before any password
# is checked, so guesses made during the cool-off learn nothing.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Descent <noreply@localhost>")
# For the SMTP backend (django.core.mail.backends.smtp.EmailBackend).
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# A mail server that stops answering must not hold a request or a worker for ever.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)

# --- security: defaults are strict whenever DEBUG is off --------------------------------
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# Off unless set: trusting X-Forwarded-Proto and X-Forwarded-For without a proxy in front
# that overwrites them would let any client claim HTTPS and any address (and so dodge the
# per-address limits). Set it when a TLS-terminating proxy is the only way in.
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY", False)
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)

# --- LTI (lti/framing.py) ---------------------------------------------------------------
# Origins besides a registered LMS's issuer and authorisation URL that may frame Descent
# for its LTI sessions (a school's own LMS address), separated by spaces.
LTI_FRAME_ANCESTORS = env_str("LTI_FRAME_ANCESTORS", "").split()
# Session and CSRF cookies usable inside another site's frame (SameSite=None; Secure):
# needed when the LMS is on another site, and only over HTTPS.
LTI_CROSS_SITE_COOKIES = env_bool("LTI_CROSS_SITE_COOKIES", False)
# Hosts on this network an LMS's service URLs (grades, members) may point at besides the
# registration's own hosts, separated by spaces; any other must be a public address
# (lti/config.py: a launch cannot aim the workers at the database or a metadata service).
LTI_SERVICE_HOSTS = env_str("LTI_SERVICE_HOSTS", "").split()
if LTI_CROSS_SITE_COOKIES:
    SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "None"
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True


def _style_attribute_hashes(values: list[str]) -> list[str]:
    return [
        f"'sha256-{base64.b64encode(hashlib.sha256(v.encode()).digest()).decode()}'" for v in values
    ]


# Content-Security-Policy (django-csp). Scripts only from our own bundles, each <script>
# carrying the request's nonce; styles from our files and from <style> elements with the
# nonce (CodeMirror writes its theme into one, given the nonce through EditorView.cspNonce;
# KaTeX and CodeMirror set element styles through the CSSOM, which CSP does not govern).
# The only style attributes allowed are the column alignments of Markdown tables, the one
# style the lesson sanitizer keeps (courses/rendering.py), listed by hash.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "style-src-attr": [
            UNSAFE_HASHES,
            *_style_attribute_hashes(
                [f"text-align:{side}" for side in ("left", "center", "right", "justify")]
            ),
        ],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# --- throttling: log-in (django-axes), sign-up and password reset (accounts.throttling) --
# An account is locked after LOGIN_FAILURE_LIMIT wrong passwords whatever address they
# come from (a botnet guessing one student's password), and an address after
# LOGIN_ADDRESS_FAILURE_LIMIT wrong passwords whatever accounts they name (one machine
# trying a common password on every account, which the per-account count never sees).
# The address limit is higher because a classroom shares one address behind its NAT.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 30)
LOGIN_COOLOFF_MINUTES = env_int("LOGIN_COOLOFF_MINUTES", 15)
if min(LOGIN_FAILURE_LIMIT, LOGIN_ADDRESS_FAILURE_LIMIT, LOGIN_COOLOFF_MINUTES) < 1:
    raise ImproperlyConfigured("LOGIN_*_LIMIT and LOGIN_COOLOFF_MINUTES must be at least 1")
AXES_LOCKOUT_PARAMETERS = [["username"], ["ip_address"]]
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_COOLOFF_MINUTES)
AXES_HANDLER = "accounts.throttling.AccountAndAddressLockout"
AXES_LOCKOUT_CALLABLE = "accounts.throttling.lockout_response"
AXES_CLIENT_IP_CALLABLE = "accounts.throttling.client_address"
# A guess made while locked is refused without checking the password; it must not push
# the end of the lock further out, or the time the page names would be wrong.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# A successful log-in does not wipe the count: it would also wipe the address's count,
# letting a sprayer reset it by logging in to an account of its own between guesses.
AXES_RESET_ON_SUCCESS = False
AXES_VERBOSE = False
# Per client address, counted in the database (accounts.models.ThrottledRequest):
# mass sign-ups, and password-reset e-mails sent to strangers' inboxes.
# (count, seconds): 40 an hour lets a whole class sign up from behind one school NAT.
SIGNUP_RATE = env_rate("SIGNUP_RATE", "40/hour")
PASSWORD_RESET_RATE = env_rate("PASSWORD_RESET_RATE", "10/hour")

# --- Celery ----------------------------------------------------------------------------
# BROKER_URL chooses the broker on its own (amqp:// for RabbitMQ, redis:// for Redis);
# unset, REDIS_URL is the broker as well as the cache, and with neither the embedded
# filesystem broker under var/ is.
BROKER_URL = env_str("BROKER_URL") or REDIS_URL
if BROKER_URL and not BROKER_URL.startswith(("amqp://", "amqps://", "redis://", "rediss://")):
    raise ImproperlyConfigured(
        "BROKER_URL must start with amqp://, amqps://, redis:// or rediss://"
    )
BROKER_IS_RABBITMQ = bool(BROKER_URL) and BROKER_URL.startswith(("amqp://", "amqps://"))
if BROKER_IS_RABBITMQ:
    CELERY_BROKER_URL = BROKER_URL
    # Results are kept only for the ping (CELERY_TASK_IGNORE_RESULT below): in Redis when
    # there is one, else sent back over RabbitMQ to the one caller waiting for them.
    CELERY_RESULT_BACKEND = REDIS_URL or "rpc://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # Publisher confirms: a publish returns once RabbitMQ has the message on disk (on
        # a majority of the quorum queue's nodes), or raises, and the row stays queued
        # for the reaper.
        "confirm_publish": True,
    }
    # Every task queue is a quorum queue (declared below, with CELERY_TASK_QUEUES);
    # Celery then sets prefetch per consumer (quorum queues have no global QoS) and
    # delays retries with countdowns in RabbitMQ itself (native delayed delivery, which
    # needs topic exchanges).
    CELERY_TASK_DEFAULT_QUEUE_TYPE = "quorum"
    CELERY_WORKER_DETECT_QUORUM_QUEUES = True
    # A message that came back unacknowledged more often than this (its worker died, or
    # the connection did) is dropped: a poison message cannot loop forever. The row stays in
    # the database, where the reaper's own count (grading.tasks.MAX_REVIVALS, below this)
    # ends it with a verdict; a worker killed once mid-task still gets its message back.
    # A queue keeps the limit it was declared with: RabbitMQ refuses a declaration with
    # another (changing it means deleting the drained queues first).
    BROKER_DELIVERY_LIMIT = env_int("BROKER_DELIVERY_LIMIT", 10)
    # RabbitMQ closes a channel holding an unacknowledged message for longer than its
    # consumer_timeout (30 minutes by default): with acks_late that must exceed the
    # longest task's hard limit (lti.sync_rosters, 3300 s; grading's is 180 s), so the
    # server needs consumer_timeout = 3600000 (docker-compose.yml sets it).
elif BROKER_URL:
    CELERY_BROKER_URL = BROKER_URL
    CELERY_RESULT_BACKEND = REDIS_URL or BROKER_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # Must exceed the hard time limit of any task, or Redis redelivers work that is
        # still running (acks_late).
        "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600),
    }
else:
    # The embedded broker: messages are files in var/broker, shared by every process on
    # this machine, so web and worker need no server.
    BROKER_DIR = VAR_DIR / "broker"
    for sub in ("queue", "processed", "control"):
        (BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    (VAR_DIR / "results").mkdir(exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
        "polling_interval": 0.05,
    }
    CELERY_RESULT_BACKEND = f"file://{VAR_DIR / 'results'}"
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_RESULT_EXPIRES = 3600
# Every outcome lives in the database; results in the broker are kept only for tasks
# that ask (the ping). Besides saving Redis work, this keeps publishing independent of
# the result store, which otherwise reconnects for ~20 s when Redis is away and then
# leaves the web process unable to publish until it restarts (the fault suite found it).
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A web request that publishes while the broker is away gives up after about a second
# (the row is saved; the reaper publishes it later) instead of hanging the student.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0.1,
    "interval_step": 0.3,
    "interval_max": 0.5,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# Celery's Django fixup closes every database connection before and after each task
# unless this is set: a new PostgreSQL backend per task (fork, authentication, catalog
# caches) cost the database more CPU than the grading queries themselves under a
# deadline rush. Each task still calls close_old_connections(), so CONN_MAX_AGE and the
# health checks retire a connection that is old or broken.
CELERY_DB_REUSE_MAX = 1000
CELERY_WORKER_CONCURRENCY = env_int("CELERY_WORKER_CONCURRENCY", 2)
# Workers log through LOGGING below, one key=value line per event like the web, with
# the process id (which prefork child graded what) instead of Celery's own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TASK_ROUTES = {
    "grading.grade_submission": {"queue": "grading"},
    # The search for smallest failing inputs, after the verdict: background work, for a
    # worker that yields the CPU to grading (docker-compose.yml runs it under nice).
    "grading.refine_submission": {"queue": "feedback"},
    # Regrades have their own queue, in small chunks: a regrade of a whole exercise never
    # sits in front of a student's new submission on the grading queue.
    "grading.regrade_start": {"queue": "regrade"},
    "grading.regrade_chunk": {"queue": "regrade"},
    # An instructor's background work that needs the sandbox goes the same way: a course
    # sync (fetch, validate, self-check) and "Try it" in the editor.
    "authoring.sync": {"queue": "regrade"},
    "authoring.try_exercise": {"queue": "regrade"},
    # Calls to other systems (a cohort's e-mails, scores and rosters to and from LMSes):
    # network waits, not CPU, on a queue of their own, for a worker that needs no sandbox
    # (docker-compose.yml: "outbound", a thread pool), so a slow LMS never holds up the
    # smallest failing inputs, and those never hold up a grade on its way to the LMS.
    "courses.mail_announcement": {"queue": "outbound"},
    "lti.push_score": {"queue": "outbound"},
    "lti.sweep_scores": {"queue": "outbound"},
    "lti.sync_roster": {"queue": "outbound"},
    "lti.sync_rosters": {"queue": "outbound"},
}
CELERY_TASK_DEFAULT_QUEUE = "celery"
if BROKER_IS_RABBITMQ:
    from kombu import Exchange, Queue

    # One durable quorum queue per queue a task is routed to, bound to a topic exchange
    # (native delayed delivery forwards a retry's message through it when it is due).
    CELERY_TASK_QUEUES = [
        Queue(
            name,
            Exchange("descent", type="topic"),
            routing_key=name,
            queue_arguments={"x-queue-type": "quorum", "x-delivery-limit": BROKER_DELIVERY_LIMIT},
        )
        for name in sorted(
            {route["queue"] for route in CELERY_TASK_ROUTES.values()} | {CELERY_TASK_DEFAULT_QUEUE}
        )
    ]
# Every periodic task, in one place.
CELERY_BEAT_SCHEDULE = {
    "reap-stuck-submissions": {
        "task": "grading.reap_stuck_submissions",
        "schedule": env_int("REAPER_INTERVAL_S", 30),
    },
    "sweep-lti-scores": {"task": "lti.sweep_scores", "schedule": 60},
    # LMS members in and out of their cohorts (NRPS); "Sync roster" does it at once.
    "sync-lti-rosters": {"task": "lti.sync_rosters", "schedule": 6 * 3600},
}

# --- the JSON API (Django REST framework) ------------------------------------------------
SUBMISSION_RATE = env_str("SUBMISSION_RATE", "6/min")  # per student and exercise
if not re.fullmatch(r"\d+/(s|sec|m|min|h|hour)", SUBMISSION_RATE):
    raise ImproperlyConfigured(f"SUBMISSION_RATE must look like 6/min, got {SUBMISSION_RATE!r}")
# Submissions one student may have waiting (queued or being graded) at once, across all
# exercises: one account cannot fill the grading queue.
SUBMISSIONS_IN_FLIGHT = env_int("SUBMISSIONS_IN_FLIGHT", 10)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "UNAUTHENTICATED_USER": None,
    "EXCEPTION_HANDLER": "grading.api.parse_error_handler",
}

# --- logging: one line per event, key=value, easy to grep and to ship -------------------
LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "line": {
            "format": "ts=%(asctime)s level=%(levelname)s pid=%(process)d logger=%(name)s "
            "msg=%(message)s"
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "line"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # axes logs every successful log-in at INFO; its failures and lockouts are WARNING.
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

# --- Descent -----------------------------------------------------------------------------
SHIPPED_COURSE_DIR = BASE_DIR / "courses" / "content" / "gradient-descent"
# Course sources (authoring/): bare mirrors of the instructors' repositories and the
# exported files of every version, under AUTHORING_DIR. A repository given as a path on
# this server is allowed only under one of AUTHORING_LOCAL_ROOTS (an instructor could
# otherwise read any repository the server can); `make run` allows var/repos/.
AUTHORING_DIR = Path(env_str("AUTHORING_DIR", str(VAR_DIR / "authoring")))
AUTHORING_LOCAL_ROOTS = [
    Path(p) for p in env_list("AUTHORING_LOCAL_ROOTS", [str(VAR_DIR / "repos")] if DEBUG else [])
]
AUTHORING_GIT_TIMEOUT_S = env_int("AUTHORING_GIT_TIMEOUT_S", 120)
# How long a sandbox self-test result is trusted before /healthz runs it again.
SANDBOX_SELFTEST_TTL = env_int("SANDBOX_SELFTEST_TTL", 300)
# A grading process whose sandbox failed its self-test refuses work, and tries the
# self-test again after this many seconds (a transient fault heals without a restart).
SANDBOX_RETEST_S = env_int("SANDBOX_RETEST_S", 30)
# The reaper (grading.services.submissions_reap, run by beat every REAPER_INTERVAL_S):
# a running submission whose worker has not beaten its heart for GRADING_STALE_S is
# taken back; a queued one nobody claimed for QUEUED_STALE_S is published again.
GRADING_STALE_S = env_int("GRADING_STALE_S", 60)
QUEUED_STALE_S = env_int("QUEUED_STALE_S", 120)
# A verdict comes first and the smallest failing input after it, from the feedback
# queue (grading.tasks.refine_submission); 0 shrinks inline, before the verdict.
GRADING_DEFER_SHRINK = env_bool("GRADING_DEFER_SHRINK", True)
# A refinement not done after this long is abandoned (the random failing case stays).
REFINE_GIVE_UP_S = env_int("REFINE_GIVE_UP_S", 1800)
if GRADING_STALE_S < 15:  # workers beat every 5 s: allow two missed beats and some
    raise ImproperlyConfigured(f"GRADING_STALE_S must be at least 15, got {GRADING_STALE_S}")
# What /healthz checks in the process that serves it. The sandbox check runs the real
# self-test here, so it belongs only where this process may build jails (make run, a
# privileged container); production web containers check the database and the broker.
HEALTHZ_CHECKS = env_list("HEALTHZ_CHECKS", ["database", "broker", "sandbox"])
# /healthz names its components and their state only to staff, or to a monitor sending
# "Authorization: Bearer <HEALTHZ_TOKEN>"; everyone else gets the status alone.
HEALTHZ_TOKEN = env_str("HEALTHZ_TOKEN", "")
_unknown_checks = set(HEALTHZ_CHECKS) - {"database", "broker", "sandbox"}
if _unknown_checks:
    raise ImproperlyConfigured(f"HEALTHZ_CHECKS: unknown check(s) {sorted(_unknown_checks)}")
# GET /metrics (grading/metrics.py) answers a scraper sending "Authorization: Bearer
# <METRICS_TOKEN>" (and logged-in staff); unset, the endpoint is a 404.
METRICS_TOKEN = env_str("METRICS_TOKEN")
# /healthz and /metrics are read over plain HTTP inside the cluster network by probes and
# scrapers (deploy/kubernetes/): not redirected to HTTPS.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]
# Lesson pages keep their shared part per published course version in each web process
# (courses/lesson_cache.py); 0 builds every page from the database.
LESSON_HTML_CACHE = env_bool("LESSON_HTML_CACHE", True)
# A lesson's address answers with its shared page, the same bytes for every reader, and
# the page's script fetches the reader's own parts (courses/lesson_shell.py); 0 renders
# the whole page on every request. Needs LESSON_HTML_CACHE.
LESSON_SHELL = env_bool("LESSON_SHELL", True)
# A client waiting for its verdict is woken by PostgreSQL LISTEN/NOTIFY (grading/wakeup.py);
# 0 makes it read the row every 200 ms instead, as on SQLite.
WAIT_NOTIFY = env_bool("WAIT_NOTIFY", True)

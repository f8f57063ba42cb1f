"""Settings for eMENSCR-OSS, one module, read from the environment.

Without any environment the project runs embedded: SQLite in ``var/`` and a Celery broker on
the file system (kombu's filesystem transport), so a demo needs no server while long jobs still
leave the request. Production sets DATABASE_URL (PostgreSQL) and CELERY_BROKER_URL / REDIS_URL.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("EMENSCR_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env(
    DEBUG=(bool, False),
    ALLOWED_HOSTS=(list, ["127.0.0.1", "localhost"]),
)

DEBUG = env("DEBUG")
# The embedded default key is only for a local demo; check --deploy and production refuse it.
SECRET_KEY = env("SECRET_KEY", default="django-insecure-embedded-demo-key-change-me-" + "x" * 20)
ALLOWED_HOSTS = env("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "import_export",
    "axes",
    "csp",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "core",
    "agencies",
    "strategy",
    "workflow",
    "projects",
    "plans",
    "progress",
    "api",
    "linkage",
    "reports",
    "checks",
    "dashboards",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.ThaiFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "emenscr.urls"
WSGI_APPLICATION = "emenscr.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "workflow.context_processors.inbox",
            ],
        },
    },
]

VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # PostgreSQL's JIT compiles a plan when its estimated cost is high; for the short queries
    # of web pages that costs more than it saves (measured: 420 ms of a 600 ms list count).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # Refuses a login for a username + address that failed too often, before checking it.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
# Per username and address: a stranger cannot lock a colleague out from elsewhere.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = env.bool("AXES_VERBOSE", default=False)  # attempts are kept in the admin anyway
AXES_LOCKOUT_CALLABLE = "core.views.locked_out"
AXES_IPWARE_PROXY_COUNT = env.int("PROXY_COUNT", default=0) or None
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)

# Thai first, English second.
LANGUAGE_CODE = "th"
LANGUAGES = [("th", _("Thai")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Bangkok"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env("STATIC_ROOT", default=str(VAR_DIR / "staticfiles"))
MEDIA_URL = "media/"
MEDIA_ROOT = env("MEDIA_ROOT", default=str(VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env.bool("STATIC_MANIFEST", default=not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")  # links in e-mails
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="eMENSCR-OSS <no-reply@emenscr.local>")

# Celery: Redis in production; without a server, kombu's filesystem transport in var/celery.
_REDIS_URL = env("REDIS_URL", default="")
_CELERY_DIR = VAR_DIR / "celery"
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=_REDIS_URL or "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    for _sub in ("queue", "processed", "control"):
        (_CELERY_DIR / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_CELERY_DIR / "queue"),
        "data_folder_out": str(_CELERY_DIR / "queue"),
        "processed_folder": str(_CELERY_DIR / "processed"),
        "control_folder": str(_CELERY_DIR / "control"),
        "store_processed": False,
    }
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # A message taken by a worker that died before acknowledging it (acks_late) goes back to
    # the queue after this many seconds. It must exceed the longest task, or a task still
    # running would be handed to a second worker as well; the tasks are idempotent anyway.
    _VISIBILITY = env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": _VISIBILITY,
        # Look for such messages every tenth of the timeout (kombu's default: every 100 s).
        "unacked_restore_interval": max(1, min(60, _VISIBILITY // 10)),
        "unacked_restore_throttle": 1,
    }
# The shared cache: Redis when there is one (rendered pages, core/pagecache.py, and API
# throttling), with short timeouts so a Redis outage slows no page; otherwise per process.
_CACHE_URL = env("CACHE_URL", default=_REDIS_URL)  # its own Redis for a large deployment
if _CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _CACHE_URL,
            "KEY_PREFIX": "emenscr",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
# Rendered pages are kept until any data changes, at most this long; 0 turns it off (it needs
# a cache every process shares).
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=600 if _CACHE_URL else 0)
CELERY_RESULT_BACKEND = env(
    "CELERY_RESULT_BACKEND", default=_REDIS_URL or f"file://{_CELERY_DIR / 'results'}"
)
if CELERY_RESULT_BACKEND.startswith("file://"):
    (_CELERY_DIR / "results").mkdir(parents=True, exist_ok=True)
CELERY_TASK_ALWAYS_EAGER = False
# Late acknowledgement: a worker killed mid-task leaves the message for the next one.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict = {
    "email-pending-notifications": {
        "task": "workflow.tasks.email_pending_notifications",
        "schedule": 5 * 60,
    },
    # Linkage scores of projects changed since they were scored (a rescore message was lost).
    "linkage-rescore-stale": {
        "task": "linkage.tasks.rescore_stale",
        "schedule": 15 * 60,
    },
    # Progress-report reminders, every morning (each period and stage is e-mailed only once).
    "progress-reminders": {
        "task": "progress.tasks.send_progress_reminders",
        "schedule": crontab(hour=7, minute=30),
    },
    # The batch checks of every project, nightly; each agency gets one digest of what is new.
    "checks-nightly": {"task": "checks.tasks.run_checks", "schedule": crontab(hour=2, minute=0)},
    "purge-expired-reports": {"task": "reports.tasks.purge_expired_reports", "schedule": 60 * 60},
}

# Progress reports are due this many days after their quarter ends (closing reports: after
# the project ends); reminders start this many days before the deadline.
PROGRESS_REPORT_DUE_DAYS = env.int("PROGRESS_REPORT_DUE_DAYS", default=30)
PROGRESS_REMINDER_DAYS_BEFORE = env.int("PROGRESS_REMINDER_DAYS_BEFORE", default=7)

# The REST API (api/): JSON only, session or per-user token, one error body, the same filters
# and pagination on every list. Language: Accept-Language under these paths (core.middleware).
LANGUAGE_FROM_HEADER_PATHS = ("/api/",)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pagination",
    "DEFAULT_SCHEMA_CLASS": "api.schema.ApiAutoSchema",
    "EXCEPTION_HANDLER": "api.exceptions.handle",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "eMENSCR-OSS API",
    "DESCRIPTION": "Projects, agencies and the national strategy hierarchy for agencies' own "
    "systems. Dates are ISO 8601 (Common Era); fiscal years are Buddhist-era integers.",
    "VERSION": "1",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "AgencyKindEnum": "agencies.models.Agency.Kind",
        "NodeKindEnum": "strategy.models.Kind",
        "ProjectKindEnum": "projects.models.Project.Kind",
        "KPIKindEnum": "projects.models.KPI.Kind",
        "ProgressReportKindEnum": "progress.models.ProgressReport.Kind",
        "ProjectActionEnum": "api.serializers.PROJECT_ACTIONS",
        "ReviewedActionEnum": "api.serializers.REVIEWED_ACTIONS",
    },
}
# Finished report files stay downloadable this many days.
REPORT_TTL_DAYS = env.int("REPORT_TTL_DAYS", default=7)

ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000  # long project forms with many rows

# Import of strategy files through the admin.
STRATEGY_IMPORT_MAX_BYTES = env.int("STRATEGY_IMPORT_MAX_BYTES", default=5 * 1024 * 1024)
STRATEGY_IMPORT_MAX_ROWS = env.int("STRATEGY_IMPORT_MAX_ROWS", default=20_000)
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}

# Content security policy: scripts, styles and images only from this site (every asset is
# served locally), no framing, forms post only here.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        # Inline style attributes (htmx swaps, the admin) are harmless; inline scripts are not.
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

if not DEBUG:
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"
if env.bool("HTTPS", default=False):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

"""Settings shared by every environment; values come from the environment (12-factor)."""

from datetime import timedelta
from pathlib import Path

import environ
import plotly
from csp.constants import NONE, SELF, UNSAFE_HASHES

BASE_DIR = Path(__file__).resolve().parents[2]

env = environ.Env()

SECRET_KEY = env("SECRET_KEY", default="")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "config.staticfiles.PulseStaticFilesConfig",
    "rest_framework",
    "rest_framework_api_key",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    "survey",
    "analytics",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise: the policies describe pages; a static file needs none.
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "survey.middleware.AuditActorMiddleware",
    "survey.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into its lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
            ],
        },
    },
]

# SQLite is the embedded default; DATABASE_URL switches to PostgreSQL.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
# A kept connection is checked before a request reuses it: after the database restarts, the
# first request of each process reconnects instead of failing on the dead connection.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Sessions live in a signed cookie: the server keeps no per-visitor row that could be
# matched against a response.
SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# A survey link must never leak to another site through the Referer header ("no-referrer"
# would make browsers send "Origin: null" on our own forms and fail the CSRF check).
SECURE_REFERRER_POLICY = "same-origin"
# SecurityMiddleware's defaults, written out because tests/test_security_headers.py holds us to them:
# no MIME sniffing of a CSV or JSON answer, and no window opened from another site keeps a handle on
# ours (the API docs are served by SpectacularSwaggerSplitView, which does not lower it).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content-Security-Policy (django-csp 4.x). Every script and stylesheet of every page (survey, HR
# dashboard, admin, API docs) is a file under /static/: no page has an inline script, a <style>
# block or a style="" attribute, so no nonce is needed (and none could be: the survey's questions
# fragment is cached per process, and a nonce in it would be another request's). Our charts give
# Plotly no <b> or other styled rich text, which it would draw as style="" attributes.
# The one exception is what plotly.min.js does by itself (tests/test_csp_browser.py and the
# journeys' CspWatch fail on any violation), admitted by hash, so by exact content only:
# - EMPTY: Plotly adds its rules (hover labels, mode bar, drag cursors) by creating an *empty*
#   <style> element and filling its sheet with insertRule() (Lib.addStyleRule); the rules go through
#   the CSSOM, which CSP does not govern. Its colour bars reset their fill with style="" (empty).
#   This is the SHA-256 of the empty string: no <style> or style="" with any content gets in.
# - MAPLIBRE: the full bundle injects MapLibre's stylesheet at load, for map traces, which Pulse does
#   not draw. Refused, it would change nothing but log a violation on every chart page, hiding real
#   ones. Its hash follows the bundle's version: tests/test_security_headers.py recomputes it.
PLOTLY_EMPTY_STYLE = "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"
PLOTLY_MAPLIBRE_STYLE = "'sha256-ji27qzEtxXZW+7dun6UwjHXJ18e6WAin1VvNtkzIE/o='"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        # The -elem and -attr directives take precedence in every current browser; an older one
        # falls back to style-src 'self' (Plotly's hover and mode-bar rules then go missing).
        "style-src": [SELF],
        "style-src-elem": [SELF, PLOTLY_EMPTY_STYLE, PLOTLY_MAPLIBRE_STYLE],
        # 'unsafe-hashes' lets a hash match an attribute; the only hash here is the empty one.
        "style-src-attr": [UNSAFE_HASHES, PLOTLY_EMPTY_STYLE],
        # data: for the favicon placeholder (templates/base.html) and the icons inlined in Swagger UI's
        # stylesheet; blob: for Plotly's PNG export, which draws the chart's SVG from a blob: URL into
        # a canvas (Snapshot.svgToImg) before the download.
        "img-src": [SELF, "data:", "blob:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# Pulse uses none of these browser features; a page injected into ours cannot ask for them either.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
}

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Paris"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
# Plotly's JavaScript is served from our own static files (no CDN): the copy that ships with the
# pinned Python package, so the charts and the server always agree on the version.
STATICFILES_DIRS = [BASE_DIR / "static", ("plotly", Path(plotly.__file__).parent / "package_data")]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# HR signs in to the dashboard (analytics/dashboard); employees never sign in, they follow links.
LOGIN_URL = "dashboard:login"
LOGIN_REDIRECT_URL = "dashboard:home"
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
# Failed sign-ins (dashboard and admin) are throttled by django-axes: after 5 failures for one
# user name from one address, that pair waits 15 minutes. Attempts live in the cache only (they
# expire with the cool-off), so no table keeps HR's addresses; a success forgets the failures.
AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "dashboard/locked.html"
AXES_VERBOSE = False

REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    CELERY_BROKER_URL = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
else:
    # Embedded mode: no broker, tasks run in-process right after the request's commit.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # A hostname, though the memory transport ignores it: without one kombu warns, with a timestamp,
    # when the first submission after a start queues its aggregation.
    CELERY_BROKER_URL = "memory://localhost/"
    CELERY_TASK_ALWAYS_EAGER = True
    # django-axes counts failed sign-ins in this per-process cache: right for the embedded mode's
    # single runserver process (with several processes, set REDIS_URL so that they share counts).
    SILENCED_SYSTEM_CHECKS = ["axes.W001"]
# Per process, whatever the mode: fragments that only change with a deploy (the questions of a
# frozen survey), so that no shared cache ever serves a previous release's HTML.
CACHES["local"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pulse-local"}
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Acknowledged on receipt by default: a task that is not safe to run twice must never be run
# again. The idempotent ones (analytics.tasks) ask for acks_late and reject_on_worker_lost
# themselves, so that a worker killed mid-run hands its task back instead of losing it.
CELERY_TASK_ACKS_LATE = False
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
# A task whose worker died before acknowledging it (acks_late) is handed out again after this
# long: more than the task time limit and any countdown, so that a task still running or waiting
# is not handed out twice. A pool process killed alone is requeued at once (reject_on_worker_lost).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=900)}
CELERY_BEAT_SCHEDULE = {
    # The safety net for every lost trigger: a dead worker, a broker that was down at submission.
    "aggregate-open-waves": {
        "task": "analytics.tasks.aggregate_open_waves",
        "schedule": env.float("PULSE_SWEEP_SECONDS", default=180.0),
    },
}

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "EXCEPTION_HANDLER": "config.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        # Per API key (analytics.api.authentication.APIKeyThrottle). Submissions are throttled by
        # survey/throttling.py instead (PULSE_THROTTLE_RATES): never per address for valid links.
        "api_key": env("API_KEY_THROTTLE_RATE", default="6000/minute"),
    },
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Pulse API",
    "DESCRIPTION": "Anonymous AI-at-work pulse surveys: submission and disclosure-controlled aggregates.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from our own static files: pages must work with no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No "valid" badge: Swagger UI would send our schema's address to validator.swagger.io, and
    # load the badge from there (which the Content-Security-Policy refuses anyway).
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "COMPONENT_SPLIT_REQUEST": True,
    "TAGS": [
        {"name": "submission", "description": "Public: answering a survey."},
        {"name": "figures", "description": "Published, disclosure-controlled aggregates (any key)."},
        {"name": "teams", "description": "The team tree; writes need an `admin` key."},
        {"name": "surveys", "description": "Questionnaires, their dimensions and questions."},
        {"name": "waves", "description": "Survey waves; writes and links need an `admin` key."},
    ],
}

# Pulse's own knobs.
PULSE_PUBLIC_URL = env("PULSE_PUBLIC_URL", default="http://127.0.0.1:8000")
PULSE_MAX_TEXT_LENGTH = 2000
# The largest JSON body POST /api/v1/submit/ reads (survey/parsers.py): a full answer set with two
# 2,000-character comments, every character escaped as a surrogate pair, is under 50 kB.
PULSE_SUBMIT_MAX_BYTES = 256 * 1024
# Survey links are throttled on what abuse looks like (survey/throttling.py), per client address:
# refused submissions, and answers through one open link. A valid single-use link never is.
PULSE_THROTTLE_RATES = {
    "failures": env("PULSE_FAILURE_RATE", default="100/minute"),
    "open_link": env("PULSE_OPEN_LINK_RATE", default="60/minute"),
}
PULSE_THROTTLE_CACHE = "default"
# How many reverse proxies (nginx, a load balancer) stand in front of gunicorn, each appending to
# X-Forwarded-For. 0: the client is the peer address. Too high, and clients forge their address.
PULSE_TRUSTED_PROXIES = env.int("PULSE_TRUSTED_PROXIES", default=0)
# Collection calls the scrubber through this name, so survey/ never imports analytics/.
PULSE_COMMENT_SCRUBBER = "analytics.comments.scrub"
PULSE_AGGREGATE_DEBOUNCE_SECONDS = env.int("PULSE_AGGREGATE_DEBOUNCE_SECONDS", default=15)
# At most one aggregation of a wave per this many seconds while batches keep filling (a rush).
PULSE_AGGREGATE_MIN_INTERVAL_SECONDS = env.int("PULSE_AGGREGATE_MIN_INTERVAL_SECONDS", default=2)
# The participation rate (%) the overview's bar chart draws its target line at.
PULSE_PARTICIPATION_TARGET = env.int("PULSE_PARTICIPATION_TARGET", default=70)
# The survey link's secret rides in its own signed cookie (survey/views.py): sent to the survey
# pages only, refused after this age, deleted at submission. HR's admin session is not affected.
PULSE_SURVEY_COOKIE_SECONDS = env.int("PULSE_SURVEY_COOKIE_SECONDS", default=2 * 60 * 60)
PULSE_SURVEY_COOKIE_SECURE = False  # True in production (HTTPS only)

# Respondents' requests leave no line (config/logging.py says which paths are theirs); every
# other line has link secrets redacted. Filters run in order: skipping needs the request.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "skip_employee_requests": {"()": "config.logging.SkipEmployeeRequestsFilter"},
        "redact_tokens": {"()": "config.logging.RedactTokensFilter"},
    },
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["skip_employee_requests", "redact_tokens"],
        },
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.request": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}
if CELERY_TASK_ALWAYS_EAGER:
    # Embedded mode runs the aggregation inside the employee's request: Celery's "Task ...
    # succeeded" line would be one timestamped line per submission. Failures still log.
    LOGGING["loggers"]["celery.app.trace"] = {"level": "WARNING"}

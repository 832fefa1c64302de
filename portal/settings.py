"""Settings, read from the environment (see README "Configuration").

With nothing set the portal runs on SQLite with tasks executed in-process;
DATABASE_URL and REDIS_URL switch it to PostgreSQL and a real Celery worker.
"""
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from core.env import env_bool, env_int, env_list, env_rate, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "insecure-development-key-only-used-with-DEBUG-on"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# Demo users (and their well-known password) exist only in demo mode.
DEMO_MODE = env_bool("DEMO_MODE", DEBUG)
DEMO_PASSWORD = env_str("DEMO_PASSWORD") or "harm-demo-2026"
if DEMO_MODE and not DEBUG:
    raise ImproperlyConfigured("DEMO_MODE needs DEBUG on: demo users never exist in production")

INSTALLED_APPS = [
    # SimpleAdminConfig: no autodiscover, so django-leaflet's admin module
    # (which imports GeoDjango and therefore GDAL) is never loaded.
    "django.contrib.admin.apps.SimpleAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "guardian",
    "leaflet",
    "csp",
    # Before core: its failed-login receiver runs first, so the audit receiver sees the lockout.
    "axes",
    # The project's layers, lowest first (each imports only those above it in this list).
    "core",
    "sectors",
    "records",
    "nominals",
    "scoring",
    "tasking",
    "ingestion",
    "pages",
    "api",
    "portal",
]

MIDDLEWARE = [
    "core.middleware.RequestBodyLimitMiddleware",  # first: refuses an over-size body before anything reads it
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.SessionMaxAgeMiddleware",  # before anything that acts for the user
    "core.middleware.DenialAuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "pages.middleware.ErrorPagesMiddleware",  # after messages: its pages render base.html
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "core.middleware.CurrentRequestMiddleware",
    "core.admin_access.AdminNotFoundMiddleware",
    "axes.middleware.AxesMiddleware",  # turns a lockout into the locked-out page
    "core.replica.ReplicaReadsMiddleware",  # last: around the view only
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "pages.context_processors.role_flags",
                "pages.context_processors.failed_scoring_runs",
            ],
        },
    },
]

DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["OPTIONS"] = {"timeout": 30}
# A PostgreSQL streaming replica for the pages' reads (core.replica says what goes there). In the
# test suite it is the test database's mirror, and REPLICA_READS is off except where a test turns it on.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["core.replica.ReplicaRouter"]
REPLICA_READS = env_bool("REPLICA_READS", bool(DATABASE_REPLICA_URL))
if REPLICA_READS and not DATABASE_REPLICA_URL:
    raise ImproperlyConfigured("REPLICA_READS needs DATABASE_REPLICA_URL")
REPLICA_PIN_SECONDS = env_int("REPLICA_PIN_SECONDS", 10)  # a browser reads from the primary this long after a change
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out login before the password is checked
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user row; anonymous users see nothing.
CSRF_FAILURE_VIEW = "pages.views.errors.csrf_failure"
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"
# Login lockout (django-axes): 5 failed logins lock the username, and the client address, for
# 15 minutes from the failure that locked them (failures while locked do not extend it).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "core.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "core.lockout.client_ip"
AXES_ENABLE_ADMIN = False
# Reverse proxies in front of the portal that append to X-Forwarded-For (0: REMOTE_ADDR is the client).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# A session ends after SESSION_IDLE_SECONDS without a request, SESSION_MAX_SECONDS after login
# however active, and when the browser closes. core.middleware.SessionMaxAgeMiddleware enforces the
# maximum and renews the idle expiry at most once a minute (instead of SESSION_SAVE_EVERY_REQUEST,
# a database write on every request).
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_MAX_SECONDS = env_int("SESSION_MAX_SECONDS", 12 * 3600)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "first_name", "last_name", "email")},
    },
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "core.passwords.NotTheDemoPasswordValidator"},  # outside demo mode
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or BASE_DIR / "media")
MEDIA_URL = "/media-not-served/"  # uploads are only ever served through audited views

# Uploads: checked against this limit before any parsing (HTTP 413 above it).
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 50 * 1024 * 1024)
# Above, RequestBodyLimitMiddleware refuses any body over UPLOAD_MAX_BYTES + 64 KB. A body other
# than a file (form fields) larger than this is refused; files over this go to a temporary file.
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# Celery: a real worker on Redis when REDIS_URL is set, otherwise in-process.
REDIS_URL = env_str("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True  # a worker killed mid-task leaves the message for another
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BEAT_SCHEDULE = {
    "dispatch-outbox": {"task": "ingestion.tasks.dispatch_pending", "schedule": 30.0},
    "dispatch-scoring-runs": {"task": "scoring.tasks.dispatch_pending", "schedule": 30.0},
    "verify-audit-trail": {"task": "core.tasks.audit_verify", "schedule": 3600.0},
    "record-partitions": {"task": "records.tasks.maintain_partitions", "schedule": 86400.0},
}
ADMINS = [(address, address) for address in env_list("ADMINS", [])]  # told when the audit trail is broken

# With Redis, a cache that answers a miss when Redis is unreachable (core/cache.py): the pages and
# ingest compute from the database instead of failing. Short timeouts: a down Redis costs a request
# at most one connect timeout.
CACHES = {
    "default": (
        {"BACKEND": "core.cache.FallbackRedisCache", "LOCATION": REDIS_URL,
         "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# How long the pages keep a computed figure, map layer or record page. Keys carry the latest upload
# and scoring run, so this bounds only changes made outside them (an admin edit of a membership).
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 300)
# The co-offending network (page, exports, API) shows at most this many nominals, those with the most
# linked harm, and says so: betweenness grows with nominals x links. 0: no cap.
NETWORK_MAX_NODES = env_int("NETWORK_MAX_NODES", 500)

REST_FRAMEWORK = {
    # Sessions for the browser; hashed tokens (api.models.ApiToken) for machine clients. Sessions first:
    # a client sending neither gets 403, as before; a bad token gets 403 too, never a hint which part failed.
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication",
                                       "api.authentication.HashedTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.MaySeeRankings"],
    "DEFAULT_SCHEMA_CLASS": "api.schema.PortalAutoSchema",  # adds the 400/403/404/429 answers
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pagination",  # ?limit=&offset=, 100 by default
    # JSON only: DRF's browsable pages set inline styles the Content-Security-Policy refuses. For a
    # browser, /api/ is a page of the portal listing the endpoints and /api/docs/ the schema in words.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # Per user and scope (api.throttles): file uploads, searches of the raw records and of nominals.
    "DEFAULT_THROTTLE_RATES": {"uploads": env_rate("API_UPLOAD_RATE", "60/hour"),
                               "records": env_rate("API_RECORDS_RATE", "120/minute"),
                               "nominal_search": env_rate("API_SEARCH_RATE", "60/minute")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "SOC harm portal API",
    "DESCRIPTION": "Harm rankings, areas and records for other force systems.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["api.permissions.MaySeeRankings"],
    # Request bodies apart from responses: a file field is then binary in the request (the upload).
    "COMPONENT_SPLIT_REQUEST": True,
}

# Map tiles are optional: pages must work without them (closed networks).
MAP_TILES_URL = env_str("MAP_TILES_URL", "")
LEAFLET_CONFIG = {
    "DEFAULT_CENTER": (55.0, -1.7),
    "DEFAULT_ZOOM": 9,
    "MIN_ZOOM": 6,
    "MAX_ZOOM": 18,
    "TILES": [("Map", MAP_TILES_URL, {"attribution": env_str("MAP_TILES_ATTRIBUTION", "")})] if MAP_TILES_URL else [],
    "RESET_VIEW": False,
    "NO_GLOBALS": False,
}



def content_security_policy(tiles_url: str) -> dict:
    """Only the portal's own files (Leaflet included), no inline script or style; map tiles from
    the origin of MAP_TILES_URL when one is set (Leaflet draws its vectors as SVG, data: images)."""
    images = [SELF, "data:"]
    if tiles_url:
        parts = urlsplit(tiles_url)
        images.append(f"{parts.scheme}://{parts.netloc.replace('{s}', '*')}")  # {s}: Leaflet's subdomains
    return {"DIRECTIVES": {
        "default-src": [SELF], "script-src": [SELF], "style-src": [SELF], "img-src": images,
        "connect-src": [SELF], "font-src": [SELF], "object-src": [NONE], "base-uri": [SELF],
        "form-action": [SELF], "frame-ancestors": [NONE],
    }}


CONTENT_SECURITY_POLICY = content_security_policy(MAP_TILES_URL)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

if not DEBUG:
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"

# HTTPS, normally ended at a reverse proxy (README "Security"). Each from the variable of its name.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # a load balancer's plain-HTTP health check
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
# "HEADER,value": the header the proxy sets, and its value on a request that came in over HTTPS.
_proxy_ssl_header = env_list("SECURE_PROXY_SSL_HEADER", [])
if _proxy_ssl_header and len(_proxy_ssl_header) != 2:
    raise ImproperlyConfigured("SECURE_PROXY_SSL_HEADER must be HEADER,value, e.g. HTTP_X_FORWARDED_PROTO,https")
SECURE_PROXY_SSL_HEADER = tuple(_proxy_ssl_header) or None

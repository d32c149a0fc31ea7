"""Settings for 廉政风险防范管理系统.

Configuration comes only from the environment (DESIGN §6):

- ``DJANGO_DEBUG``          "1" for development (``make demo``, tests); anything else is production.
- ``DJANGO_SECRET_KEY``     required in production.
- ``DJANGO_ALLOWED_HOSTS``  comma-separated host names.
- ``DATABASE_URL``          ``sqlite:///path`` or ``postgres://user@host:port/name``; default a SQLite file.
- ``DJANGO_LOGIN_MAX_FAILURES`` (5), ``DJANGO_LOGIN_MAX_FAILURES_PER_ADDRESS`` (20),
  ``DJANGO_LOGIN_MAX_FAILURES_PER_NAME`` (50), ``DJANGO_LOGIN_FAILURE_WINDOW`` (900 s): the login throttle.
- ``LIANZHENG_TRUSTED_PROXIES`` how many reverse proxies append to X-Forwarded-For (default 0: not believed).
- ``REDIS_URL``             Celery broker; absent = tasks run in-process (eager).
- ``REDIS_CACHE_URL``       the cache, a Redis database apart from the broker's; default ``REDIS_URL`` with the next
                            database number (``redis://host:6379/0`` → ``/1``). No Redis at all = a per-process cache.
                            Pages answer from the database when it is unreachable.
- ``LIANZHENG_RELEASE``     the release name carried by every cache key (a deploy never reads its predecessor's
                            entries); default the git commit, else a digest of the installed code and templates.
- ``EMAIL_URL``             ``smtp://user:password@host:port`` (``smtps://`` for TLS); or the usual ``EMAIL_*``.
- ``DJANGO_DATA_DIR``       where uploads and generated files live (outside the web root); default ``./var``.
- ``DJANGO_SITE_URL``       absolute address used in e-mails, default ``http://127.0.0.1:8000``.
- ``LIANZHENG_AUDIT_KEY``   the audit chain's HMAC key (at least 32 characters), apart from DJANGO_SECRET_KEY;
                            required in production. ``LIANZHENG_AUDIT_OLD_KEYS``: retired keys, comma-separated.
"""

import os
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


TESTING = "pytest" in sys.modules or sys.argv[1:2] == ["test"]
DEBUG = env_bool("DJANGO_DEBUG", default=False)

# Without DJANGO_SECRET_KEY a development key is used so that management commands work anywhere;
# its "django-insecure-" prefix makes `check --deploy` fail, so it cannot slip into production unnoticed.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or "django-insecure-dev-only-key-for-demo-and-tests-0123456789abcdef"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" if (DEBUG or TESTING) else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("DJANGO_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

DATA_DIR = Path(os.environ.get("DJANGO_DATA_DIR", BASE_DIR / "var"))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "template_partials",
    "csp",
    "rules.apps.AutodiscoverRulesConfig",
    "django_filters",
    "simple_history",
    "django_celery_beat",
    "lianzheng",
    "units",
    "risks",
    "measures",
    "reviews",
    "devdata",  # demo data and the synthetic campus (seed_demo, generate_dataset); no app imports it
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "lianzheng.wsgi.application"

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
                "portal.context_processors.frame",
                "units.context_processors.campaign",
            ],
            "builtins": ["template_partials.templatetags.partials"],
        },
    }
]
# django-template-partials wraps the loaders itself when listed in INSTALLED_APPS.

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        # Persistent connections (checked before reuse): a new PostgreSQL connection per request, with its cold
        # catalogue caches, cost more than many a page's own queries (docs/benchmarks.md).
        # (Not under pytest: a thread's kept connection would stop the test database from being dropped.)
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "0" if TESTING else "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take the write lock up front, so two writers queue instead of deadlocking.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "units.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
# Login throttling: this many failures for one user name or one client address within the window lock it out.
LOGIN_MAX_FAILURES = int(os.environ.get("DJANGO_LOGIN_MAX_FAILURES", "5"))
LOGIN_FAILURE_WINDOW_SECONDS = int(os.environ.get("DJANGO_LOGIN_FAILURE_WINDOW", "900"))
# One address guessing many names, and one name guessed from many addresses (lianzheng.forms.login_keys).
LOGIN_MAX_FAILURES_PER_ADDRESS = int(os.environ.get("DJANGO_LOGIN_MAX_FAILURES_PER_ADDRESS", "20"))
LOGIN_MAX_FAILURES_PER_NAME = int(os.environ.get("DJANGO_LOGIN_MAX_FAILURES_PER_NAME", "50"))
# How many reverse proxies in front of the app append to X-Forwarded-For (0: the header is not believed).
LIANZHENG_TRUSTED_PROXIES = int(os.environ.get("LIANZHENG_TRUSTED_PROXIES", "0"))

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": DATA_DIR / "media"}},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if (DEBUG or TESTING)
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Uploaded files are never served from a URL of their own: views check permission and stream them.
MEDIA_ROOT = DATA_DIR / "media"
# No URL pattern serves this prefix; it is set only because Django's test live server expects a string.
MEDIA_URL = "/private-media/"
UPLOAD_MAX_BYTES = int(os.environ.get("DJANGO_UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)))
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Celery --------------------------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"


def _test_cache_url(url: str) -> str:
    """Under pytest, each test process caches in a Redis database of its own, after the broker's: tests empty the
    cache (FLUSHDB) and assert on what it keeps, which must touch neither the queued tasks nor another process."""
    parts = urlsplit(url)
    broker_db = int(parts.path.strip("/") or 0)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw-1")[2:]
    offset = int(worker) + 2 if worker.isdigit() else 1
    return parts._replace(path=f"/{(broker_db + offset) % 16}").geturl()


def _other_db(url: str, offset: int = 1) -> str:
    """The same Redis server, another database: the cache never shares the broker's (a FLUSHDB empties no queue)."""
    parts = urlsplit(url)
    broker_db = int(parts.path.strip("/") or 0)
    return parts._replace(path=f"/{(broker_db + offset) % 16}").geturl()


# The cache: its own Redis database (REDIS_CACHE_URL, default the broker's server, next database), keys under the
# release (LIANZHENG_RELEASE, default the git commit or a digest of the code), and a backend that answers misses when
# Redis is unreachable (lianzheng/cache.py): no page needs Redis. Sessions, messages and rate limits use the database.
REDIS_CACHE_URL = os.environ.get("REDIS_CACHE_URL", "") or (_other_db(REDIS_URL) if REDIS_URL else "")
if REDIS_CACHE_URL:
    from lianzheng.cache import release_id

    LIANZHENG_RELEASE = os.environ.get("LIANZHENG_RELEASE", "") or release_id(BASE_DIR)
    CACHES = {
        "default": {
            "BACKEND": "lianzheng.cache.DegradingRedisCache",
            "LOCATION": _test_cache_url(REDIS_URL) if TESTING and REDIS_URL else REDIS_CACHE_URL,
            "KEY_PREFIX": f"lz:{LIANZHENG_RELEASE}",
        }
    }
else:
    LIANZHENG_RELEASE = os.environ.get("LIANZHENG_RELEASE", "dev")
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SESSION_ENGINE = "django.contrib.sessions.backends.db"
MESSAGE_STORAGE = "django.contrib.messages.storage.fallback.FallbackStorage"

# --- E-mail --------------------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "廉政风险防范管理系统 <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_URL = os.environ.get("EMAIL_URL", "")
if EMAIL_URL:
    _email = urlsplit(EMAIL_URL)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _email.hostname or "localhost"
    EMAIL_PORT = _email.port or (465 if _email.scheme == "smtps" else 25)
    EMAIL_HOST_USER = unquote(_email.username or "")
    EMAIL_HOST_PASSWORD = unquote(_email.password or "")
    EMAIL_USE_SSL = _email.scheme == "smtps"
    EMAIL_USE_TLS = _email.scheme == "smtp+tls"
elif os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# --- Security ------------------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie; kept default for admin.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG and not TESTING:
    # Behind the school's reverse proxy, which terminates TLS and sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# A strict policy: no inline script or style anywhere; every asset is served from this site.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO"},
        # WeasyPrint reports a missing font or image only here; never let that pass silently.
        "weasyprint": {"handlers": ["console"], "level": "WARNING"},
        "lianzheng": {"handlers": ["console"], "level": "INFO"},
    },
}

# --- Application settings -------------------------------------------------------------------------------
LIANZHENG = {
    "SYSTEM_NAME": _("廉政风险防范管理系统"),
    "SCHOOL_NAME": os.environ.get("LIANZHENG_SCHOOL_NAME", "江西农业大学"),
}

# The audit chain's HMAC key (README "Audit chain key"). Development and tests fall back to a fixed key, which the
# system check (lianzheng/checks.py) refuses with DEBUG off; retired keys still verify the events made under them.
LIANZHENG_AUDIT_KEY = os.environ.get("LIANZHENG_AUDIT_KEY", "") or (
    "insecure-development-audit-key-for-demo-and-tests" if (DEBUG or TESTING) else ""
)
LIANZHENG_AUDIT_OLD_KEYS = env_list("LIANZHENG_AUDIT_OLD_KEYS")

if DEBUG or TESTING:
    # Serve static files straight from the app folders (no collectstatic needed for demo and tests).
    WHITENOISE_USE_FINDERS = True
    WHITENOISE_AUTOREFRESH = True

if TESTING:
    # Hashing cost is irrelevant in tests and dominates their time; never applies outside pytest.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

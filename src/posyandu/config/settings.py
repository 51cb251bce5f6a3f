"""One settings module, driven by the environment.

- ``DATABASE_URL``: PostgreSQL (``postgresql://user@host:5432/db``) or any
  dj-database-url URL; unset = SQLite ``posyandu.sqlite3`` in the working
  directory, so every ``posyandu`` command run from one folder shares data.
- ``POSYANDU_SECRET_KEY``: required when ``POSYANDU_DEBUG`` is off: the WSGI
  module and ``posyandu serve`` refuse the built-in key (see
  ``secret_key_problem``); ``posyandu demo`` keeps its own in
  ``posyandu-demo.key``; tests run on the built-in one.
- ``POSYANDU_DEBUG``: ``1`` to enable Django debug pages.
- ``POSYANDU_ALLOWED_HOSTS``: comma-separated host names.
- ``POSYANDU_HTTPS``: ``1`` behind a TLS proxy: secure cookies, trust
  ``X-Forwarded-Proto``; then ``POSYANDU_SSL_REDIRECT`` and
  ``POSYANDU_HSTS_SECONDS``.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent.parent


def _env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, "1" if default else "0").strip().lower() in {"1", "true", "yes"}


# Public (it is in the source): fine for tests, never for a server anyone can
# reach, since whoever knows it can forge sessions and signed cookies.
INSECURE_DEFAULT_SECRET_KEY = "posyandu-insecure-local-key-change-me-for-any-real-deployment"
MIN_SECRET_KEY_LENGTH = 40
SECRET_KEY_ADVICE = (
    "set POSYANDU_SECRET_KEY to a long random value, e.g. the output of "
    'python -c "import secrets; print(secrets.token_urlsafe(50))"'
)


def secret_key_problem(secret_key: str, *, debug: bool) -> str | None:
    """Why ``secret_key`` must not serve requests, or None when it may.

    Not called here: tests import these settings with the built-in key. The
    WSGI module and ``posyandu serve`` call it before serving.
    """
    if debug:
        return None
    if secret_key == INSECURE_DEFAULT_SECRET_KEY:
        return f"POSYANDU_SECRET_KEY is not set (the built-in key is public); {SECRET_KEY_ADVICE}"
    if len(secret_key) < MIN_SECRET_KEY_LENGTH:
        return (
            f"POSYANDU_SECRET_KEY has only {len(secret_key)} characters "
            f"(at least {MIN_SECRET_KEY_LENGTH} needed); {SECRET_KEY_ADVICE}"
        )
    return None


DEBUG = _env_bool("POSYANDU_DEBUG")
SECRET_KEY = os.environ.get("POSYANDU_SECRET_KEY", INSECURE_DEFAULT_SECRET_KEY)
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("POSYANDU_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("POSYANDU_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "axes",
    "posyandu.core",
    "posyandu.areas",
    "posyandu.accounts",
    "posyandu.children",
    "posyandu.measurements",
    "posyandu.administration",
    "posyandu.campaigns",
    "posyandu.cadres",
    "posyandu.exchange",
    "posyandu.reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "posyandu.core.middleware.IndonesianFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "posyandu.core.middleware.SecurityHeadersMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "posyandu.accounts.middleware.ForcePasswordChangeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "posyandu.core.middleware.AuditContextMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "posyandu.config.urls"
WSGI_APPLICATION = "posyandu.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
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

# Connections stay open between requests, on SQLite too: a new SQLite
# connection costs about 3 ms (open, four PRAGMAs, Django's functions), a
# tenth of a visit's work in benchmarks/load_entry.py.
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{Path.cwd() / 'posyandu.sqlite3'}",
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the demo server read while a visit is being written.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    # Wait for a writer instead of failing at once when two phones save together.
    DATABASES["default"]["OPTIONS"]["timeout"] = 20
    # Tests use a real file too: an in-memory database shared between the live
    # server's threads locks whole tables ("database table is locked") where a
    # file in WAL mode, like production, just waits.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"posyandu-test-{os.getpid()}.sqlite3")
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# Argon2id at OWASP's minimum (19 MiB, 2 passes, 1 lane) rather than Django's
# 100 MiB x 8 lanes; older hashes upgrade at login. Why: accounts/hashers.py.
PASSWORD_HASHERS = [
    "posyandu.accounts.hashers.OwaspArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "administration:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sessions: a kader's phone is shared; expire after 8 idle hours and on close.
SESSION_COOKIE_AGE = int(os.environ.get("POSYANDU_SESSION_SECONDS", str(8 * 3600)))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
# Sent on every HTML page by posyandu.core.middleware.SecurityHeadersMiddleware.
# Scripts only from our own static files (htmx is vendored); inline style
# attributes stay allowed because the server-drawn SVG charts use them.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# Behind a TLS reverse proxy. The proxy must set (not pass through) the
# X-Forwarded-Proto header, or a client could claim HTTPS on plain HTTP.
BEHIND_HTTPS_PROXY = _env_bool("POSYANDU_HTTPS")
if BEHIND_HTTPS_PROXY:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = _env_bool("POSYANDU_SSL_REDIRECT")
    # Off by default: once a browser has seen it, the site cannot go back to
    # plain HTTP for that long.
    SECURE_HSTS_SECONDS = int(os.environ.get("POSYANDU_HSTS_SECONDS", "0"))

# Login rate limiting (django-axes): lock a username after 5 failures for 15 min,
# whatever addresses they came from (per username+IP, guesses spread over many
# addresses were never stopped). Not per IP alone: kader phones share carrier
# NAT addresses, and one kader's typos must not lock a whole district out. A
# Puskesmas lifts a lock early with accounts:unlock or `manage unlock_user`.
AXES_FAILURE_LIMIT = int(os.environ.get("POSYANDU_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("POSYANDU_LOGIN_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Makassar"
FORMAT_MODULE_PATH = ["posyandu.config.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("POSYANDU_STATIC_ROOT", Path.cwd() / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve straight from the app folders too, so a fresh checkout works without
# collectstatic (the demo still runs collectstatic for compression).
WHITENOISE_USE_FINDERS = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("POSYANDU_LOG_LEVEL", "WARNING")},
}

# e-PPGBM import from the web: the largest file accepted, and whether each
# check or import runs in a thread of the server while the page shows its
# progress (tests run it inline).
POSYANDU_IMPORT_MAX_MB = int(os.environ.get("POSYANDU_IMPORT_MAX_MB", "50"))
POSYANDU_IMPORT_IN_BACKGROUND = not _env_bool("POSYANDU_IMPORT_INLINE")
POSYANDU_IMPORT_PROGRESS_DIR = os.environ.get("POSYANDU_IMPORT_PROGRESS_DIR", "")

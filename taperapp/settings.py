"""Settings for the taper planner: one module, configured from the environment.

Defaults run locally with no set-up (SQLite, debug on). Production sets DJANGO_DEBUG=0, and then
SECRET_KEY and ALLOWED_HOSTS must be given or start-up stops with a clear message.
"""

import os
import warnings
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def envstr(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def envlist(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


DEBUG = envbool("DJANGO_DEBUG", True)

SECRET_KEY = envstr("SECRET_KEY")
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS")
if not DEBUG:
    missing = [
        name for name, value in (("SECRET_KEY", SECRET_KEY), ("ALLOWED_HOSTS", ALLOWED_HOSTS)) if not value
    ]
    if missing:
        raise SystemExit(
            f"Cannot start with DJANGO_DEBUG off: set {' and '.join(missing)} in the environment."
        )
else:
    SECRET_KEY = SECRET_KEY or "insecure-local-development-key-do-not-use-in-production"
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "testserver"]

CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "simple_history",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    *(["django_rq", "django_tasks_rq"] if envstr("REDIS_URL") else []),
    "schedules",
    "followup",
    # Security (accounts, audit trail, lockout, CSP): see the security block at the end.
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "accounts",
    "audit",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Which second factor verified this session (request.user.is_verified()).
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "audit.middleware.RecordRefusals",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Security: the CSP header, session rules (the second factor among them) and no-store, and the
    # lockout (axes last, as it asks).
    "csp.middleware.CSPMiddleware",
    "accounts.middleware.SessionPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "taperapp.urls"

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
            ],
        },
    },
]

WSGI_APPLICATION = "taperapp.wsgi.application"

# SQLite is embedded and needs no set-up; DATABASE_URL=postgres://... selects PostgreSQL.
DATABASES = {
    "default": dj_database_url.parse(
        envstr("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=envint("DATABASE_CONN_MAX_AGE", 60),
    )
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background tasks (Django's Tasks framework, through the django-tasks backport): the printed
# documents are rendered by a worker, never inside a request. The database backend needs no other
# server (`manage.py db_worker`); with REDIS_URL set, RQ in Redis carries them instead
# (`manage.py rqworker --job-class django_tasks_rq.Job`), for larger sites.
REDIS_URL = envstr("REDIS_URL")
if REDIS_URL:
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    RQ_QUEUES = {"default": {"URL": REDIS_URL}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "schedules:home"
LOGOUT_REDIRECT_URL = "/accounts/login/?signed_out=1"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = envstr("TIME_ZONE", "Europe/London")
# The market whose products `manage.py taper` plans with when --market is not given (US, UK or CA):
# a plan never mixes the products of two markets.
TAPER_DEFAULT_MARKET = envstr("TAPER_DEFAULT_MARKET", "UK").upper()
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

if DEBUG:
    # Locally whitenoise serves from static/ directly; collectstatic fills STATIC_ROOT for production.
    warnings.filterwarnings("ignore", message="No directory at")

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

SESSION_COOKIE_SECURE = not DEBUG and envbool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", False)
# The load balancer's health probe comes over plain HTTP, and /healthz carries no data.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0)
if envbool("TRUST_X_FORWARDED_PROTO", False):
    # Behind a TLS-terminating proxy that sets X-Forwarded-Proto (and strips it from clients).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"
# Bounded work per request: a body or query string past these is refused with a 400 (saying which
# limit, taperapp.errors.bad_request) before any form is built. The largest form served (a check-in
# with its scale's items, or a group's permissions in the admin) sends well under 300 fields and a
# few kilobytes; nothing is uploaded.
DATA_UPLOAD_MAX_NUMBER_FIELDS = envint("DATA_UPLOAD_MAX_NUMBER_FIELDS", 500)
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("DATA_UPLOAD_MAX_MEMORY_SIZE", 512 * 1024)

# Follow-up check-ins: a rise of more than this many points in a patient's symptom total since their
# previous check-in suggests a hold. A local choice, not a published threshold (none exists for the
# shipped unvalidated checklist): set it for your service.
FOLLOWUP_SCORE_RISE_POINTS = envint("FOLLOWUP_SCORE_RISE_POINTS", 3)
# --- Security: sign-in, sessions, lockout, CSP, audit logging (accounts/ and audit/) -------------

# Argon2id first; the others stay so that older hashes still verify (and are upgraded on sign-in).
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Number of trusted proxies in front of the app that append to X-Forwarded-For (0: none, the
# client is REMOTE_ADDR). The same address goes to the audit trail and to the lockout.
TRUST_X_FORWARDED_FOR = envint("TRUST_X_FORWARDED_FOR", 0)

# Lockout (accounts.lockout.LockoutHandler): 5 failures lock a user name at one address, 50 lock
# the address for every name, for the cool-off time. Not the user name alone: that would let anyone
# lock a colleague out from anywhere; not 5 per address: that locks a whole clinic behind one NAT.
AXES_HANDLER = "accounts.lockout.LockoutHandler"
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_ADDRESS_FAILURE_LIMIT = envint("AXES_ADDRESS_FAILURE_LIMIT", 50)
AXES_COOLOFF_TIME = timedelta(minutes=envint("AXES_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "audit.addresses.client_address"
AXES_USERNAME_CALLABLE = "accounts.lockout.attempted_username"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_DISABLE_ACCESS_LOG = True  # the audit trail records sign-ins
AXES_VERBOSE = False

# Sessions: an idle timeout and an absolute lifetime, both checked on every request by
# accounts.middleware (which moves the idle clock, and so the session's expiry, on once a minute).
SESSION_IDLE_TIMEOUT_MINUTES = envint("SESSION_IDLE_TIMEOUT_MINUTES", 30)
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT_MINUTES * 60
SESSION_ABSOLUTE_LIFETIME_SECONDS = envint("SESSION_ABSOLUTE_LIFETIME_HOURS", 12) * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
if SESSION_COOKIE_SECURE:
    # __Host-: the browser only accepts them over HTTPS, for this exact host, on path /.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
# HSTS covers subdomains unless told otherwise; preloading is the domain owner's commitment to make.
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", False)
# The deployment check warns while preloading is off (security.W021), but preloading cannot be a
# default: once on the browsers' list a domain cannot easily leave it. Off is a choice, not an oversight.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content Security Policy: only this site's own files, no inline script or style, no plugins,
# never framed. Bootstrap draws its icons (menu, select arrow, check marks) as data: SVG images.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Two-factor sign-in for every role (OWASP ASVS 5.0, 6.3.3): after the password, an authenticator
# app's code (TOTP), a passkey (WebAuthn) or a recovery code, at every sign-in; enrolment is forced at
# the first one (accounts.middleware). A browser is remembered (no code asked for this many days)
# only when this is above 0.
TWO_FACTOR_REMEMBER_DAYS = envint("TWO_FACTOR_REMEMBER_DAYS", 0)
OTP_TOTP_ISSUER = "Taper planner"
OTP_TOTP_THROTTLE_FACTOR = 1  # seconds, doubled after each wrong code (django-otp)
OTP_STATIC_THROTTLE_FACTOR = 1
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Passkeys are a second factor after the password here, never a sign-in on their own.
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
OTP_WEBAUTHN_RP_NAME = "Taper planner"
OTP_WEBAUTHN_RP_ID_CALLABLE = "accounts.twofactor.relying_party_id"
# Passkeys are made and used on this site's own HTTPS origins (and http://localhost, for development:
# accounts.twofactor.PasskeyHelper).
OTP_WEBAUTHN_ALLOWED_ORIGINS = [f"https://{host.lstrip('.')}" for host in ALLOWED_HOSTS if host != "*"]
OTP_WEBAUTHN_HELPER_CLASS = "accounts.twofactor.PasskeyHelper"
OTP_WEBAUTHN_EXCEPTION_LOGGER_NAME = ""
# seed_demo's published passwords and authenticator secret exist only where debug is on.
DEMO_ACCOUNTS_ALLOWED = DEBUG

# E-mail: password reset exists only when a mail server is configured (else it would go nowhere).
EMAIL_HOST = envstr("EMAIL_HOST")
EMAIL_PORT = envint("EMAIL_PORT", 587)
EMAIL_HOST_USER = envstr("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = envstr("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "webmaster@localhost")
PASSWORD_RESET_ENABLED = bool(EMAIL_HOST)

# Logs go to stderr: server errors with their traceback (the line names the path only, never the
# query string or form data), and runserver's access lines without query strings (search terms).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"strip_query": {"()": "audit.logfilters.StripQueryString"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "stderr": {"class": "logging.StreamHandler", "formatter": "plain"},
        "access": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["strip_query"]},
    },
    "loggers": {
        "django.request": {"handlers": ["stderr"], "level": "ERROR", "propagate": False},
        "django.server": {"handlers": ["access"], "level": "INFO", "propagate": False},
    },
}

"""Chainward settings: one module, driven by environment variables.

Defaults give a zero-set-up instance (SQLite in WAL mode inside an instance folder);
`DATABASE_URL`, `CHAINWARD_PRODUCTION` and friends turn it into a production deployment.
"""

import importlib.util
import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

import bootstrap_wrapper
import dj_database_url
from csp.constants import NONCE, NONE, SELF

BASE_DIR = Path(__file__).resolve().parent


def envbool(name, default=False):
    """Read a yes/no environment variable."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def envint(name, default):
    """Read an integer environment variable."""
    return int(os.environ.get(name, default))


# The instance folder keeps everything that belongs to one installation and is never committed:
# the SQLite database, generated keys, uploaded files, import staging and job progress.
HOME = Path(os.environ.get("CHAINWARD_HOME", Path.cwd() / "var")).resolve()
HOME.mkdir(parents=True, exist_ok=True)


def instance_secret(name, *, length=50):
    """A secret from $NAME, from the file named by $NAME_FILE, or generated once into HOME."""
    if os.environ.get(name):
        return os.environ[name]
    if os.environ.get(f"{name}_FILE"):
        return Path(os.environ[f"{name}_FILE"]).read_text().strip()
    path = HOME / name.lower()
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(length))
    return path.read_text().strip()


PRODUCTION = envbool("CHAINWARD_PRODUCTION")
# Debug pages are opt-in (DEBUG=1) and never available in production mode.
DEBUG = envbool("DEBUG") and not PRODUCTION
SECRET_KEY = instance_secret("SECRET_KEY")
# The ledger key never lives in the database: someone who can edit rows cannot re-seal the chain.
LEDGER_KEY = instance_secret("LEDGER_KEY", length=48)
LEDGER_KEY_ID = os.environ.get("LEDGER_KEY_ID", "k1")
# The ledger head (seq and hash) is also written here after every committed append, so removing
# the last entries from the database is detected by `verify-ledger`. LEDGER_ANCHOR=off disables.
LEDGER_ANCHOR = (None if os.environ.get("LEDGER_ANCHOR", "").lower() == "off"
                 else Path(os.environ.get("LEDGER_ANCHOR") or HOME / "ledger-anchor.json"))

ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
# Links in e-mails and invitations. Unset, it is this machine on the PORT `chainward serve`
# listens on (`PORT=9000 make run` mails links to :9000, not :8000).
SITE_URL = os.environ.get("SITE_URL") or f"http://127.0.0.1:{os.environ.get('PORT') or 8000}"

INSTALLED_APPS = [
    "chainward.core",
    "chainward.access",
    # Single sign-on (access/sso): each organisation's OpenID Connect provider.
    "chainward.access.sso",
    "chainward.ledger",
    "chainward.jobs",
    "chainward.supplychain",
    "chainward.library",
    "chainward.documents",
    "chainward.compliance",
    "chainward.risk",
    "chainward.plans",
    "chainward.audits",
    "chainward.certification",
    "chainward.incidents",
    "chainward.fieldchecks",
    "chainward.context",
    "chainward.people",
    "chainward.notifications",
    "chainward.partners",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "template_partials",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "django_countries",
    # Two-step sign-in (access/mfa.py): authenticator apps (TOTP) and recovery codes (static).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # Security keys and passkeys (access/passkeys.py): WebAuthn credentials as django-otp devices.
    "django_otp_webauthn",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Every error under /api/ answers problem details (core/problems.py), whichever layer failed.
    "chainward.core.problems.ProblemDetailsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): the session's second step, checked against its device.
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "chainward.ledger.middleware.ActorMiddleware",
    "chainward.access.middleware.OrganisationMiddleware",
    "chainward.access.middleware.SessionActivityMiddleware",
    "chainward.access.middleware.PasswordChangeRequiredMiddleware",
    "chainward.access.middleware.TwoStepRequiredMiddleware",
]

ROOT_URLCONF = "chainward.urls"

# Natural Earth country outlines for the supply-chain map (supplychain/geography.py): TopoJSON
# from the npm package world-atlas, pinned in package.json and installed by `make`. Without the
# file the map is drawn without outlines.
COUNTRY_OUTLINES = os.environ.get(
    "CHAINWARD_COUNTRY_OUTLINES",
    str(BASE_DIR.parent.parent / "node_modules" / "world-atlas" / "countries-110m.json"))
WSGI_APPLICATION = "chainward.wsgi.application"
# Django's widget templates, with the select drawn without a template inclusion per option.
FORM_RENDERER = "chainward.core.renderers.FormRenderer"

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
                "csp.context_processors.nonce",
                "chainward.core.context_processors.navigation",
            ],
        },
    }
]

# --- Database -----------------------------------------------------------------------------------
if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": HOME / "chainward.sqlite3",
            "OPTIONS": {
                # IMMEDIATE takes the write lock at BEGIN, which serialises ledger appends and
                # avoids SQLITE_BUSY upgrades; WAL lets readers run beside the single writer.
                # A writer waits up to 20 s for the lock: long jobs (imports) write in
                # transactions of at most IMPORT_BATCH_SECONDS, so a wait that long means
                # something is wrong, and is reported ("database is locked") — but a loaded
                # machine that deschedules the lock holder must not turn into an error.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    # File-based by default so the web server and the worker share job progress; point
    # CACHE_URL-style settings at Redis when running several machines.
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(HOME / "cache"),
    }
}
if os.environ.get("REDIS_URL"):
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["REDIS_URL"],
    }

# --- Accounts and sessions ----------------------------------------------------------------------
AUTH_USER_MODEL = "access.User"
AUTHENTICATION_BACKENDS = ["chainward.access.backends.ScopedPermissionBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Login throttling (access/throttle.py), counted in the cache, never one ledger entry per failure.
# A client (address, or a browser that has logged in to the account before) is refused for an
# account after LOGIN_FAILURE_LIMIT failures; an address after LOGIN_ADDRESS_FAILURE_LIMIT
# failures on any accounts; an account, for browsers it has never been used from, after
# LOGIN_ACCOUNT_FAILURE_LIMIT failures from anywhere. Counts fade LOGIN_FAILURE_WINDOW seconds
# after the last failure.
LOGIN_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", 5)
LOGIN_ADDRESS_FAILURE_LIMIT = envint("LOGIN_ADDRESS_FAILURE_LIMIT", 20)
LOGIN_ACCOUNT_FAILURE_LIMIT = envint("LOGIN_ACCOUNT_FAILURE_LIMIT", 50)
LOGIN_FAILURE_WINDOW = envint("LOGIN_FAILURE_WINDOW", 15 * 60)
# Invitation links and password-reset links stay valid this long.
INVITATION_DAYS = envint("INVITATION_DAYS", 7)
PASSWORD_RESET_TIMEOUT = envint("PASSWORD_RESET_TIMEOUT", 24 * 60 * 60)
# Reverse proxies in front of the app servers that append the client's address to
# X-Forwarded-For (0: the client connects directly and REMOTE_ADDR is its address). With one
# nginx in front, 1. Never more than there really are: the client can write the header too.
TRUSTED_PROXIES = envint("TRUSTED_PROXIES", 0)
# A person's session list shows when each session was last seen, updated at most this often
# (seconds) so that ordinary requests write nothing.
SESSION_SEEN_SECONDS = envint("SESSION_SEEN_SECONDS", 60)
# API tokens expire after API_TOKEN_DAYS unless their owner chooses less (at most the maximum).
API_TOKEN_DAYS = envint("API_TOKEN_DAYS", 90)
API_TOKEN_MAX_DAYS = envint("API_TOKEN_MAX_DAYS", 365)
# Two-step sign-in (access/mfa.py). People holding one of these built-in roles (core/roles.py)
# in any organisation cannot use the app until they have set it up; an organisation may require
# it of everyone (Organisation.require_two_step). Names separated by commas in the environment.
MFA_REQUIRED_ROLES = tuple(
    name.strip() for name in os.environ.get(
        "MFA_REQUIRED_ROLES", "Administrator,Security manager").split(",") if name.strip())
MFA_RECOVERY_CODES = 10
# After a right password, the code must follow within this many seconds.
MFA_LOGIN_SECONDS = envint("MFA_LOGIN_SECONDS", 5 * 60)
# The name authenticator apps show next to the account; django-otp's throttle after a wrong code
# (1, 2, 4, 8 ... seconds times the factor) is its default.
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Chainward")
# Single sign-on (access/sso): seconds to wait for a provider's discovery, token and key endpoints.
SSO_HTTP_TIMEOUT = envint("SSO_HTTP_TIMEOUT", 10)
# Security keys and passkeys (access/passkeys.py). A key is bound to a domain (the relying party
# id) and answers only pages of the origins listed; browsers offer keys only on https or on
# http://localhost. By default both follow SITE_URL (a loopback address becomes localhost, on the
# PORT `chainward serve` listens on: open http://localhost:8000 in development). On plain http
# elsewhere keys are not offered.
WEBAUTHN_ORIGINS = [o for o in os.environ.get("WEBAUTHN_ORIGINS", "").split(",") if o]
if not WEBAUTHN_ORIGINS:
    _site = urlsplit(SITE_URL)
    if _site.hostname in {"127.0.0.1", "::1", "localhost"}:
        _port = os.environ.get("PORT") or _site.port
        WEBAUTHN_ORIGINS = [f"http://localhost{f':{_port}' if _port else ''}"]
    elif _site.scheme == "https":
        WEBAUTHN_ORIGINS = [f"https://{_site.netloc}"]
OTP_WEBAUTHN_ALLOWED_ORIGINS = WEBAUTHN_ORIGINS
OTP_WEBAUTHN_RP_ID = os.environ.get("WEBAUTHN_RP_ID") or (
    urlsplit(WEBAUTHN_ORIGINS[0]).hostname if WEBAUTHN_ORIGINS else "localhost")
OTP_WEBAUTHN_RP_NAME = os.environ.get("WEBAUTHN_RP_NAME", "Chainward")
# Keys are a second step after the password (no sign-in with a key alone), so a key need not
# store the account on itself (any security key works).
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
# New keys are named and ledgered in the transaction that saves them.
OTP_WEBAUTHN_HELPER_CLASS = "chainward.access.passkeys.KeyHelper"
# Without an origin keys are off (access.passkeys.available); the package's check that insists
# on one is then silenced rather than stopping the server.
SILENCED_SYSTEM_CHECKS = [] if WEBAUTHN_ORIGINS else ["otp_webauthn.E030"]

# --- E-mail (invitations, password reset) ------------------------------------------------------
# Printed to the console unless EMAIL_HOST names an SMTP server.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = envint("EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", True)
EMAIL_USE_SSL = envbool("EMAIL_USE_SSL")
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 10)
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "chainward@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Where sessions live: "db" (the default), "cache" (the cache above, so Redis with REDIS_URL:
# app servers on several machines share them without a table write per login; flushing or
# evicting that Redis signs everyone out) or "cached_db" (read from the cache, written to both).
SESSION_STORE = os.environ.get("SESSION_STORE", "db")
if SESSION_STORE not in {"db", "cache", "cached_db"}:
    raise ValueError(f"SESSION_STORE must be db, cache or cached_db, not {SESSION_STORE!r}")
SESSION_ENGINE = f"django.contrib.sessions.backends.{SESSION_STORE}"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Content-Security-Policy: no inline script or style anywhere -------------------------------
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# --- Static and media files ---------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", HOME / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static",
                    ("vendor/bootstrap", bootstrap_wrapper.get_bootstrap_dir()),
                    # Tom Select (type-ahead pickers) as the pinned django-tomselect ships it;
                    # its static files only, not the app (core/lookups.py says why).
                    ("vendor/tom-select", Path(importlib.util.find_spec("django_tomselect")
                                               .origin).parent / "static/django_tomselect")]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": str(HOME / "media")}},
    "staticfiles": {"BACKEND": (
        "whitenoise.storage.CompressedManifestStaticFilesStorage" if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage")},
}
# Served from the finders in development and tests; from STATIC_ROOT after collectstatic.
WHITENOISE_USE_FINDERS = not PRODUCTION
IMPORT_MAX_BYTES = envint("IMPORT_MAX_BYTES", 10 * 1024 * 1024)
# Files of more rows than this are checked by a background job (with progress), not in the request.
IMPORT_INLINE_ROWS = envint("IMPORT_INLINE_ROWS", 500)
# Imports write in transactions of at most this long (other writers wait for at most that), and
# on SQLite pause this long between them so that waiting writers get the lock.
IMPORT_BATCH_SECONDS = float(os.environ.get("IMPORT_BATCH_SECONDS", 0.3))
IMPORT_BATCH_PAUSE = float(os.environ.get("IMPORT_BATCH_PAUSE", 0.1))
# Largest evidence or document file accepted (also cap the request body at the reverse proxy).
FILE_MAX_BYTES = envint("FILE_MAX_BYTES", 25 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = IMPORT_MAX_BYTES

# --- API ----------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "chainward.access.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    # limit/offset, 50 rows by default, at most 500 (core/pagination.py says why).
    "DEFAULT_PAGINATION_CLASS": "chainward.core.pagination.RecordPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "chainward.core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Chainward API",
    "DESCRIPTION": "Supply-chain Security Management System (ISO 28000 / ISO 28001).",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Document and security-plan versions share one status list (core.versioning).
    "ENUM_NAME_OVERRIDES": {"VersionStatusEnum": "chainward.core.versioning.VersionStatus",
                            "SealEventKindEnum": "chainward.fieldchecks.choices.SealEventKind",
                            "CheckOutcomeEnum": "chainward.fieldchecks.choices.Outcome",
                            "EvaluationResultEnum": "chainward.context.choices.EvaluationResult",
                            "ChecklistResultEnum": "chainward.audits.choices.ChecklistResult",
                            "RunResultEnum": "chainward.fieldchecks.choices.RunResult",
                            "TrainingResultEnum": "chainward.people.choices.TrainingResult",
                            "ExerciseResultEnum":
                                "chainward.incidents.exercises.models.ExerciseResult",
                            "PartnerKindEnum": "chainward.supplychain.choices.PartnerKind",
                            "QuestionnaireKindEnum": "chainward.partners.choices.TemplateKind",
                            "QuestionnaireTemplateStatusEnum":
                                "chainward.partners.choices.TemplateStatus",
                            "QuestionnaireRequestStatusEnum":
                                "chainward.partners.choices.RequestStatus",
                            "FollowUpStatusEnum": "chainward.partners.choices.FollowUpStatus"},
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Every operation declares its problem-details errors (core/api_schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "chainward.core.api_schema.add_problem_responses",
    ],
}

# --- Background tasks ---------------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}
# A running job that shows no progress for this long is taken for dead by the next worker start
# (a worker on the same host whose process is gone is recognised at once).
JOB_STALE_SECONDS = envint("JOB_STALE_SECONDS", 15 * 60)
# Running workers look for jobs whose worker died this often (seconds), so a job never stays
# "running" because no worker happened to start again (jobs.tasks.sweep_abandoned_jobs).
JOB_SWEEP_SECONDS = envint("JOB_SWEEP_SECONDS", 60)

# --- Locale -------------------------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"refusals": {"()": "chainward.core.logfilters.RefusalWithoutTraceback"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # A 403 is one warning line, never a traceback (core/logfilters.py).
    "loggers": {"django.request": {"filters": ["refusals"]}},
}

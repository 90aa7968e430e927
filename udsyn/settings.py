"""Settings for Udsyn. Everything that differs between installations comes from the environment.

- ``DATABASE_URL``: defaults to an SQLite file under ``UDSYN_DATA_DIR`` (``./var``).
- ``SECRET_KEY``: required when ``UDSYN_PRODUCTION=1``.
- ``DEBUG``: ``1`` for development.
- ``ALLOWED_HOSTS``: comma-separated.
- ``UDSYN_HSTS_*``, ``UDSYN_SSL_REDIRECT``, ``UDSYN_SECURE_COOKIES``, ``UDSYN_PROXY_SSL_HEADER``: HTTPS, on by
  default when ``UDSYN_PRODUCTION=1`` (docs/operations.md, "Security settings").
- ``UDSYN_OIDC_*``, ``UDSYN_SAML_*``, ``UDSYN_PASSWORD_LOGIN``: single sign-on (docs/operations.md).
"""

import json
import os
import tempfile
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("UDSYN_DATA_DIR", BASE_DIR.parent / "var"))

DEBUG = os.environ.get("DEBUG", "0") == "1"
# Production sets UDSYN_PRODUCTION=1 and a real SECRET_KEY; the development key is refused there.
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if os.environ.get("UDSYN_PRODUCTION") == "1":
        raise RuntimeError("SECRET_KEY must be set when UDSYN_PRODUCTION=1")
    SECRET_KEY = "udsyn-development-key-not-for-production"
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",") if h]
PRODUCTION = os.environ.get("UDSYN_PRODUCTION") == "1"


def _flag(name: str, default: bool) -> bool:
    """An on/off setting from the environment: 1 or 0, else ``default``."""
    value = os.environ.get(name, "").strip()
    return default if value == "" else value == "1"


# HTTPS (docs/operations.md, "Security settings"). With UDSYN_PRODUCTION=1 each is on unless switched off; in
# development each is off unless switched on. Django's SecurityMiddleware sends HSTS and redirects plain HTTP;
# `udsyn check --deploy` is clean with the production defaults.
SECURE_HSTS_SECONDS = int(os.environ.get("UDSYN_HSTS_SECONDS", "31536000" if PRODUCTION else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = _flag("UDSYN_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = _flag("UDSYN_HSTS_PRELOAD", PRODUCTION)
SECURE_SSL_REDIRECT = _flag("UDSYN_SSL_REDIRECT", PRODUCTION)
SESSION_COOKIE_SECURE = _flag("UDSYN_SECURE_COOKIES", PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Behind a proxy that is not gunicorn's neighbour on loopback (gunicorn trusts X-Forwarded-Proto from
# 127.0.0.1 itself): the header that proxy sets, e.g. X-Forwarded-Proto. Only when the proxy always sets it
# and nothing else can reach the application, since whoever sends it decides whether Django sees HTTPS.
if os.environ.get("UDSYN_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = (
        "HTTP_" + os.environ["UDSYN_PROXY_SSL_HEADER"].strip().upper().replace("-", "_"), "https")

INSTALLED_APPS = [
    "udsyn.core.admin_site.UdsynAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "django_htmx",
    "csp",
    "simple_history",
    "djangosaml2",

    "django_tasks",
    "django_tasks_db",
    "udsyn.core",
    "udsyn.organisation",
    "udsyn.engagements",
    "udsyn.strategy",
    "udsyn.interop",
    "udsyn.reports",
    "udsyn.public",
    "udsyn.api",
    "udsyn.steering",
    "udsyn.inquiries",
    "udsyn.generate",
    "rest_framework",
    "axes",
    "drf_spectacular",
    "drf_spectacular_sidecar",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "djangosaml2.middleware.SamlSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the lockout answer (udsyn.organisation.auth).
    "axes.middleware.AxesMiddleware",
]

# Content Security Policy (django-csp; docs/operations.md, "Security settings"): everything a page uses comes
# from Udsyn itself. No inline script or style anywhere (tests/test_csp.py reads every template); charts and
# maps are SVG pictures in data: addresses. A nonce is added only to a page that asks for one (djangosaml2's
# form that posts to the identity provider). Pages of other packages that need more get their own policy for
# that view only (udsyn/core/csp.py: the API's browsable pages, the admin, a report opened in the browser).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

ROOT_URLCONF = "udsyn.urls"
WSGI_APPLICATION = "udsyn.wsgi.application"

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
                "udsyn.core.context_processors.udsyn",
                "udsyn.organisation.context_processors.organisation",
            ],
        },
    }
]

if "DATABASE_URL" not in os.environ:
    DATA_DIR.mkdir(parents=True, exist_ok=True)  # SQLite creates the file, not its folder
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", "sqlite:///{}".format(DATA_DIR / "udsyn.sqlite3")),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
# SQLite under use (docs/operations.md, "SQLite or PostgreSQL"): write-ahead logging, so that readers never wait
# for a writer nor a writer for readers; every transaction takes the write lock when it begins (IMMEDIATE), so
# that a transaction that read first never fails on upgrading to a writer ("database is locked" without
# waiting); and a writer waits up to SQLITE_BUSY_TIMEOUT seconds for another's transaction to end instead of
# failing at once. synchronous=NORMAL is durable in WAL mode except for the last transactions before a power cut.
SQLITE_BUSY_TIMEOUT = float(os.environ.get("SQLITE_BUSY_TIMEOUT", "20"))
SQLITE_PRAGMAS = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "timeout": SQLITE_BUSY_TIMEOUT, "transaction_mode": "IMMEDIATE", "init_command": SQLITE_PRAGMAS,
        **DATABASES["default"].get("OPTIONS", {})}
    # Tests run on a file too (not in memory): the concurrency tests' threads need SQLite's locks, which wait;
    # a database in memory shared by several connections answers "table is locked" at once instead. The file
    # is in memory where the system offers that (/dev/shm), one per test process: under pytest-xdist one per
    # worker (gw0, gw1, ...; pytest-django adds the worker's suffix too), and the process id keeps two runs at
    # once apart. Django removes the file when the run ends; tests/conftest.py removes those of runs that died.
    _shm = Path("/dev/shm")
    _worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    DATABASES["default"]["TEST"] = {
        "NAME": str((_shm if _shm.is_dir() else Path(tempfile.gettempdir()))
                    / f"udsyn-test-{os.getpid()}-{_worker}.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Checked wherever a person chooses a password: accepting an invitation, resetting a password, `udsyn users add
# --password-env`. UDSYN_PASSWORD_MIN_LENGTH (12) is the shortest accepted.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": int(os.environ.get("UDSYN_PASSWORD_MIN_LENGTH", "12"))}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # First: refuses every password sign-in (web, /api/token/, admin) of a locked-out user or address.
    "udsyn.organisation.auth.LockoutBackend",
    "udsyn.organisation.auth.RoleBackend",
    # Idle unless UDSYN_OIDC / UDSYN_SAML below are set.
    "udsyn.organisation.sso.OIDCBackend",
    "udsyn.organisation.sso.SAMLBackend",
]
LOGIN_URL = "login"
# A password-reset link works for this many hours (once: it dies when the password changes).
PASSWORD_RESET_TIMEOUT = int(float(os.environ.get("UDSYN_PASSWORD_RESET_HOURS", "2")) * 3600)
# Sign-in sessions end after UDSYN_SESSION_HOURS (8) and, unless UDSYN_SESSION_BROWSER_CLOSE=0, when the
# browser closes.
SESSION_COOKIE_AGE = int(float(os.environ.get("UDSYN_SESSION_HOURS", "8")) * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = os.environ.get("UDSYN_SESSION_BROWSER_CLOSE", "1") != "0"
LOGIN_REDIRECT_URL = "organisation:home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "da"
LANGUAGES = [("da", _("Danish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Copenhagen"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# Password sign-ins are throttled by django-axes (docs/users.md, "Lockout"): UDSYN_LOGIN_FAILURE_LIMIT (10)
# failed attempts for one user name, or from one address, lock it out for UDSYN_LOGIN_COOLOFF_MINUTES (30;
# 0: until an administrator lifts it). UDSYN_LOGIN_LOCKOUT_BY chooses what is counted: comma-separated
# "username", "ip_address", or both joined by "+" (counted per user at one address).
AXES_FAILURE_LIMIT = int(os.environ.get("UDSYN_LOGIN_FAILURE_LIMIT", "10"))
_cooloff = float(os.environ.get("UDSYN_LOGIN_COOLOFF_MINUTES", "30"))
AXES_COOLOFF_TIME = (_cooloff / 60) if _cooloff > 0 else None  # hours, as django-axes takes them
AXES_LOCKOUT_PARAMETERS = [
    part.split("+") if "+" in part else part
    for part in (p.strip() for p in os.environ.get("UDSYN_LOGIN_LOCKOUT_BY", "username,ip_address").split(","))
    if part]
AXES_CLIENT_IP_CALLABLE = "udsyn.core.requests.client_address"  # the real client, behind trusted proxies
AXES_WHITELIST_CALLABLE = "udsyn.organisation.auth.not_a_password"  # single sign-on is not counted
AXES_LOCKOUT_CALLABLE = "udsyn.organisation.views.locked_out"  # the login page (or JSON) saying so
AXES_HANDLER = "udsyn.organisation.auth.LockoutHandler"  # signing in and out write nothing
AXES_DISABLE_ACCESS_LOG = True  # no access log: users keep their last sign-in
AXES_RESET_ON_SUCCESS = False  # a success does not wipe an address's failures (another account's spraying)
# API tokens (made on the user's page or by POST /api/token/) expire after this many days.
UDSYN_TOKEN_DAYS = int(os.environ.get("UDSYN_TOKEN_DAYS", "90"))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "udsyn.api.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["udsyn.api.permissions.RegistryPermission"],
    # The browsable API's pages admit DRF's own inline styles by hash (udsyn/core/csp.py).
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "udsyn.api.renderers.BrowsableAPIRenderer",
    ],
    # JSON nested deeper than the import's limit (udsyn.core.exchange.limits) is a 400, not a RecursionError.
    "DEFAULT_PARSER_CLASSES": [
        "udsyn.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "udsyn.api.permissions.Pagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Requests per caller (address when anonymous, user when signed in) and, for POST /api/token/, per address.
    "DEFAULT_THROTTLE_CLASSES": ["udsyn.api.throttles.AnonThrottle", "udsyn.api.throttles.UserThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("UDSYN_API_ANON_RATE", "120/minute"),
        "user": os.environ.get("UDSYN_API_USER_RATE", "1200/minute"),
        "token": os.environ.get("UDSYN_API_TOKEN_RATE", "30/minute"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Udsyn API",
    "DESCRIPTION": "The registry of a municipality's international work. Anonymous callers read published "
    "records; a token (POST /api/token/) acts with the permissions of its user in the web app.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI's files come from drf-spectacular-sidecar, served by the app itself: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Choice sets used by several record types get a name of their own (otherwise drf-spectacular names them by
    # a hash, and `check --deploy` warns).
    "ENUM_NAME_OVERRIDES": {
        "EngagementKindEnum": "udsyn.engagements.models.Engagement.Kind",
        "EngagementStatusEnum": "udsyn.engagements.models.Engagement.Status",
        "FundingStatusEnum": "udsyn.engagements.models.Funding.Status",
    },
}

# E-mail: SMTP when EMAIL_HOST is set, otherwise printed to the console (development).
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "") == "1"
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Udsyn <udsyn@localhost>")
# Where links in e-mails point.
UDSYN_BASE_URL = os.environ.get("UDSYN_BASE_URL", "http://127.0.0.1:8000")
FORMAT_MODULE_PATH = ["udsyn.formats"]
# Requester details of finished inquiries are anonymised this many months after the inquiry's last step
# (`udsyn anonymise`, daily; docs/privacy.md). 0: never.
UDSYN_ANONYMISE_INQUIRIES_MONTHS = int(os.environ.get("UDSYN_ANONYMISE_INQUIRIES_MONTHS", "24"))
# The public inquiry form (docs/inquiries.md, "Spam"): at most this many inquiries an hour from one sender (one
# e-mail address, one client address), and this many replies an hour on one inquiry's status page.
UDSYN_INQUIRIES_PER_HOUR = int(os.environ.get("UDSYN_INQUIRIES_PER_HOUR", "5"))
UDSYN_INQUIRY_REPLIES_PER_HOUR = int(os.environ.get("UDSYN_INQUIRY_REPLIES_PER_HOUR", "5"))
# The reverse proxies in front of Udsyn (addresses or CIDR networks, comma-separated; docs/operations.md). Only
# from these is X-Forwarded-For believed (udsyn.core.requests.client_address); empty: from nobody.
UDSYN_TRUSTED_PROXIES = [p.strip() for p in os.environ.get("UDSYN_TRUSTED_PROXIES", "").split(",") if p.strip()]

# How far a table import running in the background has come: in files, so that every worker process
# sees it (the import's own database transaction hides its writes until the end).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "progress": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                 "LOCATION": str(DATA_DIR / "progress"), "TIMEOUT": 3600},
    # Maps and charts of the public pages, drawn once per content and language, shared by all processes.
    "pictures": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                 "LOCATION": str(DATA_DIR / "pictures"), "TIMEOUT": 30 * 24 * 3600,
                 "OPTIONS": {"MAX_ENTRIES": 5000}},
    # The API's request counts (udsyn.api.throttles), shared by the processes of one machine.
    "throttle": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                 "LOCATION": str(DATA_DIR / "throttle"), "OPTIONS": {"MAX_ENTRIES": 100_000}},
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # On SQLite, sign-in sessions are kept in files beside the database rather than in it, so that signing in
    # and out (and the messages pages keep in the session) never waits for an import holding the write lock.
    # SQLite's processes all run on one machine (WAL needs it), so they all see these files. On PostgreSQL the
    # sessions stay in the database, which every machine shares.
    CACHES["sessions"] = {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                          "LOCATION": str(DATA_DIR / "sessions"), "OPTIONS": {"MAX_ENTRIES": 1_000_000}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    SESSION_CACHE_ALIAS = "sessions"


# Single sign-on (udsyn/organisation/sso.py; docs/operations.md, "Single sign-on"). Both are off unless set.
def _json_env(name: str) -> dict:
    text = os.environ.get(name, "").strip()
    return json.loads(text) if text else {}


# UDSYN_PASSWORD_LOGIN=0: only single sign-on; the login page shows no password form and refuses passwords.
UDSYN_PASSWORD_LOGIN = os.environ.get("UDSYN_PASSWORD_LOGIN", "1") != "0"
# OIDC (Microsoft Entra ID): on when UDSYN_OIDC_CLIENT_ID is set. Endpoints from the issuer's discovery document
# (<issuer>/.well-known/openid-configuration); UDSYN_OIDC_MAPPING is JSON over sso.MAPPING_DEFAULTS["oidc"].
UDSYN_OIDC = {
    "label": os.environ.get("UDSYN_OIDC_LABEL", "Microsoft Entra ID"),
    "issuer": os.environ.get("UDSYN_OIDC_ISSUER", ""),
    "client_id": os.environ["UDSYN_OIDC_CLIENT_ID"],
    "client_secret": os.environ.get("UDSYN_OIDC_CLIENT_SECRET", ""),
    "scopes": os.environ.get("UDSYN_OIDC_SCOPES", "openid email profile"),
    "mapping": _json_env("UDSYN_OIDC_MAPPING"),
} if os.environ.get("UDSYN_OIDC_CLIENT_ID") else None
# SAML 2.0 (Context Handler, NemLog-in): on when UDSYN_SAML_IDP_METADATA (a URL or a file) is set.
UDSYN_SAML = {
    "label": os.environ.get("UDSYN_SAML_LABEL", "Context Handler"),
    "metadata": os.environ["UDSYN_SAML_IDP_METADATA"],
    "entity_id": os.environ.get("UDSYN_SAML_ENTITY_ID", ""),  # default: <UDSYN_BASE_URL>/sso/saml/metadata/
    "base_url": UDSYN_BASE_URL,
    "key_file": os.environ.get("UDSYN_SAML_KEY_FILE", ""),  # Udsyn's own key and certificate (OCES/FOCES)
    "cert_file": os.environ.get("UDSYN_SAML_CERT_FILE", ""),
    "mapping": _json_env("UDSYN_SAML_MAPPING"),
} if os.environ.get("UDSYN_SAML_IDP_METADATA") else None
SAML_CONFIG_LOADER = "udsyn.organisation.sso.saml_config_loader"
SAML_DEFAULT_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
SAML_ACS_FAILURE_RESPONSE_FUNCTION = "udsyn.organisation.sso.refused"
SAML_CREATE_UNKNOWN_USER = True
# SAML_CSP_HANDLER unset: djangosaml2 widens the policy with django-csp's csp_update on its own views only
# (form-action https:, for the form that posts to the identity provider; its script carries the nonce).
# The identity provider posts its answer from another site: the SAML session cookie must then be SameSite=None,
# which browsers accept only with Secure (HTTPS). UDSYN_SAML_COOKIE_SAMESITE=Lax serves plain-HTTP tests.
SAML_SESSION_COOKIE_SAMESITE = os.environ.get("UDSYN_SAML_COOKIE_SAMESITE", "None")

# Background jobs (reports, table imports, mail, scheduled clean-ups) are queued in the database and run by
# `udsyn worker` processes (docs/operations.md, "Worker"). UDSYN_TASKS_IMMEDIATE=1 runs each job at once in the
# process that queues it instead (no worker needed; the tests do this).
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if os.environ.get("UDSYN_TASKS_IMMEDIATE") == "1" else "django_tasks_db.DatabaseBackend",
    }
}
# A worker beats every UDSYN_WORKER_BEAT seconds; one on another machine not heard from for
# UDSYN_WORKER_TIMEOUT seconds is taken for dead (on the same machine, its process is looked for). A dead
# worker's job is tried again until it has been tried UDSYN_TASK_ATTEMPTS times, then it fails with the reason.
UDSYN_WORKER_BEAT = float(os.environ.get("UDSYN_WORKER_BEAT", "5"))
UDSYN_WORKER_TIMEOUT = float(os.environ.get("UDSYN_WORKER_TIMEOUT", "60"))
UDSYN_TASK_ATTEMPTS = int(os.environ.get("UDSYN_TASK_ATTEMPTS", "2"))
# Scheduled clean-up: uploaded tables and made reports older than this many days are deleted, and so are the
# queue's records of finished jobs.
UDSYN_KEEP_UPLOADS_DAYS = int(os.environ.get("UDSYN_KEEP_UPLOADS_DAYS", "30"))
UDSYN_KEEP_REPORTS_DAYS = int(os.environ.get("UDSYN_KEEP_REPORTS_DAYS", "30"))
UDSYN_KEEP_TASK_RESULTS_DAYS = int(os.environ.get("UDSYN_KEEP_TASK_RESULTS_DAYS", "30"))

# Users: an invitation's link works for this many days (once). Where single sign-on is configured, the
# invitation page offers it beside setting a password.
UDSYN_INVITATION_DAYS = int(os.environ.get("UDSYN_INVITATION_DAYS", "7"))

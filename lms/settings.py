"""Grid Academy settings.

Everything that differs between a laptop and production is read from the environment; the
defaults are safe for a laptop (SQLite, local-memory cache, database task queue, DEBUG off).
"""

import os
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name, default):
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# Under pytest: fast password hashing, tasks run in-process unless TASK_BACKEND says otherwise.
TESTING = env_bool("TESTING", "pytest" in sys.modules)

# Without SECRET_KEY in production `check --deploy` fails (lms.E001) and requests fail.
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY and (DEBUG or TESTING):
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if (DEBUG or TESTING) else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "lms",
    "courses",
    "assessments",
    "drills",
    "careers",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    # After wagtail.admin: it takes over the workflow e-mails wagtail.admin connects on start.
    "lms.notifications",
    "wagtail",
    "modelcluster",
    "taggit",
    "import_export",
    "axes",
    "csp",
    "ninja",  # the REST API's docs page (templates and static files)
    "django_tasks",
    "django_tasks_db",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "lms.security.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "lms.security.SessionTimeoutMiddleware",
    "lms.middleware.UserLanguageMiddleware",
    "lms.security.HostileValueMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "lms.middleware.ProtectedDeleteMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "lms.urls"
WSGI_APPLICATION = "lms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "lms.context_processors.portal",
            ],
        },
    },
]

# Database: SQLite unless DATABASE_URL says otherwise (postgres://user@host:5432/name).
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache, sessions and task queue: local memory and the database unless REDIS_URL is set.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "lms.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "grid-academy"),
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

# TASK_BACKEND: "database" (default without Redis), "rq" (default with REDIS_URL) or
# "immediate" (run in the request; for tests and one-off scripts).
TASK_BACKEND = os.environ.get(
    "TASK_BACKEND", "immediate" if TESTING else ("rq" if REDIS_URL else "database")
)
TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "rq": "django_tasks_rq.RQBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "dummy": "django_tasks.backends.dummy.DummyBackend",
}
if TASK_BACKEND not in TASK_BACKENDS:
    raise ImproperlyConfigured(f"TASK_BACKEND must be one of {', '.join(TASK_BACKENDS)}")
TASKS = {"default": {"BACKEND": TASK_BACKENDS[TASK_BACKEND], "QUEUES": ["default"]}}
if TASK_BACKEND == "rq":
    if not REDIS_URL:
        raise ImproperlyConfigured("TASK_BACKEND=rq needs REDIS_URL.")
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 3600}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The directory backend does nothing until DIRECTORY_LDAP_URI is set; with it (or OIDC) on,
# the employee-number backend accepts local passwords of superusers only (lms.auth).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "lms.directory.DirectoryBackend",
    "lms.sso.SingleSignOnBackend",
    "lms.auth.EmployeeNumberBackend",
]

# Login protection: failures are counted per employee number *and* address together, so one
# office behind a single address never locks out colleagues who type their own password right.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15))
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "lms.auth.lockout_username"
AXES_LOCKOUT_CALLABLE = "lms.views.locked_out"
# The client's address behind TRUSTED_PROXY_COUNT proxies (lms.auth.client_ip, axes' own
# AXES_CLIENT_IP_CALLABLE): the address the nearest trusted proxy saw, never what the client
# wrote into X-Forwarded-For itself.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "lms.auth.client_ip"
# Password spraying (a few tries at many employee numbers from one place) never reaches five
# per number: an address is paused for the cool-off once this many sign-ins from it have failed
# within a cool-off of one another, whatever numbers they named. An office behind one address
# makes a few typing mistakes a morning, far fewer than this (tests/lms/test_login_protection).
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 50)
AXES_VERBOSE = False
CSRF_FAILURE_VIEW = "lms.errors.csrf_failure"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)

# Language: Simplified Chinese by default, English on request; the choice is kept on the
# user's profile (and in a cookie for anonymous visitors).
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LANGUAGE_COOKIE_NAME = "ga_language"
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
WAGTAIL_I18N_ENABLED = False

# In development and tests nothing is collected: whitenoise looks files up as they are asked for
# instead of warning at start-up that STATIC_ROOT does not exist.
WHITENOISE_AUTOREFRESH = DEBUG or TESTING
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "static_collected"))
# Stylesheets joined into one file a page (lms/bundles.py), written to STATIC_BUNDLE_DIR when
# collectstatic (or the development server) asks for them.
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "lms.bundles.BundleFinder",
]
STATIC_BUNDLE_DIR = Path(os.environ.get("STATIC_BUNDLE_DIR", BASE_DIR / ".static-bundles"))
_PORTAL_CSS = ["lms/tokens.css", "lms/portal.css", "lms/charts.css", "lms/charts-screen.css"]
STATIC_BUNDLES = {
    "bundles/portal.css": _PORTAL_CSS,
    "bundles/exam.css": [*_PORTAL_CSS, "assessments/exam.css"],
}
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if (DEBUG or TESTING)
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Uploads: refuse large bodies early; per-kind limits are checked by the import helpers.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = env_int("FILE_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)
IMPORT_MAX_FILE_SIZE = env_int("IMPORT_MAX_FILE_SIZE", 10 * 1024 * 1024)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 50_000)
# Files other than images in an imported question file (Moodle's @@PLUGINFILE@@ attachments):
# stored as Wagtail documents, or refused with a message naming the file when this is off.
IMPORT_QUESTION_DOCUMENTS = env_bool("IMPORT_QUESTION_DOCUMENTS", True)
# The longest value a query-string parameter (a search, a filter) may carry; longer ones, NUL
# characters and integers beyond 64 bits in the query string are refused with 400 (lms.security).
REQUEST_MAX_QUERY_VALUE = env_int("REQUEST_MAX_QUERY_VALUE", 1000)

# E-mail
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Grid Academy <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Wagtail
# The admin's title and the certificates' issuer: in the reader's language unless SITE_NAME is set.
WAGTAIL_SITE_NAME = os.environ.get("SITE_NAME") or gettext_lazy("Grid Academy")
WAGTAILADMIN_BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
# Document and image types and limits: see "uploads" at the end.
WAGTAILADMIN_LOGIN_URL = "login"
WAGTAIL_PASSWORD_RESET_ENABLED = False

# Import and export
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = True
# Formula-like text is neutralised by lms.spreadsheets (every export goes through it), not by
# import-export, whose escape drops a leading "=" and so changes the data.

# PDF: the font family WeasyPrint asks fontconfig for (a CJK font must be installed).
PDF_CJK_FONT_FAMILY = os.environ.get("PDF_CJK_FONT_FAMILY", "Noto Sans CJK SC")

# Production security: on whenever DEBUG is off.
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not TESTING)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = not TESTING
    CSRF_COOKIE_SECURE = not TESTING
    LANGUAGE_COOKIE_SECURE = not TESTING
    # HSTS, frame, referrer and the other production headers: see "security headers" below.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# --- careers ---
# Appraisal grade bands, "grade:lowest total score" from best to worst; the last takes the rest.
APPRAISAL_GRADE_BANDS = os.environ.get("APPRAISAL_GRADE_BANDS", "A:90,B:80,C:60,D:0")
# Bonus coefficient per grade.
APPRAISAL_BONUS_COEFFICIENTS = os.environ.get(
    "APPRAISAL_BONUS_COEFFICIENTS", "A:1.20,B:1.00,C:0.80,D:0.50"
)
# Yearly training-hour minimums (学时): total, professional and compulsory.
TRAINING_HOURS_MIN_TOTAL = env_int("TRAINING_HOURS_MIN_TOTAL", 90)
TRAINING_HOURS_MIN_PROFESSIONAL = env_int("TRAINING_HOURS_MIN_PROFESSIONAL", 60)
TRAINING_HOURS_MIN_COMPULSORY = env_int("TRAINING_HOURS_MIN_COMPULSORY", 30)
# --- drills ---
# Default days from start to due date of a corrective action, by finding grade ("" = strengths
# and anything ungraded).
DRILLS_ACTION_DUE_DAYS = {
    "deficiency": env_int("DRILLS_DUE_DAYS_DEFICIENCY", 30),
    "rectification": env_int("DRILLS_DUE_DAYS_RECTIFICATION", 60),
    "improvement": env_int("DRILLS_DUE_DAYS_IMPROVEMENT", 90),
    "": env_int("DRILLS_DUE_DAYS_OTHER", 90),
}
# Overdue owners are reminded at most once per this many days.
DRILLS_REMINDER_INTERVAL_DAYS = env_int("DRILLS_REMINDER_INTERVAL_DAYS", 7)
# How often the scheduler looks for overdue actions.
DRILLS_REMINDER_RUN_HOURS = env_int("DRILLS_REMINDER_RUN_HOURS", 24)
# The portal home's "My drills" line is cached per employee at most this long (every drill
# write refreshes it at once where the cache is shared).
DRILLS_PORTAL_CACHE_SECONDS = env_int("DRILLS_PORTAL_CACHE_SECONDS", 300)
# A plan section counts as drilled if a drill covering it was conducted in the last N months.
DRILLS_COVERAGE_MONTHS = env_int("DRILLS_COVERAGE_MONTHS", 12)
# Photo evidence on evaluation sheets.
DRILLS_EVIDENCE_MAX_BYTES = env_int("DRILLS_EVIDENCE_MAX_BYTES", 5 * 1024 * 1024)
DRILLS_EVIDENCE_TYPES = ("jpeg", "png", "webp")
# --- REST API (lms.api, /api/v1/) ---
# Off removes /api/v1/ altogether. Tokens are Wagtail's (Settings → API tokens in the admin);
# the API acts as the token's owner, with their roles and scope.
API_ENABLED = env_bool("API_ENABLED", True)
# Requests per token per minute (0: no limit); over it, 429 with Retry-After.
API_RATE_LIMIT_PER_MINUTE = env_int("API_RATE_LIMIT_PER_MINUTE", 600)
# Rows per page of a list (a client may ask for fewer, or for up to API_MAX_PAGE_SIZE).
API_PAGE_SIZE = env_int("API_PAGE_SIZE", 100)
API_MAX_PAGE_SIZE = env_int("API_MAX_PAGE_SIZE", 1000)
# Most employees one bulk upsert takes. Its body must also fit DATA_UPLOAD_MAX_MEMORY_SIZE
# (10,000 employees are about 2 MB of JSON).
API_MAX_UPSERT_ROWS = env_int("API_MAX_UPSERT_ROWS", 10_000)
# Seconds between writes of a token's "last used" time (Wagtail's setting).
WAGTAILAPI_TOKEN_LAST_USED_INTERVAL = env_int("API_TOKEN_LAST_USED_INTERVAL", 60)
# --- HR staff file (lms.hr_sync): master data from the HR system without the API ---
# A drop folder (the newest .csv/.xlsx in it is read) or an http(s) URL; empty: off. The file
# has the spreadsheet employee import's columns (工号, 姓名, 部门编码, 岗位编码, …).
HR_SYNC_SOURCE = os.environ.get("HR_SYNC_SOURCE", "")
# How often the scheduler looks at it (minutes); an unchanged file is skipped.
HR_SYNC_INTERVAL_MINUTES = env_int("HR_SYNC_INTERVAL_MINUTES", 60)
# The file is the whole staff: employees not in it are marked as left (accounts switched off).
HR_SYNC_DEACTIVATE_MISSING = env_bool("HR_SYNC_DEACTIVATE_MISSING", True)
# Apply a file without problems at once; off: it waits for HR under Organisation → HR staff files.
HR_SYNC_AUTO_APPLY = env_bool("HR_SYNC_AUTO_APPLY", False)
# A URL whose path has no .csv/.xlsx ending is read as this format.
HR_SYNC_FORMAT = os.environ.get("HR_SYNC_FORMAT", "csv")
HR_SYNC_TIMEOUT_SECONDS = env_int("HR_SYNC_TIMEOUT_SECONDS", 30)
# --- assessments ---
# Seconds after an attempt's deadline during which answers still in flight are accepted.
ASSESSMENTS_SAVE_GRACE_SECONDS = env_int("ASSESSMENTS_SAVE_GRACE_SECONDS", 60)
# Autosave limits, so that no examinee can hold their attempt (and a web thread) for long: a
# request body of at most this many bytes, at most this many answers in one save (one per item
# of the attempt in any case), and at most this many saves per attempt per minute.
ASSESSMENTS_SAVE_MAX_BYTES = env_int("ASSESSMENTS_SAVE_MAX_BYTES", 256 * 1024)
ASSESSMENTS_SAVE_MAX_ANSWERS = env_int("ASSESSMENTS_SAVE_MAX_ANSWERS", 200)
ASSESSMENTS_SAVE_RATE_PER_MINUTE = env_int("ASSESSMENTS_SAVE_RATE_PER_MINUTE", 120)
# Practice quizzes never draw a question from a category flagged confidential; with this on, nor
# from the pool of any published formal exam whose review policy does not show answers yet (a
# practice quiz over the same bank then gets fewer questions, or none while such an exam runs).
ASSESSMENTS_CONFIDENTIAL_FORMAL_POOLS = env_bool("ASSESSMENTS_CONFIDENTIAL_FORMAL_POOLS", False)
# Questions whose discrimination index falls below this (in hundredths) are flagged.
ASSESSMENTS_DISCRIMINATION_THRESHOLD = env_int("ASSESSMENTS_DISCRIMINATION_THRESHOLD", 20) / 100
# Fewest graded attempts before item statistics may flag a question.
ASSESSMENTS_MIN_ATTEMPTS_FOR_FLAG = env_int("ASSESSMENTS_MIN_ATTEMPTS_FOR_FLAG", 10)
# Days before a certificate expires when its holder is reminded.
ASSESSMENTS_CERTIFICATE_REMINDER_DAYS = env_int("ASSESSMENTS_CERTIFICATE_REMINDER_DAYS", 30)
# Practice (docs/practice.md): questions in each day's 每日一练; the share (%) of them that may
# be spaced-repetition cards due for review; the Leitner boxes' intervals in days (one box per
# number); how many right answers in a row retire a question from the 错题本.
PRACTICE_DAILY_QUESTIONS = env_int("PRACTICE_DAILY_QUESTIONS", 10)
PRACTICE_DAILY_REVIEW_SHARE = env_int("PRACTICE_DAILY_REVIEW_SHARE", 50)
PRACTICE_LEITNER_DAYS = [
    int(days) for days in env_list("PRACTICE_LEITNER_DAYS", "1,2,4,8,16") if days.isdigit()
] or [1, 2, 4, 8, 16]
PRACTICE_RETIRE_STREAK = env_int("PRACTICE_RETIRE_STREAK", 2)
# Training hours for 每日一练 and 错题本 practice: minutes credited per question answered, and
# at most this many minutes a day (the online-study hours rule then converts them).
PRACTICE_MINUTES_PER_QUESTION = env_int("PRACTICE_MINUTES_PER_QUESTION", 1)
PRACTICE_MAX_MINUTES_PER_DAY = env_int("PRACTICE_MAX_MINUTES_PER_DAY", 30)
# Below this mastery (%) a knowledge point counts as weak (and is drawn more often).
PRACTICE_WEAK_MASTERY = env_int("PRACTICE_WEAK_MASTERY", 60)
# --- courses ---
# Check-in with the session code is open from this many minutes before a session starts until
# this many minutes after it ends.
COURSES_CHECK_IN_GRACE_MINUTES = env_int("COURSES_CHECK_IN_GRACE_MINUTES", 30)
# Check-in codes are six digits: each person may try at most this many per minute.
COURSES_CHECK_IN_TRIES_PER_MINUTE = env_int("COURSES_CHECK_IN_TRIES_PER_MINUTE", 10)
# Notifications (lms.notifications): the channels this site uses at all (a person chooses among
# them per kind), how long a robot or webhook call may take, how often a failed message is
# tried (the waits double from the base up to the maximum), and how long the portal header's
# unread count is cached (dropped whenever it changes).
NOTIFY_CHANNELS = env_list("NOTIFY_CHANNELS", "inbox,email,wecom,dingtalk")
NOTIFY_HTTP_TIMEOUT_SECONDS = env_int("NOTIFY_HTTP_TIMEOUT_SECONDS", 10)
NOTIFY_MAX_ATTEMPTS = env_int("NOTIFY_MAX_ATTEMPTS", 6)
NOTIFY_RETRY_BASE_SECONDS = env_int("NOTIFY_RETRY_BASE_SECONDS", 60)
NOTIFY_RETRY_MAX_SECONDS = env_int("NOTIFY_RETRY_MAX_SECONDS", 6 * 60 * 60)
NOTIFY_UNREAD_CACHE_SECONDS = env_int("NOTIFY_UNREAD_CACHE_SECONDS", 300)
# E-mail reminders: days before a session starts, and days before a required course is due.
COURSES_SESSION_REMINDER_DAYS = env_int("COURSES_SESSION_REMINDER_DAYS", 1)
COURSES_ASSIGNMENT_REMINDER_DAYS = env_int("COURSES_ASSIGNMENT_REMINDER_DAYS", 7)
# A repeating required course is re-assigned this many days before the last completion expires.
COURSES_REASSIGN_LEAD_DAYS = env_int("COURSES_REASSIGN_LEAD_DAYS", 30)
# Someone who joins a rule's scope after its first due date gets this many days.
COURSES_NEW_ASSIGNMENT_DAYS = env_int("COURSES_NEW_ASSIGNMENT_DAYS", 30)
# A held session's roster counts as still to close on the trainer's workbench for this many days.
COURSES_ROSTER_DAYS = env_int("COURSES_ROSTER_DAYS", 30)
# A session's questionnaire is offered to those who attended for this many days after it; the
# trainer's workbench counts the answers that came in over the same span.
COURSES_QUESTIONNAIRE_DAYS = env_int("COURSES_QUESTIONNAIRE_DAYS", 60)
# --- security headers and sessions ---
# Content-Security-Policy (django-csp), on the portal and the admin alike, also in development so
# that breakage shows. Scripts run only from our own origin or with the per-response nonce
# (``request.csp_nonce``); there is no 'unsafe-inline' for scripts. Styles allow 'unsafe-inline'
# because Wagtail's admin (and its editors) set style attributes in markup.
# CSP_REPORT_ONLY=1 sends the policy as Content-Security-Policy-Report-Only instead (to try a
# change on a live site); CSP_REPORT_URI names where browsers report violations.
# CSP_<DIRECTIVE>_EXTRA adds sources, e.g. CSP_IMG_SRC_EXTRA=https://media.example.cn for media
# on S3-compatible storage or a CDN, CSP_FRAME_SRC_EXTRA=https://player.example.cn for embeds.
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE  # noqa: E402

csp_report_only = env_bool("CSP_REPORT_ONLY", False)
csp_directives = {
    "default-src": [SELF],
    "script-src": [SELF, NONCE, *env_list("CSP_SCRIPT_SRC_EXTRA")],
    "style-src": [SELF, UNSAFE_INLINE, *env_list("CSP_STYLE_SRC_EXTRA")],
    # data: for the admin's inline SVG backgrounds, blob: for upload previews.
    "img-src": [SELF, "data:", "blob:", *env_list("CSP_IMG_SRC_EXTRA")],
    "media-src": [SELF, *env_list("CSP_MEDIA_SRC_EXTRA")],
    "font-src": [SELF, *env_list("CSP_FONT_SRC_EXTRA")],
    "connect-src": [SELF, *env_list("CSP_CONNECT_SRC_EXTRA")],
    # Wagtail's preview panel frames our own preview view; embeds need their providers here.
    "frame-src": [SELF, *env_list("CSP_FRAME_SRC_EXTRA")],
    "object-src": [NONE],
    "base-uri": [NONE],
    "form-action": [SELF, *env_list("CSP_FORM_ACTION_EXTRA")],
    # Follows X-Frame-Options per response: 'none' (DENY), 'self' where a view allows
    # SAMEORIGIN, as Wagtail's preview does (lms.security.ContentSecurityPolicyMiddleware).
    "frame-ancestors": [NONE],
}
if os.environ.get("CSP_REPORT_URI"):
    csp_directives["report-uri"] = os.environ["CSP_REPORT_URI"]
if csp_report_only:
    CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": csp_directives}
else:
    CONTENT_SECURITY_POLICY = {"DIRECTIVES": csp_directives}

# No Gravatar in the admin: it would send a hash of each employee's e-mail to a third party
# (and the policy refuses the image anyway).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# Nor does the admin home fetch Wagtail's release feed from the browser: upgrades are the
# operators' business, and the policy's connect-src is our own origin.
WAGTAIL_ENABLE_UPDATE_CHECK = False

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = os.environ.get("SECURE_REFERRER_POLICY", "same-origin")
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    # Strict-Transport-Security: a year by default. Preloading is a promise to browsers that is
    # slow to take back, so it is off unless asked for (and its deploy warning is then moot).
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

# Wagtail documents: served by Wagtail's view (DOCUMENTS_SERVE_METHOD below) with embedded content
# blocked: a Content-Security-Policy "default-src 'none'" and nosniff on every document, and only
# PDF and plain text shown in the browser; everything else (HTML, SVG…) is a download.
WAGTAILDOCS_BLOCK_EMBEDDED_CONTENT = True
WAGTAILDOCS_INLINE_CONTENT_TYPES = ["application/pdf", "text/plain"]

# Sessions end after SESSION_IDLE_TIMEOUT seconds without a request (any request counts, exam
# autosaves included) and SESSION_COOKIE_AGE seconds after sign-in at the latest. Neither cuts
# off work in progress: while a ``register_session_keepalive`` hook says the user is busy (an
# exam attempt still open within its time limit), the session is kept. 0 switches a limit off.
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 30 * 60)
# The last-seen time is written to the session at most this often (one write per user per
# interval, not per request, on exam day).
SESSION_ACTIVITY_WRITE_SECONDS = env_int("SESSION_ACTIVITY_WRITE_SECONDS", 60)
# The signed-in user's account row is kept in the cache this long between requests (lms.auth);
# saving the account or its profile, or ending its sessions, forgets it. 0 reads it every time.
AUTH_USER_CACHE_SECONDS = env_int("AUTH_USER_CACHE_SECONDS", 300)
# What the attempts of an exam are drawn from (fixed questions, each rule's candidates) is kept in
# the cache this long; changing the question bank or the exam's rules renews it at once.
EXAM_DRAW_PLAN_SECONDS = env_int("EXAM_DRAW_PLAN_SECONDS", 300)
# Papers drawn ahead (assessments/services/papers.py): a formal exam opening within this many
# hours gets a pool of drawn, shuffled papers that its starts take (0 switches it off); the pool
# holds the audience and this many percent more, at least MIN and at most MAX papers; it is
# topped up every EXAM_PAPERS_EVERY_MINUTES, and at once when an exam is published (off in tests).
EXAM_PAPERS_AHEAD_HOURS = env_int("EXAM_PAPERS_AHEAD_HOURS", 24)
EXAM_PAPERS_MARGIN_PERCENT = env_int("EXAM_PAPERS_MARGIN_PERCENT", 10)
EXAM_PAPERS_MIN = env_int("EXAM_PAPERS_MIN", 50)
EXAM_PAPERS_MAX = env_int("EXAM_PAPERS_MAX", 5000)
EXAM_PAPERS_EVERY_MINUTES = env_int("EXAM_PAPERS_EVERY_MINUTES", 5)
EXAM_PAPERS_ON_PUBLISH = env_bool("EXAM_PAPERS_ON_PUBLISH", not TESTING)
# An unanswered question's HTML on the attempt page is kept in the cache this long, shared by
# every attempt that shows it in the same option order (assessments/fragments.py); 0: never.
ASSESSMENTS_QUESTION_HTML_SECONDS = env_int("ASSESSMENTS_QUESTION_HTML_SECONDS", 3600)
# --- personal data and audit trail ---
# Personal employee fields (hire_date, phone, email) that department managers may also see for
# the people in their subtree, comma-separated; none by default (lms/personal.py).
PERSONAL_DATA_MANAGER_FIELDS = tuple(
    name.strip()
    for name in os.environ.get("PERSONAL_DATA_MANAGER_FIELDS", "").split(",")
    if name.strip()
)
# --- uploads ---
# Every limit on uploaded files (documents, images, imports, photo evidence); lms/uploads.py
# applies them and names the file and the reason in every refusal.
WAGTAILDOCS_EXTENSIONS = env_list(
    "DOCUMENT_EXTENSIONS", "pdf,doc,docx,xls,xlsx,ppt,pptx,txt,zip,mp4,webm"
)
WAGTAILDOCS_MAX_UPLOAD_SIZE = env_int("DOCUMENT_MAX_UPLOAD_SIZE", 100 * 1024 * 1024)
WAGTAILDOCS_DOCUMENT_FORM_BASE = "lms.forms.SafeDocumentForm"
# SVG is refused unless IMAGES_ALLOW_SVG is on; then an SVG carrying script, event handlers,
# foreign objects, external references or a DTD is refused.
IMAGES_ALLOW_SVG = env_bool("IMAGES_ALLOW_SVG", False)
WAGTAILIMAGES_EXTENSIONS = env_list("IMAGE_EXTENSIONS", "gif,jpg,jpeg,png,webp") + (
    ["svg"] if IMAGES_ALLOW_SVG else []
)
WAGTAILIMAGES_MAX_UPLOAD_SIZE = env_int("IMAGE_MAX_UPLOAD_SIZE", 10 * 1024 * 1024)
WAGTAILIMAGES_MAX_IMAGE_PIXELS = env_int("IMAGE_MAX_PIXELS", 40_000_000)
WAGTAILIMAGES_IMAGE_FORM_BASE = "lms.forms.SafeImageForm"
# Rich text posts that are not Draftail's JSON are refused as empty, not as a server error.
WAGTAILADMIN_RICH_TEXT_EDITORS = {"default": {"WIDGET": "lms.forms.ReadableDraftailRichTextArea"}}
# ZIP containers (XLSX imports, Office documents, ZIP documents) are judged from their central
# directory before anything inflates them.
UPLOAD_ZIP_MAX_MEMBERS = env_int("UPLOAD_ZIP_MAX_MEMBERS", 5_000)
UPLOAD_ZIP_MAX_UNCOMPRESSED = env_int("UPLOAD_ZIP_MAX_UNCOMPRESSED", 500 * 1024 * 1024)
UPLOAD_ZIP_MAX_RATIO = env_int("UPLOAD_ZIP_MAX_RATIO", 100)
UPLOAD_ZIP_RATIO_MIN_SIZE = env_int("UPLOAD_ZIP_RATIO_MIN_SIZE", 1024 * 1024)
# SCORM packages (courses/scorm): the zip's own limits, and what one commit from the player may
# carry. suspend_data is what SCORM 2004 4th edition guarantees (64,000 characters).
SCORM_MAX_UPLOAD_SIZE = env_int("SCORM_MAX_UPLOAD_SIZE", 200 * 1024 * 1024)
SCORM_MAX_MEMBERS = env_int("SCORM_MAX_MEMBERS", 5_000)
SCORM_MAX_UNCOMPRESSED = env_int("SCORM_MAX_UNCOMPRESSED", 500 * 1024 * 1024)
SCORM_FORBIDDEN_EXTENSIONS = env_list(
    "SCORM_FORBIDDEN_EXTENSIONS",
    "exe,dll,com,bat,cmd,msi,scr,ps1,vbs,sh,jar,apk,app,dmg,php,asp,aspx,jsp,py,pl,cgi",
)
SCORM_SUSPEND_DATA_MAX = env_int("SCORM_SUSPEND_DATA_MAX", 64_000)
SCORM_VALUE_MAX = env_int("SCORM_VALUE_MAX", 4_096)
SCORM_COMMIT_MAX_ELEMENTS = env_int("SCORM_COMMIT_MAX_ELEMENTS", 2_000)
SCORM_COMMIT_MAX_BYTES = env_int("SCORM_COMMIT_MAX_BYTES", 1024 * 1024)
SCORM_AUTOCOMMIT_SECONDS = env_int("SCORM_AUTOCOMMIT_SECONDS", 30)
# How long a player's signed link to the package files stays valid.
SCORM_CONTENT_LINK_SECONDS = env_int("SCORM_CONTENT_LINK_SECONDS", 12 * 3600)
# Tracked video (courses/video, docs/online-study.md): how often the player reports the segments
# played, the share of a video that completes it, the fastest playback that earns seconds (the
# player offers no faster rate; the server credits no more than wall-clock time × this), and
# how many segments and how long a video one report may carry.
COURSES_VIDEO_REPORT_SECONDS = env_int("COURSES_VIDEO_REPORT_SECONDS", 10)
COURSES_VIDEO_COMPLETION_PERCENT = env_int("COURSES_VIDEO_COMPLETION_PERCENT", 95)
COURSES_VIDEO_MAX_PLAYBACK_RATE = env_int("COURSES_VIDEO_MAX_PLAYBACK_RATE", 2)
COURSES_VIDEO_REPORT_MAX_SEGMENTS = env_int("COURSES_VIDEO_REPORT_MAX_SEGMENTS", 200)
COURSES_VIDEO_MAX_SECONDS = env_int("COURSES_VIDEO_MAX_SECONDS", 12 * 3600)
# An XLSX import may unpack to at most this much (50,000 rows of ten columns is about 30 MB).
IMPORT_XLSX_MAX_UNCOMPRESSED = env_int("IMPORT_XLSX_MAX_UNCOMPRESSED", 100 * 1024 * 1024)
# Photo evidence: pixels (bytes and types are in the drills block).
DRILLS_EVIDENCE_MAX_PIXELS = env_int("DRILLS_EVIDENCE_MAX_PIXELS", WAGTAILIMAGES_MAX_IMAGE_PIXELS)
# --- ops: media storage and background jobs ---
# Media (uploads, documents, images, generated PDFs and zips) goes through Django's storage API;
# MEDIA_STORAGE picks the backend: "filesystem" (MEDIA_ROOT) or "s3" (any S3-compatible store
# through django-storages: AWS, MinIO, Ceph, OSS, COS …).
MEDIA_STORAGE = os.environ.get("MEDIA_STORAGE", "filesystem")
if MEDIA_STORAGE == "s3":
    if not os.environ.get("AWS_STORAGE_BUCKET_NAME"):
        raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME.")
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["AWS_STORAGE_BUCKET_NAME"],
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            # Without keys boto3 looks further (instance role, ~/.aws): both are optional.
            "access_key": os.environ.get("AWS_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("AWS_SECRET_ACCESS_KEY") or None,
            "location": os.environ.get("AWS_LOCATION", ""),
            # Objects stay private: links are signed and expire (evidence photos, certificates).
            "default_acl": os.environ.get("AWS_DEFAULT_ACL") or None,
            "querystring_auth": env_bool("AWS_QUERYSTRING_AUTH", True),
            "querystring_expire": env_int("AWS_QUERYSTRING_EXPIRE", 3600),
            # A custom domain (a CDN) gives unsigned links: only for a public bucket.
            "custom_domain": os.environ.get("AWS_S3_CUSTOM_DOMAIN") or None,
            "addressing_style": os.environ.get("AWS_S3_ADDRESSING_STYLE") or None,
            "signature_version": os.environ.get("AWS_S3_SIGNATURE_VERSION", "s3v4"),
            "file_overwrite": False,
        },
    }
elif MEDIA_STORAGE != "filesystem":
    raise ImproperlyConfigured("MEDIA_STORAGE must be filesystem or s3.")
# Wagtail documents are streamed by Wagtail's serve view (privacy checks, no-embed headers)
# from whatever storage holds them; "redirect" hands out the storage's (signed) URL instead.
WAGTAILDOCS_SERVE_METHOD = os.environ.get("DOCUMENTS_SERVE_METHOD", "serve_view")
# With media on MEDIA_ROOT behind nginx: the internal location (``internal;`` in nginx, aliased
# to MEDIA_ROOT) that private files are handed to with X-Accel-Redirect once the application
# has checked who may see them (lms.media). Empty: the application streams them itself.
MEDIA_ACCEL_REDIRECT = os.environ.get("MEDIA_ACCEL_REDIRECT", "")
# Confirmed imports with more rows than this run as background jobs.
IMPORT_BACKGROUND_ROWS = env_int("IMPORT_BACKGROUND_ROWS", 1000)
# --- sign-in: company directory (LDAP / Active Directory) and single sign-on (OIDC) ---
# Directory sign-in is on when DIRECTORY_LDAP_URI is set (ldap://dc1.corp.example,ldaps://…;
# several URIs separated by spaces are tried in turn). The application binds as a read-only
# service account to find the person, then as the person with the password they typed.
DIRECTORY_LDAP_URI = os.environ.get("DIRECTORY_LDAP_URI", "")
DIRECTORY_LDAP_BIND_DN = os.environ.get("DIRECTORY_LDAP_BIND_DN", "")
DIRECTORY_LDAP_BIND_PASSWORD = os.environ.get("DIRECTORY_LDAP_BIND_PASSWORD", "")
DIRECTORY_LDAP_START_TLS = env_bool("DIRECTORY_LDAP_START_TLS", False)
# Seconds to wait for the directory before sign-in says it cannot be reached.
DIRECTORY_LDAP_TIMEOUT = env_int("DIRECTORY_LDAP_TIMEOUT", 5)
# Where people are and which entries are people who may sign in (Active Directory:
# "(&(objectCategory=person)(objectClass=user))").
DIRECTORY_LDAP_USER_BASE = os.environ.get("DIRECTORY_LDAP_USER_BASE", "")
DIRECTORY_LDAP_USER_FILTER = os.environ.get(
    "DIRECTORY_LDAP_USER_FILTER", "(objectClass=inetOrgPerson)"
)
# Entries that exist but are switched off: they cannot sign in, and the sync deactivates them
# (Active Directory: "(userAccountControl:1.2.840.113556.1.4.803:=2)"; OpenLDAP with the
# password-policy overlay: "(pwdAccountLockedTime=*)"). Empty: only missing entries count.
DIRECTORY_LDAP_DISABLED_FILTER = os.environ.get("DIRECTORY_LDAP_DISABLED_FILTER", "")
# Groups whose members get roles (DIRECTORY_GROUP_ROLES), found by their "member" attribute
# (Active Directory: "(objectClass=group)").
DIRECTORY_LDAP_GROUP_BASE = os.environ.get("DIRECTORY_LDAP_GROUP_BASE", "")
DIRECTORY_LDAP_GROUP_FILTER = os.environ.get(
    "DIRECTORY_LDAP_GROUP_FILTER", "(objectClass=groupOfNames)"
)
# Directory attributes (or OIDC claims, OIDC_CLAIM_*) for the employee record. The employee
# number (工号) is what people type to sign in (Active Directory: sAMAccountName or employeeID).
DIRECTORY_ATTR_NUMBER = os.environ.get("DIRECTORY_ATTR_NUMBER", "uid")
DIRECTORY_ATTR_NAME = os.environ.get("DIRECTORY_ATTR_NAME", "displayName")
DIRECTORY_ATTR_EMAIL = os.environ.get("DIRECTORY_ATTR_EMAIL", "mail")
DIRECTORY_ATTR_PHONE = os.environ.get("DIRECTORY_ATTR_PHONE", "telephoneNumber")
DIRECTORY_ATTR_DEPARTMENT = os.environ.get("DIRECTORY_ATTR_DEPARTMENT", "departmentNumber")
# Directory group (its cn) or OIDC group claim value → role, "group:Role" pairs separated by
# commas, e.g. "ga-trainers:Trainer,ga-hr:HR,ga-managers:Department manager". The roles named
# here follow the directory on every sign-in and sync; other roles stay as set in the admin.
DIRECTORY_GROUP_ROLES = os.environ.get("DIRECTORY_GROUP_ROLES", "")
# Department (by code, else by name) and position (by code) for people the directory gives no
# known department or no position; new accounts without either are refused with a reason.
DIRECTORY_DEFAULT_DEPARTMENT = os.environ.get("DIRECTORY_DEFAULT_DEPARTMENT", "")
DIRECTORY_DEFAULT_POSITION = os.environ.get("DIRECTORY_DEFAULT_POSITION", "")
# How often the scheduler runs the directory sync (minutes).
DIRECTORY_SYNC_MINUTES = env_int("DIRECTORY_SYNC_MINUTES", 60)
# Single sign-on (OpenID Connect, mozilla-django-oidc; lms.sso) is on when OIDC_RP_CLIENT_ID is
# set. The provider's endpoints are in its /.well-known/openid-configuration.
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_RP_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_RP_CLIENT_SECRET", "")
OIDC_OP_ISSUER = os.environ.get("OIDC_OP_ISSUER", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("OIDC_OP_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("OIDC_OP_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("OIDC_OP_USER_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("OIDC_OP_JWKS_ENDPOINT", "")
OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = os.environ.get("OIDC_RP_SCOPES", "openid email profile phone")
OIDC_USE_PKCE = True
# Seconds to wait for the provider's token, user info and key endpoints.
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT", 5)
OIDC_AUTHENTICATION_CALLBACK_URL = "sso_callback"
LOGIN_REDIRECT_URL_FAILURE = "/accounts/login/?sso=failed"
# Claims for the employee record and the roles (DIRECTORY_GROUP_ROLES maps the groups claim).
OIDC_CLAIM_NUMBER = os.environ.get("OIDC_CLAIM_NUMBER", "employee_number")
OIDC_CLAIM_NAME = os.environ.get("OIDC_CLAIM_NAME", "name")
OIDC_CLAIM_EMAIL = os.environ.get("OIDC_CLAIM_EMAIL", "email")
OIDC_CLAIM_PHONE = os.environ.get("OIDC_CLAIM_PHONE", "phone_number")
OIDC_CLAIM_DEPARTMENT = os.environ.get("OIDC_CLAIM_DEPARTMENT", "department")
OIDC_CLAIM_GROUPS = os.environ.get("OIDC_CLAIM_GROUPS", "groups")
# With directory sign-in or single sign-on on, people's passwords live there: Wagtail's password
# change screen and the password fields of its user forms are switched off, and our own
# password page is kept for the break-glass superuser only (lms.views.LocalPasswordChangeView).
SSO_ENABLED = bool(DIRECTORY_LDAP_URI or OIDC_RP_CLIENT_ID)
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = not SSO_ENABLED
WAGTAILUSERS_PASSWORD_ENABLED = not SSO_ENABLED

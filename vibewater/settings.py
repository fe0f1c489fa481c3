"""Django settings, read from the environment (and an optional .env) with django-environ."""

from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialWithJitterBackoff

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DJANGO_DEBUG", default=False)
if DEBUG:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="dev-only-insecure-key-do-not-use-in-production")
else:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# --- HTTPS, cookies and the Content-Security-Policy --------------------------------------------
# Redirecting to HTTPS and HSTS only suit a site served over HTTPS, so the deployment turns them on.
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=False)
# Load balancers and compose probe health over plain HTTP from inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=False)
if env.bool("DJANGO_SECURE_PROXY_SSL_HEADER", default=False):
    # Only behind a proxy that terminates TLS and sets this header itself, replacing any a client sent.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Cookies travel over HTTPS only, unless debugging or turned off for a plain-HTTP trial.
SESSION_COOKIE_SECURE = env.bool("DJANGO_SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("DJANGO_CSRF_COOKIE_SECURE", default=not DEBUG)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # 'self' covers the chat's same-origin ws: and wss: socket.
        "connect-src": [SELF],
        "img-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
VITE_DEV_MODE = env.bool("DJANGO_VITE_DEV", default=False)
if VITE_DEV_MODE:
    # Vite's dev server (django-vite's default address) serves the code, injects the CSS as <style>
    # elements and hot-reloads over its own socket; django-vite's React refresh preamble is an inline
    # script, allowed by the request's nonce.
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["script-src"] += ["http://localhost:5173", NONCE]
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["style-src"] += ["http://localhost:5173", UNSAFE_INLINE]
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["connect-src"] += ["http://localhost:5173", "ws://localhost:5173"]

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "csp",
    "django_vite",
    "accounts",
    "chat",
    "strategies",
    "frontend",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    # Before SessionMiddleware: a request's session checks go to the sockets once its session is saved.
    "accounts.middleware.SessionChecksMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "vibewater.urls"
ASGI_APPLICATION = "vibewater.asgi.application"

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

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Replies are stored from several threads (and workers): WAL lets readers run beside the writer,
    # IMMEDIATE takes the write lock up front so a read-then-write transaction never deadlocks, and the
    # timeout waits for the lock instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Threads (and so database connections) per worker for the chat's database calls (chat.db): a bounded
# pool beside asgiref's single shared thread, so one slow call does not queue every trader behind it.
CHAT_DB_THREADS = env.int("CHAT_DB_THREADS", default=4)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
# Every Redis client of the project (the channel layer, the live-reply store) connects with these.
REDIS_CLIENT_OPTIONS = {
    # redis-py 8 times reads out after 5 s by default. The layer's subscriber and the cancel listener poll
    # with their own short timeouts, so this bound only turns a Redis that stopped answering a command
    # into an error instead of a hang.
    "socket_timeout": 10,
    # Keepalive, and a PING before reusing a connection idle for 30 s, replace connections a proxy or
    # NAT dropped while idle.
    "socket_keepalive": True,
    "health_check_interval": 30,
    # Pools built from a URL retry nothing, so after a Redis restart the first command on every pooled
    # connection would fail; reconnect and retry instead.
    "retry": Retry(ExponentialWithJitterBackoff(base=0.05, cap=1.0), retries=3),
}
if REDIS_URL:
    # Pub/sub, not core: a reply's chunks fan out as one PUBLISH per frame however many sockets listen,
    # group membership lives in each worker (so it survives a Redis restart: redis-py resubscribes), and
    # there is no per-channel capacity to overflow and drop chunks mid-reply. What pub/sub gives up,
    # delivery to a socket that is momentarily away, a socket gets back from the live-reply store
    # (chat.live_redis) when it rejoins. So no capacity or expiry to size here: nothing queues in Redis.
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [{"address": REDIS_URL, **REDIS_CLIENT_OPTIONS}]},
        }
    }
    # Django's cache is a synchronous client: the same socket settings, without the asyncio retry policy.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {key: value for key, value in REDIS_CLIENT_OPTIONS.items() if key != "retry"},
        }
    }
else:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "chat.layers.ThrottledInMemoryChannelLayer",
            "CONFIG": {"capacity": env.int("CHANNEL_LAYER_CAPACITY", default=1000)},
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Every socket handshake loads its session: read it from the cache (Redis when shared), stored in the database.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "builder"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Where collectstatic writes and each worker's WhiteNoise serves from.
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "vibewater" / "static", BASE_DIR / "frontend" / "dist"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # collectstatic adds gzip and brotli copies. No hashed names (a manifest storage): Vite already names
    # the bundle by content, and pages render without collectstatic (runserver, tests).
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Vite's content-hashed bundle (assets/main-DuV5E5l6.js) is cached for good; other files for 60 s.
WHITENOISE_IMMUTABLE_FILE_TEST = r"^/static/assets/.+-[0-9A-Za-z_-]{8}\.\w+$"
DJANGO_VITE = {
    "default": {
        "dev_mode": VITE_DEV_MODE,
        "manifest_path": BASE_DIR / "frontend" / "dist" / ".vite" / "manifest.json",
        "static_url_prefix": "",
    }
}

# --- The chat and its model -------------------------------------------------------------------
AWS_CREDENTIAL_VARIABLES = ("AWS_BEARER_TOKEN_BEDROCK", "AWS_ACCESS_KEY_ID", "AWS_PROFILE")
LLM_PROVIDER = env.str(
    "LLM_PROVIDER",
    default="bedrock" if any(env.str(name, default="") for name in AWS_CREDENTIAL_VARIABLES) else "offline",
)
if LLM_PROVIDER not in ("bedrock", "offline"):
    raise ImproperlyConfigured(f"LLM_PROVIDER must be 'bedrock' or 'offline', not {LLM_PROVIDER!r}.")
AWS_REGION = env.str("AWS_REGION", default=env.str("AWS_DEFAULT_REGION", default="us-east-1"))
BEDROCK_MODEL_ID = env.str("BEDROCK_MODEL_ID", default="us.anthropic.claude-haiku-4-5-20251001-v1:0")
BEDROCK_MAX_CONCURRENCY = env.int("BEDROCK_MAX_CONCURRENCY", default=128)
BEDROCK_READ_TIMEOUT = env.float("BEDROCK_READ_TIMEOUT", default=60.0)
BEDROCK_MAX_TOKENS = env.int("BEDROCK_MAX_TOKENS", default=4096)
# The offline strategist's pace in characters a second (0: no delay, as in tests): its chat text about as
# fast as a trader reads along, its backend JSON at a model's token pace, so a reply takes a few seconds.
OFFLINE_TEXT_CHARS_PER_SECOND = env.float("OFFLINE_TEXT_CHARS_PER_SECOND", default=200.0)
OFFLINE_JSON_CHARS_PER_SECOND = env.float("OFFLINE_JSON_CHARS_PER_SECOND", default=800.0)
if min(OFFLINE_TEXT_CHARS_PER_SECOND, OFFLINE_JSON_CHARS_PER_SECOND) < 0:
    raise ImproperlyConfigured(
        "OFFLINE_TEXT_CHARS_PER_SECOND and OFFLINE_JSON_CHARS_PER_SECOND must be 0 (no delay) or more."
    )

CHAT_MAX_MESSAGE_CHARS = env.int("CHAT_MAX_MESSAGE_CHARS", default=4000)
CHAT_MAX_FRAME_BYTES = env.int("CHAT_MAX_FRAME_BYTES", default=256 * 1024)
CHAT_MAX_HISTORY_TURNS = env.int("CHAT_MAX_HISTORY_TURNS", default=40)
# The newest turns the model is sent with each reply (beside the current strategy): a reply's cost stays
# bounded however long the conversation grows.
CHAT_CONTEXT_TURNS = env.int("CHAT_CONTEXT_TURNS", default=40)
CHAT_RATE_LIMIT_PER_MINUTE = env.int("CHAT_RATE_LIMIT_PER_MINUTE", default=20)
# Builder edits (edit_strategy) a trader may make a minute, counted apart from messages.
CHAT_EDITS_PER_MINUTE = env.int("CHAT_EDITS_PER_MINUTE", default=60)
# Deltas arriving within this window are merged into one content_chunk frame.
CHAT_COALESCE_MS = env.float("CHAT_COALESCE_MS", default=15.0)
# While only the strategy streams, what completes of it within this window shares one strategy_progress
# frame (never less than CHAT_COALESCE_MS): a frame costs the worker far more than parsing a delta.
CHAT_PROGRESS_COALESCE_MS = env.float("CHAT_PROGRESS_COALESCE_MS", default=100.0)
# Seconds a worker's lease in Redis lasts after its heartbeat (a third of this apart) last renewed it:
# how soon the other workers take a killed worker's replies and store them as interrupted.
CHAT_LIVE_REPLY_TTL = env.float("CHAT_LIVE_REPLY_TTL", default=15.0)
# Largest server frame, in UTF-8 bytes: daphne refuses to send a WebSocket message over 1 MiB and closes
# the socket, so conversation_state pages its messages within this and any other frame is cut to fit.
CHAT_MAX_SERVER_FRAME_BYTES = env.int("CHAT_MAX_SERVER_FRAME_BYTES", default=512 * 1024)
# Sockets one trader may hold open at once, on all workers together; the next handshake is refused (403).
CHAT_MAX_SOCKETS_PER_USER = env.int("CHAT_MAX_SOCKETS_PER_USER", default=20)
# Seconds a worker's count of its open sockets lasts in Redis without renewal (it renews a third of this
# apart): how soon the sockets of a killed worker stop counting against their traders' cap.
CHAT_SOCKET_LEASE_TTL = env.float("CHAT_SOCKET_LEASE_TTL", default=30.0)
# Bytes a worker may send to a socket whose client has stopped reading (past the transport's 64 KiB
# buffer) before it drops the connection: by default twice the largest frame, so a slow link catching
# up on a full conversation_state is not dropped (vibewater.send_buffer, in python -m vibewater.serve).
CHAT_SEND_BUFFER_BYTES = env.int("CHAT_SEND_BUFFER_BYTES", default=2 * CHAT_MAX_SERVER_FRAME_BYTES)
# Seconds between writes of a streaming reply's text so far to its row (chat.checkpoints), so the text a
# worker killed mid-reply had reached survives it even without Redis; 0 turns checkpoints off.
CHAT_CHECKPOINT_SECONDS = env.float("CHAT_CHECKPOINT_SECONDS", default=5.0)
# Most bars one backtest reads (the newest of its range): bounds a run's memory and CPU.
BACKTEST_MAX_BARS = env.int("BACKTEST_MAX_BARS", default=50_000)

# Largest strategy file a trader may import, in bytes (an export of the largest strategy the caps allow
# is about 60 KiB), and imports per trader per minute.
STRATEGY_IMPORT_MAX_BYTES = env.int("STRATEGY_IMPORT_MAX_BYTES", default=256 * 1024)
STRATEGY_IMPORTS_PER_MINUTE = env.int("STRATEGY_IMPORTS_PER_MINUTE", default=10)

# --- Running backtests from the socket (chat.backtests) -------------------------------------------
# Backtests one trader may start per minute, on all sockets and workers together.
BACKTEST_RATE_LIMIT_PER_MINUTE = env.int("BACKTEST_RATE_LIMIT_PER_MINUTE", default=6)
# Backtests a worker runs at once, each on a thread of its own (the engine is CPU-bound); the rest wait in order.
BACKTEST_CONCURRENCY = env.int("BACKTEST_CONCURRENCY", default=1)
# A run still going after this many seconds sends backtest_progress frames; shorter runs send none.
BACKTEST_PROGRESS_AFTER_SECONDS = env.float("BACKTEST_PROGRESS_AFTER_SECONDS", default=1.0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"botocore": {"level": "WARNING"}, "daphne": {"level": "WARNING"}},
}

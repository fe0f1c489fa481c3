"""Settings for the test suite: the product's settings with test-friendly defaults."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key")
# Debug off, as in production, even where `make run` has written a development .env.
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ["LLM_PROVIDER"] = os.environ.get("TEST_LLM_PROVIDER", "offline")
os.environ.setdefault("OFFLINE_TEXT_CHARS_PER_SECOND", "0")
os.environ.setdefault("OFFLINE_JSON_CHARS_PER_SECOND", "0")

from vibewater.settings import *  # noqa: E402,F403
from vibewater.settings import BASE_DIR, DATABASES  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not :memory:, so live-server tests and daphne subprocesses share it; one per test run,
    # named in the environment so the run's subprocesses inherit it.
    os.environ.setdefault("VIBEWATER_TEST_DB", str(BASE_DIR / f"test-db-{os.getpid()}.sqlite3"))
    DATABASES["default"]["TEST"] = {"NAME": os.environ["VIBEWATER_TEST_DB"]}
# Tests run no collectstatic: WhiteNoise finds static files where they live, as in development.
WHITENOISE_AUTOREFRESH = WHITENOISE_USE_FINDERS = True

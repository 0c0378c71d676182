"""Test settings: the real settings with fast hashing, in-memory mail and no outside services."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-secret-key-not-for-production-0123456789")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
# Tests run production settings (DEBUG off), which refuse the development key: a fixed test key.
TEST_ENCRYPTION_KEY = "Z3JhbnRmaW5kZXItdGVzdC1rZXktbm90LXNlY3JldCE="
os.environ.setdefault("ENCRYPTION_KEYS", TEST_ENCRYPTION_KEY)

from grantfinder.settings import *  # noqa: E402,F403
from grantfinder.settings import DATABASES  # noqa: E402

# Several checkouts or helpers may share one PostgreSQL server: each names its own test database.
DATABASES["default"]["TEST"] = {"NAME": os.environ.get("GF_TEST_DB", "test_grantfinder")}

SECURE_SSL_REDIRECT = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
# The real cache (a table in the test database): rate-limit counts roll back with each test.
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
# Nothing in tests reaches the internet: outside services are faked on 127.0.0.1 per test.
GRANTSGOV_API_BASE = "http://127.0.0.1:9/grantsgov-not-configured-in-this-test"
CA_GRANTS_API_BASE = "http://127.0.0.1:9/ca-portal-not-configured-in-this-test"
# The offline template writer, unless a test points the LLM at its fake server on 127.0.0.1.
LLM_BASE_URL = ""
LLM_API_KEY = ""
LLM_MODEL = ""
WHITENOISE_AUTOREFRESH = True  # no collectstatic in tests

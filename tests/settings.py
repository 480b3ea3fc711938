"""Settings for the test suite: Portico's own, with a fast password hasher, e-mail kept in
memory, a per-process cache and a throwaway var/ directory."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "tests-only-not-secret")
os.environ["PORTICO_VAR_DIR"] = tempfile.mkdtemp(prefix="portico-test-var-")
# Playwright's sync API keeps an event loop on the test thread; the ORM calls the tests
# make beside it are still synchronous, so Django's guard would be a false alarm.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from portico.settings import *  # noqa: F403
from portico.settings import DATABASES, STATIC_ROOT, STORAGES

# The suite has one database. A DATABASE_REPLICA_URL in the runner's environment changes
# nothing here: the replica is proved against two real servers, primary and standby
# (tests/operations/test_replica.py).
DATABASES.pop("replica", None)
DATABASE_ROUTERS = []

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
# A test reads the feed in the transaction that recorded its events: nothing is in flight.
# tests/api/test_events_feed.py sets a delay where it tests one.
PORTICO_EVENT_FEED_DELAY = 0.0
# Webhooks reach only the test receivers on this machine (portico.webhooks.targets).
PORTICO_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
PORTICO_WEBHOOK_ALLOWED_HOSTS_ONLY = True
# Read afresh at every event: a test's subscriptions vanish with its rolled-back
# transaction, and the next test must not be told of them.
PORTICO_WEBHOOK_NAMES_SECONDS = 0.0

# WhiteNoise looks for collected files at start-up; the tests serve from the finders.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)

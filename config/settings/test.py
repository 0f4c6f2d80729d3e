from .base import *  # noqa: F403
from .base import env

SECRET_KEY = "test-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tests drive tasks in-process unless a test starts a real worker itself.
CELERY_TASK_ALWAYS_EAGER = True
CACHES = {**CACHES, "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}  # noqa: F405
REST_FRAMEWORK = {  # noqa: F405
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {"api_key": "100000/minute"},
}
# Every test answers from 127.0.0.1; tests/survey/test_throttling.py sets the real limits itself.
PULSE_THROTTLE_RATES = {"failures": "100000/minute", "open_link": "100000/minute"}
TEST_REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/15")
# Live-server and test threads must not keep connections open past a test (teardown drops the DB).
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
# pytest-django's live server serves static files only when it finds this exact entry (base.py
# names our StaticFilesConfig subclass, which only narrows what collectstatic copies).
INSTALLED_APPS = [  # noqa: F405
    "django.contrib.staticfiles" if app == "config.staticfiles.PulseStaticFilesConfig" else app
    for app in INSTALLED_APPS  # noqa: F405
]

"""A real Celery worker, with the real Redis as broker, aggregates after a submission."""

import threading
import time

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.db import connection

from analytics.models import PublishedCell
from config.celery import app
from survey.models import PendingResponse, Wave
from tests.analytics.helpers import respond
from tests.conftest import make_tree


@pytest.fixture
def redis_app(settings):
    """The project's Celery app on the test Redis; tests/conftest.py puts it back in-process after."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.PULSE_AGGREGATE_DEBOUNCE_SECONDS = 0
    url = settings.TEST_REDIS_URL
    app.conf.update(broker_url=url, broker_read_url=url, broker_write_url=url, task_always_eager=False)
    # Drop connection pools made for the in-process broker earlier in the session (as Celery does
    # after a fork), so that producer and worker both talk to Redis.
    app._after_fork()
    task_postrun.connect(_close_worker_connection)
    yield app
    task_postrun.disconnect(_close_worker_connection)
    app.conf.update(broker_url="memory://", broker_read_url=None, broker_write_url=None)
    app._after_fork()


WORKER_THREADS: list[str] = []


def _close_worker_connection(**kwargs) -> None:
    WORKER_THREADS.append(threading.current_thread().name)
    # The embedded worker's thread has its own connection: close it so the test DB can be dropped.
    connection.close()


@pytest.mark.django_db(transaction=True)
def test_worker_aggregates_after_submissions(redis_app, survey, settings):
    from django.core.cache import cache

    cache.clear()
    organisation, teams = make_tree("celery", {"d": {"t": 10}})
    wave = Wave.objects.create(organisation=organisation, survey=survey, name="C", status=Wave.Status.OPEN)
    with start_worker(redis_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        respond(wave, teams["t"], [{"enps_recommend": 10} for _ in range(10)])  # the mixing minimum, 2k
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and (
            PendingResponse.objects.exists() or not PublishedCell.objects.filter(wave=wave).exists()
        ):
            time.sleep(0.2)
    cell = PublishedCell.objects.get(wave=wave, team=teams["t"], kind="dimension", code="enps")
    assert cell.n == 10 and cell.score == 100.0
    assert not PendingResponse.objects.exists()
    assert WORKER_THREADS and threading.main_thread().name not in WORKER_THREADS, "ran in the worker, not eagerly"

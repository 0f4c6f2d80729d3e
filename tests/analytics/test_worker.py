"""A real Celery worker, with the real Redis as broker, aggregates after a submission."""

import threading
import time

import pytest
from celery.contrib.testing.worker import start_worker

from analytics.models import PublishedCell
from survey.models import PendingResponse, Wave
from tests.analytics.helpers import respond
from tests.conftest import WORKER_THREADS, make_tree


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

"""Thin Celery tasks: take ids, call a service, safe to run twice."""

import uuid

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import OperationalError, transaction
from django.db.models import Exists, OuterRef, Q

from analytics.services.aggregation import wave_aggregate
from survey.models import PendingResponse, Wave
from survey.outage import REDIS_UNREACHABLE, redis_outage
from survey.services.submission import mixing_minimum

TRANSIENT = (OperationalError, ConnectionError)


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT,
    retry_backoff=True,
    max_retries=5,
    soft_time_limit=240,
    time_limit=300,
)
def aggregate_wave(wave_id: str, full: bool = False, rescore: bool = False) -> dict:
    """Folds and publishes a wave; `rescore` scores all its comments again first (batch scoring)."""
    cache.delete_many([_debounce_key(wave_id), _ready_key(wave_id), _arrivals_key(wave_id)])
    if settings.PULSE_AGGREGATE_MIN_INTERVAL_SECONDS:
        cache.set(_recent_key(wave_id), 1, timeout=settings.PULSE_AGGREGATE_MIN_INTERVAL_SECONDS)
    result = wave_aggregate(wave_id=wave_id, full=full, rescore=rescore)
    return {"folded": result.folded, "published": result.published}


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=60, time_limit=90)
def aggregate_open_waves() -> int:
    """The beat's safety net: picks up whatever a lost or debounced trigger left behind, including
    a closed wave's last pending batch."""
    waiting = PendingResponse.objects.filter(wave=OuterRef("pk"))
    wave_ids = list(
        Wave.objects.filter(Q(status=Wave.Status.OPEN) | Q(status=Wave.Status.CLOSED) & Exists(waiting)).values_list(
            "id", flat=True
        )
    )
    for wave_id in wave_ids:
        aggregate_wave.delay(str(wave_id))
    return len(wave_ids)


def _debounce_key(wave_id: uuid.UUID | str) -> str:
    return f"pulse:aggregate-scheduled:{wave_id}"


def _ready_key(wave_id: uuid.UUID | str) -> str:
    return f"pulse:aggregate-batch-ready:{wave_id}"


def _arrivals_key(wave_id: uuid.UUID | str) -> str:
    return f"pulse:aggregate-arrivals:{wave_id}"


def _recent_key(wave_id: uuid.UUID | str) -> str:
    return f"pulse:aggregate-ran:{wave_id}"


def _batch_ready(wave_id: uuid.UUID | str) -> bool:
    """Whether a run would move a batch now: a whole mixing batch (2 x k) waits, or the wave
    closed with anything waiting. One query that stops counting at the mixing minimum."""
    wave = Wave.objects.filter(pk=wave_id).only("k_min", "status").first()
    if wave is None:
        return False
    needed = 1 if wave.status == Wave.Status.CLOSED else mixing_minimum(wave)
    waiting = PendingResponse.objects.filter(wave_id=wave_id, batch__isnull=True)
    return len(waiting.values_list("pk", flat=True)[:needed]) >= needed


def _arrived(wave_id: uuid.UUID | str) -> int:
    """Submissions since the wave's last run started, counted in the shared cache: a hint for
    when to queue, never what a run folds (it claims from the database)."""
    key = _arrivals_key(wave_id)
    for _ in range(3):
        try:
            return cache.incr(key)
        except ValueError:  # no count yet, or a run started and reset it just now
            if cache.add(key, 1, timeout=3600):
                return 1
    return 1


def schedule_wave_aggregation(*, wave_id: uuid.UUID | str, wave: Wave | None = None) -> None:
    """Queues an aggregation once the caller's data is committed: as soon as a whole mixing batch
    (2 x k) has arrived, so batches are folded small and early, but no sooner than
    PULSE_AGGREGATE_MIN_INTERVAL_SECONDS after the wave's previous run, so that a rush at 9:00
    costs one run per interval rather than one per ten submissions; below a batch, one run per
    debounce window, which picks up a smaller batch at closing or when arrivals are slow.
    `wave`, when the sender has it (an open wave, its k frozen), saves the queries.

    With tasks in-process (no broker) only a ready batch runs one: a run that would move nothing
    publishes nothing new, and every submission used to pay for a whole run."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        # In-process mode: the caller's connection already sees its own writes.
        if _batch_ready(wave_id):
            aggregate_wave.delay(str(wave_id))
        return
    if redis_outage.ongoing:
        return
    delay = settings.PULSE_AGGREGATE_DEBOUNCE_SECONDS
    try:
        ready = (
            _arrived(wave_id) >= mixing_minimum(wave)
            if wave is not None and wave.status == Wave.Status.OPEN
            else _batch_ready(wave_id)
        )
        if ready:
            if cache.add(_ready_key(wave_id), 1, timeout=delay * 4 or 60):
                pause = settings.PULSE_AGGREGATE_MIN_INTERVAL_SECONDS if cache.get(_recent_key(wave_id)) else 0
                transaction.on_commit(lambda: _queue(wave_id, countdown=pause))
            return
        if cache.add(_debounce_key(wave_id), 1, timeout=delay * 4):
            transaction.on_commit(lambda: _queue(wave_id, countdown=delay))
    except REDIS_UNREACHABLE as error:
        redis_outage.failed(error, "queueing an aggregation")


def _queue(wave_id: uuid.UUID | str, countdown: int) -> None:
    """Sends the task. Without the broker the submission is stored all the same: the database is
    the source of truth, and the beat's sweep queues the run once Redis is back."""
    try:
        aggregate_wave.apply_async((str(wave_id),), countdown=countdown)
    except REDIS_UNREACHABLE as error:
        redis_outage.failed(error, "queueing an aggregation")

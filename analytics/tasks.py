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
    autoretry_for=TRANSIENT,
    retry_backoff=True,
    max_retries=5,
    soft_time_limit=240,
    time_limit=300,
)
def aggregate_wave(wave_id: str, full: bool = False, rescore: bool = False) -> dict:
    """Folds and publishes a wave; `rescore` scores all its comments again first (batch scoring)."""
    cache.delete_many([_debounce_key(wave_id), _ready_key(wave_id)])
    result = wave_aggregate(wave_id=wave_id, full=full, rescore=rescore)
    return {"folded": result.folded, "published": result.published}


@shared_task(acks_late=True, soft_time_limit=60, time_limit=90)
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


def _batch_ready(wave_id: uuid.UUID | str) -> bool:
    """Whether a run would move a batch now: a whole mixing batch (2 x k) waits, or the wave
    closed with anything waiting. One query that stops counting at the mixing minimum."""
    wave = Wave.objects.filter(pk=wave_id).only("k_min", "status").first()
    if wave is None:
        return False
    needed = 1 if wave.status == Wave.Status.CLOSED else mixing_minimum(wave)
    waiting = PendingResponse.objects.filter(wave_id=wave_id, batch__isnull=True)
    return len(waiting.values_list("pk", flat=True)[:needed]) >= needed


def schedule_wave_aggregation(*, wave_id: uuid.UUID | str) -> None:
    """Queues an aggregation once the caller's data is committed: at once when a whole mixing
    batch (2 x k) waits, so batches are folded small and early; otherwise one per debounce
    window, which picks up a smaller batch at closing or when arrivals are slow.

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
        if _batch_ready(wave_id):
            if cache.add(_ready_key(wave_id), 1, timeout=delay * 4 or 60):
                transaction.on_commit(lambda: _queue(wave_id))
            return
        if cache.add(_debounce_key(wave_id), 1, timeout=delay * 4):
            transaction.on_commit(lambda: _queue(wave_id, countdown=delay))
    except REDIS_UNREACHABLE as error:
        redis_outage.failed(error, "queueing an aggregation")


def _queue(wave_id: uuid.UUID | str, countdown: int | None = None) -> None:
    """Sends the task. Without the broker the submission is stored all the same: the database is
    the source of truth, and the beat's sweep queues the run once Redis is back."""
    try:
        if countdown is None:
            aggregate_wave.delay(str(wave_id))
        else:
            aggregate_wave.apply_async((str(wave_id),), countdown=countdown)
    except REDIS_UNREACHABLE as error:
        redis_outage.failed(error, "queueing an aggregation")

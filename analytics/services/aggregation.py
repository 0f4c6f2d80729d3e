"""Folding submissions into per-team answer counts, and publishing them through the gate."""

import uuid

from django.db import transaction

from survey.models import Wave
from survey.services.submission import pending_claim, pending_move


@transaction.atomic
def wave_aggregate(*, wave_id: uuid.UUID | str, full: bool = False) -> int:
    """Mixes pending submissions into responses. Returns how many were folded in."""
    # One aggregation per wave at a time: the row lock serialises concurrent workers.
    wave = Wave.objects.select_for_update().get(pk=wave_id)
    batch = pending_claim(wave=wave)
    if batch is None:
        return 0
    pending_move(batch=batch)
    return 1

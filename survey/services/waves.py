"""Opening and closing waves. k and k_comments are frozen once a wave opens."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from survey.models import Wave


@transaction.atomic
def wave_open(*, wave: Wave) -> Wave:
    wave = Wave.objects.select_for_update().get(pk=wave.pk)
    if wave.status != Wave.Status.DRAFT:
        raise ValidationError("Only a draft wave can be opened.")
    wave.full_clean()
    wave.status = Wave.Status.OPEN
    wave.opens_at = wave.opens_at or timezone.now()
    wave.save(update_fields=["status", "opens_at"])
    return wave


@transaction.atomic
def wave_close(*, wave: Wave) -> Wave:
    wave = Wave.objects.select_for_update().get(pk=wave.pk)
    if wave.status != Wave.Status.OPEN:
        raise ValidationError("Only an open wave can be closed.")
    wave.status = Wave.Status.CLOSED
    wave.closes_at = min(wave.closes_at or timezone.now(), timezone.now())
    wave.save(update_fields=["status", "closes_at"])
    from analytics.tasks import schedule_wave_aggregation

    schedule_wave_aggregation(wave_id=wave.pk)
    return wave

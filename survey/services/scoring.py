"""Scoring is frozen with the wave (PRODUCT.md rule 7).

Once any wave of a survey has left draft, its dimensions, questions and options never change
again: whoever could edit option scores and republish could turn a mean into a count of one
option and read one person's answer. HR copies the survey (survey.services.surveys) to change it.

The signals in survey.signals call these checks on every save and delete; a PostgreSQL trigger
(migration 0003) refuses what skips signals.
"""

import uuid

from django.core.exceptions import ValidationError
from django.db import transaction

from survey.models import Survey, Wave

FROZEN_MESSAGE = "This survey is used by an opened wave; copy it to change its scoring."


def survey_scoring_frozen(*, survey_id: uuid.UUID | None) -> bool:
    return survey_id is not None and Wave.objects.filter(survey_id=survey_id).exclude(status=Wave.Status.DRAFT).exists()


def scoring_check_unfrozen(*, survey_ids: set[uuid.UUID | None]) -> None:
    """Raises ValidationError if any of the surveys is frozen."""
    if any(survey_scoring_frozen(survey_id=survey_id) for survey_id in survey_ids):
        raise ValidationError(FROZEN_MESSAGE, code="scoring_frozen")


def scoring_lock_for_opening(*, survey_id: uuid.UUID) -> None:
    """Called as a wave leaves draft. Holding the survey row makes the opening wait for scoring
    edits in flight (the trigger takes a share lock on the same row), and those that come after
    see the opened wave, so none slips in between."""
    if not transaction.get_autocommit():
        list(Survey.objects.select_for_update(no_key=True).filter(pk=survey_id).values_list("pk"))

"""Taking a submission, and mixing submissions into stored responses.

Unlinkability (PRODUCT.md rule 1) drives the shape of this module:
- the invitation is consumed in one transaction and the submission written in another, so
  no transaction id (PostgreSQL's xmin) is shared by the two rows;
- a submission first lands in the pending tables; `pending_claim` and `pending_move` later move a whole batch
  into the response tables in one transaction, in random order and under fresh random ids, so the
  stored rows carry the batch's transaction id and a physical order that says nothing about arrival;
- a batch is claimed only once it holds at least `mixing_minimum` submissions (or when the wave has
  closed), in every mode: with tasks run in-process every submission triggers a run, and batches of
  one would store rows in arrival order.
"""

import logging
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from survey.events import answers_arrived
from survey.models import Invitation, PendingResponse, Team, Wave
from survey.services.answers import CleanAnswers, answers_clean
from survey.services.errors import (
    InvitationExpired,
    InvitationNotFound,
    InvitationUsed,
    TeamFull,
    WaveClosed,
    WaveNotOpen,
)
from survey.services.invitations import SeatsExhausted, seats_release, seats_take
from survey.services.tokens import token_hash
from survey.sql import uuid_param

logger = logging.getLogger(__name__)
# A failing receiver is logged at most once a minute per process: a line per submission would
# record, in its timestamp, when each person answered (PRODUCT.md rule 1).
_RECEIVER_LOG_PAUSE = 60.0
_receiver_logged_at = -_RECEIVER_LOG_PAUSE


def invitation_check(*, token: str) -> Invitation:
    """The invitation behind a token if it can still answer, else the matching SubmissionError."""
    invitation = (
        Invitation.objects.select_related("wave__survey", "team").filter(token_hash=token_hash(token or "")).first()
    )
    if invitation is None:
        raise InvitationNotFound()
    wave = invitation.wave
    if wave.status == Wave.Status.CLOSED:
        raise WaveClosed()
    if wave.closes_at and wave.closes_at <= timezone.now():
        raise InvitationExpired()
    if wave.status != Wave.Status.OPEN or (wave.opens_at and wave.opens_at > timezone.now()):
        raise WaveNotOpen()
    if invitation.reusable and not wave.allow_open_links:
        raise InvitationNotFound()
    if invitation.used:
        raise InvitationUsed()
    return invitation


def _consume(invitation: Invitation) -> None:
    if not invitation.reusable:
        # One conditional UPDATE, its own transaction: of two concurrent submissions only one flips it.
        if not Invitation.objects.filter(pk=invitation.pk, used=False).update(used=True):
            raise InvitationUsed()
        return
    # An open link is capped like single-use links: each answer takes one of the team's seats.
    with transaction.atomic():
        try:
            seats_take(wave_id=invitation.wave_id, team=invitation.team, count=1)
        except SeatsExhausted:
            raise TeamFull() from None


def _unconsume(invitation: Invitation) -> None:
    if invitation.reusable:
        seats_release(wave_id=invitation.wave_id, team=invitation.team)
    else:
        Invitation.objects.filter(pk=invitation.pk).update(used=False)


def _insert(cursor, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    if rows:
        marks = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * len(rows))
        cursor.execute(f"INSERT INTO {table} ({', '.join(columns)}) VALUES {marks}", [v for row in rows for v in row])


@transaction.atomic
def _store_pending(invitation: Invitation, clean: CleanAnswers) -> None:
    # Three plain INSERTs: the ORM's bulk_create cost more than the database did on this path.
    pending = uuid_param(uuid.uuid4())
    with connection.cursor() as cursor:
        _insert(
            cursor,
            "survey_pendingresponse",
            ("id", "wave_id", "team_id"),
            [(pending, uuid_param(invitation.wave_id), uuid_param(invitation.team_id))],
        )
        _insert(
            cursor,
            "survey_pendinganswer",
            ("pending_id", "question_id", "value"),
            [(pending, question_id, value) for question_id, value in clean.values.items()],
        )
        _insert(
            cursor,
            "survey_pendingcomment",
            ("id", "pending_id", "question_id", "text"),
            [(uuid_param(uuid.uuid4()), pending, question_id, text) for question_id, text in clean.comments.items()],
        )


@dataclass(frozen=True)
class Submitted:
    """What one submission stored: the receipt page and the API's 201 body are made of this."""

    wave: Wave
    team: Team
    clean: CleanAnswers


def submission_store(*, invitation: Invitation, clean: CleanAnswers) -> Submitted:
    """Consumes the invitation and stores answers already checked by `answers_clean`; all or nothing.

    Deliberately not one transaction (see the module docstring): if storing fails after
    the invitation was consumed, the invitation is handed back before the error propagates.
    The conditional UPDATE in `_consume` is what makes a replayed form or a reload fail.
    """
    if clean.survey_id != invitation.wave.survey_id:
        raise ValueError("These answers were checked against another survey.")
    _consume(invitation)
    try:
        _store_pending(invitation, clean)
    except BaseException:
        _unconsume(invitation)
        raise
    # The answers are stored: nothing after this may fail the person's submission. A receiver that
    # fails (the broker down) is logged; the beat's sweep folds the batch later.
    for receiver, error in answers_arrived.send_robust(sender=Wave, wave_id=invitation.wave_id, wave=invitation.wave):
        if isinstance(error, Exception):
            _receiver_failed(receiver, error)
    return Submitted(wave=invitation.wave, team=invitation.team, clean=clean)


def _receiver_failed(receiver, error: Exception) -> None:
    global _receiver_logged_at
    now = time.monotonic()
    if now - _receiver_logged_at >= _RECEIVER_LOG_PAUSE:
        _receiver_logged_at = now
        logger.error("Could not schedule an aggregation (%s): %r; the beat's sweep folds the answers.", receiver, error)


def submission_submit(
    *,
    token: str,
    answers: object,
    language: str | None = None,
    admit: Callable[[Invitation], None] | None = None,
) -> Submitted:
    """Validates (scrubbing comments), consumes the invitation, stores the answers; all or nothing.

    `admit`, when given, sees the invitation once it is known to be able to answer, before any answer
    is checked, and may refuse it by raising a SubmissionError (the open-link throttle does)."""
    invitation = invitation_check(token=token)
    if admit is not None:
        admit(invitation)
    clean = answers_clean(survey=invitation.wave.survey, answers=answers, language=language)
    return submission_store(invitation=invitation, clean=clean)


def mixing_minimum(wave: Wave) -> int:
    """The smallest batch moved while the wave is open: twice its minimum group size."""
    return 2 * wave.k_min


def pending_claim(*, wave: Wave) -> uuid.UUID | None:
    """Claims every unclaimed pending submission of the wave as one batch, once there are at least
    `mixing_minimum` of them or the wave has closed.

    A conditional UPDATE: a second worker running at the same moment waits on the row
    locks, then finds nothing left to claim. Call inside the transaction that moves the batch
    (holding the wave's row lock), so a crash hands the batch back.
    """
    waiting = PendingResponse.objects.filter(wave=wave, batch__isnull=True)
    if wave.status != Wave.Status.CLOSED and waiting.count() < mixing_minimum(wave):
        return None
    batch = uuid.uuid4()
    return batch if waiting.update(batch=batch) else None


# An answer to a question with at least one scored option: a response with one counts in
# participation (Response.scored). Four empty submissions must not make one real answer publishable.
SCORED = "EXISTS (SELECT 1 FROM survey_option o WHERE o.question_id = a.question_id AND o.score IS NOT NULL)"


def pending_move(*, batch: uuid.UUID) -> int:
    """Moves a claimed batch into the response tables, in random order, then forgets it.

    Stored rows get fresh random ids: a response keeping its pending row's id could be matched
    with anything that saw the pending row. The responses of one batch share the first half of
    their ids (random, drawn for the batch) and differ in the second (random per response), so
    the batch lands in one place of the primary-key indexes instead of a page per response (at
    1,000,000 responses, 1,000 submissions' answers went in 0.06 s instead of 0.21 s). That
    tells nothing new: rows written by one transaction already share its id (xmin) and lie
    side by side in the table, and the halves drawn for batches follow no order. Returns the
    number of responses moved."""
    params = [uuid_param(batch)]
    prefix = secrets.token_hex(8)
    # SQLite has no UUID function; Django stores UUIDs there as 32 hex characters.
    if connection.vendor == "postgresql":
        response_id, new_id = (
            "CAST(%s || substr(md5(CAST(gen_random_uuid() AS text)), 1, 16) AS uuid)",
            "gen_random_uuid()",
        )
    else:
        response_id, new_id = "%s || lower(hex(randomblob(8)))", "lower(hex(randomblob(16)))"
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS pulse_mix")
        cursor.execute(
            f"CREATE TEMP TABLE pulse_mix AS SELECT p.id AS pending_id, {response_id} AS response_id, "
            "p.wave_id, p.team_id, "
            f"EXISTS (SELECT 1 FROM survey_pendinganswer a WHERE a.pending_id = p.id AND {SCORED}) AS scored "
            "FROM survey_pendingresponse p WHERE p.batch = %s",
            [prefix, *params],
        )
        # The order is the fresh random ids' order: a random permutation of the batch, unrelated to
        # arrival, and the order of the primary-key indexes, so the rows land in them in one sweep
        # (random-order inserts into a large index touch one page per row and grow with history).
        for statement in (
            "INSERT INTO survey_response (id, wave_id, team_id, scored) SELECT response_id, wave_id, team_id, scored "
            "FROM pulse_mix ORDER BY response_id",
            "INSERT INTO survey_answer (response_id, question_id, wave_id, team_id, value) "
            "SELECT m.response_id, a.question_id, m.wave_id, m.team_id, a.value "
            "FROM survey_pendinganswer a JOIN pulse_mix m ON m.pending_id = a.pending_id "
            "ORDER BY m.response_id, a.question_id",
            f"INSERT INTO survey_comment (id, wave_id, team_id, question_id, text) "
            f"SELECT {new_id}, m.wave_id, m.team_id, c.question_id, c.text "
            "FROM survey_pendingcomment c JOIN pulse_mix m ON m.pending_id = c.pending_id ORDER BY random()",
            "DROP TABLE pulse_mix",
        ):
            cursor.execute(statement)
        # Plain SQL: the ORM's delete of composite-key rows goes through a slow row-value IN.
        for table in ("survey_pendinganswer", "survey_pendingcomment"):
            cursor.execute(
                f"DELETE FROM {table} WHERE pending_id IN (SELECT id FROM survey_pendingresponse WHERE batch = %s)",
                params,
            )
        cursor.execute("DELETE FROM survey_pendingresponse WHERE batch = %s", params)
        return cursor.rowcount

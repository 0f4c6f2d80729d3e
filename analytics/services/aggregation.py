"""Folding submissions into per-team answer counts, in the database.

Incremental: a claimed batch of pending submissions is counted with one GROUP BY and added to
the counts (an upsert), then moved into the response tables. Full: the counts are recomputed
from the response tables with one GROUP BY. Both end in `wave_publish`. Counts are integers,
so both paths give the same numbers exactly.

Every run holds the wave's row lock for its whole transaction: two workers (or a worker and
`manage.py aggregate`) on the same wave run one after the other, and a crash rolls back the
claim, the counts and the move together.
"""

import uuid
from dataclasses import dataclass

from django.db import connection, transaction

from analytics.services.comments import comments_score
from analytics.services.counts import count_rows
from analytics.services.publication import wave_publish
from analytics.services.recount import counts_recount
from survey.models import Wave
from survey.services.submission import SCORED, pending_claim, pending_move
from survey.sql import execute, uuid_param

# The batch's answers grouped as the recount groups the wave's, then counted by the same rows.
FOLD_BATCH = """
WITH grouped AS (
  SELECT p.team_id, a.question_id, a.value, COUNT(*) AS n
  FROM survey_pendinganswer a JOIN survey_pendingresponse p ON p.id = a.pending_id
  WHERE p.batch = %(batch)s GROUP BY p.team_id, a.question_id, a.value
)
INSERT INTO analytics_answercount (wave_id, team_id, question_id, value, n, released)
SELECT %(wave)s, team_id, question_id, value, total, 0 FROM ({rows}
UNION ALL
SELECT p.team_id, c.question_id, 0, COUNT(*)
FROM survey_pendingcomment c JOIN survey_pendingresponse p ON p.id = c.pending_id
WHERE p.batch = %(batch)s
GROUP BY p.team_id, c.question_id) batch
WHERE true
ON CONFLICT (wave_id, team_id, question_id, value) DO UPDATE SET n = analytics_answercount.n + EXCLUDED.n
"""

FOLD_TALLY = f"""
INSERT INTO analytics_teamtally (wave_id, team_id, responses, released, rolled)
SELECT p.wave_id, p.team_id, COUNT(*), 0, 0 FROM survey_pendingresponse p WHERE p.batch = %(batch)s
AND EXISTS (SELECT 1 FROM survey_pendinganswer a WHERE a.pending_id = p.id AND {SCORED})
GROUP BY p.wave_id, p.team_id
ON CONFLICT (wave_id, team_id) DO UPDATE SET responses = analytics_teamtally.responses + EXCLUDED.responses
"""


@dataclass(frozen=True)
class AggregationResult:
    folded: int  # pending submissions folded in by this run
    published: bool  # whether the published cells changed


def _fold(wave: Wave, batch: uuid.UUID) -> int:
    fold = FOLD_BATCH.format(rows=count_rows("grouped", survey_id=wave.survey_id))
    execute(fold, {"batch": uuid_param(batch), "wave": uuid_param(wave.pk)})
    execute(FOLD_TALLY, {"batch": uuid_param(batch)})
    return pending_move(batch=batch)


@transaction.atomic
def wave_aggregate(*, wave_id: uuid.UUID | str, full: bool = False, rescore: bool = False) -> AggregationResult:
    """Folds pending submissions in (and recounts everything if `full`), then publishes. `rescore`
    scores every comment of the wave again (a new model) and republishes everything."""
    wave = Wave.objects.select_for_update().get(pk=wave_id)
    if connection.vendor == "postgresql":
        # Group-bys over a wave's counts fit in memory with this much; the default spills to disk.
        execute("SET LOCAL work_mem = '64MB'")
        if not (full or rescore):
            # An incremental run is a series of short statements over one batch; JIT compiling
            # them (about 0.1 s each once the planner overestimates a churned pending table) costs
            # more than it ever saves. The recount's large reads are set in `counts.large_reads`.
            execute("SET LOCAL jit = off")
    batch = pending_claim(wave=wave)
    folded = _fold(wave, batch) if batch else 0
    # Before the release: every comment a release counts must have its score.
    comments_score(wave=wave, rescore=rescore)
    full = full or rescore
    recounted = counts_recount(wave=wave) if full else 0
    published = wave_publish(wave=wave, force=full)
    if recounted and connection.vendor == "postgresql":
        # Count rows were rewritten in bulk: fresh statistics keep later plans right.
        execute("ANALYZE analytics_answercount, analytics_rolledcount")
    return AggregationResult(folded=folded, published=published)

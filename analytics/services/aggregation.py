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

from analytics.scoring import ANSWERED
from analytics.services.comments import comments_score
from analytics.services.publication import wave_publish
from analytics.services.recount import counts_recount
from survey.models import Wave
from survey.services.submission import SCORED, pending_claim, pending_move
from survey.sql import execute, uuid_param

# Text answers are counted under value 0: their count is the number of comments. A multiple-choice
# answer (the bitmask of its ticks) counts once under each option it ticks (value = the option's
# bit) and once under ANSWERED: a handful of rows per question, whatever the patterns of ticks.
FOLD_BATCH = f"""
WITH answers AS (
  SELECT p.wave_id, p.team_id, a.question_id, a.value, q.type = 'multiple' AS multiple
  FROM survey_pendinganswer a JOIN survey_pendingresponse p ON p.id = a.pending_id
  JOIN survey_question q ON q.id = a.question_id
  WHERE p.batch = %(batch)s
)
INSERT INTO analytics_answercount (wave_id, team_id, question_id, value, n, released)
SELECT wave_id, team_id, question_id, value, COUNT(*), 0 FROM answers WHERE NOT multiple
GROUP BY wave_id, team_id, question_id, value
UNION ALL
SELECT a.wave_id, a.team_id, a.question_id, o.value, COUNT(*), 0 FROM answers a
JOIN survey_option o ON o.question_id = a.question_id AND (a.value & (1 << o.value)) <> 0
WHERE a.multiple
GROUP BY a.wave_id, a.team_id, a.question_id, o.value
UNION ALL
SELECT wave_id, team_id, question_id, {ANSWERED}, COUNT(*), 0 FROM answers WHERE multiple
GROUP BY wave_id, team_id, question_id
UNION ALL
SELECT p.wave_id, p.team_id, c.question_id, 0, COUNT(*), 0
FROM survey_pendingcomment c JOIN survey_pendingresponse p ON p.id = c.pending_id
WHERE p.batch = %(batch)s
GROUP BY p.wave_id, p.team_id, c.question_id
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


def _fold(batch: uuid.UUID) -> int:
    execute(FOLD_BATCH, {"batch": uuid_param(batch)})
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
            # more than it ever saves. The full recount's large GROUP BY keeps the server's choice.
            execute("SET LOCAL jit = off")
    batch = pending_claim(wave=wave)
    folded = _fold(batch) if batch else 0
    # Before the release: every comment a release counts must have its score.
    comments_score(wave=wave, rescore=rescore)
    full = full or rescore
    recounted = counts_recount(wave=wave) if full else 0
    published = wave_publish(wave=wave, force=full)
    if recounted and connection.vendor == "postgresql":
        # Count rows were rewritten in bulk: fresh statistics keep later plans right.
        execute("ANALYZE analytics_answercount, analytics_rolledcount")
    return AggregationResult(folded=folded, published=published)

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
from django.db.models import Q

from analytics.models import TeamTally
from analytics.scoring import ANSWERED
from analytics.services.comments import comments_score
from analytics.services.counts import counts_merge
from analytics.services.publication import wave_publish
from survey.models import Option, Question, Wave
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

# The recount's one pass over the wave's answers: a row per team and question (the same-rows
# floor's groups), with a column per option value of the survey and per option bit of its
# multiple-choice questions (`_wide_columns`). Grouping by value as well made a group per pattern
# of ticks (114,000 groups instead of 9,360 at 300,000 responses, a hash table that spills to disk
# below 64 MB of work_mem); the columns cost about as much, one aggregate each per answer, but
# in memory that does not grow with the patterns. A CREATE TABLE AS, so that PostgreSQL may run
# it with parallel workers.
WIDE_COUNTS = """
CREATE TEMP TABLE pulse_wide_counts AS
SELECT team_id, question_id, COUNT(*) AS answered{columns} FROM survey_answer WHERE wave_id = %(wave)s
GROUP BY team_id, question_id
"""

# The wide rows back as (team, question, value, total): a row per option of the question (an
# option nobody chose counts 0, which counts_merge takes as no row) and ANSWERED for multiple
# choice, as FOLD_BATCH counts them. Text answers count under value 0 (their number of comments).
RECOUNT = """
SELECT w.team_id, w.question_id, o.value,
  CASE WHEN q.type = 'multiple' THEN {ticked} ELSE {chosen} END AS total
FROM pulse_wide_counts w JOIN survey_question q ON q.id = w.question_id
JOIN survey_option o ON o.question_id = w.question_id
UNION ALL
SELECT w.team_id, w.question_id, {answered}, w.answered FROM pulse_wide_counts w
JOIN survey_question q ON q.id = w.question_id AND q.type = 'multiple'
UNION ALL
SELECT team_id, question_id, 0, COUNT(*) FROM survey_comment WHERE wave_id = %(wave)s
GROUP BY team_id, question_id
"""

# Participation from the responses' `scored` flag (set when moved, from the same SCORED test):
# one small table instead of a second pass over every answer of the wave.
RECOUNT_TALLY = """
INSERT INTO analytics_teamtally (wave_id, team_id, responses, released, rolled)
SELECT wave_id, team_id, COUNT(*), 0, 0 FROM survey_response WHERE wave_id = %(wave)s AND scored
GROUP BY wave_id, team_id
ON CONFLICT (wave_id, team_id) DO UPDATE SET responses = EXCLUDED.responses
"""


@dataclass(frozen=True)
class AggregationResult:
    folded: int  # pending submissions folded in by this run
    published: bool  # whether the published cells changed


def _fold(batch: uuid.UUID) -> int:
    execute(FOLD_BATCH, {"batch": uuid_param(batch)})
    execute(FOLD_TALLY, {"batch": uuid_param(batch)})
    return pending_move(batch=batch)


def _wide_columns(wave: Wave) -> tuple[str, str, str]:
    """WIDE_COUNTS' columns, and RECOUNT's totals picking a question's option from them: one
    column per distinct option value of the wave's survey (chosen_0 ... counts `value = v`) and per
    multiple-choice option bit (ticked_0 ... counts `value & 2^bit`). Built from integers only."""
    options = Option.objects.filter(question__survey=wave.survey_id)
    multiple = Q(question__type=Question.Type.MULTIPLE)
    values = sorted(set(options.exclude(multiple).values_list("value", flat=True)))
    bits = sorted(set(options.filter(multiple).values_list("value", flat=True)))
    columns = "".join(
        [f", COUNT(*) FILTER (WHERE value = {int(value)}) AS chosen_{i}" for i, value in enumerate(values)]
        + [f", COUNT(*) FILTER (WHERE (value & {1 << int(bit)}) <> 0) AS ticked_{i}" for i, bit in enumerate(bits)]
    )

    def pick(name: str, keys: list[int]) -> str:
        whens = " ".join(f"WHEN {int(key)} THEN w.{name}_{i}" for i, key in enumerate(keys))
        return f"CASE o.value {whens} ELSE 0 END" if keys else "0"

    return columns, pick("ticked", bits), pick("chosen", values)


def _recount(wave: Wave) -> int:
    """Recounts `n` from the response tables (`released`, the snapshot the release rule guards, is
    kept). Returns how many count rows differed."""
    columns, ticked, chosen = _wide_columns(wave)
    execute("DROP TABLE IF EXISTS pulse_wide_counts")
    execute(WIDE_COUNTS.format(columns=columns), {"wave": uuid_param(wave.pk)})
    changed = counts_merge(
        table="analytics_answercount",
        column="n",
        wave_id=wave.pk,
        select=RECOUNT.format(ticked=ticked, chosen=chosen, answered=ANSWERED),
        params={"wave": uuid_param(wave.pk)},
        insert_defaults={"released": 0},
    )
    execute("DROP TABLE pulse_wide_counts")
    TeamTally.objects.filter(wave=wave).update(responses=0)
    execute(RECOUNT_TALLY, {"wave": uuid_param(wave.pk)})
    return changed


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
    recounted = _recount(wave) if full else 0
    published = wave_publish(wave=wave, force=full)
    if recounted and connection.vendor == "postgresql":
        # Count rows were rewritten in bulk: fresh statistics keep later plans right.
        execute("ANALYZE analytics_answercount, analytics_rolledcount")
    return AggregationResult(folded=folded, published=published)

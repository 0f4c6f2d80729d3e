"""Rewriting a wave's count rows from a fresh GROUP BY, touching only the rows that differ."""

from collections import defaultdict
from contextlib import contextmanager

from django.db import connection

from analytics.scoring import ANSWERED
from survey.models import Question
from survey.sql import execute, uuid_param


def count_rows(grouped: str, *, survey_id: object) -> str:
    """How answers become count rows, for the fold and the recount alike: `grouped` is a table of
    a wave's answers grouped by (team_id, question_id, value), `n` the answers in each group.
    The rows are (team_id, question_id, value, total): a single-valued answer counts under its
    value; a multiple-choice answer (the bitmask of its ticks) once under each option it ticks
    (value = the option's bit) and once under ANSWERED, so a handful of rows per question
    whatever the patterns of ticks. Text answers are counted from the comments (value 0).

    The ticks are summed in one pass over the groups of multiple-choice answers, a column per
    option bit of the survey (joined option by option, the groups of a wave's 69,000 patterns
    of ticks at 300,000 responses made 230,000 rows to sort: 0.2 s instead of 0.03 s). The
    survey's multiple-choice questions and options are written into the SQL as constants: no
    join with the catalogue, so the recount can read `grouped` with sequential scans off."""
    options: dict[int, list[int]] = defaultdict(list)
    multiple = Question.objects.filter(survey=survey_id, type=Question.Type.MULTIPLE)
    for question, value in multiple.values_list("id", "options__value"):
        options[question] += [] if value is None else [int(value)]
    single = f"SELECT g.team_id, g.question_id, g.value, g.n AS total FROM {grouped} g"
    if not options:
        return single
    ids = ", ".join(str(question) for question in options)
    bits = sorted({bit for values in options.values() for bit in values})
    columns = "".join(f", SUM(CASE WHEN (g.value & {1 << bit}) <> 0 THEN g.n ELSE 0 END) AS bit_{bit}" for bit in bits)
    picks = " ".join(f"WHEN {bit} THEN t.bit_{bit}" for bit in bits)
    counted = " UNION ALL ".join(
        f"SELECT {question} AS question_id, {value} AS value"
        for question, values in options.items()
        for value in (ANSWERED, *values)
    )
    return f"""
{single} WHERE g.question_id NOT IN ({ids})
UNION ALL
SELECT * FROM (
  SELECT t.team_id, t.question_id, o.value, CASE o.value WHEN {ANSWERED} THEN t.answered {picks} END AS total
  FROM (SELECT g.team_id, g.question_id, SUM(g.n) AS answered{columns} FROM {grouped} g
        WHERE g.question_id IN ({ids}) GROUP BY g.team_id, g.question_id) t
  JOIN ({counted}) o ON o.question_id = t.question_id
) ticks WHERE total > 0
"""


@contextmanager
def large_reads():
    """How the recount's large reads run.

    Through indexes even where pages were written since the last vacuum: PostgreSQL prices the
    visibility check of each such row as a random page read and, past a few percent of such rows,
    reads the whole table instead, though a batch's rows lie side by side (with 126,000 of 2.8 M
    answers unvacuumed: 0.40 s through the counting index, 0.85 s through the table).

    JIT compiled (0.1 s faster at 1,000,000 responses than interpreted) but not optimized or
    inlined by LLVM: over the recount statement's 61 expressions that took longer than it saved
    (1.25 s instead of 0.95 s)."""
    settings = ("enable_seqscan", "jit_optimize_above_cost", "jit_inline_above_cost")
    if connection.vendor == "postgresql":
        for name, value in zip(settings, ("off", "-1", "-1"), strict=True):
            execute(f"SET LOCAL {name} = {value}")
    yield
    if connection.vendor == "postgresql":
        for name in settings:
            execute(f"SET LOCAL {name} TO DEFAULT")


def counts_merge(
    *,
    table: str,
    column: str,
    wave_id: object,
    grouped: str,
    fresh: str,
    insert_defaults: dict | None = None,
) -> int:
    """Makes `table.column` for the wave equal what `fresh` computes as (team_id, question_id,
    value, total) from `grouped` (a GROUP BY it reads under that name; both may read the wave's
    id as `%(wave)s`), writing only differences (so a full recompute of unchanged data writes
    nothing). Returns the number of rows that differed.

    The differences come from one CREATE TEMP TABLE AS, which PostgreSQL may run with parallel
    workers (an INSERT ... SELECT never runs in parallel): the GROUP BY, the count rows and one
    hash full join with the stored rows, read through indexes (`large_reads`), with nothing
    written in between (as three statements through two temporary tables: 0.02-0.04 s more at
    300,000 responses)."""
    params = {"wave": uuid_param(wave_id)}
    defaults = insert_defaults or {}
    extra_columns = "".join(f", {name}" for name in defaults)
    extra_values = "".join(f", {int(value)}" for value in defaults.values())
    execute("DROP TABLE IF EXISTS pulse_count_changes")
    with large_reads():
        changed = execute(
            f"CREATE TEMP TABLE pulse_count_changes AS WITH grouped AS ({grouped}) "
            "SELECT COALESCE(fresh.team_id, stored.team_id) AS team_id, "
            "COALESCE(fresh.question_id, stored.question_id) AS question_id, "
            "COALESCE(fresh.value, stored.value) AS value, COALESCE(fresh.total, 0) AS total, "
            "stored.team_id IS NULL AS missing "
            f"FROM ({fresh}) fresh FULL JOIN (SELECT team_id, question_id, value, {column} FROM {table} "
            "WHERE wave_id = %(wave)s) stored "
            "ON fresh.team_id = stored.team_id AND fresh.question_id = stored.question_id "
            "AND fresh.value = stored.value "
            f"WHERE COALESCE(fresh.total, 0) <> COALESCE(stored.{column}, 0)",
            params,
        )
    if changed:
        execute(
            f"UPDATE {table} SET {column} = change.total FROM pulse_count_changes change "
            f"WHERE {table}.wave_id = %(wave)s AND NOT change.missing AND {table}.team_id = change.team_id "
            f"AND {table}.question_id = change.question_id AND {table}.value = change.value",
            params,
        )
        execute(
            f"INSERT INTO {table} (wave_id, team_id, question_id, value, {column}{extra_columns}) "
            f"SELECT %(wave)s, team_id, question_id, value, total{extra_values} FROM pulse_count_changes WHERE missing",
            params,
        )
    execute("DROP TABLE pulse_count_changes")
    return changed

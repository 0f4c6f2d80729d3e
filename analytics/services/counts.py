"""Rewriting a wave's count rows from a fresh GROUP BY, touching only the rows that differ."""

from django.db import connection

from analytics.scoring import ANSWERED
from survey.models import Option, Question
from survey.sql import uuid_param


def count_rows(grouped: str, *, survey_id: object) -> str:
    """How answers become count rows, for the fold and the recount alike: `grouped` is a table of
    a wave's answers grouped by (team_id, question_id, value), `n` the answers in each group.
    The rows are (team_id, question_id, value, total): a single-valued answer counts under its
    value; a multiple-choice answer (the bitmask of its ticks) once under each option it ticks
    (value = the option's bit) and once under ANSWERED, so a handful of rows per question
    whatever the patterns of ticks. Text answers are counted from the comments (value 0).

    The ticks are summed in one pass over the groups of multiple-choice answers, a column per
    option bit of the survey (joined option by option, the groups of a wave's 69,000 patterns
    of ticks at 300,000 responses made 230,000 rows to sort: 0.2 s instead of 0.03 s)."""
    options = Option.objects.filter(question__survey=survey_id, question__type=Question.Type.MULTIPLE)
    bits = sorted({int(bit) for bit in options.values_list("value", flat=True)})
    columns = "".join(f", SUM(CASE WHEN (g.value & {1 << bit}) <> 0 THEN g.n ELSE 0 END) AS bit_{bit}" for bit in bits)
    picks = " ".join(f"WHEN {bit} THEN t.bit_{bit}" for bit in bits)
    return f"""
SELECT g.team_id, g.question_id, g.value, g.n AS total FROM {grouped} g
JOIN survey_question q ON q.id = g.question_id AND q.type <> 'multiple'
UNION ALL
SELECT * FROM (
  SELECT t.team_id, t.question_id, o.value, CASE o.value WHEN {ANSWERED} THEN t.answered {picks} END AS total
  FROM (SELECT g.team_id, g.question_id, SUM(g.n) AS answered{columns} FROM {grouped} g
        JOIN survey_question q ON q.id = g.question_id AND q.type = 'multiple'
        GROUP BY g.team_id, g.question_id) t
  JOIN (SELECT question_id, value FROM survey_option UNION ALL
        SELECT id, {ANSWERED} FROM survey_question WHERE type = 'multiple') o ON o.question_id = t.question_id
) ticks WHERE total > 0
"""


def counts_merge(
    *, table: str, column: str, wave_id: object, select: str, params: list | dict, insert_defaults: dict | None = None
) -> int:
    """Makes `table.column` for the wave equal what `select` computes as (team_id, question_id,
    value, total), writing only differences (so a full recompute of unchanged data writes nothing).
    Returns the number of rows that differed.

    `select` runs as CREATE TEMP TABLE AS, which PostgreSQL may run with parallel workers;
    an INSERT ... SELECT never runs in parallel. The differences come from one hash full join of
    two small tables (one row per team, question and value), so no row is probed one by one.
    """
    wave = uuid_param(wave_id)
    defaults = insert_defaults or {}
    extra_columns = "".join(f", {name}" for name in defaults)
    extra_values = "".join(f", {int(value)}" for value in defaults.values())
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS pulse_fresh_counts")
        cursor.execute("DROP TABLE IF EXISTS pulse_count_changes")
        cursor.execute(f"CREATE TEMP TABLE pulse_fresh_counts AS {select}", params)
        cursor.execute(
            "CREATE TEMP TABLE pulse_count_changes AS "
            "SELECT COALESCE(fresh.team_id, stored.team_id) AS team_id, "
            "COALESCE(fresh.question_id, stored.question_id) AS question_id, "
            "COALESCE(fresh.value, stored.value) AS value, COALESCE(fresh.total, 0) AS total, "
            "stored.team_id IS NULL AS missing "
            f"FROM pulse_fresh_counts fresh FULL JOIN (SELECT team_id, question_id, value, {column} FROM {table} "
            "WHERE wave_id = %s) stored "
            "ON fresh.team_id = stored.team_id AND fresh.question_id = stored.question_id "
            "AND fresh.value = stored.value "
            f"WHERE COALESCE(fresh.total, 0) <> COALESCE(stored.{column}, 0)",
            [wave],
        )
        changed = cursor.rowcount
        if changed:
            cursor.execute(
                f"UPDATE {table} SET {column} = change.total FROM pulse_count_changes change "
                f"WHERE {table}.wave_id = %s AND NOT change.missing AND {table}.team_id = change.team_id "
                f"AND {table}.question_id = change.question_id AND {table}.value = change.value",
                [wave],
            )
            cursor.execute(
                f"INSERT INTO {table} (wave_id, team_id, question_id, value, {column}{extra_columns}) "
                f"SELECT %s, team_id, question_id, value, total{extra_values} FROM pulse_count_changes WHERE missing",
                [wave],
            )
        cursor.execute("DROP TABLE pulse_fresh_counts")
        cursor.execute("DROP TABLE pulse_count_changes")
    return changed

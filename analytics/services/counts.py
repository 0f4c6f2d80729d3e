"""Rewriting a wave's count rows from a fresh GROUP BY, touching only the rows that differ."""

from django.db import connection

from survey.sql import uuid_param


def counts_merge(
    *, table: str, column: str, wave_id: object, select: str, params: list | dict, insert_defaults: dict | None = None
) -> None:
    """Makes `table.column` for the wave equal what `select` computes as (team_id, question_id,
    value, total), writing only differences (so a full recompute of unchanged data writes nothing).

    The GROUP BY runs as CREATE TEMP TABLE AS, which PostgreSQL may run with parallel workers;
    an INSERT ... SELECT never runs in parallel.
    """
    wave = uuid_param(wave_id)
    key = " AND ".join(f"fresh.{name} = {table}.{name}" for name in ("team_id", "question_id", "value"))
    defaults = insert_defaults or {}
    extra_columns = "".join(f", {name}" for name in defaults)
    extra_values = "".join(f", {int(value)}" for value in defaults.values())
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS pulse_fresh_counts")
        cursor.execute(f"CREATE TEMP TABLE pulse_fresh_counts AS {select}", params)
        cursor.execute(
            f"UPDATE {table} SET {column} = 0 WHERE wave_id = %s AND {column} <> 0 "
            f"AND NOT EXISTS (SELECT 1 FROM pulse_fresh_counts fresh WHERE {key})",
            [wave],
        )
        cursor.execute(
            f"INSERT INTO {table} (wave_id, team_id, question_id, value, {column}{extra_columns}) "
            f"SELECT %s, team_id, question_id, value, total{extra_values} FROM pulse_fresh_counts WHERE true "
            f"ON CONFLICT (wave_id, team_id, question_id, value) DO UPDATE SET {column} = EXCLUDED.{column} "
            f"WHERE {table}.{column} <> EXCLUDED.{column}",
            [wave],
        )
        cursor.execute("DROP TABLE pulse_fresh_counts")

"""Rewriting a wave's count rows from a fresh GROUP BY, touching only the rows that differ."""

from django.db import connection

from survey.sql import uuid_param


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

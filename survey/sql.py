"""Small helpers for the few raw SQL statements (the ones the ORM cannot express as one statement)."""

import uuid
from contextlib import contextmanager

from django.db import connection


def uuid_param(value: uuid.UUID | str) -> uuid.UUID | str:
    """A UUID as the database stores it: native in PostgreSQL, 32 hex characters in SQLite."""
    value = value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    return value.hex if connection.vendor == "sqlite" else value


def uuid_text(value: uuid.UUID) -> str:
    """A UUID as `CAST(column AS TEXT)` returns it."""
    return value.hex if connection.vendor == "sqlite" else str(value)


def execute(statement: str, params: list | dict | None = None) -> int:
    """Runs one statement on the default connection; returns the affected row count."""
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.rowcount


@contextmanager
def overlapped():
    """Statements executed in the block run in the database while Python goes on (PostgreSQL's
    pipeline mode): they return at once, without results, and any error they raise surfaces when
    the block ends. Elsewhere the block changes nothing."""
    if connection.vendor != "postgresql":
        yield
        return
    connection.ensure_connection()
    with connection.wrap_database_errors, connection.connection.pipeline():
        yield


def temp_table(name: str, rows) -> None:
    """Fills an existing temporary table with rows (tuples in its column order, UUIDs as
    `uuid.UUID`): COPY on PostgreSQL, one prepared INSERT elsewhere (UUIDs as SQLite stores them).
    Converting each UUID through `uuid_param` cost more than the COPY itself.

    PostgreSQL then analyses the table: a temporary table has no statistics until analysed, and
    joins planned for the thousand rows it guesses can go badly wrong (deleting stale cells against
    13,716 verdicts took 0.3 s as a merge join on two of the three key columns, 2.6 M comparisons)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {name} FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(f"ANALYZE {name}")
            return
        rows = [tuple(value.hex if isinstance(value, uuid.UUID) else value for value in row) for row in rows]
        if rows:
            marks = ", ".join(["%s"] * len(rows[0]))
            cursor.executemany(f"INSERT INTO {name} VALUES ({marks})", rows)

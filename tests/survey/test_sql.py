"""The SQL helpers: statements overlapped with Python still take effect, and still fail loudly."""

import pytest
from django.db import DatabaseError, connection, transaction

from survey.sql import execute, overlapped


def test_overlapped_statements_take_effect_by_the_end_of_the_block(db):
    with overlapped():
        execute("CREATE TEMP TABLE pulse_overlapped (n integer)")
        execute("INSERT INTO pulse_overlapped VALUES (%s), (%s)", [1, 2])
    with connection.cursor() as cursor:
        cursor.execute("SELECT SUM(n) FROM pulse_overlapped")
        assert cursor.fetchone()[0] == 3


def test_an_overlapped_statement_that_fails_raises_a_database_error_and_changes_nothing(db):
    execute("CREATE TEMP TABLE pulse_overlapped (n integer)")
    with pytest.raises(DatabaseError), transaction.atomic(), overlapped():
        execute("INSERT INTO pulse_overlapped VALUES (1)")
        execute("INSERT INTO pulse_overlapped VALUES (1 / 0)")
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM pulse_overlapped")
        assert cursor.fetchone()[0] == 0

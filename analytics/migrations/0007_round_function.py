"""`pulse_round1`, the rounding of every published figure (analytics.services.cell_values): to one
decimal, halves to even, as Python's and pandas' round do. SQLite gets the same function from
Python on each connection (analytics.signals)."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION pulse_round1(value double precision) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT round(value * 10) / 10 $$
"""


def create(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS pulse_round1(double precision)")


class Migration(migrations.Migration):
    dependencies = [("analytics", "0006_comment_scores")]

    operations = [migrations.RunPython(create, drop)]

from django.db import migrations

TABLES = ("analytics_answercount", "analytics_rolledcount", "analytics_teamtally")


def fillfactor(apps, schema_editor, value=70):
    # Count rows are updated in place all day: room in each page lets PostgreSQL make those
    # updates "HOT" (no index write).
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(f"ALTER TABLE {table} SET (fillfactor = {value})")


def reset(apps, schema_editor):
    fillfactor(apps, schema_editor, value=100)


class Migration(migrations.Migration):
    dependencies = [("analytics", "0002_organisation_api_key")]
    operations = [migrations.RunPython(fillfactor, reset)]

from django.db import migrations

# Without it PostgreSQL multiplies the columns' distinct counts, expects ~7 times the real number of
# (team, question, value) groups of a wave, and runs the recount's GROUP BY without parallel
# workers (2-3 times slower). The statistics fill in at the next ANALYZE (autovacuum, or below).
CREATE = """
CREATE STATISTICS IF NOT EXISTS survey_answer_groups (ndistinct) ON wave_id, team_id, question_id, value
FROM survey_answer;
ANALYZE survey_answer;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP STATISTICS IF EXISTS survey_answer_groups")


class Migration(migrations.Migration):
    dependencies = [("survey", "0005_response_scored")]
    operations = [migrations.RunPython(forwards, backwards)]

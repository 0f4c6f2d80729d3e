"""Multiple-choice answer counts per option instead of per pattern of ticks.

A pattern's row (value = the bitmask of the ticked options) becomes a row per option it ticks
(value = the option's bit) and a row for having answered (value -1, analytics.scoring.ANSWERED),
`n` and `released` summed over the patterns: what the recount and the fold now write, and what
releases already rolled up. The new values collide with the patterns' (bit 1 is pattern 1), so
the new rows are computed aside before the patterns go. The reverse is a no-op: the patterns
cannot be told from the per-option sums, and `aggregate --full` on the old code recounts them.
"""

from django.db import migrations

EXPLODE = """
CREATE TEMP TABLE pulse_exploded_counts AS
SELECT a.wave_id, a.team_id, a.question_id, o.value, SUM(a.n) AS n, SUM(a.released) AS released
FROM analytics_answercount a JOIN survey_question q ON q.id = a.question_id AND q.type = 'multiple'
JOIN survey_option o ON o.question_id = a.question_id AND (a.value & (1 << o.value)) <> 0
GROUP BY a.wave_id, a.team_id, a.question_id, o.value
UNION ALL
SELECT a.wave_id, a.team_id, a.question_id, -1, SUM(a.n), SUM(a.released)
FROM analytics_answercount a JOIN survey_question q ON q.id = a.question_id AND q.type = 'multiple'
GROUP BY a.wave_id, a.team_id, a.question_id
"""

STATEMENTS = (
    "DROP TABLE IF EXISTS pulse_exploded_counts",
    EXPLODE,
    "DELETE FROM analytics_answercount WHERE question_id IN (SELECT id FROM survey_question WHERE type = 'multiple')",
    "INSERT INTO analytics_answercount (wave_id, team_id, question_id, value, n, released) "
    "SELECT wave_id, team_id, question_id, value, n, released FROM pulse_exploded_counts",
    "DROP TABLE pulse_exploded_counts",
)


def explode_multiple_choice(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for statement in STATEMENTS:
            cursor.execute(statement)
        if schema_editor.connection.vendor == "postgresql":
            # Most rows were rewritten: fresh statistics keep the next plans right.
            cursor.execute("ANALYZE analytics_answercount")


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0007_round_function"),
        ("survey", "0006_answer_statistics"),
    ]
    operations = [migrations.RunPython(explode_multiple_choice, migrations.RunPython.noop)]

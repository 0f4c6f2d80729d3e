from django.db import migrations, models

# The same test as analytics' SCORED: an answer to a question with at least one scored option.
BACKFILL = """
UPDATE survey_response SET scored = true WHERE EXISTS (
  SELECT 1 FROM survey_answer a WHERE a.response_id = survey_response.id
  AND EXISTS (SELECT 1 FROM survey_option o WHERE o.question_id = a.question_id AND o.score IS NOT NULL))
"""


class Migration(migrations.Migration):
    dependencies = [("survey", "0004_wave_frozen_tree")]
    operations = [
        migrations.AddField(model_name="response", name="scored", field=models.BooleanField(default=False)),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
    ]

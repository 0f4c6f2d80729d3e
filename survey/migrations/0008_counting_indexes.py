import django.db.models.deletion
from django.db import migrations, models

# The recount reads these indexes alone, in the order it groups them (analytics.services.recount):
# 0.40 s instead of 1.5 s over 7.5 M answers. The response index replaces the plain one on `wave`.
# Building them reads each table once (about 8 s at 7.5 M answers) and holds writes meanwhile.


class Migration(migrations.Migration):
    dependencies = [("survey", "0007_answer_without_constraints")]

    operations = [
        migrations.AddIndex(
            model_name="answer",
            index=models.Index(fields=["wave", "team", "question", "value"], name="survey_answer_counting"),
        ),
        migrations.AddIndex(
            model_name="response",
            index=models.Index(fields=["wave", "scored", "team"], name="survey_response_counting"),
        ),
        migrations.AlterField(
            model_name="response",
            name="wave",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="responses",
                to="survey.wave",
            ),
        ),
    ]

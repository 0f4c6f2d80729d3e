import json

from django.db import migrations

from survey.services.instrument import BUILTIN, instrument_load


def load(apps, schema_editor):
    instrument_load(
        json.loads(BUILTIN.read_text(encoding="utf-8")),
        survey_model=apps.get_model("survey", "Survey"),
        dimension_model=apps.get_model("survey", "Dimension"),
        question_model=apps.get_model("survey", "Question"),
        option_model=apps.get_model("survey", "Option"),
    )


class Migration(migrations.Migration):
    dependencies = [("survey", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

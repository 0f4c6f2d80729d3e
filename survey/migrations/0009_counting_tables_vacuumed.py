from django.db import migrations

# The recount reads the counting indexes alone only where the visibility map marks a page
# all-visible, which a vacuum does; other rows cost a heap fetch each (200,000 of them doubled the
# recount at 1,000,000 responses), and past a few percent of the table PostgreSQL reads the whole
# table instead (126,000 new answers out of 2.7 M: 0.88 s instead of 0.44 s). Insert-only tables
# are vacuumed by default after 20 % of their size in new rows (5 M answers at 1,000,000
# responses): these two after every 20,000 new rows instead (about 800 submissions), which reads
# only the new pages.
TABLES = ("survey_answer", "survey_response")
SET = "ALTER TABLE {table} SET (autovacuum_vacuum_insert_threshold = 20000, autovacuum_vacuum_insert_scale_factor = 0)"
RESET = "ALTER TABLE {table} RESET (autovacuum_vacuum_insert_threshold, autovacuum_vacuum_insert_scale_factor)"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(SET.format(table=table))


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(RESET.format(table=table))


class Migration(migrations.Migration):
    dependencies = [("survey", "0008_counting_indexes")]
    operations = [migrations.RunPython(forwards, backwards)]

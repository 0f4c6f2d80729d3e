"""Synthetic data for the aggregation benchmark, written straight into PostgreSQL with SQL."""

import time

from django.db import connection, transaction

from survey.models import Organisation, Response, Team, Wave
from survey.services.instrument import instrument_load_builtin
from survey.services.submission import SCORED
from survey.services.teams import team_closure_rebuild

QUESTIONS = """
SELECT q.id, q.type, array_agg(o.value ORDER BY o.value) AS vals
FROM survey_question q JOIN survey_option o ON o.question_id = q.id
WHERE q.survey_id = %(survey)s AND q.type <> 'text' GROUP BY q.id, q.type
"""

# One answer per (response, question) with 4 % skipped; multiple choice stores a random bitmask.
ANSWER_VALUE = """
CASE WHEN q.type = 'multiple' THEN floor(random() * (1 << array_length(q.vals, 1)))::int
     ELSE q.vals[1 + floor(random() * array_length(q.vals, 1))::int] END
"""


def _tree(organisation: Organisation, teams: int) -> list:
    root = Team.objects.create(organisation=organisation, slug="all", name="All", headcount=0)
    departments = max(1, round(teams**0.5) // 1)
    per_department = max(1, (teams - 1 - departments) // departments)
    leaves = []
    for d in range(departments):
        department = Team.objects.create(organisation=organisation, parent=root, slug=f"d{d}", name=f"Dept {d}")
        leaves += Team.objects.bulk_create(
            Team(organisation=organisation, parent=department, slug=f"d{d}-t{t}", name=f"Team {d}.{t}", headcount=5000)
            for t in range(per_department)
        )
    team_closure_rebuild(organisation=organisation)
    return [team.pk for team in leaves]


def dataset(*, responses: int, teams: int) -> tuple[Wave, bool]:
    """The benchmark wave, generated unless an identical one is already there."""
    slug = f"bench-{teams}-{responses}"
    wave = Wave.objects.filter(organisation__slug=slug).first()
    if wave and Response.objects.filter(wave=wave).count() >= responses:  # earlier runs' increments add more
        return wave, False
    with transaction.atomic():
        organisation = Organisation.objects.create(slug=slug, name="Benchmark")
        leaves = _tree(organisation, teams)
        wave = Wave.objects.create(
            organisation=organisation, survey=instrument_load_builtin(), name=slug, status=Wave.Status.OPEN
        )
        with connection.cursor() as cursor:
            # Generated rows are consistent by construction; skipping FK triggers makes loading minutes faster.
            cursor.execute("SET LOCAL session_replication_role = replica")
            started = time.perf_counter()
            cursor.execute(
                "INSERT INTO survey_response (id, wave_id, team_id, scored) "
                "SELECT gen_random_uuid(), %(wave)s, (%(teams)s::uuid[])[1 + floor(random() * %(count)s)::int], false "
                "FROM generate_series(1, %(n)s)",
                {"wave": wave.pk, "teams": leaves, "count": len(leaves), "n": responses},
            )
            cursor.execute(
                f"INSERT INTO survey_answer (response_id, question_id, wave_id, team_id, value) "
                f"SELECT r.id, q.id, r.wave_id, r.team_id, {ANSWER_VALUE} "
                f"FROM survey_response r CROSS JOIN ({QUESTIONS}) q WHERE r.wave_id = %(wave)s AND random() > 0.04",
                {"wave": wave.pk, "survey": wave.survey_id},
            )
            cursor.execute(
                "UPDATE survey_response r SET scored = true WHERE r.wave_id = %(wave)s AND EXISTS "
                "(SELECT 1 FROM survey_answer a WHERE a.response_id = r.id AND a.wave_id = %(wave)s "
                f"AND {SCORED})",
                {"wave": wave.pk},
            )
            print(f"  loaded in {time.perf_counter() - started:.1f}s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE survey_response, survey_answer")
    return wave, True


def time_raw_floor(wave: Wave, size: int) -> float:
    """The previous floor: GROUP BY team, question over a plain copy of the wave's answers (made
    once per size, outside the timing)."""
    table = f"bench_raw_{size}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [table])
        if not cursor.fetchone()[0]:
            cursor.execute(
                f"CREATE TABLE {table} AS SELECT response_id AS response, team_id AS team, question_id AS question, "
                "value FROM survey_answer WHERE wave_id = %s",
                [wave.pk],
            )
            cursor.execute(f"VACUUM ANALYZE {table}")
        started = time.perf_counter()
        cursor.execute(f"SELECT team, question, count(*), sum(value) FROM {table} GROUP BY team, question")
        cursor.fetchall()
    return time.perf_counter() - started


def add_pending(wave: Wave, *, count: int) -> None:
    """`count` new submissions waiting in the pending tables, as the submission service leaves them."""
    leaves = list(
        Team.objects.filter(organisation=wave.organisation_id, children__isnull=True).values_list("pk", flat=True)
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO survey_pendingresponse (id, wave_id, team_id) "
            "SELECT gen_random_uuid(), %(wave)s, (%(teams)s::uuid[])[1 + floor(random() * %(count)s)::int] "
            "FROM generate_series(1, %(n)s)",
            {"wave": wave.pk, "teams": leaves, "count": len(leaves), "n": count},
        )
        cursor.execute(
            f"INSERT INTO survey_pendinganswer (pending_id, question_id, value) "
            f"SELECT p.id, q.id, {ANSWER_VALUE} FROM survey_pendingresponse p CROSS JOIN ({QUESTIONS}) q "
            f"WHERE p.wave_id = %(wave)s AND p.batch IS NULL AND random() > 0.04",
            {"wave": wave.pk, "survey": wave.survey_id},
        )

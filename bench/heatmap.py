"""Heatmap page benchmark (issue 8): the HR heatmap of a 400-team wave, rendered server-side.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pulse_bench .venv/bin/python bench/heatmap.py [--teams N]

Writes (once, kept between runs) an organisation of N teams with two waves of published cells:
every dimension (7, the two maps' columns) and every scored question under them, with random
answer distributions, about a tenth of the cells hidden. No answers: the page reads published
cells only. Then renders each heatmap page (and its CSV) with Django's test client signed in as
an HR admin, through the whole stack (session, middleware, selectors, significance, template),
after a warm-up, and prints median / p95 / max and the query count. Target: median under 300 ms.
"""

import argparse
import gc
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pulse_bench")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("DEBUG", "false")

HIDDEN_SHARE = 0.1


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def published_cells(wave, teams: list, rng: random.Random) -> list:
    """Dimension and question cells for every team, figures consistent with their distributions."""
    from analytics.cells import HEATMAPS
    from analytics.models import PublishedCell
    from survey.models import Dimension

    codes = [code for codes in HEATMAPS.values() for code in codes]
    cells = []
    for dimension in Dimension.objects.filter(survey=wave.survey_id, code__in=codes).prefetch_related(
        "questions__options"
    ):
        questions = [
            question
            for question in dimension.questions.all()
            if any(option.score is not None for option in question.options.all())
        ]
        for team in teams:
            hidden = rng.random() < HIDDEN_SHARE
            reason = PublishedCell.Reason.MIN_GROUP if hidden else PublishedCell.Reason.SHOWN
            scores, favourables, sizes = [], [], []
            for question in questions:
                options = list(question.options.all())
                weights = [rng.random() for _ in options]
                n = rng.randint(5, 60)
                counts = [round(n * weight / sum(weights)) for weight in weights]
                n = sum(counts)
                score = sum(o.score * c for o, c in zip(options, counts, strict=True) if o.score is not None) / n
                favourable = 100 * sum(c for o, c in zip(options, counts, strict=True) if o.favourable) / n
                scores.append(score)
                favourables.append(favourable)
                sizes.append(n)
                cells.append(
                    PublishedCell(
                        wave=wave,
                        team_id=team,
                        kind="question",
                        code=question.code,
                        n=None if hidden else n,
                        score=None if hidden else round(score, 1),
                        favourable_pct=None if hidden else round(favourable, 1),
                        distribution=None
                        if hidden
                        else {str(o.value): c for o, c in zip(options, counts, strict=True)},
                        suppressed=hidden,
                        reason=reason,
                    )
                )
            cells.append(
                PublishedCell(
                    wave=wave,
                    team_id=team,
                    kind="dimension",
                    code=dimension.code,
                    n=None if hidden else min(sizes),
                    score=None if hidden else round(sum(scores) / len(scores), 1),
                    favourable_pct=None if hidden else round(sum(favourables) / len(favourables), 1),
                    delta_previous=None if hidden else round(rng.uniform(-10, 10), 1),
                    suppressed=hidden,
                    reason=reason,
                )
            )
    return cells


def dataset(*, teams: int):
    """The benchmark organisation's current wave and its HR admin, generated unless already there."""
    from django.db import connection, transaction
    from django.utils import timezone

    from analytics.models import PublishedCell
    from bench.dataset import _tree
    from survey.models import Membership, Organisation, Team, Wave
    from survey.services.instrument import instrument_load_builtin
    from survey.services.members import membership_add
    from survey.services.waves import wave_tree_freeze

    slug = f"bench-heatmap-{teams}-teams"
    username = f"{slug}-hr"
    wave = Wave.objects.filter(organisation__slug=slug, name="current").first()
    if wave is None:
        rng = random.Random(8)
        with transaction.atomic():
            organisation = Organisation.objects.create(slug=slug, name="Heatmap benchmark")
            # bench.dataset's tree rounds to whole departments: ask for enough to reach `teams`.
            _tree(organisation, teams + round(teams**0.5))
            team_ids = list(Team.objects.filter(organisation=organisation).values_list("pk", flat=True))
            survey = instrument_load_builtin()
            now = timezone.now()
            for name, days in (("previous", 100), ("current", 10)):
                wave = Wave.objects.create(
                    organisation=organisation,
                    survey=survey,
                    name=name,
                    status=Wave.Status.CLOSED,
                    opens_at=now - timezone.timedelta(days=days),
                    closes_at=now - timezone.timedelta(days=days - 5),
                )
                wave_tree_freeze(wave=wave)
                PublishedCell.objects.bulk_create(published_cells(wave, team_ids, rng), batch_size=5000)
            membership_add(organisation=organisation, username=username, role=Membership.Role.HR_ADMIN)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE analytics_publishedcell, survey_team, survey_waveteam, survey_waveteamclosure")
    from django.contrib.auth import get_user_model

    return wave, get_user_model().objects.get(username=username)


def floor_ms(wave, codes: tuple[str, ...], repeat: int) -> float:
    """The least any page could do: the map's published cells in one raw query, as JSON (median ms)."""
    import json

    from django.db import connection

    sql = (
        "SELECT team_id::text, code, n, score, favourable_pct, delta_previous, suppressed, reason "
        "FROM analytics_publishedcell WHERE wave_id = %s AND kind = 'dimension' AND code = ANY(%s)"
    )
    timings = []
    for run in range(3 + repeat):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(sql, [wave.pk, list(codes)])
            json.dumps(cursor.fetchall())
        if run >= 3:
            timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--teams", type=int, default=400)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()

    import django

    django.setup()
    from bench.aggregate import ensure_database

    ensure_database()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from analytics.cells import HEATMAPS
    from analytics.models import PublishedCell

    wave, user = dataset(teams=args.teams)
    client = Client()
    client.force_login(user)
    organisation = wave.organisation.slug
    teams = wave.frozen_teams.count()
    cells = PublishedCell.objects.filter(wave=wave).count()
    pages = [
        ("adoption heatmap page", reverse("dashboard:heatmap", args=[organisation, wave.pk, "adoption"])),
        ("wellbeing heatmap page", reverse("dashboard:heatmap", args=[organisation, wave.pk, "wellbeing"])),
        ("adoption heatmap CSV", reverse("dashboard:heatmap-csv", args=[organisation, wave.pk, "adoption"])),
        ("wellbeing heatmap CSV", reverse("dashboard:heatmap-csv", args=[organisation, wave.pk, "wellbeing"])),
    ]
    # As a gunicorn worker would after loading the app (see bench/api.py): keep the long-lived heap
    # out of the cyclic collector's walks.
    client.get(pages[0][1])
    gc.collect()
    gc.freeze()
    print(f"wave: {teams} teams (frozen tree), {cells:,} published cells; {args.repeat} timed runs after 3 warm-up")
    print(f"\n{'request':<26} {'KB':>6} {'queries':>8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'/floor':>8}")
    print("-" * 79)
    floors = {heatmap: floor_ms(wave, codes, args.repeat) for heatmap, codes in HEATMAPS.items()}
    for name, url in pages:
        timings = []
        for run in range(3 + args.repeat):
            started = time.perf_counter()
            response = client.get(url)
            elapsed = time.perf_counter() - started
            assert response.status_code == 200, response.status_code
            if run >= 3:
                timings.append(elapsed * 1000)
        with CaptureQueriesContext(connection) as queries:
            size = len(client.get(url).content) / 1024
        floor = floors[name.split()[0]]
        print(
            f"{name:<26} {size:>6.0f} {len(queries):>8} {statistics.median(timings):>8.1f} "
            f"{percentile(timings, 0.95):>8.1f} {max(timings):>8.1f} {statistics.median(timings) / floor:>7.1f}x"
        )
    for heatmap, floor in floors.items():
        print(f"{'floor: ' + heatmap + ' SQL + JSON':<26} {'':>6} {1:>8} {floor:>8.1f}")


if __name__ == "__main__":
    main()

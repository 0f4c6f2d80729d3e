"""API benchmark (issue 4): latency of published-cells requests on a 400-team wave, warm.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pulse_bench .venv/bin/python bench/api.py [--responses N]

Reuses (or generates) the aggregation benchmark's wave (bench/dataset.py), publishes it, creates a
read key, then times each request in-process through the whole Django + DRF stack (routing,
key check, throttle, selectors, rendering) after a warm-up. Prints p50 / p95 / max per request.
The target: published cells of a 400-team wave under 50 ms p95.
"""

import argparse
import gc
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pulse_bench")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("API_KEY_THROTTLE_RATE", "1000000/minute")
os.environ.setdefault("DEBUG", "false")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def print_csv_memory(client: object, wave_id: str) -> None:
    """Streaming check: the Python heap's peak while a CSV goes out chunk by chunk (thrown away as
    a client would), for a fifth of the wave and for all of it: flat memory means the same peak."""
    import tracemalloc

    print()
    for label, extra in (("dimension cells only", {"kind": "dimension"}), ("the whole wave", {})):
        response = client.get("/api/v1/cells/", {"wave": wave_id, "format": "csv", **extra})
        tracemalloc.start()
        size = sum(len(chunk) for chunk in response.streaming_content)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"CSV of {label:<22} {size / 1e6:6.2f} MB sent, Python heap peak while streaming {peak / 1e6:5.2f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--responses", type=int, default=50_000, help="Cells do not grow with responses.")
    parser.add_argument("--teams", type=int, default=400)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument(
        "--no-freeze",
        action="store_true",
        help="Skip gc.freeze(): the cyclic GC then walks the whole warm heap every few requests (~100 ms pauses).",
    )
    args = parser.parse_args()

    import django

    django.setup()
    from bench.aggregate import ensure_database

    ensure_database()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.test import Client

    from analytics.models import OrganisationAPIKey, PublishedCell
    from analytics.services.aggregation import wave_aggregate
    from bench.dataset import dataset

    wave, _ = dataset(responses=args.responses, teams=args.teams)
    if not PublishedCell.objects.filter(wave=wave).exists():
        wave_aggregate(wave_id=wave.pk, full=True)
    # What autovacuum does shortly after a publication's bulk COPY: without fresh statistics the planner
    # picks a slow plan for the delta-vs-organisation subquery (100+ ms instead of a few).
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE analytics_publishedcell, survey_team, survey_teamclosure")
    _, key = OrganisationAPIKey.objects.create_key(name="bench", organisation=wave.organisation)
    client = Client(HTTP_AUTHORIZATION=f"Api-Key {key}")
    cells = PublishedCell.objects.filter(wave=wave).count()
    wave_id = str(wave.pk)
    requests = [
        ("cells, first page (500 rows)", "/api/v1/cells/", {"wave": wave_id}),
        (
            "cells, dimensions (page of 5000)",
            "/api/v1/cells/",
            {"wave": wave_id, "kind": "dimension", "page_size": 5000},
        ),
        ("cells, one dimension + questions", "/api/v1/cells/", {"wave": wave_id, "dimension": "fatigue"}),
        ("heatmap, wellbeing", "/api/v1/heatmap/", {"wave": wave_id, "map": "wellbeing"}),
        ("participation", "/api/v1/participation/", {"wave": wave_id}),
        ("cells, whole wave as CSV (streamed)", "/api/v1/cells/", {"wave": wave_id, "format": "csv"}),
    ]
    if not args.no_freeze:
        # What a gunicorn worker should do after loading the app (Instagram's recipe): move the long-lived
        # heap (Django, DRF, NumPy, scikit-learn...) out of the collector's reach, so collections stay short.
        client.get("/api/v1/cells/", {"wave": wave_id})
        gc.collect()
        gc.freeze()
    print(f"gc.freeze(): {'no' if args.no_freeze else 'yes'}")
    print(f"wave: {args.teams} teams, {cells:,} published cells; {args.repeat} timed runs after 5 warm-up")
    print(f"\n{'request':<38} {'rows':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    print("-" * 72)
    for name, url, params in requests:
        rows = 0
        timings = []
        for run in range(5 + args.repeat):
            started = time.perf_counter()
            response = client.get(url, params)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            elapsed = time.perf_counter() - started
            assert response.status_code == 200, (response.status_code, body[:300])
            if run >= 5:
                timings.append(elapsed * 1000)
            rows = body.count(b"\n") - 1 if response.streaming else body.count(b'"team":')
        print(
            f"{name:<38} {rows:>6} {statistics.median(timings):>8.1f} {percentile(timings, 0.95):>8.1f} "
            f"{max(timings):>8.1f}"
        )
    etag = client.get("/api/v1/cells/", {"wave": wave_id})["ETag"]
    timings = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        assert client.get("/api/v1/cells/", {"wave": wave_id}, HTTP_IF_NONE_MATCH=etag).status_code == 304
        timings.append((time.perf_counter() - started) * 1000)
    name = "cells, revalidation (304)"
    p50, p95 = statistics.median(timings), percentile(timings, 0.95)
    print(f"{name:<38} {0:>6} {p50:>8.1f} {p95:>8.1f} {max(timings):>8.1f}")
    print_csv_memory(client, wave_id)
    OrganisationAPIKey.objects.filter(name="bench", organisation=wave.organisation).delete()


if __name__ == "__main__":
    main()

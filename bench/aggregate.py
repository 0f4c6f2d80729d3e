"""Aggregation benchmark (issue 3): raw GROUP BY floor vs full recompute vs incremental update.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pulse_bench .venv/bin/python bench/aggregate.py [--responses N]

Generates N responses x ~25 answers over 400 teams directly in PostgreSQL (kept between runs
when the size matches), then times, in one run on the same data:
  (a) the floor: one SQL GROUP BY team, question with count and sum over a plain
      (response, team, question, value) table holding the same answers;
  (b) Pulse's full recompute: counts by GROUP BY, roll-up, scoring, disclosure gate, publication;
  (c) Pulse's incremental update after 1,000 new submissions (fold, move, release, publish).
Prints the median of --repeat runs and the ratios.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pulse_bench")
os.environ.setdefault("LOG_LEVEL", "WARNING")


def ensure_database() -> None:
    """Creates the benchmark database if it does not exist yet."""
    import psycopg
    from django.conf import settings

    name = settings.DATABASES["default"]["NAME"]
    options = settings.DATABASES["default"]
    with psycopg.connect(
        host=options["HOST"] or "127.0.0.1",
        port=options["PORT"] or 5432,
        user=options["USER"],
        dbname="postgres",
        autocommit=True,
    ) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--teams", type=int, default=400)
    parser.add_argument("--new", type=int, default=1000, help="Submissions for the incremental run.")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    import django

    django.setup()
    ensure_database()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from analytics.services.aggregation import wave_aggregate
    from bench.dataset import add_pending, dataset, time_raw_floor

    started = time.perf_counter()
    wave, generated = dataset(responses=args.responses, teams=args.teams)
    setup = time.perf_counter() - started
    print(
        f"data: {args.responses:,} responses, {args.teams} teams "
        f"({'generated' if generated else 'reused'} in {setup:.1f}s)",
        flush=True,
    )

    raw = [time_raw_floor(wave) for _ in range(args.repeat)]
    full = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        wave_aggregate(wave_id=wave.pk, full=True)
        full.append(time.perf_counter() - started)
    # Where (b) goes: its counting GROUP BY alone, on the same data.
    from django.db import transaction

    from analytics.services.aggregation import _recount

    recount = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        with transaction.atomic():
            _recount(wave)
        recount.append(time.perf_counter() - started)
    incremental = []
    for _ in range(args.repeat):
        add_pending(wave, count=args.new)
        started = time.perf_counter()
        result = wave_aggregate(wave_id=wave.pk)
        incremental.append(time.perf_counter() - started)
        assert result.folded == args.new, result

    a, b, c = statistics.median(raw), statistics.median(full), statistics.median(incremental)
    counting = statistics.median(recount)
    rows = [
        ("(a) raw SQL GROUP BY team, question", a, "1.00 x (a)"),
        ("(b) full recompute + publish", b, f"{b / a:.2f} x (a)   target <= 1.5"),
        ("    of which the counting GROUP BY", counting, f"{counting / a:.2f} x (a)"),
        (f"(c) incremental, {args.new:,} new + publish", c, f"{100 * c / b:.1f} % of (b)   target < 5 %, < 0.5 s"),
    ]
    print(f"\n{'step':<44} {'median s':>9}   ratio   (runs: {args.repeat})")
    print("-" * 90)
    for name, seconds, ratio in rows:
        print(f"{name:<44} {seconds:>9.3f}   {ratio}")
    runs = {
        name: [round(x, 3) for x in values]
        for name, values in (("a", raw), ("b", full), ("b counting", recount), ("c", incremental))
    }
    print(f"\nall runs (s): {runs}")


if __name__ == "__main__":
    main()

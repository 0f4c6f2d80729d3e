"""Aggregation benchmark (issues 3 and 11): floors vs full recompute vs incremental update.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pulse_bench .venv/bin/python bench/aggregate.py \
        [--sizes 100000,300000,1000000] [--repeat 5]

For each size, generates N responses x ~25 answers over 400 teams directly in PostgreSQL, in a
database of its own (DATABASE_URL's name with the size appended, created if missing and kept
between runs), so that the floor scans exactly the wave's rows and nothing else; then times, in
one run and interleaved so that every figure sees the same load:
  (a) the same-rows floor: the plainest GROUP BY team, question (count, sum, sum of squares) over
      the very rows Pulse reads (survey_answer, WHERE wave_id = W), run twice, as PostgreSQL plans
      it and with the counting index forced (an index-only scan, as the recount reads it), and the
      faster of the two kept (PostgreSQL's own choice, a parallel scan of the table, is often the
      slower one: 0.76 s against 0.43 s at 300,000 responses);
  (a') the previous floor: the same GROUP BY over a plain copy of those answers (bench_raw_N, no
      index: a scan of the whole table, what the floor cost before the counting index);
  (b) `manage.py aggregate --wave W --full` (in-process, after Django's start-up): counts by
      GROUP BY, roll-up, scoring, the disclosure gate, publication; and its counting GROUP BY alone;
  (c) the incremental update after 1,000 new submissions (fold, move, release, publish), and (c')
      after one mixing batch (2 x k submissions, the smallest a run folds while the wave is open);
      next to (c), its floor for moving the batch: 1,000 submissions' answers (about 24,000 rows)
      inserted into survey_answer alone by one raw INSERT, as pending_move writes them, rolled back.
Before each repeat the database is vacuumed and analysed (outside the timings), as autovacuum would
have done by then (migration survey.0009 has it vacuum the answers after every 20,000 new rows):
this machine's server runs with autovacuum off, so unvacuumed pages made every index-only read,
the floor's included, fetch rows, churned tables grew, and tables never analysed (the wave's
frozen tree) were planned for a handful of rows.
Prints medians of --repeat runs, every run, the ratios, the process's peak memory and the load.
"""

import argparse
import gc
import io
import os
import resource
import secrets
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pulse_bench")
os.environ.setdefault("LOG_LEVEL", "WARNING")

# What moving a batch costs at the least: its answers written into survey_answer (two indexes),
# as pending_move writes them (ids sharing a prefix per batch, in their order), and nothing else.
BATCH_ANSWERS_FLOOR = (
    "INSERT INTO survey_answer (response_id, question_id, wave_id, team_id, value) "
    "SELECT CAST(%s || substr(md5(CAST(p.id AS text)), 1, 16) AS uuid) AS response_id, a.question_id, p.wave_id, "
    "p.team_id, a.value FROM survey_pendinganswer a JOIN survey_pendingresponse p ON p.id = a.pending_id "
    "WHERE p.wave_id = %s AND p.batch IS NULL ORDER BY 1, 2"
)

SAME_ROWS_FLOOR = (
    "SELECT team_id, question_id, count(*), sum(value), sum(value * value) FROM survey_answer "
    "WHERE wave_id = %s GROUP BY 1, 2"
)


def use_database(name: str) -> None:
    """Points Django's default connection at `name`, creating and migrating it if needed."""
    from django.core.management import call_command
    from django.db import connection

    connection.close()
    connection.settings_dict["NAME"] = name
    ensure_database()
    call_command("migrate", verbosity=0)


def ensure_database() -> None:
    """Creates the benchmark database if it does not exist yet."""
    import psycopg
    from django.db import connection

    options = connection.settings_dict
    name = options["NAME"]
    with psycopg.connect(
        host=options["HOST"] or "127.0.0.1",
        port=options["PORT"] or 5432,
        user=options["USER"],
        dbname="postgres",
        autocommit=True,
    ) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')


def timed(run) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def load() -> str:
    return "load average " + " ".join(f"{value:.2f}" for value in os.getloadavg())


def measure(size: int, args) -> dict:
    from django.core.management import call_command
    from django.db import connection, transaction

    from analytics.services.aggregation import wave_aggregate
    from analytics.services.recount import counts_recount
    from bench.dataset import add_pending, dataset, time_raw_floor
    from survey.services.submission import mixing_minimum

    started = time.perf_counter()
    wave, generated = dataset(responses=size, teams=args.teams)
    print(
        f"data: {size:,} responses, {args.teams} teams ({'generated' if generated else 'reused'} "
        f"in {time.perf_counter() - started:.1f}s)",
        flush=True,
    )
    wave_aggregate(wave_id=wave.pk, full=True)  # a first full run folds whatever an earlier run left
    gc.freeze()  # as a Celery worker does once started (config.celery), for the incremental runs

    def same_rows(*, indexed: bool) -> float:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL enable_seqscan = {'off' if indexed else 'on'}")
            started = time.perf_counter()
            cursor.execute(SAME_ROWS_FLOOR, [wave.pk])
            cursor.fetchall()
            return time.perf_counter() - started

    def batch_answers() -> float:
        """(c floor): a batch of --new submissions' answers inserted alone, then rolled back."""
        with transaction.atomic(), connection.cursor() as cursor:
            add_pending(wave, count=args.new)
            started = time.perf_counter()
            cursor.execute(BATCH_ANSWERS_FLOOR, [secrets.token_hex(8), wave.pk])
            elapsed = time.perf_counter() - started
            transaction.set_rollback(True)
        return elapsed

    def vacuum() -> None:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")

    def full() -> None:
        call_command("aggregate", wave=str(wave.pk), full=True, stdout=io.StringIO())

    def counting() -> None:
        with transaction.atomic():
            counts_recount(wave=wave)

    mixing = mixing_minimum(wave)
    runs: dict[str, list[float]] = {
        "a": [],
        "a planned": [],
        "a'": [],
        "b": [],
        "b counting": [],
        "c": [],
        "c floor": [],
        "c'": [],
    }
    for _ in range(args.repeat):
        vacuum()
        runs["a planned"].append(same_rows(indexed=False))
        runs["a"].append(min(runs["a planned"][-1], same_rows(indexed=True)))
        runs["a'"].append(time_raw_floor(wave, size))
        runs["b"].append(timed(full))
        runs["b counting"].append(timed(counting))
        add_pending(wave, count=args.new)
        started = time.perf_counter()
        folded = wave_aggregate(wave_id=wave.pk).folded
        runs["c"].append(time.perf_counter() - started)
        assert folded == args.new, folded
        add_pending(wave, count=mixing)
        started = time.perf_counter()
        folded = wave_aggregate(wave_id=wave.pk).folded
        runs["c'"].append(time.perf_counter() - started)
        assert folded == mixing, folded
        runs["c floor"].append(batch_answers())  # last: its dead rows wait for the next vacuum
    medians = {name: statistics.median(values) for name, values in runs.items()}
    return medians | {"runs": runs, "peak": peak_mb(), "mixing": mixing}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100000,300000,1000000", help="Responses of history, comma-separated.")
    parser.add_argument("--teams", type=int, default=400)
    parser.add_argument("--new", type=int, default=1000, help="Submissions for the incremental run.")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]

    import django

    django.setup()
    from django.db import connection

    base = connection.settings_dict["NAME"]
    print(f"start: {load()}", flush=True)
    results = {}
    for size in sizes:
        use_database(f"{base}_{size}")
        results[size] = measure(size, args)

    print(f"\n{'responses':>10} {'step':<46} {'median s':>9}   ratio   (medians of {args.repeat} runs)")
    print("-" * 110)
    for size, result in results.items():
        a, a_old, b, counting, c, batch = (result[name] for name in ("a", "a'", "b", "b counting", "c", "c'"))
        rows = [
            ("(a) same-rows floor: GROUP BY team, question", a, "1.00 x (a)"),
            ("    as PostgreSQL plans it", result["a planned"], f"{result['a planned'] / a:.2f} x (a)"),
            ("(a') previous floor, on a plain copy", a_old, f"{a_old / a:.2f} x (a)"),
            (
                "(b) aggregate --full (recount + publish)",
                b,
                f"{b / a:.2f} x (a)   target <= 1.5   ({b / a_old:.2f} x (a'))",
            ),
            ("    of which the counting GROUP BY", counting, f"{counting / a:.2f} x (a)"),
            (f"(c) incremental, {args.new:,} new + publish", c, f"{100 * c / b:.1f} % of (b)   target < 0.5 s, < 5 %"),
            (
                "    its answers' insert alone, raw SQL",
                result["c floor"],
                f"{100 * result['c floor'] / c:.0f} % of (c)",
            ),
            (f"(c') incremental, one mixing batch ({result['mixing']} new)", batch, f"{100 * batch / b:.1f} % of (b)"),
        ]
        for name, seconds, ratio in rows:
            print(f"{size:>10,} {name:<46} {seconds:>9.3f}   {ratio}")
        print(f"{size:>10,} {'peak memory of this process (so far)':<46} {result['peak']:>7.0f} MB")
    print(f"\nend: {load()}")
    for size, result in results.items():
        print(f"all runs at {size:,} (s): " + str({k: [round(x, 3) for x in v] for k, v in result["runs"].items()}))


if __name__ == "__main__":
    main()

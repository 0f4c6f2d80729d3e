"""Submission benchmark (issue 10): complete surveys through the real endpoints of the production
topology, against a bare floor on the same gunicorn.

    .venv/bin/python bench/submit.py [--clients 1,8,32,128] [--scale 1.0] [--workers N]

Creates its own database (pulse_bench_submit, dropped and made again each run) and uses Redis db 13
(flushed). Starts what `make serve-prod` starts, through honcho and the Procfile (gunicorn with
production settings, a Celery worker and beat, on loopback), with `bench.settings`: production plus
the floor's bare views (bench/floor.py). A load generator in a second process (aiohttp) posts
complete surveys at each concurrency, alternating floor and Pulse, over two paths:
  - json: POST /api/v1/submit/ (floor: POST /bench/floor/submit/);
  - html: what a browser does, four requests: the link (cookie, redirect), the welcome page, the
    questions page (its CSRF token and cookie), the POST that answers with the receipt.
Each submission uses its own single-use link of its own wave. Prints, for each: submissions/s,
p50/p95/p99 of a whole submission, errors, the ratio to the floor, and checks that the stored
responses (pending + moved) equal the accepted submissions, and that the links used equal them too.
"""

import argparse
import asyncio
import json
import os
import random
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATABASE = "pulse_bench_submit"
COMMENT = "Clear rules on which tools we may use, and time to learn them properly."
CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def topology_env(port: int, workers: int) -> dict[str, str]:
    return {
        **os.environ,
        "PATH": f"{ROOT / '.venv' / 'bin'}:{os.environ['PATH']}",
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DATABASE}",
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13"),
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(workers),
        "LOG_LEVEL": "WARNING",
    }


# --- The load generator (second process) -------------------------------------------------------
class Jar:
    """The cookies of one browser: kept by name, sent back on every request (aiohttp's own jar
    will not send the Secure cookies production sets over plain loopback HTTP; a browser would)."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}

    def take(self, response) -> None:
        for header in response.headers.getall("Set-Cookie", []):
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or morsel.value == "":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    def header(self) -> dict[str, str]:
        return {"Cookie": "; ".join(f"{name}={value}" for name, value in self.cookies.items())}


async def json_submission(session, base: str, prefix: str, token: str, answers: dict) -> int:
    url = f"{base}{prefix}/submit/" if prefix else f"{base}/api/v1/submit/"
    async with session.post(url, json={"token": token, "answers": answers, "language": "en"}) as response:
        await response.read()
        return 201 if response.status == 201 else response.status


async def html_submission(session, base: str, prefix: str, token: str, answers: dict) -> int:
    jar = Jar()
    async with session.get(f"{base}{prefix}/s/{token}/", allow_redirects=False) as response:
        await response.read()
        jar.take(response)
        if response.status != 302:
            return response.status
    async with session.get(f"{base}{prefix}/s/", headers=jar.header()) as response:
        await response.read()
        if response.status != 200:
            return response.status
    async with session.get(f"{base}{prefix}/s/questions/", headers=jar.header()) as response:
        page = await response.read()
        jar.take(response)
        if response.status != 200:
            return response.status
    form = [("csrfmiddlewaretoken", CSRF_INPUT.search(page).group(1).decode())]
    for code, value in answers.items():
        form.extend((code, str(item)) for item in (value if isinstance(value, list) else [value]))
    async with session.post(f"{base}{prefix}/s/questions/", data=form, headers=jar.header()) as response:
        body = await response.read()
        # Pulse's receipt, or the floor's; a confirmation page or an error page is not a stored answer.
        stored = response.status == 200 and (b'id="receipt"' in body or b"Stored." in body)
        return 201 if stored else response.status or 599


async def drive(base: str, path: str, prefix: str, clients: int, tokens: list[str], payloads: list[dict]) -> dict:
    import aiohttp

    submit = json_submission if path == "json" else html_submission
    queue = list(reversed(tokens))
    latencies, statuses = [], {}
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(
        timeout=timeout, cookie_jar=aiohttp.DummyCookieJar(), connector=aiohttp.TCPConnector(limit=clients)
    ) as session:

        async def client(number: int) -> None:
            rng = random.Random(number)
            while queue:
                token = queue.pop()
                started = time.perf_counter()
                try:
                    status = await submit(session, base, prefix, token, rng.choice(payloads))
                except (TimeoutError, aiohttp.ClientError):
                    status = 599
                latencies.append(time.perf_counter() - started)
                statuses[status] = statuses.get(status, 0) + 1

        started = time.perf_counter()
        await asyncio.gather(*(client(number) for number in range(clients)))
        elapsed = time.perf_counter() - started
    return {"elapsed": elapsed, "latencies": latencies, "statuses": statuses}


def drive_main(job_file: str) -> None:
    job = json.loads(Path(job_file).read_text())
    result = asyncio.run(drive(job["base"], job["path"], job["prefix"], job["clients"], job["tokens"], job["payloads"]))
    Path(job["out"]).write_text(json.dumps(result))


# --- Setting up, serving, counting (first process) ---------------------------------------------
def database_fresh() -> None:
    import psycopg

    with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{DATABASE}"')


def manage(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def payloads(survey, count: int = 20) -> list[dict]:
    """Complete surveys: every question answered, options drawn at random, the comment clean (a
    comment that scrubbing changes goes to the confirmation page, a fifth request)."""
    rng = random.Random(11)
    questions = list(survey.questions.prefetch_related("options"))
    made = []
    for _ in range(count):
        answers = {}
        for question in questions:
            values = [option.value for option in question.options.all()]
            if question.is_text:
                answers[question.code] = COMMENT
            elif question.is_multiple:
                answers[question.code] = rng.sample(values, 2)
            else:
                answers[question.code] = rng.choice(values)
        made.append(answers)
    return made


def organisation_setup():
    from survey.models import Organisation, Team
    from survey.services.instrument import instrument_load_builtin
    from survey.services.teams import team_closure_rebuild

    organisation = Organisation.objects.create(slug="bench", name="Bench")
    root = Team.objects.create(organisation=organisation, slug="all", name="Bench", headcount=0)
    department = Team.objects.create(organisation=organisation, parent=root, slug="ops", name="Ops", headcount=0)
    for number in range(8):
        Team.objects.create(
            organisation=organisation, parent=department, slug=f"t{number}", name=f"Team {number}", headcount=5_000
        )
    team_closure_rebuild(organisation=organisation)
    return organisation, instrument_load_builtin()


def wave_with_links(organisation, survey, name: str, count: int) -> tuple[object, list[str]]:
    from survey.models import Team
    from survey.services.invitations import invitations_issue
    from survey.services.waves import wave_create, wave_open

    wave = wave_open(wave=wave_create(organisation=organisation, survey=survey, name=name))
    teams = list(Team.objects.filter(organisation=organisation, headcount__gt=0))
    tokens = []
    for index, team in enumerate(teams):
        share = count // len(teams) + (index < count % len(teams))
        if share:
            tokens += [
                link.url.rstrip("/").rsplit("/", 1)[-1] for link in invitations_issue(wave=wave, team=team, count=share)
            ]
    random.Random(name).shuffle(tokens)
    return wave, tokens


def stored(wave) -> tuple[int, int]:
    """(responses stored, pending or moved, read in one statement; links used) for a wave."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM survey_pendingresponse WHERE wave_id = %s) "
            "+ (SELECT count(*) FROM survey_response WHERE wave_id = %s), "
            "(SELECT count(*) FROM survey_invitation WHERE wave_id = %s AND used)",
            [wave.pk, wave.pk, wave.pk],
        )
        return cursor.fetchone()


def wait_ready(base: str, process: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("The topology stopped during start-up: see the log above.")
        try:
            with urllib.request.urlopen(f"{base}/s/privacy/", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"Nothing answered on {base} after {seconds:.0f} s.")


def run_job(base: str, path: str, prefix: str, clients: int, tokens: list[str], answers: list[dict]) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        job, out = Path(folder) / "job.json", Path(folder) / "out.json"
        job.write_text(
            json.dumps(
                {
                    "base": base,
                    "path": path,
                    "prefix": prefix,
                    "clients": clients,
                    "tokens": tokens,
                    "payloads": answers,
                    "out": str(out),
                }
            )
        )
        subprocess.run([sys.executable, __file__, "--drive", str(job)], check=True)
        return json.loads(out.read_text())


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--drive", help=argparse.SUPPRESS)
    parser.add_argument("--clients", default="1,8,32,128")
    parser.add_argument("--paths", default="json,html")
    parser.add_argument("--scale", type=float, default=1.0, help="Multiplies the submissions per measurement.")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (WEB_CONCURRENCY).")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    if args.drive:
        return drive_main(args.drive)

    env = topology_env(args.port, args.workers)
    os.environ.update(
        {
            key: env[key]
            for key in (
                "DJANGO_SETTINGS_MODULE",
                "DATABASE_URL",
                "REDIS_URL",
                "SECRET_KEY",
                "ALLOWED_HOSTS",
                "LOG_LEVEL",
            )
        }
    )
    print(f"Database {DATABASE} (fresh), Redis {env['REDIS_URL']} (flushed), {args.workers} gunicorn workers")
    database_fresh()
    import redis

    redis.Redis.from_url(env["REDIS_URL"]).flushdb()
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput")
    import django

    django.setup()
    organisation, survey = organisation_setup()
    answers = payloads(survey)
    clients = [int(value) for value in args.clients.split(",")]
    count_for = {c: max(20, int(args.scale * (100 if c == 1 else min(1200, 40 * c)))) for c in clients}

    base = f"http://127.0.0.1:{args.port}"
    honcho = shutil.which("honcho", path=env["PATH"])
    log = open(Path(tempfile.gettempdir()) / "pulse-bench-submit.log", "w")  # noqa: SIM115
    topology = subprocess.Popen(
        [honcho, "-f", "Procfile", "start", "web", "worker", "beat"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    rows = []
    try:
        wait_ready(base, topology)
        # Every worker's first requests (imports, connections) are not what the benchmark is about.
        for path in args.paths.split(","):
            for prefix in ("/bench/floor", ""):
                _, tokens = wave_with_links(organisation, survey, f"warm-up {path}{prefix}", 10 * args.workers)
                run_job(base, path, prefix, args.workers * 2, tokens, answers)
        for path in args.paths.split(","):
            for number in clients:
                for system, prefix in (("floor", "/bench/floor"), ("pulse", "")):
                    wave, tokens = wave_with_links(organisation, survey, f"{path} {system} {number}", count_for[number])
                    load = os.getloadavg()[0]
                    result = run_job(base, path, prefix, number, tokens, answers)
                    saved, used = stored(wave)
                    rows.append(
                        {
                            "path": path,
                            "system": system,
                            "clients": number,
                            "load": load,
                            "stored": saved,
                            "used": used,
                            **result,
                        }
                    )
                    print_row(rows[-1], rows)
    finally:
        os.killpg(topology.pid, signal.SIGTERM)
        topology.wait(timeout=60)
        log.close()
    print_summary(rows)


COLUMNS = (  # (heading, width, format) of each printed column
    ("path", -5, ""),
    ("system", -6, ""),
    ("clients", 7, "d"),
    ("subs", 6, "d"),
    ("subs/s", 8, ".1f"),
    ("p50 ms", 8, ".1f"),
    ("p95 ms", 8, ".1f"),
    ("p99 ms", 8, ".1f"),
    ("errors", 7, "d"),
    ("stored", 7, "d"),
    ("x floor", 8, ".2f"),
    ("p99 x", 6, ".2f"),
    ("load", 5, ".1f"),
)


def line(values) -> str:
    cells = []
    for (_, width, kind), value in zip(COLUMNS, values, strict=True):
        text = format(value, kind) if kind and not isinstance(value, str) else str(value)
        cells.append(text.ljust(-width) if width < 0 else text.rjust(width))
    return " ".join(cells)


def print_row(row: dict, rows: list[dict]) -> None:
    if len(rows) == 1:
        print(line(heading for heading, _, _ in COLUMNS))
    latencies = row["latencies"]
    accepted = row["statuses"].get("201", row["statuses"].get(201, 0))
    row.update(
        accepted=accepted,
        rate=len(latencies) / row["elapsed"],
        p50=1000 * statistics.median(latencies),
        p95=1000 * percentile(latencies, 0.95),
        p99=1000 * percentile(latencies, 0.99),
        errors=len(latencies) - accepted,
    )
    floor = next(
        (r for r in rows if r["system"] == "floor" and r["path"] == row["path"] and r["clients"] == row["clients"]), row
    )
    check = (
        ""
        if row["stored"] == accepted == row["used"]
        else f"  STORED {row['stored']} != ACCEPTED {accepted} (links used {row['used']})"
    )
    others = {status: n for status, n in row["statuses"].items() if str(status) != "201"}
    values = [row[key] for key in ("path", "system", "clients")] + [len(latencies)]
    values += [row[key] for key in ("rate", "p50", "p95", "p99", "errors", "stored")]
    values += [row["rate"] / floor["rate"], row["p99"] / floor["p99"], row["load"]]
    print(line(values) + check + (f"  {others}" if others else ""), flush=True)


def print_summary(rows: list[dict]) -> None:
    print("\nTargets at 32 clients: throughput >= 0.7 x floor, p99 <= 1.5 x floor's, no error, stored == accepted.")
    for row in rows:
        if row["system"] != "pulse" or row["clients"] != 32:
            continue
        floor = next(r for r in rows if r["system"] == "floor" and r["path"] == row["path"] and r["clients"] == 32)
        verdict = (
            row["rate"] >= 0.7 * floor["rate"]
            and row["p99"] <= 1.5 * floor["p99"]
            and row["errors"] == 0
            and row["stored"] == row["accepted"]
        )
        print(
            f"{row['path']}: {row['rate']:.0f}/s = {row['rate'] / floor['rate']:.2f} x floor, "
            f"p99 {row['p99']:.0f} ms = {row['p99'] / floor['p99']:.2f} x floor's: {'met' if verdict else 'MISSED'}"
        )


if __name__ == "__main__":
    main()

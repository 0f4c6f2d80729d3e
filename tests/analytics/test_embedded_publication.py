"""The embedded default (SQLite, tasks in-process) publishes through the same SQL and the same gate
as PostgreSQL: the demo organisation, aggregated on SQLite in a process of its own, shows no
number in a hidden cell and no shown cell under its threshold, its recount (SQLite's packed sums)
gives each option the count a plain Python tally of the answers gives, and a second full run
changes nothing. (The rest of the suite runs on PostgreSQL, as production does.)"""

import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

from analytics.scoring import ANSWERED

ROOT = Path(__file__).resolve().parents[2]
CELLS = """
SELECT c.id, c.kind, c.code, c.n, c.score, c.favourable_pct, c.distribution, c.delta_previous, c.suppressed,
c.reason, w.k_min, w.k_comments FROM analytics_publishedcell c JOIN survey_wave w ON w.id = c.wave_id
"""


def manage(*args: str, database: Path) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": f"sqlite:///{database}",
        "LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "manage.py", *args]
    subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True, timeout=600)


def published(database: Path) -> list[tuple]:
    with sqlite3.connect(database) as connection:
        return sorted(connection.execute(CELLS).fetchall())


def answer_counts(database: Path) -> tuple[Counter, Counter]:
    """The stored answer counts, and the same counted in Python from the answers themselves: per
    value, or for multiple choice per ticked bit and ANSWERED."""
    with sqlite3.connect(database) as connection:
        kinds = dict(connection.execute("SELECT id, type FROM survey_question"))
        tally: Counter = Counter()
        answers = connection.execute("SELECT wave_id, team_id, question_id, value FROM survey_answer")
        for wave, team, question, value in answers:
            if kinds[question] == "multiple":
                tally.update((wave, team, question, bit) for bit in range(value.bit_length()) if value >> bit & 1)
                tally[wave, team, question, ANSWERED] += 1
            else:
                tally[wave, team, question, value] += 1
        rows = connection.execute(
            "SELECT c.wave_id, c.team_id, c.question_id, c.value, c.n FROM analytics_answercount c "
            "JOIN survey_question q ON q.id = c.question_id WHERE q.type <> 'text' AND c.n > 0"
        )
        return Counter({tuple(key): n for *key, n in rows}), tally


def test_the_embedded_default_publishes_through_the_gate(tmp_path):
    database = tmp_path / "pulse.sqlite3"
    manage("migrate", "--noinput", database=database)
    manage("load_demo", database=database)  # submits, then aggregates in-process
    cells = published(database)
    assert len(cells) > 1000
    reasons = {reason for *_, reason, _, _ in cells}
    assert reasons == {"", "min_group", "complementary"}
    for _, kind, code, n, score, favourable, distribution, delta, suppressed, reason, k, k_comments in cells:
        if suppressed:
            assert (n, score, favourable, distribution, delta) == (None, None, None, None, None), (kind, code)
            assert reason in ("min_group", "complementary")
        else:
            assert reason == "" and n >= (k_comments if kind == "comments" else k), (kind, code, n)
    shown = [cell for cell in cells if not cell[8] and cell[1] == "question" and cell[4] is not None]
    assert shown and all(0 <= cell[4] <= 100 for cell in shown)
    stored, tally = answer_counts(database)
    assert len(tally) > 1000 and stored == tally
    manage("aggregate", "--full", database=database)
    assert published(database) == cells

"""A Celery worker killed (SIGKILL) in the middle of an aggregation (issue 10): its transaction dies
with it, the task comes back to the next worker (acks_late, visibility timeout), and the published
figures are exactly those of a clean run."""

import random
import re
import time

import psycopg
from django.db import connection

from analytics.models import AnswerCount, CommentScore, Publication, PublishedCell, TeamTally
from survey.models import Comment, PendingResponse, Response
from tests.faults.clients import submit
from tests.faults.conftest import database_dsn, wait_for, waiting_on
from tests.faults.figures import clean_run, open_wave_with_links, published, questions_of, random_answers


def _written_by(pid: int) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relation::regclass::text FROM pg_locks WHERE pid = %s AND mode = 'RowExclusiveLock'", [pid]
        )
        return {name for (name,) in cursor.fetchall()}


def _alive(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone() is not None


def test_a_worker_killed_mid_aggregation_leaves_nothing_and_the_task_comes_back(faults, survey):
    wave, tokens = open_wave_with_links(survey, "Kill", links_per_team=25)
    rng, questions = random.Random(4), questions_of(survey)
    for token in tokens:
        assert submit(faults.port, token, random_answers(rng, questions, comments=0.3)).status == 201
    assert PendingResponse.objects.filter(wave=wave).count() == 50
    # What the submissions queued goes: the beat's sweep queues the one run this test follows.
    faults.flush_redis()

    # A transaction of the test's own holds the published cells' table: the worker gets through its
    # claim, the counts, the move into the response tables, the comment scores and the release, and
    # then waits to write the cells, its work all done and none of it committed.
    with psycopg.connect(database_dsn()) as blocker:
        blocker.execute("LOCK TABLE analytics_publishedcell IN EXCLUSIVE MODE")
        first = faults.worker(beat=True, PULSE_SWEEP_SECONDS="1")
        wait_for(lambda: waiting_on(blocker), 60, "the worker reaches the cells")
        (backend,) = waiting_on(blocker)
        # Its transaction has written the counts, the moved responses and the release.
        assert {"analytics_answercount", "survey_response", "analytics_rolledcount"} <= _written_by(backend)
        running = re.search(r"Task analytics\.tasks\.aggregate_wave\[([0-9a-f-]+)\] received", first.output()).group(1)
        first.kill()
        killed = time.perf_counter()
        blocker.rollback()
        # Its server process notices the dead client at its next message and rolls back.
        wait_for(lambda: not _alive(backend), 30, "the killed worker's transaction ends")
    # Nothing of the half-done run is left: every submission waits, unclaimed, as before.
    assert PendingResponse.objects.filter(wave=wave, batch__isnull=True).count() == 50
    assert not Response.objects.filter(wave=wave).exists() and not Comment.objects.filter(wave=wave).exists()
    for model in (AnswerCount, TeamTally, CommentScore, PublishedCell, Publication):
        assert not model.objects.filter(wave=wave).exists(), model

    # The next worker gets the very task back once its visibility timeout has passed (the kill
    # left it unacknowledged), as well as what the sweep queued meanwhile.
    second = faults.worker(CELERY_VISIBILITY_TIMEOUT="3")
    wait_for(
        lambda: (
            not PendingResponse.objects.filter(wave=wave).exists() and Publication.objects.filter(wave=wave).exists()
        ),
        90,
        "the next worker aggregates",
    )
    wait_for(
        lambda: f"aggregate_wave[{running}] received" in second.output(), 60, "the killed task is handed out again"
    )
    print(f"\nkilled mid-aggregation; republished {time.perf_counter() - killed:.1f} s later (worker start included)")
    second.stop()
    assert Response.objects.filter(wave=wave).count() == 50
    cells = published(wave)
    assert cells and cells == clean_run(wave)

"""Many people at once (issue 10): every 201 is one stored response, and one link answers once."""

import io
import random
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from django.core.management import call_command

from analytics.models import AnswerCount, Publication, TeamTally
from survey.models import PendingResponse, Response, Wave
from survey.services.invitations import invitations_issue
from tests.conftest import make_tree, token_of
from tests.faults.clients import submit
from tests.faults.conftest import wait_for
from tests.faults.figures import clean_run, published, questions_of, random_answers

SUBMISSIONS = 5000
CLIENTS = 50


def answer_counts(wave) -> list[tuple]:
    return sorted(AnswerCount.objects.filter(wave=wave).values_list("team_id", "question_id", "value", "n"))


def test_5000_submissions_from_50_clients_are_each_stored_once_and_counted_once(faults, survey):
    organisation, teams = make_tree("load", {f"d{d}": {f"t{d}{t}": 500 for t in range(5)} for d in range(2)})
    wave = Wave.objects.create(organisation=organisation, survey=survey, name="Load", status=Wave.Status.OPEN)
    leaves = [team for slug, team in teams.items() if slug.startswith("t")]
    tokens = [
        token_of(link)
        for team in leaves
        for link in invitations_issue(wave=wave, team=team, count=SUBMISSIONS // len(leaves))
    ]
    rng, questions = random.Random(10), questions_of(survey)
    work = [(token, random_answers(rng, questions)) for token in tokens]
    rng.shuffle(work)

    statuses: Counter = Counter()
    latencies: list[float] = []
    lock = threading.Lock()

    def client(share: list) -> None:
        for token, answers in share:
            started = time.perf_counter()
            status = submit(faults.port, token, answers, timeout=60).status
            with lock:
                statuses[status] += 1
                latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    with ThreadPoolExecutor(CLIENTS) as pool:
        list(pool.map(client, [work[i::CLIENTS] for i in range(CLIENTS)]))
    elapsed = time.perf_counter() - started
    latencies.sort()
    p50, p99 = (latencies[int(len(latencies) * share)] * 1000 for share in (0.5, 0.99))
    print(
        f"\n{SUBMISSIONS} submissions, {CLIENTS} clients: {elapsed:.1f} s ({SUBMISSIONS / elapsed:.0f}/s), "
        f"p50 {p50:.0f} ms, p99 {p99:.0f} ms, statuses {dict(statuses)}"
    )
    assert statuses == {201: SUBMISSIONS}
    # Nothing lost, nothing doubled: one stored submission per 201 (no worker yet, all still pending).
    assert PendingResponse.objects.filter(wave=wave).count() == SUBMISSIONS
    assert Response.objects.filter(wave=wave).count() == 0

    # The queued aggregations run once a worker starts: the whole batch is folded and published.
    worker_started = time.perf_counter()
    faults.worker()
    waited = wait_for(
        lambda: (
            not PendingResponse.objects.filter(wave=wave).exists() and Publication.objects.filter(wave=wave).exists()
        ),
        120,
        "the worker folds the queued submissions",
    )
    print(f"worker start and aggregation: {time.perf_counter() - worker_started:.1f} s (waited {waited:.1f} s)")
    assert Response.objects.filter(wave=wave).count() == SUBMISSIONS
    counts = answer_counts(wave)
    cells = published(wave)
    assert sum(TeamTally.objects.filter(wave=wave).values_list("responses", flat=True)) == SUBMISSIONS
    participation = [cell for cell in cells if cell[1] == "participation" and cell[0] == str(teams["all"].pk)]
    assert participation and participation[0][3] == SUBMISSIONS

    # A full recount over the stored responses changes nothing; a clean run from nothing agrees.
    faults.workers[0].stop()
    call_command("aggregate", wave=str(wave.pk), full=True, stdout=io.StringIO())
    assert answer_counts(wave) == counts
    assert published(wave) == cells
    clean_started = time.perf_counter()
    assert clean_run(wave) == cells
    print(f"{len(cells)} published cells equal a clean run ({time.perf_counter() - clean_started:.1f} s)")


def test_one_link_posted_50_times_at_once_answers_once(faults, wave, teams, answers):
    token = token_of(invitations_issue(wave=wave, team=teams["team-a"], count=1)[0])
    barrier = threading.Barrier(CLIENTS)

    def client(_) -> tuple[int, str]:
        barrier.wait()
        reply = submit(faults.port, token, answers, timeout=60)
        return reply.status, reply.json()["code"] if reply.status != 201 else "stored"

    with ThreadPoolExecutor(CLIENTS) as pool:
        results = Counter(pool.map(client, range(CLIENTS)))
    print(f"\n{CLIENTS} concurrent posts of one token: {dict(results)}")
    assert results == {(201, "stored"): 1, (409, "link_used"): CLIENTS - 1}
    assert PendingResponse.objects.filter(wave=wave).count() == 1

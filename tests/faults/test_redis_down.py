"""Redis down while people answer (issue 10): PostgreSQL is the source of truth. Every submission is
still stored (201), the lost triggers are made good by the beat's sweep once Redis is back, and the
published figures are those of a clean run."""

import random
import time

from analytics.models import Publication
from survey.models import PendingResponse, Response
from survey.outage import redis_outage
from tests.faults.clients import submit
from tests.faults.conftest import WEB_WORKERS, wait_for
from tests.faults.figures import clean_run, open_wave_with_links, published, questions_of, random_answers


def test_submissions_are_stored_while_redis_is_down_and_folded_by_the_sweep_once_it_is_back(faults, survey):
    wave, tokens = open_wave_with_links(survey, "Redis", links_per_team=20)
    rng, questions = random.Random(3), questions_of(survey)
    work = [(token, random_answers(rng, questions, comments=0.2)) for token in tokens]

    # Redis up: these queue their aggregation, which no worker runs yet; the restart below loses it
    # (no persistence), as a crashed Redis would.
    assert [submit(faults.port, token, answers).status for token, answers in work[:10]] == [201] * 10
    faults.redis.stop()
    outage_started = time.monotonic()
    latencies = []
    for token, answers in work[10:]:
        started = time.perf_counter()
        reply = submit(faults.port, token, answers)
        latencies.append(time.perf_counter() - started)
        assert reply.status == 201, reply.text
    print(f"\n30 submissions with Redis down: all 201, slowest {max(latencies) * 1000:.0f} ms")
    assert max(latencies) < 10
    assert PendingResponse.objects.filter(wave=wave).count() == 40
    # The outage is logged once per web process and pause, not once per submission.
    warnings = [line for line in faults.web.output().splitlines() if "Redis unreachable" in line]
    pauses = 1 + int((time.monotonic() - outage_started) // redis_outage.pause)
    assert 1 <= len(warnings) <= WEB_WORKERS * pauses, warnings

    faults.redis.start()
    back = time.perf_counter()
    faults.worker(beat=True, PULSE_SWEEP_SECONDS="1")
    wait_for(
        lambda: (
            not PendingResponse.objects.filter(wave=wave).exists() and Publication.objects.filter(wave=wave).exists()
        ),
        90,
        "the sweep folds what waited",
    )
    print(f"Redis back: folded and published {time.perf_counter() - back:.1f} s later (worker start included)")
    assert Response.objects.filter(wave=wave).count() == 40
    faults.workers[0].stop()
    cells = published(wave)
    assert cells and cells == clean_run(wave)

"""A client that retries after a timeout (issue 10): the first request was stored but its answer
was lost on the way back; the retry with the same token is a clear 409 and nothing counts twice."""

import sys
import time

import pytest

from analytics.services.aggregation import wave_aggregate
from survey.models import Invitation, PendingResponse, Response
from survey.services.invitations import invitations_issue
from survey.services.waves import wave_close
from tests.conftest import token_of
from tests.faults.clients import submit
from tests.faults.conftest import wait_for
from tests.faults.processes import PROXY, WEB_PORTS, Process, free_port


def test_a_retry_after_a_lost_response_is_a_clear_409_and_counts_once(faults, wave, teams, answers):
    token = token_of(invitations_issue(wave=wave, team=teams["team-a"], count=1)[0])
    port = free_port(WEB_PORTS)
    command = [sys.executable, str(PROXY), str(port), f"127.0.0.1:{faults.port}", "--drop-responses"]
    env = {"PATH": faults.env["PATH"]}
    lossy = Process("lossy-network", command, env, faults.dir / "lossy-network.log", port).start()
    try:
        started = time.perf_counter()
        with pytest.raises(TimeoutError):
            submit(port, token, answers, timeout=3)
        print(f"\nfirst attempt: no answer after {time.perf_counter() - started:.1f} s")
    finally:
        lossy.stop()
    # The server did its work: the link is used and the submission waits to be folded.
    wait_for(lambda: PendingResponse.objects.filter(wave=wave).exists(), 10, "the first attempt is stored")
    assert Invitation.objects.get(wave=wave, team=teams["team-a"]).used

    retry = submit(faults.port, token, answers)
    assert retry.status == 409
    assert retry.json() == {
        "detail": "This survey link has already been used. Each link can answer once.",
        "code": "link_used",
    }
    assert PendingResponse.objects.filter(wave=wave).count() == 1
    # Closing folds the last batch whatever its size: one response, counted once.
    wave_aggregate(wave_id=wave_close(wave=wave).pk)
    assert Response.objects.filter(wave=wave).count() == 1
    assert not PendingResponse.objects.filter(wave=wave).exists()

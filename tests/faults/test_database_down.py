"""PostgreSQL out of reach (issue 10): a 503 that says to try again, nothing half-written, and the
same answers accepted once it is back. The web server reaches the test database through a proxy of
the test's own: killing the proxy cuts its open connections and refuses new ones."""

import re
import threading
import time
from html import unescape

import psycopg
from django.db import connection

from survey.models import Invitation, PendingAnswer, PendingComment, PendingResponse
from survey.services.invitations import invitations_issue
from tests.conftest import token_of
from tests.faults.clients import Phone, submit
from tests.faults.conftest import database_dsn, wait_for, waiting_on

EMAIL = "jane.doe@example.com"
FORM = [
    ("enps_recommend", "9"),
    ("adoption_tasks", "0"),
    ("adoption_tasks", "2"),
    ("fatigue_drained_end_of_day", "3"),
    ("comment_ai_help", f"Time to learn the tools. Mail me at {EMAIL}"),
]
ANSWERS_FORM = re.compile(r'<form method="post" action="/s/questions/".*?</form>', re.DOTALL)
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


def stored() -> dict[str, int]:
    """Every row a submission writes, and the links used."""
    return {
        "links used": Invitation.objects.filter(used=True).count(),
        "pending responses": PendingResponse.objects.count(),
        "pending answers": PendingAnswer.objects.count(),
        "pending comments": PendingComment.objects.count(),
    }


def kept_fields(page: str) -> list[tuple[str, str]]:
    """What the page's answers form posts (the phone adds its CSRF token)."""
    (form,) = ANSWERS_FORM.findall(page)
    return [(name, unescape(value)) for name, value in HIDDEN.findall(form) if name != "csrfmiddlewaretoken"]


def on_the_questions_page(port: int, token: str, language: str) -> Phone:
    phone = Phone(port, language)
    assert phone.get(f"/s/{token}/").status == 302
    assert phone.get("/s/questions/").status == 200
    return phone


def test_with_the_database_gone_the_api_says_503_and_the_form_keeps_the_answers(faults, wave, teams, answers):
    tokens = [token_of(link) for link in invitations_issue(wave=wave, team=teams["team-a"], count=6)]
    english = on_the_questions_page(faults.port, tokens[0], "en")
    french = on_the_questions_page(faults.port, tokens[1], "fr")
    for token in tokens[4:]:  # the web workers hold open connections, as in production
        assert submit(faults.port, token, {"enps_recommend": 7}).status == 201
    before = stored()

    faults.db_proxy.kill()
    for language, words in (("en", "not stored"), ("fr", "pas été enregistrées")):
        started = time.perf_counter()
        reply = submit(faults.port, tokens[2], answers, language=language)
        print(f"\ndatabase gone: 503 in {(time.perf_counter() - started) * 1000:.0f} ms", end="")
        assert reply.status == 503, reply.text
        assert reply.json()["code"] == "unavailable" and words in reply.json()["detail"], reply.json()
        assert reply.headers["retry-after"] == "30"
    pages = {}
    for phone, words in ((english, "Try again"), (french, "Réessayer")):
        reply = phone.post("/s/questions/", FORM)
        assert reply.status == 503 and reply.headers["retry-after"] == "30"
        assert "no-store" in reply.headers["cache-control"]
        assert words in reply.text
        pages[phone] = reply.text
    # The answers are in the page to be sent again; the comment only as it would be stored.
    kept = kept_fields(pages[english])
    assert [field for field in kept if field[0] != "comment_ai_help"] == FORM[:4]
    assert ("comment_ai_help", "Time to learn the tools. Mail me at [EMAIL]") in kept
    assert EMAIL not in pages[english] and EMAIL not in pages[french]
    assert "Vos réponses sont conservées sur cette page" in pages[french]

    faults.db_proxy.start()
    assert stored() == before  # nothing half-written, no link used up

    # The same token, and the kept page's button, now go through.
    assert submit(faults.port, tokens[2], answers).status == 201
    for phone in (english, french):
        reply = phone.post("/s/questions/", kept_fields(pages[phone]))
        assert reply.status == 200 and 'id="receipt"' in reply.text, reply.text[:500]
    after = stored()
    assert after["links used"] == before["links used"] + 3
    assert after["pending responses"] == before["pending responses"] + 3
    assert PendingComment.objects.filter(text="Time to learn the tools. Mail me at [EMAIL]").count() == 2


def test_a_database_restart_between_requests_costs_no_request(faults, wave, teams):
    tokens = [token_of(link) for link in invitations_issue(wave=wave, team=teams["team-d"], count=12)]
    for token in tokens[:6]:
        assert submit(faults.port, token, {"enps_recommend": 8}).status == 201
    # Every web worker's kept connection dies with the proxy; the database is back before the next request.
    faults.db_proxy.kill()
    faults.db_proxy.start()
    assert [submit(faults.port, token, {"enps_recommend": 8}).status for token in tokens[6:]] == [201] * 6
    assert PendingResponse.objects.count() == 12


def test_a_connection_lost_in_the_middle_of_a_submission_hands_the_link_back(faults, wave, teams, answers):
    """The link is consumed in one transaction and the answers stored in another (PRODUCT.md rule
    1): when the second fails, the first is undone."""
    token = token_of(invitations_issue(wave=wave, team=teams["team-b"], count=1)[0])
    replies = []
    with psycopg.connect(database_dsn()) as blocker:
        # The submission consumes the link, then waits to write its pending row.
        blocker.execute("LOCK TABLE survey_pendingresponse IN EXCLUSIVE MODE")
        client = threading.Thread(target=lambda: replies.append(submit(faults.port, token, answers)))
        client.start()
        wait_for(lambda: waiting_on(blocker), 30, "the submission reaches its INSERT")
        assert Invitation.objects.get(wave=wave, team=teams["team-b"]).used
        (backend,) = waiting_on(blocker)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [backend])
        client.join(30)
    (reply,) = replies
    assert reply.status == 503 and reply.json()["code"] == "unavailable", reply.text
    assert not Invitation.objects.get(wave=wave, team=teams["team-b"]).used
    assert PendingResponse.objects.count() == 0
    assert submit(faults.port, token, answers).status == 201
    assert PendingResponse.objects.count() == 1

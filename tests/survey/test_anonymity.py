"""Attacks on PRODUCT.md rule 1: nothing stored with a response identifies or orders respondents."""

import io
import logging

import pytest
from django.db import connection

from survey.models import Answer, Comment, Invitation, Response
from survey.services.submission import submission_submit
from tests.conftest import close_and_fold, token_of


def columns(table: str) -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name, data_type, column_default FROM information_schema.columns WHERE table_name = %s",
            [table],
        )
        return {name: f"{kind} {default or ''}".strip() for name, kind, default in cursor.fetchall()}


@pytest.mark.parametrize(
    ("table", "allowed"),
    [
        # `scored`: whether the answers include a scored question, derivable from survey_answer
        # (tested below to be a plain boolean, equal to what the answers say).
        ("survey_response", {"id", "wave_id", "team_id", "scored"}),
        ("survey_answer", {"response_id", "question_id", "wave_id", "team_id", "value"}),
        ("survey_comment", {"id", "wave_id", "team_id", "question_id", "text"}),
    ],
)
def test_response_tables_hold_no_identifying_or_ordering_column(db, table, allowed):
    found = columns(table)
    assert set(found) == allowed
    for name, description in found.items():
        assert "timestamp" not in description and "date" not in description, name
        assert "nextval" not in description and "identity" not in description, name  # no sequence
    assert found.get("id", "uuid").startswith("uuid")


def test_the_scored_flag_is_a_boolean_that_says_only_what_the_answers_say(db, wave, tokens, answers):
    """`survey_response.scored` adds nothing to the answers: a boolean, true exactly for the
    responses with an answer to a scored question (an empty or text-only submission is false)."""
    from tests.conftest import close_and_fold

    assert columns("survey_response")["scored"] == "boolean"
    submission_submit(token=tokens[0], answers=answers)
    submission_submit(token=tokens[1], answers={"adoption_tasks": [1], "comment_ai_help": "Nothing to add"})
    submission_submit(token=tokens[2], answers={})
    close_and_fold(wave)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT r.scored, EXISTS (SELECT 1 FROM survey_answer a JOIN survey_option o"
            " ON o.question_id = a.question_id"
            " WHERE a.response_id = r.id AND o.score IS NOT NULL) FROM survey_response r"
        )
        rows = cursor.fetchall()
    assert len(rows) == 3 and sorted(flag for flag, _ in rows) == [False, False, True]
    assert all(flag == derived for flag, derived in rows)


def test_no_response_table_references_invitations(db):
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT tc.table_name FROM information_schema.table_constraints tc
               JOIN information_schema.constraint_column_usage cu ON cu.constraint_name = tc.constraint_name
               WHERE tc.constraint_type = 'FOREIGN KEY' AND cu.table_name = 'survey_invitation'"""
        )
        assert {row[0] for row in cursor.fetchall()} == set()
    assert not any(
        field.is_relation and field.related_model.__name__ == "Response" for field in Invitation._meta.fields
    )


def xmins(table: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT xmin::text FROM {table}")
        return {row[0] for row in cursor.fetchall()}


def test_consuming_and_storing_share_no_transaction_id(transactional_db, wave, tokens, answers):
    submission_submit(token=tokens[0], answers=answers)
    close_and_fold(wave)
    invitation_xids = xmins("survey_invitation")
    for table in ("survey_response", "survey_answer", "survey_comment"):
        assert xmins(table), table
        assert not (xmins(table) & invitation_xids), table


def test_stored_rows_do_not_follow_arrival_order(transactional_db, wave, teams, answers):
    """Submissions wait until a batch reaches the mixing minimum (2k), in every mode, including
    tasks run in-process after each submission; the batch is written in random order, under fresh
    ids, with one transaction id."""
    from survey.services import submission
    from survey.services.invitations import invitations_issue

    links = invitations_issue(wave=wave, team=teams["team-a"], count=10)
    pending_ids = set()
    for index, link in enumerate(links[:9]):
        submission.submission_submit(token=token_of(link), answers={**answers, "enps_recommend": index})
        pending_ids |= {str(pk) for pk in submission.PendingResponse.objects.values_list("id", flat=True)}
    assert Response.objects.count() == 0, "9 < 2k submissions: nothing moved yet"
    submission.submission_submit(token=token_of(links[9]), answers={**answers, "enps_recommend": 9})
    with connection.cursor() as cursor:
        cursor.execute("SELECT id::text, xmin::text FROM survey_response ORDER BY ctid")
        rows = cursor.fetchall()
        cursor.execute(
            "SELECT a.value FROM survey_answer a JOIN survey_question q ON q.id = a.question_id "
            "WHERE q.code = 'enps_recommend' ORDER BY a.ctid"
        )
        physical = [value for (value,) in cursor.fetchall()]
    assert len(rows) == 10 and len(pending_ids) == 9
    assert len({xmin for _, xmin in rows}) == 1, "one batch, one transaction id"
    assert not {pk for pk, _ in rows} & pending_ids, "stored responses get fresh ids"
    assert sorted(physical) == list(range(10)) and physical != list(range(10)), "order must not replay arrival"
    assert len(xmins("survey_answer")) == 1


def test_a_batch_shares_a_random_half_of_its_ids_and_nothing_more(transactional_db, wave, teams, answers):
    """Responses moved together share the first half of their ids (which places the batch in one
    spot of the index); that half is drawn afresh for each batch, and the second half per
    response, so the ids of two batches have nothing in common and none repeats a pending id."""
    from survey.services import submission
    from survey.services.invitations import invitations_issue

    links = invitations_issue(wave=wave, team=teams["team-d"], count=20)
    batches = []
    for batch in (links[:10], links[10:]):
        before = set(Response.objects.values_list("id", flat=True))
        pending = set()
        for link in batch:
            submission.submission_submit(token=token_of(link), answers=answers)
            pending |= set(submission.PendingResponse.objects.values_list("id", flat=True))
        batches.append(set(Response.objects.values_list("id", flat=True)) - before)
        assert len(batches[-1]) == 10 and not batches[-1] & pending
    halves = [{response.hex[:16] for response in batch} for batch in batches]
    assert [len(half) for half in halves] == [1, 1] and halves[0] != halves[1]
    seconds = {response.hex[16:] for batch in batches for response in batch}
    assert len(seconds) == 20, "every response has a second half of its own"


def test_tokens_appear_in_no_log_line(client, wave, tokens, answers):
    stream = io.StringIO()
    handlers = {logging.getLogger(name).handlers[0] for name in ("django.server", "django.request")}
    previous = {handler: handler.setStream(stream) for handler in handlers}
    try:
        # A server error on a survey path is still logged (to be fixed), by the dev server here;
        # a respondent's 4xx is not logged at all (tests/survey/test_server_logs.py).
        logging.getLogger("django.server").error('"%s" %s %s', f"GET /s/{tokens[0]}/ HTTP/1.1", "500", "0")
        client.get(f"/s/{tokens[1]}x/")  # unknown: a 404
        client.post("/api/v1/submit/", {"token": tokens[2], "answers": {"x": 1}}, content_type="application/json")
        client.get(f"/s/{tokens[3]}/")
    finally:
        for handler, old_stream in previous.items():
            handler.setStream(old_stream)
    output = stream.getvalue()
    assert "/s/[redacted]/" in output
    assert "Not Found" not in output and "Bad Request" not in output
    for token in tokens:
        assert token not in output


def test_responses_and_answers_are_not_in_the_admin(admin_client):
    from django.contrib import admin

    for model in (Response, Answer, Comment, Invitation):
        assert model not in admin.site._registry

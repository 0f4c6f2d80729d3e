import pytest

from survey.models import Answer, Comment, Invitation, PendingComment, PendingResponse, Response, Wave
from tests.conftest import close_and_fold

URL = "/api/v1/submit/"


def submit(client, token, answers, **extra):
    return client.post(URL, {"token": token, "answers": answers, **extra}, content_type="application/json")


def stored_counts():
    return Response.objects.count(), Answer.objects.count(), Comment.objects.count(), PendingResponse.objects.count()


def test_accepts_a_valid_submission_and_stores_its_answers(client, tokens, answers, wave):
    response = submit(client, tokens[0], answers)
    assert response.status_code == 201, response.json()
    close_and_fold(wave)
    assert Response.objects.filter(wave=wave).count() == 1
    stored = dict(Answer.objects.values_list("question__code", "value"))
    assert stored == {
        "adoption_frequency": 6,
        "adoption_tasks": 0b10101,
        "fatigue_drained_end_of_day": 4,
        "enps_recommend": 9,
    }
    assert Comment.objects.get().text == "Clear rules, please. Mail me at [EMAIL]"


def test_the_201_body_returns_each_comment_exactly_as_stored(client, tokens, answers):
    """A kiosk or chat bot can show the person what was kept of their words (PRODUCT.md rule 8)."""
    both = {**answers, "comment_anything_else": "Nothing to hide here."}
    response = submit(client, tokens[0], both)
    assert response.status_code == 201
    body = response.json()
    assert body["comments"] == {
        "comment_ai_help": "Clear rules, please. Mail me at [EMAIL]",
        "comment_anything_else": "Nothing to hide here.",
    }
    assert set(PendingComment.objects.values_list("text", flat=True)) == set(body["comments"].values())
    assert "jane.doe" not in response.content.decode()
    skipped = submit(client, tokens[1], {"enps_recommend": 7, "comment_ai_help": ""})
    assert skipped.json()["comments"] == {}


def test_the_schema_documents_the_stored_comments(db):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    created = schema["paths"]["/api/v1/submit/"]["post"]["responses"]["201"]["content"]["application/json"]["schema"]
    submitted = schema["components"]["schemas"][created["$ref"].rsplit("/", 1)[-1]]
    assert set(submitted["required"]) == {"detail", "comments"}
    assert submitted["properties"]["comments"]["additionalProperties"] == {"type": "string"}
    assert "exactly as stored" in submitted["properties"]["comments"]["description"]


def test_a_token_works_once(client, tokens, answers):
    assert submit(client, tokens[0], answers).status_code == 201
    second = submit(client, tokens[0], answers)
    assert second.status_code == 409
    assert second.json()["code"] == "link_used"
    assert PendingResponse.objects.count() == 1


def test_unknown_token_is_404(client, tokens, answers):
    response = submit(client, "not-a-real-token", answers)
    assert response.status_code == 404
    assert response.json() == {"detail": response.json()["detail"], "code": "unknown_link"}


def test_closed_wave_is_410(client, tokens, answers, wave):
    Wave.objects.filter(pk=wave.pk).update(status=Wave.Status.CLOSED)
    response = submit(client, tokens[0], answers)
    assert response.status_code == 410
    assert response.json()["code"] == "wave_closed"


def test_expired_link_is_410(client, tokens, answers, wave):
    from django.utils import timezone

    Wave.objects.filter(pk=wave.pk).update(closes_at=timezone.now())
    assert submit(client, tokens[0], answers).json()["code"] == "link_expired"


@pytest.mark.parametrize(
    ("bad", "field", "words"),
    [
        ({"no_such_question": 1}, "no_such_question", "Unknown question"),
        ({"adoption_frequency": 99}, "adoption_frequency", "Out of range"),
        ({"adoption_frequency": "often"}, "adoption_frequency", "whole number"),
        ({"adoption_frequency": True}, "adoption_frequency", "whole number"),
        ({"adoption_tasks": [0, 42]}, "adoption_tasks", "Unknown option"),
        ({"adoption_tasks": 3}, "adoption_tasks", "list"),
        ({"comment_ai_help": 12}, "comment_ai_help", "text"),
        ({"comment_ai_help": "x" * 2001}, "comment_ai_help", "Too long"),
    ],
)
def test_bad_answers_are_named_and_consume_nothing(client, tokens, answers, bad, field, words):
    before = stored_counts()
    response = submit(client, tokens[0], {**answers, **bad})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_answers"
    assert words in body["errors"][field]
    assert stored_counts() == before
    assert not Invitation.objects.filter(used=True).exists()
    # The token still works afterwards.
    assert submit(client, tokens[0], answers).status_code == 201


def test_every_bad_field_is_reported_at_once(client, tokens):
    response = submit(client, tokens[0], {"nope": 1, "enps_recommend": 11, "adoption_frequency": "x"})
    assert set(response.json()["errors"]) == {"nope", "enps_recommend", "adoption_frequency"}


@pytest.mark.parametrize(
    "body",
    [
        {"answers": {}},
        {"token": "abc"},
        {"token": "abc", "answers": [1, 2]},
        {"token": "abc", "answers": {}, "language": "de"},
    ],
)
def test_malformed_envelopes_are_400_with_field_names(client, tokens, body):
    response = client.post(URL, body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert response.json()["errors"]


def test_not_json_is_400(client, tokens):
    response = client.post(URL, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert "detail" in response.json()


def test_everything_may_be_skipped(client, tokens, wave):
    assert (
        submit(client, tokens[0], {"adoption_frequency": None, "adoption_tasks": [], "comment_ai_help": ""}).status_code
        == 201
    )
    close_and_fold(wave)
    assert Answer.objects.count() == 0
    assert Response.objects.count() == 1


def test_messages_follow_the_requested_language(client, tokens, answers):
    assert submit(client, tokens[0], answers).status_code == 201
    english = submit(client, tokens[0], answers, language="en")
    french = submit(client, tokens[0], answers, language="fr")
    assert english.status_code == french.status_code == 409
    assert english.json()["code"] == french.json()["code"]
    assert "already" in english.json()["detail"] and "déjà" in french.json()["detail"]
    assert english.json()["detail"] != french.json()["detail"]


def test_a_failure_while_storing_hands_the_invitation_back(client, tokens, answers, monkeypatch):
    from survey.services import submission

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(submission, "_store_pending", broken)
    with pytest.raises(RuntimeError):
        submission.submission_submit(token=tokens[0], answers=answers)
    assert not Invitation.objects.filter(used=True).exists()
    assert stored_counts() == (0, 0, 0, 0)

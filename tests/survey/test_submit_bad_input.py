"""Hostile bodies on POST /api/v1/submit/: each is a small, fast 4xx in the API's error shape that
stores nothing, never a 500 or a megabyte of errors; and markup typed into a comment is only text."""

import json
import time

import pytest

from survey.models import Invitation, PendingComment
from tests.conftest import publish
from tests.survey.test_submit_api import URL, stored_counts, submit


def post_raw(client, body: bytes | str, content_type: str = "application/json"):
    # The bytes as given, whatever charset the header names (client.post would re-encode them).
    return client.generic("POST", URL, body.encode() if isinstance(body, str) else body, content_type=content_type)


def assert_refused(response, status: int, code: str, *, max_bytes: int = 1000) -> dict:
    """The status, the one error shape, a small body, and nothing stored or consumed."""
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/json"
    assert len(response.content) < max_bytes, len(response.content)
    body = response.json()
    assert body["code"] == code and body["detail"]
    assert stored_counts() == (0, 0, 0, 0)
    assert not Invitation.objects.filter(used=True).exists()
    return body


def envelope(token: str, answers: object) -> str:
    return json.dumps({"token": token, "answers": answers})


def test_a_body_over_the_limit_is_413_and_the_token_still_works(client, tokens, answers, settings):
    body = envelope(tokens[0], {**answers, "comment_ai_help": "x" * (settings.PULSE_SUBMIT_MAX_BYTES + 1)})
    assert_refused(post_raw(client, body), 413, "too_large")
    assert submit(client, tokens[0], answers).status_code == 201


def test_a_body_over_djangos_own_cap_is_413_json_not_an_html_400(client, tokens, settings):
    # 3 MB: past DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB), refused from its Content-Length without reading it.
    assert len(envelope(tokens[0], {"x": "y" * 3_000_000})) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert_refused(post_raw(client, envelope(tokens[0], {"x": "y" * 3_000_000})), 413, "too_large")


def test_the_largest_real_answer_set_fits_the_limit(client, tokens, answers, settings):
    """Two comments at the length limit, every character a surrogate pair escaped as \\uXXXX\\uXXXX."""
    longest = "😀" * (settings.PULSE_MAX_TEXT_LENGTH // 2)  # 2 UTF-16 units each: the length limit
    body = json.dumps({"token": tokens[0], "answers": {**answers, "comment_ai_help": longest}}, ensure_ascii=True)
    assert len(body) < settings.PULSE_SUBMIT_MAX_BYTES / 4
    assert post_raw(client, body).status_code in (201, 400)  # accepted or judged, never refused unread


@pytest.mark.parametrize(
    "content_type",
    [
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=xyz",
        "text/plain",
        "application/xml",
        "application/json; charset=latin-1",
        "application/json; charset=bz2_codec",
    ],
)
def test_anything_but_json_in_utf8_is_415(client, tokens, answers, content_type):
    assert_refused(post_raw(client, envelope(tokens[0], answers), content_type), 415, "unsupported_media_type")


def test_json_declared_as_utf8_is_accepted(client, tokens, answers):
    assert post_raw(client, envelope(tokens[0], answers), "application/json; charset=UTF-8").status_code == 201


@pytest.mark.parametrize(
    "raw",
    [
        b'{"token": "\xff\xfe", "answers": {}}',  # not UTF-8 at all
        b'{"token": "abc", "answers": {"comment_ai_help": "caf\xe9"}}',  # Latin-1 sent as if UTF-8
        b'{"token": "abc", "answers": {"comment_ai_help": "\xed\xa0\x80"}}',  # an encoded surrogate
    ],
)
def test_invalid_utf8_is_400(client, tokens, raw):
    assert_refused(post_raw(client, raw), 400, "invalid_encoding")


def test_a_lone_surrogate_escape_is_400_not_a_500_from_the_database(client, tokens, answers):
    body = envelope(tokens[0], {**answers, "comment_ai_help": "\ud800 broken"})
    assert "\\ud800" in body
    assert_refused(post_raw(client, body), 400, "invalid_encoding")


@pytest.mark.parametrize("depth", [5000, 9])
def test_deep_nesting_is_400(client, tokens, depth):
    # 5,000 brackets were a RecursionError (a 500); 9 levels parse, but are no answer set either.
    nested = "[" * depth + "]" * depth
    body = f'{{"token": "{tokens[0]}", "answers": {{"adoption_tasks": {nested}}}}}'
    assert_refused(post_raw(client, body), 400, "too_deep")


@pytest.mark.parametrize(
    "raw",
    [
        "{not json",
        '{"token": "a", "answers": {"enps_recommend": NaN}}',
        '{"token": "a", "answers": {"x": 1%s}}' % ("0" * 5000),
    ],
)
def test_bodies_json_cannot_read_are_400(client, tokens, raw):
    assert_refused(post_raw(client, raw), 400, "parse_error")


@pytest.mark.parametrize("keys", [100_000, 150_000])
def test_many_unknown_answer_keys_are_a_small_413_at_the_default_limit(client, tokens, keys):
    body = envelope(tokens[0], {f"q{index}": 1 for index in range(keys)})
    assert_refused(post_raw(client, body), 413, "too_large")


@pytest.mark.parametrize("keys", [100_000, 150_000])
def test_many_unknown_answer_keys_are_a_fast_small_400_even_under_a_larger_limit(client, tokens, keys, settings):
    """With the body limit raised past them, the answers are capped at the questionnaire's size before any
    is checked: 150,000 keys took 1.4-2.8 s of CPU and answered 5 MB of errors."""
    settings.PULSE_SUBMIT_MAX_BYTES = 4 * 1024 * 1024
    body = envelope(tokens[0], {f"q{index}": 1 for index in range(keys)})
    assert 256 * 1024 < len(body) < settings.PULSE_SUBMIT_MAX_BYTES
    # CPU time, not wall time: the bound is about the work a body costs, whatever else the machine runs.
    started = time.process_time()
    response = post_raw(client, body)
    elapsed = time.process_time() - started
    refused = assert_refused(response, 400, "invalid_answers", max_bytes=2000)
    assert refused["error_count"] == keys
    assert len(refused["errors"]) == 10 and all(
        message == "Unknown question code." for message in refused["errors"].values()
    )
    assert elapsed < 0.5, elapsed


def test_a_few_more_keys_than_questions_are_named_too(client, tokens, answers, survey):
    extra = {f"bogus_{index}": 1 for index in range(survey.questions.count())}
    body = assert_refused(submit(client, tokens[0], {**answers, **extra}), 400, "invalid_answers")
    assert body["error_count"] == len(extra)
    assert set(body["errors"]) <= set(extra)


def test_every_value_bad_reports_the_first_ten_and_the_count(client, tokens, survey):
    # A number for every question: out of range, or not text, or not a list.
    every = dict.fromkeys(survey.questions.values_list("code", flat=True), 12345)
    body = assert_refused(submit(client, tokens[0], every), 400, "invalid_answers")
    assert len(body["errors"]) == 10 and body["error_count"] > 10


def test_huge_echoed_values_are_cut_short(client, tokens):
    long_code = "q" * 100_000
    body = assert_refused(
        submit(client, tokens[0], {long_code: 1, "adoption_tasks": list(range(10, 20_000))}), 400, "invalid_answers"
    )
    assert len(body["errors"]) == 2 and body["error_count"] == 2
    body = assert_refused(
        submit(client, tokens[0], {"adoption_tasks": list(range(10, 20_000))}), 400, "invalid_answers", max_bytes=400
    )
    assert body["errors"]["adoption_tasks"].endswith("….")


def test_an_unknown_language_is_not_echoed(client, tokens, answers):
    body = assert_refused(submit(client, tokens[0], answers, language="x" * 100_000), 400, "invalid")
    assert "language" in body["errors"]


def test_a_nul_in_a_comment_is_400_naming_it_not_a_500_from_postgresql(client, tokens, answers):
    body = assert_refused(
        submit(client, tokens[0], {**answers, "comment_ai_help": "before\x00after"}), 400, "invalid_answers"
    )
    assert set(body["errors"]) == {"comment_ai_help"} and "null character" in body["errors"]["comment_ai_help"]
    assert submit(client, tokens[0], answers).status_code == 201


def test_a_nul_on_the_page_is_explained_not_a_500(client, tokens):
    client.get(f"/s/{tokens[0]}/")
    response = client.post("/s/questions/", {"enps_recommend": "8", "comment_ai_help": "a\x00b"})
    assert response.status_code == 400
    assert "null character" in response.content.decode()
    assert stored_counts() == (0, 0, 0, 0)


SCRIPT = '<script>alert("pwned")</script><img src=x onerror=alert(1)> Rules & tools'


def test_markup_in_a_comment_is_stored_as_text_and_escaped_on_the_receipt(client, tokens):
    client.get(f"/s/{tokens[0]}/")
    response = client.post("/s/questions/", {"enps_recommend": "8", "comment_ai_help": SCRIPT})
    page = response.content.decode()
    assert response.status_code == 200 and "Thank you, your answers were recorded." in page
    stored = PendingComment.objects.get().text
    assert "<script>" in stored  # stored as the text it is: escaping is the page's job
    assert "<script>" not in page and "<img" not in page
    assert "&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;" in page


def test_markup_in_a_comment_is_escaped_on_the_questions_page_asking_for_corrections(client, tokens):
    client.get(f"/s/{tokens[0]}/")
    response = client.post("/s/questions/", {"adoption_frequency": "99", "comment_ai_help": SCRIPT})
    assert response.status_code == 400
    assert "<script>" not in response.content.decode() and "&lt;script&gt;" in response.content.decode()


def test_markup_in_comments_is_escaped_on_hrs_comments_page(wave, teams, answers):
    from django.test import Client
    from django.urls import reverse

    from survey.models import Comment, Membership
    from survey.services.members import membership_add

    publish(wave, {teams["team-d"]: 12}, {**answers, "comment_ai_help": SCRIPT})
    assert Comment.objects.filter(text__contains="<script>").count() == 12
    hr = membership_add(organisation=wave.organisation, username="hr", role=Membership.Role.HR_ADMIN).user
    client = Client()
    client.force_login(hr)
    url = reverse("dashboard:comments", args=[wave.organisation.slug, wave.pk]) + f"?team={teams['team-d'].pk}"
    page = client.get(url).content.decode()
    assert page.count("&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;") > 0
    assert "<script>" not in page and "<img src=x" not in page


def test_the_schema_documents_every_refusal(db):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"]["/api/v1/submit/"]["post"]
    assert {"400", "404", "409", "410", "413", "415", "429"} <= set(operation["responses"])
    assert set(operation["requestBody"]["content"]) == {"application/json"}
    assert "Retry-After" in operation["responses"]["429"]["description"]

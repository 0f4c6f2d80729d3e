"""The confirmation page and the receipt (PRODUCT.md rule 8): a comment that scrubbing changed is
shown as it will be stored before anything is stored, and the receipt lists what was stored."""

import re
from html import unescape

import pytest

from survey.models import Invitation, Option, PendingAnswer, PendingComment, PendingResponse, Question
from survey.services.scrub import scrub
from survey.views import SURVEY_COOKIE
from tests.survey.conftest import form_fields

EMAIL, PHONE, NAME = "jane.doe@example.com", "+33 6 12 34 56 78", "Sophie Martin"
PII = [EMAIL, "jane.doe", PHONE, "12 34 56 78", NAME, "Sophie", "Martin"]
COMMENT = f"I told {NAME} about it. Mail me at {EMAIL} or call {PHONE} for details."
CLEAN = "More training and clearer rules, please."
ANSWERS = {
    "adoption_frequency": "5",
    "adoption_tasks": ["0", "3"],
    "enps_recommend": "8",
    "comment_ai_help": COMMENT,
    "comment_anything_else": CLEAN,
}


def start(client, token, **headers):
    assert client.get(f"/s/{token}/", **headers).status_code == 302


def post(client, data, **headers):
    return client.post("/s/questions/", data, **headers)


def page_text(response) -> str:
    return unescape(response.content.decode())


def assert_no_pii(response) -> None:
    text = page_text(response)
    for piece in PII:
        assert piece not in text, piece
    for morsel in response.cookies.values():
        assert all(piece not in morsel.value for piece in PII)


def nothing_stored() -> bool:
    return not PendingResponse.objects.exists() and not Invitation.objects.filter(used=True).exists()


def template(response) -> str:
    return response.templates[0].name


def marks(response) -> list[str]:
    return [
        unescape(re.sub(r"<[^>]+>", "", mark)) for mark in re.findall(r"<mark>(.*?)</mark>", response.content.decode())
    ]


@pytest.fixture
def confirmation(client, tokens):
    start(client, tokens[0])
    return post(client, ANSWERS)


def test_a_comment_with_personal_data_is_shown_as_stored_and_nothing_is_stored_yet(confirmation, settings):
    assert confirmation.status_code == 200 and template(confirmation) == "survey/confirm.html"
    assert "no-store" in confirmation["Cache-Control"]
    assert nothing_stored()
    assert_no_pii(confirmation)
    assert settings.SESSION_COOKIE_NAME not in confirmation.cookies
    expected = scrub(COMMENT, "en").text
    fields = form_fields(confirmation)
    assert fields["comment_ai_help"] == [expected], "editable, prefilled with the scrubbed text"
    assert expected in page_text(confirmation)
    assert sorted(marks(confirmation)) == [
        "[EMAIL] (e-mail address removed)",
        "[NAME] (name removed)",
        "[PHONE] (phone number removed)",
    ]
    # The other answers ride along as they were given; the clean comment is not on show.
    assert fields["adoption_frequency"] == ["5"] and fields["adoption_tasks"] == ["0", "3"]
    assert fields["enps_recommend"] == ["8"] and fields["comment_anything_else"] == [CLEAN]
    assert fields["review"] == ["comment_ai_help"]
    assert f'type="hidden" name="comment_anything_else" value="{CLEAN}"' in confirmation.content.decode()


def test_confirming_stores_the_comment_exactly_as_shown_and_shows_the_receipt(client, confirmation):
    shown = form_fields(confirmation, "confirm")
    receipt = post(client, shown)
    assert receipt.status_code == 200 and template(receipt) == "survey/receipt.html"
    assert "no-store" in receipt["Cache-Control"]
    assert set(PendingComment.objects.values_list("text", flat=True)) == {shown["comment_ai_help"][0], CLEAN}
    assert shown["comment_ai_help"][0] == scrub(COMMENT, "en").text
    values = dict(PendingAnswer.objects.values_list("question__code", "value"))
    assert values == {"adoption_frequency": 5, "adoption_tasks": 0b1001, "enps_recommend": 8}
    assert Invitation.objects.filter(used=True).count() == 1
    assert shown["comment_ai_help"][0] in page_text(receipt)
    assert_no_pii(receipt)
    assert receipt.cookies[SURVEY_COOKIE].value == "", "the link leaves the browser"


def test_an_edit_is_scrubbed_again_and_shown_again_until_confirmed(client, confirmation):
    edited = post(
        client,
        form_fields(confirmation, "edit", comment_ai_help="Better, but ask bob.smith@example.org about it."),
    )
    assert template(edited) == "survey/confirm.html" and nothing_stored()
    assert "bob.smith" not in page_text(edited)
    assert marks(edited) == ["[EMAIL] (e-mail address removed)"]
    assert "exactly as they would now be stored" in page_text(edited)
    # Nothing left to remove: the page still shows the edit, as it will be stored, before storing it.
    checked = post(client, form_fields(edited, "edit", comment_ai_help="Nothing personal left in here."))
    assert template(checked) == "survey/confirm.html" and nothing_stored()
    assert marks(checked) == [] and form_fields(checked)["comment_ai_help"] == ["Nothing personal left in here."]
    receipt = post(client, form_fields(checked, "confirm"))
    assert template(receipt) == "survey/receipt.html"
    assert set(PendingComment.objects.values_list("text", flat=True)) == {"Nothing personal left in here.", CLEAN}


def test_an_edit_sent_with_store_as_shown_is_shown_first(client, confirmation):
    """ "Store as shown" stores what the page showed; a text changed since is shown before it is stored."""
    again = post(client, form_fields(confirmation, "confirm", comment_ai_help="Shorter, and no details."))
    assert template(again) == "survey/confirm.html" and nothing_stored()
    assert form_fields(again)["comment_ai_help"] == ["Shorter, and no details."]
    receipt = post(client, form_fields(again, "confirm"))
    assert template(receipt) == "survey/receipt.html"
    assert PendingComment.objects.filter(text="Shorter, and no details.").exists()


def test_line_breaks_sent_as_a_browser_sends_them_are_not_an_edit(client, confirmation):
    two_lines = post(client, form_fields(confirmation, "edit", comment_ai_help="First line.\nSecond line."))
    assert template(two_lines) == "survey/confirm.html"
    # A browser posts a textarea's line breaks as CRLF, whatever the page held.
    receipt = post(client, form_fields(two_lines, "confirm", comment_ai_help="First line.\r\nSecond line."))
    assert template(receipt) == "survey/receipt.html"


def test_a_comment_the_scrubber_leaves_alone_skips_the_confirmation(client, tokens):
    assert not scrub(CLEAN, "en").changed
    start(client, tokens[0])
    receipt = post(client, {**ANSWERS, "comment_ai_help": "Time to learn the tools at work."})
    assert template(receipt) == "survey/receipt.html"
    assert set(PendingComment.objects.values_list("text", flat=True)) == {"Time to learn the tools at work.", CLEAN}


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("adoption_frequency", "42", "Out of range"),
        ("adoption_tasks", "99", "Unknown option(s): 99"),
        ("enps_recommend", "eight", "Expected a whole number"),
        ("comment_anything_else", "x" * 2001, "Too long"),
    ],
)
def test_a_tampered_hidden_field_gets_the_normal_400_and_stores_nothing(client, confirmation, field, value, words):
    refused = post(client, form_fields(confirmation, "confirm", **{field: value}))
    assert refused.status_code == 400 and template(refused) == "survey/questions.html"
    assert words in page_text(refused)
    assert nothing_stored()
    assert_no_pii(refused)
    # The page asking for corrections holds the comment as it would be stored, never as typed.
    assert scrub(COMMENT, "en").text in page_text(refused)


def test_personal_data_slipped_into_a_hidden_field_is_scrubbed_and_shown_not_stored(client, confirmation):
    tampered = post(client, form_fields(confirmation, "confirm", comment_anything_else=f"Write to {EMAIL}"))
    assert template(tampered) == "survey/confirm.html" and nothing_stored()
    assert_no_pii(tampered)
    assert form_fields(tampered)["review"] == ["comment_ai_help", "comment_anything_else"]


@pytest.mark.parametrize("field", ["shown-comment_ai_help", "review"])
def test_a_tampered_page_field_only_brings_the_page_again(client, confirmation, field):
    """The digest of the shown text and the list of comments on show decide only whether the page
    comes again: whatever they say, what is stored is scrubbed and was shown."""
    again = post(client, form_fields(confirmation, "confirm", **{field: "comment_nope"}))
    assert template(again) == "survey/confirm.html" and nothing_stored()
    assert_no_pii(again)
    receipt = post(client, form_fields(again, "confirm"))
    assert template(receipt) == "survey/receipt.html"
    assert set(PendingComment.objects.values_list("text", flat=True)) == {scrub(COMMENT, "en").text, CLEAN}


def test_a_page_asking_for_corrections_never_echoes_what_was_typed(client, tokens):
    start(client, tokens[0])
    refused = post(client, {**ANSWERS, "adoption_frequency": "42"})
    assert refused.status_code == 400 and nothing_stored()
    assert_no_pii(refused)
    assert form_fields(refused)["comment_ai_help"] == [scrub(COMMENT, "en").text]
    assert form_fields(refused)["comment_anything_else"] == [CLEAN]
    assert "were removed from this comment" in page_text(refused)


def test_a_reload_or_a_replay_of_the_storing_post_stores_nothing_more(client, confirmation):
    shown = form_fields(confirmation, "confirm")
    cookie = client.cookies[SURVEY_COOKIE].value
    assert template(post(client, shown)) == "survey/receipt.html"
    reload = post(client, shown)  # the receipt's response took the link's cookie away
    assert reload.status_code == 404 and template(reload) == "survey/error.html"
    client.cookies[SURVEY_COOKIE] = cookie  # a copy of the form and its cookie, replayed
    replay = post(client, shown)
    assert replay.status_code == 410 and "already been used" in page_text(replay)
    assert PendingResponse.objects.count() == 1 and PendingComment.objects.count() == 2


def label(code: str, value: int, language: str) -> str:
    return getattr(Option.objects.get(question__code=code, value=value), f"label_{language}")


@pytest.mark.parametrize(
    ("language", "statement"),
    [
        ("en", "No time is stored with your answers, not even the day."),
        ("fr", "Aucune heure n’est conservée avec vos réponses, pas même le jour."),
    ],
)
def test_the_receipt_lists_what_was_stored_in_words(client, tokens, language, statement):
    headers = {"HTTP_ACCEPT_LANGUAGE": language}
    start(client, tokens[0], **headers)
    page = post(client, ANSWERS, **headers)
    receipt = post(client, form_fields(page, "confirm"), **headers)
    assert template(receipt) == "survey/receipt.html"
    text = page_text(receipt)
    assert f'lang="{language}"' in text
    ticked = [label("adoption_tasks", value, language) for value in (0, 3)]
    listed = re.findall(r"<li>([^<]*)</li>", text)
    assert [item for item in listed if item in ticked] == ticked, "each ticked option, in order"
    assert label("adoption_tasks", 1, language) not in text, "not an option left unticked"
    assert f'<p class="receipt-answer">{label("adoption_frequency", 5, language)}</p>' in text
    assert '<p class="receipt-answer">8</p>' in text
    assert scrub(COMMENT, language).text in text and CLEAN in text
    answered = ["adoption_frequency", "adoption_tasks", "enps_recommend", "comment_ai_help", "comment_anything_else"]
    for question in Question.objects.filter(survey__code="ai-at-work-pulse", survey__organisation=None):
        question_text = getattr(question, f"text_{language}")
        assert (question_text in text) is (question.code in answered), question.code
    assert "team-a" in text and "Autumn" in text
    assert statement in text
    assert_no_pii(receipt)


def test_an_error_report_about_the_page_holds_no_comment(client, tokens, monkeypatch):
    """Were storing to fail, the report Django writes (for mail or the DEBUG page) masks the POST."""
    import sys

    from django.core.signals import got_request_exception
    from django.views.debug import ExceptionReporter

    def broken(**kwargs):
        raise RuntimeError("disk full")

    reports = []

    def report(sender, request, **kwargs):
        reporter = ExceptionReporter(request, *sys.exc_info())
        reports.extend([reporter.get_traceback_text(), reporter.get_traceback_html()])

    monkeypatch.setattr("survey.views.submission_store", broken)
    got_request_exception.connect(report)
    client.raise_request_exception = False
    try:
        start(client, tokens[0])
        page = post(client, {**ANSWERS, "comment_anything_else": f"{CLEAN} Call {PHONE}."})
        assert post(client, form_fields(page, "confirm")).status_code == 500
    finally:
        got_request_exception.disconnect(report)
    assert len(reports) == 2 and all("disk full" in text for text in reports)
    assert "comment_ai_help" in reports[0], "the POST section is there, its values masked"
    for text in reports:
        for piece in [*PII, CLEAN]:
            assert piece not in unescape(text), piece

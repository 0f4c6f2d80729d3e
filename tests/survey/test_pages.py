import importlib
import sys
import time

import pytest
from django.core import signing

from survey.models import Answer, Invitation, Response, Wave
from survey.views import SURVEY_COOKIE, SURVEY_COOKIE_SALT
from tests.conftest import close_and_fold


def start(client, token):
    return client.get(f"/s/{token}/")


def test_link_redirects_to_a_welcome_page_that_says_what_is_stored(client, tokens):
    response = start(client, tokens[0])
    assert response.status_code == 302 and response["Location"] == "/s/"
    page = client.get("/s/")
    assert page.status_code == 200
    assert tokens[0] not in page.content.decode()
    assert "Never stored" in page.content.decode()
    assert "at least 5 people" in page.content.decode()
    assert page["Referrer-Policy"] == "same-origin"


def test_answering_on_the_page_records_and_shows_a_receipt(client, tokens, wave):
    start(client, tokens[0])
    assert client.get("/s/questions/").status_code == 200
    response = client.post(
        "/s/questions/", {"adoption_frequency": "5", "adoption_tasks": ["0", "3"], "enps_recommend": "8"}
    )
    assert response.status_code == 200
    assert "Thank you, your answers were recorded." in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    close_and_fold(wave)
    assert Response.objects.filter(wave=wave).count() == 1
    assert Answer.objects.get(question__code="adoption_tasks").value == 0b1001
    # The cookie no longer holds the link: going back cannot answer again.
    assert client.get("/s/questions/").status_code == 404


def test_a_bad_value_on_the_page_is_explained_and_changes_nothing(client, tokens):
    start(client, tokens[0])
    response = client.post("/s/questions/", {"adoption_frequency": "42"})
    assert response.status_code == 400
    assert "Out of range" in response.content.decode()
    assert Response.objects.count() == 0
    assert not Invitation.objects.filter(used=True).exists()


@pytest.mark.parametrize(
    ("setup", "status", "words"),
    [
        ("unknown", 404, "not valid"),
        ("used", 410, "already been used"),
        ("closed", 410, "closed"),
        ("draft", 404, "not opened yet"),
    ],
)
def test_links_that_cannot_answer_get_a_friendly_page(client, tokens, wave, answers, setup, status, words):
    from survey.services.submission import submission_submit

    token = tokens[0]
    if setup == "unknown":
        token = "nope"
    elif setup == "used":
        submission_submit(token=token, answers=answers)
    else:
        Wave.objects.filter(pk=wave.pk).update(status=setup)
    response = start(client, token)
    assert response.status_code == status
    assert words in response.content.decode()
    assert "Traceback" not in response.content.decode()


def test_french_from_the_browser_and_from_the_switch(client, tokens):
    start(client, tokens[0])
    french = client.get("/s/questions/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")
    text = french.content.decode()
    assert 'lang="fr"' in text
    assert "Envoyer mes réponses" in text
    assert "à quelle fréquence utilisez-vous" in text
    client.post("/i18n/setlang/", {"language": "en", "next": "/s/"})
    english = client.get("/s/questions/", HTTP_ACCEPT_LANGUAGE="fr-FR")
    assert "Send my answers" in english.content.decode()


def test_open_team_links_warn_about_duplicates(client, wave, teams):
    from survey.services.invitations import invitations_issue
    from tests.conftest import token_of

    Wave.objects.filter(pk=wave.pk).update(allow_open_links=True)
    wave.refresh_from_db()
    token = token_of(invitations_issue(wave=wave, team=teams["team-b"], count=1, reusable=True)[0])
    start(client, token)
    assert "cannot stop someone from answering twice" in client.get("/s/").content.decode()
    for _ in range(2):
        start(client, token)
        assert client.post("/s/questions/", {"enps_recommend": "7"}).status_code == 200
    close_and_fold(wave)
    assert Response.objects.filter(team=teams["team-b"]).count() == 2


def test_the_link_lives_in_a_short_lived_cookie_sent_to_the_survey_pages_only(client, tokens, settings):
    response = start(client, tokens[0])
    cookie = response.cookies[SURVEY_COOKIE]
    assert cookie["max-age"] == 2 * 60 * 60
    assert cookie["path"] == "/s/"
    assert cookie["httponly"] is True and cookie["samesite"] == "Lax"
    assert not cookie["secure"], "plain HTTP outside production"
    assert tokens[0] not in response["Location"]
    assert settings.SESSION_COOKIE_NAME not in response.cookies, "HR's session is left alone"
    settings.PULSE_SURVEY_COOKIE_SECONDS = 600
    assert start(client, tokens[1]).cookies[SURVEY_COOKIE]["max-age"] == 600


def test_the_cookie_is_secure_under_production_settings(client, tokens, settings, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "production-like-" + "x" * 40)
    monkeypatch.setenv("ALLOWED_HOSTS", "pulse.example.org")
    monkeypatch.delitem(sys.modules, "config.settings.production", raising=False)
    production = importlib.import_module("config.settings.production")
    settings.PULSE_SURVEY_COOKIE_SECURE = production.PULSE_SURVEY_COOKIE_SECURE
    assert start(client, tokens[0]).cookies[SURVEY_COOKIE]["secure"] is True


def assert_cookie_deleted(response) -> None:
    cookie = response.cookies[SURVEY_COOKIE]
    assert cookie.value == "" and cookie["max-age"] == 0 and cookie["path"] == "/s/"


def test_the_cookie_is_deleted_by_a_successful_submission(client, tokens):
    start(client, tokens[0])
    invalid = client.post("/s/questions/", {"adoption_frequency": "42"})
    assert invalid.status_code == 400 and SURVEY_COOKIE not in invalid.cookies, "kept to correct the answer"
    response = client.post("/s/questions/", {"enps_recommend": "8"})
    assert response.status_code == 200 and response.templates[0].name == "survey/receipt.html"
    assert_cookie_deleted(response)


@pytest.mark.parametrize("setup", ["used", "closed"])
def test_the_cookie_is_deleted_when_the_link_turns_out_used_or_closed(client, tokens, wave, answers, setup):
    from survey.services.submission import submission_submit

    start(client, tokens[0])
    if setup == "used":  # e.g. answered from another device meanwhile
        submission_submit(token=tokens[0], answers=answers)
    else:
        Wave.objects.filter(pk=wave.pk).update(status=setup)
    response = client.get("/s/questions/")
    assert response.status_code == 410
    assert_cookie_deleted(response)


def signed(token: str, *, age: int = 0, salt: str = SURVEY_COOKIE_SALT) -> str:
    """A cookie value as the server would sign it, `age` seconds ago."""
    signer = signing.get_cookie_signer(salt=SURVEY_COOKIE + salt)
    signer.timestamp = lambda: signing.b62_encode(int(time.time()) - age)
    return signer.sign(token)


def test_only_a_fresh_cookie_signed_by_the_server_opens_the_survey(client, tokens, settings):
    unknown = start(client, "not-a-link")
    fresh = signed(tokens[0])
    refused = {
        "older than its max age": signed(tokens[0], age=settings.PULSE_SURVEY_COOKIE_SECONDS + 60),
        "another link under this signature": tokens[1] + fresh[len(tokens[0]) :],
        "unsigned": tokens[0],
        "signed for something else": signed(tokens[0], salt="another.salt"),
    }
    for case, value in refused.items():
        client.cookies[SURVEY_COOKIE] = value
        for response in (client.get("/s/"), client.post("/s/questions/", {"enps_recommend": "8"})):
            assert response.status_code == unknown.status_code == 404, case
            assert response.context["error"].code == unknown.context["error"].code, case
            assert "not valid" in response.content.decode(), case
    assert not Response.objects.exists() and not Invitation.objects.filter(used=True).exists()
    client.cookies[SURVEY_COOKIE] = fresh
    assert client.get("/s/questions/").status_code == 200


def test_the_welcome_page_shows_the_teams_frozen_headcount_and_links_issued(client, tokens, teams):
    # HR padding team-a with links would show here; raising its headcount after opening does not.
    teams["team-a"].headcount = 99
    teams["team-a"].save()
    start(client, tokens[0])
    page = client.get("/s/").content.decode()
    assert "counted 10 people" in page and "5 links have gone to it" in page

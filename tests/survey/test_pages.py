import pytest

from survey.models import Answer, Invitation, Response, Wave
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
    assert response.status_code == 302 and response["Location"] == "/s/thanks/"
    close_and_fold(wave)
    assert Response.objects.filter(wave=wave).count() == 1
    assert Answer.objects.get(question__code="adoption_tasks").value == 0b1001
    assert client.get("/s/thanks/").status_code == 200
    # The session no longer holds the link: going back cannot answer again.
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
        assert client.post("/s/questions/", {"enps_recommend": "7"}).status_code == 302
    close_and_fold(wave)
    assert Response.objects.filter(team=teams["team-b"]).count() == 2

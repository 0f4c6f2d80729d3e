"""Answers the survey in a real browser: Debian's chromium, driven by Playwright, on a phone."""

import pytest

from survey.models import PendingAnswer, PendingResponse
from survey.services.invitations import invitations_issue
from tests.conftest import axe_violations


@pytest.mark.browser
def test_answer_in_french_on_a_phone(browser, live_server, wave, teams, settings, tmp_path):
    settings.PULSE_PUBLIC_URL = live_server.url
    link = invitations_issue(wave=wave, team=teams["team-a"], count=1)[0]
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="fr-FR", is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.goto(link.url)
    assert page.url.endswith("/s/")
    assert "Ce qui est conservé" in page.content() or "conserv" in page.content()
    assert axe_violations(page) == [], "welcome page"
    page.get_by_role("link", name="Commencer").click()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, "no horizontal scrolling on a phone"
    question = page.get_by_role("group", name="à quelle fréquence utilisez-vous")
    question.get_by_label("Plusieurs fois par jour").check()
    page.get_by_role("group", name="recommandiez").get_by_label("9", exact=True).check()
    page.get_by_role("textbox").first.fill("Des règles claires, svp.")
    assert axe_violations(page) == [], "questions page"
    page.screenshot(path=tmp_path / "questions.png", full_page=False)
    page.get_by_role("button", name="Envoyer mes réponses").click()
    page.wait_for_url("**/s/thanks/")
    assert "Merci" in page.get_by_role("heading", level=1).inner_text()
    assert axe_violations(page) == [], "receipt page"
    page.goto(f"{live_server.url}/s/privacy/")
    assert axe_violations(page) == [], "privacy page"
    assert PendingResponse.objects.filter(wave=wave).count() == 1  # waits for a mixing batch of 2k
    assert PendingAnswer.objects.get(question__code="enps_recommend").value == 9
    context.close()

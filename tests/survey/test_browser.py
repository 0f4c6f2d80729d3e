"""Answers the survey in a real browser: Debian's chromium, driven by Playwright, on a phone. Every
page is checked by axe-core and for Content-Security-Policy violations."""

import pytest

from survey.models import PendingAnswer, PendingComment, PendingResponse
from survey.services.invitations import invitations_issue
from survey.services.scrub import scrub
from tests.conftest import CspWatch, axe_violations


def phone_page_at_link(browser, live_server, wave, team, settings):
    """A French phone's browser tab that has just opened a new single-use link of `team`, and the
    watch on its CSP violations."""
    settings.PULSE_PUBLIC_URL = live_server.url
    link = invitations_issue(wave=wave, team=team, count=1)[0]
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="fr-FR", is_mobile=True, has_touch=True
    )
    csp = CspWatch(context)
    page = context.new_page()
    page.goto(link.url)
    return page, csp


@pytest.mark.browser
def test_answer_in_french_on_a_phone(browser, live_server, wave, teams, settings, tmp_path):
    page, csp = phone_page_at_link(browser, live_server, wave, teams["team-a"], settings)
    assert page.url.endswith("/s/")
    assert "Ce qui est conservé" in page.content() or "conserv" in page.content()
    assert axe_violations(page) == [], "welcome page"
    csp.assert_none(page, "welcome page")
    page.get_by_role("link", name="Commencer").click()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, "no horizontal scrolling on a phone"
    question = page.get_by_role("group", name="à quelle fréquence utilisez-vous")
    question.get_by_label("Plusieurs fois par jour").check()
    page.get_by_role("group", name="recommandiez").get_by_label("9", exact=True).check()
    page.get_by_role("textbox").first.fill("Des règles claires, svp.")
    assert axe_violations(page) == [], "questions page"
    csp.assert_none(page, "questions page")
    page.screenshot(path=tmp_path / "questions.png", full_page=False)
    page.get_by_role("button", name="Envoyer mes réponses").click()
    # A comment the scrubber leaves alone goes straight to the receipt.
    page.get_by_role("heading", name="Ce qui a été enregistré").wait_for()
    assert "Merci" in page.get_by_role("heading", level=1).inner_text()
    assert axe_violations(page) == [], "receipt page"
    csp.assert_none(page, "receipt page")
    page.goto(f"{live_server.url}/s/privacy/")
    assert axe_violations(page) == [], "privacy page"
    csp.assert_none(page, "privacy page")
    assert PendingResponse.objects.filter(wave=wave).count() == 1  # waits for a mixing batch of 2k
    assert PendingAnswer.objects.get(question__code="enps_recommend").value == 9
    page.context.close()


@pytest.mark.browser
def test_confirm_a_scrubbed_comment_then_read_the_receipt_on_a_phone(
    browser, live_server, wave, teams, settings, tmp_path
):
    """In French: a comment with an e-mail address and a name meets the confirmation page, with
    the removed parts marked; an edit is scrubbed again; the receipt lists what was stored."""
    page, csp = phone_page_at_link(browser, live_server, wave, teams["team-a"], settings)
    page.get_by_role("link", name="Commencer").click()
    page.get_by_role("group", name="à quelle fréquence utilisez-vous").get_by_label("Plusieurs fois par jour").check()
    tasks = page.get_by_role("group", name="Pour quelles tâches")
    tasks.get_by_label("Traduire").check()
    tasks.get_by_label("Écrire ou relire du code").check()
    typed = "J’en ai parlé à Sophie Martin, écrivez-moi à sophie.martin@example.com pour en discuter."
    page.get_by_role("textbox").first.fill(typed)
    # A comment the scrubber leaves alone rides along in a hidden field, line break included.
    page.get_by_role("textbox").nth(1).fill("Plus de formation.\nEt du temps pour apprendre.")
    page.get_by_role("button", name="Envoyer mes réponses").click()

    page.get_by_role("heading", name="Vérifiez vos commentaires avant leur enregistrement").wait_for()
    marks = page.locator("mark").all_inner_texts()
    assert sorted(marks) == ["[EMAIL] (adresse e-mail retirée)", "[NAME] (nom retiré)"], marks
    assert "Sophie" not in page.content() and "sophie.martin" not in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, "no horizontal scrolling on a phone"
    assert axe_violations(page) == [], "confirmation page"
    csp.assert_none(page, "confirmation page")
    page.screenshot(path=tmp_path / "confirm.png", full_page=True)
    assert not PendingResponse.objects.exists(), "nothing stored before confirming"

    comment = page.get_by_role("textbox", name="Modifiez-le si vous le souhaitez")
    assert (
        comment.input_value()
        == scrub(typed, "fr").text
        == "J’en ai parlé à [NAME], écrivez-moi à [EMAIL] pour en discuter."
    )
    comment.fill("J’en ai parlé à [NAME]. Sinon, appelez le 06 12 34 56 78.")
    page.get_by_role("button", name="Vérifier mes modifications").click()
    page.get_by_text("exactement tels qu’ils seraient maintenant enregistrés").wait_for()
    assert page.locator("mark").all_inner_texts() == ["[PHONE] (numéro de téléphone retiré)"]
    assert "06 12 34 56 78" not in page.content()
    assert axe_violations(page) == [], "confirmation page, again"
    csp.assert_none(page, "confirmation page, again")

    page.get_by_role("button", name="Enregistrer tel quel").click()
    page.get_by_role("heading", name="Ce qui a été enregistré").wait_for()
    receipt = page.locator("main").inner_text()
    assert "Plusieurs fois par jour" in receipt
    assert "Traduire" in receipt and "Écrire ou relire du code" in receipt and "Résumer des documents" not in receipt
    assert "J’en ai parlé à [NAME]. Sinon, appelez le [PHONE]." in receipt
    assert "team-a" in receipt and wave.name in receipt and "pas même le jour" in receipt
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert axe_violations(page) == [], "receipt page"
    csp.assert_none(page, "receipt page")
    page.screenshot(path=tmp_path / "receipt.png", full_page=True)
    stored = {text.replace("\r\n", "\n") for text in PendingComment.objects.values_list("text", flat=True)}
    assert stored == {
        "J’en ai parlé à [NAME]. Sinon, appelez le [PHONE].",
        "Plus de formation.\nEt du temps pour apprendre.",
    }
    # Reloading the receipt: the link is gone from the browser, nothing more is stored.
    page.once("dialog", lambda dialog: dialog.accept())
    page.reload()
    assert "lien" in page.get_by_role("heading", level=1).inner_text()
    assert PendingResponse.objects.count() == 1
    csp.assert_none(page, "the last page")
    page.context.close()

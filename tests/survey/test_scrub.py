import pytest

from survey.services.scrub import scrub


@pytest.mark.parametrize(
    ("text", "gone", "kept"),
    [
        ("Write to jane.doe@corp.example.com please", "jane.doe", "[e-mail]"),
        ("Call me on +33 6 12 34 56 78", "12 34", "[phone]"),
        ("Appelez le 06.12.34.56.78 svp", "06.12", "[phone]"),
        ("My name is Jane and I am tired", "Jane", "[name]"),
        ("Je m'appelle Jean-Pierre Martin, merci", "Jean-Pierre", "[name]"),
        ("I asked Paul Martin about it", "Paul Martin", "[name]"),
        ("See https://intranet.example.com/x", "intranet", "[link]"),
    ],
)
def test_scrub_removes_personal_data(text, gone, kept):
    cleaned = scrub(text)
    assert gone not in cleaned
    assert kept in cleaned


def test_scrub_keeps_ordinary_text():
    assert scrub("AI helps me write 3 reports a week.") == "AI helps me write 3 reports a week."

import pytest

from survey.services.scrub import scrub


@pytest.mark.parametrize(
    ("text", "gone", "kept"),
    [
        ("Write to jane.doe@corp.example.com please", "jane.doe", "[EMAIL]"),
        ("Call me on +33 6 12 34 56 78", "12 34", "[PHONE]"),
        ("Appelez le 06.12.34.56.78 svp", "06.12", "[PHONE]"),
        ("My name is Jane and I am tired", "Jane", "[NAME]"),
        ("Je m'appelle Jean-Pierre Martin, merci", "Jean-Pierre", "[NAME]"),
        ("I asked Paul Martin about it", "Paul Martin", "[NAME]"),
        ("See https://intranet.example.com/x", "intranet", "[URL]"),
    ],
)
def test_scrub_removes_personal_data(text, gone, kept):
    cleaned = scrub(text).text
    assert gone not in cleaned
    assert kept in cleaned


def test_scrub_keeps_ordinary_text():
    assert scrub("AI helps me write 3 reports a week.").text == "AI helps me write 3 reports a week."

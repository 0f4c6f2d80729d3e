"""Exported text never starts a formula (OWASP "CSV Injection"): the helper and the links CSV."""

import csv
import io

import pytest
from django.core.management import call_command

from survey.models import Team
from survey.spreadsheet import spreadsheet_cell


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+1+1", "'+1+1"),
        ("-oops", "'-oops"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Sales / =x", "Sales / =x"),
        ("", ""),
        (-3.5, -3.5),
        (-2, -2),
        (None, None),
        (True, True),
    ],
)
def test_only_text_that_would_start_a_formula_is_changed(value, written):
    assert spreadsheet_cell(value) == written


def test_issue_links_csv_neutralises_a_team_slug(wave, teams):
    Team.objects.filter(pk=teams["team-a"].pk).update(slug="-oops")
    out = io.StringIO()
    call_command("issue_links", "--team=-oops", wave=str(wave.pk), count=2, stdout=out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [row["team"] for row in rows] == ["'-oops", "'-oops"]
    assert all(row["url"].startswith("http") for row in rows)

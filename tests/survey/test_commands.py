import csv
import io
import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from survey.models import Invitation, Membership, Organisation, Response, Team, Wave


def test_issue_links_prints_csv_of_working_single_use_links(client, wave, teams):
    out = io.StringIO()
    call_command("issue_links", wave=str(wave.pk), team="team-a", count=3, stdout=out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert len(rows) == 3 and {row["team"] for row in rows} == {"team-a"}
    assert Invitation.objects.filter(wave=wave, team=teams["team-a"]).count() == 3
    token = rows[0]["url"].rstrip("/").rsplit("/", 1)[-1]
    assert not Invitation.objects.filter(token_hash=token).exists(), "only the hash is stored"
    assert client.get(f"/s/{token}/").status_code == 302


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"wave": "nope", "team": "team-a"}, "No wave"),
        ({"team": "ghost"}, "No team"),
        ({"team": "team-a", "count": 0}, "count"),
    ],
)
def test_issue_links_rejects_bad_input(wave, options, message):
    with pytest.raises(CommandError, match=message):
        call_command("issue_links", **{"wave": str(wave.pk), **options}, stdout=io.StringIO())


def test_load_demo_builds_three_levels_and_is_safe_to_run_twice(db):
    for _ in range(2):
        out = io.StringIO()
        call_command("load_demo", responses=400, seed=3, stdout=out)
    organisation = Organisation.objects.get(slug="demo")
    assert Wave.objects.filter(organisation=organisation).count() == 2
    teams = Team.objects.filter(organisation=organisation)
    assert 35 <= teams.count() <= 45
    assert teams.filter(parent__parent__parent__isnull=True, parent__parent__isnull=False).count() >= 30
    assert teams.filter(headcount__lt=5, children__isnull=True).exists(), "some deliberately small teams"
    assert Response.objects.filter(wave__organisation=organisation).count() == 400  # exactly what was asked
    assert "password" in out.getvalue() and "/s/" in out.getvalue()
    # Both sign-ins the demo prints work, with the roles it says.
    roles = dict(Membership.objects.filter(organisation=organisation).values_list("user__username", "role"))
    assert roles == {"hr": Membership.Role.HR_ADMIN, "manager": Membership.Role.MANAGER}
    assert Membership.objects.get(user__username="manager").team.slug == "engineering"
    for username in roles:
        assert f"user {username}, password pulse-demo" in out.getvalue()
        assert get_user_model().objects.get(username=username).check_password("pulse-demo")
        assert not get_user_model().objects.get(username=username).is_superuser
    # The README's API-key example names the demo's organisation, so it works as printed.
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert set(re.findall(r"create_api_key --org (\S+)", readme)) == {organisation.slug}


def test_load_demo_refuses_more_than_the_demo_organisation_holds(db):
    """Asked for more than its headcounts allow, load_demo says so instead of silently stopping."""
    from survey.demo import demo_max_responses

    most = demo_max_responses(seed=3)
    with pytest.raises(CommandError, match=f"at most {most:,} responses"):
        call_command("load_demo", responses=100_000, seed=3, stdout=io.StringIO())
    assert not Organisation.objects.filter(slug="demo").exists()  # nothing half-loaded
    call_command("load_demo", responses=most, seed=3, stdout=io.StringIO())
    assert Response.objects.filter(wave__organisation__slug="demo").count() == most

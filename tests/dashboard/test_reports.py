"""Trends, drivers, comments and the print-ready report: scoped, validated, and equal to the published cells."""

import uuid

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from analytics.cells import HEATMAPS
from analytics.models import DriverResult, PublishedCell
from survey.models import Wave
from tests.conftest import publish
from tests.dashboard.conftest import signed_in
from tests.dashboard.test_overview import marked

WAVE_PAGES = ("overview", "drivers", "comments", "print")


def wave_url(name: str, wave: Wave) -> str:
    return reverse(f"dashboard:{name}", args=[wave.organisation.slug, wave.pk])


def trends_url(organisation, **params) -> str:
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return reverse("dashboard:trends", args=[organisation.slug]) + (f"?{query}" if query else "")


@pytest.fixture
def drivers(published_wave, teams) -> list[DriverResult]:
    """Driver rows as the fit would publish them, for the organisation and both departments."""
    rows = []
    for team, n in ((teams["all"], 120), (teams["dept"], 60), (teams["other"], 40)):
        for outcome, coefficients in (
            ("fatigue", {"intensification": 0.42, "job_fear": -0.51, "enablement": 0.08}),
            ("enps", {"enablement": 0.37, "fatigue": -0.12}),
        ):
            for driver, coefficient in coefficients.items():
                rows.append(
                    DriverResult.objects.create(
                        wave=published_wave,
                        team=team,
                        outcome=outcome,
                        driver=driver,
                        coefficient=coefficient,
                        r2=0.31,
                        n=n,
                    )
                )
    return rows


@pytest.fixture
def second_wave(published_wave, organisation, survey, teams, answers) -> Wave:
    """A later wave of the same survey, where team-a has too few answers to show."""
    later = Wave.objects.create(organisation=organisation, survey=survey, name="Spring", status=Wave.Status.OPEN)
    later.opens_at = timezone.now() - timezone.timedelta(days=2)
    later.save(update_fields=["opens_at"])
    return publish(later, {teams["team-a"]: 3, teams["team-b"]: 6, teams["team-d"]: 6}, answers)


# Scoping on every page ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", WAVE_PAGES)
def test_a_manager_never_sees_team_d_on_any_page(manager, published_wave, drivers, teams, name):
    response = signed_in(manager).get(wave_url(name, published_wave))
    assert response.status_code == 200
    for hidden in ("team-d", "other", "all"):
        assert str(teams[hidden].pk).encode() not in response.content
    assert b"team-d" not in response.content
    assert b">other<" not in response.content


def test_a_manager_never_sees_team_d_in_trends(manager, published_wave, teams):
    response = signed_in(manager).get(trends_url(published_wave.organisation))
    assert response.status_code == 200
    assert response.context["team"] == teams["dept"]
    assert str(teams["team-d"].pk).encode() not in response.content
    assert b"team-d" not in response.content
    response = signed_in(manager).get(trends_url(published_wave.organisation, team=teams["team-d"].pk))
    assert response.status_code == 404
    response = signed_in(manager).get(trends_url(published_wave.organisation, team=teams["all"].pk))
    assert response.status_code == 404


@pytest.mark.parametrize("name", WAVE_PAGES)
def test_a_stranger_gets_404_on_every_wave_page(stranger, published_wave, name):
    assert signed_in(stranger).get(wave_url(name, published_wave)).status_code == 404


def test_a_stranger_gets_404_on_the_trends_page(stranger, published_wave, teams):
    assert signed_in(stranger).get(trends_url(published_wave.organisation)).status_code == 404
    # Their own organisation's trends, asked for a team of acme: no such team for them.
    response = signed_in(stranger).get(reverse("dashboard:trends", args=["globex"]) + f"?team={teams['team-a'].pk}")
    assert response.status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, published_wave):
    for name in WAVE_PAGES:
        response = client.get(wave_url(name, published_wave))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("dashboard:login"))


# Trends ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "message"),
    [({"team": "not-a-uuid"}, b"The team must be a team id"), ({"survey": "42"}, b"The survey must be a survey id")],
)
def test_bad_trend_parameters_are_a_400_with_a_message(hr_admin, published_wave, params, message):
    response = signed_in(hr_admin).get(trends_url(published_wave.organisation, **params))
    assert response.status_code == 400
    assert message in response.content


def test_an_unknown_survey_is_a_404(hr_admin, published_wave):
    response = signed_in(hr_admin).get(trends_url(published_wave.organisation, survey=uuid.uuid4()))
    assert response.status_code == 404


def test_trends_are_the_published_cells_of_each_wave(hr_admin, second_wave, published_wave, teams):
    client = signed_in(hr_admin)
    checked = 0
    for slug in ("all", "team-a", "team-d"):
        response = client.get(trends_url(published_wave.organisation, team=teams[slug].pk))
        assert response.status_code == 200
        for line in response.context["series"]:
            code = line["dimension"].code
            assert [point["wave"] for point in line["points"]] == [published_wave, second_wave]
            chart = response.context["charts"][f"trend-{code}"]
            for point, value in zip(line["points"], chart["values"], strict=True):
                cell = PublishedCell.objects.filter(
                    wave=point["wave"], team=teams[slug], kind="dimension", code=code
                ).first()
                expected = cell.score if cell and not cell.suppressed else None
                assert point["score"] == value == expected
                checked += 1
    assert checked > 0
    response = client.get(trends_url(published_wave.organisation, team=teams["team-a"].pk))
    assert b"fewer than 5 answers" in response.content  # Spring's team-a: a gap with its reason


def test_the_team_picker_lists_only_the_managers_teams(manager, published_wave, teams):
    response = signed_in(manager).get(trends_url(published_wave.organisation))
    options = [attributes["value"] for attributes, _ in marked(response, "value") if "name" not in attributes]
    teams_listed = {value for value in options if value in {str(team.pk) for team in teams.values()}}
    assert teams_listed == {str(teams[slug].pk) for slug in ("dept", "team-a", "team-b", "team-c")}
    assert b'<label for="trend-team">' in response.content


# Drivers -----------------------------------------------------------------------------------------


def test_drivers_are_ranked_by_size_and_say_how_many_people(hr_admin, published_wave, drivers, teams):
    response = signed_in(hr_admin).get(wave_url("drivers", published_wave))
    assert response.status_code == 200
    groups = response.context["groups"]
    assert [(group["team"].slug, group["outcome"]) for group in groups] == [
        ("all", "fatigue"),
        ("all", "enps"),
        ("dept", "fatigue"),
        ("dept", "enps"),
        ("other", "fatigue"),
        ("other", "enps"),
    ]
    fatigue = groups[0]
    assert [row["result"].driver for row in fatigue["results"]] == ["job_fear", "intensification", "enablement"]
    assert b"Based on 120 people in Acme." in response.content
    assert b"Correlations, not proof of cause." in response.content
    published = {
        (d.team_id, d.outcome, d.driver): d.coefficient for d in DriverResult.objects.filter(wave=published_wave)
    }
    checked = 0
    for group in groups:
        chart = response.context["charts"][group["key"]]
        for row, value in zip(group["results"], chart["values"], strict=True):
            assert published[(group["team"].pk, group["outcome"], row["result"].driver)] == value
            checked += 1
    assert checked == len(published)


def test_a_manager_sees_only_their_departments_drivers(manager, published_wave, drivers, teams):
    response = signed_in(manager).get(wave_url("drivers", published_wave))
    assert {group["team"] for group in response.context["groups"]} == {teams["dept"]}
    assert b"Based on 60 people in dept." in response.content


def test_without_drivers_in_scope_the_page_says_why(manager, published_wave, teams):
    DriverResult.objects.create(
        wave=published_wave, team=teams["all"], outcome="fatigue", driver="job_fear", coefficient=0.3, r2=0.2, n=90
    )
    response = signed_in(manager).get(wave_url("drivers", published_wave))
    assert response.status_code == 200
    assert b"drivers need at least 30 people in the pooled group" in response.content
    assert b"0.3" not in response.content


# Comments ----------------------------------------------------------------------------------------


def test_comments_show_published_figures_and_exactly_the_released_comments(hr_admin, manager, published_wave, teams):
    checked = 0
    for user, slug in ((hr_admin, "all"), (manager, "dept")):
        response = signed_in(user).get(wave_url("comments", published_wave))
        assert response.status_code == 200
        cells = PublishedCell.objects.filter(wave=published_wave, team=teams[slug], kind="comments")
        assert cells.exists()
        shown = [int(attributes["data-n"]) for attributes, _ in marked(response, "data-n")]
        assert shown == [cell.n for cell in cells if not cell.suppressed]
        for cell in cells.filter(suppressed=False):
            assert sum(cell.distribution["sentiment"].values()) == sum(cell.distribution["themes"].values()) == cell.n
            checked += 1
        # The list holds the comments the shown cells count, scrubbed, and nothing else.
        assert response.content.count(b"<li lang=") == sum(shown)
        assert b"Mail me at [EMAIL]" in response.content and b"jane.doe" not in response.content
        if cells.filter(suppressed=True).exists():
            assert b"fewer than 10 answers" in response.content
    assert checked > 0


def test_comments_of_a_hidden_cell_are_not_listed(hr_admin, published_wave, teams):
    cell = PublishedCell.objects.get(wave=published_wave, team=teams["team-a"], kind="comments", code="comment_ai_help")
    assert cell.suppressed  # 6 comments, below k_comments = 10
    response = signed_in(hr_admin).get(wave_url("comments", published_wave) + f"?team={teams['team-a'].pk}")
    assert response.status_code == 200
    assert b"<li lang=" not in response.content and b"data-sentiment" not in response.content


@pytest.mark.parametrize(("team", "status"), [("nope", 400), ("00000000-0000-0000-0000-000000000000", 404)])
def test_comments_refuse_a_bad_or_foreign_team(hr_admin, published_wave, team, status):
    assert signed_in(hr_admin).get(wave_url("comments", published_wave) + f"?team={team}").status_code == status


# Print -------------------------------------------------------------------------------------------


def test_the_report_tables_are_the_published_cells(hr_admin, published_wave, drivers, teams):
    response = signed_in(hr_admin).get(wave_url("print", published_wave))
    assert response.status_code == 200
    assert b"data-print" in response.content
    cells = {
        (cell.team_id, cell.kind, cell.code): cell
        for cell in PublishedCell.objects.filter(wave=published_wave, kind__in=["dimension", "participation"])
    }
    checked = 0
    for heatmap in response.context["heatmaps"]:
        assert [value["code"] for value in heatmap["rows"][0]["values"]] == list(HEATMAPS[heatmap["heatmap"]])
        for row in heatmap["rows"]:
            for value in row["values"]:
                cell = cells.get((row["team"].pk, "dimension", value["code"]))
                if cell is None or cell.suppressed:
                    assert value["suppressed"] and value["why"]
                else:
                    assert (value["score"], value["n"]) == (cell.score, cell.n)
                    checked += 1
    assert checked > 0
    # What the page prints is what the context held: one rendered score per shown heatmap cell.
    printed = [attributes for attributes, _ in marked(response, "data-code") if "data-score" in attributes]
    assert len(printed) == checked
    for row in response.context["table"]:
        cell = cells[(row["team"].pk, "participation", "participation")]
        assert (row["n"], row["score"], row["suppressed"]) == (cell.n, cell.score, cell.suppressed)
    assert len(response.context["table"]) == 7
    assert [row["result"].coefficient for group in response.context["groups"] for row in group["results"]]


def test_the_report_in_french(hr_admin, published_wave):
    client = signed_in(hr_admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    response = client.get(wave_url("print", published_wave))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Imprimer" in text
    assert "Participation par équipe" in text
    assert "moins de 5 réponses" in text

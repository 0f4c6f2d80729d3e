"""Issue 7: an HR admin who issues links, decides when each goes out, closes waves and edits the
tree attacks one employee, through the API and commands as an attacker would.

Each attack is run twice, the victim answering differently; the attack fails when everything the
server publishes is identical in both runs: nothing published depends on the victim's answer.
"""

import csv
import io

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from analytics.models import DriverResult, OrganisationAPIKey
from tests.api.conftest import client_with, new_key
from tests.conftest import make_tree

FIGURES = ("team_slug", "kind", "code", "n", "score", "favourable_pct", "delta_org", "suppressed", "reason")


class HR:
    """An HR admin with an admin API key, who also answers links they keep for themselves."""

    def __init__(self, organisation, survey) -> None:
        self.api = client_with(new_key(organisation, OrganisationAPIKey.Scope.ADMIN))
        self.survey = survey
        self.respondent = APIClient()

    def team(self, slug: str, parent, headcount: int) -> str:
        body = {"slug": slug, "name": slug, "parent": str(parent.pk), "headcount": headcount}
        response = self.api.post("/api/v1/teams/", body, format="json")
        assert response.status_code == 201, response.json()
        return response.json()["id"]

    def open_wave(self, **extra) -> str:
        body = {"name": "Pulse", "survey": str(self.survey.pk), "k_min": 5, "k_comments": 10, **extra}
        wave = self.api.post("/api/v1/waves/", body, format="json").json()["id"]
        assert self.api.post(f"/api/v1/waves/{wave}/open/").status_code == 200
        return wave

    def links(self, wave: str, team, count: int):
        team_id = team if isinstance(team, str) else str(team.pk)
        return self.api.post(f"/api/v1/waves/{wave}/links/", {"team": team_id, "count": count}, format="json")

    def tokens(self, wave: str, team, count: int) -> list[str]:
        response = self.links(wave, team, count)
        assert response.status_code == 201, response.json()
        return [url.rstrip("/").rsplit("/", 1)[-1] for url in response.json()["links"]]

    def answer(self, token: str, answers: dict) -> int:
        body = {"token": token, "answers": answers}
        return self.respondent.post("/api/v1/submit/", body, format="json").status_code

    def answer_all(self, tokens: list[str], answers: dict) -> None:
        assert {self.answer(token, answers) for token in tokens} == {201}

    def close(self, wave: str) -> None:
        assert self.api.post(f"/api/v1/waves/{wave}/close/").status_code == 200

    def figures(self, wave: str) -> list[tuple]:
        """Everything published for the wave, as the CSV export gives it, minus ids."""
        response = self.api.get("/api/v1/cells/", {"wave": wave, "format": "csv"})
        rows = csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode()))
        return sorted(tuple(row[column] for column in FIGURES) for row in rows)


def outcome_for_two_victims(attack, survey) -> list[list[tuple]]:
    figures = []
    for value in (1, 5):
        organisation, teams = make_tree(f"victim-{value}", {"dept": {"big": 30, "peer": 20}, "other": {"far": 20}})
        figures.append(attack(HR(organisation, survey), teams, value))
    assert any(row[-2] == "False" for row in figures[0]), "something is published"
    return figures


def test_padding_links_are_capped_by_the_headcount_frozen_when_the_wave_opened(db, survey):
    organisation, teams = make_tree("padding", {"dept": {"big": 30}})
    hr = HR(organisation, survey)
    solo = hr.team("solo", teams["dept"], headcount=1)
    wave = hr.open_wave()
    refused = hr.links(wave, solo, 5)
    assert refused.status_code == 409 and refused.json()["code"] == "headcount_reached"
    assert len(hr.tokens(wave, solo, 1)) == 1
    # Raising the headcount, or adding a team, after the wave opened changes nothing for this wave.
    assert hr.api.patch(f"/api/v1/teams/{solo}/", {"headcount": 50}, format="json").status_code == 200
    assert hr.links(wave, solo, 1).json()["code"] == "headcount_reached"
    late = hr.team("late", teams["dept"], headcount=40)
    assert hr.links(wave, late, 5).status_code == 400
    # Nor does issuing to the parent: the department's 31 seats bound its whole subtree.
    hr.tokens(wave, teams["big"], 30)
    assert hr.links(wave, teams["dept"], 1).json()["code"] == "headcount_reached"


def test_empty_submissions_do_not_make_one_answer_publishable(db, survey):
    def attack(hr, teams, value):
        solo = hr.team("solo", teams["dept"], headcount=5)  # HR claims 5 people in the victim's team
        wave = hr.open_wave()
        hr.answer_all(hr.tokens(wave, teams["big"], 10), {"enps_recommend": 8})  # published first
        *empty, victim = hr.tokens(wave, solo, 5)
        hr.answer_all(empty, {})  # four submissions that answer nothing
        hr.answer_all([victim], {"enps_recommend": value, "fatigue_hard_to_focus": value})
        hr.answer_all(hr.tokens(wave, teams["peer"], 10), {"enps_recommend": 8})  # a batch that mixes them
        hr.close(wave)
        return hr.figures(wave)

    first, second = outcome_for_two_victims(attack, survey)
    assert first == second


def test_open_team_link_is_capped_by_the_headcount(db, survey):
    organisation, teams = make_tree("open", {"dept": {"tiny": 3}})
    hr = HR(organisation, survey)
    wave = hr.open_wave(allow_open_links=True)
    out = io.StringIO()
    call_command("issue_links", wave=wave, team="tiny", open=True, stdout=out)
    token = out.getvalue().strip().splitlines()[-1].rsplit("/", 2)[-2]
    assert [hr.answer(token, {"enps_recommend": 9}) for _ in range(4)] == [201, 201, 201, 409]


def test_closing_does_not_release_a_lone_late_answer(db, survey):
    def attack(hr, teams, value):
        wave = hr.open_wave()
        hr.answer_all(hr.tokens(wave, teams["big"], 10), {"enps_recommend": 8})  # released: a batch of 2k
        [victim] = hr.tokens(wave, teams["big"], 1)  # sent last, to the target alone
        hr.answer_all([victim], {"enps_recommend": value})
        hr.close(wave)  # closing used to let the last answer out, alone
        return hr.figures(wave)

    first, second = outcome_for_two_victims(attack, survey)
    assert first == second


def test_a_question_only_the_victim_answered_in_a_batch_does_not_move(db, survey):
    def attack(hr, teams, value):
        wave = hr.open_wave()
        hr.answer_all(hr.tokens(wave, teams["big"], 10), {"enps_recommend": 8, "job_fear_two_years": 3})
        *others, victim = hr.tokens(wave, teams["big"], 10)
        hr.answer_all(others, {"enps_recommend": 8})  # 9 colleagues skip the question
        hr.answer_all([victim], {"enps_recommend": 8, "job_fear_two_years": value})
        hr.close(wave)
        return hr.figures(wave)

    first, second = outcome_for_two_victims(attack, survey)
    assert first == second


def test_moving_teams_after_closing_changes_no_figure_of_the_wave(db, survey):
    organisation, teams = make_tree("moving", {"dept": {"big": 30, "peer": 20}, "other": {"far": 20}})
    hr = HR(organisation, survey)
    wave = hr.open_wave()
    hr.answer_all(hr.tokens(wave, teams["big"], 10), {"enps_recommend": 8})
    hr.answer_all(hr.tokens(wave, teams["peer"], 10), {"enps_recommend": 2})
    hr.close(wave)
    before = hr.figures(wave)
    # Move `peer` under `other` and recompute everything, as an operator would.
    moved = hr.api.patch(f"/api/v1/teams/{teams['peer'].pk}/", {"parent": str(teams["other"].pk)}, format="json")
    assert moved.status_code == 200
    call_command("aggregate", wave=wave, full=True, stdout=io.StringIO())
    assert hr.figures(wave) == before


def test_drivers_go_through_complementary_suppression(db, survey):
    """The organisation's fit and a department's fit differing by a single person are never both shown."""
    import random

    from analytics.services.aggregation import wave_aggregate
    from survey.models import Wave
    from tests.analytics.helpers import respond

    organisation, teams = make_tree("drivers", {"dept": {"big": 60}, "other": {"solo": 1}})
    wave = Wave.objects.create(organisation=organisation, survey=survey, name="D", status=Wave.Status.OPEN)
    rng = random.Random(2)
    codes = ["fatigue_hard_to_focus", "intens_more_volume", "enable_training", "job_fear_two_years"]
    people = [{code: rng.randint(1, 5) for code in codes} | {"adoption_routine": rng.randint(1, 5)} for _ in range(40)]
    people = [person | {"shadow_hide_from_colleagues": rng.randint(1, 5)} for person in people]
    respond(wave, teams["big"], [person | {"enps_recommend": rng.randint(0, 10)} for person in people])
    respond(wave, teams["solo"], [people[0] | {"enps_recommend": 3}])
    Wave.objects.filter(pk=wave.pk).update(status=Wave.Status.CLOSED)
    wave_aggregate(wave_id=wave.pk)
    fitted = set(DriverResult.objects.filter(wave=wave).values_list("team__slug", flat=True))
    assert fitted == {"all"}, "dept's fit (40) and the organisation's (41) would differ by one person"


@pytest.mark.parametrize("count", [0, -1, 100_001])
def test_bad_link_counts_change_nothing(db, survey, count):
    organisation, teams = make_tree(f"bad{abs(count)}", {"dept": {"big": 30}})
    hr = HR(organisation, survey)
    wave = hr.open_wave()
    assert hr.links(wave, teams["big"], count).status_code == 400
    assert len(hr.tokens(wave, teams["big"], 30)) == 30

"""The wave overview: participation per team, answers per day, days left, links, release rule."""

import uuid
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from analytics.models import PublishedCell, PublishedDay, TeamTally
from analytics.services.aggregation import wave_aggregate
from analytics.services.publication import wave_publish
from survey.models import Invitation, Wave
from tests.analytics.helpers import respond
from tests.conftest import close_and_fold
from tests.dashboard.conftest import signed_in


class Marked(HTMLParser):
    """The elements of a page that carry a given data attribute: (attributes, text) pairs."""

    def __init__(self, attribute: str) -> None:
        super().__init__()
        self.attribute, self.found, self.open = attribute, [], []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if self.attribute in attributes:
            self.found.append([attributes, ""])
            self.open.append((tag, len(self.found) - 1))
        elif self.open:
            self.open.append((tag, None))

    def handle_endtag(self, tag):
        if self.open:
            self.open.pop()

    def handle_data(self, data):
        for _, index in self.open:
            if index is not None:
                self.found[index][1] += data


def marked(response, attribute: str) -> list[tuple[dict, str]]:
    parser = Marked(attribute)
    parser.feed(response.content.decode())
    return [(attributes, " ".join(text.split())) for attributes, text in parser.found]


def overview_url(wave: Wave) -> str:
    return reverse("dashboard:overview", args=[wave.organisation.slug, wave.pk])


def figure(response, name: str) -> str:
    return next(text for attributes, text in marked(response, "data-figure") if attributes["data-figure"] == name)


def participation_cells(wave: Wave) -> dict:
    return {cell.team_id: cell for cell in PublishedCell.objects.filter(wave=wave, kind="participation")}


def test_participation_rows_are_the_published_cells_in_the_frozen_tree_order(hr_admin, published_wave, teams):
    response = signed_in(hr_admin).get(overview_url(published_wave))
    assert response.status_code == 200
    cells = participation_cells(published_wave)
    rows = marked(response, "data-team")
    order = [attributes["data-team"] for attributes, _ in rows]
    slugs = ["all", "dept", "team-a", "team-b", "team-c", "other", "team-d"]
    assert order == [str(teams[slug].pk) for slug in slugs]
    checked = 0
    for attributes, text in rows:
        cell = cells[teams[slugs[order.index(attributes["data-team"])]].pk]
        if cell.suppressed:
            assert "fewer than 5 answers" in text
            assert cell.n is None
        else:
            assert text.split()[1] == str(cell.n)  # team name, n, score %
            assert f"{cell.score:.1f} %" in text
            checked += 1
    assert checked == 6  # team-c is below k=5
    chart = response.context["charts"]["participation"]
    assert chart["values"] == [cells[teams[slug].pk].score for slug in slugs]
    assert chart["target"] == 70


def test_per_day_answers_add_up_to_the_published_participation_of_the_root(hr_admin, wave, teams, answers):
    respond(wave, teams["team-a"], [answers] * 6)
    respond(wave, teams["team-b"], [answers] * 6)
    wave_aggregate(wave_id=wave.pk)
    root_n = PublishedCell.objects.get(wave=wave, team=teams["all"], kind="participation").n
    assert root_n
    yesterday = timezone.localdate() - timezone.timedelta(days=1)
    PublishedDay.objects.filter(wave=wave).update(day=yesterday)  # as if published yesterday
    respond(wave, teams["team-d"], [answers] * 7)
    close_and_fold(wave)
    wave_aggregate(wave_id=wave.pk)  # the same day again: still one row per team and day
    root = PublishedCell.objects.get(wave=wave, team=teams["all"], kind="participation")
    assert root.n > root_n
    response = signed_in(hr_admin).get(overview_url(wave))
    added = [int(attributes["data-added"]) for attributes, _ in marked(response, "data-added")]
    assert added == [root_n, root.n - root_n]
    assert sum(added) == root.n
    assert [day.day for day in response.context["days"]] == [yesterday, timezone.localdate()]
    assert b"not when people gave them" in response.content


def test_publishing_twice_a_day_keeps_one_row_per_team(published_wave, teams):
    before = list(PublishedDay.objects.filter(wave=published_wave).values_list("team_id", "day", "n"))
    wave_publish(wave=published_wave, force=True)
    after = list(PublishedDay.objects.filter(wave=published_wave).values_list("team_id", "day", "n"))
    assert sorted(before) == sorted(after)
    shown = PublishedCell.objects.filter(wave=published_wave, kind="participation", suppressed=False)
    assert {(team, n) for team, _, n in after} == set(shown.values_list("team_id", "n"))
    assert teams["team-c"].pk not in {team for team, _, _ in after}  # hidden cells write no day


def test_links_are_counts_and_used_links_are_the_published_answers(hr_admin, manager, published_wave, teams):
    response = signed_in(hr_admin).get(overview_url(published_wave))
    issued = Invitation.objects.filter(wave=published_wave, reusable=False).count()
    assert figure(response, "links-issued") == str(issued) and issued == 21
    root = PublishedCell.objects.get(wave=published_wave, team=teams["all"], kind="participation")
    assert figure(response, "answers-published") == str(root.n)
    response = signed_in(manager).get(overview_url(published_wave))
    in_dept = Invitation.objects.filter(
        wave=published_wave, team__in=[teams[t] for t in ("team-a", "team-b", "team-c")]
    )
    assert figure(response, "links-issued") == str(in_dept.count()) == "14"
    dept = PublishedCell.objects.get(wave=published_wave, team=teams["dept"], kind="participation")
    assert figure(response, "answers-published") == str(dept.n)


def test_the_release_rule_counts_waiting_teams_in_the_viewers_scope_only(hr_admin, manager, published_wave, teams):
    waiting = TeamTally.objects.filter(wave=published_wave, responses__gt=F("released"))
    assert set(waiting.values_list("team__slug", flat=True)) == {"team-c", "team-d"}
    assert figure(signed_in(hr_admin).get(overview_url(published_wave)), "teams-waiting") == "2"
    response = signed_in(manager).get(overview_url(published_wave))
    assert figure(response, "teams-waiting") == "1"
    assert b"team waiting for more answers before its figures move" in response.content


@pytest.mark.parametrize(
    ("closes_in", "expected"),
    [(timezone.timedelta(days=3, hours=1), "3 days left"), (None, "No closing date")],
)
def test_days_left_while_the_wave_is_open(hr_admin, wave, closes_in, expected):
    wave.opens_at = timezone.now() - timezone.timedelta(days=1)
    wave.closes_at = timezone.now() + closes_in if closes_in else None
    wave.save()
    response = signed_in(hr_admin).get(overview_url(wave))
    assert response.status_code == 200
    assert figure(response, "days-left") == expected


def test_days_left_says_when_a_closed_wave_closed(hr_admin, published_wave):
    response = signed_in(hr_admin).get(overview_url(published_wave))
    assert figure(response, "days-left").startswith("Closed on ")


def test_a_manager_sees_their_department_only(manager, published_wave, teams):
    response = signed_in(manager).get(overview_url(published_wave))
    assert response.status_code == 200
    shown = [attributes["data-team"] for attributes, _ in marked(response, "data-team")]
    assert shown == [str(teams[slug].pk) for slug in ("dept", "team-a", "team-b", "team-c")]
    for hidden in ("team-d", "other", "all"):
        assert str(teams[hidden].pk).encode() not in response.content
    assert b"team-d" not in response.content


def test_a_stranger_and_unknown_waves_get_404(stranger, hr_admin, published_wave):
    assert signed_in(stranger).get(overview_url(published_wave)).status_code == 404
    own = reverse("dashboard:overview", args=["globex", published_wave.pk])
    assert signed_in(stranger).get(own).status_code == 404  # acme's wave under globex's slug
    unknown = reverse("dashboard:overview", args=[published_wave.organisation.slug, uuid.uuid4()])
    assert signed_in(hr_admin).get(unknown).status_code == 404
    assert signed_in(hr_admin).get(f"/hr/{published_wave.organisation.slug}/w/not-a-uuid/").status_code == 404


def test_a_draft_wave_has_no_figures_yet(hr_admin, organisation, survey):
    draft = Wave.objects.create(organisation=organisation, survey=survey, name="Next")
    response = signed_in(hr_admin).get(overview_url(draft))
    assert response.status_code == 200
    assert b"No figures yet" in response.content


def test_the_overview_in_french(hr_admin, published_wave):
    client = signed_in(hr_admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    response = client.get(overview_url(published_wave))
    assert response.status_code == 200
    assert b'lang="fr"' in response.content
    text = response.content.decode()
    assert "Participation par équipe" in text
    assert "moins de 5 réponses" in text
    assert "40,0 %" in text  # the root: 18 answers of 45 people, with a French decimal comma
    assert figure(response, "days-left").startswith("Clôturée le ")

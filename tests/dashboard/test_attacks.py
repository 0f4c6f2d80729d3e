"""Attacks on the HR pages: a manager reaching beyond their subtree, another organisation's HR
admin, and an HR admin of the organisation after more than the published cells say."""

import pytest
from django.test import Client
from django.urls import reverse

from analytics.models import PublishedCell
from survey.models import Invitation, Survey, Team, Wave
from tests.dashboard.conftest import PASSWORD, signed_in

XSS_TEAM = "<img src=x onerror=alert(1)>"
XSS_WAVE = '"><script>alert(2)</script>'


def wave_pages(wave) -> list[str]:
    slug, pk = wave.organisation.slug, wave.pk
    return [
        reverse("dashboard:overview", args=[slug, pk]),
        reverse("dashboard:heatmap", args=[slug, pk, "adoption"]),
        reverse("dashboard:heatmap", args=[slug, pk, "wellbeing"]),
        reverse("dashboard:drivers", args=[slug, pk]),
        reverse("dashboard:comments", args=[slug, pk]),
        reverse("dashboard:print", args=[slug, pk]),
        reverse("dashboard:trends", args=[slug]),
        reverse("dashboard:waves", args=[slug]),
        reverse("dashboard:wave-links", args=[slug, pk]),
    ]


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example/"])
def test_sign_in_refuses_an_open_redirect(hr_admin, target):
    page = Client().get(reverse("dashboard:login"), {"next": target}).content.decode()
    assert '<input type="hidden" name="next" value="">' in page  # the form does not carry it on
    response = Client().post(
        reverse("dashboard:login") + "?next=" + target, {"username": "alice", "password": PASSWORD, "next": target}
    )
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


def test_names_typed_by_hr_never_become_markup(hr_admin, published_wave, teams):
    Team.objects.filter(pk=teams["team-a"].pk).update(name=XSS_TEAM)
    Wave.objects.filter(pk=published_wave.pk).update(name=XSS_WAVE)
    client = signed_in(hr_admin)
    checked = 0
    for url in wave_pages(published_wave):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert XSS_TEAM not in body and "<img src=x" not in body, url
        assert XSS_WAVE not in body and "<script>alert(2)" not in body, url
        checked += 1
    assert checked > 0


def test_hidden_cell_drill_down_shows_no_numbers(hr_admin, published_wave, teams):
    cell = PublishedCell.objects.get(wave=published_wave, team=teams["team-c"], kind="dimension", code="adoption")
    assert cell.suppressed
    url = reverse("dashboard:cell", args=["acme", published_wave.pk, teams["team-c"].pk, "adoption"])
    body = signed_in(hr_admin).get(url).content.decode()
    assert "data-figure" not in body and "distribution" not in body and "data-value" not in body


def test_read_pages_take_no_writes(hr_admin, published_wave):
    client = signed_in(hr_admin)
    client.handler.enforce_csrf_checks = False
    checked = 0
    for url in wave_pages(published_wave)[:7]:
        for method in ("post", "put", "patch", "delete"):
            status = getattr(client, method)(url).status_code
            assert status == 405, (method, url, status)
            checked += 1
    assert checked > 0


@pytest.mark.parametrize(
    "params",
    [{"team": "../../etc"}, {"survey": "1 OR 1=1"}, {"team": "00000000-0000-0000-0000-000000000000"}],
)
def test_trend_parameters_never_500(hr_admin, published_wave, params):
    status = signed_in(hr_admin).get(reverse("dashboard:trends", args=["acme"]), params).status_code
    assert status in (400, 404)


def test_trends_of_another_organisations_team_or_survey_are_404(hr_admin, published_wave, stranger):
    globex = Team.objects.get(organisation__slug="globex", slug="north")
    foreign_wave = Wave.objects.get(organisation__slug="globex")
    client = signed_in(hr_admin)
    url = reverse("dashboard:trends", args=["acme"])
    assert client.get(url, {"team": str(globex.pk)}).status_code == 404
    other = Survey.objects.create(
        organisation=foreign_wave.organisation, code="globex-only", name_en="Globex only", name_fr="Globex seul"
    )
    assert client.get(url, {"survey": str(other.pk)}).status_code == 404


def test_a_manager_reads_no_days_of_a_hidden_team(manager, published_wave, teams):
    PublishedCell.objects.filter(wave=published_wave, team=teams["dept"], kind="participation").update(
        suppressed=True, reason="complementary", n=None, score=None
    )
    response = signed_in(manager).get(reverse("dashboard:overview", args=["acme", published_wave.pk]))
    body = response.content.decode()
    assert 'id="days-table"' not in body and "data-total" not in body
    assert "data-n=" not in body.split('id="participation-table"')[1].split("</tr>")[1]


def test_the_open_link_of_another_organisations_team_is_refused(hr_admin, organisation, survey, teams, stranger):
    from survey.services.waves import wave_open

    wave = Wave.objects.create(organisation=organisation, survey=survey, name="Links", allow_open_links=True)
    wave = wave_open(wave=wave)
    globex = Team.objects.get(organisation__slug="globex", slug="north")
    url = reverse("dashboard:wave-open-link", args=["acme", wave.pk])
    response = signed_in(hr_admin).post(url, {"open-team": str(globex.pk)})
    assert response.status_code == 400
    assert not Invitation.objects.filter(wave=wave).exists()

"""Every HR page, chart, download and form, for the three people of the scoping rule: an HR admin
sees everything in their organisation, a manager only their subtree and nothing to manage, a
stranger (another organisation's HR admin) nothing at all. 404 or 403, never data, never a 500.

The routes come from the URLconf itself, so a page added later is checked without an edit here."""

import re

import pytest
from django.urls import URLPattern, reverse

from analytics.dashboard import urls as dashboard_urls
from tests.dashboard.conftest import signed_in

ORGANISATION_ROUTES = [
    pattern
    for pattern in dashboard_urls.urlpatterns
    if isinstance(pattern, URLPattern) and "organisation" in pattern.pattern.converters
]


def route_url(pattern: URLPattern, wave, team) -> str:
    values = {"organisation": wave.organisation.slug, "wave": wave.pk, "team": team.pk}
    values |= {"heatmap": "adoption", "code": "adoption"}
    return reverse(f"dashboard:{pattern.name}", kwargs={name: values[name] for name in pattern.pattern.converters})


def manages(pattern: URLPattern) -> bool:
    view = pattern.callback
    return getattr(view, "manage", False) or bool(re.search(r"waves|links|open|close", str(pattern.pattern)))


@pytest.fixture
def people(hr_admin, manager, stranger):
    return {"hr_admin": signed_in(hr_admin), "manager": signed_in(manager), "stranger": signed_in(stranger)}


def test_the_urlconf_has_the_pages_this_test_walks():
    names = {pattern.name for pattern in ORGANISATION_ROUTES}
    assert {"organisation", "overview", "heatmap", "cell", "trends", "drivers", "comments", "print", "waves"} <= names


@pytest.mark.parametrize("pattern", ORGANISATION_ROUTES, ids=lambda pattern: pattern.name)
def test_a_stranger_gets_404_everywhere(people, pattern, published_wave, teams):
    url = route_url(pattern, published_wave, teams["team-a"])
    for method in ("get", "post"):
        response = getattr(people["stranger"], method)(url)
        assert response.status_code == 404, (method, url)


@pytest.mark.parametrize("pattern", ORGANISATION_ROUTES, ids=lambda pattern: pattern.name)
def test_a_manager_reads_their_subtree_and_manages_nothing(people, pattern, published_wave, teams):
    client = people["manager"]
    inside = route_url(pattern, published_wave, teams["team-a"])
    response = client.get(inside)
    if manages(pattern):
        assert response.status_code == 403, inside
        assert client.post(inside).status_code == 403, inside
        return
    assert response.status_code in (200, 302), inside
    body = response.content.decode()
    texts = {text.strip(" \n\u00a0└") for text in re.findall(r">([^<]*)<", body)}
    # Nothing of the `other` department: neither its teams' ids (rows, links, chart data) nor names.
    for team in (teams["other"], teams["team-d"]):
        assert str(team.pk) not in body and team.name not in texts and team.slug not in body, (inside, team)
    if "team" in pattern.pattern.converters:
        outside = route_url(pattern, published_wave, teams["team-d"])
        assert client.get(outside).status_code == 404, outside


@pytest.mark.parametrize("pattern", ORGANISATION_ROUTES, ids=lambda pattern: pattern.name)
def test_an_hr_admin_opens_every_page(people, pattern, published_wave, teams):
    url = route_url(pattern, published_wave, teams["team-d"])
    response = people["hr_admin"].get(url)
    assert response.status_code in (200, 302, 405), url  # 405: a form's POST-only action

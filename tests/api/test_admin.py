"""Admin endpoints: teams, tree sync, waves, links. Writes need an `admin` key of the same organisation."""

import pytest

from analytics.models import OrganisationAPIKey
from survey.models import Invitation, Organisation, Team, TeamClosure, Wave
from tests.api.conftest import client_with, new_key

HRIS = [
    {"external_id": "E1", "name": "Lumen Industries", "parent_external_id": None, "headcount": 0},
    {"external_id": "E2", "name": "Engineering", "parent_external_id": "E1", "headcount": 0},
    {"external_id": "E3", "name": "Platform", "parent_external_id": "E2", "headcount": 12},
    {"external_id": "E4", "name": "Sales", "parent_external_id": "E1", "headcount": 30},
]


@pytest.fixture
def lumen(db):
    """An organisation with no team yet, as before its first HRIS sync."""
    return Organisation.objects.create(slug="lumen", name="Lumen Industries")


@pytest.fixture
def lumen_api(lumen):
    return client_with(new_key(lumen, OrganisationAPIKey.Scope.ADMIN))


def tree(organisation) -> set:
    return set(
        Team.objects.filter(organisation=organisation).values_list(
            "external_id", "name", "parent__external_id", "headcount"
        )
    )


def test_create_update_delete_a_team(admin_api, organisation, teams):
    created = admin_api.post(
        "/api/v1/teams/", {"slug": "ml", "name": "ML", "parent": str(teams["dept"].pk), "headcount": 4}, format="json"
    )
    assert created.status_code == 201, created.content
    assert created.json()["path"] == "Acme / dept / ML" and created.json()["level"] == 2
    team_id = created.json()["id"]
    assert TeamClosure.objects.filter(descendant_id=team_id).count() == 3
    moved = admin_api.patch(f"/api/v1/teams/{team_id}/", {"parent": str(teams["other"].pk)}, format="json")
    assert moved.status_code == 200 and moved.json()["path"] == "Acme / other / ML"
    assert admin_api.delete(f"/api/v1/teams/{team_id}/").status_code == 204
    assert not Team.objects.filter(pk=team_id).exists()


def test_team_write_errors(admin_api, teams, outsider, tokens):
    duplicate = admin_api.post("/api/v1/teams/", {"slug": "team-a", "name": "Again"}, format="json")
    assert duplicate.status_code == 400 and "slug" in duplicate.json()["errors"]
    foreign = admin_api.post(
        "/api/v1/teams/", {"slug": "x", "name": "X", "parent": str(outsider["teams"]["north"].pk)}, format="json"
    )
    assert foreign.status_code == 400 and "parent" in foreign.json()["errors"]
    cycle = admin_api.patch(f"/api/v1/teams/{teams['dept'].pk}/", {"parent": str(teams["team-a"].pk)}, format="json")
    assert cycle.status_code == 400
    with_children = admin_api.delete(f"/api/v1/teams/{teams['dept'].pk}/")
    assert with_children.status_code == 409 and with_children.json()["code"] == "team_has_children"
    with_links = admin_api.delete(f"/api/v1/teams/{teams['team-a'].pk}/")
    assert with_links.status_code == 409 and with_links.json()["code"] == "team_has_survey_data"
    assert admin_api.delete(f"/api/v1/teams/{outsider['teams']['north'].pk}/").status_code == 404


def test_tree_sync_is_idempotent(lumen_api, lumen):
    first = lumen_api.post("/api/v1/teams/sync/", HRIS, format="json")
    assert first.status_code == 200, first.content
    assert first.json() == {"created": 4, "updated": 0, "unchanged": 0}
    after_first = tree(lumen)
    second = lumen_api.post("/api/v1/teams/sync/", HRIS, format="json")
    assert second.json() == {"created": 0, "updated": 0, "unchanged": 4}
    assert tree(lumen) == after_first
    platform = next(team for team in lumen_api.get("/api/v1/teams/").json()["results"] if team["external_id"] == "E3")
    assert platform["path"] == "Lumen Industries / Engineering / Platform" and platform["level"] == 2


def test_tree_sync_updates_and_moves(lumen_api, lumen):
    lumen_api.post("/api/v1/teams/sync/", HRIS, format="json")
    changed = [*HRIS[:2], {**HRIS[2], "parent_external_id": "E4", "headcount": 15}, HRIS[3]]
    response = lumen_api.post("/api/v1/teams/sync/", changed, format="json")
    assert response.json() == {"created": 0, "updated": 1, "unchanged": 3}
    platform = Team.objects.get(organisation=lumen, external_id="E3")
    assert platform.parent.external_id == "E4" and platform.headcount == 15


def test_tree_sync_under_an_existing_root(admin_api, organisation, teams):
    # The organisation already has a root: a second one is refused, and nothing is written.
    refused = admin_api.post("/api/v1/teams/sync/", HRIS, format="json")
    assert refused.status_code == 400 and "root" in refused.json()["detail"]
    assert not Team.objects.filter(organisation=organisation).exclude(external_id="").exists()
    # Giving the root an external id lets the HRIS hang its tree under it.
    admin_api.patch(f"/api/v1/teams/{teams['all'].pk}/", {"external_id": "ROOT"}, format="json")
    payload = [{**HRIS[0], "parent_external_id": "ROOT"}, *HRIS[1:]]
    assert admin_api.post("/api/v1/teams/sync/", payload, format="json").json()["created"] == 4
    assert admin_api.post("/api/v1/teams/", {"slug": "top", "name": "Top"}, format="json").status_code == 400


def test_tree_sync_rejects_bad_trees(admin_api, organisation):
    unknown = admin_api.post("/api/v1/teams/sync/", [{**HRIS[1], "parent_external_id": "nope"}], format="json")
    assert unknown.status_code == 400 and "parent_external_id" in unknown.json()["errors"]
    cycle = [
        {"external_id": "A", "name": "A", "parent_external_id": "B"},
        {"external_id": "B", "name": "B", "parent_external_id": "A"},
    ]
    assert admin_api.post("/api/v1/teams/sync/", cycle, format="json").status_code == 400
    twice = admin_api.post("/api/v1/teams/sync/", [HRIS[0], HRIS[0]], format="json")
    assert twice.status_code == 400
    assert admin_api.post("/api/v1/teams/sync/", [], format="json").status_code == 400
    assert not Team.objects.filter(organisation=organisation).exclude(external_id="").exists()


def test_wave_lifecycle_and_links(admin_api, organisation, teams, survey):
    created = admin_api.post("/api/v1/waves/", {"name": "Spring", "survey": str(survey.pk), "k_min": 6}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["status"] == "draft"
    wave_id = created.json()["id"]
    assert admin_api.post(f"/api/v1/waves/{wave_id}/close/").status_code == 409
    opened = admin_api.post(f"/api/v1/waves/{wave_id}/open/")
    assert opened.status_code == 200 and opened.json()["status"] == "open"
    assert admin_api.post(f"/api/v1/waves/{wave_id}/open/").json()["code"] == "wrong_state"
    links = admin_api.post(
        f"/api/v1/waves/{wave_id}/links/", {"team": str(teams["team-a"].pk), "count": 3}, format="json"
    )
    assert links.status_code == 201 and len(links.json()["links"]) == 3
    assert links["Cache-Control"] == "no-store"
    assert Invitation.objects.filter(wave_id=wave_id).count() == 3
    assert admin_api.post(f"/api/v1/waves/{wave_id}/close/").json()["status"] == "closed"
    gone = admin_api.post(f"/api/v1/waves/{wave_id}/links/", {"team": str(teams["team-a"].pk)}, format="json")
    assert gone.status_code == 410


def test_wave_create_errors(admin_api, survey, teams, outsider):
    bad_k = admin_api.post("/api/v1/waves/", {"name": "W", "survey": str(survey.pk), "k_min": 2}, format="json")
    assert bad_k.status_code == 400 and "k_min" in bad_k.json()["errors"]
    crossed = {"name": "W", "survey": str(survey.pk), "k_min": 8, "k_comments": 5}
    assert admin_api.post("/api/v1/waves/", crossed, format="json").status_code == 400
    malformed = admin_api.post("/api/v1/waves/", {"name": "W", "survey": "x"}, format="json")
    assert malformed.status_code == 400 and "survey" in malformed.json()["errors"]
    wave = Wave.objects.create(organisation=teams["all"].organisation, survey=survey, name="D")
    foreign_team = {"team": str(outsider["teams"]["north"].pk)}
    assert admin_api.post(f"/api/v1/waves/{wave.pk}/links/", foreign_team, format="json").status_code == 400
    assert admin_api.post(f"/api/v1/waves/{outsider['wave'].pk}/open/").status_code == 404

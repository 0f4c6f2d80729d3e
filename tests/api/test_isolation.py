"""A key of one organisation never reads another's data: the attack, then why it fails."""

import pytest


def test_outsider_lists_only_its_own_teams_and_waves(published_wave, outsider):
    client = outsider["api"]
    assert {team["slug"] for team in client.get("/api/v1/teams/").json()["results"]} == {
        "all",
        "sales",
        "north",
        "south",
    }
    assert [wave["id"] for wave in client.get("/api/v1/waves/").json()["results"]] == [str(outsider["wave"].pk)]


def test_outsider_cannot_open_another_organisations_objects(published_wave, teams, outsider):
    client = outsider["api"]
    assert client.get(f"/api/v1/teams/{teams['team-a'].pk}/").status_code == 404
    assert client.get(f"/api/v1/waves/{published_wave.pk}/").status_code == 404


@pytest.mark.parametrize("url", ["/api/v1/cells/", "/api/v1/participation/", "/api/v1/drivers/"])
def test_outsider_cannot_read_another_organisations_cells(published_wave, outsider, url):
    response = outsider["api"].get(url, {"wave": str(published_wave.pk)})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "wave" in response.json()["errors"]


def test_outsider_cannot_filter_by_another_organisations_team(published_wave, teams, outsider):
    params = {"wave": str(outsider["wave"].pk), "subtree": str(teams["dept"].pk)}
    assert outsider["api"].get("/api/v1/cells/", params).status_code == 400
    params = {"wave": str(published_wave.pk), "map": "adoption"}
    assert outsider["api"].get("/api/v1/heatmap/", params).status_code == 400
    params = {"team": str(teams["team-a"].pk), "code": "fatigue"}
    assert outsider["api"].get("/api/v1/trends/", params).status_code == 400


def test_own_cells_never_include_another_organisation(api, published_wave, outsider):
    cells = api.get("/api/v1/cells/", {"wave": str(published_wave.pk), "page_size": 5000}).json()["results"]
    assert cells
    assert {cell["wave"] for cell in cells} == {str(published_wave.pk)}
    assert not {cell["team"] for cell in cells} & {str(team.pk) for team in outsider["teams"].values()}

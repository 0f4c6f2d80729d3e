import pytest
from django.core.management import call_command

from analytics.models import OrganisationAPIKey
from tests.api.conftest import client_with, new_key

URLS = ["/api/v1/teams/", "/api/v1/waves/", "/api/v1/surveys/"]


@pytest.mark.parametrize("url", URLS)
def test_missing_key_is_401(db, url):
    response = client_with(None).get(url)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == "Api-Key"


@pytest.mark.parametrize("header", ["Api-Key nope.nothing", "Api-Key ", "Bearer abc", "Api-Key abc"])
def test_invalid_key_is_401(organisation, header):
    client = client_with(None)
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get("/api/v1/teams/")
    assert response.status_code == 401
    assert set(response.json()) == {"detail", "code"}


def test_forged_secret_with_a_real_prefix_is_401(organisation, read_key):
    prefix = read_key.split(".")[0]
    assert client_with(f"{prefix}.forged").get("/api/v1/teams/").status_code == 401


def test_revoked_key_is_401_at_once(api, read_key):
    assert api.get("/api/v1/teams/").status_code == 200
    call_command("revoke_api_key", prefix=read_key.split(".")[0])
    response = api.get("/api/v1/teams/")
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_key"


def test_read_key_cannot_use_admin_endpoints(api, teams, wave):
    calls = [
        api.post("/api/v1/teams/", {"slug": "x", "name": "X"}, format="json"),
        api.patch(f"/api/v1/teams/{teams['team-a'].pk}/", {"name": "X"}, format="json"),
        api.delete(f"/api/v1/teams/{teams['team-a'].pk}/"),
        api.post("/api/v1/teams/sync/", [{"external_id": "1", "name": "X"}], format="json"),
        api.post("/api/v1/waves/", {"name": "W"}, format="json"),
        api.post(f"/api/v1/waves/{wave.pk}/close/"),
        api.post(f"/api/v1/waves/{wave.pk}/links/", {"team": str(teams["team-a"].pk)}, format="json"),
    ]
    assert [response.status_code for response in calls] == [403] * len(calls)
    assert calls[0].json()["code"] == "admin_scope_required"


def test_submission_endpoint_stays_public(tokens, answers):
    response = client_with(None).post("/api/v1/submit/", {"token": tokens[0], "answers": answers}, format="json")
    assert response.status_code == 201


def test_throttled_per_key(api, organisation, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"api_key": "3/minute"}}
    assert [api.get("/api/v1/teams/").status_code for _ in range(3)] == [200, 200, 200]
    response = api.get("/api/v1/teams/")
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert "Retry-After" in response
    # Another key has its own bucket.
    assert client_with(new_key(organisation)).get("/api/v1/teams/").status_code == 200


def test_create_api_key_command_prints_a_working_key(organisation, capsys):
    call_command("create_api_key", org=organisation.slug, name="Power BI", scope="admin")
    key = capsys.readouterr().out.strip()
    stored = OrganisationAPIKey.objects.get(name="Power BI")
    assert stored.scope == "admin" and stored.organisation == organisation
    assert key not in stored.hashed_key  # only a hash is kept
    assert client_with(key).get("/api/v1/teams/").status_code == 200


def test_key_commands_reject_unknown_names(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("create_api_key", org="nope", name="x", scope="read")
    with pytest.raises(CommandError):
        call_command("revoke_api_key", prefix="nope")

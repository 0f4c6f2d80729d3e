"""Fixtures for the API: an organisation with a published wave, read and admin keys, and an outsider."""

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from analytics.models import OrganisationAPIKey
from analytics.services.aggregation import wave_aggregate
from survey.models import Organisation, Wave
from survey.services.waves import wave_close
from tests.analytics.helpers import respond
from tests.conftest import make_tree


def new_key(organisation: Organisation, scope: str = OrganisationAPIKey.Scope.READ) -> str:
    _, key = OrganisationAPIKey.objects.create_key(name=f"{scope} key", organisation=organisation, scope=scope)
    return key


def client_with(key: str | None) -> APIClient:
    client = APIClient()
    if key:
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()  # throttle buckets live in the cache


@pytest.fixture
def read_key(organisation) -> str:
    return new_key(organisation)


@pytest.fixture
def admin_key(organisation) -> str:
    return new_key(organisation, OrganisationAPIKey.Scope.ADMIN)


@pytest.fixture
def api(read_key) -> APIClient:
    return client_with(read_key)


@pytest.fixture
def admin_api(admin_key) -> APIClient:
    return client_with(admin_key)


def publish(wave: Wave, per_team: dict, answers: dict) -> Wave:
    """Real submissions, then close the wave (which moves the last pending batch), then a full aggregation."""
    for team, count in per_team.items():
        respond(wave, team, [answers] * count)
    wave = wave_close(wave=wave)
    wave_aggregate(wave_id=wave.pk, full=True)
    wave.refresh_from_db()
    return wave


@pytest.fixture
def published_wave(wave, teams, answers) -> Wave:
    # team-c (2 answers) is below k=5 and team-d's 7th answer comes alone after the last mixing batch:
    # those 3 wait for k more people (release rule, closing included), so 18 of 21 answers are published.
    wave.opens_at = timezone.now() - timezone.timedelta(days=10)
    wave.save(update_fields=["opens_at"])
    return publish(wave, {teams["team-a"]: 6, teams["team-b"]: 6, teams["team-c"]: 2, teams["team-d"]: 7}, answers)


@pytest.fixture
def outsider(survey, answers):
    """Another organisation with its own published wave and read key."""
    organisation, teams = make_tree("globex", {"sales": {"north": 10, "south": 10}})
    wave = Wave.objects.create(organisation=organisation, survey=survey, name="Globex spring", status="open")
    wave = publish(wave, {teams["north"]: 5, teams["south"]: 5}, answers)
    return {"organisation": organisation, "teams": teams, "wave": wave, "api": client_with(new_key(organisation))}

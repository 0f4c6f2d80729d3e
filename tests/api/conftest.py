"""Fixtures for the API: an organisation with a published wave, read and admin keys, and an outsider."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from analytics.models import OrganisationAPIKey
from survey.models import Organisation, Wave
from tests.conftest import make_tree, publish


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


@pytest.fixture
def outsider(survey, answers):
    """Another organisation with its own published wave and read key."""
    organisation, teams = make_tree("globex", {"sales": {"north": 10, "south": 10}})
    wave = Wave.objects.create(organisation=organisation, survey=survey, name="Globex spring", status="open")
    wave = publish(wave, {teams["north"]: 5, teams["south"]: 5}, answers)
    return {"organisation": organisation, "teams": teams, "wave": wave, "api": client_with(new_key(organisation))}

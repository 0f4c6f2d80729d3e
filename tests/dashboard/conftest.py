"""Fixtures for the HR pages: a published wave, and the three people of every scoping test (an HR
admin, a manager of one department, and an HR admin of another organisation)."""

import pytest
from django.core.cache import cache
from django.test import Client

from survey.models import Membership, Wave
from survey.services.members import membership_add
from tests.conftest import make_tree, publish

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # django-axes counts failed sign-ins in the cache


@pytest.fixture
def hr_admin(organisation):
    return membership_add(
        organisation=organisation, username="alice", role=Membership.Role.HR_ADMIN, password=PASSWORD
    ).user


@pytest.fixture
def manager(organisation, teams):
    """Manages the `dept` department (team-a, team-b, team-c), not `other` (team-d)."""
    return membership_add(
        organisation=organisation, username="bob", role=Membership.Role.MANAGER, team=teams["dept"], password=PASSWORD
    ).user


@pytest.fixture
def stranger(survey, answers):
    """The HR admin of another organisation, which has its own published wave."""
    organisation, teams = make_tree("globex", {"sales": {"north": 10, "south": 10}})
    wave = Wave.objects.create(organisation=organisation, survey=survey, name="Globex spring", status="open")
    publish(wave, {teams["north"]: 5, teams["south"]: 5}, answers)
    return membership_add(
        organisation=organisation, username="carol", role=Membership.Role.HR_ADMIN, password=PASSWORD
    ).user


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client

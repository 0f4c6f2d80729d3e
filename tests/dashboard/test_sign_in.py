"""Signing in: where people land, and failed attempts throttled by django-axes."""

from django.test import Client
from django.urls import reverse

from tests.dashboard.conftest import PASSWORD, signed_in


def test_a_signed_out_visitor_is_sent_to_the_sign_in_page(db):
    response = Client().get("/", follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("dashboard:login"))
    assert response.status_code == 200
    assert b'name="password"' in response.content


def test_an_hr_admin_signs_in_and_lands_in_their_organisation(hr_admin, organisation):
    client = Client()
    response = client.post(reverse("dashboard:login"), {"username": "alice", "password": PASSWORD, "next": "/hr/"})
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"].startswith(f"/hr/{organisation.slug}/")


def test_failed_sign_ins_are_throttled_then_even_the_right_password_waits(hr_admin):
    client = Client()
    for _ in range(4):
        response = client.post(reverse("dashboard:login"), {"username": "alice", "password": "wrong"})
        assert response.status_code == 200  # the form again, with its error
        assert b"errors" in response.content
    response = client.post(reverse("dashboard:login"), {"username": "alice", "password": "wrong"})
    assert response.status_code == 429  # the fifth failure locks
    response = client.post(reverse("dashboard:login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 429
    assert b"Too many failed sign-ins" in response.content
    assert "_auth_user_id" not in client.session


def test_a_lockout_is_per_user_name_and_address_so_others_still_sign_in(hr_admin, manager):
    client = Client()
    for _ in range(6):
        client.post(reverse("dashboard:login"), {"username": "alice", "password": "wrong"})
    response = client.post(reverse("dashboard:login"), {"username": "bob", "password": PASSWORD})
    assert response.status_code == 302


def test_a_user_of_no_organisation_sees_no_figures(django_user_model):
    user = django_user_model.objects.create_user("dave", password=PASSWORD)
    response = signed_in(user).get(reverse("dashboard:home"))
    assert response.status_code == 403
    assert b"not a member of any organisation" in response.content


def test_another_organisation_does_not_exist_for_a_stranger(stranger, organisation, published_wave):
    response = signed_in(stranger).get(reverse("dashboard:organisation", args=[organisation.slug]))
    assert response.status_code == 404

"""The audit trail: every HR action is recorded with who did it, and HR cannot make it disappear."""

import io
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client

from analytics.models import OrganisationAPIKey
from survey.models import AuditEvent, Invitation, Team, Wave
from survey.services.audit import audit_actor, audit_record, audit_verify
from survey.services.submission import submission_submit
from survey.services.tokens import token_hash
from tests.api.conftest import client_with, new_key
from tests.survey.conftest import signed_in, team_form

Action = AuditEvent.Action


def events(organisation, action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(organisation=organisation, action=action).order_by("seq"))


@pytest.fixture
def admin_api(organisation):
    """An HR admin's API key, created as an operator would."""
    with audit_actor("command:create_api_key"):
        key = new_key(organisation, OrganisationAPIKey.Scope.ADMIN)
    return client_with(key), OrganisationAPIKey.objects.get(prefix=key.partition(".")[0])


# --- What is recorded ---------------------------------------------------------------------------


def test_links_issued_record_the_count_and_never_a_token(admin_api, organisation, wave, teams):
    api, key = admin_api
    response = api.post(f"/api/v1/waves/{wave.pk}/links/", {"team": str(teams["team-a"].pk), "count": 3}, format="json")
    assert response.status_code == 201, response.content
    [event] = events(organisation, Action.LINKS_ISSUED)
    assert event.actor == f"api-key:{key.prefix} {key.name}"
    assert event.detail == {
        "wave": {"id": str(wave.pk), "name": wave.name},
        "team": {"id": str(teams["team-a"].pk), "name": "team-a"},
        "count": 3,
        "reusable": False,
    }
    secrets = [link.rstrip("/").rsplit("/", 1)[-1] for link in response.json()["links"]]
    secrets += [token_hash(secret) for secret in secrets]
    secrets += list(Invitation.objects.values_list("token_hash", flat=True))
    trail = json.dumps([[row.detail, row.actor] for row in AuditEvent.objects.all()])
    assert len(secrets) == 9 and not [secret for secret in secrets if secret in trail]


def test_team_changes_are_recorded_whatever_the_path(admin_api, hr_client, organisation, teams):
    api, key = admin_api
    team = teams["team-a"]
    api.patch(f"/api/v1/teams/{team.pk}/", {"headcount": 12, "parent": str(teams["other"].pk)}, format="json")
    hr_client.post(f"/admin/survey/team/{team.pk}/change/", team_form(Team.objects.get(pk=team.pk), name="Renamed"))
    shell_team = Team.objects.get(pk=teams["team-d"].pk)
    shell_team.headcount = 2
    shell_team.save()
    created = api.post("/api/v1/teams/", {"slug": "new", "name": "New", "parent": str(teams["dept"].pk)}, format="json")
    api.delete(f"/api/v1/teams/{created.json()['id']}/")

    by_api, by_admin, by_shell = events(organisation, Action.TEAM_CHANGED)
    assert by_api.actor == f"api-key:{key.prefix} {key.name}"
    assert by_api.detail["changes"] == {
        "headcount": [10, 12],
        "parent": [{"id": str(teams["dept"].pk), "name": "dept"}, {"id": str(teams["other"].pk), "name": "other"}],
    }
    assert by_admin.actor == "user:hr-acme" and by_admin.detail["changes"] == {"name": ["team-a", "Renamed"]}
    assert by_shell.actor == "system" and by_shell.detail["changes"] == {"headcount": [20, 2]}
    [new] = [event for event in events(organisation, Action.TEAM_CREATED) if event.detail["team"]["slug"] == "new"]
    [deleted] = events(organisation, Action.TEAM_DELETED)
    assert new.detail["parent"]["name"] == "dept" and deleted.detail["team"]["slug"] == "new"


def test_hris_sync_is_recorded_as_one_tree_change_plus_each_team(admin_api, organisation, teams):
    api, _ = admin_api
    payload = [
        {"external_id": "ROOT", "name": "Acme", "parent_external_id": None, "headcount": 0},
        {"external_id": "R1", "name": "Research", "parent_external_id": "ROOT", "headcount": 9},
    ]
    Team.objects.filter(pk=teams["all"].pk).update(external_id="ROOT")
    assert api.post("/api/v1/teams/sync/", payload, format="json").status_code == 200
    [tree] = events(organisation, Action.TREE_CHANGED)
    assert tree.detail == {"source": "sync", "created": 1, "updated": 0, "unchanged": 1}
    assert events(organisation, Action.TEAM_CREATED)[-1].detail["team"]["name"] == "Research"


def test_wave_lifecycle_is_recorded(admin_api, hr_client, organisation, survey):
    api, key = admin_api
    created = api.post("/api/v1/waves/", {"name": "Spring", "survey": str(survey.pk)}, format="json")
    assert created.status_code == 201, created.content
    wave_id = created.json()["id"]
    assert api.post(f"/api/v1/waves/{wave_id}/open/").status_code == 200
    hr_client.post("/admin/survey/wave/", {"action": "close_waves", "_selected_action": [wave_id]})
    assert Wave.objects.get(pk=wave_id).status == Wave.Status.CLOSED
    [made] = events(organisation, Action.WAVE_CREATED)
    [opened] = events(organisation, Action.WAVE_OPENED)
    [closed] = events(organisation, Action.WAVE_CLOSED)
    assert made.detail["status"] == "draft" and made.detail["k_min"] == 5
    assert made.actor == opened.actor == f"api-key:{key.prefix} {key.name}"
    assert opened.detail["wave"]["id"] == wave_id and opened.detail["k_min"] == 5
    assert closed.actor == "user:hr-acme" and closed.detail["at"]


def test_api_keys_created_and_revoked_are_recorded_without_the_key(organisation):
    out = io.StringIO()
    call_command("create_api_key", org=organisation.slug, name="Power BI", scope="admin", stdout=out, stderr=out)
    secret = out.getvalue().strip().splitlines()[-1]
    prefix = secret.partition(".")[0]
    call_command("revoke_api_key", prefix=prefix, stdout=io.StringIO())
    [created] = events(organisation, Action.API_KEY_CREATED)
    [revoked] = events(organisation, Action.API_KEY_REVOKED)
    assert created.actor == "command:create_api_key" and revoked.actor == "command:revoke_api_key"
    assert created.detail["key"] == {"prefix": prefix, "name": "Power BI", "scope": "admin"}
    assert secret not in json.dumps(created.detail) and OrganisationAPIKey.objects.get(prefix=prefix).revoked


def test_create_member_records_the_member_and_lets_hr_and_staff_reps_into_the_admin(
    organisation, teams, monkeypatch, django_user_model
):
    monkeypatch.setenv("PULSE_TEST_MEMBER_PASSWORD", "a-long-test-password")
    for username, role, team in [("ines", "hr_admin", None), ("rep", "staff_rep", None), ("max", "manager", "dept")]:
        call_command(
            "create_member",
            org=organisation.slug,
            username=username,
            role=role,
            team=team,
            password_from_env="PULSE_TEST_MEMBER_PASSWORD",
            stdout=io.StringIO(),
        )
    added = events(organisation, Action.MEMBER_ADDED)
    assert [(e.actor, e.detail["user"], e.detail["role"]) for e in added] == [
        ("command:create_member", "ines", "hr_admin"),
        ("command:create_member", "rep", "staff_rep"),
        ("command:create_member", "max", "manager"),
    ]
    assert added[2].detail["team"]["name"] == "dept"
    staff = dict(django_user_model.objects.values_list("username", "is_staff"))
    assert staff == {"ines": True, "rep": True, "max": False}
    client = Client()
    # Signing in goes through django-axes, which needs the request: sign in as a browser does.
    signed_in = client.post("/hr/sign-in/", {"username": "rep", "password": "a-long-test-password"})
    assert signed_in.status_code == 302 and "_auth_user_id" in client.session
    assert client.get("/admin/survey/auditevent/").status_code == 200
    with pytest.raises(CommandError, match="manager needs"):
        call_command("create_member", org=organisation.slug, username="bob", role="manager", stdout=io.StringIO())


# --- HR cannot erase it ---------------------------------------------------------------------------


def test_the_orm_refuses_to_edit_or_delete_an_event(organisation):
    event = AuditEvent.objects.filter(organisation=organisation).first()
    event.actor = "nobody"
    attempts = [
        event.save,
        event.delete,
        lambda: AuditEvent.objects.filter(pk=event.pk).update(actor="nobody"),
        AuditEvent.objects.all().delete,
        lambda: AuditEvent.objects.bulk_update([event], ["actor"]),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied), transaction.atomic():
            attempt()
    assert AuditEvent.objects.get(pk=event.pk).actor == "system" and len(attempts) == 5


def test_raw_sql_update_delete_and_truncate_are_refused_by_postgresql(organisation):
    count = AuditEvent.objects.count()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE waits for no deferred foreign-key check
    statements = [
        "UPDATE survey_auditevent SET actor = 'nobody'",
        "DELETE FROM survey_auditevent",
        "TRUNCATE survey_auditevent",
    ]
    for statement in statements:
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert AuditEvent.objects.count() == count > 0


def test_nobody_edits_or_deletes_events_in_the_admin(hr_client, organisation, django_user_model):
    event = AuditEvent.objects.filter(organisation=organisation).first()
    root = signed_in(django_user_model.objects.create_superuser("root", password="x"))
    for client in (hr_client, root):
        assert client.get(f"/admin/survey/auditevent/{event.pk}/change/").status_code == 200
        assert client.post(f"/admin/survey/auditevent/{event.pk}/change/", {"actor": "x"}).status_code == 403
        assert client.post(f"/admin/survey/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
        assert client.get("/admin/survey/auditevent/add/").status_code == 403
        client.post(
            "/admin/survey/auditevent/",
            {"action": "delete_selected", "_selected_action": [str(event.pk)], "post": "yes"},
        )
    assert AuditEvent.objects.filter(pk=event.pk, actor=event.actor).exists()


def test_audit_verify_detects_rows_deleted_or_edited_behind_the_trigger(organisation, teams):
    for headcount in (1, 2, 3):
        audit_record(organisation=organisation, action="team_changed", detail={"headcount": headcount})
    assert audit_verify(organisation) == []
    middle = AuditEvent.objects.filter(organisation=organisation).order_by("seq")[2]
    last = AuditEvent.objects.filter(organisation=organisation).order_by("seq").last()
    with connection.cursor() as cursor:  # what a database superuser could do; DDL rolls back with the test
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE waits for no deferred foreign-key check
        cursor.execute("ALTER TABLE survey_auditevent DISABLE TRIGGER survey_auditevent_no_update_delete")
        cursor.execute("DELETE FROM survey_auditevent WHERE id = %s", [middle.pk])
        cursor.execute("UPDATE survey_auditevent SET actor = 'someone else' WHERE id = %s", [last.pk])
        cursor.execute("ALTER TABLE survey_auditevent ENABLE TRIGGER survey_auditevent_no_update_delete")
    problems = audit_verify(organisation)
    assert f"Events {middle.seq} to {middle.seq} are missing." in problems
    assert f"Event {middle.seq + 1} does not follow the event before it (one was deleted or edited)." in problems
    assert f"Event {last.seq} was edited after it was recorded." in problems
    out = io.StringIO()
    with pytest.raises(CommandError, match="altered"):
        call_command("audit_verify", stdout=out)
    assert f"acme: Event {last.seq} was edited" in out.getvalue()


def test_audit_verify_command_prints_the_head_of_an_intact_chain(organisation, teams):
    out = io.StringIO()
    call_command("audit_verify", org="acme", stdout=out)
    head = AuditEvent.objects.filter(organisation=organisation).order_by("-seq").first()
    assert out.getvalue().strip() == f"acme: {head.seq} events intact, newest hash {head.hash}"
    assert head.seq == Team.objects.filter(organisation=organisation).count() > 0


def test_answering_a_survey_records_nothing(wave, tokens, answers):
    """An event's exact time next to a submission would date the answer (PRODUCT.md rule 1)."""
    before = AuditEvent.objects.count()
    submission_submit(token=tokens[0], answers=answers)
    assert AuditEvent.objects.count() == before > 0

"""Attacks through the Django admin by members who are not superusers: acme's HR admin reaching for
globex, a manager trying to change things, a staff representative looking beyond the audit trail."""

import uuid

from survey.models import AuditEvent, Option, Survey, Team, Wave
from survey.roles import membership_teams, user_memberships, user_organisations, user_role
from survey.services.audit import audit_record
from survey.services.members import membership_add
from tests.survey.conftest import question_form, scored_question, signed_in, team_form


def test_hr_admin_cannot_list_or_open_another_organisations_teams_and_waves(hr_client, globex, teams):
    north, wave = globex["teams"]["north"], globex["wave"]
    teams_page = hr_client.get("/admin/survey/team/")
    assert teams_page.status_code == 200 and teams["team-a"].name.encode() in teams_page.content
    assert b"north" not in teams_page.content and b"Globex" not in teams_page.content
    waves_page = hr_client.get("/admin/survey/wave/")
    assert waves_page.status_code == 200 and b"Globex spring" not in waves_page.content
    checked = 0
    for path in [
        f"/admin/survey/team/{north.pk}/change/",
        f"/admin/survey/team/{north.pk}/delete/",
        f"/admin/survey/wave/{wave.pk}/change/",
        f"/admin/survey/organisation/{globex['organisation'].pk}/change/",
    ]:
        unknown = hr_client.get(path.replace(path.split("/")[4], str(uuid.uuid4())))
        reached = hr_client.get(path)
        assert reached.status_code == unknown.status_code == 404, path
        checked += 1
    assert checked == 4


def test_hr_admin_cannot_change_another_organisations_team_by_posting(hr_client, globex):
    north = globex["teams"]["north"]
    assert hr_client.post(f"/admin/survey/team/{north.pk}/change/", team_form(north, headcount=1)).status_code == 404
    assert hr_client.post(f"/admin/survey/team/{north.pk}/delete/", {"post": "yes"}).status_code == 404
    north.refresh_from_db()
    assert north.headcount == 10


def test_hr_admin_cannot_point_a_team_or_a_wave_into_another_organisation(hr_client, organisation, globex):
    north = globex["teams"]["north"]
    form = hr_client.get("/admin/survey/team/add/")
    assert form.status_code == 200 and str(north.pk).encode() not in form.content
    posted = hr_client.post(
        "/admin/survey/team/add/",
        {"organisation": str(organisation.pk), "parent": str(north.pk), "slug": "x", "name": "X", "headcount": 3},
    )
    assert posted.status_code == 200 and b"Select a valid choice" in posted.content
    posted = hr_client.post(
        "/admin/survey/team/add/",
        {"organisation": str(globex["organisation"].pk), "slug": "y", "name": "Y", "headcount": 3},
    )
    assert posted.status_code == 200 and b"Select a valid choice" in posted.content
    wave_form = hr_client.get("/admin/survey/wave/add/")
    assert str(globex["survey"].pk).encode() not in wave_form.content
    assert not Team.objects.filter(slug__in=["x", "y"]).exists()


def test_hr_admin_cannot_edit_the_built_in_surveys_scoring(hr_client, survey):
    question = scored_question(survey)
    option = question.options.exclude(score=None).first()
    score = option.score
    page = hr_client.get(f"/admin/survey/question/{question.pk}/change/")
    assert page.status_code == 200, "readable, so that it can be copied"
    assert b'name="options-0-score"' not in page.content
    posted = hr_client.post(
        f"/admin/survey/question/{question.pk}/change/",
        question_form(question, **{f"v{option.value}": 0 if score else 100}),
    )
    assert posted.status_code == 403
    assert hr_client.post(f"/admin/survey/survey/{survey.pk}/change/", {"code": "mine"}).status_code == 403
    option.refresh_from_db()
    assert option.score == score


def test_hr_admin_cannot_create_a_survey_without_an_organisation(hr_client):
    posted = hr_client.post("/admin/survey/survey/add/", {"code": "fake-builtin", "name_en": "F", "name_fr": "F"})
    assert posted.status_code == 200 and not Survey.objects.filter(code="fake-builtin").exists()


def test_copying_the_built_in_survey_gives_an_editable_copy(hr_client, organisation, survey):
    response = hr_client.post("/admin/survey/survey/", {"action": "copy_surveys", "_selected_action": [str(survey.pk)]})
    assert response.status_code == 302
    copy = Survey.objects.get(organisation=organisation)
    assert copy.questions.count() == survey.questions.count() > 0
    question = copy.questions.get(code=scored_question(survey).code)
    option = question.options.exclude(score=None).order_by("position").first()
    posted = hr_client.post(
        f"/admin/survey/question/{question.pk}/change/", question_form(question, **{f"v{option.value}": 7})
    )
    assert posted.status_code == 302
    assert Option.objects.get(pk=option.pk).score == 7
    copied = AuditEvent.objects.get(action=AuditEvent.Action.SURVEY_COPIED)
    assert copied.actor == "user:hr-acme" and copied.detail["survey"] == str(copy.pk)


def test_manager_can_change_nothing(manager, wave, teams):
    client = signed_in(manager)
    team = teams["team-a"]
    assert client.get("/admin/survey/team/").status_code == 200
    assert client.post(f"/admin/survey/team/{team.pk}/change/", team_form(team, headcount=1)).status_code == 403
    assert client.post(f"/admin/survey/team/{team.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.post("/admin/survey/team/add/", {"slug": "z", "name": "Z"}).status_code == 403
    client.post("/admin/survey/wave/", {"action": "close_waves", "_selected_action": [str(wave.pk)]})
    wave.refresh_from_db()
    team.refresh_from_db()
    assert wave.status == Wave.Status.OPEN and team.headcount == 10
    assert client.get("/admin/survey/auditevent/").status_code == 200


def test_a_manager_is_not_let_into_the_admin_by_default(organisation, teams):
    user = membership_add(organisation=organisation, username="m2", role="manager", team=teams["dept"]).user
    assert not user.is_staff
    assert signed_in(user).get("/admin/survey/team/").status_code == 302


def test_staff_rep_reads_their_organisations_audit_trail_and_nothing_else(staff_rep, organisation, globex, teams):
    audit_record(organisation=organisation, action="team_changed", detail={"marker": "acme-visible"})
    foreign = audit_record(organisation=globex["organisation"], action="team_changed", detail={"marker": "globex"})
    client = signed_in(staff_rep)
    trail = client.get("/admin/survey/auditevent/")
    assert trail.status_code == 200
    assert b"acme-visible" in trail.content and b"globex" not in trail.content.lower()
    assert client.get(f"/admin/survey/auditevent/{foreign.pk}/change/").status_code == 404
    assert client.get("/admin/survey/membership/").status_code == 200
    for model in ["team", "wave", "survey", "question"]:
        assert client.get(f"/admin/survey/{model}/").status_code == 403, model
    assert client.get(f"/admin/survey/team/{teams['team-a'].pk}/change/").status_code == 404


def test_hr_admin_reads_only_their_own_audit_trail(hr_client, organisation, globex):
    audit_record(organisation=globex["organisation"], action="team_changed", detail={"marker": "secret-globex"})
    trail = hr_client.get("/admin/survey/auditevent/")
    assert trail.status_code == 200 and b"secret-globex" not in trail.content
    assert b"team_created" in trail.content or b"Team created" in trail.content


def test_roles_selectors_give_each_member_their_organisations_and_subtree(hr, manager, staff_rep, globex, teams):
    acme = teams["all"].organisation
    assert list(user_organisations(user=hr)) == [acme]
    assert list(user_organisations(user=staff_rep, roles=["hr_admin"])) == []
    assert user_role(user=globex["hr"], organisation=acme) is None
    assert user_role(user=manager, organisation=acme) == "manager"
    subtree = set(membership_teams(membership=user_memberships(user=manager).get()).values_list("slug", flat=True))
    assert subtree == {"dept", "team-a", "team-b", "team-c"}
    assert membership_teams(membership=user_memberships(user=hr).get()).count() == len(teams)

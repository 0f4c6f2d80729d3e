"""Waves and links from the HR pages: create, open, close, single-use links as CSV, the open team
link; who may do it (HR admin only), and every refusal leaves nothing behind."""

import csv
import io
import re
import uuid

import pytest
from django.conf import settings
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from survey.models import AuditEvent, Invitation, Survey, Team, Wave, WaveTeam
from survey.services.invitations import WaveNotIssuable, invitations_issue
from survey.services.teams import team_closure_rebuild
from survey.services.tokens import token_hash
from survey.services.waves import wave_close, wave_create, wave_open
from tests.dashboard.conftest import signed_in

LINK = re.compile("^" + re.escape(settings.PULSE_PUBLIC_URL.rstrip("/")) + r"/s/([A-Za-z0-9_-]{20,})/$")


def new_wave_data(of_survey, **changes) -> dict:
    data = {"survey": str(of_survey.pk), "name": "Spring", "k_min": "5", "k_comments": "10", "closes_at": ""}
    data.update(changes)
    return data


@pytest.fixture
def draft(organisation, survey) -> Wave:
    return wave_create(organisation=organisation, survey=survey, name="Draft wave", k_min=6, k_comments=8)


@pytest.fixture
def open_wave(organisation, survey, teams) -> Wave:
    """Open, with its tree frozen (team-a 10, team-b 10, team-c 5 under dept; team-d 20 under other)."""
    draft = wave_create(organisation=organisation, survey=survey, name="Autumn 2025", allow_open_links=True)
    return wave_open(wave=draft)


def links_url(wave) -> str:
    return reverse("dashboard:wave-links", args=[wave.organisation.slug, wave.pk])


def csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))


# --- Creating a wave ----------------------------------------------------------------------------


def test_the_form_offers_the_organisation_surveys_and_the_built_in_templates(hr_admin, organisation, survey, stranger):
    own = Survey.objects.create(organisation=organisation, code="own", name_en="Our own", name_fr="La nôtre")
    globex = Wave.objects.get(name="Globex spring").organisation
    foreign = Survey.objects.create(organisation=globex, code="theirs", name_en="Theirs", name_fr="La leur")
    response = signed_in(hr_admin).get(reverse("dashboard:wave-new", args=[organisation.slug]))
    assert response.status_code == 200
    options = response.context["form"].fields["survey"].queryset
    assert set(options) == {own, survey}
    assert foreign not in options
    assert "built-in template" in response.content.decode()
    assert 'for="id_k_min"' in response.content.decode()  # every field has its label


def test_an_hr_admin_creates_a_draft_wave(hr_admin, organisation, survey):
    client = signed_in(hr_admin)
    response = client.post(
        reverse("dashboard:wave-new", args=[organisation.slug]),
        new_wave_data(survey, k_min="6", k_comments="12", closes_at="2099-06-30", allow_open_links="on"),
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:waves", args=[organisation.slug])
    wave = Wave.objects.get(organisation=organisation)
    assert (wave.status, wave.name, wave.k_min, wave.k_comments) == ("draft", "Spring", 6, 12)
    assert wave.allow_open_links and wave.opens_at is None
    assert wave.closes_at.date().isoformat() == "2099-06-30"
    assert not WaveTeam.objects.filter(wave=wave).exists()  # a draft freezes nothing
    page = client.get(response["Location"]).content.decode()
    assert '<ul class="messages"' in page and "Spring" in page and "created as a draft" in page
    assert AuditEvent.objects.filter(action="wave_created", detail__wave__id=str(wave.pk)).exists()


def test_k_defaults_to_5_on_the_form(hr_admin, organisation):
    form = signed_in(hr_admin).get(reverse("dashboard:wave-new", args=[organisation.slug])).context["form"]
    assert form["k_min"].value() == 5


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"k_min": "2"}, "k_min"),
        ({"k_min": "11"}, "k_min"),
        ({"k_min": "five"}, "k_min"),
        ({"k_min": "8", "k_comments": "5"}, "k_comments"),  # the model's clean(): k_comments >= k_min
        ({"name": ""}, "name"),
        ({"closes_at": "2001-01-01"}, "closes_at"),  # a wave that would take no answer
        ({"closes_at": "31/31/2099"}, "closes_at"),
        ({"survey": str(uuid.uuid4())}, "survey"),
        ({"survey": "not-a-uuid"}, "survey"),
    ],
)
def test_bad_input_shows_the_form_again_with_400_and_creates_nothing(hr_admin, organisation, survey, changes, field):
    response = signed_in(hr_admin).post(
        reverse("dashboard:wave-new", args=[organisation.slug]), new_wave_data(survey, **changes)
    )
    assert response.status_code == 400
    assert field in response.context["form"].errors
    body = response.content.decode()
    assert 'class="errorlist' in body and 'id="form-errors"' in body
    assert 'aria-invalid="true"' in body
    assert not Wave.objects.exists()


def test_k_comments_below_k_is_explained_next_to_its_field(hr_admin, organisation, survey):
    response = signed_in(hr_admin).post(
        reverse("dashboard:wave-new", args=[organisation.slug]), new_wave_data(survey, k_min="8", k_comments="5")
    )
    assert response.context["form"].errors["k_comments"] == ["Must be at least the minimum group size k."]


def test_a_survey_of_another_organisation_is_refused(hr_admin, organisation, survey, stranger):
    globex = Wave.objects.get(name="Globex spring").organisation
    theirs = Survey.objects.create(organisation=globex, code="theirs", name_en="Theirs", name_fr="La leur")
    response = signed_in(hr_admin).post(reverse("dashboard:wave-new", args=[organisation.slug]), new_wave_data(theirs))
    assert response.status_code == 400
    assert not Wave.objects.filter(organisation=organisation).exists()


def test_the_service_refuses_a_foreign_survey_and_bad_k_too(organisation, survey, stranger):
    from django.core.exceptions import ValidationError

    globex = Wave.objects.get(name="Globex spring").organisation
    theirs = Survey.objects.create(organisation=globex, code="theirs", name_en="Theirs", name_fr="La leur")
    with pytest.raises(ValidationError):
        wave_create(organisation=organisation, survey=theirs, name="W")
    with pytest.raises(ValidationError):
        wave_create(organisation=organisation, survey=survey, name="W", k_min=8, k_comments=5)
    assert not Wave.objects.filter(organisation=organisation).exists()


def test_two_waves_may_share_a_name(hr_admin, organisation, survey):
    """The model has no unique name: a second "Spring" is a second wave, not an error."""
    client = signed_in(hr_admin)
    for _ in range(2):
        response = client.post(reverse("dashboard:wave-new", args=[organisation.slug]), new_wave_data(survey))
        assert response.status_code == 302
    assert Wave.objects.filter(organisation=organisation, name="Spring").count() == 2


# --- The waves page, opening and closing ------------------------------------------------------


def test_the_waves_page_lists_every_state_with_its_actions(hr_admin, organisation, draft, open_wave, survey):
    closed = Wave.objects.create(organisation=organisation, survey=survey, name="Old", status=Wave.Status.OPEN)
    wave_close(wave=closed)
    response = signed_in(hr_admin).get(reverse("dashboard:waves", args=[organisation.slug]))
    assert response.status_code == 200
    body = response.content.decode()
    rows = dict(re.findall(r"<tr data-wave=\"([0-9a-f-]+)\" data-status=\"(\w+)\"", body))
    assert rows == {str(draft.pk): "draft", str(open_wave.pk): "open", str(closed.pk): "closed"}
    assert reverse("dashboard:wave-open", args=[organisation.slug, draft.pk]) in body
    assert reverse("dashboard:wave-close", args=[organisation.slug, open_wave.pk]) in body
    assert reverse("dashboard:wave-links", args=[organisation.slug, open_wave.pk]) in body
    for action in ("wave-open", "wave-close", "wave-links"):
        assert reverse(f"dashboard:{action}", args=[organisation.slug, closed.pk]) not in body
    assert "freezes the team tree with its headcounts" in body and "k = 6" in body
    assert survey.name_en in body and reverse("dashboard:wave-new", args=[organisation.slug]) in body


def test_the_waves_page_in_french_has_french_words_and_dates(hr_admin, organisation, open_wave):
    client = signed_in(hr_admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    body = client.get(reverse("dashboard:waves", args=[organisation.slug])).content.decode()
    assert "Nouvelle vague" in body and "Ouverte" in body and "Vagues et liens" in body
    assert timezone.localtime(open_wave.opens_at).strftime("%d/%m/%Y") in body


def test_opening_freezes_k_and_the_tree_and_is_audited(hr_admin, organisation, draft, teams):
    client = signed_in(hr_admin)
    response = client.post(reverse("dashboard:wave-open", args=[organisation.slug, draft.pk]))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "open" and draft.opens_at is not None
    assert WaveTeam.objects.get(wave=draft, team=teams["dept"]).headcount == 25
    assert AuditEvent.objects.filter(action="wave_opened", detail__wave__id=str(draft.pk), detail__k_min=6).exists()
    # Nothing on the pages edits k: there is no edit page, and the waves page has no k field.
    with pytest.raises(NoReverseMatch):
        reverse("dashboard:wave-edit", args=[organisation.slug, draft.pk])
    body = client.get(reverse("dashboard:waves", args=[organisation.slug])).content.decode()
    assert 'name="k_min"' not in body
    assert client.post(f"/hr/{organisation.slug}/waves/{draft.pk}/", {"k_min": 3}).status_code == 404
    # A second opening (another tab) is the API's 409, and changes nothing.
    again = client.post(reverse("dashboard:wave-open", args=[organisation.slug, draft.pk]))
    assert again.status_code == 409
    assert "Nothing was changed" in again.content.decode()
    opened_at = draft.opens_at
    draft.refresh_from_db()
    assert (draft.k_min, draft.opens_at) == (6, opened_at)


def test_closing_an_open_wave_and_a_wrong_state_is_409(hr_admin, organisation, draft, open_wave):
    client = signed_in(hr_admin)
    refused = client.post(reverse("dashboard:wave-close", args=[organisation.slug, draft.pk]))
    assert refused.status_code == 409
    draft.refresh_from_db()
    assert draft.status == "draft"
    response = client.post(reverse("dashboard:wave-close", args=[organisation.slug, open_wave.pk]), follow=True)
    assert response.redirect_chain[-1][1] == 302
    open_wave.refresh_from_db()
    assert open_wave.status == "closed" and open_wave.closes_at is not None
    assert "is closed" in response.content.decode()
    assert AuditEvent.objects.filter(action="wave_closed", detail__wave__id=str(open_wave.pk)).exists()
    assert client.post(reverse("dashboard:wave-open", args=[organisation.slug, open_wave.pk])).status_code == 409
    open_wave.refresh_from_db()
    assert open_wave.status == "closed"


@pytest.mark.parametrize("action", ["wave-open", "wave-close", "wave-open-link"])
def test_transitions_are_post_only(hr_admin, organisation, draft, action):
    response = signed_in(hr_admin).get(reverse(f"dashboard:{action}", args=[organisation.slug, draft.pk]))
    assert response.status_code == 405
    draft.refresh_from_db()
    assert draft.status == "draft"


# --- Single-use links -----------------------------------------------------------------------------


def test_the_links_page_shows_the_frozen_tree_in_order(hr_admin, open_wave, teams):
    invitations_issue(wave=open_wave, team=teams["team-b"], count=4)
    # A team added after opening is not in the wave's tree, and a rename does not move it.
    late = Team.objects.create(organisation=open_wave.organisation, parent=teams["dept"], slug="late", name="Late")
    team_closure_rebuild(organisation=open_wave.organisation)
    response = signed_in(hr_admin).get(links_url(open_wave))
    assert response.status_code == 200
    body = response.content.decode()
    rows = re.findall(r'<tr data-team="[^"]+" data-slug="([\w-]+)" data-depth="(\d)">', body)
    assert rows == [
        ("all", "0"),
        ("dept", "1"),
        ("team-a", "2"),
        ("team-b", "2"),
        ("team-c", "2"),
        ("other", "1"),
        ("team-d", "2"),
    ]
    assert late.slug not in dict(rows)
    seats = {row.team.slug: (row.headcount, row.seats, row.remaining) for row in response.context["frozen_teams"]}
    assert seats["team-b"] == (10, 4, 6)
    assert seats["dept"] == (25, 0, 21)  # its subtree used 4 of 25
    assert seats["team-a"] == (10, 0, 10)
    assert "Links are shown once." in body
    assert 'id="links-form"' in body and 'id="open-link-form"' in body


def test_links_download_as_csv_that_works_once_each(hr_admin, open_wave, teams):
    response = signed_in(hr_admin).post(links_url(open_wave), {"team": str(teams["team-a"].pk), "count": "3"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Disposition"] == 'attachment; filename="links-autumn-2025-team-a.csv"'
    rows = csv_rows(response)
    assert len(rows) == 3
    assert list(rows[0]) == ["team", "team_path", "link"]
    checked = 0
    for row in rows:
        assert row["team"] == "team-a" and row["team_path"] == "Acme / dept / team-a"
        token = LINK.match(row["link"]).group(1)
        assert Invitation.objects.filter(wave=open_wave, team=teams["team-a"], token_hash=token_hash(token)).exists()
        checked += 1
    assert checked == 3
    assert len({row["link"] for row in rows}) == 3
    assert Invitation.objects.filter(wave=open_wave, reusable=False).count() == 3
    assert WaveTeam.objects.get(wave=open_wave, team=teams["team-a"]).seats == 3
    assert AuditEvent.objects.filter(action="links_issued", detail__count=3).exists()


def test_a_team_named_like_a_formula_is_neutralised_in_the_csv(hr_admin, open_wave, teams):
    teams["team-a"].name = '=HYPERLINK("http://evil","Open")'
    teams["team-a"].save()
    response = signed_in(hr_admin).post(links_url(open_wave), {"team": str(teams["team-a"].pk), "count": "1"})
    [row] = csv_rows(response)
    assert row["team"].startswith("'=")
    assert row["team_path"] == f"Acme / dept / {teams['team-a'].name}"  # starts with the root's name: inert


def test_more_links_than_the_frozen_headcount_are_refused_and_none_issued(hr_admin, open_wave, teams):
    client = signed_in(hr_admin)
    too_many = client.post(links_url(open_wave), {"team": str(teams["team-c"].pk), "count": "6"})
    assert too_many.status_code == 409
    assert "at most 5 more" in too_many.content.decode()
    assert too_many["Content-Type"].startswith("text/html")
    assert not Invitation.objects.filter(wave=open_wave).exists()
    assert WaveTeam.objects.get(wave=open_wave, team=teams["team-c"]).seats == 0
    assert client.post(links_url(open_wave), {"team": str(teams["team-c"].pk), "count": "3"}).status_code == 200
    again = client.post(links_url(open_wave), {"team": str(teams["team-c"].pk), "count": "3"})
    assert again.status_code == 409 and "at most 2 more" in again.content.decode()
    assert Invitation.objects.filter(wave=open_wave).count() == 3
    assert WaveTeam.objects.get(wave=open_wave, team=teams["team-c"]).seats == 3


def test_the_department_above_binds_too(hr_admin, open_wave, teams):
    """dept froze 25 people: 10 + 10 links below it leave 5 for team-c's whole subtree... and for dept."""
    client = signed_in(hr_admin)
    for team in ("team-a", "team-b"):
        assert client.post(links_url(open_wave), {"team": str(teams[team].pk), "count": "10"}).status_code == 200
    refused = client.post(links_url(open_wave), {"team": str(teams["dept"].pk), "count": "6"})
    assert refused.status_code == 409 and "at most 5 more" in refused.content.decode()
    assert Invitation.objects.filter(wave=open_wave).count() == 20


def test_the_service_itself_refuses_links_for_a_closed_wave(open_wave, teams):
    closed = wave_close(wave=open_wave)
    assert open_wave.status == "open"  # a copy read before the close, as a page in another tab holds
    checked = 0
    for wave in (closed, open_wave):
        with pytest.raises(WaveNotIssuable):
            invitations_issue(wave=wave, team=teams["team-a"], count=1)
        with pytest.raises(WaveNotIssuable):
            invitations_issue(wave=wave, team=teams["team-a"], count=1, reusable=True)
        checked += 1
    assert checked == 2
    assert not Invitation.objects.filter(wave=open_wave).exists()


def test_links_for_a_closed_wave_are_gone_through_the_page(hr_admin, open_wave, teams):
    wave_close(wave=open_wave)
    client = signed_in(hr_admin)
    response = client.post(links_url(open_wave), {"team": str(teams["team-a"].pk), "count": "1"})
    assert response.status_code == 410
    assert "closed: it takes no more links. Nothing was issued." in response.content.decode()
    open_link = client.post(
        reverse("dashboard:wave-open-link", args=[open_wave.organisation.slug, open_wave.pk]),
        {"open-team": str(teams["team-a"].pk)},
    )
    assert open_link.status_code == 410
    assert 'id="links-errors"' in open_link.content.decode()
    assert not Invitation.objects.filter(wave=open_wave).exists()
    assert WaveTeam.objects.get(wave=open_wave, team=teams["team-a"]).seats == 0
    page = client.get(links_url(open_wave)).content.decode()
    assert 'id="links-form"' not in page and "takes no more links" in page


def test_links_for_a_draft_wave_are_409(hr_admin, draft, teams):
    response = signed_in(hr_admin).post(links_url(draft), {"team": str(teams["team-a"].pk), "count": "1"})
    assert response.status_code == 409
    assert "Open the wave first" in response.content.decode()
    assert not Invitation.objects.exists()


def test_a_team_outside_the_frozen_tree_is_refused(hr_admin, open_wave, teams, stranger):
    late = Team.objects.create(organisation=open_wave.organisation, parent=teams["dept"], slug="late", name="Late")
    team_closure_rebuild(organisation=open_wave.organisation)
    foreign = Team.objects.get(slug="north")
    client = signed_in(hr_admin)
    checked = 0
    for team in (late.pk, foreign.pk, uuid.uuid4(), "not-a-team", ""):
        response = client.post(links_url(open_wave), {"team": str(team), "count": "1"})
        assert response.status_code == 400
        assert "team" in response.context["links_form"].errors
        checked += 1
    assert checked == 5
    assert not Invitation.objects.filter(wave=open_wave).exists()


@pytest.mark.parametrize("count", ["0", "-1", "abc", "", "2.5", "100001"])
def test_a_bad_count_is_400(hr_admin, open_wave, teams, count):
    response = signed_in(hr_admin).post(links_url(open_wave), {"team": str(teams["team-a"].pk), "count": count})
    assert response.status_code == 400
    assert "count" in response.context["links_form"].errors
    assert 'id="links-errors"' in response.content.decode()
    assert not Invitation.objects.exists()


# --- The open team link -----------------------------------------------------------------------------


def test_the_open_link_is_shown_once_and_replaces_the_earlier_one(hr_admin, open_wave, teams):
    client = signed_in(hr_admin)
    url = reverse("dashboard:wave-open-link", args=[open_wave.organisation.slug, open_wave.pk])
    seen = []
    for _ in range(2):
        response = client.post(url, {"open-team": str(teams["team-b"].pk)})
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]
        body = response.content.decode()
        assert "replaces any earlier open link" in body
        seen.append(LINK.match(re.search(r'id="open-link" class="secret-link" readonly value="([^"]+)"', body)[1])[1])
    [open_link] = Invitation.objects.filter(wave=open_wave, reusable=True)
    assert open_link.team == teams["team-b"]
    assert open_link.token_hash == token_hash(seen[1]) != token_hash(seen[0])
    assert WaveTeam.objects.get(wave=open_wave, team=teams["team-b"]).seats == 0  # answers take seats, not the link


def test_no_open_link_when_the_wave_does_not_allow_it(hr_admin, open_wave, teams):
    open_wave.allow_open_links = False
    open_wave.save(update_fields=["allow_open_links"])
    client = signed_in(hr_admin)
    assert 'id="open-link-form"' not in client.get(links_url(open_wave)).content.decode()
    response = client.post(
        reverse("dashboard:wave-open-link", args=[open_wave.organisation.slug, open_wave.pk]),
        {"open-team": str(teams["team-b"].pk)},
    )
    assert response.status_code == 400
    assert not Invitation.objects.exists()


# --- Who may do it ------------------------------------------------------------------------------------


def every_url(organisation, wave) -> list[str]:
    slug = organisation.slug
    return [
        reverse("dashboard:waves", args=[slug]),
        reverse("dashboard:wave-new", args=[slug]),
        *(reverse(f"dashboard:{name}", args=[slug, wave.pk]) for name in WAVE_URLS),
    ]


WAVE_URLS = ["wave-open", "wave-close", "wave-links", "wave-open-link"]


def test_a_manager_gets_403_everywhere_and_changes_nothing(manager, organisation, draft, open_wave, teams, survey):
    client = signed_in(manager)
    checked = 0
    for wave in (draft, open_wave):
        for url in every_url(organisation, wave):
            assert client.get(url).status_code == 403, url
            posted = client.post(url, {"team": str(teams["team-a"].pk), "count": "1", **new_wave_data(survey)})
            assert posted.status_code == 403, url
            checked += 1
    assert checked == 12
    assert set(Wave.objects.filter(organisation=organisation).values_list("status", flat=True)) == {"draft", "open"}
    assert Wave.objects.filter(organisation=organisation).count() == 2
    assert not Invitation.objects.exists()


def test_a_stranger_gets_404_everywhere(stranger, organisation, draft, open_wave, teams, survey):
    client = signed_in(stranger)
    checked = 0
    for url in every_url(organisation, open_wave):
        assert client.get(url).status_code == 404, url
        assert (
            client.post(url, {"team": str(teams["team-a"].pk), "count": "1", **new_wave_data(survey)}).status_code
            == 404
        )
        checked += 1
    assert checked == 6
    assert not Invitation.objects.filter(wave=open_wave).exists()
    assert Wave.objects.filter(organisation=organisation).count() == 2


def test_the_stranger_cannot_reach_our_wave_through_their_own_organisation(stranger, open_wave, teams):
    globex = Wave.objects.get(name="Globex spring").organisation
    client = signed_in(stranger)
    checked = 0
    for name in WAVE_URLS:
        url = reverse(f"dashboard:{name}", args=[globex.slug, open_wave.pk])
        assert client.post(url, {"team": str(teams["team-a"].pk), "count": "1"}).status_code == 404
        checked += 1
    assert checked == 4
    assert not Invitation.objects.filter(wave=open_wave).exists()


def test_an_unknown_wave_is_404(hr_admin, organisation):
    client = signed_in(hr_admin)
    checked = 0
    for name in WAVE_URLS:
        url = reverse(f"dashboard:{name}", args=[organisation.slug, uuid.uuid4()])
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
        checked += 1
    assert checked == 4
    assert client.get(f"/hr/{organisation.slug}/waves/not-a-uuid/links/").status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(organisation, open_wave):
    response = Client().post(links_url(open_wave), {"count": "1"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("dashboard:login"))


def test_a_post_without_csrf_token_is_refused(hr_admin, organisation, survey, draft, open_wave, teams):
    client = Client(enforce_csrf_checks=True)
    client.force_login(hr_admin)
    posts = [
        (reverse("dashboard:wave-new", args=[organisation.slug]), new_wave_data(survey, name="Forged")),
        (reverse("dashboard:wave-open", args=[organisation.slug, draft.pk]), {}),
        (reverse("dashboard:wave-close", args=[organisation.slug, open_wave.pk]), {}),
        (links_url(open_wave), {"team": str(teams["team-a"].pk), "count": "1"}),
        (
            reverse("dashboard:wave-open-link", args=[organisation.slug, open_wave.pk]),
            {"open-team": str(teams["team-a"].pk)},
        ),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    assert len(posts) == 5
    assert not Wave.objects.filter(name="Forged").exists()
    assert Wave.objects.get(pk=draft.pk).status == "draft" and Wave.objects.get(pk=open_wave.pk).status == "open"
    assert not Invitation.objects.exists()

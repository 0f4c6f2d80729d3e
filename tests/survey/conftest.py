"""The cast of the insider attacks: acme's HR admin, manager and staff representative, and globex,
another organisation with its own HR admin, tree, survey and wave."""

from html.parser import HTMLParser

import pytest
from django.test import Client

from survey.models import Membership, Question, Survey, Team, Wave
from survey.services.members import membership_add
from survey.services.surveys import survey_copy
from tests.conftest import make_tree

Role = Membership.Role


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def hr(organisation):
    return membership_add(organisation=organisation, username="hr-acme", role=Role.HR_ADMIN).user


@pytest.fixture
def hr_client(hr) -> Client:
    return signed_in(hr)


@pytest.fixture
def staff_rep(organisation):
    return membership_add(organisation=organisation, username="rep-acme", role=Role.STAFF_REP).user


@pytest.fixture
def manager(organisation, teams):
    user = membership_add(organisation=organisation, username="mgr-acme", role=Role.MANAGER, team=teams["dept"]).user
    # Staff, as if a superuser had let them into the admin: the role must still forbid every change.
    user.is_staff = True
    user.save()
    return user


@pytest.fixture
def globex(survey):
    organisation, teams = make_tree("globex", {"sales": {"north": 10, "south": 10}})
    own_survey = survey_copy(survey=survey, organisation=organisation)
    wave = Wave.objects.create(organisation=organisation, survey=own_survey, name="Globex spring")
    hr = membership_add(organisation=organisation, username="hr-globex", role=Role.HR_ADMIN).user
    return {"organisation": organisation, "teams": teams, "survey": own_survey, "wave": wave, "hr": hr}


@pytest.fixture
def acme_survey(organisation, survey) -> Survey:
    """acme's own copy of the built-in survey, still editable (no wave uses it yet)."""
    return survey_copy(survey=survey, organisation=organisation)


def scored_question(survey: Survey) -> Question:
    return survey.questions.filter(options__score__isnull=False).distinct().order_by("position").first()


def question_form(question: Question, **option_scores: int) -> dict:
    """The admin's change form of a question and its options, as the browser would post it;
    `option_scores` maps an option value (as "v<value>") to a new score."""
    options = list(question.options.order_by("position"))
    data = {
        "survey": str(question.survey_id),
        "dimension": question.dimension_id or "",
        "code": question.code,
        "type": question.type,
        "position": question.position,
        "text_en": question.text_en,
        "text_fr": question.text_fr,
        "options-TOTAL_FORMS": len(options),
        "options-INITIAL_FORMS": len(options),
        "options-MIN_NUM_FORMS": 0,
        "options-MAX_NUM_FORMS": 1000,
    }
    for index, option in enumerate(options):
        score = option_scores.get(f"v{option.value}", option.score)
        favourable = {None: "unknown", True: "true", False: "false"}[option.favourable]
        data |= {
            f"options-{index}-id": option.pk,
            f"options-{index}-question": question.pk,
            f"options-{index}-value": option.value,
            f"options-{index}-position": option.position,
            f"options-{index}-label_en": option.label_en,
            f"options-{index}-label_fr": option.label_fr,
            f"options-{index}-score": "" if score is None else score,
            f"options-{index}-favourable": favourable,
        }
    return data


def team_form(team: Team, **changes) -> dict:
    return {
        "organisation": str(team.organisation_id),
        "parent": str(team.parent_id or ""),
        "slug": team.slug,
        "name": team.name,
        "headcount": team.headcount,
        "external_id": team.external_id,
    } | changes


class _FormFields(HTMLParser):
    """The fields a browser would post from a page's answer form: inputs, checked boxes,
    textareas; `submit` names the button pressed."""

    def __init__(self, submit: str | None) -> None:
        super().__init__()
        self.submit, self.fields, self._textarea, self._in_form = submit, [], None, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "form":
            self._in_form = attrs.get("action") == "/s/questions/"  # not the language switch
        if not self._in_form:
            return
        if tag == "textarea":
            self._textarea = [name, ""]
        elif tag == "input" and name and name != "csrfmiddlewaretoken":
            kind = attrs.get("type", "text")
            if kind not in ("radio", "checkbox") or "checked" in attrs:
                self.fields.append((name, attrs.get("value", "")))
        elif tag == "button" and name and attrs.get("value") == self.submit:
            self.fields.append((name, attrs["value"]))

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        if tag == "textarea" and self._textarea is not None:
            # The HTML parser drops the newline that may open a textarea's content.
            name, text = self._textarea
            self.fields.append((name, text[1:] if text.startswith("\n") else text))
            self._textarea = None


def form_fields(response, submit: str | None = None, **changes: str) -> dict[str, list[str]]:
    """The page's form as the browser would post it after pressing `submit`, with `changes`
    typed over some fields (a textarea, or a hidden field tampered with)."""
    parser = _FormFields(submit)
    parser.feed(response.content.decode())
    data: dict[str, list[str]] = {}
    for name, value in parser.fields:
        data.setdefault(name, []).append(value)
    for name, value in changes.items():
        data[name] = [value]
    return data

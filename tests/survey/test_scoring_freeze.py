"""Attack: once answers come in, HR rescores one option to 100 and every other to 0, republishes,
and reads off who picked it. Scoring must be frozen as soon as a wave leaves draft."""

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction

from survey.models import AuditEvent, Dimension, Option, Question, Wave
from survey.services.instrument import instrument_load_builtin
from survey.services.scoring import FROZEN_MESSAGE
from survey.services.surveys import survey_copy
from survey.services.waves import wave_close, wave_open
from tests.survey.conftest import question_form, scored_question


@pytest.fixture
def opened_survey(organisation, acme_survey):
    wave = Wave.objects.create(organisation=organisation, survey=acme_survey, name="Opened")
    wave_open(wave=wave)
    return acme_survey


def test_orm_save_of_an_option_score_is_refused_once_a_wave_opened(opened_survey):
    option = Option.objects.filter(question__survey=opened_survey, score__isnull=False).first()
    option.score = 100 - option.score
    with pytest.raises(ValidationError, match=FROZEN_MESSAGE):
        option.save()
    option.favourable = not option.favourable
    with pytest.raises(ValidationError, match=FROZEN_MESSAGE):
        option.save(update_fields=["favourable"])


def test_deleting_adding_or_renaming_scoring_rows_is_refused_once_a_wave_opened(opened_survey):
    question = scored_question(opened_survey)
    dimension = opened_survey.dimensions.last()
    dimension.kind = Dimension.Kind.ENPS if dimension.kind == Dimension.Kind.MEAN else Dimension.Kind.MEAN
    attempts = [
        question.options.first().delete,
        question.delete,
        lambda: Option.objects.create(question=question, value=99, label_en="x", label_fr="x", score=100),
        lambda: Question.objects.create(survey=opened_survey, code="probe", type="likert", text_en="?", text_fr="?"),
        lambda: Dimension.objects.create(survey=opened_survey, code="probe", name_en="x", name_fr="x"),
        dimension.save,
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError, match=FROZEN_MESSAGE), transaction.atomic():
            attempt()
    assert len(attempts) == 6


def test_moving_a_question_to_another_dimension_is_refused_once_a_wave_opened(opened_survey):
    question = scored_question(opened_survey)
    question.dimension = opened_survey.dimensions.exclude(pk=question.dimension_id).first()
    with pytest.raises(ValidationError, match=FROZEN_MESSAGE):
        question.save()


def test_a_closed_wave_keeps_the_scoring_frozen(organisation, acme_survey):
    wave = wave_open(wave=Wave.objects.create(organisation=organisation, survey=acme_survey, name="Past"))
    wave_close(wave=wave)
    option = Option.objects.filter(question__survey=acme_survey, score__isnull=False).first()
    option.score = 0 if option.score else 100
    with pytest.raises(ValidationError, match=FROZEN_MESSAGE):
        option.save()


def test_bulk_update_and_raw_sql_are_refused_by_the_database(opened_survey):
    """What skips the model signals (QuerySet.update, raw SQL) meets the PostgreSQL trigger."""
    options = Option.objects.filter(question__survey=opened_survey, score__isnull=False)
    scores = list(options.values_list("score", flat=True))
    with pytest.raises(DatabaseError, match="copy it to change its scoring"), transaction.atomic():
        options.update(score=0)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE survey_option SET score = 100 WHERE id = %s", [options.first().pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM survey_question WHERE survey_id = %s", [opened_survey.pk])
    assert list(options.values_list("score", flat=True)) == scores and scores


def test_the_wave_cannot_swap_its_survey_or_go_back_to_draft(organisation, opened_survey, acme_survey):
    wave = Wave.objects.get(survey=opened_survey)
    wave.survey = survey_copy(survey=opened_survey, organisation=organisation)
    with pytest.raises(ValidationError, match="survey"):
        wave.save()
    wave.refresh_from_db()
    wave.status = Wave.Status.DRAFT
    with pytest.raises(ValidationError, match="draft"):
        wave.save()


def test_the_admin_shows_frozen_scoring_read_only_and_refuses_the_post(hr_client, opened_survey):
    question = scored_question(opened_survey)
    option = question.options.exclude(score=None).first()
    score = option.score
    page = hr_client.get(f"/admin/survey/question/{question.pk}/change/")
    assert page.status_code == 200 and b'name="options-0-score"' not in page.content
    posted = hr_client.post(
        f"/admin/survey/question/{question.pk}/change/",
        question_form(question, **{f"v{option.value}": 0 if score else 100}),
    )
    assert posted.status_code == 403
    survey_page = hr_client.get(f"/admin/survey/survey/{opened_survey.pk}/change/")
    assert survey_page.status_code == 200 and b'name="dimensions-0-code"' not in survey_page.content
    option.refresh_from_db()
    assert option.score == score


def test_a_draft_survey_stays_editable_and_its_edits_are_audited(hr_client, acme_survey):
    question = scored_question(acme_survey)
    option = question.options.exclude(score=None).order_by("position").first()
    posted = hr_client.post(
        f"/admin/survey/question/{question.pk}/change/", question_form(question, **{f"v{option.value}": 42})
    )
    assert posted.status_code == 302, posted.content
    option.refresh_from_db()
    assert option.score == 42
    event = AuditEvent.objects.get(action=AuditEvent.Action.SCORING_CHANGED)
    assert event.actor == "user:hr-acme"
    assert event.detail["item"] == {"type": "option", "label": f"{question.code}={option.value}"}
    assert event.detail["changes"]["score"][1] == 42


def test_a_copy_of_a_frozen_survey_can_be_rescored(organisation, opened_survey):
    copy = survey_copy(survey=opened_survey, organisation=organisation)
    assert copy.code != opened_survey.code
    assert copy.questions.count() == opened_survey.questions.count() > 0
    assert (
        Option.objects.filter(question__survey=copy).count()
        == Option.objects.filter(question__survey=opened_survey).count()
    )
    option = Option.objects.filter(question__survey=copy, score__isnull=False).first()
    option.score = 0 if option.score else 100
    option.save()


def test_reloading_the_unchanged_built_in_instrument_still_works(wave):
    """The built-in survey is frozen by the open `wave`; saving rows that do not change is no change."""
    before = AuditEvent.objects.count()
    instrument_load_builtin()
    assert AuditEvent.objects.count() == before

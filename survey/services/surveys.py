"""Writes on questionnaires."""

from django.db import models, transaction

from survey.models import AuditEvent, Dimension, Option, Organisation, Question, Survey
from survey.services.audit import audit_record


def _fields(instance: models.Model, **overrides: object) -> dict:
    """Every stored value of `instance` but its primary key, for a copy."""
    values = {field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields}
    values.pop(instance._meta.pk.attname)
    return values | overrides


def _free_code(survey: Survey, organisation: Organisation) -> str:
    taken = set(Survey.objects.filter(organisation=organisation).values_list("code", flat=True))
    code, suffix = survey.code, 2
    while code in taken:
        code, suffix = f"{survey.code[:44]}-{suffix}", suffix + 1
    return code


@transaction.atomic
def survey_copy(*, survey: Survey, organisation: Organisation) -> Survey:
    """An editable copy of `survey` (a built-in template, or one frozen by an opened wave) in
    `organisation`, with its dimensions, questions and options.

    Bulk inserts skip the per-row signals: the copy is one audited action (survey_copied), not
    hundreds of scoring changes, and the new survey has no wave that could freeze it.
    """
    code = _free_code(survey, organisation)
    renamed = code != survey.code
    copy = Survey.objects.create(
        **_fields(
            survey,
            organisation_id=organisation.pk,
            code=code,
            name_en=f"{survey.name_en} (copy)" if renamed else survey.name_en,
            name_fr=f"{survey.name_fr} (copie)" if renamed else survey.name_fr,
        )
    )
    dimensions = {
        dimension.pk: Dimension(**_fields(dimension, survey_id=copy.pk)) for dimension in survey.dimensions.all()
    }
    Dimension.objects.bulk_create(dimensions.values())
    questions = {
        question.pk: Question(
            **_fields(
                question,
                survey_id=copy.pk,
                dimension_id=dimensions[question.dimension_id].pk if question.dimension_id else None,
            )
        )
        for question in survey.questions.all()
    }
    Question.objects.bulk_create(questions.values())
    Option.objects.bulk_create(
        Option(**_fields(option, question_id=questions[option.question_id].pk))
        for option in Option.objects.filter(question__survey=survey)
    )
    audit_record(
        organisation=organisation,
        action=AuditEvent.Action.SURVEY_COPIED,
        detail={"from_survey": str(survey.pk), "from_code": survey.code, "survey": str(copy.pk), "code": code},
    )
    return copy

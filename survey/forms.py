"""Turns the answer form's POST data into the shape the submission service checks."""

from django.http import QueryDict

from survey.models import Question, Survey


def _number(raw: str) -> int | str:
    # Non-numbers pass through unchanged so the service names them in its error message.
    return int(raw) if raw.lstrip("-").isdigit() else raw


def answers_from_post(*, survey: Survey, data: QueryDict) -> dict[str, object]:
    answers: dict[str, object] = {}
    for question in survey.questions.all():
        if question.is_multiple:
            answers[question.code] = [_number(raw) for raw in data.getlist(question.code)]
        elif question.type == Question.Type.TEXT:
            answers[question.code] = data.get(question.code, "")
        elif data.get(question.code, ""):
            answers[question.code] = _number(data[question.code])
    return answers

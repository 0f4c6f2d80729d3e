"""Validation of a submitted answer set against the wave's questionnaire."""

from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from survey.models import Question, Survey
from survey.services.errors import AnswersInvalid
from survey.services.scrub import scrub


@dataclass
class CleanAnswers:
    values: dict[int, int] = field(default_factory=dict)  # question id -> stored value
    comments: dict[int, str] = field(default_factory=dict)  # question id -> scrubbed text


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _clean_one(question: Question, allowed: set[int], value: object, language: str | None) -> int | str:
    """The stored form of one answer, or ValueError with a message for the respondent."""
    if question.is_text:
        if not isinstance(value, str):
            raise ValueError(_("Expected text."))
        if len(value) > settings.PULSE_MAX_TEXT_LENGTH:
            raise ValueError(_("Too long: at most %(max)d characters.") % {"max": settings.PULSE_MAX_TEXT_LENGTH})
        return scrub(value, language).text
    if question.is_multiple:
        if not isinstance(value, list) or not all(_is_int(item) for item in value):
            raise ValueError(_("Expected a list of option values."))
        unknown = sorted(set(value) - allowed)
        if unknown:
            raise ValueError(_("Unknown option(s): %(values)s.") % {"values": ", ".join(map(str, unknown))})
        return sum(1 << item for item in set(value))
    if not _is_int(value):
        raise ValueError(_("Expected a whole number."))
    if value not in allowed:
        raise ValueError(
            _("Out of range: expected one of %(values)s.") % {"values": ", ".join(map(str, sorted(allowed)))}
        )
    return value


def answers_clean(*, survey: Survey, answers: object, language: str | None = None) -> CleanAnswers:
    """Checks every answer, collecting one message per bad question code. Free text is scrubbed
    here, before it goes anywhere else; `language` is the respondent's ("fr", "en") when known.

    Missing, null, empty-string and empty-list answers are skipped questions, never errors.
    """
    if not isinstance(answers, dict):
        raise AnswersInvalid({"answers": _("Expected an object mapping question codes to answers.")})
    questions = {question.code: question for question in survey.questions.prefetch_related("options")}
    clean, errors = CleanAnswers(), {}
    for code, value in answers.items():
        question = questions.get(code)
        if question is None:
            errors[str(code)] = _("Unknown question code.")
            continue
        if value is None or value == "" or value == []:
            continue
        try:
            stored = _clean_one(question, {option.value for option in question.options.all()}, value, language)
        except ValueError as error:
            errors[code] = str(error)
            continue
        if isinstance(stored, str):
            if stored:
                clean.comments[question.id] = stored
        else:
            clean.values[question.id] = stored
    if errors:
        raise AnswersInvalid(errors)
    return clean

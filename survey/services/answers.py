"""Validation of a submitted answer set against the wave's questionnaire."""

from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from survey.models import Question, Survey
from survey.questionnaire import survey_questionnaire
from survey.services.errors import AnswersInvalid
from survey.services.scrub import ScrubResult, scrub


@dataclass
class CleanAnswers:
    values: dict[int, int] = field(default_factory=dict)  # question id -> stored value
    comments: dict[int, str] = field(default_factory=dict)  # question id -> scrubbed text
    # Question code -> the scrubber's result, for every text answer: what the confirmation page marks.
    scrubbed: dict[str, ScrubResult] = field(default_factory=dict)
    survey_id: object = None

    @property
    def changed(self) -> bool:
        """Whether scrubbing removed anything from any comment: the person should see it first."""
        return any(result.changed for result in self.scrubbed.values())

    @property
    def stored_comments(self) -> dict[str, str]:
        """Question code -> the comment exactly as stored (empty comments are not stored)."""
        return {code: result.text for code, result in self.scrubbed.items() if result.text}


# An error body names at most this many answers (and says how many were bad): a body of 150,000
# unknown codes must not come back as 5 MB of "Unknown question code."
MAX_REPORTED_ERRORS = 10
# Codes and option values echoed in a message are cut to this: the message must stay small.
MAX_ECHOED = 40


def _echo(text: object) -> str:
    text = str(text)
    return text if len(text) <= MAX_ECHOED else text[: MAX_ECHOED - 1] + "…"


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _clean_one(question: Question, allowed: frozenset[int], value: object, language: str | None) -> int | ScrubResult:
    """The stored form of one answer (for text, the scrubber's result), or ValueError with a
    message for the respondent."""
    if question.is_text:
        if not isinstance(value, str):
            raise ValueError(_("Expected text."))
        if len(value) > settings.PULSE_MAX_TEXT_LENGTH:
            raise ValueError(_("Too long: at most %(max)d characters.") % {"max": settings.PULSE_MAX_TEXT_LENGTH})
        if "\x00" in value:
            # PostgreSQL cannot store it (a 500 at the INSERT), and no keyboard types it.
            raise ValueError(_("Contains a null character (\\u0000), which text cannot hold."))
        return scrub(value, language)
    if question.is_multiple:
        if not isinstance(value, list) or not all(_is_int(item) for item in value):
            raise ValueError(_("Expected a list of option values."))
        unknown = sorted(set(value) - allowed)
        if unknown:
            shown = ", ".join(_echo(item) for item in unknown[:5]) + (", …" if len(unknown) > 5 else "")
            raise ValueError(_("Unknown option(s): %(values)s.") % {"values": shown})
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

    Missing, null, empty-string and empty-list answers are skipped questions, never errors. The
    AnswersInvalid raised for bad answers carries the scrubbed comments too, so that a page
    asking for corrections can show them without echoing what was typed.
    """
    if not isinstance(answers, dict):
        raise AnswersInvalid({"answers": _("Expected an object mapping question codes to answers.")})
    questionnaire = survey_questionnaire(survey=survey)
    if len(answers) > len(questionnaire.questions):
        # More answers than questions: some codes are unknown. Said before any answer is checked,
        # so that the cost of a bad request never grows with its number of keys.
        unknown = [code for code in answers if code not in questionnaire.by_code]
        errors = {_echo(code): _("Unknown question code.") for code in unknown[:MAX_REPORTED_ERRORS]}
        raise AnswersInvalid(errors, count=len(unknown))
    clean, errors = CleanAnswers(survey_id=survey.pk), {}
    for code, value in answers.items():
        question = questionnaire.by_code.get(code)
        if question is None:
            errors[_echo(code)] = _("Unknown question code.")
            continue
        if value is None or value == "" or value == []:
            continue
        try:
            stored = _clean_one(question, questionnaire.values[question.id], value, language)
        except ValueError as error:
            errors[code] = str(error)
            continue
        if isinstance(stored, int):
            clean.values[question.id] = stored
        else:
            clean.scrubbed[code] = stored
            if stored.text:
                clean.comments[question.id] = stored.text
    if errors:
        reported = dict(list(errors.items())[:MAX_REPORTED_ERRORS])
        raise AnswersInvalid(reported, scrubbed=clean.scrubbed, count=len(errors))
    return clean

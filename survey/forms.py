"""The answer form's POST data, both ways: into the shape the submission service checks, and back
into the fields of the confirmation page (PRODUCT.md rule 8)."""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.http import QueryDict

from survey.models import Question, Survey
from survey.questionnaire import survey_questionnaire
from survey.services.answers import CleanAnswers
from survey.services.scrub import ScrubResult, removed_label, scrub

# The confirmation page's two buttons.
CONFIRM, EDIT = "confirm", "edit"


def _number(raw: str) -> int | str:
    # Non-numbers pass through unchanged so the service names them in its error message.
    return int(raw) if raw.lstrip("-").isdigit() else raw


def answers_from_post(*, survey: Survey, data: QueryDict) -> dict[str, object]:
    answers: dict[str, object] = {}
    for question in survey_questionnaire(survey=survey).questions:
        if question.is_multiple:
            answers[question.code] = [_number(raw) for raw in data.getlist(question.code)]
        elif question.type == Question.Type.TEXT:
            answers[question.code] = data.get(question.code, "")
        elif data.get(question.code, ""):
            answers[question.code] = _number(data[question.code])
    return answers


def comment_digest(text: str) -> str:
    """Which text the confirmation page showed, without a second copy of it: browsers send a
    textarea's line breaks as CRLF whatever the page held."""
    return hashlib.sha256(text.replace("\r\n", "\n").strip().encode()).hexdigest()


def _reviewed(data: QueryDict) -> list[str]:
    """The comments the confirmation page showed, when this POST comes from it."""
    return data.getlist("review") if data.get("action") in (CONFIRM, EDIT) else []


def confirmation_needed(*, data: QueryDict, clean: CleanAnswers) -> bool:
    """Whether the confirmation page comes (again) instead of storing: scrubbing changed a
    comment, or the person asked to check an edit, or a comment is not the one the page showed
    them. So a comment that scrubbing changed is stored only in the form the person last saw,
    and a comment it left alone never meets the page."""
    if clean.changed or data.get("action") == EDIT:
        return True
    stored = clean.stored_comments
    return any(data.get(f"shown-{code}") != comment_digest(stored.get(code, "")) for code in _reviewed(data))


@dataclass(frozen=True)
class Segment:
    text: str
    kind: str | None  # None for the person's own words

    @property
    def label(self) -> str:
        return removed_label(self.kind) if self.kind else ""


@dataclass(frozen=True)
class CommentReview:
    """One comment on the confirmation page: exactly as it will be stored, what was removed marked."""

    question: Question
    scrubbed: ScrubResult | None  # None: the person emptied it

    @property
    def text(self) -> str:
        return self.scrubbed.text if self.scrubbed else ""

    @property
    def digest(self) -> str:
        return comment_digest(self.text)

    @property
    def segments(self) -> list[Segment]:
        """The parts of `text`: its ends trimmed as the stored text is."""
        parts = list(self.scrubbed.parts) if self.scrubbed else []
        if parts and parts[0][1] is None:
            parts[0] = (parts[0][0].lstrip(), None)
        if parts and parts[-1][1] is None:
            parts[-1] = (parts[-1][0].rstrip(), None)
        return [Segment(text, kind) for text, kind in parts if text]


def comment_reviews(*, survey: Survey, data: QueryDict, clean: CleanAnswers) -> list[CommentReview]:
    """The comments the confirmation page shows, in questionnaire order: those scrubbing changed
    now, and those the page already showed (an edit keeps its place even once nothing is removed)."""
    shown = {code for code, result in clean.scrubbed.items() if result.changed} | set(_reviewed(data))
    return [
        CommentReview(question=question, scrubbed=clean.scrubbed.get(question.code))
        for question in survey_questionnaire(survey=survey).questions
        if question.is_text and question.code in shown
    ]


def hidden_fields(
    *, survey: Survey, answers: dict[str, object], clean: CleanAnswers, reviews: list[CommentReview]
) -> list[tuple[str, str]]:
    """The person's other answers as (name, value) fields that post back as the questions page
    did: choices as given (checked again when the page posts), comments as they will be stored."""
    on_page = {review.question.code for review in reviews}
    stored = clean.stored_comments
    fields: list[tuple[str, str]] = []
    for question in survey_questionnaire(survey=survey).questions:
        code = question.code
        if code in on_page:
            continue
        if question.is_text:
            if code in stored:
                fields.append((code, stored[code]))
            continue
        value = answers.get(code)
        if isinstance(value, list):
            fields.extend((code, str(item)) for item in value)
        elif value is not None:
            fields.append((code, str(value)))
    return fields


# The confirmation page's own fields: the page that keeps answers while the database is away
# sends them back as from the questions page, which takes them from the first step again.
STEP_FIELDS = {"csrfmiddlewaretoken", "action", "review"}


def kept_answers(*, data: QueryDict, language: str | None) -> tuple[list[tuple[str, str]], list[str]]:
    """The posted answers as (name, value) fields to post again, for a page that cannot read the
    questionnaire (the database is down): choices as posted, any other text as it would be stored
    (scrubbed; too long to check, dropped), never as typed. Returns the fields and those texts."""
    fields: list[tuple[str, str]] = []
    comments: list[str] = []
    for name, values in data.lists():
        if name in STEP_FIELDS or name.startswith("shown-"):
            continue
        for value in values:
            if value.lstrip("-").isdigit():
                fields.append((name, value))
            elif value.strip() and len(value) <= settings.PULSE_MAX_TEXT_LENGTH:
                stored = scrub(value, language).text
                fields.append((name, stored))
                comments.append(stored)
    return fields, comments

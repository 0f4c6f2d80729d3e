"""A survey's questions and options as every employee page and every submission reads them.

Once a wave of a survey has left draft its dimensions, questions and options never change again
(survey.services.scoring, enforced by signals and a PostgreSQL trigger): so such a survey is read
once per process and kept. Every submission used to read the same ~170 rows two or three times.
A survey no wave has opened is read afresh each time (HR may still be editing it). Survey ids are
random UUIDs, never reused, so a kept entry can only ever describe its own survey.
"""

from dataclasses import dataclass

from survey.models import Dimension, Question, Survey
from survey.services.scoring import survey_scoring_frozen


@dataclass(frozen=True)
class QuestionGroup:
    dimension: Dimension | None
    questions: list[Question]


@dataclass(frozen=True)
class Questionnaire:
    questions: tuple[Question, ...]  # in questionnaire order, options prefetched in theirs
    by_code: dict[str, Question]
    values: dict[int, frozenset[int]]  # question id -> its options' values

    @property
    def groups(self) -> list[QuestionGroup]:
        """Questions grouped by dimension in questionnaire order (free text last, in its own group)."""
        groups: list[QuestionGroup] = []
        for question in self.questions:
            if not groups or groups[-1].dimension != question.dimension:
                groups.append(QuestionGroup(dimension=question.dimension, questions=[]))
            groups[-1].questions.append(question)
        return groups


_frozen: dict[object, Questionnaire] = {}


def survey_questionnaire(*, survey: Survey) -> Questionnaire:
    kept = _frozen.get(survey.pk)
    if kept is not None:
        return kept
    # Frozen first, then read: a survey found frozen cannot change after this point.
    frozen = survey_scoring_frozen(survey_id=survey.pk)
    questions = tuple(survey.questions.select_related("dimension").prefetch_related("options").order_by("position"))
    questionnaire = Questionnaire(
        questions=questions,
        by_code={question.code: question for question in questions},
        values={question.id: frozenset(option.value for option in question.options.all()) for question in questions},
    )
    if frozen:
        _frozen[survey.pk] = questionnaire
    return questionnaire

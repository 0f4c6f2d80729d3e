"""The scoring rules kept in the survey's options, and the cells every team has (`cell_layout`)
with their n, from per-team counts: what the disclosure gate judges. The same cells' values are
computed in SQL from the same counts (analytics.services.cell_values).

Works on aggregates only (one row per team x question x value), never on answers.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from analytics.disclosure import Node, RawCell
from survey.models import Dimension, Question, Survey

PARTICIPATION = "participation"
ANSWERED = -1  # the count value of "answered this multiple-choice question"


@dataclass(frozen=True)
class QuestionRule:
    id: int
    code: str
    type: str
    dimension: str | None
    options: dict[int, tuple[int | None, bool | None]]  # value -> (score, favourable)

    @property
    def scored(self) -> bool:
        return any(score is not None for score, _ in self.options.values())


@dataclass(frozen=True)
class SurveyRules:
    questions: dict[int, QuestionRule]
    dimensions: dict[str, str]  # code -> kind


def survey_rules(survey: Survey) -> SurveyRules:
    questions = {}
    for question in survey.questions.select_related("dimension").prefetch_related("options"):
        questions[question.id] = QuestionRule(
            id=question.id,
            code=question.code,
            type=question.type,
            dimension=question.dimension.code if question.dimension else None,
            options={option.value: (option.score, option.favourable) for option in question.options.all()},
        )
    dimensions = dict(survey.dimensions.values_list("code", "kind"))
    return SurveyRules(questions=questions, dimensions=dimensions)


@dataclass(frozen=True)
class CellSpec:
    """One cell that every team has: the single enumeration that the gate (which judges n) and
    the values (which publish n) both walk, so the n published is the n judged."""

    kind: str
    code: str
    group: str  # measures that share a suppression pattern
    comments: bool = False
    question: QuestionRule | None = None  # question and comment cells
    dimension_kind: str | None = None
    members: tuple[QuestionRule, ...] = ()  # a dimension's scored questions, in survey order


def cell_layout(rules: SurveyRules) -> list[CellSpec]:
    specs = [CellSpec(kind=PARTICIPATION, code=PARTICIPATION, group=PARTICIPATION)]
    for rule in rules.questions.values():
        if rule.type == Question.Type.TEXT:
            specs.append(
                CellSpec(kind="comments", code=rule.code, group=f"comments:{rule.code}", comments=True, question=rule)
            )
        else:
            specs.append(CellSpec(kind="question", code=rule.code, group=f"dimension:{rule.dimension}", question=rule))
    for code, kind in rules.dimensions.items():
        members = tuple(
            rule
            for rule in rules.questions.values()
            if rule.dimension == code and rule.type != Question.Type.TEXT and rule.scored
        )
        specs.append(
            CellSpec(kind="dimension", code=code, group=f"dimension:{code}", dimension_kind=kind, members=members)
        )
    return specs


def question_size(rule: QuestionRule, *, total: int, answered: int) -> int:
    """A question's n from its rolled counts: `total` over all values, `answered` the ANSWERED row.
    A multiple-choice question's n is the people who answered it, not the sum of its ticks."""
    return answered if rule.type == Question.Type.MULTIPLE else total


def dimension_size(kind: str, question_sizes: list[int]) -> int:
    """A dimension's n: the smallest n of its answered scored questions, so that every question
    entering the mean stands on at least that many people; eNPS is read from its first answered
    question alone."""
    answered = [n for n in question_sizes if n]
    if not answered:
        return 0
    return answered[0] if kind == Dimension.Kind.ENPS else min(answered)


def cell_size(spec: CellSpec, *, question_n: dict[int, int], responses: int) -> int:
    """The n of one cell of one team, from its questions' n and its responses: the only place a
    cell's n is defined."""
    if spec.kind == PARTICIPATION:
        return responses
    if spec.question is not None:
        return question_n.get(spec.question.id, 0)
    return dimension_size(spec.dimension_kind, [question_n.get(rule.id, 0) for rule in spec.members])


def _sized(spec: CellSpec, team: Node, n: int) -> RawCell:
    return RawCell(team=team, kind=spec.kind, code=spec.code, group=spec.group, n=n, comments=spec.comments)


def cell_sizes(
    *, rules: SurveyRules, teams: Iterable[Node], question_n: dict[tuple[Node, int], int], responses: dict[Node, int]
) -> list[RawCell]:
    """Every cell of `cell_layout` for each team, with only its n: all the disclosure gate needs,
    from one small GROUP BY (team, question) instead of the full distributions; the values of the
    same cells are computed in SQL (analytics.services.cell_values). `question_n` holds
    `question_size` per (team, question id)."""
    layout = cell_layout(rules)
    by_team: dict[Node, dict[int, int]] = defaultdict(dict)
    for (team, question), n in question_n.items():
        by_team[team][question] = n
    return [
        _sized(spec, team, cell_size(spec, question_n=by_team.get(team, {}), responses=responses.get(team, 0)))
        for team in teams
        for spec in layout
    ]

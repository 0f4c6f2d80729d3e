"""From per-team answer counts to raw cells, using the scoring rules kept in the survey's options.

Works on aggregates only (one row per team x question x value), never on answers.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from analytics.disclosure import Node, RawCell
from survey.models import Dimension, Question, Survey

PARTICIPATION = "participation"
ANSWERED = -1  # the rolled-count value of "answered this multiple-choice question"


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


def _question_values(cell: RawCell, rule: QuestionRule, counts: dict[int, int]) -> None:
    if rule.type == Question.Type.MULTIPLE:
        # Rolled counts hold people per ticked option, and ANSWERED: people who answered at all.
        cell.distribution = {str(option): counts.get(option, 0) for option in rule.options}
        return
    cell.distribution = {str(value): count for value, count in sorted(counts.items())}
    scored = [
        (rule.options[value][0], count)
        for value, count in counts.items()
        if rule.options.get(value, (None,))[0] is not None
    ]
    scored_n = sum(count for _, count in scored)
    if scored_n:
        cell.score = round(sum(score * count for score, count in scored) / scored_n, 1)
        favourable = sum(count for value, count in counts.items() if rule.options.get(value, (None, None))[1])
        cell.favourable_pct = round(100 * favourable / cell.n, 1)


def _dimension_values(cell: RawCell, spec: CellSpec, questions: dict[int, RawCell]) -> None:
    answered = [questions[rule.id] for rule in spec.members if questions[rule.id].n]
    if not answered:
        return
    if spec.dimension_kind == Dimension.Kind.ENPS:
        source = answered[0]
        counts = {int(value): count for value, count in source.distribution.items()}
        promoters = sum(count for value, count in counts.items() if value >= 9)
        detractors = sum(count for value, count in counts.items() if value <= 6)
        cell.score = round(100 * (promoters - detractors) / source.n, 1)
        cell.favourable_pct = round(100 * promoters / source.n, 1)
        return
    cell.score = round(sum(source.score for source in answered) / len(answered), 1)
    cell.favourable_pct = round(sum(source.favourable_pct for source in answered) / len(answered), 1)


def _comment_values(cell: RawCell, team: Node, rule: QuestionRule, breakdowns: dict) -> None:
    breakdown = breakdowns.get((team, rule.id))
    # The breakdown counts the very comments the cell's n counts (both follow the release plan);
    # a breakdown that disagrees (comments released before they were scored) is left out, not shown.
    if breakdown and breakdown["n"] == cell.n:
        cell.distribution = {"sentiment": dict(breakdown["sentiment"]), "themes": dict(breakdown["themes"])}


def _sized(spec: CellSpec, team: Node, n: int) -> RawCell:
    return RawCell(team=team, kind=spec.kind, code=spec.code, group=spec.group, n=n, comments=spec.comments)


def raw_cells(
    *,
    rules: SurveyRules,
    teams: Iterable[Node],
    counts: Iterable[tuple[Node, int, int, int]],
    responses: dict[Node, int],
    headcounts: dict[Node, int],
    comment_breakdowns: dict[tuple[Node, int], dict] | None = None,
) -> list[RawCell]:
    """All cells of `teams` with their values, in `cell_layout` order: counts are (team, question
    id, value, n) rolled up the tree (a text question's count, under value 0, is its number of
    comments), `responses` per team rolled up too, `headcounts` as HR entered them.
    `comment_breakdowns` (team, question id) -> sentiment and theme counts of the same released
    comments become a comment cell's distribution."""
    by_team: dict[Node, dict[int, dict[int, int]]] = defaultdict(lambda: defaultdict(dict))
    for team, question_id, value, n in counts:
        by_team[team][question_id][value] = n
    layout = cell_layout(rules)
    cells: list[RawCell] = []
    for team in teams:
        team_counts = by_team[team]
        question_n = {
            rule.id: question_size(
                rule, total=sum(team_counts[rule.id].values()), answered=team_counts[rule.id].get(ANSWERED, 0)
            )
            for rule in rules.questions.values()
            if rule.id in team_counts
        }
        answered = responses.get(team, 0)
        questions: dict[int, RawCell] = {}
        for spec in layout:
            cell = _sized(spec, team, cell_size(spec, question_n=question_n, responses=answered))
            if spec.kind == PARTICIPATION:
                headcount = headcounts.get(team, 0)
                cell.score = round(100 * answered / headcount, 1) if headcount else None
            elif spec.comments:
                _comment_values(cell, team, spec.question, comment_breakdowns or {})
            elif spec.question is not None:
                _question_values(cell, spec.question, team_counts.get(spec.question.id, {}))
                questions[spec.question.id] = cell
            else:
                _dimension_values(cell, spec, questions)
            cells.append(cell)
    return cells


def cell_sizes(
    *, rules: SurveyRules, teams: Iterable[Node], question_n: dict[tuple[Node, int], int], responses: dict[Node, int]
) -> list[RawCell]:
    """The same cells as `raw_cells` (the same `cell_layout`, the same `cell_size`) with only their
    n: all the disclosure gate needs, from one small GROUP BY (team, question) instead of the full
    distributions. `question_n` holds `question_size` per (team, question id)."""
    layout = cell_layout(rules)
    by_team: dict[Node, dict[int, int]] = defaultdict(dict)
    for (team, question), n in question_n.items():
        by_team[team][question] = n
    return [
        _sized(spec, team, cell_size(spec, question_n=by_team.get(team, {}), responses=responses.get(team, 0)))
        for team in teams
        for spec in layout
    ]

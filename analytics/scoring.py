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


def _question_cell(team: Node, rule: QuestionRule, counts: dict[int, int]) -> RawCell:
    group = f"dimension:{rule.dimension}"
    if rule.type == Question.Type.MULTIPLE:
        # Rolled counts hold people per ticked option, and ANSWERED: people who answered at all.
        cell = RawCell(team=team, kind="question", code=rule.code, group=group, n=counts.get(ANSWERED, 0))
        cell.distribution = {str(option): counts.get(option, 0) for option in rule.options}
        return cell
    n = sum(counts.values())
    cell = RawCell(team=team, kind="question", code=rule.code, group=group, n=n)
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
        cell.favourable_pct = round(100 * favourable / n, 1)
    return cell


def dimension_size(kind: str, question_sizes: list[int]) -> int:
    """A dimension's n: the smallest n of its answered scored questions, so that every question
    entering the mean stands on at least that many people (eNPS has a single question)."""
    answered = [n for n in question_sizes if n]
    return min(answered) if answered else 0


def _dimension_cell(team: Node, code: str, kind: str, questions: list[tuple[QuestionRule, RawCell]]) -> RawCell:
    answered = [(rule, cell) for rule, cell in questions if rule.scored and cell.n]
    cell = RawCell(team=team, kind="dimension", code=code, group=f"dimension:{code}", n=0)
    if not answered:
        return cell
    if kind == Dimension.Kind.ENPS:
        rule, source = answered[0]
        counts = {int(value): count for value, count in source.distribution.items()}
        promoters = sum(count for value, count in counts.items() if value >= 9)
        detractors = sum(count for value, count in counts.items() if value <= 6)
        cell.n = dimension_size(kind, [source.n])
        cell.score = round(100 * (promoters - detractors) / source.n, 1)
        cell.favourable_pct = round(100 * promoters / source.n, 1)
        return cell
    cell.n = dimension_size(kind, [source.n for _, source in answered])
    cell.score = round(sum(source.score for _, source in answered) / len(answered), 1)
    cell.favourable_pct = round(sum(source.favourable_pct for _, source in answered) / len(answered), 1)
    return cell


def _comment_cell(team: Node, rule: QuestionRule, counts: dict[int, int], breakdowns: dict) -> RawCell:
    cell = RawCell(
        team=team, kind="comments", code=rule.code, group=f"comments:{rule.code}", n=counts.get(0, 0), comments=True
    )
    breakdown = breakdowns.get((team, rule.id))
    # The breakdown counts the very comments the cell's n counts (both follow the release plan);
    # a breakdown that disagrees (comments released before they were scored) is left out, not shown.
    if breakdown and breakdown["n"] == cell.n:
        cell.distribution = {"sentiment": dict(breakdown["sentiment"]), "themes": dict(breakdown["themes"])}
    return cell


def raw_cells(
    *,
    rules: SurveyRules,
    teams: Iterable[Node],
    counts: Iterable[tuple[Node, int, int, int]],
    responses: dict[Node, int],
    headcounts: dict[Node, int],
    comment_breakdowns: dict[tuple[Node, int], dict] | None = None,
) -> list[RawCell]:
    """All cells for every team: counts are (team, question id, value, n) rolled up the tree
    (a text question's count, under value 0, is its number of comments), `responses` per team
    rolled up too, `headcounts` as HR entered them. `comment_breakdowns` (team, question id) ->
    sentiment and theme counts of the same released comments become a comment cell's distribution."""
    by_team: dict[Node, dict[int, dict[int, int]]] = defaultdict(lambda: defaultdict(dict))
    for team, question_id, value, n in counts:
        by_team[team][question_id][value] = n
    cells: list[RawCell] = []
    for team in teams:
        answered = responses.get(team, 0)
        headcount = headcounts.get(team, 0)
        cells.append(
            RawCell(
                team=team,
                kind=PARTICIPATION,
                code=PARTICIPATION,
                group=PARTICIPATION,
                n=answered,
                score=round(100 * answered / headcount, 1) if headcount else None,
            )
        )
        per_dimension: dict[str, list[tuple[QuestionRule, RawCell]]] = defaultdict(list)
        for rule in rules.questions.values():
            if rule.type == Question.Type.TEXT:
                cells.append(_comment_cell(team, rule, by_team[team].get(rule.id, {}), comment_breakdowns or {}))
                continue
            cell = _question_cell(team, rule, by_team[team].get(rule.id, {}))
            cells.append(cell)
            per_dimension[rule.dimension].append((rule, cell))
        for code, kind in rules.dimensions.items():
            cells.append(_dimension_cell(team, code, kind, per_dimension.get(code, [])))
    return cells


def cell_sizes(
    *, rules: SurveyRules, teams: Iterable[Node], question_n: dict[tuple[Node, int], int], responses: dict[Node, int]
) -> list[RawCell]:
    """The same cells as `raw_cells` with only their n: all the disclosure gate needs, from one
    small GROUP BY (team, question) instead of the full distributions."""
    cells: list[RawCell] = []
    for team in teams:
        cells.append(
            RawCell(team=team, kind=PARTICIPATION, code=PARTICIPATION, group=PARTICIPATION, n=responses.get(team, 0))
        )
        per_dimension: dict[str, list[int]] = defaultdict(list)
        for rule in rules.questions.values():
            n = question_n.get((team, rule.id), 0)
            if rule.type == Question.Type.TEXT:
                cells.append(
                    RawCell(
                        team=team, kind="comments", code=rule.code, group=f"comments:{rule.code}", n=n, comments=True
                    )
                )
                continue
            cells.append(RawCell(team=team, kind="question", code=rule.code, group=f"dimension:{rule.dimension}", n=n))
            if rule.scored:
                per_dimension[rule.dimension].append(n)
        for code, kind in rules.dimensions.items():
            cells.append(
                RawCell(
                    team=team,
                    kind="dimension",
                    code=code,
                    group=f"dimension:{code}",
                    n=dimension_size(kind, per_dimension[code]),
                )
            )
    return cells

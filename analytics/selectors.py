"""Reads of published figures. Nothing here reads counts or answers: only published cells."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.db.models import F, OuterRef, Q, QuerySet, Subquery

from analytics import disclosure, significance
from analytics.cells import CELL_VALUES, HEATMAPS, cell_figures
from analytics.models import DriverResult, PublishedCell, PublishedDay, TeamTally
from survey.models import (
    Dimension,
    Invitation,
    Option,
    Organisation,
    Question,
    Survey,
    Team,
    Wave,
    WaveTeamClosure,
)
from survey.selectors import TreeRow, tree_rows, wave_tree


def wave_cells(*, wave: Wave) -> QuerySet[PublishedCell]:
    """The wave's published cells, each with its delta vs the organisation (the root team)."""
    root = Team.objects.filter(organisation=wave.organisation_id, parent__isnull=True).values("id")[:1]
    organisation_score = PublishedCell.objects.filter(
        wave=OuterRef("wave"), kind=OuterRef("kind"), code=OuterRef("code"), team=Subquery(root)
    ).values("score")[:1]
    return (
        PublishedCell.objects.filter(wave=wave)
        .select_related("team")
        .annotate(delta_org=disclosure.delta_expression(Subquery(organisation_score)))
    )


@dataclass(frozen=True)
class TeamPlace:
    path: str
    level: int


def team_places(*, organisation: Organisation) -> dict:
    """Each team's path ("Org / Department / Team") and depth, from one small query on the tree."""
    rows = {
        team_id: (parent_id, name)
        for team_id, parent_id, name in Team.objects.filter(organisation=organisation).values_list(
            "id", "parent_id", "name"
        )
    }
    places: dict = {}

    def place(team_id: object, seen: frozenset = frozenset()) -> TeamPlace:
        if team_id not in places:
            parent_id, name = rows[team_id]
            if parent_id is None or parent_id not in rows or parent_id in seen:
                places[team_id] = TeamPlace(path=name, level=0)
            else:
                parent = place(parent_id, seen | {team_id})
                places[team_id] = TeamPlace(path=f"{parent.path} / {name}", level=parent.level + 1)
        return places[team_id]

    for team_id in rows:
        place(team_id)
    return places


def organisation_surveys(*, organisation: Organisation) -> QuerySet[Survey]:
    """The organisation's own surveys and the built-in templates it can launch waves of."""
    return (
        Survey.objects.filter(Q(organisation=organisation) | Q(organisation__isnull=True))
        .prefetch_related("dimensions", "questions__dimension", "questions__options")
        .order_by("code", "id")
    )


def organisation_waves(*, organisation: Organisation) -> QuerySet[Wave]:
    return Wave.objects.filter(organisation=organisation)


def _cell_values(cells: QuerySet[PublishedCell]) -> QuerySet:
    """Cells as plain dicts (no model instances: a page of 5,000 rows stays cheap). The
    distribution, a JSON document per cell, stays out of the flat table."""
    return cells.values(*CELL_VALUES, team_slug=F("team__slug"))


def cells_for_wave(*, wave: Wave) -> QuerySet:
    return _cell_values(wave_cells(wave=wave)).order_by("id")


def trend_cells(*, team: Team, survey: Survey, kind: str, code: str) -> list[tuple[Wave, dict | None]]:
    """One measure of one team across the organisation's waves of `survey`, oldest first."""
    waves = (
        organisation_waves(organisation=team.organisation)
        .filter(survey=survey)
        .exclude(status=Wave.Status.DRAFT)
        .order_by("opens_at", "id")
    )
    series = []
    for wave in waves:
        cell = _cell_values(wave_cells(wave=wave).filter(team=team, kind=kind, code=code)).first()
        series.append((wave, cell))
    return series


def heatmap_cells(*, wave: Wave, heatmap: str) -> QuerySet:
    return _cell_values(wave_cells(wave=wave).filter(kind=PublishedCell.Kind.DIMENSION, code__in=HEATMAPS[heatmap]))


def wave_tree_rows(*, wave: Wave) -> list[TreeRow]:
    """The wave's frozen tree, depth first, siblings by name: the rows of every page of a wave."""
    parents, _ = wave_tree(wave=wave)
    return tree_rows(parents)


def live_tree_rows(*, organisation: Organisation) -> list[TreeRow]:
    """The organisation's tree as it is now, in the same order (pages across waves: trends)."""
    return tree_rows(dict(Team.objects.filter(organisation=organisation).values_list("id", "parent_id")))


def previous_wave(*, wave: Wave) -> Wave | None:
    """The wave `delta_previous` compares with (as analytics.services.publication picks it)."""
    if wave.opens_at is None:
        return None
    return (
        Wave.objects.filter(organisation=wave.organisation_id, survey=wave.survey_id, opens_at__lt=wave.opens_at)
        .order_by("-opens_at")
        .first()
    )


# Per question cell, what its standard error needs, summed by PostgreSQL from the published
# distribution (value -> people) and the options' scores: no distribution crosses the wire.
QUESTION_MOMENTS = """
SELECT c.wave_id, c.team_id, c.code, c.reason,
       coalesce(sum(d.people) FILTER (WHERE o.score IS NOT NULL), 0)::int,
       coalesce(sum(d.people * o.score) FILTER (WHERE o.score IS NOT NULL), 0)::float8,
       coalesce(sum(d.people * o.score * o.score) FILTER (WHERE o.score IS NOT NULL), 0)::float8,
       coalesce(sum(d.people), 0)::int,
       coalesce(sum(d.people) FILTER (WHERE d.value >= %(promoter)s), 0)::int,
       coalesce(sum(d.people) FILTER (WHERE d.value <= %(detractor)s), 0)::int
FROM analytics_publishedcell c
JOIN survey_question q ON q.survey_id = %(survey)s AND q.code = c.code
LEFT JOIN LATERAL (
    SELECT key::int AS value, value::int AS people FROM jsonb_each_text(c.distribution)
) d ON true
LEFT JOIN survey_option o ON o.question_id = q.id AND o.value = d.value
WHERE c.wave_id = ANY(%(waves)s) AND c.kind = 'question' AND c.code = ANY(%(codes)s) {teams}
GROUP BY c.id
"""


def _question_moments(*, survey_id: object, waves: list[Wave], codes: list[str], team_ids: set | None) -> list:
    """QUESTION_MOMENTS's rows, summed in Python: the embedded mode's SQLite has no JSON lateral
    joins. The same published distributions and option scores, so the same figures."""
    scores = {
        (code, value): score
        for code, value, score in Option.objects.filter(
            question__survey=survey_id, question__code__in=codes
        ).values_list("question__code", "value", "score")
    }
    cells = PublishedCell.objects.filter(wave__in=waves, kind=PublishedCell.Kind.QUESTION, code__in=codes)
    if team_ids is not None:
        cells = cells.filter(team_id__in=team_ids)
    rows = []
    for wave_id, team_id, code, reason, distribution in cells.values_list(
        "wave_id", "team_id", "code", "reason", "distribution"
    ):
        m = total = squares = n = promoters = detractors = 0
        for key, people in (distribution or {}).items():
            value, score = int(key), scores.get((code, int(key)))
            n += people
            promoters += people if value >= significance.PROMOTER_MIN else 0
            detractors += people if value <= significance.DETRACTOR_MAX else 0
            if score is not None:
                m, total, squares = m + people, total + people * score, squares + people * score * score
        rows.append((wave_id, team_id, code, reason, m, float(total), float(squares), n, promoters, detractors))
    return rows


def dimension_errors(*, waves: list[Wave], codes: tuple[str, ...], team_ids: set | None = None) -> dict:
    """(wave id, team id, dimension code) -> the standard error of the published dimension score,
    or None (analytics.significance), from the question cells' published distributions.
    The waves share one survey (a wave and the previous one); `team_ids` None: every team."""
    if not waves:
        return {}
    survey_id = waves[0].survey_id
    kinds = dict(Dimension.objects.filter(survey=survey_id, code__in=codes).values_list("code", "kind"))
    scored = dict(  # question code -> dimension code, for questions with at least one scored option
        Question.objects.filter(survey=survey_id, dimension__code__in=kinds, options__score__isnull=False)
        .values_list("code", "dimension__code")
        .distinct()
    )
    params = {
        "survey": survey_id,
        "waves": [wave.pk for wave in waves],
        "codes": list(scored),
        "promoter": significance.PROMOTER_MIN,
        "detractor": significance.DETRACTOR_MAX,
        "teams": list(team_ids or ()),
    }
    if connection.vendor == "postgresql":
        sql = QUESTION_MOMENTS.format(teams="" if team_ids is None else "AND c.team_id = ANY(%(teams)s)")
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
    else:
        rows = _question_moments(survey_id=survey_id, waves=waves, codes=list(scored), team_ids=team_ids)
    items: dict = defaultdict(list)  # (wave, team, dimension) -> the SEs of its shown questions
    unknown = set()
    for wave_id, team_id, question_code, reason, m, total, squares, n, promoters, detractors in rows:
        code = scored[question_code]
        key = (wave_id, team_id, code)
        if reason == PublishedCell.Reason.COMPLEMENTARY:
            unknown.add(key)  # answered, but hidden: the dimension's noise cannot be bounded
        elif reason:
            # Hidden for its size while the dimension (n = its smallest answered question) may show:
            # nobody answered it, so it is not in the dimension's mean either.
            continue
        elif kinds[code] == Dimension.Kind.ENPS:
            items[key].append(significance.enps_counts_se(n=n, promoters=promoters, detractors=detractors))
        else:
            items[key].append(significance.mean_se(m=m, total=total, squares=squares))
    return {key: None if key in unknown else significance.dimension_se(ses) for key, ses in items.items()}


def team_cell(*, wave: Wave, team: Team, kind: str, code: str) -> dict | None:
    """One published cell of one team (CELL_VALUES), or None when the team had none."""
    return _cell_values(wave_cells(wave=wave).filter(team=team, kind=kind, code=code)).first()


@dataclass(frozen=True)
class AnswerShare:
    option: Option
    count: int
    share: float | None  # of the question's n (multiple choice: shares add up to more than 100)


@dataclass(frozen=True)
class QuestionFigures:
    question: Question
    figures: dict  # analytics.cells.cell_figures
    answers: list[AnswerShare]  # empty when the cell is hidden


def cell_questions(*, wave: Wave, team: Team, dimension: Dimension) -> list[QuestionFigures]:
    """What a dimension cell rests on: each of its questions' published cell and distribution."""
    questions = list(dimension.questions.order_by("position").prefetch_related("options"))
    cells = {
        cell["code"]: cell
        for cell in wave_cells(wave=wave)
        .filter(team=team, kind=PublishedCell.Kind.QUESTION, code__in=[q.code for q in questions])
        .values(*CELL_VALUES, "distribution")
    }
    result = []
    for question in questions:
        cell = cells.get(question.code)
        figures = cell_figures(cell)
        answers = []
        if cell is not None and not cell["suppressed"] and cell["distribution"] is not None:
            for option in question.options.all():
                count = cell["distribution"].get(str(option.value), 0)
                share = round(100 * count / cell["n"], 1) if cell["n"] else None
                answers.append(AnswerShare(option=option, count=count, share=share))
        result.append(QuestionFigures(question=question, figures=figures, answers=answers))
    return result


def wave_drivers(*, wave: Wave) -> QuerySet[DriverResult]:
    return DriverResult.objects.filter(wave=wave).select_related("team").order_by("id")


def teams_waiting(*, wave: Wave, team_ids: set) -> int:
    """How many of `team_ids` hold answers that the release rule has not let into the figures yet
    (PRODUCT.md rule 4). A count of teams only: which team, and how many answers, stay unsaid."""
    return TeamTally.objects.filter(wave=wave, team_id__in=team_ids, responses__gt=F("released")).count()


@dataclass(frozen=True)
class PublishedDayCount:
    day: date
    n: int  # the team's published participation n as of that day
    added: int  # what that day's publications added to it


def published_days(*, wave: Wave, team: Team) -> list[PublishedDayCount]:
    """Answers per day as publication released them (responses carry no time), oldest first: the
    `added` figures sum to the team's latest published participation n. None while that cell is
    hidden: its earlier days would tell the n the gate hides now (a team can become hidden later,
    to protect a sibling)."""
    shown = PublishedCell.objects.filter(
        wave=wave, team=team, kind=PublishedCell.Kind.PARTICIPATION, suppressed=False, n__isnull=False
    )
    if not shown.exists():
        return []
    days, previous = [], 0
    for day, n in PublishedDay.objects.filter(wave=wave, team=team).order_by("day").values_list("day", "n"):
        days.append(PublishedDayCount(day=day, n=n, added=n - previous))
        previous = n
    return days


def links_issued(*, wave: Wave, team: Team) -> int:
    """Single-use links issued for the wave in `team`'s frozen subtree: what HR did, never who
    used one (a consumed link, read live, would tell when a given person answered)."""
    subtree = WaveTeamClosure.objects.filter(wave=wave, ancestor=team).values("descendant_id")
    return Invitation.objects.filter(wave=wave, reusable=False, team_id__in=subtree).count()

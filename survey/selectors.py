"""Reads for the survey pages."""

from collections import defaultdict
from dataclasses import dataclass

from survey.models import Invitation, Question, Survey, Team, Wave, WaveTeam
from survey.questionnaire import QuestionGroup, survey_questionnaire
from survey.services.answers import CleanAnswers


def survey_question_groups(*, survey: Survey) -> list[QuestionGroup]:
    """Questions grouped by dimension in questionnaire order; free text last, in its own group."""
    return survey_questionnaire(survey=survey).groups


@dataclass(frozen=True)
class ReceiptLine:
    """One line of the receipt page."""

    question: Question
    labels: list[str]  # the chosen option's label, or each ticked one's; empty for a comment
    comment: str = ""  # exactly as stored


def submission_receipt(*, survey: Survey, clean: CleanAnswers) -> list[ReceiptLine]:
    """What one submission stored, in words in the active language and in questionnaire order:
    every question answered, and nothing about the skipped ones (they store nothing)."""
    lines = []
    for question in survey_questionnaire(survey=survey).questions:
        if question.id in clean.comments:
            lines.append(ReceiptLine(question=question, labels=[], comment=clean.comments[question.id]))
        elif question.id in clean.values:
            lines.append(ReceiptLine(question=question, labels=_chosen_labels(question, clean.values[question.id])))
    return lines


def _chosen_labels(question: Question, value: int) -> list[str]:
    if question.is_multiple:
        # A multiple-choice answer is the bitmask of its ticked options' values.
        return [option.label for option in question.options.all() if value >> option.value & 1]
    return [option.label for option in question.options.all() if option.value == value]


def wave_tree(*, wave: Wave) -> tuple[dict, dict]:
    """The wave's tree as it froze when the wave opened: (team -> parent, team -> headcount)."""
    rows = WaveTeam.objects.filter(wave=wave).values_list("team_id", "parent_id", "headcount")
    return {team: parent for team, parent, _ in rows}, {team: headcount for team, _, headcount in rows}


@dataclass(frozen=True)
class TeamSeats:
    team: str
    headcount: int
    seats: int  # single-use links issued, plus answers through the open link


def invitation_team_seats(invitation: Invitation) -> TeamSeats | None:
    """What the employee is shown of their team's links: padding a team with links HR answers
    itself shows up here as more links than the employee's team has people."""
    frozen = WaveTeam.objects.filter(wave_id=invitation.wave_id, team_id=invitation.team_id).first()
    if frozen is None:
        return None
    return TeamSeats(invitation.team.name, frozen.headcount, frozen.seats)


@dataclass(frozen=True)
class FrozenTeamSeats:
    team: Team
    path: str  # names from the root down, in the wave's frozen tree
    depth: int
    headcount: int  # the subtree's people when the wave opened
    seats: int  # this team's own single-use links, plus answers through its open link
    remaining: int  # links it may still take: the tightest headcount among it and its ancestors


@dataclass(frozen=True)
class TreeRow:
    team_id: object
    parent_id: object
    name: str
    slug: str
    path: str
    level: int


def tree_rows(parents: dict) -> list[TreeRow]:
    """A tree's teams depth first, siblings by name; `parents` maps each team to its parent."""
    names = {
        team_id: (name, slug)
        for team_id, name, slug in Team.objects.filter(pk__in=parents).values_list("id", "name", "slug")
    }
    children: dict = defaultdict(list)
    for team_id, parent_id in parents.items():
        children[parent_id if parent_id in parents else None].append(team_id)

    def by_name(team_ids: list) -> list:
        return sorted(team_ids, key=lambda team_id: names[team_id][0].casefold(), reverse=True)

    rows: list[TreeRow] = []
    stack = [(team_id, None, "", 0) for team_id in by_name(children[None])]
    while stack:
        team_id, parent_id, above, level = stack.pop()
        name, slug = names[team_id]
        path = f"{above} / {name}" if above else name
        rows.append(TreeRow(team_id=team_id, parent_id=parent_id, name=name, slug=slug, path=path, level=level))
        stack.extend((child, team_id, path, level + 1) for child in by_name(children.get(team_id, [])))
    return rows


def wave_team_seats(*, wave: Wave) -> list[FrozenTeamSeats]:
    """The wave's frozen teams depth first (siblings by name), with what each may still take.

    `remaining` applies the rule `invitations.seats_take` enforces (no subtree above its frozen
    headcount), so the links page can say how many more a team can get before HR asks."""
    rows = WaveTeam.objects.filter(wave=wave).values_list("team_id", "parent_id", "headcount", "seats")
    parents = {team: parent for team, parent, _, _ in rows}
    headcounts = {team: headcount for team, _, headcount, _ in rows}
    own_seats = {team: seats for team, _, _, seats in rows}
    ordered = tree_rows(parents)
    teams = Team.objects.in_bulk(list(parents))
    used: dict = dict.fromkeys(parents, 0)
    lines: dict = {}  # each team and its ancestors
    for row in ordered:
        lines[row.team_id] = (*lines.get(row.parent_id, ()), row.team_id)
        for ancestor in lines[row.team_id]:
            used[ancestor] += own_seats[row.team_id]
    return [
        FrozenTeamSeats(
            team=teams[row.team_id],
            path=row.path,
            depth=row.level,
            headcount=headcounts[row.team_id],
            seats=own_seats[row.team_id],
            remaining=max(min(headcounts[a] - used[a] for a in lines[row.team_id]), 0),
        )
        for row in ordered
    ]

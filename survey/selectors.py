"""Reads for the survey pages."""

from dataclasses import dataclass

from survey.models import Dimension, Invitation, Question, Survey, Team, Wave, WaveTeam


@dataclass
class QuestionGroup:
    dimension: Dimension | None
    questions: list[Question]


def survey_question_groups(*, survey: Survey) -> list[QuestionGroup]:
    """Questions grouped by dimension in questionnaire order; free text last, in its own group."""
    groups: list[QuestionGroup] = []
    questions = survey.questions.select_related("dimension").prefetch_related("options").order_by("position")
    for question in questions:
        if not groups or groups[-1].dimension != question.dimension:
            groups.append(QuestionGroup(dimension=question.dimension, questions=[]))
        groups[-1].questions.append(question)
    return groups


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


def wave_team_seats(*, wave: Wave) -> list[FrozenTeamSeats]:
    """The wave's frozen teams depth first (siblings by name), with what each may still take.

    `remaining` applies the rule `invitations.seats_take` enforces (no subtree above its frozen
    headcount), so the links page can say how many more a team can get before HR asks."""
    rows = WaveTeam.objects.filter(wave=wave).values_list("team_id", "parent_id", "headcount", "seats")
    parents = {team: parent for team, parent, _, _ in rows}
    headcounts = {team: headcount for team, _, headcount, _ in rows}
    own_seats = {team: seats for team, _, _, seats in rows}
    teams = Team.objects.in_bulk(list(parents))
    children: dict = {}
    for team_id, parent_id in parents.items():
        children.setdefault(parent_id if parent_id in parents else None, []).append(team_id)
    ordered: list = []  # (team_id, depth, path, ancestors including itself)

    def visit(team_id: object, depth: int, path: str, ancestors: tuple) -> None:
        name = teams[team_id].name
        here = f"{path} / {name}" if path else name
        ordered.append((team_id, depth, here, (*ancestors, team_id)))
        for child in sorted(children.get(team_id, []), key=lambda child: teams[child].name):
            if child not in ancestors:
                visit(child, depth + 1, here, (*ancestors, team_id))

    for root in sorted(children.get(None, []), key=lambda root: teams[root].name):
        visit(root, 0, "", ())
    used: dict = dict.fromkeys(parents, 0)
    for _team_id, _depth, _path, line in ordered:
        for ancestor in line:
            used[ancestor] += own_seats[line[-1]]
    return [
        FrozenTeamSeats(
            team=teams[team_id],
            path=path,
            depth=depth,
            headcount=headcounts[team_id],
            seats=own_seats[team_id],
            remaining=max(min(headcounts[a] - used[a] for a in line), 0),
        )
        for team_id, depth, path, line in ordered
    ]

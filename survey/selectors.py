"""Reads for the survey pages."""

from dataclasses import dataclass

from survey.models import Dimension, Invitation, Question, Survey, Wave, WaveTeam


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

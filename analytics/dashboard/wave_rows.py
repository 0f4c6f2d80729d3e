"""The rows of a wave's pages: the viewer's teams in the wave's frozen tree, depth-first, and the
team the page's headline figures are about (the organisation, or the manager's own team)."""

from dataclasses import dataclass

from analytics.dashboard.access import Viewer
from survey.models import Team, Wave
from survey.selectors import wave_tree


@dataclass(frozen=True)
class TeamRow:
    team: Team
    level: int  # depth below the viewer's top team, for indentation

    @property
    def indent(self) -> str:
        """Non-breaking spaces: where CSS cannot indent (a select's options, a chart's labels)."""
        return "\u00a0\u00a0\u00a0" * self.level


def _depth_first(parents: dict, names: dict, roots: list) -> list[tuple[object, int]]:
    children: dict = {}
    for team, parent in parents.items():
        children.setdefault(parent, []).append(team)
    order, stack = [], [(root, 0) for root in sorted(roots, key=names.get, reverse=True)]
    while stack:
        team, level = stack.pop()
        order.append((team, level))
        kids = sorted(children.get(team, []), key=lambda kid: names[kid].casefold(), reverse=True)
        stack += [(kid, level + 1) for kid in kids]
    return order


def wave_rows(*, viewer: Viewer, wave: Wave) -> list[TeamRow]:
    """The teams the viewer sees in the wave's frozen tree, in tree order (siblings by name)."""
    parents, _ = wave_tree(wave=wave)
    visible = viewer.team_ids(wave) & set(parents)
    teams = Team.objects.in_bulk(visible)
    names = {team_id: team.name for team_id, team in teams.items()}
    roots = [team for team in visible if parents[team] not in visible]
    return [TeamRow(team=teams[team], level=level) for team, level in _depth_first(parents, names, roots)]


def live_rows(*, viewer: Viewer) -> list[TeamRow]:
    """The teams the viewer sees in the organisation's live tree, in the same order."""
    teams = Team.objects.in_bulk(viewer.team_ids())
    parents = {team_id: team.parent_id for team_id, team in teams.items()}
    names = {team_id: team.name for team_id, team in teams.items()}
    roots = [team for team, parent in parents.items() if parent not in teams]
    return [TeamRow(team=teams[team], level=level) for team, level in _depth_first(parents, names, roots)]


def top_team(*, rows: list[TeamRow]) -> Team | None:
    """The team the headline figures are about: the first row (the organisation's root for HR,
    the manager's team for a manager), or None when the viewer sees no team of this tree."""
    return rows[0].team if rows else None

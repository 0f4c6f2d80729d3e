"""The rows of a wave's pages: the viewer's teams in the wave's frozen tree, depth-first, and the
team the page's headline figures are about (the organisation, or the manager's own team)."""

from dataclasses import dataclass

from analytics.dashboard.access import Viewer
from analytics.selectors import live_tree_rows, wave_tree_rows
from survey.models import Team, Wave
from survey.selectors import TreeRow


@dataclass(frozen=True)
class TeamRow:
    team: Team
    level: int  # depth below the viewer's top team, for indentation

    @property
    def indent(self) -> str:
        """Non-breaking spaces: where CSS cannot indent (a select's options, a chart's labels)."""
        return "\u00a0\u00a0\u00a0" * self.level


def _rows(viewer: Viewer, tree: list[TreeRow], wave: Wave | None) -> list[TeamRow]:
    """The viewer's part of a tree (a subtree keeps its depth-first order), levels from its top."""
    mine = [row for row in tree if viewer.sees(row.team_id, wave)]
    teams = Team.objects.in_bulk([row.team_id for row in mine])
    top = min((row.level for row in mine), default=0)
    return [TeamRow(team=teams[row.team_id], level=row.level - top) for row in mine]


def wave_rows(*, viewer: Viewer, wave: Wave) -> list[TeamRow]:
    """The teams the viewer sees in the wave's frozen tree, in tree order (siblings by name)."""
    return _rows(viewer, wave_tree_rows(wave=wave), wave)


def live_rows(*, viewer: Viewer) -> list[TeamRow]:
    """The teams the viewer sees in the organisation's live tree, in the same order."""
    return _rows(viewer, live_tree_rows(organisation=viewer.organisation), None)


def top_team(*, rows: list[TeamRow]) -> Team | None:
    """The team the headline figures are about: the first row (the organisation's root for HR,
    the manager's team for a manager), or None when the viewer sees no team of this tree."""
    return rows[0].team if rows else None

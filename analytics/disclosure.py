"""The one disclosure gate (PRODUCT.md rules 3-5). Every number that leaves the server is
computed from the cells this module lets through; nothing else compares n with k.

Three rules:
- Release across time, per cell, closing included: answers reach the published figures only in
  *chunks* of at least k people who answered that very question. A team's new answers to a
  question form a chunk once there are k of them; fewer wait. Teams too small ever to reach k,
  and at closing every team, hand their waiting answers up to be pooled with their siblings'
  into a chunk released at the parent (whose figures move, while the children's keep their last
  released value). Every published figure is a sum of chunks, so any
  difference between two readings, of any node, at any time, is zero or a combination of whole
  chunks of at least k people. Closing a wave changes nothing to this: answers still waiting
  then are never published (HR decides when each link is sent, so "closing lets the rest out"
  would let HR make one person the rest).
- Minimum group: a cell with fewer than k people (k_comments for comment figures) shows no value
  and no n.
- Complementary (secondary) suppression: whatever can be derived from published cells by
  subtraction, down the tree or up chains of levels, must cover zero or at least k people.
  Published nodes form a nested family, so what an attacker can isolate is exactly each known
  node minus its highest known descendants (its "residual"). When a residual holds 1 to k-1
  people, the smallest of those descendants is hidden too (the next-smallest sibling, as Viva
  Glint does); a hidden node that its published children would still add up to has its own
  smallest child hidden as well. Measures that can be combined arithmetically
  (a dimension and its questions) share one pattern so one cannot be solved through the other.
"""

from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db.models import Expression, F
from django.db.models.functions import Round

Node = Hashable

MIN_GROUP = "min_group"
COMPLEMENTARY = "complementary"


@dataclass(frozen=True)
class Tree:
    """The team tree: each node's parent (None for roots)."""

    parent: dict[Node, Node | None]
    children: dict[Node, list[Node]] = field(default_factory=dict)

    @classmethod
    def from_parents(cls, parent: dict[Node, Node | None]) -> "Tree":
        children: dict[Node, list[Node]] = defaultdict(list)
        for node, parent_node in parent.items():
            if parent_node is not None:
                children[parent_node].append(node)
        return cls(parent=parent, children=dict(children))

    def kids(self, node: Node) -> list[Node]:
        return self.children.get(node, [])


@dataclass
class RawCell:
    """An aggregate before the gate. `group` names the measures that share a pattern."""

    team: Node
    kind: str
    code: str
    group: str
    n: int
    score: float | None = None
    favourable_pct: float | None = None
    distribution: dict | None = None
    comments: bool = False


@dataclass
class GatedCell:
    team: Node
    kind: str
    code: str
    suppressed: bool
    reason: str
    n: int | None = None
    score: float | None = None
    favourable_pct: float | None = None
    distribution: dict | None = None
    delta_previous: float | None = None


def release_points(
    tree: Tree, waiting: dict[Node, int], *, k: int, headcounts: dict[Node, int], closing: bool
) -> dict[Node, Node]:
    """Where each team's waiting answers to one measure are released now: team -> node.

    Bottom-up, a node's pool is its own waiting answers plus what its children hand up; a pool of
    at least k people is released at that node. A node that cannot release hands its pool up to
    its parent at closing, and while the wave is open only if its frozen headcount is below k (it
    can never release on its own), so that larger teams keep their own figures. Teams absent from
    the result keep waiting."""
    points: dict[Node, Node] = {}

    def pool(node: Node) -> list[Node]:
        members = [node] if waiting.get(node, 0) > 0 else []
        for child in tree.kids(node):
            members += pool(child)
        if shown(sum(waiting[member] for member in members), k=k):
            points.update(dict.fromkeys(members, node))
            return []
        return members if closing or not shown(headcounts.get(node, 0), k=k) else []

    for root in (node for node, parent in tree.parent.items() if parent is None):
        pool(root)
    return points


def shown(n: int, *, k: int) -> bool:
    """The minimum-group rule for a single figure."""
    return n >= k


class _Pattern:
    """Complementary suppression of one measure over the tree, on a shared hidden set."""

    def __init__(self, tree: Tree, n: dict[Node, int], k: int, hidden: set[Node]) -> None:
        self.tree, self.n, self.k, self.hidden = tree, n, k, hidden

    def count(self, node: Node) -> int:
        return self.n.get(node, 0)

    def own(self, node: Node) -> int:
        """People attached to the node itself rather than to one of its children."""
        return self.count(node) - sum(self.count(child) for child in self.tree.kids(node))

    def known(self, node: Node, memo: dict[Node, bool]) -> bool:
        """Published, or derivable as the sum of its parts."""
        if node not in memo:
            memo[node] = (
                self.count(node) == 0
                or node not in self.hidden
                or (self.own(node) == 0 and all(self.known(child, memo) for child in self.tree.kids(node)))
            )
        return memo[node]

    def residual(self, node: Node, memo: dict[Node, bool]) -> int:
        """People under a node that subtracting its known descendants would single out."""
        return self.own(node) + sum(
            self.residual(child, memo)
            for child in self.tree.kids(node)
            if self.count(child) > 0 and not self.known(child, memo)
        )

    def frontier(self, node: Node, memo: dict[Node, bool]) -> list[Node]:
        """The highest known descendants: what an attacker would subtract from the node."""
        found = []
        for child in self.tree.kids(node):
            if self.count(child) == 0:
                continue
            found += [child] if self.known(child, memo) else self.frontier(child, memo)
        return found

    def hide(self, node: Node, memo: dict[Node, bool]) -> None:
        self.hidden.add(node)
        memo.clear()
        if self.known(node, memo):  # its published children still add up to it: hide one of them too
            self.hide(self.smallest(self.frontier(node, memo)), memo)

    def smallest(self, nodes: list[Node]) -> Node:
        return min(nodes, key=lambda node: (self.count(node), str(node)))

    def run(self) -> bool:
        """Hides until no known node has a residual of 1..k-1 people. True if it hid anything."""
        changed_any, changed = False, True
        while changed:
            changed = False
            memo: dict[Node, bool] = {}
            for node in self.tree.parent:
                if self.count(node) == 0 or not self.tree.kids(node) or not self.known(node, memo):
                    continue
                if 0 < self.residual(node, memo) < self.k:
                    self.hide(self.smallest(self.frontier(node, memo)), memo)
                    changed = changed_any = True
        return changed_any


def suppression_pattern(tree: Tree, measures: Iterable[dict[Node, int]], *, k: int) -> set[Node]:
    """Nodes hidden for a group of measures: every small cell, plus what protects them."""
    measures = list(measures)
    hidden = {node for n in measures for node, count in n.items() if 0 < count < k}
    changed = True
    while changed:  # a node hidden for one measure may expose another: repeat until stable
        changed = False
        for n in measures:
            changed |= _Pattern(tree, n, k, hidden).run()
    return hidden


def delta(value: float | None, reference: float | None) -> float | None:
    """A difference between two figures, shown only when both sides are."""
    if value is None or reference is None:
        return None
    return round(value - reference, 1)


def delta_expression(reference: Expression) -> Expression:
    """`delta` in SQL, for deltas computed on read: NULL (hidden) when either side is hidden."""
    return Round(F("score") - reference, 1)


class Verdict(NamedTuple):
    """What the gate decided for one cell, and the n it judged."""

    reason: str  # "" when shown
    n: int


class GateMismatch(RuntimeError):
    """A cell reached `mask` (or its SQL form) with an n other than the one the gate judged: nothing
    is published. The message names the cell and no number: it ends up in a worker's log, and the
    n of a hidden cell must not leave the server that way."""

    def __init__(self, team: Node, kind: str, code: str) -> None:
        super().__init__(f"{kind} cell {code!r} of team {team}: its n is not the n the gate judged")


def suppression(*, cells: list[RawCell], tree: Tree, k: int, k_comments: int) -> dict[tuple, Verdict]:
    """The verdict on each cell, keyed by (team, kind, code). Needs only n."""
    groups: dict[str, dict[tuple[str, str], dict[Node, int]]] = defaultdict(lambda: defaultdict(dict))
    thresholds: dict[str, int] = {}
    for cell in cells:
        groups[cell.group][(cell.kind, cell.code)][cell.team] = cell.n
        thresholds[cell.group] = k_comments if cell.comments else k
    patterns = {
        group: suppression_pattern(tree, measures.values(), k=thresholds[group]) for group, measures in groups.items()
    }
    verdicts = {}
    for cell in cells:
        # Released counts come in chunks of at least k, so a cell below k shows nothing released yet:
        # whether nobody answered or some answers wait for more, the reader is told the same.
        if not shown(cell.n, k=thresholds[cell.group]):
            reason = MIN_GROUP
        elif cell.team in patterns[cell.group]:
            reason = COMPLEMENTARY
        else:
            reason = ""
        verdicts[(cell.team, cell.kind, cell.code)] = Verdict(reason, cell.n)
    return verdicts


def mask(cells: list[RawCell], verdicts: dict[tuple, Verdict]) -> list[GatedCell]:
    """Publishable cells: a hidden cell keeps its reason and loses every number. Every cell must
    carry exactly the n its verdict judged (one n per cell): otherwise nothing is published."""
    gated = []
    for cell in cells:
        key = (cell.team, cell.kind, cell.code)
        verdict = verdicts.get(key)
        if verdict is None or verdict.n != cell.n:
            raise GateMismatch(*key)
        if verdict.reason:
            gated.append(GatedCell(cell.team, cell.kind, cell.code, suppressed=True, reason=verdict.reason))
        else:
            gated.append(
                GatedCell(
                    cell.team,
                    cell.kind,
                    cell.code,
                    suppressed=False,
                    reason="",
                    n=cell.n,
                    score=cell.score,
                    favourable_pct=cell.favourable_pct,
                    distribution=cell.distribution,
                )
            )
    return gated


def masked(values: dict[str, str], *, reason: str) -> str:
    """`mask` as SQL select expressions, for cells written in the database: each of `values`
    (figure -> SQL expression), then `suppressed` and `reason`, each named after its column, where
    `reason` is the SQL of the cell's verdict. A hidden cell keeps its reason and loses every number."""
    shown = f"{reason} = ''"
    figures = [f"CASE WHEN {shown} THEN {value} END AS {name}" for name, value in values.items()]
    return ", ".join([*figures, f"{reason} <> '' AS suppressed", f"{reason} AS reason"])


def gate(*, cells: list[RawCell], tree: Tree, k: int, k_comments: int) -> list[GatedCell]:
    """Turns raw aggregates into publishable cells."""
    return mask(cells, suppression(cells=cells, tree=tree, k=k, k_comments=k_comments))


def with_previous(cells: list[GatedCell], previous: dict[tuple[Node, str, str], float | None]) -> None:
    """Adds the delta vs the previous wave's published cell, through `delta`."""
    for cell in cells:
        cell.delta_previous = delta(cell.score, previous.get((cell.team, cell.kind, cell.code)))

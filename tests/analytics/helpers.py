"""Shared helpers for analytics tests: answering in bulk, reading cells, and the linear-algebra attack."""

import itertools

import numpy as np

from analytics.models import PublishedCell
from survey.models import Team
from survey.services.invitations import invitations_issue
from survey.services.submission import submission_submit
from tests.conftest import token_of


def respond(wave, team: Team, answers_list: list[dict]) -> None:
    for link, answers in zip(
        invitations_issue(wave=wave, team=team, count=len(answers_list)), answers_list, strict=True
    ):
        submission_submit(token=token_of(link), answers=answers)


def cells(wave, kind: str, code: str) -> dict[str, PublishedCell]:
    rows = PublishedCell.objects.filter(wave=wave, kind=kind, code=code).select_related("team")
    return {cell.team.slug: cell for cell in rows}


def recoverable_groups(parent: dict[str, str | None], n: dict[str, int], published: set[str], k: int) -> list[set]:
    """Every group of fewer than k people whose total an attacker can compute from published nodes.

    Unknowns are the people attached to each node itself (its "own" part). A published node gives
    the sum over its subtree's own parts; any linear combination of published nodes is known.
    A group S leaks if its indicator vector lies in the row space of the published nodes.
    """
    children: dict[str, list[str]] = {node: [] for node in parent}
    for node, up in parent.items():
        if up is not None:
            children[up].append(node)

    def subtree(node):
        yield node
        for child in children[node]:
            yield from subtree(child)

    own = {node: n.get(node, 0) - sum(n.get(child, 0) for child in children[node]) for node in parent}
    parts = [node for node in parent if own[node] > 0]
    index = {node: i for i, node in enumerate(parts)}
    rows = []
    for node in published:
        row = np.zeros(len(parts))
        for member in subtree(node):
            if member in index:
                row[index[member]] = 1
        rows.append(row)
    basis = np.array(rows) if rows else np.zeros((0, len(parts)))
    rank = np.linalg.matrix_rank(basis) if rows else 0
    leaks = []
    for size in range(1, len(parts) + 1):
        for group in itertools.combinations(parts, size):
            people = sum(own[node] for node in group)
            if not 0 < people < k:
                continue
            vector = np.zeros(len(parts))
            vector[[index[node] for node in group]] = 1
            if np.linalg.matrix_rank(np.vstack([basis, vector])) == rank:
                leaks.append(set(group))
    return leaks

"""Each disclosure rule, and the attacks of issue 3, against the gate itself and end to end."""

import itertools
import random

import pytest

from analytics.disclosure import (
    COMPLEMENTARY,
    MIN_GROUP,
    RawCell,
    Tree,
    delta,
    gate,
    release_points,
    suppression_pattern,
)
from analytics.models import TeamTally
from analytics.services.aggregation import wave_aggregate
from survey.models import Wave
from tests.analytics.helpers import cells, recoverable_groups, respond
from tests.conftest import make_tree

K = 5


def tree_of(parent):
    return Tree.from_parents(parent)


def test_minimum_group_hides_value_and_n():
    parent = {"org": None, "a": "org", "b": "org"}
    raw = [
        RawCell("a", "dimension", "fatigue", "g", n=4, score=80.0),
        RawCell("b", "dimension", "fatigue", "g", n=9, score=40.0),
    ]
    gated = {cell.team: cell for cell in gate(cells=raw, tree=tree_of(parent), k=K, k_comments=10)}
    assert gated["a"].suppressed and gated["a"].reason == MIN_GROUP
    assert gated["a"].n is None and gated["a"].score is None
    assert not gated["b"].suppressed and gated["b"].score == 40.0


def test_department_minus_published_teams_does_not_reveal_the_small_team():
    """Issue 3's attack: A (n=7), B (n=6), C (n=2) in one department."""
    parent = {"org": None, "dept": "org", "a": "dept", "b": "dept", "c": "dept", "other": "org"}
    n = {"org": 35, "dept": 15, "a": 7, "b": 6, "c": 2, "other": 20}
    hidden = suppression_pattern(tree_of(parent), [n], k=K)
    assert "c" in hidden
    assert "b" in hidden, "the next-smallest sibling is suppressed too"
    assert "a" not in hidden and "dept" not in hidden
    published = set(parent) - hidden
    assert recoverable_groups(parent, n, published, K) == []


def test_a_small_department_is_protected_up_the_chain():
    parent = {"org": None, "d1": "org", "d2": "org", "d3": "org", "t1": "d1", "t2": "d1", "t3": "d2", "t4": "d3"}
    n = {"org": 40, "d1": 20, "t1": 10, "t2": 10, "d2": 4, "t3": 4, "d3": 16, "t4": 16}
    hidden = suppression_pattern(tree_of(parent), [n], k=K)
    assert {"d2", "t3"} <= hidden
    assert recoverable_groups(parent, n, set(parent) - hidden, K) == []
    # d3 (16) is smaller than d1 (20), but hiding it alone is useless: t4 still shows it.
    assert "d3" in hidden and "t4" in hidden


def test_a_suppressed_sibling_that_its_children_reveal_gets_one_of_them_hidden():
    parent = {"org": None, "x": "org", "x1": "x", "x2": "x", "y": "org", "z": "org"}
    n = {"org": 34, "x": 12, "x1": 6, "x2": 6, "y": 2, "z": 20}
    hidden = suppression_pattern(tree_of(parent), [n], k=K)
    assert "x" in hidden and ({"x1", "x2"} & hidden)
    assert recoverable_groups(parent, n, set(parent) - hidden, K) == []


def test_people_attached_to_a_department_itself_count_as_a_hidden_part():
    parent = {"org": None, "dept": "org", "a": "dept"}
    n = {"org": 12, "dept": 12, "a": 9}  # 3 people answered on a department-level link
    hidden = suppression_pattern(tree_of(parent), [n], k=K)
    assert recoverable_groups(parent, n, set(parent) - hidden, K) == []


@pytest.mark.parametrize("seed", range(200))
def test_random_trees_leak_no_small_group(seed):
    """Four levels, people attached to inner nodes too, sizes around k."""
    rng = random.Random(seed)
    parent = {"org": None}
    for d in range(rng.randint(2, 3)):
        parent[f"d{d}"] = "org"
        for t in range(rng.randint(1, 3)):
            parent[f"d{d}t{t}"] = f"d{d}"
            for s in range(rng.choice([0, 0, 2])):
                parent[f"d{d}t{t}s{s}"] = f"d{d}t{t}"
    sizes = [0, 1, 2, 3, 4, 5, 6, 8, 12, 30]
    n = {}

    def depth(node):
        return 0 if parent[node] is None else 1 + depth(parent[node])

    for node in sorted(parent, key=depth, reverse=True):  # deepest first
        own = rng.choice(sizes) if node not in parent.values() else rng.choice([0, 0, 0, 1, 2, 6])
        n[node] = (own if node != "org" else 0) + sum(n[child] for child, up in parent.items() if up == node)
    hidden = suppression_pattern(tree_of(parent), [n], k=K)
    published = {node for node in parent if node not in hidden and n[node] > 0}
    assert recoverable_groups(parent, n, published, K) == []


def test_measures_of_one_dimension_share_one_pattern():
    """A dimension mean and its questions cannot be solved through one another."""
    parent = {"org": None, "a": "org", "b": "org", "c": "org"}
    raw = []
    for team, q1, q2 in [("org", 30, 30), ("a", 20, 20), ("b", 6, 4), ("c", 4, 6)]:
        raw.append(RawCell(team, "question", "q1", "dimension:x", n=q1, score=50.0))
        raw.append(RawCell(team, "question", "q2", "dimension:x", n=q2, score=50.0))
        raw.append(RawCell(team, "dimension", "x", "dimension:x", n=min(q1, q2), score=50.0))
    gated = gate(cells=raw, tree=tree_of(parent), k=K, k_comments=10)
    hidden_by_measure = {
        code: {cell.team for cell in gated if cell.code == code and cell.suppressed} for code in ("q1", "q2", "x")
    }
    # q1 alone would hide c, q2 alone b: together both, for all three measures (org - a = 10 people).
    assert hidden_by_measure["q1"] == hidden_by_measure["q2"] == hidden_by_measure["x"] == {"b", "c"}


def test_comments_need_k_comments():
    parent = {"org": None, "a": "org", "b": "org"}
    raw = [
        RawCell(team, "comments", "comment", "comments:comment", n=count, comments=True)
        for team, count in [("org", 18), ("a", 12), ("b", 6)]
    ]
    gated = {cell.team: cell for cell in gate(cells=raw, tree=tree_of(parent), k=K, k_comments=10)}
    assert gated["b"].reason == MIN_GROUP
    assert gated["a"].reason == COMPLEMENTARY
    assert not gated["org"].suppressed


def test_deltas_are_suppressed_with_either_side():
    assert delta(50.0, 45.5) == 4.5
    assert delta(None, 45.0) is None
    assert delta(50.0, None) is None


def test_release_rule_releases_k_waiting_answers_at_the_team_and_pools_what_may_be_pooled():
    tree = tree_of({"org": None, "dept": "org", "a": "dept", "b": "dept", "c": "dept", "other": "org", "d": "other"})
    headcounts = {"org": 60, "dept": 30, "a": 10, "b": 10, "c": 10, "other": 30, "d": 30}
    waiting = {"a": 4, "b": 5, "c": 1}
    # While open: b releases at itself; a (big enough to reach k one day) keeps waiting for its own.
    assert release_points(tree, waiting, k=K, headcounts=headcounts, closing=False) == {"b": "b"}
    # c is too small ever to reach k: it hands its answers up, but a pool of 1 waits too.
    small_c = headcounts | {"c": 3}
    assert release_points(tree, waiting, k=K, headcounts=small_c, closing=False) == {"b": "b"}
    assert release_points(tree, {"a": 4, "c": 1}, k=K, headcounts=small_c | {"a": 4}, closing=False) == {
        "a": "dept",
        "c": "dept",
    }
    # At closing everyone hands up: a and c pool into 5 at their department, whose figure moves by 5.
    assert release_points(tree, waiting, k=K, headcounts=headcounts, closing=True) == {
        "b": "b",
        "a": "dept",
        "c": "dept",
    }
    # Fewer than k waiting anywhere: nothing moves, closing included.
    assert release_points(tree, {"a": 2, "d": 2}, k=K, headcounts=headcounts, closing=True) == {}
    # Pools climb as far as needed: 2 + 3 across departments meet at the organisation.
    assert release_points(tree, {"a": 2, "d": 3}, k=K, headcounts=headcounts, closing=True) == {
        "a": "org",
        "d": "org",
    }


def test_every_release_chunk_holds_at_least_k_people_on_random_trees():
    rng = random.Random(11)
    checked = 0
    for _ in range(200):
        parent = {"n0": None}
        for index in range(1, rng.randint(2, 14)):
            parent[f"n{index}"] = f"n{rng.randrange(index)}"
        waiting = {node: rng.choice([0, 0, 1, 2, 3, 4, 5, 7]) for node in parent}
        headcounts = {node: rng.choice([2, 4, 8, 20]) for node in parent}
        points = release_points(tree_of(parent), waiting, k=K, headcounts=headcounts, closing=rng.random() < 0.5)
        for point in set(points.values()):
            assert sum(waiting[team] for team, at in points.items() if at == point) >= K
            checked += 1
        assert set(points) <= {node for node, count in waiting.items() if count}
    assert checked > 100


# End to end: submissions through the real service, aggregation, published cells.


@pytest.fixture
def attack_tree(db, survey):
    organisation, teams = make_tree("attack", {"dept": {"a": 10, "b": 10, "c": 5}, "other": {"d": 25}})
    wave = Wave.objects.create(organisation=organisation, survey=survey, name="W", status=Wave.Status.OPEN)
    return wave, teams


def test_issue_attack_end_to_end(attack_tree):
    wave, teams = attack_tree
    rng = random.Random(1)
    for slug, count in [("a", 7), ("b", 6), ("c", 2), ("d", 20)]:
        respond(wave, teams[slug], [{"fatigue_hard_to_focus": rng.randint(1, 5)} for _ in range(count)])
    Wave.objects.filter(pk=wave.pk).update(status=Wave.Status.CLOSED)
    wave_aggregate(wave_id=wave.pk)
    fatigue = cells(wave, "question", "fatigue_hard_to_focus")
    assert fatigue["c"].suppressed and fatigue["c"].n is None
    assert not fatigue["a"].suppressed and not fatigue["dept"].suppressed
    # What the attacker solves for are the release chunks (each person answered the one question,
    # so participation's released sizes are the question's): no published combination of any
    # measure pins down fewer than k of them.
    rolled = dict(TeamTally.objects.filter(wave=wave).values_list("team__slug", "rolled"))
    released = {slug: rolled.get(slug, 0) for slug in teams}
    assert released["all"] == sum(released[slug] for slug in ("dept", "other")) and released["c"] == 0
    parent = {slug: team.parent.slug if team.parent else None for slug, team in teams.items()}
    checked = 0
    for kind, code in {(c.kind, c.code) for c in wave.published_cells.all()}:
        published = {slug for slug, cell in cells(wave, kind, code).items() if not cell.suppressed}
        assert recoverable_groups(parent, released, published, K) == [], (kind, code)
        checked += bool(published)
    assert checked


def test_while_open_a_team_that_can_reach_k_keeps_its_waiting_answers_for_its_own_figure(attack_tree):
    wave, teams = attack_tree
    respond(wave, teams["a"], [{"enps_recommend": 9} for _ in range(4)])
    respond(wave, teams["c"], [{"enps_recommend": 0}])
    respond(wave, teams["b"], [{"enps_recommend": 2} for _ in range(5)])  # the 10th: a mixing batch
    enps = cells(wave, "question", "enps_recommend")
    participation = cells(wave, "participation", "participation")
    assert enps["b"].n == 5 and enps["a"].suppressed
    # a and c could each still reach k: their 4 + 1 waiting answers are not pooled into the
    # department while the wave is open, in any measure. The department is b's chunk alone.
    assert enps["dept"].n == participation["dept"].n == 5
    respond(wave, teams["a"], [{"enps_recommend": 9} for _ in range(6)])
    respond(wave, teams["b"], [{"enps_recommend": 2} for _ in range(4)])  # the next batch
    assert cells(wave, "question", "enps_recommend")["a"].n == 10  # all of a's answers, in a's own cell


def test_nothing_moves_when_one_more_person_answers_an_open_wave(attack_tree):
    wave, teams = attack_tree
    respond(wave, teams["d"], [{"enps_recommend": 8} for _ in range(10)])
    before = {(c.team_id, c.kind, c.code): (c.n, c.score) for c in wave.published_cells.all()}
    assert cells(wave, "dimension", "enps")["d"].n == 10
    respond(wave, teams["d"], [{"enps_recommend": 0}])  # HR reads again after one answer
    after = {(c.team_id, c.kind, c.code): (c.n, c.score) for c in wave.published_cells.all()}
    assert after == before
    respond(wave, teams["d"], [{"enps_recommend": 0} for _ in range(9)])  # a mixing batch (2k): now it moves
    assert cells(wave, "dimension", "enps")["d"].n == 20


def test_every_combination_of_two_readings_over_time_covers_k_people(attack_tree):
    """Differences between any two published readings, for any node, are 0 or >= k people."""
    wave, teams = attack_tree
    rng = random.Random(5)
    readings = []
    # 45 answers in random arrival order, within the frozen headcounts (a 10, b 10, c 5, d 25).
    arrivals = [*"a" * 10, *"b" * 10, *"c" * 3, *"d" * 22]
    rng.shuffle(arrivals)
    for slug in arrivals:
        team = teams[slug]
        respond(wave, team, [{"adoption_frequency": rng.randint(1, 7)}])
        readings.append(
            {c.team.slug: c.n for c in wave.published_cells.filter(kind="participation").select_related("team")}
        )
    compared = moved = 0
    for first, second in itertools.combinations(readings, 2):
        for slug in first:
            if first[slug] is not None and second[slug] is not None:
                assert second[slug] - first[slug] == 0 or abs(second[slug] - first[slug]) >= K
                compared += 1
                moved += second[slug] != first[slug]
    assert compared > 0 and moved > 0  # published readings were compared, and some of them moved

"""One n per cell (issue 11): the gate judges each cell's n and the values publish an n; both
come from one enumeration (analytics.scoring.cell_layout) and `disclosure.mask` refuses any cell
whose n is not the one judged. Checked on random trees and data, in memory and end to end."""

import random

import pytest

from analytics import disclosure
from analytics.models import PublishedCell
from analytics.scoring import ANSWERED, cell_sizes, question_size, raw_cells, survey_rules
from analytics.services.aggregation import wave_aggregate
from survey.models import Question, Wave
from survey.services.waves import wave_close
from tests.analytics.helpers import respond
from tests.conftest import make_tree


def random_tree(rng: random.Random) -> dict:
    parent = {"root": None}
    frontier = ["root"]
    for depth in range(rng.randint(1, 4)):
        frontier = [
            parent.setdefault(f"{node}.{index}", node) and f"{node}.{index}"
            for node in frontier
            for index in range(rng.randint(1 if depth else 2, 4))
        ]
    return parent


def random_counts(rng: random.Random, rules, teams: list) -> list[tuple]:
    """Rolled-count rows as publication reads them: text under value 0, multiple choice per option
    plus ANSWERED, other questions per value; some questions unanswered."""
    rows = []
    for team in teams:
        for rule in rules.questions.values():
            if rng.random() < 0.2:
                continue
            if rule.type == Question.Type.TEXT:
                rows.append((team, rule.id, 0, rng.randint(1, 25)))
            elif rule.type == Question.Type.MULTIPLE:
                answered = rng.randint(1, 30)
                rows.append((team, rule.id, ANSWERED, answered))
                rows += [(team, rule.id, option, rng.randint(0, answered)) for option in rule.options]
            else:
                values = rng.sample(sorted(rule.options), rng.randint(1, len(rule.options)))
                rows += [(team, rule.id, value, rng.randint(1, 9)) for value in values]
    return rows


@pytest.mark.parametrize("seed", range(12))
def test_the_gate_and_the_values_enumerate_the_same_cells_with_the_same_n(survey, seed):
    rng = random.Random(seed)
    rules = survey_rules(survey)
    parent = random_tree(rng)
    teams = list(parent)
    counts = random_counts(rng, rules, teams)
    totals: dict = {}
    for team, question, value, n in counts:  # what publication's GROUP BY (team, question) returns
        total, answered = totals.get((team, question), (0, 0))
        totals[(team, question)] = (total + n, answered + (n if value == ANSWERED else 0))
    question_n = {
        key: question_size(rules.questions[key[1]], total=total, answered=answered)
        for key, (total, answered) in totals.items()
    }
    responses = {team: rng.randint(0, 40) for team in teams}
    sizes = cell_sizes(rules=rules, teams=teams, question_n=question_n, responses=responses)
    cells = raw_cells(rules=rules, teams=teams, counts=counts, responses=responses, headcounts={})
    verdicts = disclosure.suppression(
        cells=sizes, tree=disclosure.Tree.from_parents(parent), k=rng.randint(3, 10), k_comments=10
    )
    assert [(c.team, c.kind, c.code, c.group, c.comments) for c in cells] == [
        (c.team, c.kind, c.code, c.group, c.comments) for c in sizes
    ]
    assert [c.n for c in cells] == [c.n for c in sizes]
    gated = disclosure.mask(cells, verdicts)
    shown = [cell for cell in gated if not cell.suppressed]
    for cell in shown:
        assert cell.n == verdicts[(cell.team, cell.kind, cell.code)].n
    assert shown and len(gated) == len(verdicts)


def test_mask_refuses_a_cell_whose_n_the_gate_did_not_judge(survey):
    rules = survey_rules(survey)
    parent = {"root": None, "a": "root", "b": "root"}
    counts = random_counts(random.Random(3), rules, list(parent))
    cells = raw_cells(rules=rules, teams=parent, counts=counts, responses={"root": 20, "a": 10, "b": 10}, headcounts={})
    verdicts = disclosure.suppression(cells=cells, tree=disclosure.Tree.from_parents(parent), k=5, k_comments=10)
    cells[7].n += 1  # a second, diverging enumeration
    with pytest.raises(disclosure.GateMismatch):
        disclosure.mask(cells, verdicts)
    with pytest.raises(disclosure.GateMismatch):
        disclosure.mask(cells[:7], {key: verdicts[key] for key in list(verdicts)[1:]})


@pytest.mark.parametrize("seed", range(3))
def test_every_published_n_is_the_n_the_gate_judged(db, survey, monkeypatch, seed):
    """End to end on a random tree and random submissions, open then closed, incremental then full."""
    rng = random.Random(seed)
    spec = {
        f"d{d}": {f"t{d}{t}": rng.choice([3, 4, 8, 12, 20]) for t in range(rng.randint(1, 3))}
        for d in range(rng.randint(1, 3))
    }
    spec["d0"]["big"] = 20  # at least one team whose cells are shown
    organisation, teams = make_tree(f"random-{seed}", spec)
    wave = Wave.objects.create(organisation=organisation, survey=survey, name="W", status=Wave.Status.OPEN)
    judged: dict = {}
    original = disclosure.suppression

    def spy(**kwargs):
        verdicts = original(**kwargs)
        judged.clear()
        judged.update(verdicts)
        return verdicts

    monkeypatch.setattr(disclosure, "suppression", spy)

    def check() -> int:
        compared = 0
        for team, kind, code, n, suppressed in PublishedCell.objects.filter(wave=wave).values_list(
            "team_id", "kind", "code", "n", "suppressed"
        ):
            verdict = judged[(team, kind, code)]
            assert suppressed == bool(verdict.reason)
            if not suppressed:
                assert n == verdict.n
                compared += 1
        return compared

    leaves = [team for slug, team in teams.items() if slug.startswith("t") or slug == "big"]
    for team in leaves:
        respond(
            wave,
            team,
            [
                {
                    "adoption_frequency": rng.randint(1, 7),
                    "adoption_tasks": rng.sample(range(7), rng.randint(0, 3)),
                    "enps_recommend": rng.randint(0, 10),
                    "fatigue_hard_to_focus": rng.choice([None, 1, 2, 3, 4, 5]),
                    "comment_ai_help": rng.choice(["", "More training please", "Clearer rules"]),
                }
                for _ in range(rng.randint((team.headcount + 1) // 2, team.headcount))
            ],
        )
    compared = check() if judged else 0
    wave = wave_close(wave=wave)
    wave_aggregate(wave_id=wave.pk)
    compared += check()
    wave_aggregate(wave_id=wave.pk, full=True)
    compared += check()
    assert compared > 0

"""One n per cell (issue 11): the gate judges each cell's n (analytics.disclosure.suppression, on
the cells of analytics.scoring.cell_layout) and SQL computes and writes the values of those very
cells (analytics.services.cell_values), refusing to publish any cell whose n is not the one
judged. Checked on random trees and counts, and end to end on random submissions."""

import random
import re

import pytest
from django.db import transaction

from analytics import disclosure
from analytics.models import PublishedCell, RolledCount, TeamTally
from analytics.scoring import ANSWERED, survey_rules
from analytics.services.aggregation import wave_aggregate
from analytics.services.publication import wave_publish
from survey.models import Question, Wave
from survey.services.waves import wave_close
from tests.analytics.helpers import respond
from tests.conftest import make_tree


def random_spec(rng: random.Random) -> dict:
    spec = {
        f"d{d}": {f"t{d}{t}": rng.choice([3, 4, 8, 12, 20]) for t in range(rng.randint(1, 3))}
        for d in range(rng.randint(1, 3))
    }
    spec["d0"]["big"] = 20  # at least one team whose cells are shown
    return spec


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


def published_wave(rng: random.Random, survey, slug: str) -> Wave:
    """An open wave on a random tree whose rolled counts and participation are random (not even
    consistent with the tree: the property holds for any counts)."""
    organisation, teams = make_tree(slug, random_spec(rng))
    wave = Wave.objects.create(organisation=organisation, survey=survey, name="W", status=Wave.Status.OPEN)
    rules = survey_rules(survey)
    RolledCount.objects.bulk_create(
        RolledCount(wave=wave, team_id=team, question_id=question, value=value, n=n)
        for team, question, value, n in random_counts(rng, rules, [team.pk for team in teams.values()])
    )
    TeamTally.objects.bulk_create(
        TeamTally(wave=wave, team=team, responses=0, rolled=rng.randint(0, 40)) for team in teams.values()
    )
    return wave


def spy_on_the_gate(monkeypatch, alter=None) -> dict:
    """Records the verdicts the gate gives publication (after `alter`, if given, changes them)."""
    judged: dict = {}
    original = disclosure.suppression

    def spy(**kwargs):
        verdicts = original(**kwargs)
        if alter:
            alter(verdicts)
        judged.clear()
        judged.update(verdicts)
        return verdicts

    monkeypatch.setattr(disclosure, "suppression", spy)
    return judged


def published_against(wave: Wave, judged: dict) -> int:
    """Asserts every published cell is one the gate judged, hidden as judged, with the n judged."""
    compared = 0
    cells = PublishedCell.objects.filter(wave=wave).values_list("team_id", "kind", "code", "n", "suppressed")
    assert len(cells) == len(judged)
    for team, kind, code, n, suppressed in cells:
        verdict = judged[(team, kind, code)]
        assert suppressed == bool(verdict.reason)
        if not suppressed:
            assert n == verdict.n
            compared += 1
    return compared


@pytest.mark.parametrize("seed", range(8))
def test_sql_publication_shows_exactly_the_cells_the_gate_judged_with_their_n(db, survey, monkeypatch, seed):
    """On random trees and counts: the cells written in SQL are the gate's cells, one for one."""
    rng = random.Random(seed)
    wave = published_wave(rng, survey, f"counts-{seed}")
    judged = spy_on_the_gate(monkeypatch)
    wave_publish(wave=wave, force=True)
    assert published_against(wave, judged) > 0
    assert {kind for _, kind, _ in judged} == {"participation", "question", "dimension", "comments"}


def test_publication_refuses_a_cell_whose_n_the_gate_did_not_judge(db, survey, monkeypatch):
    wave = published_wave(random.Random(3), survey, "diverging")
    wave_publish(wave=wave, force=True)
    stored = PublishedCell.objects.filter(wave=wave).values_list("team_id", "kind", "code", "n", "score")
    before = sorted(stored)

    diverged = {}

    def diverge(verdicts: dict) -> None:  # a second, diverging enumeration of one cell's n
        key = next(key for key, verdict in verdicts.items() if verdict.n and key[1] == "question")
        verdicts[key] = verdicts[key]._replace(n=verdicts[key].n + 1)
        diverged.update(key=key, n=verdicts[key].n)

    spy_on_the_gate(monkeypatch, alter=diverge)
    with pytest.raises(disclosure.GateMismatch) as refused, transaction.atomic():
        wave_publish(wave=wave, force=True)
    # The message names the cell and no n (it reaches a worker's log): neither the judged n nor the true one.
    _, kind, code = diverged["key"]
    message = str(refused.value)
    assert kind in message and code in message
    assert not re.search(rf"\b({diverged['n']}|{diverged['n'] - 1})\b", message)
    assert (
        sorted(PublishedCell.objects.filter(wave=wave).values_list("team_id", "kind", "code", "n", "score")) == before
    )


@pytest.mark.parametrize("seed", range(3))
def test_every_published_n_is_the_n_the_gate_judged(db, survey, monkeypatch, seed):
    """End to end on a random tree and random submissions, open then closed, incremental then full."""
    rng = random.Random(seed)
    organisation, teams = make_tree(f"random-{seed}", random_spec(rng))
    wave = Wave.objects.create(organisation=organisation, survey=survey, name="W", status=Wave.Status.OPEN)
    judged = spy_on_the_gate(monkeypatch)
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
    compared = published_against(wave, judged) if judged else 0
    wave = wave_close(wave=wave)
    wave_aggregate(wave_id=wave.pk)
    compared += published_against(wave, judged)
    wave_aggregate(wave_id=wave.pk, full=True)
    compared += published_against(wave, judged)
    assert compared > 0

import importlib
import random
import threading
from collections import Counter

import pytest
from django.apps import apps
from django.db import connection

from analytics.models import AnswerCount, PublishedCell, RolledCount, TeamTally
from analytics.scoring import ANSWERED
from analytics.services.aggregation import wave_aggregate
from analytics.services.recount import counts_recount
from survey.models import Answer, Question, Wave, WaveTeam
from survey.services.invitations import invitations_issue
from survey.services.submission import submission_submit
from tests.analytics.helpers import cells, respond
from tests.conftest import close_and_fold, make_tree, token_of


def random_answers(rng: random.Random, questions: list[Question]) -> dict:
    answers = {}
    for question in questions:
        if rng.random() < 0.15:
            continue
        values = [option.value for option in question.options.all()]
        if question.is_text:
            answers[question.code] = rng.choice(["", "More training please", "Moins de réunions"])
        elif question.is_multiple:
            answers[question.code] = rng.sample(values, rng.randint(0, len(values)))
        else:
            answers[question.code] = rng.choice(values)
    return answers


def snapshot(wave):
    counts = sorted(AnswerCount.objects.filter(wave=wave).values_list("team_id", "question_id", "value", "n"))
    tallies = sorted(TeamTally.objects.filter(wave=wave).values_list("team_id", "responses", "released"))
    published = sorted(
        PublishedCell.objects.filter(wave=wave).values_list(
            "team_id", "kind", "code", "n", "score", "favourable_pct", "suppressed", "reason", "distribution"
        ),
        key=lambda row: (str(row[0]), row[1], row[2]),
    )
    return counts, tallies, published


@pytest.fixture
def big_tree(db, survey):
    organisation, teams = make_tree(
        "rand", {"d1": {"t1": 30, "t2": 12, "t3": 4}, "d2": {"t4": 25, "t5": 9}, "d3": {"t6": 6}}
    )
    wave = Wave.objects.create(organisation=organisation, survey=survey, name="R", status=Wave.Status.OPEN)
    return wave, teams


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_full_recompute_equals_incremental_on_random_data(big_tree, survey, seed, monkeypatch):
    wave, teams = big_tree
    rng = random.Random(seed)
    questions = list(survey.questions.prefetch_related("options"))
    leaves = [teams[slug] for slug in ("t1", "t2", "t3", "t4", "t5", "t6")]
    # Batches of random size, each folded incrementally, as workers would.
    monkeypatch.setattr("analytics.tasks.schedule_wave_aggregation", lambda **kwargs: None)
    for _ in range(6):
        for _ in range(rng.randint(1, 15)):
            with_seats = [team for team in leaves if WaveTeam.objects.get(wave=wave, team=team).seats < team.headcount]
            respond(wave, rng.choice(with_seats), [random_answers(rng, questions)])
        wave_aggregate(wave_id=wave.pk)
    Wave.objects.filter(pk=wave.pk).update(status=Wave.Status.CLOSED)
    wave_aggregate(wave_id=wave.pk)
    incremental = snapshot(wave)
    assert incremental[0], "something was counted"
    wave_aggregate(wave_id=wave.pk, full=True)
    assert snapshot(wave) == incremental


def test_scores_follow_the_option_rules(big_tree):
    wave, teams = big_tree
    # 5 people in t1: frequency answers 1..5 score 0/25/50/75/100; "never"/"rarely" favourable.
    respond(
        wave,
        teams["t1"],
        [
            {"fatigue_hard_to_focus": value, "enps_recommend": e}
            for value, e in zip([1, 2, 3, 4, 5], [10, 9, 7, 3, 0], strict=True)
        ],
    )
    close_and_fold(wave)  # 5 < 2k submissions wait for a batch until the wave closes
    focus = cells(wave, "question", "fatigue_hard_to_focus")["t1"]
    assert focus.n == 5 and focus.score == 50.0 and focus.favourable_pct == 40.0
    assert focus.distribution == {"1": 1, "2": 1, "3": 1, "4": 1, "5": 1}
    enps = cells(wave, "dimension", "enps")["t1"]
    assert enps.score == 0.0  # 2 promoters, 2 detractors out of 5
    assert enps.favourable_pct == 40.0
    participation = cells(wave, "participation", "participation")["t1"]
    assert participation.n == 5 and participation.score == round(100 * 5 / 30, 1)


def test_multiple_choice_counts_each_option(big_tree):
    wave, teams = big_tree
    respond(
        wave,
        teams["t1"],
        [
            {"adoption_tasks": [0, 1]},
            {"adoption_tasks": [1]},
            {"adoption_tasks": [1, 2]},
            {"adoption_tasks": [3]},
            {"adoption_tasks": []},
            {"adoption_tasks": [1]},
        ],
    )
    Wave.objects.filter(pk=wave.pk).update(status=Wave.Status.CLOSED)  # release the 6th response too
    wave_aggregate(wave_id=wave.pk)
    tasks = cells(wave, "question", "adoption_tasks")["t1"]
    assert tasks.n == 5  # the empty list is a skip
    assert tasks.distribution["0"] == 1 and tasks.distribution["1"] == 4 and tasks.distribution["3"] == 1
    assert tasks.score is None
    # Counted per option (people who ticked it) and ANSWERED (people who answered), not per pattern
    # of ticks; the full recount writes the very rows the fold wrote.
    question = Question.objects.get(survey=wave.survey, code="adoption_tasks")
    per_option = {0: 1, 1: 4, 2: 1, 3: 1, ANSWERED: 5}

    def counted():
        return dict(
            AnswerCount.objects.filter(wave=wave, team=teams["t1"], question=question).values_list("value", "n")
        )

    assert counted() == per_option
    wave_aggregate(wave_id=wave.pk, full=True)
    assert counted() == per_option


def test_a_multiple_choice_question_waits_for_k_people_not_k_ticks(big_tree, monkeypatch):
    """Four people ticking three options each are twelve ticks: the release rule must count four,
    and hold their answers until a fifth person answers (PRODUCT.md rule 4)."""
    wave, teams = big_tree
    monkeypatch.setattr("analytics.tasks.schedule_wave_aggregation", lambda **kwargs: None)
    question = Question.objects.get(survey=wave.survey, code="adoption_tasks")
    # Whole mixing batches of 2 x k, folded while the wave is open.
    respond(wave, teams["t1"], [{"adoption_tasks": [0, 1, 2]}] * 4 + [{"enps_recommend": 8}] * 6)
    assert wave_aggregate(wave_id=wave.pk).folded == 10
    assert cells(wave, "question", "enps_recommend")["t1"].n == 6
    assert not RolledCount.objects.filter(wave=wave, question=question).exists()
    assert cells(wave, "question", "adoption_tasks")["t1"].suppressed
    respond(wave, teams["t1"], [{"adoption_tasks": [3]}] + [{"enps_recommend": 8}] * 9)
    assert wave_aggregate(wave_id=wave.pk).folded == 10
    tasks = cells(wave, "question", "adoption_tasks")["t1"]
    assert tasks.n == 5 and not tasks.suppressed
    assert [tasks.distribution[value] for value in "0123"] == [4, 4, 4, 1]


def test_a_dimension_is_the_mean_of_its_questions(big_tree):
    wave, teams = big_tree
    respond(wave, teams["t1"], [{"fatigue_hard_to_focus": 5, "fatigue_drained_end_of_day": 1} for _ in range(5)])
    close_and_fold(wave)
    fatigue = cells(wave, "dimension", "fatigue")["t1"]
    assert fatigue.score == 50.0 and fatigue.n == 5


def test_running_twice_changes_nothing(big_tree):
    wave, teams = big_tree
    # A whole mixing batch (2 x k): the submissions' own scheduling folds and publishes it.
    respond(wave, teams["t1"], [{"enps_recommend": 9} for _ in range(10)])
    before = snapshot(wave)
    assert cells(wave, "question", "enps_recommend")["t1"].n == 10
    result = wave_aggregate(wave_id=wave.pk)
    assert result.folded == 0 and not result.published
    assert snapshot(wave) == before


def test_a_full_recompute_of_unchanged_data_rewrites_no_cell(big_tree):
    """Every cell is recomputed and compared, and none is written: each keeps its row version."""
    wave, teams = big_tree
    respond(wave, teams["t1"], [{"enps_recommend": 9, "fatigue_drained_end_of_day": 4} for _ in range(10)])
    respond(wave, teams["t4"], [{"enps_recommend": 3, "adoption_tasks": [0, 2]} for _ in range(10)])

    def versions() -> set:
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, ctid FROM analytics_publishedcell WHERE wave_id = %s", [wave.pk])
            return set(cursor.fetchall())

    before = versions()
    assert len(before) > 100
    assert wave_aggregate(wave_id=wave.pk, full=True).published
    assert versions() == before
    score = cells(wave, "question", "enps_recommend")["t1"].score
    PublishedCell.objects.filter(wave=wave, team=teams["t1"], kind="question", code="enps_recommend").update(score=0)
    wave_aggregate(wave_id=wave.pk, full=True)
    assert cells(wave, "question", "enps_recommend")["t1"].score == score > 0
    assert len(versions() - before) == 1  # the tampered cell alone, rewritten in place


def test_parents_cover_their_descendants(big_tree):
    wave, teams = big_tree
    respond(wave, teams["t1"], [{"enps_recommend": 9} for _ in range(5)])
    respond(wave, teams["t4"], [{"enps_recommend": 2} for _ in range(5)])
    enps = cells(wave, "question", "enps_recommend")
    assert enps["all"].n == 10 and enps["d1"].n == 5 and enps["d2"].n == 5
    assert enps["all"].score == 55.0


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_count_each_submission_once(survey, monkeypatch):
    organisation, teams = make_tree("race", {"d": {"t": 100}})
    wave = Wave.objects.create(organisation=organisation, survey=survey, name="R", status=Wave.Status.OPEN)
    monkeypatch.setattr("analytics.tasks.schedule_wave_aggregation", lambda **kwargs: None)
    respond(wave, teams["t"], [{"enps_recommend": value % 11} for value in range(40)])
    barrier = threading.Barrier(2)
    errors = []

    def worker():
        try:
            barrier.wait()
            wave_aggregate(wave_id=wave.pk)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert TeamTally.objects.get(wave=wave, team=teams["t"]).responses == 40
    assert sum(AnswerCount.objects.filter(wave=wave).values_list("n", flat=True)) == 40


def test_the_beat_sweeps_a_closed_waves_last_pending_batch(big_tree, monkeypatch):
    from analytics.tasks import aggregate_open_waves
    from survey.models import PendingResponse

    wave, teams = big_tree
    monkeypatch.setattr("analytics.tasks.schedule_wave_aggregation", lambda **kwargs: None)  # a lost trigger
    respond(wave, teams["t1"], [{"enps_recommend": 9} for _ in range(3)])
    Wave.objects.filter(pk=wave.pk).update(status=Wave.Status.CLOSED)
    assert PendingResponse.objects.filter(wave=wave).count() == 3
    aggregate_open_waves()
    assert not PendingResponse.objects.filter(wave=wave).exists()


def test_a_full_mixing_batch_is_folded_at_once_not_after_the_debounce(
    big_tree, settings, monkeypatch, django_capture_on_commit_callbacks
):
    """Issue 11: a batch is folded as soon as it reaches the mixing minimum (2 x k) rather than
    left to grow until the debounce window ends; below it, one delayed run per window. Issue 10:
    in a rush, no sooner than the minimum interval after the wave's previous run."""
    from django.core.cache import cache

    from analytics import tasks
    from survey.services.submission import mixing_minimum

    wave, teams = big_tree
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.PULSE_AGGREGATE_DEBOUNCE_SECONDS = 15
    settings.PULSE_AGGREGATE_MIN_INTERVAL_SECONDS = 2
    cache.clear()
    queued = []
    monkeypatch.setattr(
        tasks.aggregate_wave, "apply_async", lambda args, countdown: queued.append((f"in {countdown}s", args))
    )
    team = next(team for team in teams.values() if team.headcount >= 3 * mixing_minimum(wave))
    with django_capture_on_commit_callbacks(execute=True):
        respond(wave, team, [{"enps_recommend": 7}] * (mixing_minimum(wave) - 1))
    assert queued == [("in 15s", (str(wave.pk),))]  # one delayed run for the whole window
    with django_capture_on_commit_callbacks(execute=True):
        respond(wave, team, [{"enps_recommend": 7}])  # the batch is now full
    assert queued[1:] == [("in 0s", (str(wave.pk),))]
    with django_capture_on_commit_callbacks(execute=True):
        respond(wave, team, [{"enps_recommend": 7}])  # the immediate run is already queued
    assert len(queued) == 2

    assert tasks.aggregate_wave(str(wave.pk))["folded"] == mixing_minimum(wave) + 1
    with django_capture_on_commit_callbacks(execute=True):
        respond(wave, team, [{"enps_recommend": 7}] * mixing_minimum(wave))  # a rush: a whole batch again
    assert queued[2:] == [("in 15s", (str(wave.pk),)), ("in 2s", (str(wave.pk),))]


def test_a_failing_scheduler_never_fails_a_stored_submission(big_tree, monkeypatch, caplog):
    """The database is the source of truth: with the broker down the answers are kept, the
    failure is logged (without the token), and the beat's sweep folds them later."""
    monkeypatch.setattr("survey.services.submission._receiver_logged_at", float("-inf"))
    from analytics.tasks import aggregate_open_waves
    from survey.models import PendingResponse

    wave, teams = big_tree

    def broker_down(**kwargs):
        raise ConnectionError("Redis is unreachable")

    monkeypatch.setattr("analytics.tasks.schedule_wave_aggregation", broker_down)
    links = invitations_issue(wave=wave, team=teams["t1"], count=10)
    for link in links:
        submission_submit(token=token_of(link), answers={"enps_recommend": 9})
    assert PendingResponse.objects.filter(wave=wave).count() == 10
    # Once, not once per submission: each line's timestamp would say when someone answered.
    assert caplog.text.count("Could not schedule an aggregation") == 1
    assert not any(token_of(link) in caplog.text for link in links)
    monkeypatch.undo()
    aggregate_open_waves()
    assert cells(wave, "question", "enps_recommend")["t1"].n == 10


def test_the_migration_turns_patterns_into_the_rows_of_a_fresh_recount(big_tree, survey):
    """Migration 0008 on counts kept per pattern of ticks (the old form): per option the sum of
    the patterns ticking it, and ANSWERED the sum of all, for `n` and `released` alike."""
    migration = importlib.import_module("analytics.migrations.0008_multiple_choice_per_option")
    wave, teams = big_tree
    rng = random.Random(7)
    questions = list(survey.questions.prefetch_related("options"))
    for slug in ("t1", "t2", "t3", "t4", "t5", "t6"):
        respond(wave, teams[slug], [random_answers(rng, questions) for _ in range(min(teams[slug].headcount, 12))])
    close_and_fold(wave)

    def rows():
        return sorted(AnswerCount.objects.filter(wave=wave).values_list("team_id", "question_id", "value", "n"))

    AnswerCount.objects.filter(wave=wave).delete()
    counts_recount(wave=wave)
    fresh = rows()

    # The old form, `released` as of a snapshot of every other response; what the snapshot holds
    # per option and ANSWERED, counted from the answers themselves.
    multiple = {
        question.id: [option.value for option in question.options.all()]
        for question in questions
        if question.is_multiple
    }
    answers = Answer.objects.filter(wave=wave, question_id__in=multiple).order_by("response_id")
    patterns: Counter = Counter()
    released: Counter = Counter()
    expected_released: Counter = Counter()
    for index, (team, question, value) in enumerate(answers.values_list("team_id", "question_id", "value")):
        patterns[team, question, value] += 1
        if index % 2:
            released[team, question, value] += 1
            expected_released[team, question, ANSWERED] += 1
            expected_released.update((team, question, bit) for bit in multiple[question] if value >> bit & 1)
    assert len(patterns) > 6 * len(multiple), "several patterns per team and question"
    AnswerCount.objects.filter(wave=wave, question_id__in=multiple).delete()
    AnswerCount.objects.bulk_create(
        AnswerCount(
            wave=wave, team_id=team, question_id=question, value=value, n=n, released=released[team, question, value]
        )
        for (team, question, value), n in patterns.items()
    )

    migration.explode_multiple_choice(apps, connection.schema_editor())
    assert rows() == fresh
    converted = AnswerCount.objects.filter(wave=wave, question_id__in=multiple, released__gt=0)
    assert {
        (team, question, value): count
        for team, question, value, count in converted.values_list("team_id", "question_id", "value", "released")
    } == expected_released

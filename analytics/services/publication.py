"""Releasing counts and publishing cells through the disclosure gate.

A release adds each release chunk's counts (analytics.disclosure.release_points) to `RolledCount`
for its release point and all its ancestors in the wave's frozen tree (SQL).
Publication then runs the gate over every cell's n (one small GROUP BY), and has SQL compute and
write the cells (scores, distributions) of the teams whose counts or verdicts changed
(analytics.services.cell_values), only where their figures differ.
"""

import uuid
from collections import defaultdict

from django.db import connection
from django.db.models import F, Q, Sum
from django.utils import timezone

from analytics import disclosure
from analytics.models import DriverResult, Publication, PublishedCell, RolledCount, TeamTally
from analytics.scoring import ANSWERED, cell_sizes, question_size, survey_rules
from analytics.services.cell_values import cells_publish
from analytics.services.comments import (
    comments_mark_released,
    wave_topics_discover,
    wave_topics_stale,
)
from analytics.services.drivers import wave_drivers
from survey.models import Question, Wave
from survey.selectors import wave_tree
from survey.sql import execute, temp_table, uuid_param

# What each release chunk brings, added to its release point and every ancestor of it in the wave's tree.
# Answer counts are per option for multiple choice already, as the rolled counts are. The released
# rows are read once (`waiting`, kept in memory), then added to each ancestor: joined the other way
# round, the count index was probed once per ancestor of each row.
ROLL_RELEASE = """
WITH waiting AS {materialized} (
  SELECT a.question_id, a.value, a.n - a.released AS grown, p.point_id FROM analytics_answercount a
  JOIN pulse_release_plan p ON p.team_id = a.team_id AND p.question_id = a.question_id
  WHERE a.wave_id = %s AND a.n <> a.released
)
INSERT INTO analytics_rolledcount (wave_id, team_id, question_id, value, n)
SELECT %s, c.ancestor_id, w.question_id, w.value, SUM(w.grown)
FROM waiting w JOIN survey_waveteamclosure c ON c.wave_id = %s AND c.descendant_id = w.point_id
WHERE true
GROUP BY c.ancestor_id, w.question_id, w.value
ON CONFLICT (wave_id, team_id, question_id, value) DO UPDATE SET n = analytics_rolledcount.n + EXCLUDED.n
"""

SNAPSHOT_RELEASE = """
UPDATE analytics_answercount SET released = n WHERE wave_id = %s AND n <> released AND EXISTS (
  SELECT 1 FROM pulse_release_plan p
  WHERE p.team_id = analytics_answercount.team_id AND p.question_id = analytics_answercount.question_id)
"""

# People waiting per team and question: a multiple-choice question's option rows count ticks, its
# ANSWERED row the people.
WAITING = f"""
SELECT a.team_id, a.question_id, SUM(a.n - a.released) FROM analytics_answercount a
JOIN survey_question q ON q.id = a.question_id
WHERE a.wave_id = %s AND a.n <> a.released AND (q.type <> 'multiple' OR a.value = {ANSWERED})
GROUP BY a.team_id, a.question_id
"""

ROLL_TALLY = """
INSERT INTO analytics_teamtally (wave_id, team_id, responses, released, rolled) VALUES (%s, %s, 0, 0, %s)
ON CONFLICT (wave_id, team_id) DO UPDATE SET rolled = analytics_teamtally.rolled + EXCLUDED.rolled
"""

# Today's published participation n of every team whose participation cell is shown (the
# answers-per-day chart reads the increase between days). One statement, and running it twice a
# day only rewrites the same row.
PUBLISHED_DAY = """
INSERT INTO analytics_publishedday (wave_id, team_id, day, n)
SELECT wave_id, team_id, %s, n FROM analytics_publishedcell
WHERE wave_id = %s AND kind = 'participation' AND NOT suppressed AND n IS NOT NULL
ON CONFLICT (wave_id, team_id, day) DO UPDATE SET n = EXCLUDED.n
"""


def _ancestors(tree: disclosure.Tree, node: object) -> list:
    chain = []
    while node is not None:
        chain.append(node)
        node = tree.parent.get(node)
    return chain


def _write_plan(plan: list[tuple]) -> None:
    """The (team, question, release point) triples of this release, as a temporary table for the SQL."""
    uuid_type = "uuid" if connection.vendor == "postgresql" else "char(32)"
    execute("DROP TABLE IF EXISTS pulse_release_plan")
    execute(f"CREATE TEMP TABLE pulse_release_plan (team_id {uuid_type}, question_id bigint, point_id {uuid_type})")
    temp_table("pulse_release_plan", plan)


def _release(wave: Wave, tree: disclosure.Tree, headcounts: dict, rules) -> set:
    """Releases what the release rule lets through (analytics.disclosure.release_points), per
    question and for participation. Returns the teams whose published figures change."""
    closing = wave.status == Wave.Status.CLOSED
    waiting: dict[int, dict] = defaultdict(dict)
    with connection.cursor() as cursor:
        cursor.execute(WAITING, [uuid_param(wave.pk)])
        for team, question, count in cursor.fetchall():
            waiting[question][team if isinstance(team, uuid.UUID) else uuid.UUID(str(team))] = int(count)
    plan = []
    for question, counts in waiting.items():
        text = question in rules.questions and rules.questions[question].type == Question.Type.TEXT
        threshold = wave.k_comments if text else wave.k_min
        plan += [
            (team, question, point)
            for team, point in disclosure.release_points(
                tree, counts, k=threshold, headcounts=headcounts, closing=closing
            ).items()
        ]
    tallies = TeamTally.objects.filter(wave=wave).exclude(responses=F("released"))
    tallies_waiting = {
        team: responses - released
        for team, responses, released in tallies.values_list("team_id", "responses", "released")
    }
    tally_points = disclosure.release_points(
        tree, tallies_waiting, k=wave.k_min, headcounts=headcounts, closing=closing
    )
    if plan:
        wave_id = uuid_param(wave.pk)
        _write_plan(plan)
        materialized = "MATERIALIZED" if connection.vendor == "postgresql" else ""
        execute(ROLL_RELEASE.format(materialized=materialized), [wave_id] * 3)
        execute(SNAPSHOT_RELEASE, [wave_id])
        comments_mark_released(wave=wave)
        execute("DROP TABLE pulse_release_plan")
    if tally_points:
        grown: dict = defaultdict(int)
        for team, point in tally_points.items():
            for ancestor in _ancestors(tree, point):
                grown[ancestor] += tallies_waiting[team]
        with connection.cursor() as cursor:
            cursor.executemany(
                ROLL_TALLY, [(uuid_param(wave.pk), uuid_param(team), count) for team, count in grown.items()]
            )
        tallies.filter(team_id__in=tally_points).update(released=F("responses"))
    points = {point for _, _, point in plan} | set(tally_points.values())
    return {ancestor for point in points for ancestor in _ancestors(tree, point)}


def _previous_wave(wave: Wave) -> uuid.UUID | None:
    """The same survey's wave before this one in the organisation: deltas read its scores."""
    if not wave.opens_at:
        return None
    earlier = Wave.objects.filter(organisation=wave.organisation_id, survey=wave.survey_id, opens_at__lt=wave.opens_at)
    return earlier.order_by("-opens_at").values_list("id", flat=True).first()


def _publish(wave: Wave, tree: disclosure.Tree, rules, touched: set | None) -> None:
    """Gates every cell's n, then rewrites the cells of `touched` teams (all when None) and of any
    team whose verdicts changed (in SQL, analytics.services.cell_values)."""
    rolled = RolledCount.objects.filter(wave=wave)
    question_n = {
        (team, question): question_size(rules.questions[question], total=total, answered=answered or 0)
        for team, question, total, answered in rolled.values("team_id", "question_id")
        .annotate(total=Sum("n"), answered=Sum("n", filter=Q(value=ANSWERED)))
        .values_list("team_id", "question_id", "total", "answered")
    }
    responses = dict(TeamTally.objects.filter(wave=wave).values_list("team_id", "rolled"))

    def judge() -> dict[tuple, disclosure.Verdict]:
        return disclosure.suppression(
            cells=cell_sizes(rules=rules, teams=tree.parent, question_n=question_n, responses=responses),
            tree=tree,
            k=wave.k_min,
            k_comments=wave.k_comments,
        )

    cells_publish(wave=wave, rules=rules, judge=judge, teams=touched, previous=_previous_wave(wave))
    execute(PUBLISHED_DAY, [timezone.localdate(), uuid_param(wave.pk)])


def wave_publish(*, wave: Wave, force: bool = False) -> bool:
    """Releases what the release rule allows and updates the published cells it changes (all of
    them if `force`). Runs inside the caller's transaction. Returns whether the cells changed."""
    parents, headcounts = wave_tree(wave=wave)
    tree = disclosure.Tree.from_parents(parents)
    rules = survey_rules(wave.survey)
    touched = _release(wave, tree, headcounts, rules)
    changed = force or bool(touched) or not PublishedCell.objects.filter(wave=wave).exists()
    if changed:
        _publish(wave, tree, rules, None if force else touched)
        publication, _ = Publication.objects.get_or_create(wave=wave)
        publication.version += 1
        publication.published_at = timezone.now()
        publication.save()
    if force or (changed and wave_topics_stale(wave=wave)):
        wave_topics_discover(wave=wave)
    # Drivers exist for closed waves only: fit them at closing even when closing released nothing new.
    if changed or (wave.status == Wave.Status.CLOSED and not DriverResult.objects.filter(wave=wave).exists()):
        wave_drivers(wave=wave)
    return changed

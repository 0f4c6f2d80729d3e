"""Releasing counts and publishing cells through the disclosure gate.

A release adds each release chunk's counts (analytics.disclosure.release_points) to `RolledCount`
for its release point and all its ancestors in the wave's frozen tree (SQL).
Publication then runs the gate over every cell's n (one small GROUP BY), and recomputes the full
cells (scores, distributions) only for teams whose counts or suppression changed.
"""

import json
import uuid
from collections import defaultdict

from django.db import connection
from django.db.models import F, Q, Sum
from django.utils import timezone

from analytics import disclosure
from analytics.models import DriverResult, Publication, PublishedCell, RolledCount, TeamTally
from analytics.scoring import ANSWERED, cell_sizes, question_size, raw_cells, survey_rules
from analytics.services.comments import (
    comment_breakdowns,
    comments_mark_released,
    wave_topics_discover,
    wave_topics_stale,
)
from analytics.services.drivers import wave_drivers
from survey.models import Question, Wave
from survey.selectors import wave_tree
from survey.sql import execute, uuid_param, uuid_text

# Live multiple-choice counts are per bitmask (one row per answer pattern). Rolled up they become
# one row per option (value = the option's bit: people who ticked it) plus value -1 (people who
# answered, scoring.ANSWERED): a handful of rows per question instead of up to 2^options.
EXPLODED = """
SELECT a.team_id, a.question_id, a.value, a.n, a.released FROM waiting a
JOIN survey_question q ON q.id = a.question_id AND q.type <> 'multiple'
UNION ALL
SELECT a.team_id, a.question_id, o.value, a.n, a.released FROM waiting a
JOIN survey_question q ON q.id = a.question_id AND q.type = 'multiple'
JOIN survey_option o ON o.question_id = a.question_id AND (a.value & (1 << o.value)) <> 0
UNION ALL
SELECT a.team_id, a.question_id, -1, a.n, a.released FROM waiting a
JOIN survey_question q ON q.id = a.question_id AND q.type = 'multiple'
"""

# What each release chunk brings, added to its release point and every ancestor of it in the wave's tree.
# The released rows are read once (`waiting`, kept in memory): reading them once per option of each
# multiple-choice question walked the wave's whole count index a dozen times.
ROLL_RELEASE = """
WITH waiting AS {materialized} (
  SELECT a.team_id, a.question_id, a.value, a.n, a.released FROM analytics_answercount a
  JOIN pulse_release_plan p ON p.team_id = a.team_id AND p.question_id = a.question_id
  WHERE a.wave_id = %s AND a.n <> a.released
)
INSERT INTO analytics_rolledcount (wave_id, team_id, question_id, value, n)
SELECT %s, c.ancestor_id, e.question_id, e.value, SUM(e.n - e.released)
FROM ({exploded}) e
JOIN pulse_release_plan p ON p.team_id = e.team_id AND p.question_id = e.question_id
JOIN survey_waveteamclosure c ON c.wave_id = %s AND c.descendant_id = p.point_id
WHERE true
GROUP BY c.ancestor_id, e.question_id, e.value
ON CONFLICT (wave_id, team_id, question_id, value) DO UPDATE SET n = analytics_rolledcount.n + EXCLUDED.n
"""

SNAPSHOT_RELEASE = """
UPDATE analytics_answercount SET released = n WHERE wave_id = %s AND n <> released AND EXISTS (
  SELECT 1 FROM pulse_release_plan p
  WHERE p.team_id = analytics_answercount.team_id AND p.question_id = analytics_answercount.question_id)
"""

WAITING = """
SELECT team_id, question_id, SUM(n - released) FROM analytics_answercount
WHERE wave_id = %s AND n <> released GROUP BY team_id, question_id
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

CELL_COLUMNS = (
    "id",
    "wave_id",
    "team_id",
    "kind",
    "code",
    "n",
    "score",
    "favourable_pct",
    "distribution",
    "delta_previous",
    "suppressed",
    "reason",
)


def _ancestors(tree: disclosure.Tree, node: object) -> list:
    chain = []
    while node is not None:
        chain.append(node)
        node = tree.parent.get(node)
    return chain


def _write_plan(plan: list[tuple]) -> None:
    """The (team, question, release point) triples of this release, as a temporary table for the SQL."""
    uuid_type = "uuid" if connection.vendor == "postgresql" else "char(32)"
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS pulse_release_plan")
        cursor.execute(
            f"CREATE TEMP TABLE pulse_release_plan (team_id {uuid_type}, question_id bigint, point_id {uuid_type})"
        )
        rows = [(uuid_param(team), question, uuid_param(point)) for team, question, point in plan]
        if connection.vendor == "postgresql":
            with cursor.cursor.copy("COPY pulse_release_plan FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            # A temporary table has no statistics until analysed: without them the roll-up's joins
            # are planned for a handful of rows.
            cursor.execute("ANALYZE pulse_release_plan")
        else:
            cursor.executemany("INSERT INTO pulse_release_plan VALUES (%s, %s, %s)", rows)


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
        execute(ROLL_RELEASE.format(materialized=materialized, exploded=EXPLODED), [wave_id] * 3)
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


def _previous_scores(wave: Wave) -> dict:
    previous = (
        Wave.objects.filter(organisation=wave.organisation_id, survey=wave.survey_id, opens_at__lt=wave.opens_at)
        .order_by("-opens_at")
        .first()
        if wave.opens_at
        else None
    )
    if previous is None:
        return {}
    cells = PublishedCell.objects.filter(wave=previous, suppressed=False)
    return {
        (team, kind, code): score for team, kind, code, score in cells.values_list("team_id", "kind", "code", "score")
    }


def _write_cells(wave: Wave, cells: list[disclosure.GatedCell]) -> None:
    """Bulk insert without building model instances: COPY on PostgreSQL, executemany elsewhere."""
    rows = (
        (
            uuid.uuid4(),
            wave.pk,
            cell.team,
            cell.kind,
            cell.code,
            cell.n,
            cell.score,
            cell.favourable_pct,
            json.dumps(cell.distribution) if cell.distribution is not None else None,
            cell.delta_previous,
            cell.suppressed,
            cell.reason,
        )
        for cell in cells
    )
    columns = ", ".join(CELL_COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY analytics_publishedcell ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(CELL_COLUMNS))
            cursor.executemany(
                f"INSERT INTO analytics_publishedcell ({columns}) VALUES ({marks})",
                [(uuid_param(row[0]), uuid_param(row[1]), uuid_param(row[2]), *row[3:]) for row in rows],
            )


def _delete_cells(ids: list) -> None:
    """Plain SQL in chunks: the ORM resolves every id of a large `pk__in` one by one (hot path)."""
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 900):  # under SQLite's limit on variables
            chunk = ids[start : start + 900]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"DELETE FROM analytics_publishedcell WHERE id IN ({marks})", [uuid_param(cell) for cell in chunk]
            )


def _rolled_rows(wave: Wave, teams: set) -> list[tuple]:
    """(team, question, value, n) rows, read without the ORM's per-row conversions (hot path):
    team ids come back as text and are mapped back to the UUIDs we already hold."""
    by_text = {uuid_text(team): team for team in teams}
    marks = ", ".join(["%s"] * len(by_text))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT CAST(team_id AS TEXT), question_id, value, n FROM analytics_rolledcount "
            f"WHERE wave_id = %s AND team_id IN ({marks})",
            [uuid_param(wave.pk), *(uuid_param(team) for team in teams)],
        )
        return [(by_text[team], question, value, n) for team, question, value, n in cursor.fetchall()]


STORED_CELLS = """
SELECT id, CAST(team_id AS TEXT), kind, code, n, score, favourable_pct, CAST(distribution AS TEXT), delta_previous,
suppressed, reason FROM analytics_publishedcell WHERE wave_id = %s
"""


def _stored_cells(wave: Wave, tree: disclosure.Tree) -> dict[tuple, tuple]:
    """(team, kind, code) -> the stored row (id, n, score, favourable_pct, distribution,
    delta_previous, suppressed, reason), the distribution left as JSON text for `_unchanged`."""
    by_text = {uuid_text(team): team for team in tree.parent}
    with connection.cursor() as cursor:
        cursor.execute(STORED_CELLS, [uuid_param(wave.pk)])
        return {
            (by_text.get(team, team), kind, code): (
                cell_id,
                n,
                score,
                favourable,
                distribution,
                delta_previous,
                suppressed,
                reason,
            )
            for cell_id, team, kind, code, n, score, favourable, distribution, delta_previous, suppressed, reason in (
                cursor.fetchall()
            )
        }


def _reason(row: tuple | None) -> str | None:
    return row[-1] if row is not None else None


def _unchanged(cell: disclosure.GatedCell, row: tuple | None) -> bool:
    """Whether the stored row holds exactly the cell's figures. Most rewritten cells differ in their
    n or score already, so the stored distribution's JSON is parsed only when those agree."""
    if row is None:
        return False
    _, n, score, favourable, distribution, delta_previous, suppressed, reason = row
    if (n, score, favourable, delta_previous, suppressed, reason) != (
        cell.n,
        cell.score,
        cell.favourable_pct,
        cell.delta_previous,
        cell.suppressed,
        cell.reason,
    ):
        return False
    return (json.loads(distribution) if distribution is not None else None) == cell.distribution


def _publish(wave: Wave, tree: disclosure.Tree, headcounts: dict, rules, touched: set | None) -> None:
    """Gates every cell's n, then rewrites the cells of `touched` teams (all when None) and of any
    team whose suppression changed."""
    rolled = RolledCount.objects.filter(wave=wave)
    question_n = {
        (team, question): question_size(rules.questions[question], total=total, answered=answered or 0)
        for team, question, total, answered in rolled.values("team_id", "question_id")
        .annotate(total=Sum("n"), answered=Sum("n", filter=Q(value=ANSWERED)))
        .values_list("team_id", "question_id", "total", "answered")
    }
    responses = dict(TeamTally.objects.filter(wave=wave).values_list("team_id", "rolled"))
    verdicts = disclosure.suppression(
        cells=cell_sizes(rules=rules, teams=tree.parent, question_n=question_n, responses=responses),
        tree=tree,
        k=wave.k_min,
        k_comments=wave.k_comments,
    )
    stored = _stored_cells(wave, tree)
    if touched is None or not stored:
        recompute = set(tree.parent)
    else:
        recompute = touched | {
            key[0] for key, verdict in verdicts.items() if _reason(stored.get(key)) != verdict.reason
        }
    cells = raw_cells(
        rules=rules,
        teams=recompute,
        counts=_rolled_rows(wave, recompute),
        responses=responses,
        headcounts=headcounts,
        comment_breakdowns=comment_breakdowns(wave=wave),
    )
    gated = disclosure.mask(cells, verdicts)
    disclosure.with_previous(gated, _previous_scores(wave))
    # Only cells whose figures differ are rewritten: a full recompute of unchanged data writes nothing.
    changed = [cell for cell in gated if not _unchanged(cell, stored.get((cell.team, cell.kind, cell.code)))]
    kept = {(cell.team, cell.kind, cell.code) for cell in gated}
    rewritten = {(cell.team, cell.kind, cell.code) for cell in changed}
    gone = [row[0] for key, row in stored.items() if key[0] in recompute and (key not in kept or key in rewritten)]
    _delete_cells(gone)
    _write_cells(wave, changed)
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
        _publish(wave, tree, headcounts, rules, None if force else touched)
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

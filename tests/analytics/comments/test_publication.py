"""Comment figures through the gate: scored before release, released in chunks of k_comments,
breakdowns that count exactly the comments a cell counts, and batch rescoring."""

import pytest

from analytics.comments.selectors import team_comments
from analytics.models import CommentScore, PublishedCell
from analytics.services.aggregation import wave_aggregate
from survey.models import Comment, Wave
from tests.analytics.helpers import respond
from tests.conftest import make_tree

PRAISE = "Honestly the training was great, thank you, I use it every day now"
COMPLAINT = "Way too much work since the tool arrived, I am exhausted and nobody listens"


@pytest.fixture
def big_team(survey):
    organisation, teams = make_tree("co", {"dept": {"big": 60, "small": 3}})
    wave = Wave.objects.create(organisation=organisation, survey=survey, name="W", status=Wave.Status.OPEN)
    return wave, teams


def comment_cell(wave, team) -> PublishedCell:
    return PublishedCell.objects.get(wave=wave, team=team, kind="comments", code="comment_ai_help")


def with_comment(text: str) -> dict:
    return {"adoption_frequency": 3, "comment_ai_help": text}


def test_comment_figures_and_list_move_only_in_chunks_of_k_comments(big_team):
    wave, teams = big_team
    respond(wave, teams["big"], [with_comment(PRAISE)] * 10)
    wave_aggregate(wave_id=wave.pk)
    first = comment_cell(wave, teams["big"])
    assert (first.suppressed, first.n) == (False, 10)
    assert first.distribution["sentiment"] == {"positive": 10}
    [listed] = [entry for entry in team_comments(wave=wave, team=teams["big"]) if entry.code == "comment_ai_help"]
    assert [comment.text for comment in listed.comments] == [PRAISE] * 10

    # Nine complaints (and one answer without a comment, to fill a mixing batch): stored, scored, not released.
    respond(wave, teams["big"], [with_comment(COMPLAINT)] * 9 + [{"adoption_frequency": 2}])
    wave_aggregate(wave_id=wave.pk)
    assert CommentScore.objects.filter(wave=wave, sentiment="negative", release_point=None).count() == 9
    waiting = comment_cell(wave, teams["big"])
    assert (waiting.n, waiting.distribution) == (first.n, first.distribution)
    [listed] = [entry for entry in team_comments(wave=wave, team=teams["big"]) if entry.code == "comment_ai_help"]
    assert COMPLAINT not in {comment.text for comment in listed.comments}

    # The tenth complaint completes a chunk of k_comments: all ten move together.
    respond(wave, teams["big"], [with_comment(COMPLAINT)] + [{"adoption_frequency": 2}] * 9)
    wave_aggregate(wave_id=wave.pk)
    released = comment_cell(wave, teams["big"])
    assert released.n == 20
    assert released.distribution["sentiment"] == {"positive": 10, "negative": 10}
    assert sum(released.distribution["themes"].values()) == 20
    [listed] = [entry for entry in team_comments(wave=wave, team=teams["big"]) if entry.code == "comment_ai_help"]
    assert sorted(comment.text for comment in listed.comments) == sorted([PRAISE] * 10 + [COMPLAINT] * 10)


def test_a_small_teams_comments_are_listed_only_at_the_parent_they_were_pooled_into(big_team):
    wave, teams = big_team
    respond(wave, teams["small"], [with_comment("petite équipe, trop de pression")] * 3)
    respond(wave, teams["big"], [with_comment(PRAISE)] * 7)
    Wave.objects.filter(pk=wave.pk).update(status=Wave.Status.CLOSED)
    wave_aggregate(wave_id=wave.pk)
    points = set(CommentScore.objects.filter(wave=wave).values_list("release_point__slug", flat=True))
    assert points == {"dept"}  # 3 + 7 pooled at the department, the only node holding 10 of them
    assert comment_cell(wave, teams["dept"]).n == 10
    for team in ("small", "big"):
        entries = team_comments(wave=wave, team=teams[team])
        assert all(entry.suppressed and not entry.comments for entry in entries)
    [listed] = [entry for entry in team_comments(wave=wave, team=teams["dept"]) if entry.code == "comment_ai_help"]
    assert len(listed.comments) == 10


def test_every_shown_comment_cell_counts_its_breakdown_exactly(big_team):
    wave, teams = big_team
    texts = [PRAISE, COMPLAINT, "More examples for our use cases", "rien à ajouter", "licences svp"]
    respond(wave, teams["big"], [with_comment(texts[i % len(texts)]) for i in range(37)])
    respond(wave, teams["small"], [with_comment(COMPLAINT)] * 3)
    Wave.objects.filter(pk=wave.pk).update(status=Wave.Status.CLOSED)
    wave_aggregate(wave_id=wave.pk, full=True)
    checked = 0
    for cell in PublishedCell.objects.filter(wave=wave, kind="comments", suppressed=False):
        assert sum(cell.distribution["sentiment"].values()) == cell.n
        assert sum(cell.distribution["themes"].values()) == cell.n
        checked += 1
    assert checked >= 3  # big, dept, root


def test_rescoring_a_wave_keeps_where_each_comment_was_released(big_team):
    wave, teams = big_team
    respond(wave, teams["big"], [with_comment(PRAISE)] * 10)
    wave_aggregate(wave_id=wave.pk)
    before = dict(CommentScore.objects.filter(wave=wave).values_list("comment_id", "release_point_id"))
    CommentScore.objects.filter(wave=wave).update(sentiment="negative", model_version="old")
    wave_aggregate(wave_id=wave.pk, rescore=True)
    after = CommentScore.objects.filter(wave=wave)
    assert dict(after.values_list("comment_id", "release_point_id")) == before
    assert set(after.values_list("sentiment", flat=True)) == {"positive"}
    assert "old" not in set(after.values_list("model_version", flat=True))
    assert comment_cell(wave, teams["big"]).distribution["sentiment"] == {"positive": 10}
    assert Comment.objects.filter(wave=wave).count() == after.count() == 10

"""Scoring stored comments, marking them released, and what publication adds to comment cells.

Comments are scored in the aggregation run that moved them into the response tables (so every
comment counted by a release has its score), and again in batch for a whole wave
(`comments_rescore`) when the model changes. A comment's `release_point` is set by the same
release plan that moves its count into the published figures: lists and breakdowns read only
released comments, so they move in whole chunks of at least k_comments people, as counts do.
"""

from analytics.comments import detect_language, discover, model_version, score, themes
from analytics.models import CommentScore, WaveTopic
from survey.models import Comment, Wave
from survey.sql import execute, uuid_param

MARK_RELEASED = """
UPDATE analytics_commentscore SET release_point_id = (
  SELECT p.point_id FROM pulse_release_plan p
  WHERE p.team_id = analytics_commentscore.team_id AND p.question_id = analytics_commentscore.question_id)
WHERE wave_id = %s AND release_point_id IS NULL AND EXISTS (
  SELECT 1 FROM pulse_release_plan p
  WHERE p.team_id = analytics_commentscore.team_id AND p.question_id = analytics_commentscore.question_id)
"""


def comments_score(*, wave: Wave, rescore: bool = False) -> int:
    """Scores the wave's comments that have no score yet (every one if `rescore`, keeping where
    each was released). Returns how many were scored."""
    comments = Comment.objects.filter(wave=wave)
    if not rescore:
        comments = comments.filter(score__isnull=True)
    rows = list(comments.values_list("id", "team_id", "question_id", "text"))
    if not rows:
        return 0
    texts = [text for *_, text in rows]
    langs = [detect_language(text) for text in texts]
    version = model_version()
    scores = [
        CommentScore(
            comment_id=comment,
            wave_id=wave.pk,
            team_id=team,
            question_id=question,
            lang=lang,
            sentiment=sentiment,
            theme=theme,
            model_version=version,
        )
        for (comment, team, question, _), lang, sentiment, theme in zip(
            rows, langs, score(texts, langs), themes(texts, langs), strict=True
        )
    ]
    CommentScore.objects.bulk_create(
        scores,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["comment"],
        update_fields=["lang", "sentiment", "theme", "model_version"],
    )
    return len(scores)


def comments_mark_released(*, wave: Wave) -> None:
    """Sets the release point of the comments that the current release plan (the temporary table
    `pulse_release_plan` of analytics.services.publication) lets out."""
    execute(MARK_RELEASED, [uuid_param(wave.pk)])


def wave_topics_discover(*, wave: Wave) -> int:
    """Finds the recurring topics of the wave's released comments, per language, and assigns each
    comment its topic. Returns the number of topics."""
    WaveTopic.objects.filter(wave=wave).delete()
    released = CommentScore.objects.filter(wave=wave, release_point__isnull=False)
    released.exclude(topic=None).update(topic=None)
    found = 0
    for lang in ("fr", "en"):
        rows = list(released.filter(lang=lang).order_by("comment_id").values_list("comment_id", "comment__text"))
        topics = discover([text for _, text in rows], lang)
        for index, topic in enumerate(topics):
            WaveTopic.objects.create(wave=wave, lang=lang, index=index, terms=list(topic.terms))
            CommentScore.objects.filter(comment_id__in=[rows[member][0] for member in topic.members]).update(
                topic=index
            )
        found += len(topics)
    return found


def wave_topics_stale(*, wave: Wave) -> bool:
    """Topics are refitted when a fifth or more of the released comments have none yet (NMF over
    a whole wave is too slow to run on every release of a large one)."""
    released = CommentScore.objects.filter(wave=wave, release_point__isnull=False)
    total = released.count()
    return total > 0 and released.filter(topic=None).count() * 5 >= total

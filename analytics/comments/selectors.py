"""Reads of published comment figures and of the comments behind them, for the HR pages.

A comment cell's sentiment and theme counts come from its published distribution, so the gate
hides them with the cell. The comments themselves are listed only under a shown cell, and only
those released into its figures: the list holds exactly the n comments the cell counts, in
random order, with no id and no time.
"""

from dataclasses import dataclass, field

from django.db.models import Count

from analytics.cells import SENTIMENT_LABELS, THEME_LABELS, localised, reason_words
from analytics.models import CommentScore, PublishedCell, WaveTopic
from survey.models import Question, Team, Wave, WaveTeamClosure

LISTED = 300  # comments listed per question; the counts cover all of them


@dataclass(frozen=True)
class Share:
    code: str
    label: str
    n: int
    pct: float


@dataclass(frozen=True)
class ListedComment:
    text: str
    lang: str
    sentiment: str
    theme: str


@dataclass
class QuestionComments:
    question: str
    code: str
    n: int | None
    suppressed: bool
    why: str
    sentiment: list[Share] = field(default_factory=list)
    themes: list[Share] = field(default_factory=list)
    topics: list[Share] = field(default_factory=list)
    comments: list[ListedComment] = field(default_factory=list)


def _shares(counts: dict[str, int], labels: dict, n: int, *, ordered: bool) -> list[Share]:
    codes = list(labels) if ordered else sorted(counts, key=lambda code: (-counts[code], code))
    return [Share(code, str(labels.get(code, code)), counts.get(code, 0), round(100 * counts.get(code, 0) / n, 1))
            for code in codes if n and (ordered or counts.get(code))]  # fmt: skip


def _released(wave: Wave, team: Team, question_id: int):
    subtree = WaveTeamClosure.objects.filter(wave=wave, ancestor=team).values("descendant_id")
    return CommentScore.objects.filter(wave=wave, question_id=question_id, release_point_id__in=subtree)


def _topics(wave: Wave, released) -> list[Share]:
    terms = {(topic.lang, topic.index): topic.terms for topic in WaveTopic.objects.filter(wave=wave)}
    counts = released.exclude(topic=None).values("lang", "topic").annotate(n=Count("pk"))
    total = sum(row["n"] for row in counts)
    rows = sorted(counts, key=lambda row: -row["n"])
    return [
        Share(f"{row['lang']}-{row['topic']}", " · ".join(terms[(row["lang"], row["topic"])]), row["n"],
              round(100 * row["n"] / total, 1))
        for row in rows if (row["lang"], row["topic"]) in terms
    ]  # fmt: skip


def team_comments(*, wave: Wave, team: Team) -> list[QuestionComments]:
    """Per free-text question: the team's published comment cell, its sentiment shares and theme
    counts, the wave's topics found among its comments, and the comments, shuffled."""
    questions = Question.objects.filter(survey=wave.survey_id, type=Question.Type.TEXT).order_by("position")
    cells = {
        cell["code"]: cell
        for cell in PublishedCell.objects.filter(wave=wave, team=team, kind=PublishedCell.Kind.COMMENTS).values(
            "code", "n", "suppressed", "reason", "distribution"
        )
    }
    result = []
    for question in questions:
        cell = cells.get(question.code) or {"n": None, "suppressed": True, "reason": PublishedCell.Reason.NO_RESPONSES}
        entry = QuestionComments(
            question=localised(question, "text"),
            code=question.code,
            n=cell["n"],
            suppressed=cell["suppressed"],
            why=reason_words(cell["reason"], k=wave.k_comments),
        )
        breakdown = cell.get("distribution")
        if not cell["suppressed"] and breakdown:
            entry.sentiment = _shares(breakdown["sentiment"], SENTIMENT_LABELS, cell["n"], ordered=True)
            entry.themes = _shares(breakdown["themes"], THEME_LABELS, cell["n"], ordered=False)
            released = _released(wave, team, question.pk)
            entry.topics = _topics(wave, released)
            rows = released.order_by("?").values_list("comment__text", "lang", "sentiment", "theme")[:LISTED]
            entry.comments = [ListedComment(*row) for row in rows]
        result.append(entry)
    return result

"""When is a difference between two published scores larger than its sampling noise?

A heatmap shows each team's score next to the organisation's and next to the previous wave's.
With a dozen people per team, a few points of difference is often chance: which colleagues
happened to answer. Like Qualtrics' "significant change" marker, a delta is called *meaningful*
only when it is larger than 1.96 standard errors of the difference (a two-sided 95 % test).

Everything is estimated from PUBLISHED figures only, never from answers: a shown question cell
carries its answer distribution (option value -> people), and the survey's options carry their
scores. A hidden cell has no figures, so a delta that would need one is "not assessed".

1. **Question score** (the mean of the option scores of the people who gave a scored answer):
   with m scored answers of scores s_i and mean s̄, the sample variance is
   v = Σ (s_i - s̄)² / (m - 1), and SE = √(v / m). Fewer than 2 scored answers: not assessed.
2. **Dimension score** (the mean of its question scores, analytics.scoring): the questions are
   answered by the same people, so their errors are correlated, and the published counts do not
   say how much. We take the upper bound: the SE of a mean of items is at most the mean of their
   SEs (equality when the items are perfectly correlated). Conservative: a delta called
   meaningful with it is meaningful under any correlation. A question hidden for its size while
   its dimension shows had no answers (a dimension's n is its smallest answered question's), so
   it is not in the mean; one hidden to protect a smaller group leaves the dimension not assessed.
3. **eNPS** (% promoters - % detractors over n people): each person scores +100 (promoter, 9-10),
   0 (passive) or -100 (detractor, 0-6); with shares p and q, the per-person variance is
   100² (p + q - (p - q)²), and SE = √(variance / n).
4. **Delta vs the previous wave**: the two waves' samples are treated as independent,
   SE = √(SE_now² + SE_previous²). Where the same people answer twice the true SE is smaller,
   so this errs towards "not meaningful".
5. **Delta vs the organisation**: the team is part of the organisation, so the two are not
   independent. With w = n_team / n_org and the organisation's score the weighted mean of the
   team and the rest, team - organisation = (1 - w)(team - rest); with the same per-person
   variance σ² in both parts, its variance is σ²/n_team x (1 - w). So SE = SE_team x √(1 - w).
   The organisation compared with itself has no delta to assess.

A meaningful delta is |delta| > 1.96 x SE. `None` everywhere means "cannot be assessed".
"""

import math
from collections.abc import Iterable, Mapping

Z_95 = 1.96
PROMOTER_MIN = 9
DETRACTOR_MAX = 6


def mean_se(*, m: int, total: float, squares: float) -> float | None:
    """SE of a mean from its moments: m answers, the sum of their scores and of their squares
    (what PostgreSQL sums from a published distribution without shipping it)."""
    if m < 2:
        return None
    variance = max(0.0, (squares - total * total / m) / (m - 1))
    return math.sqrt(variance / m)


def question_se(*, distribution: Mapping[str, int] | None, scores: Mapping[int, int | None]) -> float | None:
    """SE of a question's mean score. `distribution` maps option values (as published: strings)
    to people; `scores` maps option values to their scores (None: not scored, e.g. "not sure")."""
    scored = [
        (scores[int(value)], count)
        for value, count in (distribution or {}).items()
        if count and scores.get(int(value)) is not None
    ]
    return mean_se(
        m=sum(count for _, count in scored),
        total=sum(score * count for score, count in scored),
        squares=sum(score * score * count for score, count in scored),
    )


def enps_counts_se(*, n: int, promoters: int, detractors: int) -> float | None:
    if n < 2:
        return None
    p, q = promoters / n, detractors / n
    return math.sqrt(100**2 * (p + q - (p - q) ** 2) / n)


def enps_se(*, distribution: Mapping[str, int] | None) -> float | None:
    """SE of an eNPS from its 0-10 distribution."""
    counts = {int(value): count for value, count in (distribution or {}).items()}
    return enps_counts_se(
        n=sum(counts.values()),
        promoters=sum(count for value, count in counts.items() if value >= PROMOTER_MIN),
        detractors=sum(count for value, count in counts.items() if value <= DETRACTOR_MAX),
    )


def dimension_se(item_ses: Iterable[float | None]) -> float | None:
    """Upper bound of the SE of a mean of question scores: the mean of their SEs."""
    ses = list(item_ses)
    if not ses or any(se is None for se in ses):
        return None
    return sum(ses) / len(ses)


def previous_difference_se(*, se_now: float | None, se_previous: float | None) -> float | None:
    if se_now is None or se_previous is None:
        return None
    return math.hypot(se_now, se_previous)


def organisation_difference_se(*, se_team: float | None, n_team: int | None, n_org: int | None) -> float | None:
    if se_team is None or not n_team or not n_org or n_team >= n_org:
        return None  # the organisation itself (or a team as large as it): nothing to assess
    return se_team * math.sqrt(1 - n_team / n_org)


def is_meaningful(*, delta: float | None, se: float | None) -> bool | None:
    """True when the delta exceeds its noise, False when it does not, None when not assessed."""
    if delta is None or se is None:
        return None
    return abs(delta) > Z_95 * se

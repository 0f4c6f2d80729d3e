"""One definition of a published cell as it leaves the server: its figures, its columns, the
words for each suppression reason, and the labels people read. The API (JSON, CSV, XLSX), the
HR pages and their exports all derive from this module, so a new figure is one edit here."""

from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _

from analytics.models import PublishedCell

Reason = PublishedCell.Reason

# The figures of a cell, in the order every table shows them. `delta_org` is computed on read
# (analytics.selectors.wave_cells); the others are stored on PublishedCell.
CELL_FIGURES = ("n", "score", "favourable_pct", "delta_org", "delta_previous", "suppressed", "reason")
# What a read of published cells fetches (plain dicts, cheap for thousands of rows).
CELL_VALUES = ("id", "wave_id", "team_id", "kind", "code", *CELL_FIGURES)
# A flat table of cells (API `cells/`, its CSV and XLSX, the heatmap CSV).
CELL_COLUMNS = ("wave", "team", "team_slug", "team_path", "level", "kind", "code", *CELL_FIGURES)

# The two heatmaps of PRODUCT.md: dimension codes, in column order.
HEATMAPS: dict[str, tuple[str, ...]] = {
    "adoption": ("adoption", "shadow_ai", "enablement"),
    "wellbeing": ("fatigue", "intensification", "job_fear", "enps"),
}
HEATMAP_TITLES = {"adoption": _("Adoption heatmap"), "wellbeing": _("Wellbeing heatmap")}

FIGURE_LABELS = {
    "n": _("Answers"),
    "score": _("Score"),
    "favourable_pct": _("Favourable %"),
    "delta_org": _("Difference from the organisation"),
    "delta_previous": _("Difference from the previous wave"),
    "suppressed": _("Hidden"),
    "reason": _("Why hidden"),
}


def cell_figures(cell: dict | None) -> dict:
    """The figures of a cell read with CELL_VALUES; a missing cell (a team that had no cell in
    this wave) reads as hidden for lack of responses."""
    if cell is None:
        return dict.fromkeys(CELL_FIGURES[:-2]) | {"suppressed": True, "reason": Reason.NO_RESPONSES}
    return {figure: cell[figure] for figure in CELL_FIGURES}


def reason_words(reason: str, *, k: int) -> str:
    """Why a cell is hidden, in words for people ("" when it is shown). `k` is the threshold that
    applied: the wave's k_min, or k_comments for comment figures."""
    if reason == Reason.MIN_GROUP:
        return ngettext("fewer than %(k)d answer", "fewer than %(k)d answers", k) % {"k": k}
    if reason == Reason.COMPLEMENTARY:
        return str(_("hidden so that a smaller group cannot be worked out"))
    if reason == Reason.NO_RESPONSES:
        return str(_("no answers from this team in this wave"))
    return ""


def localised(instance: object, field: str) -> str:
    """`name_fr` or `name_en` (any bilingual field) in the active language, English as fallback."""
    language = (get_language() or "en")[:2]
    return getattr(instance, f"{field}_{language}", "") or getattr(instance, f"{field}_en")


# What a comment cell's distribution holds (analytics.services.comments): sentiment shares and
# seeded themes, in the order pages show them.
SENTIMENT_LABELS = {
    "negative": _("Negative"),
    "neutral": _("Neutral"),
    "positive": _("Positive"),
}
THEME_LABELS = {
    "workload": _("Workload"),
    "job_security": _("Job security"),
    "training": _("Training"),
    "rules_data": _("Rules and data"),
    "tools": _("Tools"),
    "management": _("Management"),
    "fatigue": _("Fatigue"),
    "other": _("Other"),
}

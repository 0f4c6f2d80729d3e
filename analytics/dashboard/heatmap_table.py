"""The heatmap's table view, cell by cell.

Built here rather than with template tags: a 400-team map has 1,600 cells, and the template
language (or even format_html, which escapes each argument through a lazy wrapper) spends a
large share of the page's 300 ms budget on them. So the words are translated and escaped once
per page, and each cell is put together from pieces that are escaped already or cannot hold
markup: numbers formatted here, UUIDs, dimension codes (slugs) and URLs built from them.
"""

from dataclasses import dataclass

from django.utils.formats import get_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from analytics.dashboard.grid import Grid, GridCell, GridRow


@dataclass(frozen=True)
class TableRow:
    row: GridRow
    cells: list[SafeString]


class _Cells:
    def __init__(self) -> None:
        self.separator = get_format("DECIMAL_SEPARATOR")
        self.reasons: dict[str, str] = {}
        mark = '<span aria-hidden="true">{}</span><span class="sr-only">{}</span>'
        beyond_org = escape(_("meaningfully different from the organisation"))
        beyond_previous = escape(_("meaningful change"))
        self.org_marks = {arrow: " " + mark.format(arrow, beyond_org) for arrow in "▲▼"}
        self.previous_marks = {arrow: " " + mark.format(arrow, beyond_previous) for arrow in "▲▼"}
        self.sub = (
            '<span class="sub">'
            + escape(_("n"))
            + " {n} · {favourable} % "
            + escape(_("fav."))
            + " · "
            + escape(_("org"))
            + " {delta_org} · "
            + escape(_("prev."))
            + " {delta_previous}{previous_mark}</span>"
        )

    def figure(self, value: float | None) -> str:
        return "—" if value is None else f"{value:.1f}".replace(".", self.separator)

    def signed(self, value: float | None) -> str:
        if value is None:
            return "—"
        sign = "+" if value > 0 else "−" if value < 0 else ""
        return sign + self.figure(abs(value))

    def cell(self, cell: GridCell) -> SafeString:
        figures = cell.figures
        if figures["suppressed"]:
            words = self.reasons.get(cell.reason_words) or self.reasons.setdefault(
                cell.reason_words, escape(cell.reason_words)
            )
            return mark_safe(  # noqa: S308 - the reason words are escaped, the code is a slug
                f'<td class="num hidden-cell" data-code="{cell.code}" data-reason="{figures["reason"]}">'
                f'<span aria-hidden="true">— </span>{words}</td>'
            )
        sub = self.sub.format(
            n=int(figures["n"]),
            favourable=self.figure(figures["favourable_pct"]),
            delta_org=self.signed(figures["delta_org"]),
            delta_previous=self.signed(figures["delta_previous"]),
            previous_mark=_mark(self.previous_marks, figures["delta_previous"], cell.meaningful_previous),
        )
        return mark_safe(  # noqa: S308 - numbers, a UUID URL and a slug; the words are escaped
            f'<td class="num" data-code="{cell.code}" data-score="{float(figures["score"])}" '
            f'data-n="{int(figures["n"])}">'
            f'<a href="{cell.url}">{self.figure(figures["score"])}</a>'
            f"{_mark(self.org_marks, figures['delta_org'], cell.meaningful_org)}{sub}</td>"
        )


def _mark(marks: dict, delta: float | None, meaningful: bool | None) -> str:
    """The arrow for the eye and its meaning for a screen reader: never the colour alone."""
    if not meaningful or not delta:
        return ""
    return marks["▲" if delta > 0 else "▼"]


def heatmap_table(*, grid: Grid) -> list[TableRow]:
    cells = _Cells()
    return [TableRow(row=row, cells=[cells.cell(cell) for cell in row.cells]) for row in grid.rows]

"""CSV and XLSX for BI tools: the same rows as the JSON, flat, with a stable column order.

CSV is streamed from a queryset iterator so a large wave costs flat memory. XLSX is a zip and
cannot be streamed; openpyxl's write-only mode keeps it to one row in memory while writing.
Text cells go through survey.spreadsheet so that no spreadsheet runs them as formulas.
"""

import csv
import io
from collections.abc import Callable, Iterable, Iterator

from django.http import Http404, HttpResponse, StreamingHttpResponse
from openpyxl import Workbook
from rest_framework import exceptions, negotiation, renderers
from rest_framework.request import Request

from survey.spreadsheet import spreadsheet_cell

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class CSVRenderer(renderers.BaseRenderer):
    """Declares `text/csv` for content negotiation; the tabular views stream the body themselves."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data: object, media_type: str | None = None, renderer_context: dict | None = None) -> bytes:
        raise NotImplementedError("Tabular views return a streamed response for CSV.")


class XLSXRenderer(renderers.BaseRenderer):
    media_type = XLSX_MEDIA_TYPE
    format = "xlsx"
    charset = None

    def render(self, data: object, media_type: str | None = None, renderer_context: dict | None = None) -> bytes:
        raise NotImplementedError("Tabular views build the workbook themselves.")


TABULAR_FORMATS = {CSVRenderer.format, XLSXRenderer.format}


class ContentNegotiation(negotiation.DefaultContentNegotiation):
    """An unknown `?format=` is a bad parameter (400), not a missing page (DRF's 404)."""

    def select_renderer(self, request: Request, renderers: list, format_suffix: str | None = None) -> tuple:
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except Http404:
            formats = ", ".join(renderer.format for renderer in renderers)
            raise exceptions.ValidationError({"format": [f"Unknown format; use one of: {formats}."]}) from None


class _Line:
    """A file-like object whose write returns the line, for csv.writer inside a generator."""

    def write(self, value: str) -> str:
        return value


def _csv_value(value: object) -> object:
    return "" if value is None else spreadsheet_cell(value)


def csv_lines(*, columns: list[str], rows: Iterable[dict]) -> Iterator[str]:
    writer = csv.writer(_Line())
    yield writer.writerow(columns)
    for row in rows:
        yield writer.writerow([_csv_value(row[column]) for column in columns])


def _xlsx_value(value: object) -> object:
    if value is None or isinstance(value, bool | int | float):
        return value
    if hasattr(value, "tzinfo") and value.tzinfo is not None:  # Excel has no time zones
        return value.replace(tzinfo=None)
    # openpyxl writes any text starting with "=" as a formula: neutralised text never does.
    return spreadsheet_cell(value if isinstance(value, str) else str(value))


def xlsx_bytes(*, columns: list[str], rows: Iterable[dict], title: str) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append(columns)
    for row in rows:
        sheet.append([_xlsx_value(row[column]) for column in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def tabular_response(
    *, format: str, columns: list[str], rows: Iterable, to_row: Callable[[object], dict], name: str
) -> HttpResponse:
    dicts = (to_row(item) for item in rows)
    if format == CSVRenderer.format:
        response = StreamingHttpResponse(csv_lines(columns=columns, rows=dicts), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    response = HttpResponse(xlsx_bytes(columns=columns, rows=dicts, title=name), content_type=XLSX_MEDIA_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response

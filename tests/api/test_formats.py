"""CSV (streamed, read back with pandas), XLSX (opened with openpyxl), and conditional requests."""

import io

import openpyxl
import pandas as pd
import pytest

from analytics.api.serializers import CELL_COLUMNS
from analytics.services.aggregation import wave_aggregate
from tests.analytics.helpers import respond


def csv_text(response) -> str:
    assert response.streaming
    return b"".join(response.streaming_content).decode()


def test_cells_csv_reads_with_pandas_like_the_json(api, published_wave):
    params = {"wave": str(published_wave.pk)}
    response = api.get("/api/v1/cells/", {**params, "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    frame = pd.read_csv(io.StringIO(csv_text(response)))
    assert list(frame.columns) == CELL_COLUMNS
    rows = api.get("/api/v1/cells/", {**params, "page_size": 5000}).json()["results"]
    assert len(frame) == len(rows)
    assert frame["suppressed"].dtype == bool
    assert frame["level"].dtype.kind == "i"
    assert frame["score"].dtype.kind == "f" and frame["delta_org"].dtype.kind == "f"
    by_key = {(row["team"], row["kind"], row["code"]): row for row in rows}
    for record in frame.to_dict("records"):
        row = by_key[(record["team"], record["kind"], record["code"])]
        assert record["team_path"] == row["team_path"]
        assert record["suppressed"] == row["suppressed"]
        assert (pd.isna(record["score"]) and row["score"] is None) or record["score"] == pytest.approx(row["score"])


def test_csv_by_accept_header(api, published_wave):
    response = api.get("/api/v1/participation/", {"wave": str(published_wave.pk)}, HTTP_ACCEPT="text/csv")
    assert response.status_code == 200
    frame = pd.read_csv(io.StringIO(csv_text(response)))
    assert set(frame["kind"]) == {"participation"}


def test_empty_csv_still_has_its_header(api, published_wave):
    response = api.get("/api/v1/cells/", {"wave": str(published_wave.pk), "code": "no-such-code", "format": "csv"})
    assert csv_text(response).strip() == ",".join(CELL_COLUMNS)


@pytest.mark.parametrize("url", ["/api/v1/teams/", "/api/v1/waves/"])
def test_other_lists_export_csv_too(api, published_wave, url):
    frame = pd.read_csv(io.StringIO(csv_text(api.get(url, {"format": "csv"}))))
    assert len(frame) == len(api.get(url).json()["results"])


def test_xlsx_opens_in_excel(api, published_wave):
    response = api.get("/api/v1/cells/", {"wave": str(published_wave.pk), "format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    table = list(sheet.values)
    assert list(table[0]) == CELL_COLUMNS
    as_json = api.get("/api/v1/cells/", {"wave": str(published_wave.pk), "page_size": 5000}).json()["results"]
    assert len(table) - 1 == len(as_json)


def test_xlsx_trend(api, published_wave, teams):
    params = {"team": str(teams["all"].pk), "code": "enps", "format": "xlsx"}
    sheet = openpyxl.load_workbook(io.BytesIO(api.get("/api/v1/trends/", params).content)).active
    assert len(list(sheet.values)) == 2


def test_etag_and_last_modified_give_304(api, published_wave):
    params = {"wave": str(published_wave.pk), "kind": "dimension"}
    first = api.get("/api/v1/cells/", params)
    etag, last_modified = first["ETag"], first["Last-Modified"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert api.get("/api/v1/cells/", params, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert api.get("/api/v1/cells/", params, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304
    # Another query or format is another representation.
    other = api.get("/api/v1/cells/", {**params, "kind": "question"}, HTTP_IF_NONE_MATCH=etag)
    assert other.status_code == 200 and other["ETag"] != etag
    csv = api.get("/api/v1/cells/", {**params, "format": "csv"}, HTTP_IF_NONE_MATCH=etag)
    assert csv.status_code == 200


def test_new_publication_changes_the_etag(api, published_wave, teams, answers):
    params = {"wave": str(published_wave.pk)}
    etag = api.get("/api/v1/heatmap/", {**params, "map": "adoption"})["ETag"]
    respond_closed(published_wave, teams["team-d"], answers)
    response = api.get("/api/v1/heatmap/", {**params, "map": "adoption"}, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200 and response["ETag"] != etag


def respond_closed(wave, team, answers) -> None:
    wave.status, wave.closes_at = "open", None
    wave.save(update_fields=["status", "closes_at"])
    respond(wave, team, [answers] * 5)
    wave.status = "closed"
    wave.save(update_fields=["status"])
    wave_aggregate(wave_id=wave.pk, full=True)

"""CSV (streamed, read back with pandas), XLSX (opened with openpyxl), and conditional requests."""

import csv
import io

import openpyxl
import pandas as pd
import pytest

from analytics.cells import CELL_COLUMNS
from analytics.services.aggregation import wave_aggregate
from survey.models import Team
from tests.analytics.helpers import respond
from tests.conftest import publish

HYPERLINK = '=HYPERLINK("http://x","y")'


def csv_text(response) -> str:
    assert response.streaming
    return b"".join(response.streaming_content).decode()


def test_cells_csv_reads_with_pandas_like_the_json(api, published_wave):
    params = {"wave": str(published_wave.pk)}
    response = api.get("/api/v1/cells/", {**params, "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    frame = pd.read_csv(io.StringIO(csv_text(response)))
    assert list(frame.columns) == list(CELL_COLUMNS)
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
    assert list(table[0]) == list(CELL_COLUMNS)
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


@pytest.fixture
def hostile_wave(wave, teams, answers):
    """Names an HR admin chose to attack whoever opens the export: the root's name starts every
    team path, and a slug may start with "-". Team b answers low, so some deltas are negative."""
    Team.objects.filter(pk=teams["all"].pk).update(name=HYPERLINK)
    Team.objects.filter(pk=teams["team-b"].pk).update(slug="-oops", name="-oops")
    respond(wave, teams["team-b"], [{**answers, "enps_recommend": 1, "adoption_frequency": 1}] * 6)
    return publish(wave, {teams["team-a"]: 6, teams["team-c"]: 5, teams["team-d"]: 7}, answers)


def assert_no_formula_text(text: str) -> int:
    """Every field that would start a formula is a number; returns how many fields were checked."""
    checked = 0
    for row in csv.reader(io.StringIO(text)):
        for field in row:
            if field.startswith(("=", "+", "-", "@", "\t", "\r")):
                float(field)  # a negative number, which must stay one
            checked += 1
    return checked


@pytest.mark.parametrize("url", ["/api/v1/cells/", "/api/v1/teams/"])
def test_csv_text_cannot_start_a_formula(api, hostile_wave, url):
    text = csv_text(api.get(url, {"wave": str(hostile_wave.pk), "format": "csv"}))
    assert assert_no_formula_text(text) > 50
    assert "'=HYPERLINK(" in text and "'-oops" in text


def test_cells_csv_neutralises_team_names_and_keeps_negative_deltas_numeric(api, hostile_wave):
    response = api.get("/api/v1/cells/", {"wave": str(hostile_wave.pk), "format": "csv"})
    frame = pd.read_csv(io.StringIO(csv_text(response)))
    assert frame["team_path"].str.startswith("'" + HYPERLINK).all()
    assert "'-oops" in set(frame["team_slug"]) and "-oops" not in set(frame["team_slug"])
    assert frame["delta_org"].dtype.kind == "f" and (frame["delta_org"] < 0).any()
    assert frame["score"].dtype.kind == "f"


def test_xlsx_writes_text_as_text_never_as_a_formula(api, hostile_wave):
    response = api.get("/api/v1/cells/", {"wave": str(hostile_wave.pk), "format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert len(cells) > 100
    assert [cell.value for cell in cells if cell.data_type == "f"] == []
    text = [cell.value for cell in cells if cell.data_type == "s"]
    assert "'-oops" in text and any(value.startswith("'" + HYPERLINK) for value in text)
    assert not any(value.startswith(("=", "+", "-", "@", "\t", "\r")) for value in text)
    negatives = [cell.value for cell in cells if cell.data_type == "n" and cell.value is not None and cell.value < 0]
    assert negatives, "negative deltas are numbers"

"""Bad parameters are a 400 with a message in the one error shape, never an empty list."""

import uuid

import pytest


@pytest.mark.parametrize(
    ("url", "params", "field"),
    [
        ("/api/v1/cells/", {}, "wave"),
        ("/api/v1/cells/", {"wave": "not-a-uuid"}, "wave"),
        ("/api/v1/cells/", {"wave": str(uuid.uuid4())}, "wave"),
        ("/api/v1/cells/", {"kind": "bogus"}, "kind"),
        ("/api/v1/cells/", {"team": "nope"}, "team"),
        ("/api/v1/cells/", {"subtree": str(uuid.uuid4())}, "subtree"),
        ("/api/v1/cells/", {"dimension": "bogus"}, "dimension"),
        ("/api/v1/cells/", {"format": "pdf"}, "format"),
        ("/api/v1/cells/", {"cursor": "garbage"}, "cursor"),
        ("/api/v1/heatmap/", {"map": "bogus"}, "map"),
        ("/api/v1/heatmap/", {}, "wave"),
        ("/api/v1/trends/", {"code": "fatigue"}, "team"),
        ("/api/v1/trends/", {"code": "fatigue", "kind": "bogus"}, "kind"),
        ("/api/v1/trends/", {"code": "bogus"}, "code"),
        ("/api/v1/drivers/", {"wave": "1"}, "wave"),
        ("/api/v1/teams/", {"subtree": "x"}, "subtree"),
        ("/api/v1/waves/", {"status": "bogus"}, "status"),
    ],
)
def test_bad_query_parameters_are_400(api, published_wave, teams, url, params, field):
    defaults = {"wave": str(published_wave.pk), "team": str(teams["all"].pk)}
    defaults = {key: value for key, value in defaults.items() if key in {"wave"} and url != "/api/v1/trends/"}
    if url == "/api/v1/trends/" and field != "team":
        defaults = {"team": str(teams["all"].pk)}
    if field in params or field == "wave":
        defaults.pop(field, None)
    response = api.get(url, {**defaults, **params})
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid"
    assert field in body["errors"]
    assert body["detail"].startswith("Invalid request: ") and field in body["detail"]


def test_unknown_object_is_404_in_the_error_shape(api, db):
    for url in [f"/api/v1/teams/{uuid.uuid4()}/", "/api/v1/waves/not-a-uuid/", f"/api/v1/surveys/{uuid.uuid4()}/"]:
        response = api.get(url)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


def test_errors_are_json_even_when_csv_was_asked_for(api, db):
    response = api.get("/api/v1/cells/", {"format": "csv"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "invalid"


def test_options_and_unknown_methods_never_break_on_a_tabular_format(api, admin_api, db):
    # Found by `make fuzz`: OPTIONS rendered its metadata with the CSV renderer (500).
    assert api.options("/api/v1/cells/", {"format": "csv"}).status_code == 200
    assert admin_api.put("/api/v1/cells/?format=csv").status_code == 405


def test_out_of_range_numbers_are_400_not_500(admin_api, db):
    # Found by `make fuzz`: a headcount beyond the column's range reached PostgreSQL.
    payload = [{"external_id": "X", "name": "X", "headcount": 44315507979}]
    response = admin_api.post("/api/v1/teams/sync/", payload, format="json")
    assert response.status_code == 400 and "headcount" in str(response.json()["errors"])
    assert admin_api.get("/api/v1/teams/", {"page_size": "many"}).status_code == 400


def test_non_json_body_is_415(admin_api, db):
    response = admin_api.post("/api/v1/teams/sync/", "external_id=1", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


def test_a_body_over_djangos_upload_cap_is_413_json_not_an_html_400(admin_api, db, settings):
    # Django refuses to read a body past DATA_UPLOAD_MAX_MEMORY_SIZE; the API says so in its own shape.
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    payload = [{"external_id": f"E{index}", "name": "x" * 50, "headcount": 1} for index in range(100)]
    response = admin_api.post("/api/v1/teams/sync/", payload, format="json")
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "The request body is too large: at most 1 kB.", "code": "too_large"}

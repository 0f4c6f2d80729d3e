"""The OpenAPI schema generates without warnings and validates against the OpenAPI 3 spec."""

from django.core.management import call_command


def test_schema_generates_and_validates(db, tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    text = target.read_text()
    for path in ["/api/v1/cells/", "/api/v1/heatmap/", "/api/v1/teams/sync/", "/api/v1/waves/{id}/links/"]:
        assert f"  {path}:" in text


def test_schema_and_docs_are_served(client, db):
    assert client.get("/api/v1/schema/").status_code == 200
    assert client.get("/api/v1/docs/").status_code == 200

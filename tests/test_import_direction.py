"""Dependencies point one way (STYLE.md): survey never imports analytics, the faces (api,
dashboard) never import each other, and config wires without holding domain helpers."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def violations(package: str, forbidden: tuple[str, ...]) -> tuple[list[str], int]:
    files = sorted((ROOT / package).rglob("*.py"))
    bad = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in files
        for module in imported_modules(path)
        if any(module == name or module.startswith(f"{name}.") for name in forbidden)
    ]
    return bad, len(files)


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("survey", ("analytics",)),
        ("analytics/api", ("analytics.dashboard",)),
        ("analytics/dashboard", ("analytics.api",)),
        # Domain code takes nothing from the settings package but the Celery app wiring.
        ("survey", ("config.db", "config.settings", "config.urls", "config.api")),
        ("analytics", ("config.db", "config.settings", "config.urls", "config.api")),
    ],
)
def test_imports_point_one_way(package, forbidden):
    bad, checked = violations(package, forbidden)
    assert checked > 5  # the walk found the package's modules
    assert bad == []


def test_the_guard_sees_a_function_level_import(tmp_path):
    """The circle issue 11 removed was a function-level import: the guard must catch that shape."""
    module = tmp_path / "late.py"
    module.write_text("def f():\n    from analytics.tasks import schedule_wave_aggregation\n")
    assert "analytics.tasks" in imported_modules(module)


def test_config_holds_no_domain_helpers():
    assert not (ROOT / "config" / "db.py").exists()

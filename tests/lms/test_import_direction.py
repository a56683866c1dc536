"""Imports between apps point one way (docs/architecture.md): lms ← courses ← assessments,
lms ← drills, and careers reads everyone; nothing imports careers. Read from the source with
``ast`` (imports inside functions count too), so a shortcut anywhere fails here."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ("lms", "courses", "assessments", "drills", "careers")
MAY_IMPORT = {
    "lms": set(),
    "courses": {"lms"},
    "assessments": {"lms", "courses"},
    "drills": {"lms"},
    "careers": {"lms", "courses", "assessments", "drills"},
}


def imported_apps(path: Path) -> set[tuple[str, int]]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top in APPS:
                found.add((top, node.lineno))
    return found


@pytest.mark.parametrize("app", APPS)
def test_imports_point_one_way(app):
    wrong = []
    for path in sorted((ROOT / app).rglob("*.py")):
        for other, line in imported_apps(path):
            if other != app and other not in MAY_IMPORT[app]:
                wrong.append(f"{path.relative_to(ROOT)}:{line} imports {other}")
    assert not wrong, "\n".join(wrong)

"""The hazard log names real tests: every `tests/path.py::test_name` it cites must exist."""

from __future__ import annotations

import ast
import csv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOG = ROOT / "docs" / "clinical-safety" / "hazard-log.csv"
COLUMNS = ["id", "hazard", "cause", "effect", "severity", "likelihood", "controls", "tests", "residual risk"]
# The hazards issue 8 asks the log to start with (by a word of each).
REQUIRED = [
    "Wrong equivalence value",
    "decimal confusion",
    "cannot take",
    "Too-fast reduction",
    "long taper",
    "Two liquid strengths",
    "wrong market",
    "wrong drug",
    "Wrong patient",
    "stale plan",
    "danger warning not seen",
    "Inter-dose withdrawal",
    "Seizure risk",
    "small screen",
    "printed plan",
]


def rows() -> list[dict[str, str]]:
    with LOG.open(newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == COLUMNS
        return list(reader)


def functions_in(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}


def test_every_test_the_log_names_exists() -> None:
    missing = []
    for row in rows():
        for reference in filter(None, (part.strip() for part in row["tests"].split(";"))):
            path, _, name = reference.partition("::")
            file = ROOT / path
            if not (path.startswith("tests/") and file.is_file() and name in functions_in(file)):
                missing.append(f"{row['id']}: {reference}")
    assert not missing, missing


def test_the_log_holds_the_issues_hazards_each_with_controls() -> None:
    log = rows()
    assert len({row["id"] for row in log}) == len(log) >= 15
    for required in REQUIRED:
        assert any(required.lower() in row["hazard"].lower() for row in log), required
    for row in log:
        assert row["controls"] and row["residual risk"], row["id"]
        assert row["severity"] in {"Minor", "Moderate", "Major", "Catastrophic"}
        assert row["likelihood"] in {"Very low", "Low", "Possible", "Probable", "High"}

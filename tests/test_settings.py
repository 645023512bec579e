"""Production settings stop start-up with a clear message when a required variable is missing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def start(**env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_DEBUG"}
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "CRITICAL"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({"DJANGO_DEBUG": "0", "ALLOWED_HOSTS": "clinic.example"}, "SECRET_KEY"),
        ({"DJANGO_DEBUG": "0", "SECRET_KEY": "x" * 50}, "ALLOWED_HOSTS"),
    ],
)
def test_production_without_a_required_variable_stops_with_one_clear_line(
    env: dict[str, str], missing: str
) -> None:
    result = start(**env)
    assert result.returncode != 0
    assert result.stderr.strip() == f"Cannot start with DJANGO_DEBUG off: set {missing} in the environment."


def test_production_with_both_variables_starts() -> None:
    result = start(DJANGO_DEBUG="0", SECRET_KEY="k" * 60, ALLOWED_HOSTS="clinic.example")
    assert result.returncode == 0, result.stderr

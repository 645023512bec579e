"""Production settings stop start-up with a clear message when a required variable is missing."""

from __future__ import annotations

import json
import os
import re
import shlex
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


def readme_production_environment() -> dict[str, str]:
    """The variables README's deployment section exports, exactly as written there."""
    text = (ROOT / "README.md").read_text()
    section = text[text.index("## Deploying on PostgreSQL") :]
    block = section[section.index("```") + 3 : section.index("```", section.index("```") + 3)]
    export = block.replace("\\\n", " ").split("export ", 1)[1].splitlines()[0]
    return dict(word.split("=", 1) for word in shlex.split(export))


# The production environment the README documents (and .ci/run checks with), with a real secret key
# in place of its placeholder ("a long random string").
PRODUCTION = {**readme_production_environment(), "SECRET_KEY": "p" * 30 + "-Production-Secret-Key-0123456789"}


def test_the_readme_environment_is_a_production_one() -> None:
    assert PRODUCTION["DJANGO_DEBUG"] == "0" and PRODUCTION["SECURE_SSL_REDIRECT"] == "1"
    assert "SECURE_HSTS_PRELOAD" not in PRODUCTION  # the domain owner's commitment, not a default


def readme_backup_commands() -> list[str]:
    """The command lines of README's Backups section (continuations joined, comments left out)."""
    text = (ROOT / "README.md").read_text()
    section = text[text.index("## Backups") :]
    block = section[section.index("```") + 3 : section.index("```", section.index("```") + 3)]
    lines = block.replace("\\\n", " ").splitlines()
    return [line.split("  #")[0] for line in lines if line.strip() and not line.lstrip().startswith("#")]


def test_the_readme_backup_puts_no_password_on_the_command_line() -> None:
    # Issue 16 item 10: `pg_dump "$DATABASE_URL"` showed the database password to anyone running `ps`.
    commands = readme_backup_commands()
    assert any("pg_dump" in line for line in commands)
    for line in commands:
        assert "DATABASE_URL" not in line and "PGPASSWORD" not in line, line
        assert not re.search(r"postgres(ql)?://[^@\s/]*:[^@\s/]*@", line), line


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    # DJANGO_ALLOW_ASYNC_UNSAFE is the browser tests' (Playwright's event loop), never production's.
    environment = {
        k: v for k, v in os.environ.items() if k not in PRODUCTION and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deployment_checklist_without_a_warning() -> None:
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def production_settings() -> dict[str, object]:
    """The settings as production reads them, from one process started with README's environment."""
    names = [
        "SESSION_COOKIE_NAME",
        "CSRF_COOKIE_NAME",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "PASSWORD_HASHERS",
    ]
    code = f"import json; from django.conf import settings as s; print(json.dumps({{n: getattr(s, n) for n in {names!r}}}))"
    result = run_manage("shell", "--verbosity", "0", "-c", code, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_cookies_are_host_only_and_secure(production_settings: dict[str, object]) -> None:
    assert production_settings["SESSION_COOKIE_NAME"] == "__Host-sessionid"
    assert production_settings["CSRF_COOKIE_NAME"] == "__Host-csrftoken"
    assert production_settings["SESSION_COOKIE_SECURE"] is True
    assert production_settings["CSRF_COOKIE_SECURE"] is True


def test_production_passwords_are_hashed_with_argon2_first(production_settings: dict[str, object]) -> None:
    hashers = production_settings["PASSWORD_HASHERS"]
    assert isinstance(hashers, list) and hashers[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"

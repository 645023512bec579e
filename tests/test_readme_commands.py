"""The two commands README opens with: `make run` serves the app, `make test` runs the suite."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run make as a person would, not as a sub-make of the `make test` that may be running this suite.
CLEAN_ENV = {
    key: value for key, value in os.environ.items() if key not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL"}
}


def test_readme_opens_with_exactly_the_two_commands() -> None:
    lines = (ROOT / "README.md").read_text().splitlines()
    block = lines[lines.index("```") + 1 : lines.index("```", lines.index("```") + 1)]
    assert [line.split("#")[0].strip() for line in block] == ["make run", "make test"]


def test_make_test_installs_the_test_dependencies_and_runs_pytest() -> None:
    plan = subprocess.run(
        ["make", "-n", "-B", "test"], cwd=ROOT, env=CLEAN_ENV, capture_output=True, text=True, check=True
    ).stdout
    assert "pip install --quiet '.[test]'" in plan
    assert plan.strip().splitlines()[-1].endswith("-m pytest -n logical")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_make_run_migrates_seeds_and_serves_and_can_run_again(tmp_path: Path) -> None:
    env = {**CLEAN_ENV, "DATABASE_URL": f"sqlite:///{tmp_path / 'run.sqlite3'}"}
    first = serve_once(env)
    second = serve_once(env)
    for health, login, output in (first, second):
        assert health == "ok"
        assert "Sign in" in login
        assert "user prescriber" in output and "Reference data:" in output
    assert "0 patients added" in second[2]


def serve_once(env: dict[str, str]) -> tuple[str, str, str]:
    """Start `make run`, read /healthz and the sign-in page, stop it; return those and its output."""
    port = free_port()
    server = subprocess.Popen(
        ["make", "run", f"PORT={port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        health = wait_for(f"http://127.0.0.1:{port}/healthz", seconds=120)
        login = urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/").read().decode()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        output = server.communicate(timeout=30)[0]
    return health, login, output


def wait_for(url: str, *, seconds: float) -> str:
    deadline = time.monotonic() + seconds
    while True:
        try:
            return urllib.request.urlopen(url, timeout=2).read().decode()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)

"""Browser tests drive Debian's Chromium (/usr/bin/chromium) through Playwright.

Without Chromium they are skipped with a reason, except under CI (CI=true), where a missing browser
is a failure: CI installs Debian's chromium package and must run them.

Every browser test fails if the page reports a Content Security Policy violation (an inline script
or style, a resource from elsewhere): the policy is enforced, so a violation is a broken page.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings
from playwright.sync_api import BrowserContext, ConsoleMessage, expect

from ..conftest import CHROMIUM
from ..security.conftest import WITHOUT_DOCUMENTS

# Playwright's synchronous API runs an event loop in the test thread; the Django ORM calls that
# the tests make there are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# An assertion waits up to 20 s for the page to reach the state it expects (Playwright's default is
# 5 s). On a busy two-core machine running the suite in parallel, a passkey ceremony or a sign-out
# can take longer than 5 s; a page that never gets there still fails, only later.
expect.set_options(timeout=20_000)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is not installed (apt-get install chromium); browser tests need it"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


# Reported by the page itself, so that a violation shows in the console even where Chromium's own
# message would be missed (e.g. in a frame).
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline"}`);
});
"""


@pytest.fixture
def console_errors(context: BrowserContext) -> list[str]:
    """Every console error and uncaught exception of every page in this test's browser context."""
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(f"{message.text} ({message.location.get('url', '')})")

    context.add_init_script(REPORT_VIOLATIONS)
    context.on("console", on_console)
    context.on("weberror", lambda error: errors.append(f"uncaught: {error.error}"))
    return errors


@pytest.fixture(autouse=True)
def _no_content_security_policy_violation(console_errors: list[str]) -> Iterator[None]:
    yield
    violations = [
        error for error in console_errors if "Content Security Policy" in error or "CSP violation" in error
    ]
    assert violations == [], "the page broke the Content Security Policy"


@pytest.fixture(autouse=True)
def _versions_saved_without_their_documents() -> Iterator[None]:
    """A version saved in a browser test is not followed by its printed documents (queued, never
    made): no browser test reads one (the printing tests make and read them), and each save would
    otherwise wait for WeasyPrint to render both. A print asked for shows its "being made" page;
    the test of that page sets its own task backend."""
    with override_settings(TASKS=WITHOUT_DOCUMENTS):
        yield

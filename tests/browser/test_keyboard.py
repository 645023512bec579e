"""What axe cannot see (WCAG 2.2 AA), checked in the browser.

- A prescriber signs in with a second factor (enrolling an authenticator app), registers a patient (first sending the form empty: the error summary at
  the top links to each field, and each field names its error), enters a regimen, builds, previews
  and saves a plan, records a check-in and prints the patient's schedule in large print, with the
  keyboard alone: every control is reached with Tab and shows where the focus is (2.1.1, 2.4.7);
  the skip link is the first stop and moves to the main content (2.4.1).
- The plan's chart has a text alternative: a title and a description (1.1.1).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from schedules.models import Clinic

from ..conftest import PASSWORD, make_user
from .accessibility import Violations
from .test_two_factor_flow import app_code

pytestmark = pytest.mark.django_db(transaction=True)

# The focus is shown when the focused element has an outline of 2 px or more, or a focus shadow.
FOCUS_SHOWN = """() => {
  const style = getComputedStyle(document.activeElement);
  return (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2) || style.boxShadow !== "none";
}"""


def tab_to(page: Page, target: Locator, *, limit: int = 120) -> None:
    """Press Tab until ``target`` has the focus, which must be visible on every stop on the way."""
    handle = target.element_handle()
    if page.evaluate("(element) => document.activeElement === element", handle):
        return  # the page put the focus there as it opened (autofocus)
    for _ in range(limit):
        page.keyboard.press("Tab")
        assert page.evaluate(FOCUS_SHOWN), (
            f"no visible focus on {page.evaluate('document.activeElement.outerHTML')[:120]}"
        )
        if page.evaluate("(element) => document.activeElement === element", handle):
            return
    raise AssertionError(f"Tab never reached {target}")


def type_into(page: Page, field: Locator, text: str) -> None:
    tab_to(page, field)
    page.keyboard.type(text)


def press_button(page: Page, name: str) -> None:
    tab_to(page, page.get_by_role("button", name=name).first)
    page.keyboard.press("Enter")


@pytest.mark.real_second_factor
def test_a_prescriber_does_everything_with_the_keyboard_alone(
    page: Page, live_server: object, clinic: Clinic
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    user = make_user("doctor", "Prescriber", clinic)
    page.set_viewport_size({"width": 1280, "height": 900})
    # Bootstrap fades its focus ring in: without motion (as its own CSS allows) it is there at once.
    page.emulate_media(reduced_motion="reduce")

    # Sign in (the user name has the focus as the page opens), then enrol an authenticator app: its
    # code typed, the recovery codes kept; axe checks both pages of the second factor on the way.
    page.goto(f"{base}/accounts/login/")
    expect(page.get_by_label("Username")).to_be_focused()
    page.keyboard.type("doctor")
    type_into(page, page.get_by_label("Password"), PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/enrol/"))
    violations = Violations()
    violations.check(page, "enrolling a second factor")
    type_into(page, page.get_by_label("Code"), app_code(user))
    press_button(page, "Confirm the app")
    expect(page.get_by_role("heading", name="Recovery codes")).to_be_visible()
    violations.check(page, "the recovery codes")
    assert not violations.found, violations.report()
    tab_to(page, page.get_by_role("link", name="I have kept them: continue"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    assert page.evaluate(FOCUS_SHOWN)
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    page.reload()  # the focus back at the top of the page

    # Register a patient: first with nothing filled in, to see the errors.
    tab_to(page, page.get_by_role("link", name="Register a patient"))
    page.keyboard.press("Enter")
    press_button(page, "Register and enter regimen")
    summary = page.get_by_role("alert").filter(has_text="problems")
    expect(summary).to_be_visible()
    for field in page.locator("[aria-invalid=true]").all():
        described = field.get_attribute("aria-describedby") or ""
        errors = [page.locator(f"#{name}").inner_text() for name in described.split()]
        assert any(error.strip() for error in errors), f"{field.get_attribute('name')} names no error"
    first_link = summary.get_by_role("link").first
    tab_to(page, first_link)
    page.keyboard.press("Enter")
    expect(page.get_by_label("Record number")).to_be_focused()
    page.keyboard.type("KB-1")
    # A date field takes its parts in the browser's order (month, day, year in US English).
    type_into(page, page.get_by_label("Date of birth"), "02031970")
    expect(page.get_by_label("Date of birth")).to_have_value("1970-02-03")
    type_into(page, page.get_by_label("Given name"), "Ada")
    type_into(page, page.get_by_label("Family name"), "Keys")
    press_button(page, "Register and enter regimen")

    # The regimen: lorazepam 1 mg in the morning and 1 mg at night.
    expect(page.get_by_role("heading", name="Current regimen")).to_be_visible()
    tab_to(page, page.get_by_label("Drug, row 1"))
    page.keyboard.type("lorazepam")
    expect(page.get_by_label("Drug, row 1")).to_have_value(re.compile(r"\d+"))
    type_into(page, page.get_by_label("Morning (mg), row 1"), "1")
    type_into(page, page.get_by_label("Night (mg), row 1"), "1")
    press_button(page, "Save regimen")
    expect(page).to_have_url(re.compile(r"/patients/\d+/(#.*)?$"))

    # Build, preview and save the plan.
    tab_to(page, page.get_by_role("link", name="New taper plan"))
    page.keyboard.press("Enter")
    # The builder already shows a preview as it opens: wait for the one the button asks for, or the
    # reasons below would be typed into the page being replaced.
    with page.expect_navigation():
        press_button(page, "Preview")
    expect(page.get_by_role("heading", name="Preview")).to_be_visible()
    # Each danger warning needs its reason before the plan goes live.
    reasons = page.locator(".acknowledgements input[type=text]")
    for reason in reasons.all():
        type_into(page, reason, "Discussed with the patient, who agrees.")
    for reason in reasons.all():
        expect(reason).to_have_value("Discussed with the patient, who agrees.")
    press_button(page, "Save and activate")
    expect(page).to_have_url(re.compile(r"/plans/\d+/(#.*)?$"))
    plan_page = page.url
    chart = page.locator("svg.taper-chart").first
    assert chart.get_attribute("role") == "img"
    for part in (chart.get_attribute("aria-labelledby") or "").split():
        assert page.locator(f"#{part}").text_content(), "the chart's title and description say what it shows"
    assert len((chart.get_attribute("aria-labelledby") or "").split()) == 2

    # Record a check-in.
    tab_to(page, page.get_by_role("link", name="Record a check-in").first)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Record a check-in")).to_be_visible()
    for group in ["how", *(f"item_{order}" for order in range(1, 13)), "sleep"]:
        tab_to(page, page.locator(f'input[name="{group}"]').first)
        page.keyboard.press("Space")
    press_button(page, "Save the check-in")
    expect(page.get_by_text("Check-in saved", exact=False).first).to_be_visible()

    # Back on the plan's page, print the patient's schedule in large print.
    page.goto(plan_page)
    tab_to(page, page.get_by_label("Large print (patient's schedule)"))
    page.keyboard.press("Space")
    tab_to(page, page.get_by_role("button", name="Print patient's schedule"))
    with page.expect_response(lambda response: "patient.pdf" in response.url) as printed:
        page.keyboard.press("Enter")
    # The schedule is made in the background: its page answers at once (202) and shows it when ready.
    assert printed.value.status in (200, 202)
    assert "large_print=1" in printed.value.url

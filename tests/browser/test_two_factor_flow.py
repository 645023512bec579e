"""Two-factor sign-in in the browser, at 1280 and 390 px: enrolling an authenticator app (its code
computed here from the secret) and a passkey (Chromium's virtual authenticator, through the DevTools
protocol), the recovery codes shown once, and the second factor asked at the next sign-in. The
browser conftest fails any page with a Content Security Policy violation."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from schedules.models import Clinic

from ..conftest import PASSWORD, make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.real_second_factor]

WIDTHS = [1280, 390]


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def sign_out(page: Page) -> None:
    toggler = page.locator(".navbar-toggler")  # on a phone the menu is collapsed
    if toggler.is_visible():
        toggler.click()
        expect(toggler).to_have_attribute("aria-expanded", "true")
        expect(page.locator("#nav")).to_have_class(re.compile(r"\bshow\b"))  # opened, not opening
    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()
    # Wait for the signed-out page: going on at once can cancel the sign-out's request.
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)


def app_code(user: User, steps_ahead: int = 0) -> str:
    device = TOTPDevice.objects.get(user=user)
    return f"{totp(device.bin_key, drift=steps_ahead):06d}"


@pytest.fixture
def prescriber_user(clinic: Clinic) -> User:
    return make_user("amira", "Prescriber", clinic)


@pytest.mark.parametrize("width", WIDTHS)
def test_enrol_an_authenticator_app_then_sign_in_with_its_code(
    page: Page, live_server: Any, prescriber_user: User, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server.url, "amira")
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/enrol/"))
    expect(page.locator("svg.qr-code")).to_be_visible()
    page.get_by_text("Cannot scan it? Type this key instead").click()
    key = page.locator(".secret-key").inner_text().replace(" ", "")
    assert len(key) == 32  # django-otp's 20-byte key in base32

    page.get_by_label("Code").fill(app_code(prescriber_user))
    page.get_by_role("button", name="Confirm the app").click()
    expect(page.get_by_role("heading", name="Recovery codes")).to_be_visible()
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    page.get_by_role("link", name="I have kept them: continue").click()
    expect(
        page.get_by_role("heading", name="Patients").or_(page.get_by_role("heading", name="Dashboard")).first
    ).to_be_visible()

    sign_out(page)
    sign_in(page, live_server.url, "amira")
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/"))
    expect(page.get_by_role("heading", name="Confirm it is you")).to_be_visible()
    page.get_by_label("Code").fill(app_code(prescriber_user, steps_ahead=1))  # the first is used up
    page.get_by_role("button", name="Continue").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/"))


@pytest.mark.parametrize("width", WIDTHS)
def test_enrol_a_passkey_then_sign_in_with_it(
    page: Page, live_server: Any, prescriber_user: User, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    devtools = page.context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    devtools.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    sign_in(page, live_server.url, "amira")
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.get_by_role("heading", name="Recovery codes")).to_be_visible()
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    page.get_by_role("link", name="I have kept them: continue").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/"))

    sign_out(page)
    sign_in(page, live_server.url, "amira")
    expect(page.get_by_role("heading", name="Confirm it is you")).to_be_visible()
    page.get_by_role("button", name="Use your passkey").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/"))

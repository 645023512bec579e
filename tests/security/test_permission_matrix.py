"""Every URL of the app, for each kind of visitor, by GET and by POST, answers as expected.

The URLs are enumerated from the URL resolver: a new URL without a row here fails
`test_every_url_has_a_row`. A row is one line: the URL (placeholders in braces name objects of the
`world` fixture), then the expected status for GET and for POST, for each visitor in the order of
VISITORS: anonymous, clinic staff, prescriber, administrator, member with no role, prescriber of
another clinic. POSTs send no data, so they never change anything; they show that the page refuses
the visitor, or answers with its form's errors. The Auditor has its own rules at the end
(`AUDITOR_ADMIN`), checked over every row too.

Reading the columns: 302 for visitors who are not signed in (to the sign-in page) and for non-staff
users on admin pages (to the admin sign-in); 404 where a patient is outside the visitor's scope
(another clinic, or no clinical role); 403 where the role lacks the permission; 405 for a method
the page does not accept.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver

from schedules.models import Clinic, Market

from .conftest import VISITORS, World, build_world

pytestmark = pytest.mark.django_db


def admin(administrator_get: int, administrator_post: int) -> tuple[str, str]:
    """The admin: only administrators get in; everyone else is sent to its sign-in page."""
    return f"302 302 302 {administrator_get} 302 302", f"302 302 302 {administrator_post} 302 302"


# key (URL name, or route for an unnamed URL): (url, GET statuses, POST statuses)
# fmt: off
MATRIX: dict[str, tuple[str, str, str]] = {
    # The registry
    "favicon.ico": ("/favicon.ico", "301 301 301 301 301 301", "301 301 301 301 301 301"),
    "schedules:healthz": ("/healthz", "200 200 200 200 200 200", "405 405 405 405 405 405"),
    "schedules:patient_create": ("/patients/new/", "302 403 200 403 403 200", "302 403 200 403 403 200"),
    "schedules:patient_detail": ("/patients/{patient}/", "302 200 200 404 404 404", "302 405 405 405 405 405"),
    "schedules:patient_edit": ("/patients/{patient}/edit/", "302 403 200 403 403 404", "302 403 200 403 403 404"),
    "schedules:regimen_edit": ("/patients/{patient}/regimen/", "302 403 200 403 403 404", "302 403 200 403 403 404"),
    # Plans, prints and exports (the PDFs of an active plan: a plan with a danger warning nobody has
    # acknowledged is not printed, tests/printing)
    "schedules:home": ("/", "302 302 200 302 302 200", "302 405 405 405 405 405"),
    "schedules:patient_list": ("/patients/", "302 200 200 200 200 200", "302 405 405 405 405 405"),
    "schedules:outcomes": ("/outcomes/", "302 403 200 403 403 200", "302 405 405 405 405 405"),
    "schedules:outcomes_csv": ("/outcomes/outcomes.csv", "302 403 200 403 403 200", "302 405 405 405 405 405"),
    "schedules:outcomes_plans": ("/outcomes/plans/?measure=started", "302 403 200 403 403 200", "302 405 405 405 405 405"),
    "schedules:plan_new": ("/patients/{patient}/plans/new/", "302 403 200 403 403 404", "302 403 200 403 403 404"),
    "schedules:plan_detail": ("/plans/{plan}/", "302 200 200 404 404 404", "302 405 405 405 405 405"),
    "schedules:plan_json": ("/plans/{plan}/plan.json", "302 200 200 404 404 404", "302 405 405 405 405 405"),
    "schedules:version_compare": ("/plans/{plan}/compare/?a=1&b=1", "302 200 200 404 404 404", "302 405 405 405 405 405"),
    "schedules:step_edit": ("/plans/{plan}/edit-step/?step=1", "302 403 200 403 403 404", "302 403 200 403 403 404"),
    "schedules:step_remove": ("/plans/{plan}/remove-step/?step=1", "302 403 200 403 403 404", "302 403 200 403 403 404"),
    "schedules:hold_insert": ("/plans/{plan}/hold/", "302 403 200 403 403 404", "302 403 200 403 403 404"),
    "schedules:replan": ("/plans/{plan}/replan/", "302 403 200 403 403 404", "302 403 200 403 403 404"),
    "schedules:plan_clinician_pdf": ("/plans/{active_plan}/clinician.pdf", "302 202 202 404 404 404", "302 405 405 405 405 405"),
    "schedules:plan_patient_pdf": ("/plans/{active_plan}/patient.pdf", "302 202 202 404 404 404", "302 405 405 405 405 405"),
    "schedules:plan_ics": ("/plans/{plan}/schedule.ics", "302 200 200 404 404 404", "302 405 405 405 405 405"),
    "schedules:plan_fhir": ("/plans/{plan}/fhir.json", "302 200 200 404 404 404", "302 405 405 405 405 405"),
    "schedules:plan_csv": ("/plans/{plan}/steps.csv", "302 200 200 404 404 404", "302 405 405 405 405 405"),
    "schedules:status_change": ("/plans/{plan}/activate/", "302 403 200 403 403 404", "302 403 200 403 403 404"),
    # Follow-up check-ins (an active plan: check-ins are recorded on active or paused plans)
    "followup:overview": ("/follow-up/", "302 200 200 403 403 200", "302 405 405 405 405 405"),
    "followup:plan_checkins": ("/plans/{active_plan}/checkins/", "302 200 200 403 403 404", "302 405 405 405 405 405"),
    "followup:checkin_create": ("/plans/{active_plan}/checkins/new/", "302 200 200 403 403 404", "302 200 200 403 403 404"),
    "followup:followup_settings": ("/plans/{active_plan}/checkins/cadence/", "302 405 405 405 405 405", "302 403 400 403 403 404"),
    "followup:checkin_detail": ("/checkins/{checkin}/", "302 200 200 403 403 404", "302 302 302 403 403 404"),
    # Signing in and out
    "login": ("/accounts/login/", "200 302 302 302 302 302", "200 302 302 302 302 302"),
    "logout": ("/accounts/logout/", "302 405 405 405 405 405", "302 302 302 302 302 302"),
    "password_change": ("/accounts/password_change/", "302 200 200 200 200 200", "302 200 200 200 200 200"),
    "password_change_done": ("/accounts/password_change/done/", "302 200 200 200 200 200", "302 405 405 405 405 405"),
    # The second factor (every signed-in visitor here has passed it: the verify page sends them on;
    # the enrolment page adds another app or passkey; an empty POST makes no recovery codes)
    "two_factor_verify": ("/accounts/two-factor/", "302 302 302 302 302 302", "302 302 302 302 302 302"),
    "two_factor_enrol": ("/accounts/two-factor/enrol/", "302 200 200 200 200 200", "302 200 200 200 200 200"),
    "two_factor_recovery_codes": ("/accounts/two-factor/recovery-codes/", "302 200 200 200 200 200", "302 200 200 200 200 200"),
    # django-otp-webauthn's passkey ceremonies: JSON by POST only; an empty POST has no ceremony to complete
    "otp_webauthn:credential-registration-begin": ("/accounts/passkeys/registration/begin/", "302 405 405 405 405 405", "302 200 200 200 200 200"),
    "otp_webauthn:credential-registration-complete": ("/accounts/passkeys/registration/complete/", "302 405 405 405 405 405", "302 400 400 400 400 400"),
    "otp_webauthn:credential-authentication-begin": ("/accounts/passkeys/authentication/begin/", "302 405 405 405 405 405", "302 200 200 200 200 200"),
    "otp_webauthn:credential-authentication-complete": ("/accounts/passkeys/authentication/complete/", "302 405 405 405 405 405", "302 400 400 400 400 400"),
    "otp_webauthn:js-i18n-catalog": ("/accounts/passkeys/jsi18n/", "302 200 200 200 200 200", "302 405 405 405 405 405"),
    # The admin (the same for every model: list, add, history, delete, change, and the old-style
    # address that redirects to change; simple_history adds a page per history record)
    "admin:login": ("/admin/login/", "200 200 200 302 200 200", "200 200 200 200 200 200"),
    "admin:logout": ("/admin/logout/", "302 302 302 405 302 302", "302 302 302 302 302 302"),
    "admin:index": ("/admin/", *admin(200, 200)),
    "admin:password_change": ("/admin/password_change/", *admin(200, 200)),
    "admin:password_change_done": ("/admin/password_change/done/", *admin(200, 405)),
    "admin:autocomplete": ("/admin/autocomplete/", *admin(403, 405)),
    "admin:jsi18n": ("/admin/jsi18n/", *admin(200, 405)),
    "admin:view_on_site": ("/admin/r/{drug_type}/{drug}/", *admin(404, 404)),
    "admin:schedules_drug_simple_history": ("/admin/schedules/drug/{drug}/history/{drug_history}/", *admin(200, 200)),
    "admin:schedules_drug_changelist": ("/admin/schedules/drug/", *admin(200, 200)),
    "admin:schedules_drug_add": ("/admin/schedules/drug/add/", *admin(200, 200)),
    "admin:schedules_drug_history": ("/admin/schedules/drug/{drug}/history/", *admin(200, 200)),
    "admin:schedules_drug_delete": ("/admin/schedules/drug/{drug}/delete/", *admin(200, 200)),
    "admin:schedules_drug_change": ("/admin/schedules/drug/{drug}/change/", *admin(200, 200)),
    "admin/schedules/drug/<path:object_id>/": ("/admin/schedules/drug/{drug}/", *admin(302, 302)),
    "admin:schedules_formulation_simple_history": ("/admin/schedules/formulation/{formulation}/history/{formulation_history}/", *admin(200, 200)),
    "admin:schedules_formulation_changelist": ("/admin/schedules/formulation/", *admin(200, 200)),
    "admin:schedules_formulation_add": ("/admin/schedules/formulation/add/", *admin(200, 200)),
    "admin:schedules_formulation_history": ("/admin/schedules/formulation/{formulation}/history/", *admin(200, 200)),
    "admin:schedules_formulation_delete": ("/admin/schedules/formulation/{formulation}/delete/", *admin(200, 200)),
    "admin:schedules_formulation_change": ("/admin/schedules/formulation/{formulation}/change/", *admin(200, 200)),
    "admin/schedules/formulation/<path:object_id>/": ("/admin/schedules/formulation/{formulation}/", *admin(302, 302)),
    "admin:schedules_equivalencetable_simple_history": ("/admin/schedules/equivalencetable/{equivalencetable}/history/{equivalencetable_history}/", *admin(200, 200)),
    "admin:schedules_equivalencetable_changelist": ("/admin/schedules/equivalencetable/", *admin(200, 200)),
    "admin:schedules_equivalencetable_add": ("/admin/schedules/equivalencetable/add/", *admin(200, 200)),
    "admin:schedules_equivalencetable_history": ("/admin/schedules/equivalencetable/{equivalencetable}/history/", *admin(200, 200)),
    "admin:schedules_equivalencetable_delete": ("/admin/schedules/equivalencetable/{equivalencetable}/delete/", *admin(200, 200)),
    "admin:schedules_equivalencetable_change": ("/admin/schedules/equivalencetable/{equivalencetable}/change/", *admin(200, 200)),
    "admin/schedules/equivalencetable/<path:object_id>/": ("/admin/schedules/equivalencetable/{equivalencetable}/", *admin(302, 302)),
    "admin:schedules_equivalence_simple_history": ("/admin/schedules/equivalence/{equivalence}/history/{equivalence_history}/", *admin(200, 200)),
    "admin:schedules_equivalence_changelist": ("/admin/schedules/equivalence/", *admin(200, 200)),
    "admin:schedules_equivalence_add": ("/admin/schedules/equivalence/add/", *admin(200, 200)),
    "admin:schedules_equivalence_history": ("/admin/schedules/equivalence/{equivalence}/history/", *admin(200, 200)),
    "admin:schedules_equivalence_delete": ("/admin/schedules/equivalence/{equivalence}/delete/", *admin(200, 200)),
    "admin:schedules_equivalence_change": ("/admin/schedules/equivalence/{equivalence}/change/", *admin(200, 200)),
    "admin/schedules/equivalence/<path:object_id>/": ("/admin/schedules/equivalence/{equivalence}/", *admin(302, 302)),
    "admin:schedules_clinic_simple_history": ("/admin/schedules/clinic/{clinic}/history/{clinic_history}/", *admin(200, 200)),
    "admin:schedules_clinic_changelist": ("/admin/schedules/clinic/", *admin(200, 200)),
    "admin:schedules_clinic_add": ("/admin/schedules/clinic/add/", *admin(200, 200)),
    "admin:schedules_clinic_history": ("/admin/schedules/clinic/{clinic}/history/", *admin(200, 200)),
    "admin:schedules_clinic_delete": ("/admin/schedules/clinic/{clinic}/delete/", *admin(200, 200)),
    "admin:schedules_clinic_change": ("/admin/schedules/clinic/{clinic}/change/", *admin(200, 200)),
    "admin/schedules/clinic/<path:object_id>/": ("/admin/schedules/clinic/{clinic}/", *admin(302, 302)),
    "admin:axes_accessattempt_changelist": ("/admin/axes/accessattempt/", *admin(200, 200)),
    "admin:axes_accessattempt_add": ("/admin/axes/accessattempt/add/", *admin(403, 403)),
    "admin:axes_accessattempt_history": ("/admin/axes/accessattempt/{accessattempt}/history/", *admin(200, 200)),
    "admin:axes_accessattempt_delete": ("/admin/axes/accessattempt/{accessattempt}/delete/", *admin(200, 200)),
    "admin:axes_accessattempt_change": ("/admin/axes/accessattempt/{accessattempt}/change/", *admin(200, 403)),
    "admin/axes/accessattempt/<path:object_id>/": ("/admin/axes/accessattempt/{accessattempt}/", *admin(302, 302)),
    "admin:axes_accesslog_changelist": ("/admin/axes/accesslog/", *admin(403, 403)),
    "admin:axes_accesslog_add": ("/admin/axes/accesslog/add/", *admin(403, 403)),
    "admin:axes_accesslog_history": ("/admin/axes/accesslog/{accesslog}/history/", *admin(403, 403)),
    "admin:axes_accesslog_delete": ("/admin/axes/accesslog/{accesslog}/delete/", *admin(403, 403)),
    "admin:axes_accesslog_change": ("/admin/axes/accesslog/{accesslog}/change/", *admin(403, 403)),
    "admin/axes/accesslog/<path:object_id>/": ("/admin/axes/accesslog/{accesslog}/", *admin(302, 302)),
    "admin:axes_accessfailurelog_changelist": ("/admin/axes/accessfailurelog/", *admin(403, 403)),
    "admin:axes_accessfailurelog_add": ("/admin/axes/accessfailurelog/add/", *admin(403, 403)),
    "admin:axes_accessfailurelog_history": ("/admin/axes/accessfailurelog/{accessfailurelog}/history/", *admin(403, 403)),
    "admin:axes_accessfailurelog_delete": ("/admin/axes/accessfailurelog/{accessfailurelog}/delete/", *admin(403, 403)),
    "admin:axes_accessfailurelog_change": ("/admin/axes/accessfailurelog/{accessfailurelog}/change/", *admin(403, 403)),
    "admin/axes/accessfailurelog/<path:object_id>/": ("/admin/axes/accessfailurelog/{accessfailurelog}/", *admin(302, 302)),
    "admin:auth_user_password_change": ("/admin/auth/user/{user}/password/", *admin(403, 403)),
    "admin:auth_user_changelist": ("/admin/auth/user/", *admin(200, 200)),
    "admin:auth_user_add": ("/admin/auth/user/add/", *admin(200, 200)),
    "admin:auth_user_history": ("/admin/auth/user/{user}/history/", *admin(200, 200)),
    "admin:auth_user_delete": ("/admin/auth/user/{user}/delete/", *admin(403, 403)),
    "admin:auth_user_change": ("/admin/auth/user/{user}/change/", *admin(200, 200)),
    "admin/auth/user/<path:object_id>/": ("/admin/auth/user/{user}/", *admin(302, 302)),
    "admin:accounts_clinicmanager_changelist": ("/admin/accounts/clinicmanager/", *admin(200, 200)),
    "admin:accounts_clinicmanager_add": ("/admin/accounts/clinicmanager/add/", *admin(403, 403)),
    "admin:accounts_clinicmanager_history": ("/admin/accounts/clinicmanager/{clinicmanager}/history/", *admin(200, 200)),
    "admin:accounts_clinicmanager_delete": ("/admin/accounts/clinicmanager/{clinicmanager}/delete/", *admin(403, 403)),
    "admin:accounts_clinicmanager_change": ("/admin/accounts/clinicmanager/{clinicmanager}/change/", *admin(200, 403)),
    "admin/accounts/clinicmanager/<path:object_id>/": ("/admin/accounts/clinicmanager/{clinicmanager}/", *admin(302, 302)),
    "admin:auth_group_changelist": ("/admin/auth/group/", *admin(200, 200)),
    "admin:auth_group_add": ("/admin/auth/group/add/", *admin(403, 403)),
    "admin:auth_group_history": ("/admin/auth/group/{group}/history/", *admin(200, 200)),
    "admin:auth_group_delete": ("/admin/auth/group/{group}/delete/", *admin(403, 403)),
    "admin:auth_group_change": ("/admin/auth/group/{group}/change/", *admin(200, 403)),
    "admin/auth/group/<path:object_id>/": ("/admin/auth/group/{group}/", *admin(302, 302)),
    "admin:audit_auditevent_changelist": ("/admin/audit/auditevent/", *admin(200, 200)),
    "admin:audit_auditevent_add": ("/admin/audit/auditevent/add/", *admin(403, 403)),
    "admin:audit_auditevent_history": ("/admin/audit/auditevent/{auditevent}/history/", *admin(200, 200)),
    "admin:audit_auditevent_delete": ("/admin/audit/auditevent/{auditevent}/delete/", *admin(403, 403)),
    "admin:audit_auditevent_change": ("/admin/audit/auditevent/{auditevent}/change/", *admin(200, 403)),
    "admin/audit/auditevent/<path:object_id>/": ("/admin/audit/auditevent/{auditevent}/", *admin(302, 302)),
    "admin:followup_scale_simple_history": ("/admin/followup/scale/{scale}/history/{scale_history}/", *admin(200, 200)),
    "admin:followup_scale_changelist": ("/admin/followup/scale/", *admin(200, 200)),
    "admin:followup_scale_add": ("/admin/followup/scale/add/", *admin(200, 200)),
    "admin:followup_scale_history": ("/admin/followup/scale/{scale}/history/", *admin(200, 200)),
    "admin:followup_scale_delete": ("/admin/followup/scale/{scale}/delete/", *admin(200, 200)),
    "admin:followup_scale_change": ("/admin/followup/scale/{scale}/change/", *admin(200, 200)),
    "admin/followup/scale/<path:object_id>/": ("/admin/followup/scale/{scale}/", *admin(302, 302)),
    "admin:followup_scaleitem_simple_history": ("/admin/followup/scaleitem/{scaleitem}/history/{scaleitem_history}/", *admin(200, 200)),
    "admin:followup_scaleitem_changelist": ("/admin/followup/scaleitem/", *admin(200, 200)),
    "admin:followup_scaleitem_add": ("/admin/followup/scaleitem/add/", *admin(200, 200)),
    "admin:followup_scaleitem_history": ("/admin/followup/scaleitem/{scaleitem}/history/", *admin(200, 200)),
    "admin:followup_scaleitem_delete": ("/admin/followup/scaleitem/{scaleitem}/delete/", *admin(200, 200)),
    "admin:followup_scaleitem_change": ("/admin/followup/scaleitem/{scaleitem}/change/", *admin(200, 200)),
    "admin/followup/scaleitem/<path:object_id>/": ("/admin/followup/scaleitem/{scaleitem}/", *admin(302, 302)),
    "admin:followup_scaleband_simple_history": ("/admin/followup/scaleband/{scaleband}/history/{scaleband_history}/", *admin(200, 200)),
    "admin:followup_scaleband_changelist": ("/admin/followup/scaleband/", *admin(200, 200)),
    "admin:followup_scaleband_add": ("/admin/followup/scaleband/add/", *admin(200, 200)),
    "admin:followup_scaleband_history": ("/admin/followup/scaleband/{scaleband}/history/", *admin(200, 200)),
    "admin:followup_scaleband_delete": ("/admin/followup/scaleband/{scaleband}/delete/", *admin(200, 200)),
    "admin:followup_scaleband_change": ("/admin/followup/scaleband/{scaleband}/change/", *admin(200, 200)),
    "admin/followup/scaleband/<path:object_id>/": ("/admin/followup/scaleband/{scaleband}/", *admin(302, 302)),
    "admin:app_list": ("/admin/schedules/", *admin(200, 200)),
    "admin/(?P<url>.*)$": ("/admin/nothing-here/", *admin(404, 404)),
}
# fmt: on


def walk(resolver: URLResolver, namespace: str = "", route: str = "") -> Iterator[str]:
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from walk(pattern, inner, route + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}{pattern.name}" if pattern.name else route + str(pattern.pattern)


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """One world for the module's three hundred tests, made once in a transaction that is rolled
    back when the module ends. Each test runs in a savepoint of its own inside it (pytest-django's
    `db`), so whatever one test's requests change is undone before the next, the visitors' sessions
    included: each visitor signs in once, here, and every client of theirs carries that session."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        transaction.atomic(),
    ):
        world = build_world(Clinic.objects.create(name="Riverside", market=Market.UK))
        world.keep_sessions()
        yield world
        transaction.set_rollback(True)


def test_every_url_has_a_row() -> None:
    urls = set(walk(get_resolver()))
    assert sorted(urls - set(MATRIX)) == [], "new URLs: add a row for each to MATRIX"
    assert sorted(set(MATRIX) - urls) == [], "rows for URLs that no longer exist"


@pytest.mark.parametrize("key", sorted(MATRIX))
def test_each_visitor_gets_the_expected_status(world: World, key: str) -> None:
    url, expected_get, expected_post = MATRIX[key]
    address = url.format(**world.objects)
    expected = {"GET": expected_get.split(), "POST": expected_post.split()}
    wrong = []
    for method, statuses in expected.items():
        for visitor, status in zip(VISITORS, statuses, strict=True):
            client = world.client(visitor)
            response = client.get(address) if method == "GET" else client.post(address, {})
            if response.status_code != int(status):
                wrong.append(f"{method} {address} as {visitor}: {response.status_code}, expected {status}")
    assert wrong == []


# The Auditor (issue 16): a staff account with no clinic and no clinical role. Outside the admin it
# is refused like a member with no role (whose column it must match); in the admin it opens the audit
# trail's list, records and their history, and nothing else ("403 403" for every other admin page).
AUDITOR_ADMIN: dict[str, tuple[str, str]] = {
    "admin:login": ("302", "200"),
    "admin:logout": ("405", "302"),
    "admin:index": ("200", "200"),
    "admin:password_change": ("200", "200"),
    "admin:password_change_done": ("200", "405"),
    "admin:autocomplete": ("403", "405"),
    "admin:jsi18n": ("200", "405"),
    "admin:view_on_site": ("404", "404"),
    "admin:app_list": ("404", "404"),
    "admin/(?P<url>.*)$": ("404", "404"),
    "admin:audit_auditevent_changelist": ("200", "200"),
    "admin:audit_auditevent_history": ("200", "200"),
    "admin:audit_auditevent_change": ("200", "403"),
    "admin:audit_auditevent_add": ("403", "403"),
    "admin:audit_auditevent_delete": ("403", "403"),
}


def auditor_expected(key: str) -> tuple[str, str]:
    url, get, post = MATRIX[key]
    if not url.startswith("/admin/"):
        no_role = VISITORS.index("no_role")
        return get.split()[no_role], post.split()[no_role]
    if key in AUDITOR_ADMIN:
        return AUDITOR_ADMIN[key]
    if key.endswith("/<path:object_id>/"):  # the old-style address: a redirect to the change page
        return "302", "302"
    return "403", "403"


@pytest.mark.parametrize("key", sorted(MATRIX))
def test_the_auditor_gets_the_expected_status(world: World, key: str) -> None:
    address = MATRIX[key][0].format(**world.objects)
    client = world.client("auditor")
    got = (str(client.get(address).status_code), str(client.post(address, {}).status_code))
    assert got == auditor_expected(key), address

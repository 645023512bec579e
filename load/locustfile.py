"""Load test: 20 signed-in prescribers mixing searches, patient and plan pages, plan previews and
PDF prints against the app under gunicorn. Loopback only; bounded in users and time (make load).

At the end it prints requests per second, p50/p95/p99 per page, the error count, and each page's
p95 as a ratio to a bare signed-in page (the password-changed page: session, sign-in check, one
template) measured in the same run.
"""

from __future__ import annotations

import ipaddress
import os
import random
import re
import socket
from typing import Any
from urllib.parse import urlsplit

from django_otp.oath import totp
from locust import HttpUser, between, events, task
from locust.env import Environment

from load.seed import FAMILY_NAMES, PASSWORD, TOTP_KEY, USERS

BARE = "bare signed-in page"
PATIENT_LINK = re.compile(r'href="/patients/(\d+)/"')
PLAN_LINK = re.compile(r'href="/plans/(\d+)/"')


@events.init.add_listener
def _loopback_only(environment: Environment, **kwargs: Any) -> None:
    for url in [environment.host or "", *os.environ.get("LOAD_HOSTS", "").split()]:
        host = urlsplit(url).hostname or ""
        address = ipaddress.ip_address(socket.gethostbyname(host))
        if not address.is_loopback:
            raise SystemExit(f"The load test runs against this machine only (127.0.0.1), not {host}.")


class Prescriber(HttpUser):
    wait_time = between(0.5, 2)
    user_numbers = iter(range(1, USERS + 1))

    def on_start(self) -> None:
        number = next(self.user_numbers, random.randint(1, USERS))
        # LOAD_HOSTS (make load-cluster): the app servers, the users spread evenly over them.
        hosts = os.environ.get("LOAD_HOSTS", "").split()
        if hosts:
            self.host = self.client.base_url = hosts[number % len(hosts)]
        self.client.get("/accounts/login/", name="sign-in page")
        token = self.client.cookies.get("csrftoken", "")
        self.client.post(
            "/accounts/login/",
            {"username": f"load{number:02d}", "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": f"{self.host}/accounts/login/"},
            name="sign in",
            # Not followed: the landing page (the dashboard) is not part of this mix.
            allow_redirects=False,
        )
        token = self.client.cookies.get("csrftoken", "")  # a new one after signing in
        self.client.post(
            "/accounts/two-factor/",
            {"code": f"{totp(bytes.fromhex(TOTP_KEY)):06d}", "csrfmiddlewaretoken": token},
            headers={"Referer": f"{self.host}/accounts/two-factor/"},
            name="second factor",
            allow_redirects=False,
        )
        self.patients: list[str] = []
        self.plans: list[str] = []
        self.search()

    @task(4)
    def search(self) -> None:
        term = random.choice(FAMILY_NAMES)
        with self.client.get(
            "/patients/", params={"q": term}, name="search", catch_response=True
        ) as response:
            found = PATIENT_LINK.findall(response.text)
            if not found:
                response.failure("the search found no patient")
            self.patients = found or self.patients

    @task(4)
    def patient_page(self) -> None:
        if not self.patients:
            return
        with self.client.get(
            f"/patients/{random.choice(self.patients)}/", name="patient page", catch_response=True
        ) as response:
            self.plans = PLAN_LINK.findall(response.text) or self.plans

    @task(3)
    def plan_page(self) -> None:
        if self.plans:
            self.client.get(f"/plans/{random.choice(self.plans)}/", name="plan page")

    @task(2)
    def preview(self) -> None:
        if self.patients:
            self.client.get(f"/patients/{random.choice(self.patients)}/plans/new/", name="plan preview")

    @task(1)
    def print_pdf(self) -> None:
        # Served from storage (200), or "being made" (202) while the worker makes it; a plan with a
        # danger warning nobody has acknowledged is refused (409), as it should be.
        if not self.plans:
            return
        with self.client.get(
            f"/plans/{random.choice(self.plans)}/clinician.pdf", name="PDF print", catch_response=True
        ) as response:
            if response.status_code == 409:
                response.success()

    @task(2)
    def bare(self) -> None:
        self.client.get("/accounts/password_change/done/", name=BARE)


@events.quitting.add_listener
def _report(environment: Environment, **kwargs: Any) -> None:
    stats = environment.runner.stats if environment.runner else None
    if stats is None:
        return
    total = stats.total
    bare = stats.entries.get((BARE, "GET"))
    bare_p95 = bare.get_response_time_percentile(0.95) if bare and bare.num_requests else None
    print()
    print(f"Requests: {total.num_requests}, errors: {total.num_failures}, {total.total_rps:.1f} req/s")
    print(f"{'page':<22}{'requests':>9}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'p95/bare':>10}")
    for (name, _method), entry in sorted(stats.entries.items()):
        if not entry.num_requests:
            continue
        p50, p95, p99 = (entry.get_response_time_percentile(q) for q in (0.5, 0.95, 0.99))
        ratio = f"{p95 / bare_p95:.1f}" if bare_p95 else "-"
        print(
            f"{name:<22}{entry.num_requests:>9}{entry.num_failures:>8}{p50:>9.0f}{p95:>9.0f}{p99:>9.0f}{ratio:>10}"
        )
    if total.num_failures:
        environment.process_exit_code = 1

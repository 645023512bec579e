"""Benchmark: the pages that list a clinic's plans and patients, at 2,000 active plans in the
user's clinic, against a bare signed-in page in the same run.

The clinic is seeded by load/seed.py (``seed(size=..., active=True)``): plans at every stage of a
two-week step, so each list has rows. The pages: the dashboard (each of its plan lists and
follow-up lists with its count and first rows), one of its lists on its own (a page of 50), the
follow-up page and one of its lists, and a patient search by family name (a page of 50). The bare page is the
password-changed page (session, sign-in check, one template), as in ``make load``.

Targets (issue 15), as ratios of medians: each page at most 2 times the bare page. Under
``make bench`` they are timed on one core and checked: a page above its ceiling (near the ratio
measured) fails, one above the target is reported as an expected failure naming it; in ``make test``
each page is fetched once at a small size, asserting nothing about time.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from load.seed import seed
from schedules.models import Plan
from schedules.plans.review import PAGE_SIZE, PREVIEW_ROWS
from tests.benchmarks.test_preview_benchmark import as_in_production_on_one_core, median_seconds

pytestmark = pytest.mark.django_db
ACTIVE_PLANS = 2000
TARGET_RATIO = 2.0
# Until the target is met, each page's ceiling: about 1.25 times the highest ratio measured (README,
# "Lists at the size of a clinic": 4.73-5.46, 3.53-4.15, 2.52-2.82, 2.78-3.32, 2.69-3.14 on a loaded
# machine), so a slowdown that matters fails make bench rather than joining the expected failure.
CEILING = {
    "dashboard": 6.8,
    "dashboard list page 2": 5.2,
    "follow-up overview": 3.5,
    "follow-up list": 4.2,
    "patient search": 3.9,
}


def test_the_lists_at_2000_active_plans(measuring: bool, capsys: pytest.CaptureFixture[str]) -> None:
    size = ACTIVE_PLANS if measuring else 30
    with capsys.disabled():
        clinic = seed(size=size, active=True)
    assert Plan.objects.filter(patient__clinic=clinic, status=Plan.Status.ACTIVE).count() == size
    client = Client()
    client.force_login(User.objects.get(username="load01"))
    pages = {
        "dashboard": reverse("schedules:home"),
        "dashboard list page 2": reverse("schedules:home") + "?list=changing&page=2",
        "follow-up overview": reverse("followup:overview"),
        "follow-up list": reverse("followup:overview") + "?list=due",
        "patient search": reverse("schedules:patient_list") + "?q=Ellis",
    }
    bare = reverse("password_change_done")

    def fetch(url: str) -> str:
        response = client.get(url)
        assert response.status_code == 200
        return response.content.decode()

    assert fetch(pages["dashboard"]).count("dashboard-row") >= min(size // 4, 2 * PREVIEW_ROWS)
    if measuring:  # a full page of 50 of the dose changes due this week
        assert fetch(pages["dashboard list page 2"]).count("dashboard-row") == PAGE_SIZE
    assert "Ellis" in fetch(pages["patient search"]).title()
    if not measuring:
        return
    with as_in_production_on_one_core():
        _, bare_cpu = median_seconds(lambda: fetch(bare))
        timed = {name: median_seconds(lambda url=url: fetch(url)) for name, url in pages.items()}  # type: ignore[misc]
    lines = [f"\nlists at {size} active plans in the clinic, one core, CPU-time medians:"]
    lines.append(f"  bare signed-in page {bare_cpu * 1000:6.1f} ms")
    ratios = {}
    for name, (wall, cpu) in timed.items():
        ratios[name] = cpu / bare_cpu
        lines.append(
            f"  {name:20} {cpu * 1000:6.1f} ms (wall {wall * 1000:6.1f} ms); ratio {ratios[name]:.2f}"
        )
    with capsys.disabled():
        print("\n".join(lines))
    over = {name: round(ratio, 2) for name, ratio in ratios.items() if ratio > CEILING[name]}
    assert not over, f"above their ceilings {CEILING}: {over}"
    missed = {name: round(ratio, 2) for name, ratio in ratios.items() if ratio > TARGET_RATIO}
    if missed:
        # Not met yet (README, "Performance"): reported as an expected failure naming each page,
        # so make bench shows it rather than hiding it or failing the other benchmarks' run.
        pytest.xfail(f"above {TARGET_RATIO:g} times a bare signed-in page: {missed}")

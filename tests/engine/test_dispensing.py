"""Dispensing per prescription period: whole units rounded up once, liquids in mL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from itertools import pairwise

from engine_builders import START, liquid, plan, regimen, tablets

from schedules.engine import LinearMethod, PercentMethod


def test_half_tablets_are_added_up_before_rounding_to_whole_tablets() -> None:
    # 1 mg morning and night from 2 mg tablets: one tablet a day, not two.
    schedule = plan(
        regimen=[regimen("diazepam", morning="1", night="1")],
        formulations=tablets("diazepam", "2"),
        method=LinearMethod(Decimal(1)),
        interval_days=28,
    )
    first = schedule.dispensing[0]
    assert (first.start_date, first.end_date) == (START, START + dt.timedelta(days=27))
    assert [(i.drug, i.formulation.strength_mg, i.quantity) for i in first.items] == [("diazepam", 2, 14)]


def test_odd_half_tablets_round_up() -> None:
    schedule = plan(
        regimen=[regimen("diazepam", night="3")],
        formulations=tablets("diazepam", "2"),
        method=LinearMethod(Decimal(1)),
        interval_days=7,
        period_days=7,
    )
    # 2 mg (1 tablet) a day for 7 days, then 1 mg (half) a day for 7 days: 4 tablets.
    assert [[i.quantity for i in p.items] for p in schedule.dispensing] == [[7], [4]]


def test_liquids_are_dispensed_in_millilitres() -> None:
    schedule = plan(
        regimen=[regimen("diazepam", night="1")],
        formulations=[liquid("diazepam", "1")],
        method=PercentMethod(Decimal(20)),
        interval_days=14,
    )
    item = schedule.dispensing[0].items[0]
    assert item.quantity is None
    assert item.volume_ml == Decimal("0.8") * 14 + Decimal("0.7") * 14  # 1 mg/mL: 0.8 mg, then 0.7 mg


def test_periods_cover_the_schedule_and_the_last_one_is_cut_short() -> None:
    schedule = plan(
        regimen=[regimen("diazepam", night="10")],
        formulations=tablets("diazepam", "2", "5", "10"),
        method=LinearMethod(Decimal(1)),
        interval_days=10,
    )
    periods = schedule.dispensing
    assert periods[0].start_date == schedule.start_date
    assert periods[-1].end_date == schedule.end_date - dt.timedelta(days=1)
    for before, after in pairwise(periods):
        assert after.start_date == before.end_date + dt.timedelta(days=1)
        assert (before.end_date - before.start_date).days == 27

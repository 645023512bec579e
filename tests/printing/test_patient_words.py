"""The patient's schedule in plain words: counts, bottles, drawings and the journal's days."""

from __future__ import annotations

import datetime as dt

from schedules.plans.printing.patient import bottle_words, count_words, journal, patient_steps, pieces, take
from tests.printing.plans import as_dict, switch_schedule


def test_counts_are_said_as_people_say_them() -> None:
    assert count_words(1.0, "tablet") == "1 tablet"
    assert count_words(3.0, "tablet") == "3 tablets"
    assert count_words(0.5, "tablet") == "half a tablet"
    assert count_words(0.25, "tablet") == "a quarter of a tablet"
    assert count_words(0.75, "tablet") == "three quarters of a tablet"
    assert count_words(1.5, "tablet") == "1 and a half tablets"
    assert count_words(2.0, "capsule") == "2 capsules"


def test_a_liquid_names_its_bottle_and_is_not_drawn() -> None:
    assert bottle_words(0.4) == "2 mg in 5 mL"
    assert bottle_words(1.0) == "5 mg in 5 mL"
    assert bottle_words(5.0) == "5 mg in 1 mL"
    liquid = take("diazepam", {"form": "oral solution", "strength_mg": 0.4, "volume_ml": 4.0})
    assert liquid.text == "4 mL of diazepam liquid (2 mg in 5 mL)" and liquid.pieces == ()


def test_tablets_are_drawn_whole_half_or_quarter() -> None:
    assert pieces(1.5) == ("whole", "half")
    assert pieces(0.25) == ("quarter",)
    assert pieces(2.75) == ("whole", "whole", "three-quarters")
    assert pieces(8.0) == (), "too many to draw: the words say it"
    capsule = take("temazepam", {"form": "capsule", "strength_mg": 10.0, "count": 1.0})
    assert capsule.pieces == () and capsule.text == "1 capsule of temazepam 10 mg"


def test_each_step_lists_every_time_of_day_used() -> None:
    schedule = as_dict(switch_schedule())
    steps = patient_steps(schedule)
    assert [slot.label for slot in steps[0].slots] == ["Morning", "Night"]
    assert steps[0].change_words == "Changing over to the new medicine."
    hold = next(step for step in steps if step.change_words.startswith("A hold"))
    assert hold.number == next(s["number"] for s in schedule["steps"] if s["hold"])


def test_the_journal_has_a_row_a_day_with_a_box_where_a_dose_is_due() -> None:
    schedule = as_dict(switch_schedule())
    rows = journal(schedule, start=dt.date(2027, 1, 4), days=21)
    assert [row.date for row in rows] == [dt.date(2027, 1, 4) + dt.timedelta(days=i) for i in range(21)]
    assert rows[0].new_dose and rows[7].new_dose and rows[14].new_dose
    assert not rows[1].new_dose
    assert rows[0].slots == (True, True)
    after_end = journal(schedule, start=dt.date(2027, 12, 30), days=10)
    assert after_end[-1].date == dt.date.fromisoformat(schedule["steps"][-1]["end_date"])

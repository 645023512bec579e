"""Scoring and bands, from the scale's data: the shipped checklist as loaded, and a banded scale."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from followup.models import Scale
from followup.scale_data import CHECKLIST_KEY, SCALES
from followup.scoring import (
    BandSpec,
    ItemSpec,
    ScaleSpec,
    ScoringError,
    band_for,
    suggest_hold,
    total_score,
)

BANDED = ScaleSpec(
    name="Test scale",
    items=(ItemSpec(1, "one", 0, 4), ItemSpec(2, "two", 0, 4)),
    bands=(
        BandSpec(0, 3, "Low", "few symptoms"),
        BandSpec(4, 8, "High", "many symptoms", suggests_hold=True),
    ),
)


def test_the_total_adds_one_answer_per_item() -> None:
    assert total_score(scale=BANDED, responses={1: 3, 2: 4}) == 7


def test_it_refuses_a_missing_item() -> None:
    with pytest.raises(ScoringError, match="Item 2 has no answer") as error:
        total_score(scale=BANDED, responses={1: 3})
    assert error.value.item == 2


def test_it_refuses_a_score_outside_the_items_range() -> None:
    with pytest.raises(ScoringError, match="from 0 to 4, not 5"):
        total_score(scale=BANDED, responses={1: 5, 2: 0})


def test_it_refuses_an_item_the_scale_does_not_have() -> None:
    with pytest.raises(ScoringError, match="no item 3"):
        total_score(scale=BANDED, responses={1: 0, 2: 0, 3: 1})


@pytest.mark.parametrize(("total", "label"), [(0, "Low"), (3, "Low"), (4, "High"), (8, "High")])
def test_the_band_comes_from_the_scales_data(total: int, label: str) -> None:
    band = band_for(scale=BANDED, total=total)
    assert band is not None and band.label == label


def test_a_band_that_suggests_a_hold_suggests_it() -> None:
    suggestion = suggest_hold(scale=BANDED, total=5, previous_total=None, rise_points=3)
    assert suggestion is not None and "band “High”" in suggestion.reasons[0]


def test_a_rise_of_more_than_n_points_suggests_a_hold_and_n_itself_does_not() -> None:
    assert suggest_hold(scale=BANDED, total=3, previous_total=0, rise_points=3) is None
    rise = suggest_hold(scale=BANDED, total=3, previous_total=0, rise_points=2)
    assert rise is not None and "rose by 3 points" in rise.reasons[0]


def test_a_fall_never_suggests_a_hold() -> None:
    assert suggest_hold(scale=BANDED, total=0, previous_total=3, rise_points=0) is None


@pytest.mark.django_db
def test_the_shipped_checklist_is_loaded_exactly_as_its_data() -> None:
    scale = Scale.objects.get(key=CHECKLIST_KEY)
    data = SCALES[0]
    assert [item.text for item in scale.items.all()] == data["items"]
    assert not scale.validated and "not a validated instrument" in scale.licence_note
    assert scale.source_url.startswith("https://rightdecisions.scot.nhs.uk/")
    assert scale.bands.count() == 0
    spec = scale.spec()
    assert spec.max_total == 12 * 3
    assert band_for(scale=spec, total=30) is None
    assert total_score(scale=spec, responses={n: 1 for n in range(1, 13)}) == 12


@pytest.mark.django_db
def test_the_shipped_checklist_suggests_a_hold_by_a_rise_or_a_total_near_its_maximum() -> None:
    """It has no validated bands: a rise, or (issue 14) a first check-in at 36 of 36, suggests a hold."""
    spec = Scale.objects.get(key=CHECKLIST_KEY).spec()
    assert not spec.has_validated_bands and spec.max_total == 36
    assert suggest_hold(scale=spec, total=36, previous_total=None, rise_points=3) is not None
    assert suggest_hold(scale=spec, total=26, previous_total=None, rise_points=3) is None
    assert suggest_hold(scale=spec, total=10, previous_total=6, rise_points=3) is not None


@pytest.mark.django_db
def test_the_shipped_scale_starts_its_history_at_the_source() -> None:
    scale = Scale.objects.get(key=CHECKLIST_KEY)
    first = scale.history.earliest()
    assert first.history_change_reason.startswith("Loaded from the cited source")


@st.composite
def scale_and_answers(draw: st.DrawFn) -> tuple[ScaleSpec, dict[int, int]]:
    ranges = draw(st.lists(st.tuples(st.integers(0, 3), st.integers(1, 7)), min_size=1, max_size=25))
    items = tuple(
        ItemSpec(n, f"item {n}", low, low + width) for n, (low, width) in enumerate(ranges, start=1)
    )
    answers = {item.order: draw(st.integers(item.min_score, item.max_score)) for item in items}
    return ScaleSpec(name="Any", items=items), answers


@given(scale_and_answers())
def test_any_complete_answer_scores_within_the_scales_range(case: tuple[ScaleSpec, dict[int, int]]) -> None:
    scale, answers = case
    total = total_score(scale=scale, responses=answers)
    assert sum(item.min_score for item in scale.items) <= total <= scale.max_total
    assert total == sum(answers.values())


@given(st.integers(0, 60), st.integers(0, 60), st.integers(0, 10))
def test_a_hold_is_suggested_by_a_rise_exactly_when_it_exceeds_n(total: int, previous: int, n: int) -> None:
    unbanded = ScaleSpec(name="Any", items=(ItemSpec(1, "one", 0, 60),))
    suggested = suggest_hold(scale=unbanded, total=total, previous_total=previous, rise_points=n) is not None
    assert suggested == (total - previous > n or total >= 45)  # 45: three quarters of the maximum


@pytest.mark.parametrize(("total", "flagged"), [(26, False), (27, True), (36, True)])
def test_a_total_near_the_maximum_of_an_unbanded_scale_is_flagged(total: int, flagged: bool) -> None:
    """Issue 14: a first check-in at 36 of 36 raised no flag. 75% of 36 is 27 (a local choice)."""
    checklist = ScaleSpec(name="Checklist", items=tuple(ItemSpec(n, f"item {n}", 0, 3) for n in range(1, 13)))
    suggestion = suggest_hold(scale=checklist, total=total, previous_total=None, rise_points=5)
    assert (suggestion is not None) == flagged
    if suggestion is not None:
        assert f"Checklist {total} of 36" in suggestion.reasons[0]
        assert (
            "75% of the scale's maximum" in suggestion.reasons[0] and "local choice" in suggestion.reasons[0]
        )


def test_a_validated_scale_is_flagged_by_its_bands_only() -> None:
    validated = ScaleSpec(name=BANDED.name, items=BANDED.items, bands=BANDED.bands, validated=True)
    assert suggest_hold(scale=validated, total=7, previous_total=None, rise_points=3) is not None  # its band
    quiet = (BandSpec(0, 8, "Any", "no hold suggested"),)
    banded = ScaleSpec(name="V", items=BANDED.items, bands=quiet, validated=True)
    assert suggest_hold(scale=banded, total=8, previous_total=None, rise_points=3) is None

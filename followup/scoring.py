"""Scoring a check-in's symptom scale, from the scale's own data. Pure Python, no Django.

The "suggest hold" rule: a total in a band marked as suggesting a hold, a rise of more than N points
since the previous check-in (N is the FOLLOWUP_SCORE_RISE_POINTS setting), or, on a scale without
validated bands, a total at or above ``HIGH_SHARE`` of the scale's maximum. It only ever suggests:
the prescriber decides.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

# A local choice, not a validated cut-off (no source gives one for an unvalidated checklist): where a
# scale has no validated bands, a total at or above three quarters of its maximum is flagged for
# review and suggests a hold. Issue 14: a first check-in at the maximum (36 of 36) raised no flag.
HIGH_SHARE = Fraction(3, 4)


class ScoringError(ValueError):
    """Responses that do not fit the scale: a missing item or a score outside its range."""

    def __init__(self, message: str, *, item: int | None = None) -> None:
        super().__init__(message)
        self.item = item


@dataclass(frozen=True)
class ItemSpec:
    order: int
    text: str
    min_score: int
    max_score: int
    anchors: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True)
class BandSpec:
    min_score: int
    max_score: int
    label: str
    meaning: str
    suggests_hold: bool = False


@dataclass(frozen=True)
class ScaleSpec:
    name: str
    items: tuple[ItemSpec, ...]
    bands: tuple[BandSpec, ...] = ()
    validated: bool = False  # a published, validated instrument reproduced exactly

    @property
    def max_total(self) -> int:
        return sum(item.max_score for item in self.items)

    @property
    def has_validated_bands(self) -> bool:
        return self.validated and bool(self.bands)


@dataclass(frozen=True)
class HoldSuggestion:
    """Why a hold is suggested, in words a clinician reads beside the score."""

    reasons: tuple[str, ...]


def total_score(*, scale: ScaleSpec, responses: Mapping[int, int]) -> int:
    """The total of one response per item, each within its item's range."""
    total = 0
    for item in scale.items:
        if item.order not in responses:
            raise ScoringError(f"Item {item.order} has no answer.", item=item.order)
        value = responses[item.order]
        if not item.min_score <= value <= item.max_score:
            raise ScoringError(
                f"Item {item.order} must be scored from {item.min_score} to {item.max_score}, not {value}.",
                item=item.order,
            )
        total += value
    unknown = sorted(set(responses) - {item.order for item in scale.items})
    if unknown:
        raise ScoringError(f"The scale has no item {unknown[0]}.", item=unknown[0])
    return total


def band_for(*, scale: ScaleSpec, total: int) -> BandSpec | None:
    """The band the total falls in, or None for a scale without bands (or a total outside them)."""
    for band in scale.bands:
        if band.min_score <= total <= band.max_score:
            return band
    return None


def suggest_hold(
    *, scale: ScaleSpec, total: int, previous_total: int | None, rise_points: int
) -> HoldSuggestion | None:
    """Suggest a hold for a band that says so, a rise of more than rise_points since last time, or
    (without validated bands) a total at or above ``HIGH_SHARE`` of the maximum."""
    reasons: list[str] = []
    band = band_for(scale=scale, total=total)
    if band is not None and band.suggests_hold:
        reasons.append(f"{scale.name} {total}: in the band “{band.label}”.")
    if not scale.has_validated_bands and total >= HIGH_SHARE * scale.max_total:
        reasons.append(
            f"{scale.name} {total} of {scale.max_total}: at or above {float(HIGH_SHARE):.0%} of the scale's "
            "maximum, flagged for review. The scale has no validated bands: this threshold is this "
            "clinic tool's local choice, not a validated cut-off."
        )
    if previous_total is not None and total - previous_total > rise_points:
        reasons.append(
            f"{scale.name} rose by {total - previous_total} points since the previous check-in "
            f"({previous_total} → {total}), more than {rise_points}."
        )
    return HoldSuggestion(reasons=tuple(reasons)) if reasons else None

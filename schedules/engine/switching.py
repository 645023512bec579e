"""Switching to a longer-acting drug, one time of day at a time, keeping the diazepam equivalent.

Each stage moves part or all of one drug's dose at one time of day onto the switch drug at the
same time of day: night first, at most ``Switch.max_de_per_stage_mg`` DE per stage (so a large
dose moves over several stages). Both the dose left of the old drug and the new drug's dose must
be achievable, and a dose left of the old drug must itself be switchable at a later stage (so a
stage never strands a remainder that no later move could replace). Among the moves allowed, a
stage takes one that keeps the DE exactly (the largest such move), else the largest move; the
new drug's dose is rounded *down* to an achievable dose, so the DE never rises, and any DE lost
to that rounding is flagged (``switch_rounding``). When even the smallest achievable move of the
old drug is above the per-stage limit, that move is taken and flagged
(``switch_stage_over_limit``); this is also how a remainder that could not be switched later
goes in one move. A move must give some of the new drug: when even moving the whole dose would
round the new drug down to nothing, the switch is refused with an EngineError (allow a smaller
strength or a liquid of the new drug).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

from .scale import DeScale
from .schedule import Doses, ScheduleWarning, StepInput, with_dose
from .types import EngineError, EquivalenceTable, Slot, Switch, format_de, format_mg

SWITCH_SOURCE = (
    "Ashton Manual (2002) withdrawal schedules and NHS Scotland 'Switching to diazepam' (2024): "
    "substitute one dose at a time, keeping the diazepam equivalent"
)


def switch_stages(
    *,
    doses: Doses,
    switch: Switch,
    drug_order: Sequence[str],
    table: EquivalenceTable,
    scale: DeScale,
) -> list[StepInput]:
    """The stages that move every other drug in ``doses`` onto ``switch.to_drug``."""
    if scale.grids(doses) is None:
        # Only after re-planning with other formulations: a dose kept from the step before is
        # one they cannot make, and assembling that step says so.
        return []
    stages: list[StepInput] = []
    for slot in switch.slot_order:
        for drug in drug_order:
            while drug != switch.to_drug and doses.get(drug, {}).get(slot):
                doses, flags = _stage(doses, drug, slot, switch, table, scale)
                stages.append(StepInput(days=switch.stage_days, doses=doses, phase="switch", flags=flags))
    return stages


def _stage(
    doses: Doses, drug: str, slot: Slot, switch: Switch, table: EquivalenceTable, scale: DeScale
) -> tuple[Doses, tuple[ScheduleWarning, ...]]:
    """One stage, in grid units and DE units (scale.py): integers, exact."""
    mg = doses[drug][slot]
    maker, target = scale.makers[drug], scale.makers[switch.to_drug]
    weight, to_weight = scale.weights[drug], scale.weights[switch.to_drug]
    grid = maker.grid_of(mg)
    before = target.grid_of(doses.get(switch.to_drug, {}).get(slot, Decimal(0)))
    assert grid is not None and before is not None  # switch_stages checked every dose
    outcomes: dict[int, tuple[int, int]] = {}

    def outcome(left: int) -> tuple[int, int]:
        """The new drug's dose and the DE lost (units) when ``left`` of the old drug is kept
        (each worked out once: the choice below asks again)."""
        found = outcomes.get(left)
        if found is None:
            exact = before * to_weight + weight * (grid - left)  # DE the new drug should give
            new = target.at_most_grid(exact // to_weight)
            found = outcomes[left] = (new, exact - new * to_weight)
        return found

    def acceptable(left: int) -> bool:
        """The move gives some of the new drug, and what it leaves of the old drug can itself
        be switched at a later stage (moving all of it then must give some of the new drug)."""
        new, _ = outcome(left)
        if new <= before:
            return False
        if not left:
            return True
        return target.at_most_grid((new * to_weight + weight * left) // to_weight) > new

    limit_num, limit_den = scale.ratio(Fraction(switch.max_de_per_stage_mg))
    options = maker.between_grid(grid - limit_num // (limit_den * weight), grid)
    useful = [left for left in options if acceptable(left)]
    over_limit = not useful
    if over_limit:
        # Move more than the limit: the smallest acceptable move (at most the whole dose).
        useful = [left for left in maker.between_grid(0, grid) if acceptable(left)][-1:]
    if not useful:
        raise EngineError(
            f"{drug} {format_mg(mg)} mg at {slot.value} cannot be switched to {switch.to_drug}: "
            f"the allowed {switch.to_drug} formulations ({target.describe()}) cannot make an "
            "equivalent dose without raising it"
        )
    left = min(useful, key=lambda value: (outcome(value)[1] > 0, value))
    new, lost = outcome(left)
    left_mg = maker.to_mg(left)
    result = with_dose(with_dose(doses, drug, slot, left_mg), switch.to_drug, slot, target.to_mg(new))
    flags = []
    if over_limit:
        flags.append(_over_limit_warning(drug, mg - left_mg, table, switch))
    if lost:
        flags.append(_rounding_warning(drug, switch.to_drug, scale.to_fraction(lost)))
    return result, tuple(flags)


def _over_limit_warning(
    drug: str, moved: Decimal, table: EquivalenceTable, switch: Switch
) -> ScheduleWarning:
    moved_de = format_de(table.to_diazepam(drug, moved))
    return ScheduleWarning(
        code="switch_stage_over_limit",
        severity="warning",
        message=(
            f"This stage moves {moved_de} mg diazepam-equivalent, more than the "
            f"{format_mg(switch.max_de_per_stage_mg)} mg per stage asked for, because the "
            f"allowed formulations of {drug} and {switch.to_drug} cannot make a smaller move."
        ),
        source=SWITCH_SOURCE,
    )


def _rounding_warning(drug: str, to_drug: str, lost: Fraction) -> ScheduleWarning:
    return ScheduleWarning(
        code="switch_rounding",
        severity="warning",
        message=(
            f"The diazepam equivalent falls by {format_de(lost)} mg/day "
            f"at this stage: the {to_drug} dose replacing {drug} is rounded down to one the "
            f"allowed formulations can make."
        ),
        source=SWITCH_SOURCE,
    )

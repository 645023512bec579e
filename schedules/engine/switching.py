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

from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction

from .doses import DoseMaker
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
    makers: Mapping[str, DoseMaker],
) -> list[StepInput]:
    """The stages that move every other drug in ``doses`` onto ``switch.to_drug``."""
    stages: list[StepInput] = []
    for slot in switch.slot_order:
        for drug in drug_order:
            while drug != switch.to_drug and doses.get(drug, {}).get(slot):
                doses, flags = _stage(doses, drug, slot, switch, table, makers)
                stages.append(StepInput(days=switch.stage_days, doses=doses, phase="switch", flags=flags))
    return stages


def _stage(
    doses: Doses,
    drug: str,
    slot: Slot,
    switch: Switch,
    table: EquivalenceTable,
    makers: Mapping[str, DoseMaker],
) -> tuple[Doses, tuple[ScheduleWarning, ...]]:
    mg = doses[drug][slot]
    before = doses.get(switch.to_drug, {}).get(slot, Decimal(0))
    target = makers[switch.to_drug]

    def outcome(left: Decimal) -> tuple[Decimal, Fraction]:
        """The new drug's dose and the DE lost when ``left`` mg of the old drug is kept."""
        exact = Fraction(before) + table.from_diazepam(switch.to_drug, table.to_diazepam(drug, mg - left))
        new = target.at_most(exact)
        return new, table.to_diazepam(switch.to_drug, exact - Fraction(new))

    def acceptable(left: Decimal) -> bool:
        """The move gives some of the new drug, and what it leaves of the old drug can itself
        be switched at a later stage (moving all of it then must give some of the new drug)."""
        new, _ = outcome(left)
        if new <= before:
            return False
        if not left:
            return True
        later = Fraction(new) + table.from_diazepam(switch.to_drug, table.to_diazepam(drug, left))
        return target.at_most(later) > new

    limit_mg = table.from_diazepam(drug, Fraction(switch.max_de_per_stage_mg))
    options = makers[drug].between(Fraction(mg) - limit_mg, Fraction(mg))
    useful = [left for left in options if acceptable(left)]
    over_limit = not useful
    if over_limit:
        # Move more than the limit: the smallest acceptable move (at most the whole dose).
        useful = [left for left in makers[drug].between(Fraction(0), Fraction(mg)) if acceptable(left)][-1:]
    if not useful:
        raise EngineError(
            f"{drug} {format_mg(mg)} mg at {slot.value} cannot be switched to {switch.to_drug}: "
            f"the allowed {switch.to_drug} formulations ({target.describe()}) cannot make an "
            "equivalent dose without raising it"
        )
    left = min(useful, key=lambda value: (outcome(value)[1] > 0, value))
    new, lost = outcome(left)
    result = with_dose(with_dose(doses, drug, slot, left), switch.to_drug, slot, new)
    flags = []
    if over_limit:
        flags.append(_over_limit_warning(drug, mg - left, table, switch))
    if lost:
        flags.append(_rounding_warning(drug, switch.to_drug, lost))
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

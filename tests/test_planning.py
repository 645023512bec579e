"""What the database hands the engine: products for a plan, tables and drug facts."""

from __future__ import annotations

import dataclasses
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from schedules import engine
from schedules.engine import EngineError
from schedules.models import Confidence, Drug, Equivalence, EquivalenceTable, Formulation
from schedules.plans.planning import (
    MAX_ALTERNATIVE_EXTRA_DAYS,
    PlanChoices,
    compare_tables,
    drug_by_name,
    engine_drugs,
    engine_table,
    plan,
    plan_formulations,
    plan_request,
    suggest_alternative,
    table_by_key,
)

pytestmark = pytest.mark.django_db


def products(name: str, **options: object) -> set[tuple[str, Decimal, str]]:
    chosen = plan_formulations(Drug.objects.get(name=name), **options)  # type: ignore[arg-type]
    return {(f.form, f.strength_mg, f.divisible) for f in chosen}


def test_a_market_gives_its_own_immediate_release_products() -> None:
    assert products("alprazolam", market="US") == {
        ("tablet", Decimal("0.25"), "half"),
        ("tablet", Decimal("0.5"), "half"),
        ("tablet", Decimal("1"), "half"),
        ("tablet", Decimal("2"), "quarter"),
    }  # Xanax XR (modified release) is never used in a plan


def test_every_market_at_once_splits_no_further_than_every_market_allows() -> None:
    # Alprazolam 0.5 mg: halves in the US and Canada, whole only in the UK.
    assert ("tablet", Decimal("0.5"), "whole") in products("alprazolam", market=None)


def test_liquids_only_when_asked() -> None:
    assert not any(form == "oral solution" for form, _, _ in products("diazepam", market="UK"))
    with_liquid = products("diazepam", market="UK", liquid=True)
    assert ("oral solution", Decimal("0.4"), "whole") in with_liquid


def test_strengths_choose_and_a_missing_strength_is_refused() -> None:
    assert products("diazepam", market="UK", strengths=[Decimal(2)]) == {("tablet", Decimal(2), "half")}
    with pytest.raises(EngineError, match="does not come in 3 mg tablets here; available: 2, 5, 10 mg"):
        products("diazepam", market="UK", strengths=[Decimal(3)])


def test_split_restricts_and_never_extends() -> None:
    assert products("diazepam", market="UK", strengths=[Decimal(2)], split="whole") == {
        ("tablet", Decimal(2), "whole")
    }
    assert products("diazepam", market="UK", strengths=[Decimal(2)], split="quarter") == {
        ("tablet", Decimal(2), "half")
    }


def test_a_product_the_clinics_do_not_stock_is_not_used() -> None:
    Formulation.objects.filter(drug__name="diazepam", market="UK", strength_mg=10).update(stocked=False)
    assert Decimal(10) not in {strength for _, strength, _ in products("diazepam", market="UK")}


def test_unverified_equivalences_reach_the_engine_as_unverified() -> None:
    Equivalence.objects.filter(table__key="ashton", drug__name="oxazepam").update(
        confidence=Confidence.MEMORY
    )
    table = engine_table(EquivalenceTable.objects.get(key="ashton"))
    assert not table.entry("oxazepam").verified
    assert table.entry("lorazepam").verified
    assert table.entry("bromazepam").is_range


def test_drug_facts_for_the_checks() -> None:
    infos = {
        info.name: info
        for info in engine_drugs(Drug.objects.filter(name__in=["diazepam", "lorazepam", "clonazepam"]), "US")
    }
    assert infos["diazepam"].has_long_lived_active_metabolite and infos["diazepam"].liquid_available
    assert infos["clonazepam"].may_treat_epilepsy and not infos["clonazepam"].liquid_available
    uk = {info.name: info for info in engine_drugs(Drug.objects.filter(name="clonazepam"), "UK")}
    assert uk["clonazepam"].liquid_available  # UK clonazepam oral solutions


def test_unknown_names_list_what_is_known() -> None:
    with pytest.raises(EngineError, match="known: ashton, bnf"):
        table_by_key("nice")
    with pytest.raises(EngineError, match="unknown drug 'valium'; known: alprazolam"):
        drug_by_name("valium")
    assert table_by_key(None).key == "ashton"


def lorazepam_to_diazepam(**options: object) -> PlanChoices:
    fields: dict[str, object] = {
        "regimen": (
            engine.RegimenItem(drug="lorazepam", doses={engine.Slot.MORNING: Decimal(1)}),
            engine.RegimenItem(drug="zolpidem", doses={engine.Slot.NIGHT: Decimal(10)}),
        ),
        "method": engine.PercentMethod(percent=Decimal(10)),
        "market": "UK",
        "start": date(2026, 1, 5),
        "switch_to": "diazepam",
    }
    fields.update(options)
    return PlanChoices(**fields)  # type: ignore[arg-type]


def test_a_request_holds_every_regimen_drug_and_the_switch_target() -> None:
    request = plan_request(lorazepam_to_diazepam())
    assert {f.drug for f in request.formulations} == {"lorazepam", "zolpidem", "diazepam"}
    assert {info.name for info in request.drugs} == {"lorazepam", "zolpidem", "diazepam"}
    assert request.switch is not None and request.switch.to_drug == "diazepam"
    assert all(f.drug != "diazepam" or f.strength_mg in {2, 5, 10} for f in request.formulations)


def test_strengths_restrict_the_switch_target_only() -> None:
    request = plan_request(lorazepam_to_diazepam(strengths=(Decimal(2),)))
    assert {f.strength_mg for f in request.formulations if f.drug == "diazepam"} == {Decimal(2)}
    assert {f.strength_mg for f in request.formulations if f.drug == "lorazepam"} == {
        Decimal(1),
        Decimal("2.5"),
    }  # UK lorazepam: 1 and 2.5 mg tablets


def test_planning_again_from_a_request_gives_the_same_schedule() -> None:
    request = plan_request(lorazepam_to_diazepam())
    first = engine.plan_from_request(request)
    again = engine.plan_from_request(request)
    assert first == again
    assert first.steps[0].phase == "switch"
    assert plan(lorazepam_to_diazepam()) == first


def test_a_switch_to_the_only_drug_taken_is_refused() -> None:
    only = (engine.RegimenItem(drug="lorazepam", doses={engine.Slot.MORNING: Decimal(1)}),)
    with pytest.raises(EngineError, match="takes only lorazepam"):
        plan_request(lorazepam_to_diazepam(regimen=only, switch_to="lorazepam"))


DIAZEPAM_AND_ZOLPIDEM = (
    engine.RegimenItem(
        drug="diazepam", doses={engine.Slot.MORNING: Decimal(10), engine.Slot.NIGHT: Decimal(10)}
    ),
    engine.RegimenItem(drug="zolpidem", doses={engine.Slot.NIGHT: Decimal(10)}),
)


def test_zolpidem_moves_onto_the_diazepam_already_taken() -> None:
    # Issue 14: diazepam 20 mg a day with zolpidem 10 mg: the switch was refused because the
    # patient already takes diazepam. NHS Lothian: convert to diazepam only, one dose at a time.
    switched = plan(lorazepam_to_diazepam(regimen=DIAZEPAM_AND_ZOLPIDEM, switch_to="diazepam"))
    first = switched.steps[0]
    assert first.phase == "switch" and set(first.daily_mg) == {"diazepam"}
    assert first.dose_map()["diazepam"] == {engine.Slot.MORNING: Decimal(10), engine.Slot.NIGHT: Decimal(15)}
    assert not {w.code for w in switched.warnings} & {"drug_rate_over_25_percent_14_days"}


def test_with_several_drugs_the_move_onto_diazepam_is_suggested() -> None:
    direct = lorazepam_to_diazepam(regimen=DIAZEPAM_AND_ZOLPIDEM, switch_to=None)
    schedule = plan(direct)
    assert "drug_rate_over_25_percent_14_days" in {w.code for w in schedule.warnings}
    suggestion = suggest_alternative(direct, schedule)
    assert suggestion is not None
    assert "With moving zolpidem onto the diazepam already taken, one dose at a time" in suggestion.message
    assert "NHS Lothian" in suggestion.source


def test_a_request_uses_the_products_of_one_market_only(settings: object) -> None:
    request = plan_request(lorazepam_to_diazepam(market=None))
    assert request.market == "UK"
    assert {f.market for f in request.formulations} == {"UK"}
    setattr(settings, "TAPER_DEFAULT_MARKET", "US")  # noqa: B010
    assert {f.market for f in plan_request(lorazepam_to_diazepam(market=None)).formulations} == {"US"}
    with pytest.raises(EngineError, match="unknown market 'XX'"):
        plan_request(lorazepam_to_diazepam(market="XX"))


def test_the_engine_refuses_products_of_two_markets() -> None:
    request = plan_request(lorazepam_to_diazepam(market="UK"))
    us = plan_request(lorazepam_to_diazepam(market="US"))
    mixed = dataclasses.replace(request, formulations=request.formulations + us.formulations, market=None)
    with pytest.raises(EngineError, match=r"more than one market \(UK, US\)"):
        engine.plan_from_request(mixed)
    with pytest.raises(EngineError, match="plan is for the US market but its products are UK's"):
        engine.plan_from_request(dataclasses.replace(request, market="US"))


def test_the_web_builder_can_compare_every_loaded_table() -> None:
    regimen = (engine.RegimenItem(drug="alprazolam", doses={engine.Slot.NIGHT: Decimal(6)}),)
    comparison = compare_tables(regimen, used="ashton")
    assert comparison.drugs[0].values[0].table_key == "ashton"
    assert [w.code for w in comparison.warnings] == ["tables_disagree"]


def one_drug(drug: str, market: str = "UK", **options: object) -> PlanChoices:
    """``drug`` at the doses given as slot=mg keywords, 10% every 2 weeks, no switch."""
    doses = {engine.Slot(slot): Decimal(str(mg)) for slot, mg in options.pop("doses").items()}  # type: ignore[attr-defined]
    fields: dict[str, object] = {
        "regimen": (engine.RegimenItem(drug=drug, doses=doses),),
        "method": engine.PercentMethod(percent=Decimal(10)),
        "market": market,
        "start": date(2027, 1, 4),
    }
    fields.update(options)
    return PlanChoices(**fields)  # type: ignore[arg-type]


def suggestion_for(choices: PlanChoices) -> str | None:
    suggestion = suggest_alternative(choices, plan(choices))
    return None if suggestion is None else suggestion.message


def test_a_switch_to_diazepam_is_suggested_with_its_duration() -> None:
    # Issue 8: zolpidem 10 mg stops in 14 days (no zolpidem liquid in the UK).
    choices = one_drug("zolpidem", doses={"night": 10})
    schedule = plan(choices)
    assert schedule.total_days == 14
    suggestion = suggest_alternative(choices, schedule)
    assert suggestion is not None and suggestion.code == "alternative_avoids_fast_taper"
    assert "This plan stops in 14 days. With a switch to diazepam" in suggestion.message
    assert "Maudsley" in suggestion.source
    diazepam = (engine.RegimenItem(drug="diazepam", doses={engine.Slot.NIGHT: Decimal(10)}),)
    tablets = lorazepam_to_diazepam(regimen=diazepam, switch_to=None)
    liquid = suggest_alternative(tablets, plan(tablets))  # 2 -> 1 mg -> stop breaks the 25% rule
    assert liquid is not None and "With the oral liquid of diazepam" in liquid.message
    with_liquid = replace(tablets, liquid=True)
    assert suggest_alternative(with_liquid, plan(with_liquid)) is None


def test_an_alternative_keeps_the_requests_target_converted_to_its_drug() -> None:
    # Issue 14: lorazepam 1 mg bd to a 1 mg target was offered a switch that stopped (the
    # lorazepam target read as diazepam mg). Lorazepam 1 mg = diazepam 10 mg (Ashton).
    message = suggestion_for(
        one_drug("lorazepam", doses={"morning": 1, "night": 1}, target_daily_mg=Decimal(1))
    )
    assert message is not None
    assert "This plan reaches its target (lorazepam 1 mg a day) in 28 days" in message
    assert "it reaches its target (diazepam 10 mg a day) in" in message
    assert "stops" not in message


def test_no_diazepam_is_suggested_to_an_older_adult_or_with_hepatic_impairment() -> None:
    # Issue 14: the builder does not start a diazepam switch at 65 or over, nor with hepatic
    # impairment; an alternative passes the same patient checks as the plan.
    older = one_drug(
        "lorazepam", doses={"morning": "0.5", "night": "0.5"}, patient=engine.PatientFactors(age=80)
    )
    assert "rate_over_25_percent_14_days" in {w.code for w in plan(older).warnings}
    assert suggestion_for(older) is None
    assert suggestion_for(replace(older, patient=engine.PatientFactors(age=50))) is not None
    liver = engine.PatientFactors(age=72, hepatic_impairment=True)
    oxazepam = one_drug("oxazepam", doses={"morning": 15, "night": 15}, patient=liver)
    assert "short_taper" in {w.code for w in plan(oxazepam).warnings}
    assert suggestion_for(oxazepam) is None


def test_the_drugs_own_liquid_that_plans_cleanly_comes_before_a_switch() -> None:
    # Issue 14: temazepam 20 mg at night (UK): the oral solution plans 434 days with no danger.
    choices = one_drug("temazepam", doses={"night": 20})
    liquid = plan(replace(choices, liquid=True))
    assert liquid.total_days == 434 and not [w for w in liquid.warnings if w.severity == "danger"]
    message = suggestion_for(choices)
    assert message is not None and "With the oral liquid of temazepam" in message
    assert "it stops in 434 days" in message


def test_an_alternative_years_longer_than_the_plan_is_not_suggested() -> None:
    # Issue 14: alprazolam 2 mg tds at 2.5% every 28 days (644 days) was offered a 15-year
    # switch to avoid one 2 -> 1 mg step.
    choices = one_drug(
        "alprazolam",
        doses={"morning": 2, "midday": 2, "night": 2},
        method=engine.PercentMethod(percent=Decimal("2.5")),
        interval_days=28,
    )
    schedule = plan(choices)
    assert schedule.total_days == 644
    assert "rate_over_25_percent_14_days" in {w.code for w in schedule.warnings}
    assert suggest_alternative(choices, schedule) is None
    switched = plan(replace(choices, switch_to="diazepam", liquid=True))
    # Refused for the warning it adds (diazepam above 40 mg); the length alone: the test below.
    assert switched.total_days > 644 + MAX_ALTERNATIVE_EXTRA_DAYS


def test_a_switch_years_longer_than_a_long_plan_is_not_suggested_by_its_length_alone() -> None:
    # The plan already lasts beyond 18 months (700 days: long_taper), so the switch (2,380 days)
    # adds no warning of its own and avoids the fast cut: only MAX_ALTERNATIVE_EXTRA_DAYS keeps it
    # from being offered.
    choices = one_drug(
        "lorazepam",
        market="US",
        doses={"morning": 2, "night": 2},
        liquid=True,
        method=engine.PercentMethod(percent=Decimal(5)),
        interval_days=28,
    )
    schedule = plan(choices)
    codes = {w.code for w in schedule.warnings}
    assert {"long_taper", "rate_over_25_percent_14_days"} <= codes
    switched = plan(replace(choices, switch_to="diazepam"))
    assert switched.total_days > schedule.total_days + MAX_ALTERNATIVE_EXTRA_DAYS
    assert (
        not {w.code for w in switched.warnings if w.severity != "info"} - codes - {"step_larger_than_asked"}
    )
    assert "rate_over_25_percent_14_days" not in {w.code for w in switched.warnings}
    assert suggest_alternative(choices, schedule) is None

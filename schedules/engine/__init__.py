"""The schedule engine: benzodiazepine taper schedules made of doses a patient can take.

Pure Python (standard library only, no Django): plain dataclasses in, plain dataclasses out,
``EngineError`` for every bad input, keyword-only public functions, the start date passed in.
"""

from .checks import check_schedule
from .compare import (
    DrugComparison,
    TableComparison,
    TableValue,
    compare_tables,
    render_comparison,
)
from .doses import LIQUID_STEP_ML, MAX_LIQUID_DOSE_ML, DoseMaker, Unit, describe_units, dose_makers
from .limits import (
    MAX_INTERVAL_DAYS,
    MAX_PERIOD_DAYS,
    MAX_STEP_DAYS,
    MAX_SWITCH_STAGE_DAYS,
    check_start_date,
)
from .methods import PRESETS, BandsMethod, LinearMethod, Method, PercentMethod, Preset
from .planner import (
    MAX_PLAUSIBLE_DE_MG,
    insert_hold,
    plan_from_request,
    plan_taper,
    replan_from,
    validate_schedule,
)
from .render import render_table, schedule_to_dict
from .schedule import (
    LAST_DOSE_DE_MG,
    DispensingItem,
    DispensingPeriod,
    Dose,
    PlanRequest,
    Schedule,
    ScheduleWarning,
    Step,
    StepInput,
)
from .types import (
    DEFAULT_SLOT_ORDER,
    DEFAULT_SWITCH_ORDER,
    DrugInfo,
    EngineError,
    EquivalenceEntry,
    EquivalenceTable,
    Formulation,
    PatientFactors,
    RegimenItem,
    Slot,
    Switch,
    round_fraction,
)

__all__ = [
    "DEFAULT_SLOT_ORDER",
    "DEFAULT_SWITCH_ORDER",
    "LAST_DOSE_DE_MG",
    "LIQUID_STEP_ML",
    "MAX_INTERVAL_DAYS",
    "MAX_LIQUID_DOSE_ML",
    "MAX_PERIOD_DAYS",
    "MAX_PLAUSIBLE_DE_MG",
    "MAX_STEP_DAYS",
    "MAX_SWITCH_STAGE_DAYS",
    "PRESETS",
    "BandsMethod",
    "DispensingItem",
    "DispensingPeriod",
    "Dose",
    "DoseMaker",
    "DrugComparison",
    "DrugInfo",
    "EngineError",
    "EquivalenceEntry",
    "EquivalenceTable",
    "Formulation",
    "LinearMethod",
    "Method",
    "PatientFactors",
    "PercentMethod",
    "PlanRequest",
    "Preset",
    "RegimenItem",
    "Schedule",
    "ScheduleWarning",
    "Slot",
    "Step",
    "StepInput",
    "Switch",
    "TableComparison",
    "TableValue",
    "Unit",
    "check_schedule",
    "check_start_date",
    "compare_tables",
    "describe_units",
    "dose_makers",
    "insert_hold",
    "plan_from_request",
    "plan_taper",
    "render_comparison",
    "render_table",
    "replan_from",
    "round_fraction",
    "schedule_to_dict",
    "validate_schedule",
]

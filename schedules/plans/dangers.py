"""Which danger warnings of a plan a prescriber has acknowledged, and the key each is asked under.

A danger is keyed by what it is, not where it sits: its rule (the warning's code), its words (the
doses it names), and for a step's danger the doses before and after that step. Inserting a hold or
editing another step renumbers steps but leaves the danger, and its acknowledgement, as they were;
a change to the doses it is about makes a new key, so it is asked again (issue 14).

Acknowledgements saved before keys existed hold code, step and message only: they are read
against the schedule of the version they were saved with, where that step number still means what
it meant, and carried forward with their key.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

Schedule = Mapping[str, Any]
Warning = Mapping[str, Any]
# Before step 1, and after any held steps at the very start (which hold the starting regimen).
STARTING_REGIMEN = "starting regimen"


def _doses(step: Mapping[str, Any]) -> list[tuple[str, str, float]]:
    return sorted((dose["drug"], dose["slot"], float(dose["mg"])) for dose in step["doses"])


def _before(steps: Sequence[Mapping[str, Any]], index: int) -> Any:
    """The doses taken before ``steps[index]``: the step before it, or the starting regimen when
    every step before it is a hold at the start (a hold inserted before step 1 holds the regimen)."""
    if all(step["hold"] for step in steps[:index]):
        return STARTING_REGIMEN
    return _doses(steps[index - 1])


def danger_key(warning: Warning, schedule: Schedule) -> str:
    """``<code>:<digest>`` of the danger's rule, words and, for a step's danger, the doses before
    and after the step (safe in a form field's name)."""
    material: list[Any] = [warning["code"], warning["message"]]
    number = warning.get("step")
    steps = schedule["steps"]
    if number is not None and 1 <= number <= len(steps):
        index = number - 1
        material += [_before(steps, index), _doses(steps[index])]
    digest = hashlib.sha256(json.dumps(material).encode()).hexdigest()[:16]
    return f"{warning['code']}:{digest}"


def dangers_of(schedule: Schedule) -> list[dict[str, Any]]:
    """The danger warnings of ``schedule``, each with its ``key``."""
    return [
        {**warning, "key": danger_key(warning, schedule)}
        for warning in schedule["warnings"]
        if warning["severity"] == "danger"
    ]


def acknowledged_keys(
    acknowledgements: Sequence[Mapping[str, Any]], saved_with: Schedule
) -> dict[str, Mapping[str, Any]]:
    """The acknowledgements by danger key. ``saved_with``: the schedule of the version they were
    saved with, which places an older record (code, step, message, no key)."""
    keyed: dict[str, Mapping[str, Any]] = {}
    for ack in acknowledgements:
        key = ack.get("key") or danger_key(ack, saved_with)
        keyed[key] = ack
    return keyed


def unacknowledged_dangers(
    schedule: Schedule,
    acknowledgements: Sequence[Mapping[str, Any]],
    *,
    saved_with: Schedule | None = None,
) -> list[dict[str, Any]]:
    """The danger warnings of ``schedule`` (each with its ``key``) that no acknowledgement covers.
    ``saved_with``: the schedule the acknowledgements were saved with (default: ``schedule``)."""
    covered = acknowledged_keys(acknowledgements, saved_with or schedule)
    return [warning for warning in dangers_of(schedule) if warning["key"] not in covered]

"""Which danger warnings of a plan a prescriber has acknowledged, and the key each is asked under."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def danger_key(warning: Mapping[str, Any]) -> str:
    step = warning.get("step")
    return f"{warning['code']}@{'plan' if step is None else step}"


def unacknowledged_dangers(
    schedule: Mapping[str, Any], acknowledgements: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """The danger warnings of ``schedule`` that no acknowledgement covers (same code, step, message)."""
    covered = {(a["code"], a["step"], a["message"]) for a in acknowledgements}
    return [
        warning
        for warning in schedule["warnings"]
        if warning["severity"] == "danger"
        and (warning["code"], warning["step"], warning["message"]) not in covered
    ]

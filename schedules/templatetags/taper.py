"""Presentation of doses: milligrams without trailing zeros, rounded only for display."""

from decimal import ROUND_HALF_UP, Decimal

from django import template

register = template.Library()


@register.filter
def mg(value: Decimal | float | None, places: int = 3) -> str:
    """2.500 -> '2.5'; 40 -> '40'; None -> '—'. Rounds half up to `places` decimals for display."""
    if value is None:
        return "—"
    quantum = Decimal(1).scaleb(-int(places))
    rounded = Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP).normalize()
    return f"{rounded:f}"


@register.filter
def as_typed(value: object) -> str:
    """A form value as the user would type it: stored decimals without trailing zeros, typed text as is."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return str(value)

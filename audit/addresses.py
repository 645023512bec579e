"""The client's address, taken correctly behind the documented reverse proxy.

With TRUST_X_FORWARDED_FOR=N (N trusted proxies in front of the app), the address is the N-th
entry from the right of X-Forwarded-For: each proxy appends the address it received the request
from, so the entries to its left were written by the client and can be forged. With 0 (the
default: no proxy), X-Forwarded-For is ignored and REMOTE_ADDR is the client.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str | None:
    proxies: int = getattr(settings, "TRUST_X_FORWARDED_FOR", 0)
    remote = _valid(request.META.get("REMOTE_ADDR", ""))
    if proxies <= 0:
        return remote
    forwarded = [entry for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if entry.strip()]
    if len(forwarded) < proxies:
        return remote
    return _valid(forwarded[-proxies]) or remote

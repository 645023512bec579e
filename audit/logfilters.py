"""Log filters that keep patient data out of the logs."""

from __future__ import annotations

import logging


def _without_query(request_line: str) -> str:
    # "GET /?q=Ellis HTTP/1.1" -> "GET / HTTP/1.1": search terms (names, dates of birth) stay out.
    method, _, rest = request_line.partition(" ")
    target, space, protocol = rest.partition(" ")
    return f"{method} {target.split('?', 1)[0]}{space}{protocol}"


class StripQueryString(logging.Filter):
    """For runserver's django.server access lines: drop the query string from the request line."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args and isinstance(record.args[0], str):
            record.args = (_without_query(record.args[0]), *record.args[1:])
        return True

"""The 400 page: a request refused for its size says which limit it passed, in words."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import BadRequest, RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def reason_for(exception: Exception) -> str:
    if isinstance(exception, TooManyFieldsSent):
        return (
            f"The page sent more than {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS} fields, more than any form "
            "here has. Nothing was saved."
        )
    if isinstance(exception, RequestDataTooBig):
        return (
            f"The page sent more than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1024} KiB, more than any "
            "form here needs. Nothing was saved."
        )
    if isinstance(exception, BadRequest) and str(exception):
        return str(exception)
    return "The request could not be read. Nothing was saved."


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "400.html", {"reason": reason_for(exception)}, status=400)

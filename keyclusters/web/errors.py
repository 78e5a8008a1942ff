"""The pages shown when a request fails: a database that is away answers 503 and asks to retry.

Django calls :func:`server_error` (``handler500``) for an exception that nothing handled, in a
view or in a middleware. The page is rendered without the request's context: the context
processors ask for the user and the session, which a database that is away cannot give. The
pages use no static files either (a missing manifest entry would fail them in turn).
"""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader

RETRY_AFTER_SECONDS = 30


def server_error(request: HttpRequest) -> HttpResponse:
    failure = sys.exc_info()[1]
    if isinstance(failure, OperationalError | InterfaceError):
        # the database cannot be reached (not a query that is wrong): the drivers' connection
        # errors, and SQLite's locked or unreadable file
        context = {"retry": RETRY_AFTER_SECONDS}
        page = loader.render_to_string("web/errors/unavailable.html", context)
        response = HttpResponse(page, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return HttpResponse(loader.render_to_string("web/errors/server_error.html"), status=500)

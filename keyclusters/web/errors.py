"""The pages shown when a request fails: a database that is away answers 503 and asks to retry.

Django calls :func:`server_error` (``handler500``) for an exception that nothing handled, in a
view or in a middleware. The page is rendered without the request's context: the context
processors ask for the user and the session, which a database that is away cannot give. The
pages use no static files either (a missing manifest entry would fail them in turn).

A missing page (``handler404``, :func:`not_found`) and a refused one (``handler403``,
:func:`forbidden`) are ordinary pages of the site: the layout, the navigation, the user's
language. Under ``/api/`` they answer JSON as the API does. With ``DEBUG`` on (the demo and
development, ``KEYCLUSTERS_DEV``) Django would show its debug page for a missing page instead;
:class:`NotFoundPageMiddleware` shows the site's page there too, unless
``KEYCLUSTERS_TECHNICAL_404`` asks for Django's (the URL patterns it tried).

A form refused by the CSRF check (``CSRF_FAILURE_VIEW``, :func:`csrf_failure`) says what
usually happened (the form was open too long, or the browser blocks cookies) and how to go on;
Django's reason (an English sentence meant for developers) is not shown.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme

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


def _api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """``handler404``: the site's page (the exception's text is not shown: it may name what
    the user may not see)."""
    if _api(request):
        return JsonResponse({"detail": "Not Found"}, status=404)
    return render(request, "web/errors/not_found.html", status=404)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """``handler403``: what the user may do instead (log in, or their dashboard)."""
    if _api(request):
        return JsonResponse({"detail": "Forbidden"}, status=403)
    return render(request, "web/errors/forbidden.html", status=403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: the form's security token was missing or out of date. The page
    links back to the form (the referring page, when it is of this site) so that a reload
    fetches a fresh token; rendering the page sets a new CSRF cookie too."""
    if _api(request):
        return JsonResponse({"detail": "Forbidden"}, status=403)
    referer = request.META.get("HTTP_REFERER", "")
    back = (
        referer
        if referer
        and url_has_allowed_host_and_scheme(
            referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        else ""
    )
    return render(request, "web/errors/csrf_failure.html", {"back": back}, status=403)


class NotFoundPageMiddleware:
    """With ``DEBUG`` on, a missing page shows the site's 404 page as in production (Django's
    debug page lists the URL patterns instead: ``KEYCLUSTERS_TECHNICAL_404=1`` keeps it).

    Last in ``MIDDLEWARE``: an ``Http404`` of a view comes to :meth:`process_exception`; an
    address that no URL pattern matches comes back as Django's debug response, recognised by
    the request's missing ``resolver_match``. Without ``DEBUG`` it does nothing (Django calls
    ``handler404`` itself)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    @staticmethod
    def _active() -> bool:
        return settings.DEBUG and not getattr(settings, "TECHNICAL_404", False)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code == 404
            and self._active()
            and getattr(request, "resolver_match", None) is None
        ):
            return not_found(request)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, Http404) and self._active():
            return not_found(request, exception)
        return None

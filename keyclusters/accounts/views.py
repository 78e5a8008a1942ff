"""Password reset with a limit on requests per client address and per e-mail address."""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.http import HttpResponse
from django.utils import translation
from django.utils.translation import ngettext

from .client_address import client_address


def _count(kind: str, ident: str, window: int) -> int:
    """Requests of ``kind`` from ``ident`` in the current window of ``window`` seconds,
    this one included (fixed windows in the default cache, shared when CACHE_URL is)."""
    digest = hashlib.sha256(ident.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    key = f"password-reset:{kind}:{digest}:{int(time.time() // window)}"
    if cache.add(key, 1, window + 1):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.add(key, 1, window + 1)
        return 1


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's form; the e-mail is written in the account's preferred language when it has
    one, else in the language of the page it was asked from."""

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        language = getattr(context.get("user"), "preferred_language", "") or None
        with translation.override(language or translation.get_language()):
            super().send_mail(subject_template_name, email_template_name, context, *args, **kwargs)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's password reset, refused with 429 after ``PASSWORD_RESET_LIMIT`` requests per
    client address or per e-mail address within ``PASSWORD_RESET_WINDOW`` seconds.

    Every well-formed request counts, whether an account uses the address or not, and the
    refusal reads the same either way: the limit tells nothing about who has an account."""

    form_class = PasswordResetForm
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/password_reset_email.html"  # the plain text
    html_email_template_name = "accounts/password_reset_email_html.html"
    subject_template_name = "accounts/password_reset_subject.txt"

    @property
    def extra_email_context(self) -> dict:
        """How long the link works (PASSWORD_RESET_TIMEOUT), in whole days for the e-mail."""
        return {"valid_days": max(settings.PASSWORD_RESET_TIMEOUT // 86400, 1)}

    def form_valid(self, form):
        limit = settings.PASSWORD_RESET_LIMIT
        window = settings.PASSWORD_RESET_WINDOW
        email = form.cleaned_data["email"].strip().lower()
        by_address = _count("address", client_address(self.request) or "unknown", window)
        by_email = _count("email", email, window)
        if by_address > limit or by_email > limit:
            return self.refuse(form)
        return super().form_valid(form)

    def refuse(self, form) -> HttpResponse:
        minutes = max(settings.PASSWORD_RESET_WINDOW // 60, 1)
        form.add_error(
            None,
            ngettext(
                "Too many password reset requests. Please wait %(minutes)s minute and try "
                "again; a link already sent stays valid.",
                "Too many password reset requests. Please wait %(minutes)s minutes and try "
                "again; a link already sent stays valid.",
                minutes,
            )
            % {"minutes": minutes},
        )
        response = self.render_to_response(self.get_context_data(form=form))
        response.status_code = 429
        return response

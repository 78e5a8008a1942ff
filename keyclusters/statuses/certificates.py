"""Certificates as HTML and PDF (WeasyPrint), with a QR code of their public verification URL."""

from __future__ import annotations

import segno
from django.conf import settings
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe

from .models import Certificate

DEFAULT_PUBLIC_URL = "http://localhost:8000"


def verification_url(certificate: Certificate, request: HttpRequest | None = None) -> str:
    """The absolute address of the certificate's public page (from the request, else from
    ``settings.KEYCLUSTERS_PUBLIC_URL``)."""
    path = reverse("statuses:certificate", kwargs={"code": certificate.code})
    if request is not None:
        return request.build_absolute_uri(path)
    base = getattr(settings, "KEYCLUSTERS_PUBLIC_URL", DEFAULT_PUBLIC_URL).rstrip("/")
    return f"{base}{path}"


def qr_svg(url: str, scale: int = 4) -> str:
    """The QR code of ``url`` as an inline ``<svg>`` element (no XML declaration)."""
    return segno.make(url, error="m").svg_inline(scale=scale, dark="#000", omitsize=False)


def certificate_context(certificate: Certificate, request: HttpRequest | None = None) -> dict:
    """What the PDF shows: the certificate, its issuer (``CERTIFICATE_ISSUER``), today's check
    (a status that expired or was withdrawn is said so, with the date) and the QR code."""
    from . import selectors, services

    url = verification_url(certificate, request)
    return {
        "certificate": certificate,
        "payload": certificate.payload,
        "issuer": services.certificate_issuer(),
        "check": services.certificate_check(certificate, today=selectors.today()),
        "verification_url": url,
        "qr_svg": mark_safe(qr_svg(url)),
    }


def certificate_html(certificate: Certificate, request: HttpRequest | None = None) -> str:
    return render_to_string(
        "statuses/certificate_pdf.html", certificate_context(certificate, request)
    )


def certificate_pdf(certificate: Certificate, request: HttpRequest | None = None) -> bytes:
    """The certificate as a PDF (A4, DejaVu fonts for the Polish letters)."""
    from weasyprint import HTML  # heavy; imported only when a PDF is made

    html = certificate_html(certificate, request)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()

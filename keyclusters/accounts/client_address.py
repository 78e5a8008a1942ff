"""The address of the client that sent a request, as far as it can be trusted.

Without ``TRUSTED_PROXY_HEADER`` it is the peer of the connection (``REMOTE_ADDR``): a header
that any client can write is never believed. Behind a reverse proxy, ``TRUSTED_PROXY_HEADER``
names the header the proxy sets (``X-Forwarded-For``, ``X-Real-IP``, …). A proxy appends the
address it saw to the right of ``X-Forwarded-For``, after whatever the client wrote itself, so
the client's address is the entry ``TRUSTED_PROXY_COUNT`` places from the right (1: one proxy).
With ``TRUSTED_PROXIES`` set, the header is read only on requests whose peer is one of those
addresses or networks. A header that is missing or holds no valid address falls back to the peer.

The log-in lockout (django-axes, ``AXES_CLIENT_IP_CALLABLE``) and the password reset limit
count per this address.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _meta_key(header: str) -> str:
    """``X-Forwarded-For`` (or ``HTTP_X_FORWARDED_FOR``) as a key of ``request.META``."""
    name = header.strip().upper().replace("-", "_")
    return name if name.startswith("HTTP_") or name == "REMOTE_ADDR" else f"HTTP_{name}"


def _address(value: str) -> str | None:
    """A normalised IP address from one entry of a header, else None.

    Accepts ``1.2.3.4``, ``1.2.3.4:5678``, ``2001:db8::1`` and ``[2001:db8::1]:5678``."""
    value = value.strip().strip('"')
    if value.startswith("["):
        value = value[1:].split("]", 1)[0]
    elif value.count(":") == 1:
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(p.strip(), strict=False) for p in proxies if p.strip())


def _from_trusted_proxy(peer: str | None) -> bool:
    proxies = tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ())
    if not proxies:
        return True
    if peer is None:
        return False
    address = ipaddress.ip_address(peer)
    return any(address in network for network in _networks(proxies))


def client_address(request: HttpRequest) -> str | None:
    """The client's address: from the trusted proxy's header when configured, else the peer."""
    peer = _address(request.META.get("REMOTE_ADDR", "") or "")
    header = getattr(settings, "TRUSTED_PROXY_HEADER", "")
    if not header or not _from_trusted_proxy(peer):
        return peer
    entries = [e for e in request.META.get(_meta_key(header), "").split(",") if e.strip()]
    count = max(int(getattr(settings, "TRUSTED_PROXY_COUNT", 1)), 1)
    if len(entries) < count:
        return peer
    return _address(entries[-count]) or peer

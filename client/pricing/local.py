"""Whether an endpoint is a model running on the user's own machine or network.

A local model costs nothing per token, so pricing needs to tell `http://localhost:11434` and
`http://192.168.1.20:8080/v1` apart from a paid remote API before it looks up any price.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

# Names that never resolve on the public internet (RFC 6761, RFC 6762, RFC 8375, ICANN's .internal).
_LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".lan", ".home.arpa")
_HOSTNAME = re.compile(r"[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*")


def is_local_url(base_url: str | None) -> bool:
    """True when `base_url` points at this machine or a private network.

    Loopback, private, link-local and unspecified addresses count, as do `localhost`, names ending
    in a local-only suffix, and single-label names (`gpu-box`), which only an intranet resolves.
    No base URL means the provider's default public endpoint: not local.
    """
    if not base_url or not base_url.strip():
        return False
    text = base_url.strip()
    if "://" not in text:
        text = "//" + text  # "localhost:8080/v1" has no scheme; urlsplit needs the // to see a host
    try:
        host = urlsplit(text).hostname
    except ValueError:
        return False
    if not host:
        return False
    host = host.rstrip(".").lower()
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        if not _HOSTNAME.fullmatch(host):
            return False  # not a host name at all: nothing we could call local
        return host == "localhost" or host.endswith(_LOCAL_SUFFIXES) or "." not in host
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return (
        address.is_loopback or address.is_private or address.is_link_local or address.is_unspecified
    )

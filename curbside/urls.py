"""Addresses of documents' own pages. Only absolute http(s) addresses are kept and linked:
a `javascript:` or `data:` address in an ingested record would otherwise run as script on the
pages that link to it."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator

_WEB_SCHEMES = frozenset({"http", "https"})
# Browsers drop tabs and line breaks anywhere in an address ("java\tscript:" is javascript:)
# and strip control characters and spaces from its ends; the address is checked as read so.
_DROPPED = str.maketrans("", "", "\t\n\r")
_EDGES = "".join(chr(code) for code in range(0x21))


def web_url(url: str | None) -> str | None:
    """The address as a browser reads it when it is absolute http(s) with a host; None for
    anything else (other schemes, relative or malformed addresses)."""
    if url is None:
        return None
    cleaned = url.translate(_DROPPED).strip(_EDGES)
    try:
        parts = urlsplit(cleaned)
    except ValueError:
        return None
    if parts.scheme.lower() not in _WEB_SCHEMES or not parts.netloc:
        return None
    return cleaned


# A model field holding such an address: any other value is dropped when the model is made,
# so it reaches neither the library, nor the JSON API, nor a rendered page.
WebUrl = Annotated[str | None, AfterValidator(web_url)]

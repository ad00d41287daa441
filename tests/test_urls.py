"""Only absolute http(s) addresses survive as document links."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from curbside.models import Document, Reference
from curbside.urls import web_url


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", " JavaScript:alert(1)", "java\tscript:alert(1)",
    "\x01javascript:alert(1)", "jav\nascript:alert(1)", "data:text/html,<script>x</script>",
    "vbscript:msgbox", "file:///etc/passwd", "//elsewhere.example/x", "/documents/x",
    "https:alert(1)", "http://", "https://[broken", "",
])
def test_other_addresses_are_refused(url: str) -> None:
    assert web_url(url) is None
    assert Document(id="t", source="test", title="Synthetic", sections=[], url=url).url is None
    assert Reference(n=1, id="t", title="Synthetic", kind="other", url=url).url is None


@pytest.mark.parametrize(("url", "kept"), [
    ("https://pubmed.ncbi.nlm.nih.gov/1/", "https://pubmed.ncbi.nlm.nih.gov/1/"),
    ("HTTP://example.org/a?b=c#d", "HTTP://example.org/a?b=c#d"),
    (" https://example.org/\n", "https://example.org/"),
])
def test_web_addresses_are_kept_as_a_browser_reads_them(url: str, kept: str) -> None:
    assert web_url(url) == kept


@given(st.text(max_size=40))
def test_whatever_is_kept_is_http(url: str) -> None:
    kept = web_url(url)
    assert kept is None or kept.lower().startswith(("http://", "https://"))

"""Ingest as a whole: deletions in update files, and streaming of baseline-sized files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from curbside.errors import UnknownDocumentError
from curbside.library.ingest import ingest_paths
from curbside.library.store import Library

SYNTHETIC = "<!-- synthetic records written for Curbside's tests; not real literature -->"


def _record(pmid: int, words: str) -> str:
    return (
        f"<PubmedArticle><MedlineCitation><PMID>{pmid}</PMID><Article><Journal><JournalIssue>"
        "<PubDate><Year>2021</Year></PubDate></JournalIssue><Title>Synthetic Journal</Title>"
        f"</Journal><ArticleTitle>Synthetic record {pmid}</ArticleTitle><Abstract><AbstractText>"
        f"{words}</AbstractText></Abstract></Article></MedlineCitation></PubmedArticle>"
    )


def _write(path: Path, body: str) -> Path:
    path.write_text(f"<?xml version='1.0'?>\n{SYNTHETIC}\n<PubmedArticleSet>{body}"
                    "</PubmedArticleSet>", encoding="utf-8")
    return path


def test_update_file_deletes_and_replaces(empty_library: Library, tmp_path: Path) -> None:
    baseline = _write(tmp_path / "base.xml", _record(1, "Synthetic first version text.")
                      + _record(2, "Synthetic second record text."))
    update = _write(tmp_path / "update.xml", _record(1, "Synthetic corrected version text.")
                    + "<DeleteCitation><PMID>2</PMID></DeleteCitation>")
    ingest_paths(empty_library, [baseline])
    report = ingest_paths(empty_library, [update])
    assert (report.counts.replaced, report.counts.deleted) == (1, 1)
    assert "corrected" in empty_library.get("pmid:1").sections[0].text
    with pytest.raises(UnknownDocumentError):
        empty_library.get("pmid:2")


# VmHWM is this process's own peak resident memory (ru_maxrss would carry the parent's).
_PEAK_RSS = (
    "import sys; from pathlib import Path; "
    "from curbside.library.formats.pubmed_xml import read_pubmed_xml; "
    "n = sum(1 for _ in read_pubmed_xml(Path(sys.argv[1]))); "
    "peak = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1]; "
    "print(n, peak)"
)


def _peak_kb(path: Path) -> tuple[int, int]:
    out = subprocess.run([sys.executable, "-c", _PEAK_RSS, str(path)], capture_output=True,
                         text=True, check=True).stdout.split()
    return int(out[0]), int(out[1])


def test_baseline_sized_file_is_streamed(tmp_path: Path) -> None:
    filler = "Synthetic sentence for a streaming test of the parser. " * 20
    small = _write(tmp_path / "small.xml", "".join(_record(i, filler) for i in range(1000)))
    big = _write(tmp_path / "big.xml", "".join(_record(i, filler) for i in range(30_000)))
    assert big.stat().st_size > 35_000_000
    small_count, small_peak = _peak_kb(small)
    big_count, big_peak = _peak_kb(big)
    assert (small_count, big_count) == (1000, 30_000)
    # Holding the file whole would add well over 35 MB of tree; streaming adds almost nothing.
    assert big_peak - small_peak < 15_000

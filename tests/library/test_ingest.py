"""Ingest as a whole: deletions in update files, streaming of baseline-sized files, folders,
damaged files and records, and the summary of a first build."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from curbside.errors import UnknownDocumentError
from curbside.library.formats import RecordProblem
from curbside.library.ingest import IngestProgress, IngestReport, _Batch, ingest_paths
from curbside.library.store import Library
from curbside.models import Document

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


# -- folders, damaged files and the summary (synthetic files written by the tests) ----------

def _stored(library: Library) -> set[str]:
    return {row[0] for row in library.connection.execute("SELECT id FROM documents")}


def _jsonl_rows(path: Path, ids: list[str], text: str = "Synthetic text for tests.") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps({"id": i, "title": f"Synthetic {i}", "text": text}) + "\n"
                            for i in ids), encoding="utf-8")
    return path


def _medquad_file(path: Path, number: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f'<?xml version="1.0"?><!-- synthetic record written for Curbside\'s tests -->'
        f'<Document id="{number}" source="GARD"><Focus>Synthetic condition {number}</Focus>'
        '<QAPairs><QAPair><Question qtype="information">What is it?</Question><Answer>A '
        'synthetic condition invented for tests.</Answer></QAPair></QAPairs></Document>',
        encoding="utf-8")
    return path


def test_a_folder_is_walked_and_each_file_read_by_its_format(
        empty_library: Library, tmp_path: Path) -> None:
    root = tmp_path / "docs"
    (root / "pubmed").mkdir(parents=True)
    _write(root / "pubmed" / "a.xml", _record(11, "Synthetic abstract text."))
    _jsonl_rows(root / "notes" / "deep" / "more.jsonl", ["j:1", "j:2"])
    for number in ("0001", "0002", "0003"):
        _medquad_file(root / "medquad" / f"{number}.xml", number)
    (root / "notes" / "readme.txt").write_text("synthetic notes, no format", encoding="utf-8")
    _jsonl_rows(root / ".hidden" / "skip.jsonl", ["hidden:1"])
    _jsonl_rows(root / "notes" / ".skip.jsonl", ["hidden:2"])
    (root / "~$guide.docx").write_bytes(b"\x00synthetic Word lock file")  # no problem line
    (root / "guide.md").write_text("# Synthetic guide\n\nA synthetic line for tests.\n",
                                   encoding="utf-8")
    (root / "guide.md.meta.json").write_text('{"issuer": "Synthetic test body"}',
                                             encoding="utf-8")
    states: list[IngestProgress] = []
    report = ingest_paths(empty_library, [root], on_progress=states.append)
    assert {"pmid:11", "j:1", "j:2", "medquad:GARD-0001", "medquad:GARD-0003"} <= _stored(
        empty_library)
    assert not {"hidden:1", "hidden:2"} & _stored(empty_library)
    [problem] = report.problems  # the text file, once; the sidecar is the guide's
    assert problem.where.endswith("readme.txt") and "unrecognised format" in problem.message
    assert report.files == 7 and states[-1].files_done == states[-1].files_total == 7
    assert states[-1].records == report.records == 7
    assert report.new_library and report.counts.added == 7


def test_a_damaged_file_keeps_what_was_read_and_the_files_after_it(
        empty_library: Library, tmp_path: Path) -> None:
    whole = gzip.compress(_jsonl_rows(tmp_path / "all.jsonl",
                                      [f"t:{i}" for i in range(3000)]).read_bytes())
    truncated = tmp_path / "truncated.jsonl.gz"
    truncated.write_bytes(whole[: len(whole) // 2])
    after = _jsonl_rows(tmp_path / "after.jsonl", ["after:1"])
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b'{"id": "bad:1", "title": "Synthetic \\ud800", "text": "t"}\n'
                    b'{"id": "bad:2", "title": "Synthetic", "text": "t", "year": 1e300}\n'
                    b'{"id": "good:3", "title": "Synthetic", "text": "t"}\n')
    report = ingest_paths(empty_library, [truncated, after, bad])
    stored = _stored(empty_library)
    assert report.counts.added == report.records > 1000
    assert {"after:1", "good:3"} <= stored and not {"bad:1", "bad:2"} & stored
    assert [p.where for p in report.problems] == [str(truncated), f"{bad}:1", f"{bad}:2"]


def test_a_record_the_library_refuses_is_found_and_the_batch_written(
        empty_library: Library) -> None:
    report = IngestReport()
    problems: list[RecordProblem] = []
    batch = _Batch(empty_library, report, problems.append)
    for number in range(9):  # a Document built in the test: readers never let one through
        year = 10**30 if number == 5 else 2020
        batch.documents.append((Document(id=f"t:{number}", source="test", year=year,
                                         title=f"Synthetic {number}", sections=[]), "file"))
    batch.flush()
    assert report.counts.added == 8
    [problem] = problems
    assert problem.where == "file record t:5" and "cannot store" in problem.message


def test_a_first_build_replaces_nothing(empty_library: Library, tmp_path: Path) -> None:
    first = _jsonl_rows(tmp_path / "a.jsonl", ["s:1", "s:2"])
    second = _jsonl_rows(tmp_path / "b.jsonl", ["s:2", "s:3"], text="Synthetic other copy.")
    copy = _jsonl_rows(tmp_path / "c.jsonl", ["s:3"], text="Synthetic other copy.")
    report = ingest_paths(empty_library, [first, second, copy])
    assert report.new_library
    assert (report.counts.added, report.counts.replaced, report.counts.unchanged) == (3, 0, 0)
    assert (report.merged, report.repeated) == (1, 1)
    changed = _jsonl_rows(tmp_path / "d.jsonl", ["s:1"], text="Synthetic corrected text.")
    again = ingest_paths(empty_library, [changed, first])
    assert not again.new_library
    # s:1 and s:2 (b.jsonl's copy) are replaced; s:1 again is a copy read earlier in the run.
    assert (again.counts.replaced, again.merged, again.counts.unchanged) == (2, 1, 0)


def test_cli_ingests_a_folder_with_one_progress_bar(tmp_path: Path) -> None:
    root = tmp_path / "docs"
    for number in range(30):
        _medquad_file(root / "sub" / f"{number:04d}.xml", f"{number:04d}")
    _jsonl_rows(root / "dup.jsonl", ["medquad:GARD-0001"])
    env = dict(os.environ, CURBSIDE_LIBRARY=str(tmp_path / "lib"))
    result = subprocess.run([sys.executable, "-m", "curbside.cli", "ingest", str(root)],
                            env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "Ingesting" in result.stderr and "31/31" in result.stderr
    assert result.stderr.count("Ingesting") == 1
    assert "31 records from 31 files into a new library" in result.stdout
    assert "30 added" in result.stdout and "replaced" not in result.stdout
    assert "1 repeated a document read earlier in this run (1 updating it)" in result.stdout

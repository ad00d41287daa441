"""The starter library: every document collection among the public data sets, ingested in an
order where the record with the richest metadata for a shared PMID is written last."""

from __future__ import annotations

from pathlib import Path

from curbside.library.formats.open_medicine import installed_guidelines

STARTER_SOURCES = [
    "pubmed-xml-samples/medsamp2012.xml.gz",
    "pubmed-xml-samples/pubmed-29768149.xml",
    "pubmed-xml-samples/biopython-tests/Entrez_pubmed1.xml",
    "pubmed-xml-samples/biopython-tests/Entrez_pubmed2.xml",
    "pubmed-xml-samples/biopython-tests/Entrez_pubmed4.xml",
    "pubmed-xml-samples/biopython-tests/Entrez_pubmed5.xml",
    "pubmed-xml-samples/biopython-tests/Entrez_pubmed6.xml",
    "pubmed-xml-samples/biopython-tests/Entrez_pubmed7.xml",
    "scifact/scifact-csv.zip",
    "medquad/MedQuAD-xml-all.tar.xz",
    "bioasq-12b-golden",
    # Last: PubMedQA carries MeSH terms and years that BioASQ's copy of a shared PMID lacks.
    "pubmedqa/ori_pqal.json",
]


def public_sources(data: Path) -> list[Path]:
    """The starter's public data sets present under the data folder."""
    return [data / name for name in STARTER_SOURCES if (data / name).exists()]


def starter_paths(data: Path) -> list[Path]:
    """The starter sources present under the data folder, then the society-guideline summaries
    of the installed open-medicine package."""
    paths = public_sources(data)
    guidelines = installed_guidelines()
    return [*paths, guidelines] if guidelines else paths

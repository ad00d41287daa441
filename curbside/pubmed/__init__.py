"""Live PubMed through NCBI E-utilities: search, and fetch records into the library.

Nothing here runs unless asked: `curbside pubmed search` and `curbside pubmed fetch` are
explicit requests, and an answer may fetch only when `CURBSIDE_PUBMED_ENABLED` allows it.
"""

from curbside.pubmed.client import ESEARCH_LIMIT, EUtils, PubMedError, SearchResult, Summary
from curbside.pubmed.fetch import (
    FetchProgress,
    FetchReport,
    fetch_pmids,
    fetch_records,
    require_opt_in,
    search_pubmed,
)

__all__ = [
    "ESEARCH_LIMIT",
    "EUtils",
    "FetchProgress",
    "FetchReport",
    "PubMedError",
    "SearchResult",
    "Summary",
    "fetch_pmids",
    "fetch_records",
    "require_opt_in",
    "search_pubmed",
]

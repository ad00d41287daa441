"""One typed settings tree, read from `CURBSIDE_*` environment variables."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_library_dir() -> Path:
    return Path(platformdirs.user_data_dir("curbside")) / "library"


def default_data_dir() -> Path:
    """`../shared/data` next to the working directory, else next to this checkout."""
    here = Path("../shared/data")
    if here.is_dir():
        return here.resolve()
    checkout = Path(__file__).resolve().parents[1]
    return (checkout / ".." / "shared" / "data").resolve()


RetrievalMode = Literal["lexical", "dense", "hybrid"]
RETRIEVAL_MODES: tuple[RetrievalMode, ...] = ("lexical", "dense", "hybrid")


class RetrievalSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CURBSIDE_RETRIEVAL_")

    passages: int = 60  # passages fetched per question before composing
    mode: RetrievalMode = "hybrid"
    # Weight of the dense cosine against the lexical score scaled to the query's best (1.0);
    # tuned on SciFact's training claims and BioASQ (see BENCHMARKS.md).
    dense_weight: float = 0.3
    candidates: int = 100  # passages each stage proposes before fusion
    # Reranking (curbside/library/rerank.py): the fused ranking's first `rerank_depth`
    # passages re-scored by a cross-encoder reading at most `rerank_max_tokens` of query and
    # passage; `rerank_weight` is the cross-encoder's share against the fused score (1.0: its
    # score alone), chosen on BioASQ 12b batch 1 (the shipped model's own training questions).
    # Off by default: no gain out of sample and ~0.8 s a query on 2 cores (BENCHMARKS.md).
    rerank: bool = False
    rerank_depth: int = Field(default=30, ge=1)
    rerank_weight: float = Field(default=0.25, ge=0.0, le=1.0)
    rerank_max_tokens: int = Field(default=128, ge=16, le=512)
    rerank_model: Path | None = None  # an ONNX cross-encoder; unset: the shipped model


class ComposerSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CURBSIDE_COMPOSER_")

    bottom_line_words: int = 120
    # One sentence: a second lowered agreement with expert answers (BioASQ 12b batches 1-3).
    bottom_line_sentences: int = 1
    items_per_section: int = 5
    # Share of the topic's rarity (IDF mass) a passage must cover to count as on topic.
    topic_coverage: float = 0.7
    topic_coverage_long: float = 0.45  # for topics of four words or more
    # The answer-sentence model (curbside/learned/answer_model.py): it reads the best
    # `answer_pool` sentences; a statement is shown only if its probability of answering the
    # question reaches `answer_floor`; `answer_weight` is its share in ranking. The floor and
    # the bottom-line weight were chosen on BioASQ 12b batch 2 (the model was fitted on batch
    # 1) by bench/tune_answer_selection.py and scored on batch 3 (BENCHMARKS.md); a weight on
    # the bottom line cost ROUGE there, so the lead model alone picks it.
    answer_model: bool = True
    # A guideline's line (one list item or table row) counts as half a sentence here: it is
    # short, and a guideline gives many of them.
    answer_pool: int = 32
    answer_floor: float = 0.1
    answer_weight: float = 1.0
    answer_lead_weight: float = 0.0  # its log-odds' weight in choosing the bottom line


class VerifierSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CURBSIDE_VERIFIER_")

    # The entailment model (curbside/learned/entailment_model.py) judges a statement in other
    # words than its sources by meaning; its probability must reach `entailment_floor` (fixed
    # at 0.5 before it was scored, not tuned). Off: the word checks and the cosine floor alone.
    entailment_model: bool = True
    entailment_floor: float = Field(default=0.5, ge=0.0, le=1.0)


class LLMSettings(BaseSettings):
    """An OpenAI-compatible endpoint for the LLM composer; unset, articles are extractive."""

    model_config = SettingsConfigDict(env_prefix="CURBSIDE_LLM_")

    url: str | None = None  # e.g. http://127.0.0.1:8080/v1
    model: str = "default"
    api_key: SecretStr | None = None
    timeout_seconds: float = 120.0
    retries: int = 2  # further attempts after a failed request (the openai client's backoff)
    # Rounds in which statements the verifier turned away go back to the model with the
    # reason; what still fails is left off the page and listed for reviewers.
    revisions: int = Field(default=1, ge=0, le=1)
    max_tokens: int = 1024
    max_passages: int = 12  # evidence passages the model is given
    # How the endpoint takes a JSON schema: "json_schema" (OpenAI, vLLM, Ollama, llama.cpp's
    # own server) or "json_object" with a "schema" (llama-cpp-python's server).
    structured_output: Literal["json_schema", "json_object"] = "json_schema"


class ReviewSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CURBSIDE_REVIEW_")

    approvals_required: int = 1
    show_approver_names: bool = True  # the board allows its members to be named on pages
    secure_cookies: bool = True  # session cookies only over HTTPS (and loopback)
    session_hours: int = 12
    # API tokens stop working this many days after they are issued (`curbside users token
    # --days` sets a shorter or longer life for one token); revoke one sooner with
    # `curbside users revoke`.
    token_days: float = Field(default=30.0, gt=0)
    queue_page_size: int = Field(default=50, ge=1, le=500)  # review-queue rows per page


class WebSettings(BaseSettings):
    """Limits of the web server: request sizes, sign-in throttling, composing workers."""

    model_config = SettingsConfigDict(env_prefix="CURBSIDE_WEB_")

    # Larger request bodies are refused (413) before the app reads them; questions, comments
    # and forms are far smaller.
    max_body_bytes: int = Field(default=1_000_000, ge=1024)
    # Failed sign-ins allowed in the window, per account name and per client address; beyond
    # them sign-in answers 429 with Retry-After until the oldest failure leaves the window.
    # The address limit also counts invalid API tokens.
    login_failures_per_account: int = Field(default=5, ge=1)
    login_failures_per_address: int = Field(default=20, ge=1)
    login_window_minutes: float = Field(default=15.0, gt=0)
    # Readers' answers are not saved for the board: they are kept, apart from it, so that the
    # reader can open, export and follow up what they got, for at most this many hours and
    # at most this many answers (the oldest go first; ~30 kB each).
    reader_answer_hours: float = Field(default=24.0, gt=0)
    reader_answers_kept: int = Field(default=1000, ge=1)
    # Articles are composed in this many worker processes, off the request threads (one core
    # is left to searches and page views), and at most `ask_queue` more asks per worker wait;
    # beyond that an ask answers 503 with Retry-After at once.
    ask_workers: int = Field(default_factory=lambda: max(1, (os.cpu_count() or 2) - 1), ge=1)
    ask_queue: int = Field(default=1, ge=0)


class PubMedSettings(BaseSettings):
    """NCBI E-utilities, for `curbside pubmed search` and `curbside pubmed fetch`."""

    model_config = SettingsConfigDict(env_prefix="CURBSIDE_PUBMED_")

    url: str = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"
    # With a key NCBI allows 10 requests a second instead of 3.
    api_key: SecretStr | None = None
    # NCBI asks every program to name itself and give a contact address, so that it can
    # write before it blocks one; the tool is always sent, the address when set.
    tool: str = "curbside"
    email: str | None = None
    # Whether Curbside may reach PubMed on its own while answering (`ask --fetch`, the web
    # option). Off: no answer ever makes a network call. The `curbside pubmed` commands are
    # explicit requests and do not need it.
    enabled: bool = False
    # Records an answer fetches at most (`ask --fetch` without --fetch-max, the web option).
    ask_records: int = Field(default=20, ge=1, le=200)
    batch_size: int = Field(default=200, ge=1, le=10_000)  # records per efetch request
    timeout_seconds: float = Field(default=60.0, gt=0)
    retries: int = Field(default=4, ge=0)  # further attempts after a 429, a 5xx or no answer
    backoff_seconds: float = Field(default=1.0, ge=0)  # doubled after each failed attempt
    # A Retry-After longer than this is not waited for: the fetch stops and says when to
    # try again.
    max_wait_seconds: float = Field(default=120.0, ge=0)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CURBSIDE_")

    library: Path = Field(default_factory=default_library_dir)
    data: Path = Field(default_factory=default_data_dir)
    max_question_chars: int = 2000
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    composer: ComposerSettings = Field(default_factory=ComposerSettings)
    verifier: VerifierSettings = Field(default_factory=VerifierSettings)
    review: ReviewSettings = Field(default_factory=ReviewSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    web: WebSettings = Field(default_factory=WebSettings)
    pubmed: PubMedSettings = Field(default_factory=PubMedSettings)
    # Where the board's work lives (articles, versions, reviews, accounts, sessions, the audit
    # log): unset, the library's own SQLite file; a postgresql:// URL, that PostgreSQL
    # database, shared by every server process and host that names it.
    database_url: SecretStr | None = None

    @field_validator("database_url")
    @classmethod
    def _postgresql_only(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith(
                ("postgresql://", "postgres://")):
            raise ValueError("CURBSIDE_DATABASE_URL must be a postgresql:// URL (e.g. "
                             "postgresql://curbside@db.example/curbside); leave it unset to "
                             "keep the board's work in the library's SQLite file")
        return value

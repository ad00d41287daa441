"""The `curbside` command: ingest, search, ask, show, eval."""

from __future__ import annotations

import contextlib
import getpass
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from curbside.answer.ask import answer_question
from curbside.answer.fetching import answer_with_fetch, require_fetching
from curbside.answer.verify import verify_lines
from curbside.editorial import audit
from curbside.editorial.accounts import Accounts, Action, User
from curbside.editorial.living import recheck_approved
from curbside.editorial.review import Board
from curbside.editorial.store import ArticleStore
from curbside.errors import CurbsideError
from curbside.eval import answers as answers_eval
from curbside.eval import must_have as must_have_eval
from curbside.eval import retrieval as retrieval_eval
from curbside.library.formats import RecordProblem
from curbside.library.ingest import IngestProgress, IngestReport, ingest_paths
from curbside.library.search import query_terms, search_passages
from curbside.library.starter import public_sources, starter_paths
from curbside.library.store import Library
from curbside.models import Article, Audience
from curbside.pubmed import (
    ESEARCH_LIMIT,
    FetchProgress,
    FetchReport,
    fetch_pmids,
    fetch_records,
    search_pubmed,
)
from curbside.render.html import render_html
from curbside.render.markdown import render_markdown
from curbside.settings import Settings
from curbside.store.connect import migrate, open_editorial
from curbside.store.editorial import EditorialStore
from curbside.text import printable

app = typer.Typer(
    help="Curbside: cited clinical answer articles from your own medical library.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
eval_app = typer.Typer(help="Measure retrieval against judged data sets.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")
users_app = typer.Typer(help="Accounts of editors, reviewers and admins.", no_args_is_help=True)
app.add_typer(users_app, name="users")
review_app = typer.Typer(help="The medical advisory board's review workflow.",
                         no_args_is_help=True)
app.add_typer(review_app, name="review")
audit_app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")


class _PrintableConsole(Console):
    """A console that prints no terminal escape sequence or control character found in the
    text it is given (titles, passages and messages from input files); its own styles still
    apply."""

    def render_str(self, text: str, **options: Any) -> Text:
        return super().render_str(printable(text), **options)


out = _PrintableConsole()
err = _PrintableConsole(stderr=True)

LibraryOption = Annotated[
    Path | None,
    typer.Option("--library", envvar="CURBSIDE_LIBRARY", help="Library folder.",
                 show_default="a per-user data folder"),
]
MAX_PROBLEMS_SHOWN = 20


def _settings(library: Path | None) -> Settings:
    settings = Settings()
    if library is not None:
        settings = settings.model_copy(update={"library": library})
    return settings


def _fail(error: CurbsideError) -> typer.Exit:
    err.print(f"[red]error:[/red] {escape(str(error))}", highlight=False, soft_wrap=True)
    return typer.Exit(1)


class _SkippedPrinter:
    """Says each skipped record on stderr, the first MAX_PROBLEMS_SHOWN of them, and how many
    more there were once the work is done."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, problem: RecordProblem) -> None:
        self.count += 1
        if self.count <= MAX_PROBLEMS_SHOWN:
            err.print(f"[yellow]skipped[/yellow] {escape(problem.where)}: "
                      f"{escape(problem.message)}", highlight=False, soft_wrap=True)

    def say_the_rest(self) -> None:
        if self.count > MAX_PROBLEMS_SHOWN:
            err.print(f"… and {self.count - MAX_PROBLEMS_SHOWN:,} more skipped.")


def _ingest_with_progress(library: Library, paths: list[Path]) -> IngestReport:
    on_problem = _SkippedPrinter()

    # One bar for the whole ingest (files done of all files, records so far): a task per file
    # would redraw every task on each update, which is slow with thousands of files.
    with Progress(
        SpinnerColumn(), TextColumn("[bold]Ingesting"), BarColumn(),
        MofNCompleteColumn(), TextColumn("files, {task.fields[records]:,} records"),
        TimeElapsedColumn(), TextColumn("{task.fields[current]}", markup=False),
        console=err, transient=False,
    ) as progress:
        task = progress.add_task("ingest", total=None, records=0, current="")

        def on_progress(state: IngestProgress) -> None:
            progress.update(task, total=state.files_total, completed=state.files_done,
                            records=state.records,
                            current=state.path.name if state.path is not None else "")

        report = ingest_paths(library, paths, on_progress, on_problem)
    on_problem.say_the_rest()
    return report


def _print_report(report: IngestReport) -> None:
    c = report.counts
    parts = [f"{c.added:,} added"]
    if c.replaced:
        parts.append(f"{c.replaced:,} replaced")
    if c.unchanged or not report.new_library:
        parts.append(f"{c.unchanged:,} unchanged")
    if c.deleted:
        parts.append(f"{c.deleted:,} deleted")
    if report.merged or report.repeated:
        # A paper in two data sets: not a replacement of anything the library held before.
        parts.append(f"{report.merged + report.repeated:,} repeated a document read earlier "
                     f"in this run ({report.merged:,} updating it)")
    parts.append(f"{len(report.problems):,} skipped")
    files = f"{report.files:,} file{'s' if report.files != 1 else ''}"
    into = " into a new library" if report.new_library else ""
    out.print(
        f"Ingested {report.records:,} records from {files}{into} in {report.seconds:.1f} s "
        f"({report.records_per_second:,.0f}/s): " + ", ".join(parts) + ".",
        highlight=False, soft_wrap=True,  # one line, for scripts that read it
    )


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(
        help="Files or folders; each file's format is detected, and a folder that is not a "
             "BEIR or BioASQ folder is walked recursively (hidden files skipped).")],
    library: LibraryOption = None,
) -> None:
    """Add documents to the library (MEDLINE/PubMed XML, BEIR, PubMedQA, BioASQ, MedQuAD,
    SciFact, JSONL, Markdown guidelines), from files or whole folders. Running it again on the
    same files changes nothing; a bad record or file is reported and skipped."""
    settings = _settings(library)
    try:
        with Library(settings.library, create=True) as lib:
            report = _ingest_with_progress(lib, paths)
    except CurbsideError as error:
        raise _fail(error) from None
    _print_report(report)
    _recheck_living_articles(settings)
    if report.problems and report.records == 0:
        raise typer.Exit(1)


def _editorial(lib: Library, settings: Settings) -> EditorialStore:
    """The editorial store, its schema brought up to date first (the migration step of every
    command that uses the board)."""
    store = open_editorial(settings, lib)
    migrate(store)
    return store


def _recheck_living_articles(settings: Settings) -> None:
    """After an ingest, approved articles that new evidence would change get a new draft."""
    with Library(settings.library) as lib:
        flags = recheck_approved(lib, _editorial(lib, settings), settings)
    for flag in flags:
        out.print(f"Article {flag.article_id}: version {flag.version} drafted for review "
                  f"({flag.reason}).", highlight=False)


@app.command()
def starter(
    library: LibraryOption = None,
    data: Annotated[Path | None, typer.Option(envvar="CURBSIDE_DATA",
                                              help="Folder of the public data sets.")] = None,
) -> None:
    """Build the starter library from the public data sets (PubMed samples, SciFact, MedQuAD,
    BioASQ, PubMedQA)."""
    settings = _settings(library)
    folder = data or settings.data
    # The packaged guideline summaries alone are no starter library: a folder without the
    # public data sets is a mistake to name, not a library of 145 documents to build.
    if not public_sources(folder):
        raise _fail(CurbsideError(
            f"No data sets found under {folder}. Set CURBSIDE_DATA or --data to the folder "
            "that holds pubmedqa/, scifact/, medquad/ …"))
    paths = starter_paths(folder)
    try:
        with Library(settings.library, create=True) as lib:
            report = _ingest_with_progress(lib, paths)
            stats = lib.stats()
    except CurbsideError as error:
        raise _fail(error) from None
    _print_report(report)
    _recheck_living_articles(settings)
    out.print(f"Library {settings.library}: " + ", ".join(f"{v:,} {k}" for k, v in stats.items()),
              highlight=False)


@app.command()
def search(
    query: str,
    k: Annotated[int, typer.Option("-k", help="Number of passages.", min=1, max=1000)] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object a line.")] = False,
    library: LibraryOption = None,
) -> None:
    """Ranked passages for a query."""
    settings = _settings(library)
    terms = query_terms(query)
    if not terms:
        raise _fail(CurbsideError("The query has no words to search for; type some words."))
    try:
        with Library(settings.library) as lib:
            hits = search_passages(lib, terms, k, settings.retrieval, query=query)
    except CurbsideError as error:
        raise _fail(error) from None
    if as_json:
        for hit in hits:
            sys.stdout.write(json.dumps({
                "doc_id": hit.passage.doc_id, "title": hit.title, "score": round(hit.score, 4),
                "section": hit.passage.section, "ordinal": hit.passage.ordinal,
                "text": hit.passage.text}) + "\n")
        return
    if not hits:
        out.print("No passages match.")
        return
    table = Table("rank", "score", "document", "title / passage", show_lines=True)
    for rank, hit in enumerate(hits, 1):
        table.add_row(str(rank), f"{hit.score:.2f}", hit.passage.doc_id,
                      f"[bold]{hit.title}[/bold]\n{hit.passage.text[:300]}")
    out.print(table)


Format = Literal["markdown", "json", "html"]


def _render(article: Article, fmt: Format) -> str:
    if fmt == "json":
        return article.model_dump_json(indent=2) + "\n"  # control characters are escaped
    if fmt == "html":
        return printable(render_html(article))
    return printable(render_markdown(article))


@app.command()
def ask(
    question: Annotated[str | None, typer.Argument(help="The clinical question.")] = None,
    fmt: Annotated[Format, typer.Option("--format", help="markdown, json or html.")] = "markdown",
    audience: Annotated[Audience, typer.Option(help="clinician or patient.")] = "clinician",
    batch: Annotated[Path | None, typer.Option(
        help='JSONL of {"id", "text"} questions; writes one JSON article a line.')] = None,
    save: Annotated[bool, typer.Option(
        help="Submit the article for the advisory board to review (an editor's action: "
             "needs --user, an editor or admin).")] = False,
    user: Annotated[str | None, typer.Option(
        "--user", help="With --save: your account name (password from CURBSIDE_PASSWORD "
                       "or a prompt).")] = None,
    fetch: Annotated[bool, typer.Option(
        "--fetch", help="When the library lacks evidence, fetch the question's best PubMed "
                        "records, ingest them and answer again (needs "
                        "CURBSIDE_PUBMED_ENABLED=true; the article says what was "
                        "fetched).")] = False,
    fetch_max: Annotated[int | None, typer.Option(
        "--fetch-max", min=1, max=200, help="With --fetch: records to fetch at most.",
        show_default="CURBSIDE_PUBMED_ASK_RECORDS, 20")] = None,
    library: LibraryOption = None,
) -> None:
    """Answer a clinical question with a cited article (nothing is stored without --save)."""
    settings = _settings(library)
    if (question is None) == (batch is None):
        raise _fail(CurbsideError("Give either a QUESTION or --batch FILE (not both)."))
    if fetch_max is not None and not fetch:
        raise _fail(CurbsideError("--fetch-max applies to --fetch: add --fetch, or leave "
                                  "--fetch-max out."))
    if fetch and batch is not None:
        raise _fail(CurbsideError("--fetch answers one QUESTION at a time, not --batch: a "
                                  "batch never reaches the network."))
    if fetch:
        try:
            # Refused before anything is composed or sent: the setting is the site's consent.
            require_fetching(settings)
        except CurbsideError as error:
            raise _fail(error) from None
    if save and (user is None or batch is not None):
        raise _fail(CurbsideError(
            "Submitting for review is an editor's action: give --user NAME (an editor or "
            "admin) with --save, for one QUESTION (not --batch)."))
    try:
        with Library(settings.library) as lib:
            if batch is not None:
                _ask_batch(lib, batch, audience, settings)
                return
            assert question is not None
            editor = None
            if save:
                assert user is not None
                db = _editorial(lib, settings)
                store = ArticleStore(db, settings.review.show_approver_names)
                # Checked before the answer is composed, which takes a while.
                editor = Accounts(db).authenticate(user, _password())
                editor.require(Action.SUBMIT)
            if fetch:
                article = answer_with_fetch(lib, question, audience, settings, fetch_max)
                _tell_fetched(article)
            else:
                article = answer_question(lib, question, audience, settings)
            if editor is not None:
                article = store.save(article, actor=editor.name, action="submit")
                err.print(f"Submitted as {article.id}; it waits in the review queue.",
                          highlight=False)
    except CurbsideError as error:
        raise _fail(error) from None
    if article.fetched and article.fetched.pmids:
        _recheck_living_articles(settings)  # new records, as after `curbside pubmed fetch`
    sys.stdout.write(_render(article, fmt))


def _tell_fetched(article: Article) -> None:
    """On stderr, what --fetch did (the article itself records it)."""
    note = article.fetched
    if note is None:
        err.print("The library holds evidence for this question: nothing was fetched from "
                  "PubMed.", highlight=False, soft_wrap=True, markup=False)
    elif note.error:
        err.print(f"warning: fetching from PubMed failed: {note.error}", highlight=False,
                  soft_wrap=True, markup=False)
    else:
        err.print(note.summary(), highlight=False, soft_wrap=True, markup=False)


def _ask_batch(lib: Library, batch: Path, audience: Audience, settings: Settings) -> None:
    try:
        lines = batch.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise CurbsideError(f"Cannot read {batch}: {error}") from error
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        qid: object = None
        try:
            row = json.loads(line)
            qid = row["id"]
            question = str(row["text"])
        except (ValueError, KeyError, TypeError) as error:
            _batch_problem(batch, number, qid,
                           f"line {number} is not a JSON object with `id` and `text` ({error})")
            continue
        try:
            article = answer_question(lib, question, audience, settings)
        except CurbsideError as error:
            _batch_problem(batch, number, qid, str(error))
            continue
        except Exception as error:
            # One question's failure must not lose the articles of the rest of the batch.
            _batch_problem(batch, number, qid,
                           "no article could be composed for this question "
                           f"({type(error).__name__}: {error}); this is a fault in Curbside, "
                           "not in the question: please report it with the question")
            continue
        article.id = str(qid)
        sys.stdout.write(article.model_dump_json() + "\n")


def _batch_problem(batch: Path, number: int, qid: object, message: str) -> None:
    """One line of the batch that gave no article: said on stdout (its id and why) and on
    stderr (where in the file)."""
    sys.stdout.write(json.dumps({"id": qid, "error": message}) + "\n")
    err.print(f"[yellow]{batch}:{number}[/yellow] {message}", highlight=False)


@app.command()
def verify(
    statements: Annotated[Path, typer.Argument(
        help='JSONL, one {"id", "text", "cites": [document ids]} a line; - for stdin.')],
    library: LibraryOption = None,
) -> None:
    """Check statements against the library documents they cite; writes one
    {"id", "supported", "reason"} a line to stdout."""
    settings = _settings(library)
    problems = 0
    try:
        with Library(settings.library) as lib, (
            contextlib.nullcontext(sys.stdin) if str(statements) == "-"
            else statements.open(encoding="utf-8")
        ) as stream:
            # One verdict a line as it is made, so a long file streams.
            for _number, result, problem in verify_lines(stream, lib, settings.verifier):
                if problem:
                    problems += 1
                    err.print(f"[red]error:[/red] {escape(problem)}", highlight=False,
                              soft_wrap=True)
                else:
                    sys.stdout.write(json.dumps(result) + "\n")
    except OSError as error:
        raise _fail(CurbsideError(f"Cannot read {statements}: {error.strerror}.")) from None
    except CurbsideError as error:
        raise _fail(error) from None
    if problems:
        err.print(f"{problems} line(s) could not be checked; the others were.")
        raise typer.Exit(1)


@app.command()
def show(
    doc_id: str,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    library: LibraryOption = None,
) -> None:
    """Print a stored document."""
    settings = _settings(library)
    try:
        with Library(settings.library) as lib:
            document = lib.get(doc_id)
    except CurbsideError as error:
        raise _fail(error) from None
    if as_json:
        sys.stdout.write(document.model_dump_json(indent=2) + "\n")
        return
    out.print(f"[bold]{document.title}[/bold]", highlight=False)
    meta = [document.id, document.journal, str(document.year) if document.year else None,
            ", ".join(document.publication_types) or None, document.url]
    out.print(" · ".join(m for m in meta if m), highlight=False)
    for section in document.sections:
        out.print()
        if section.label:
            out.print(f"[bold]{section.label}[/bold]", highlight=False)
        out.print(section.text, highlight=False)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    library: LibraryOption = None,
    ask_workers: Annotated[int | None, typer.Option(
        min=1, help="Processes that compose articles (default: one fewer than the cores, "
                    "at least one; or CURBSIDE_WEB_ASK_WORKERS).")] = None,
    workers: Annotated[int, typer.Option(
        min=1, help="Server processes: several need the shared PostgreSQL store "
                    "(CURBSIDE_DATABASE_URL); 1 on the embedded SQLite store.")] = 1,
) -> None:
    """Serve the web pages and the JSON API (OpenAPI description at /openapi.json)."""
    import uvicorn

    from curbside.web.app import create_app

    settings = _settings(library)
    if ask_workers is not None:
        settings = settings.model_copy(update={
            "web": settings.web.model_copy(update={"ask_workers": ask_workers})})
    if workers > 1 and settings.database_url is None:
        raise _fail(CurbsideError(
            f"--workers {workers}: several server processes need a shared server database, "
            "and this library is the embedded SQLite store, where each process would keep its "
            "own sign-in throttle and write the audit head on its own. Serve with one process: "
            "it answers searches and pages itself and composes articles in "
            f"{settings.web.ask_workers} worker process(es) (--ask-workers N); or set "
            "CURBSIDE_DATABASE_URL=postgresql://… to share a PostgreSQL database between "
            "server processes."))
    if workers == 1:
        try:
            web_app = create_app(settings)
        except CurbsideError as error:
            raise _fail(error) from None
        uvicorn.run(web_app, host=host, port=port, log_level="info")
        return
    try:
        # The library and the shared store are checked, and migrated, once, before any
        # process serves.
        with Library(settings.library) as lib:
            _editorial(lib, settings)
    except CurbsideError as error:
        raise _fail(error) from None
    # Each server process builds its app anew from the environment: pass on what the
    # command line chose.
    os.environ["CURBSIDE_LIBRARY"] = str(settings.library)
    os.environ["CURBSIDE_WEB_ASK_WORKERS"] = str(settings.web.ask_workers)
    uvicorn.run("curbside.web.app:create_app", factory=True, workers=workers, host=host,
                port=port, log_level="info")


UserOption = Annotated[str, typer.Option("--user", help="Your account name.")]
RoleChoice = Literal["editor", "reviewer", "admin"]


def _password(prompt: str = "Password") -> str:
    """From CURBSIDE_PASSWORD (for scripts), else asked for without echo."""
    value = os.environ.get("CURBSIDE_PASSWORD")
    if value is None:
        try:
            value = str(typer.prompt(prompt, hide_input=True))
        except typer.Abort:
            if sys.stdin.isatty():
                raise  # the user stopped at the prompt
            raise CurbsideError(
                "No password: there is no terminal to ask for it on. Set CURBSIDE_PASSWORD to "
                "the account's password (for scripts), or run the command in a terminal."
            ) from None
    return value


@users_app.command("add")
def users_add(name: str, role: Annotated[RoleChoice, typer.Option()],
              library: LibraryOption = None) -> None:
    """Create an account (password from CURBSIDE_PASSWORD or a prompt)."""
    settings = _settings(library)
    try:
        with Library(settings.library) as lib:
            user = Accounts(_editorial(lib, settings)).add(name, role, _password(),
                                                           actor=_operator())
    except CurbsideError as error:
        raise _fail(error) from None
    out.print(f"Added {user.name} ({user.role}).")


def _operator() -> str:
    """Who ran an account command, for the audit log: they hold the library's files, not an
    account."""
    try:
        return f"cli:{getpass.getuser()}"
    except (OSError, KeyError):
        return "cli"


@users_app.command("list")
def users_list(library: LibraryOption = None) -> None:
    """Accounts and their roles."""
    settings = _settings(library)
    try:
        with Library(settings.library) as lib:
            users = Accounts(_editorial(lib, settings)).list()
    except CurbsideError as error:  # a library that cannot open, an unreachable database
        raise _fail(error) from None
    for user in users:
        out.print(f"{user.name}\t{user.role}", highlight=False)


@users_app.command("token")
def users_token(name: str, days: Annotated[float | None, typer.Option(
        help="Days until it expires.", show_default="CURBSIDE_REVIEW_TOKEN_DAYS, 30")] = None,
        library: LibraryOption = None) -> None:
    """Issue an API token (shown once; stored only as a hash; it expires)."""
    settings = _settings(library)
    try:
        with Library(settings.library) as lib:
            accounts = Accounts(_editorial(lib, settings))
            accounts.authenticate(name, _password())
            token = accounts.issue_token(name, days or settings.review.token_days)
            info = accounts.tokens(name)[-1]
    except CurbsideError as error:
        raise _fail(error) from None
    sys.stdout.write(token + "\n")
    err.print(f"Token {info.id} for {name}, valid until {info.expires_at}; revoke it with "
              f"`curbside users revoke {name} --token {info.id}`.", highlight=False)


@users_app.command("tokens")
def users_tokens(name: Annotated[str | None, typer.Argument(help="One account.")] = None,
                 library: LibraryOption = None) -> None:
    """API tokens issued: id, account, issued, expires, state (never the tokens)."""
    settings = _settings(library)
    try:
        with Library(settings.library) as lib:
            tokens = Accounts(_editorial(lib, settings)).tokens(name)
    except CurbsideError as error:
        raise _fail(error) from None
    for t in tokens:
        out.print(f"{t.id}\t{t.user}\t{t.created_at}\t{t.expires_at}\t{t.state}",
                  highlight=False)


@users_app.command("revoke")
def users_revoke(name: str, token: Annotated[str | None, typer.Option(
        "--token", help="The token id `curbside users tokens` shows; without it, all of the "
                        "account's live tokens.")] = None,
        library: LibraryOption = None) -> None:
    """Revoke API tokens at once (audited)."""
    settings = _settings(library)
    try:
        with Library(settings.library) as lib:
            ids = Accounts(_editorial(lib, settings)).revoke(_operator(), name, token_id=token)
    except CurbsideError as error:
        raise _fail(error) from None
    out.print(f"Revoked {len(ids)} token{'s' if len(ids) != 1 else ''} of {name}: "
              + ", ".join(ids), highlight=False)


def _board_action(library: Path | None, user_name: str,
                  act: Callable[[Board, User], str]) -> None:
    settings = _settings(library)
    try:
        with Library(settings.library) as lib:
            db = _editorial(lib, settings)
            store = ArticleStore(db, settings.review.show_approver_names)
            user = Accounts(db).authenticate(user_name, _password())
            message = act(Board(store, settings.review), user)
    except CurbsideError as error:
        raise _fail(error) from None
    out.print(message, highlight=False)


@review_app.command("queue")
def review_queue(user: UserOption, page: Annotated[int, typer.Option(
        min=1, help="Page, 1 for the oldest.")] = 1, library: LibraryOption = None) -> None:
    """Articles waiting for review, oldest first, a page at a time."""
    size = _settings(library).review.queue_page_size

    def act(board: Board, who: User) -> str:
        who.require(Action.VIEW_QUEUE)
        total = board.store.queue_size()
        if not total:
            return "The review queue is empty."
        pages = -(-total // size)
        shown = min(page, pages)
        rows = board.store.queue(size, (shown - 1) * size)
        more = f"; next: --page {shown + 1}" if shown < pages else ""
        return "\n".join(
            f"{r.id}\t{r.status}{' (' + r.claimed_by + ')' if r.claimed_by else ''}\t"
            f"{r.question}{'  [' + r.new_evidence + ']' if r.new_evidence else ''}"
            for r in rows) + f"\n{total} waiting; page {shown} of {pages}{more}."
    _board_action(library, user, act)


@review_app.command("release")
def review_release(article_id: str, user: UserOption, library: LibraryOption = None) -> None:
    """Give up your claim (admins: anyone's), so another reviewer can take the article."""
    def act(board: Board, who: User) -> str:
        board.release(who, article_id)
        return f"{article_id} is no longer claimed."
    _board_action(library, user, act)


@review_app.command("claim")
def review_claim(article_id: str, user: UserOption, library: LibraryOption = None) -> None:
    """Take a submitted article for review."""
    def act(board: Board, who: User) -> str:
        board.claim(who, article_id)
        return f"{who.name} is reviewing {article_id}."
    _board_action(library, user, act)


@review_app.command("approve")
def review_approve(article_id: str, user: UserOption, comment: str = "",
                   library: LibraryOption = None) -> None:
    """Approve the version under review."""
    def act(board: Board, who: User) -> str:
        done = board.approve(who, article_id, comment)
        return f"{article_id} approved." if done else \
            f"Approval recorded; {article_id} needs more approvals."
    _board_action(library, user, act)


@review_app.command("request-changes")
def review_request_changes(
    article_id: str, user: UserOption,
    comment: Annotated[str, typer.Option(help="What should change.")],
    statement: Annotated[int | None, typer.Option(help="Statement number it is about.")] = None,
    library: LibraryOption = None,
) -> None:
    """Send the version under review back to the editors."""
    def act(board: Board, who: User) -> str:
        board.request_changes(who, article_id, comment, statement)
        return f"Changes requested on {article_id}."
    _board_action(library, user, act)


@review_app.command("retire")
def review_retire(article_id: str, user: UserOption,
                  reason: Annotated[str, typer.Option()], library: LibraryOption = None) -> None:
    """Hide an article from readers, with a reason (admins)."""
    def act(board: Board, who: User) -> str:
        board.retire(who, article_id, reason)
        return f"{article_id} retired."
    _board_action(library, user, act)


@audit_app.command("anchor")
def audit_anchor(library: LibraryOption = None) -> None:
    """Record the table's newest entry as the head, after a deliberate restore from a backup
    (audited: the entry names the head it replaced)."""
    settings = _settings(library)
    try:
        with Library(settings.library) as lib:
            db = _editorial(lib, settings)
            intact, message = audit.verify(db)
            path = audit.head_path(db)
            try:
                old = audit.read_head(path) if path else None
            except ValueError:
                old = None
            with audit.transaction(db, audited=False):
                audit.append(db, _operator(), "re-anchor", detail={
                    "replaced_head": {"seq": old.seq, "hash": old.hash} if old else None,
                    "verify_before": message})
            head = audit.anchor(db, force=True)
    except CurbsideError as error:
        raise _fail(error) from None
    out.print(f"Audit head recorded: entry {head.seq if head else 0}"
              f"{'' if intact else ' (the log did not verify before: ' + message + ')'}.",
              highlight=False)


@audit_app.command("verify")
def audit_verify(library: LibraryOption = None) -> None:
    """Check that no audit entry was changed or removed, the newest included, and that the
    append-only triggers are in place."""
    settings = _settings(library)
    try:
        with Library(settings.library) as lib:
            intact, message = audit.verify(_editorial(lib, settings))
    except CurbsideError as error:
        raise _fail(error) from None
    out.print(message, highlight=False)
    if not intact:
        raise typer.Exit(1)


@eval_app.command("retrieval")
def eval_retrieval(
    folder: Annotated[Path, typer.Argument(help="BEIR folder: corpus.jsonl, queries.jsonl, "
                                                "qrels/test.tsv.")],
    run: Annotated[Path | None, typer.Option(help="Write a TREC run file here.")] = None,
    split: Annotated[str, typer.Option(help="qrels split name.")] = "test",
    mode: Annotated[str, typer.Option(
        help="all, or one of: lexical, dense, hybrid, reranked.")] = "all",
    appraised: Annotated[bool, typer.Option(
        help="Also rank by evidence strength and recency, as answers do.")] = False,
    limit: Annotated[int | None, typer.Option(
        min=1, help="Only the first N queries.")] = None,
) -> None:
    """nDCG@10, Recall@100 and MRR@10 of Curbside's search on a BEIR data set: lexical
    (BM25), dense, hybrid and hybrid reranked by the cross-encoder, each over the same library
    and queries."""
    settings = Settings()
    modes = list(retrieval_eval.EVAL_MODES) if mode == "all" else [mode]
    table = Table("data set", "mode", "queries", "nDCG@10", "Recall@100", "MRR@10")
    for name in modes:
        try:
            chosen = retrieval_eval.settings_for_mode(settings, name)
            result = retrieval_eval.evaluate_beir(
                folder, chosen, split=split, progress=err, appraised=appraised, limit=limit,
                run_path=run if name == settings.retrieval.mode or len(modes) == 1 else None)
        except CurbsideError as error:
            raise _fail(error) from None
        table.add_row(folder.name, name, str(result.queries), f"{result.ndcg_10:.4f}",
                      f"{result.recall_100:.4f}", f"{result.mrr_10:.4f}")
    out.print(table)


@eval_app.command("answers")
def eval_answers(
    folder: Annotated[Path, typer.Argument(help="BioASQ golden files, or queries.jsonl + "
                                                "answers.jsonl.")],
    limit: Annotated[int | None, typer.Option(help="Only the first N questions.")] = None,
    library: LibraryOption = None,
) -> None:
    """ROUGE-2 / ROUGE-SU4 of article bottom lines against ideal answers, with traceability,
    answered share and length, for Curbside and the first-two-sentences-of-top-hit peer."""
    settings = _settings(library)
    try:
        questions = answers_eval.read_judged_questions(folder)[:limit]
        with Library(settings.library) as lib:
            result = answers_eval.evaluate_answers(lib, questions, settings)
    except CurbsideError as error:
        raise _fail(error) from None
    table = Table("system", "questions", "ROUGE-2", "ROUGE-SU4", "traceable", "answered",
                  "median words", "lead precision", "section precision")
    for name, row in result.items():
        table.add_row(name.replace(":", " · "), f"{row['count']:.0f}", f"{row['rouge2']:.4f}",
                      f"{row['su4']:.4f}", f"{row['traceable']:.1%}", f"{row['answered']:.1%}",
                      f"{row['median_words']:.0f}", f"{row['lead_precision']:.1%}",
                      f"{row['section_precision']:.1%}")
    out.print(f"{len(questions)} questions from {folder}")
    out.print(table)
    ratio = result["curbside"]["su4"] / result["peer"]["su4"] if result["peer"]["su4"] else 0
    out.print(f"ROUGE-SU4 ratio Curbside / peer: {ratio:.2f}×")


@eval_app.command("must-have")
def eval_must_have(
    path: Annotated[Path, typer.Argument(help="K-QA questions_w_answers.jsonl.")],
    audience: Annotated[Audience, typer.Option(help="clinician or patient.")] = "patient",
    limit: Annotated[int | None, typer.Option(help="Only the first N questions.")] = None,
    library: LibraryOption = None,
) -> None:
    """Share of the physicians' must-have statements (K-QA) whose key words and numbers an
    article states, for Curbside and the first-two-sentences-of-top-hit peer."""
    settings = _settings(library)
    try:
        questions = must_have_eval.read_must_have(path)[:limit]
        with Library(settings.library) as lib:
            result = must_have_eval.evaluate_must_have(lib, questions, settings, audience)
    except CurbsideError as error:
        raise _fail(error) from None
    table = Table("system", "questions", "must-have covered", "answered")
    for name, row in result.items():
        table.add_row(name, f"{row['questions']:.0f}", f"{row['must_have_covered']:.1%}",
                      f"{row['answered']:.1%}")
    out.print(table)


def _write_beir(
    write: Callable[[Path, Path], int], data: Path | None, out_folder: Path, what: str
) -> None:
    try:
        count = write(data or Settings().data, out_folder)
    except CurbsideError as error:
        raise _fail(error) from None
    out.print(f"Wrote {count} {what} to {out_folder}")


@eval_app.command("make-scifact")
def eval_make_scifact(
    out_folder: Annotated[Path, typer.Argument(help="Folder to write the BEIR layout into.")],
    data: Annotated[Path | None, typer.Option(envvar="CURBSIDE_DATA")] = None,
) -> None:
    """Write a BEIR folder from SciFact's training claims (the development set)."""
    _write_beir(retrieval_eval.write_scifact_train_beir, data, out_folder,
                "queries with their evidence documents")


@eval_app.command("make-bioasq")
def eval_make_bioasq(
    out_folder: Annotated[Path, typer.Argument(help="Folder to write the BEIR layout into.")],
    data: Annotated[Path | None, typer.Option(envvar="CURBSIDE_DATA")] = None,
) -> None:
    """Write a BEIR folder of BioASQ 12b batches 1-3 over the pooled corpus of every abstract
    in the data folder (SciFact, PubMedQA, BioASQ) plus snippet-only documents."""
    _write_beir(retrieval_eval.write_bioasq_pooled_beir, data, out_folder,
                "questions and the pooled corpus")


pubmed_app = typer.Typer(
    help="Live PubMed through NCBI E-utilities: the only commands that reach the internet "
         "(settings: CURBSIDE_PUBMED_URL, CURBSIDE_PUBMED_API_KEY, CURBSIDE_PUBMED_EMAIL).",
    no_args_is_help=True)
app.add_typer(pubmed_app, name="pubmed")


@pubmed_app.command("search")
def pubmed_search(
    query: Annotated[str, typer.Argument(help="A PubMed query, in PubMed's search syntax.")],
    max_records: Annotated[int, typer.Option(
        "--max", min=1, max=ESEARCH_LIMIT, help="Records to list.")] = 20,
) -> None:
    """Search PubMed: how many records match, and the first ones' PMIDs, years and titles."""
    settings = _settings(None)
    try:
        result, summaries = search_pubmed(query, settings, max_records)
    except CurbsideError as error:
        raise _fail(error) from None
    read_as = f" (searched as {result.translation})" if result.translation else ""
    listed = f"; the first {len(summaries):,}:" if summaries else "."
    lines = [f"{result.count:,} PubMed records match {query!r}{read_as}{listed}"]
    for summary in summaries:
        journal = f" ({summary.journal})" if summary.journal else ""
        lines.append(f"{summary.pmid}\t{summary.date[:4]}\t{summary.title}{journal}")
    # Written as they are (tab-separated, for scripts), without what a record's title might
    # hold of terminal control sequences.
    sys.stdout.write("".join(printable(line) + "\n" for line in lines))


@pubmed_app.command("fetch")
def pubmed_fetch(
    query: Annotated[str | None, typer.Argument(
        help="A PubMed query; or give --pmid instead.")] = None,
    pmid: Annotated[list[str] | None, typer.Option(
        "--pmid", help="A record to fetch, instead of a query: repeat it, or separate PMIDs "
                       "with commas.")] = None,
    max_records: Annotated[int, typer.Option(
        "--max", min=1, max=ESEARCH_LIMIT,
        help="Fetch at most the first N records of the search.")] = 200,
    library: LibraryOption = None,
) -> None:
    """Fetch PubMed records (MEDLINE XML, in batches) into the library. Records the library
    holds are not fetched again; NCBI's XML is kept in the library's pubmed/ folder, so a
    fetch that was stopped goes on where it stopped when run again."""
    settings = _settings(library)
    if (query is None) == (not pmid):
        raise _fail(CurbsideError("Give either a QUERY or --pmid PMID (not both)."))
    on_problem = _SkippedPrinter()
    try:
        with Library(settings.library, create=True) as lib, Progress(
            SpinnerColumn(), TextColumn("[bold]Fetching from PubMed"), BarColumn(),
            MofNCompleteColumn(), TextColumn("records"), TimeElapsedColumn(),
            console=err, transient=True, disable=not err.is_terminal,
        ) as progress:
            task = progress.add_task("fetch", total=None)

            def on_progress(state: FetchProgress) -> None:
                progress.update(task, total=state.total, completed=state.fetched)

            if query is not None:
                report = fetch_records(query, settings, lib, max_records,
                                       on_progress=on_progress, on_problem=on_problem)
            else:
                report = fetch_pmids(pmid or [], settings, lib, on_progress=on_progress,
                                     on_problem=on_problem)
    except CurbsideError as error:
        raise _fail(error) from None
    on_problem.say_the_rest()
    _print_fetch_report(report)
    if report.counts.added or report.counts.replaced:
        _recheck_living_articles(settings)


def _print_fetch_report(report: FetchReport) -> None:
    def many(count: int, what: str, plural: str = "s") -> str:
        return f"{count:,} {what}{'' if count == 1 else plural}"

    c = report.counts
    asked = (f"{report.found:,} found for {report.query!r}, the first {len(report.selected):,}"
             " wanted" if report.query is not None else many(len(report.selected), "PMID")
             + " given")
    kept = (f", {len(report.saved_before):,} kept from an earlier fetch but not in the "
            "library (remove their file to fetch them again)" if report.saved_before else "")
    out.print(
        f"Fetched {many(len(report.fetched), 'record')} from PubMed in "
        f"{many(report.requests, 'request')} ({asked}; {len(report.in_library):,} already in "
        f"the library{kept}): {c.added:,} added, {c.replaced:,} replaced, {c.unchanged:,} "
        f"unchanged, {len(report.problems):,} skipped. NCBI's XML is kept in {report.folder}.",
        highlight=False, soft_wrap=True, markup=False)  # one line, for scripts that read it
    if report.resumed_files:
        out.print(f"Ingested {many(len(report.resumed_files), 'batch', 'es')} an earlier "
                  "fetch saved but was stopped before ingesting.", highlight=False,
                  soft_wrap=True, markup=False)
    if report.not_returned:
        shown = ", ".join(report.not_returned[:20])
        more = f" and {len(report.not_returned) - 20:,} more" if len(report.not_returned) > 20 \
            else ""
        out.print(f"PubMed sent no record for {len(report.not_returned):,} PMID(s): {shown}"
                  f"{more} (withdrawn, or not PubMed ids).", highlight=False,
                  soft_wrap=True, markup=False)



if __name__ == "__main__":
    app()

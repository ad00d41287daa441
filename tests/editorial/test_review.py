"""The board's workflow: every role against every action, the lifecycle, versions and diffs."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable

import pytest

from curbside.answer.ask import answer_question
from curbside.answer.trace import is_traceable
from curbside.editorial import audit
from curbside.editorial.accounts import ALLOWED, Accounts, Action, ForbiddenError, Role, User
from curbside.editorial.edits import VersionEdit, statement_diff
from curbside.editorial.readers import ReaderAnswers, UnknownAnswerError
from curbside.editorial.review import Board, ReviewStateError
from curbside.editorial.store import ArticleStore, RetiredArticleError, version_digest
from curbside.library.store import Library
from curbside.models import Article
from curbside.settings import ReviewSettings, WebSettings
from tests.editorial.conftest import EDITORIAL, PASSWORD, QUESTION, new_article


def _ready_for(action: Action, board: Board, article_id: str, people: dict[str, User],
               user: User) -> None:
    """Put the article in the state where the action is legal for this user (if their role
    allows it): only the claimer approves or sends back; releasing another's claim is the
    admins' override."""
    if action in (Action.APPROVE, Action.REQUEST_CHANGES):
        board.claim(user if user.may(Action.CLAIM) else people["admin"], article_id)
    if action is Action.RELEASE:
        board.claim(people["reviewer2"], article_id)


def _submit(board: Board, user: User, library: Library) -> object:
    answers = ReaderAnswers(board.db)
    answer = answers.put(answer_question(library, QUESTION, "clinician", EDITORIAL))
    assert answer.id
    return board.submit(user, answers, answer.id)


ACTIONS: dict[Action, Callable[[Board, User, str, Library], object]] = {
    Action.VIEW_QUEUE: lambda board, user, aid, lib: user.require(Action.VIEW_QUEUE),
    Action.CLAIM: lambda board, user, aid, lib: board.claim(user, aid),
    Action.APPROVE: lambda board, user, aid, lib: board.approve(user, aid, "fine"),
    Action.REQUEST_CHANGES: lambda board, user, aid, lib: board.request_changes(
        user, aid, "fix 1", 1),
    Action.COMMENT: lambda board, user, aid, lib: board.comment(user, aid, "a remark", 1),
    Action.NEW_VERSION: lambda board, user, aid, lib: board.new_version(
        user, aid, VersionEdit(remove=(1,))),
    Action.RETIRE: lambda board, user, aid, lib: board.retire(user, aid, "superseded"),
    Action.SUBMIT: lambda board, user, aid, lib: _submit(board, user, lib),
    Action.RELEASE: lambda board, user, aid, lib: board.release(user, aid),
}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", list(Action))
def test_each_role_against_each_action(library: Library, store: ArticleStore,
                                       people: dict[str, User], role: Role, action: Action
                                       ) -> None:
    article = new_article(library, store)
    assert article.id
    board = Board(store)
    user = people[role.value]
    _ready_for(action, board, article.id, people, user)
    before = len(audit.entries(store.db))
    if role in ALLOWED[action]:
        ACTIONS[action](board, user, article.id, library)
    else:
        with pytest.raises(ForbiddenError, match=f"may not {action}"):
            ACTIONS[action](board, user, article.id, library)
        assert len(audit.entries(store.db)) == before  # nothing happened


def test_lifecycle_submitted_review_approved(store: ArticleStore, article: Article,
                                             people: dict[str, User]) -> None:
    assert article.id and article.status == "submitted"
    board = Board(store)
    with pytest.raises(ReviewStateError, match="only under review"):
        board.approve(people["reviewer"], article.id)
    board.claim(people["reviewer"], article.id)
    assert store.get(article.id).status == "under review"
    with pytest.raises(ReviewStateError, match="only submitted"):
        board.claim(people["reviewer2"], article.id)
    assert board.approve(people["reviewer"], article.id, "all statements match their sources")
    public = store.get(article.id)
    assert public.status == "approved" and public.approved_at
    assert public.approved_by == ["reviewer-one"]


def test_approvals_needed_is_a_setting(store: ArticleStore, article: Article,
                                       people: dict[str, User]) -> None:
    assert article.id
    board = Board(store, ReviewSettings(approvals_required=2))
    board.claim(people["reviewer"], article.id)
    assert not board.approve(people["reviewer"], article.id)
    with pytest.raises(ReviewStateError, match="approved version 1 already"):
        board.approve(people["reviewer"], article.id)
    assert store.get(article.id).status == "under review"
    assert board.approve(people["reviewer2"], article.id)
    assert store.get(article.id).approved_by == ["reviewer-one", "reviewer-two"]


def test_changes_new_version_and_diff(library: Library, store: ArticleStore, article: Article,
                                      people: dict[str, User]) -> None:
    assert article.id
    board = Board(store)
    board.claim(people["reviewer"], article.id)
    board.approve(people["reviewer"], article.id)
    approved = store.get(article.id)
    removed_text = approved.statements()[1].text
    number = board.new_version(people["editor"], article.id,
                               VersionEdit(remove=(2,), move_up=(4,), note="Checked by editor."))
    assert number == 2
    # Readers still see the approved version 1 until version 2 is approved.
    public = store.get(article.id)
    assert public.version == 1 and public.status == "approved"
    draft = store.version(article.id)
    assert draft.version == 2 and draft.status == "submitted"
    assert removed_text not in [s.text for s in draft.statements()]
    assert draft.editor_notes[0].author == "editor-one"
    # No clinical text was added: every statement still traces to its cited document.
    refs = {r.n: r.id for r in draft.references}
    for statement in draft.statements():
        assert all(is_traceable(statement.text, library.get(refs[n]))
                   for n in statement.citations)
    assert [r.n for r in draft.references] == list(range(1, len(draft.references) + 1))
    diff = statement_diff(approved, draft)
    assert [line.text for line in diff if line.change == "removed"].count(removed_text) == 1
    assert not [line for line in diff if line.change == "added" and line.text == removed_text]
    # Version 1 is unchanged: its digest still matches what it says.
    history = store.versions(article.id)
    assert history[0].digest == version_digest(store.version(article.id, 1))
    assert history[0].approved_at and history[1].approved_at is None


def test_request_changes_needs_a_comment_then_editor_resubmits(
        store: ArticleStore, article: Article, people: dict[str, User]) -> None:
    assert article.id
    board = Board(store)
    board.claim(people["reviewer"], article.id)
    with pytest.raises(Exception, match="needs a comment"):
        board.request_changes(people["reviewer"], article.id, "  ")
    with pytest.raises(Exception, match="no statement 99"):
        board.request_changes(people["reviewer"], article.id, "wrong", statement=99)
    board.request_changes(people["reviewer"], article.id, "statement 1 overstates", 1)
    assert store.state(article.id)[0] == "changes requested"
    board.new_version(people["editor"], article.id, VersionEdit(remove=(1,)))
    assert store.state(article.id)[0] == "submitted"
    reviews = store.reviews(article.id)
    assert reviews[0].decision == "request changes" and reviews[0].statement == 1


def test_retiring_hides_but_deletes_nothing(store: ArticleStore, article: Article,
                                            people: dict[str, User]) -> None:
    assert article.id
    board = Board(store)
    board.claim(people["reviewer"], article.id)
    board.approve(people["reviewer"], article.id)
    board.retire(people["admin"], article.id, "superseded by a newer guideline")
    with pytest.raises(RetiredArticleError, match="superseded by a newer guideline"):
        store.get(article.id)
    assert store.versions(article.id)[0].approved_at  # still there
    assert article.id not in [r.id for r in store.recent()]


_APPROVER = """
import sys
from pathlib import Path
from curbside.library.store import Library
from curbside.editorial.store import ArticleStore
from curbside.editorial.accounts import User, Role
from curbside.editorial.review import Board
from curbside.settings import Settings
from curbside.store.connect import open_editorial
library = Library(Path(sys.argv[1]))
store = ArticleStore(open_editorial(Settings(library=library.directory), library))
board = Board(store)
reviewer = User("reviewer-one", Role.REVIEWER)
for article_id in sys.argv[2:]:
    board.approve(reviewer, article_id, "approved in a loop that will be killed")
"""


def _approved_count(store: ArticleStore, ids: list[str]) -> int:
    return sum(store.state(i)[0] == "approved" for i in ids)


def test_killed_approval_leaves_old_or_new_state(library: Library, store: ArticleStore,
                                                 people: dict[str, User],
                                                 database_env: dict[str, str]) -> None:
    board = Board(store)
    ids: list[str] = []
    for _ in range(150):
        article = new_article(library, store)
        assert article.id
        board.claim(people["reviewer"], article.id)
        ids.append(article.id)
    rng = random.Random(7)
    kills_mid_run = 0
    for _ in range(4):
        remaining = [i for i in ids if store.state(i)[0] == "under review"]
        if not remaining:
            break
        before = _approved_count(store, ids)
        process = subprocess.Popen([sys.executable, "-c", _APPROVER, str(library.directory),
                                    *remaining], env=dict(os.environ, **database_env))
        # Kill once the loop is under way, a few approvals in: mid-stream, often mid-commit.
        wanted = before + rng.randint(1, 20)
        while process.poll() is None and _approved_count(store, ids) < wanted:
            time.sleep(0.002)
        process.send_signal(signal.SIGKILL)
        process.wait()
        if _approved_count(store, ids) < len(ids):
            kills_mid_run += 1
    assert kills_mid_run >= 1
    for article_id in ids:
        status = store.state(article_id)[0]
        approvals = [r for r in store.reviews(article_id) if r.decision == "approve"]
        logged = [e for e in audit.entries(store.db, article_id)
                  if e.action == "approve"]
        approved_at = store.versions(article_id)[0].approved_at
        if status == "approved":
            assert len(approvals) == 1 and len(logged) == 1 and approved_at
        else:
            assert status == "under review"
            assert not approvals and not logged and approved_at is None
    assert audit.verify(store.db)[0]


_RACER = """
import sys
from pathlib import Path
from curbside.library.store import Library
from curbside.editorial.store import ArticleStore
from curbside.editorial.accounts import User, Role
from curbside.editorial.review import Board, ReviewStateError
from curbside.settings import Settings
from curbside.store.connect import open_editorial
library = Library(Path(sys.argv[1]))
board = Board(ArticleStore(open_editorial(Settings(library=library.directory), library)))
reviewer = User(sys.argv[2], Role.REVIEWER)
won = 0
for article_id in sys.argv[3:]:
    try:
        board.claim(reviewer, article_id)
    except ReviewStateError:
        continue  # another process took it first
    board.approve(reviewer, article_id, "approved in a race")
    won += 1
print(won)
"""


def test_board_members_in_several_processes_stay_consistent(
        library: Library, store: ArticleStore, database_env: dict[str, str]) -> None:
    """Four processes race to claim and approve the same articles: each article is claimed
    and approved once, by one of them, and the audit chain stays whole."""
    composed = answer_question(library, QUESTION, "clinician", EDITORIAL)
    ids = [str(store.save(composed.model_copy()).id) for _ in range(40)]
    names = [f"racer-{n}" for n in range(4)]
    accounts = Accounts(store.db)
    for name in names:
        accounts.add(name, "reviewer", PASSWORD)
    racers = [subprocess.Popen([sys.executable, "-c", _RACER, str(library.directory), name,
                                *ids], stdout=subprocess.PIPE, text=True,
                               env=dict(os.environ, **database_env)) for name in names]
    wins = [int(racer.communicate(timeout=600)[0]) for racer in racers]
    assert all(racer.returncode == 0 for racer in racers)
    assert sum(wins) == len(ids)
    for article_id in ids:
        assert store.state(article_id)[:2] == ("approved", None)
        approvals = [r.reviewer for r in store.reviews(article_id) if r.decision == "approve"]
        log = [(e.actor, e.action) for e in audit.entries(store.db, article_id)]
        assert len(approvals) == 1
        assert log[1:] == [(approvals[0], "claim"), (approvals[0], "approve")]
    intact, message = audit.verify(store.db)
    assert intact, message


def test_only_the_claimer_approves_until_the_claim_is_released(
        store: ArticleStore, article: Article, people: dict[str, User]) -> None:
    assert article.id
    board = Board(store)
    board.claim(people["reviewer"], article.id)
    for act in (lambda: board.approve(people["reviewer2"], article.id, "looks fine"),
                lambda: board.request_changes(people["reviewer2"], article.id, "fix it"),
                lambda: board.claim(people["reviewer2"], article.id)):
        with pytest.raises(ReviewStateError, match=r"reviewer-one has claimed|only submitted"):
            act()
    with pytest.raises(ForbiddenError, match="may not release another reviewer's claim"):
        board.release(people["reviewer2"], article.id)
    assert store.state(article.id)[:2] == ("under review", "reviewer-one")
    board.release(people["reviewer"], article.id)
    assert store.state(article.id)[:2] == ("submitted", None)
    board.claim(people["reviewer2"], article.id)
    # An admin may take a stuck claim away (audited), not approve under it.
    with pytest.raises(ReviewStateError, match="reviewer-two has claimed"):
        board.approve(people["admin"], article.id)
    board.release(people["admin"], article.id)
    board.claim(people["admin"], article.id)
    assert board.approve(people["admin"], article.id, "checked after the release")
    log = [(e.actor, e.action) for e in audit.entries(store.db, article.id)]
    assert log[1:] == [("reviewer-one", "claim"), ("reviewer-one", "release"),
                       ("reviewer-two", "claim"), ("admin-one", "release"),
                       ("admin-one", "claim"), ("admin-one", "approve")]


def test_nobody_approves_a_version_they_made(store: ArticleStore, article: Article,
                                             people: dict[str, User]) -> None:
    assert article.id
    admin = people["admin"]
    board = Board(store, ReviewSettings(approvals_required=2))
    board.new_version(admin, article.id, VersionEdit(remove=(1,), note="Trimmed."))
    with pytest.raises(ForbiddenError, match=r"admin-one made version 2 .* may not claim"):
        board.claim(admin, article.id)
    board.claim(people["reviewer"], article.id)
    assert not board.approve(people["reviewer"], article.id)  # one of two; claim released
    assert store.state(article.id)[:2] == ("under review", None)
    with pytest.raises(ForbiddenError, match=r"admin-one made version 2 .* may not approve"):
        board.approve(admin, article.id)
    assert store.state(article.id)[0] == "under review"
    assert board.approve(people["reviewer2"], article.id)
    assert store.get(article.id).approved_by == ["reviewer-one", "reviewer-two"]


def test_readers_answers_are_kept_apart_and_an_editor_submits_one(
        library: Library, store: ArticleStore, people: dict[str, User]) -> None:
    answers = ReaderAnswers(store.db)
    entries_before = len(audit.entries(store.db))
    answer = answers.put(answer_question(library, QUESTION, "clinician", EDITORIAL))
    assert answer.id and answer.id.startswith("ans-") and answer.status == "unsaved"
    follow = answers.put(answer_question(library, "How is it treated?", "clinician",
                                         EDITORIAL, thread_question=QUESTION), follows=answer)
    assert follow.thread_id == answer.id and follow.follows == answer.id
    # Nothing reaches the board's queue or the audit log until an editor submits it.
    assert store.queue_size() == 0 and len(audit.entries(store.db)) == entries_before
    assert [a.id for a in answers.thread(answer.id)] == [answer.id, follow.id]
    board = Board(store)
    assert answer.id and follow.id
    with pytest.raises(ForbiddenError, match="may not submit"):
        board.submit(people["reviewer"], answers, answer.id)
    stored = board.submit(people["editor"], answers, answer.id)
    assert stored.id and stored.id.startswith("art-") and stored.status == "submitted"
    assert [r.id for r in store.queue()] == [stored.id]
    with pytest.raises(ReviewStateError, match=f"submitted already, as {stored.id}"):
        board.submit(people["admin"], answers, answer.id)
    # The follow-up joins the board's thread of the article its answer became.
    second = board.submit(people["editor"], answers, follow.id)
    assert second.thread_id == stored.id and second.follows == stored.id
    assert [(e.actor, e.action) for e in audit.entries(store.db, stored.id)] == [
        ("editor-one", "submit")]
    assert answers.submitted_as(answer.id) == stored.id


def test_the_readers_cache_is_bounded_in_size_and_age(library: Library,
                                                      store: ArticleStore) -> None:
    article = answer_question(library, QUESTION, "clinician", EDITORIAL)
    answers = ReaderAnswers(store.db, WebSettings(reader_answers_kept=3))
    ids = [answers.put(article).id for _ in range(5)]
    assert answers.count() == 3
    with pytest.raises(UnknownAnswerError, match=r"kept for 24 hours \(the newest 3\)"):
        answers.get(str(ids[0]))
    assert answers.get(str(ids[-1])).question == QUESTION
    brief = ReaderAnswers(store.db, WebSettings(reader_answer_hours=1 / 3600))
    kept = brief.put(article)
    time.sleep(1.2)
    with pytest.raises(UnknownAnswerError, match="Ask the question again"):
        brief.get(str(kept.id))
    brief.put(article)  # each new answer sweeps the expired ones
    assert answers.count() == 1

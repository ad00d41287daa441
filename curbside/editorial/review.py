"""The medical advisory board's workflow: submit, claim, release, approve, request changes,
comment, new versions and retirement. Every action checks the actor's role, changes the state
in one transaction and writes its audit entry in that same transaction.

Four eyes: only the reviewer who claimed an article may approve it or send it back (until the
claim is released), and nobody may claim or approve a version they made themselves."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from curbside.editorial import audit
from curbside.editorial.accounts import Action, ForbiddenError, User
from curbside.editorial.edits import VersionEdit, apply_edit
from curbside.editorial.readers import ReaderAnswers, is_reader_answer
from curbside.editorial.store import (
    ArticleStore,
    UnknownArticleError,
    transaction,
    version_digest,
)
from curbside.errors import CurbsideError
from curbside.models import Article
from curbside.settings import ReviewSettings
from curbside.store.editorial import ArticleState


class ReviewStateError(CurbsideError):
    """The action does not fit the article's current review state."""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Board:
    def __init__(self, store: ArticleStore, settings: ReviewSettings | None = None):
        self.store = store
        self.settings = settings or ReviewSettings()
        self.db = store.db

    def _status(self, article_id: str) -> str:
        return self.store.state(article_id)[0]

    def _expect(self, article_id: str, allowed: tuple[str, ...], doing: str) -> str:
        status = self._status(article_id)
        if status not in allowed:
            raise ReviewStateError(
                f"Article {article_id} is {status}; only {' or '.join(allowed)} articles can "
                f"be {doing}.")
        return status

    def _audit(self, user: User, action: str, article_id: str,
               detail: dict[str, object] | None = None) -> None:
        number = self.store.latest_number(article_id)
        article = self.store.version(article_id, number)
        audit.append(self.db, user.name, action, article_id, number,
                     version_digest(article), detail)

    def _not_the_author(self, user: User, article_id: str, number: int, doing: str) -> None:
        row = self.db.version(article_id, number)
        if row is not None and row.author == user.name:
            raise ForbiddenError(
                f"{user.name} made version {number} of {article_id} and may not {doing} it: "
                "another member of the board must review what you edited.")

    def _claimer_only(self, user: User, article_id: str, doing: str) -> None:
        claimed_by = self.store.state(article_id)[1]
        if claimed_by is not None and claimed_by != user.name:
            raise ReviewStateError(
                f"{claimed_by} has claimed {article_id}; only they may {doing} it until they "
                "release the claim (`curbside review release`, or the Release button), or an "
                "admin does.")

    def _set(self, article_id: str, status: str, claimed_by: str | None,
             **changes: str | None) -> None:
        """The article's review state, changed in the transaction the caller holds."""
        state: ArticleState = self.store.article_state(article_id)
        self.db.write_state(article_id, replace(state, status=status, claimed_by=claimed_by,
                                                **changes))

    def submit(self, user: User, answers: ReaderAnswers, answer_id: str) -> Article:
        """An editor puts a reader's answer in the review queue as a new article (once);
        returns the article."""
        user.require(Action.SUBMIT)
        if not is_reader_answer(answer_id):
            raise ReviewStateError(f"{answer_id} is an article of the board already; only "
                                   "answers made for readers can be submitted.")
        with transaction(self.db):
            answer = answers.get(answer_id)
            done = answers.submitted_as(answer_id)
            if done is not None:
                raise ReviewStateError(f"This answer was submitted already, as {done}; "
                                       f"review it at /review/{done}.")
            follows = None
            if answer.follows:
                # A follow-up joins the board's thread of what it follows, if that is there;
                # else it starts a thread of its own.
                try:
                    earlier = (answers.submitted_as(answer.follows)
                               if is_reader_answer(answer.follows) else answer.follows)
                    if earlier and self.store.state(earlier)[0] != "retired":
                        follows = self.store.version(earlier)
                except UnknownArticleError:
                    follows = None
            fresh = answer.model_copy(update={"id": None, "thread_id": None, "follows": None})
            stored = self.store.insert_new(fresh, follows, user.name, "submit",
                                           {"answer": answer_id})
            assert stored.id
            answers.mark_submitted(answer_id, stored.id)
        return stored

    def claim(self, user: User, article_id: str) -> None:
        user.require(Action.CLAIM)
        with transaction(self.db):
            status, claimed_by, _, _ = self.store.state(article_id)
            if status == "under review" and claimed_by is None:
                pass  # released after an approval or by its claimer: anyone may take it up
            else:
                self._expect(article_id, ("submitted",), "claimed")
            self._not_the_author(user, article_id, self.store.latest_number(article_id),
                                 "claim")
            self._set(article_id, "under review", user.name)
            self._audit(user, "claim", article_id)

    def release(self, user: User, article_id: str) -> None:
        """Give up a claim (one's own; an admin may release anyone's), so that another
        reviewer can take the article up."""
        with transaction(self.db):
            claimed_by = self.store.state(article_id)[1]
            user.require(Action.CLAIM if claimed_by == user.name else Action.RELEASE)
            self._expect(article_id, ("under review",), "released")
            if claimed_by is None:
                raise ReviewStateError(f"Nobody has claimed {article_id}; there is nothing to "
                                       "release.")
            number = self.store.latest_number(article_id)
            approvals = self.db.approvers(article_id, number)
            # Without approvals the article is simply waiting again.
            self._set(article_id, "under review" if approvals else "submitted", None)
            self._audit(user, "release", article_id, {"claimed_by": claimed_by})

    def approve(self, user: User, article_id: str, comment: str = "") -> bool:
        """Record the approval; True when it was the last one needed and the version is now
        approved. An approval that is not the last releases the claim for the next
        reviewer."""
        user.require(Action.APPROVE)
        with transaction(self.db):
            self._expect(article_id, ("under review",), "approved")
            self._claimer_only(user, article_id, "approve")
            number = self.store.latest_number(article_id)
            self._not_the_author(user, article_id, number, "approve")
            if user.name in self.db.approvers(article_id, number):
                raise ReviewStateError(f"{user.name} has approved version {number} already; "
                                       "another reviewer must give the next approval.")
            self._review(user, article_id, number, "approve", comment, None)
            count = len(self.db.approvers(article_id, number))
            done = count >= self.settings.approvals_required
            if done:
                self.db.approve_version(article_id, number, _now())
                self._set(article_id, "approved", None, new_evidence=None)
            else:
                self._set(article_id, "under review", None)  # for the next reviewer
            self._audit(user, "approve", article_id, {
                "comment": comment, "approvals": count,
                "needed": self.settings.approvals_required, "approved": done})
        return done

    def request_changes(self, user: User, article_id: str, comment: str,
                        statement: int | None = None) -> None:
        user.require(Action.REQUEST_CHANGES)
        if not comment.strip():
            raise CurbsideError("Say what should change: a request for changes needs a comment.")
        with transaction(self.db):
            self._expect(article_id, ("under review",), "sent back for changes")
            self._claimer_only(user, article_id, "send back")
            number = self.store.latest_number(article_id)
            self._check_statement(article_id, number, statement)
            self._review(user, article_id, number, "request changes", comment, statement)
            self._set(article_id, "changes requested", None)
            self._audit(user, "request changes", article_id,
                        {"comment": comment, "statement": statement})

    def comment(self, user: User, article_id: str, comment: str,
                statement: int | None = None) -> None:
        user.require(Action.COMMENT)
        if not comment.strip():
            raise CurbsideError("The comment is empty.")
        with transaction(self.db):
            self._expect(article_id, ("submitted", "under review", "changes requested",
                                      "approved"), "commented on")
            number = self.store.latest_number(article_id)
            self._check_statement(article_id, number, statement)
            self._review(user, article_id, number, "comment", comment, statement)
            self._audit(user, "comment", article_id, {"comment": comment,
                                                      "statement": statement})

    def new_version(self, user: User, article_id: str, edit: VersionEdit,
                    regenerated: Article | None = None, reason: str | None = None) -> int:
        """A new version from the latest one (or from a regenerated article), queued for
        review. Returns its number."""
        user.require(Action.NEW_VERSION)
        with transaction(self.db):
            self._expect(article_id, ("submitted", "under review", "changes requested",
                                      "approved"), "edited")
            number = self.store.latest_number(article_id)
            base = self.store.version(article_id, number)
            source = base if regenerated is None else regenerated.model_copy(update={
                "id": base.id, "thread_id": base.thread_id, "follows": base.follows,
                "editor_notes": base.editor_notes})
            edited = apply_edit(source, edit, user.name).model_copy(update={
                "version": number + 1, "status": "submitted", "approved_at": None,
                "approved_by": [], "generated_at": _now(), "new_evidence": None})
            change = "regenerated" if regenerated is not None else "edited"
            if reason:
                change = f"{change}: {reason}"
            digest = version_digest(edited)
            self.store.insert_version(edited, number + 1, digest, user.name, change)
            self._set(article_id, "submitted", None, new_evidence=reason)
            audit.append(self.db, user.name, "new version", article_id, number + 1,
                         digest, {"change": change, "removed": list(edit.remove),
                                  "moved_up": list(edit.move_up), "note": edit.note})
        return number + 1

    def retire(self, user: User, article_id: str, reason: str) -> None:
        user.require(Action.RETIRE)
        if not reason.strip():
            raise CurbsideError("Give a reason for retiring the article; readers are told it.")
        with transaction(self.db):
            self._expect(article_id, ("submitted", "under review", "changes requested",
                                      "approved"), "retired")
            self._set(article_id, "retired", None, retired_reason=reason)
            self._audit(user, "retire", article_id, {"reason": reason})

    def _review(self, user: User, article_id: str, number: int, decision: str, comment: str,
                statement: int | None) -> None:
        self.db.insert_review(article_id, number, user.name, decision, comment, statement,
                              _now())

    def _check_statement(self, article_id: str, number: int, statement: int | None) -> None:
        if statement is None:
            return
        total = len(self.store.version(article_id, number).statements())
        if not 1 <= statement <= total:
            raise CurbsideError(f"There is no statement {statement}; version {number} has "
                                f"{total}.")

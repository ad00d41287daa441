"""Errors users see: each names what was wrong and what to do about it."""


class CurbsideError(Exception):
    """A problem the user can fix; the message says what happened and what to do."""


class QuestionError(CurbsideError):
    """A question that cannot be answered as given (empty, too long)."""


class UnknownDocumentError(CurbsideError):
    def __init__(self, doc_id: str) -> None:
        super().__init__(
            f"No document with id {doc_id!r} in this library. "
            "Search with `curbside search` to find ids, or check --library."
        )
        self.doc_id = doc_id


class LibraryError(CurbsideError):
    """The library folder or its database cannot be used."""

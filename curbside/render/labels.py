"""Fixed wording shown around an article (not clinical content)."""

from __future__ import annotations

from curbside.models import Article

REVIEW_STAGES = ["Submitted", "Under review", "Approved"]
PENDING_BANNER = "Educational purpose only • pending human review"


def review_banner(article: Article) -> str | None:
    return None if article.status == "approved" else PENDING_BANNER


def stage_index(article: Article) -> int:
    return {"submitted": 0, "under review": 1, "approved": 2}.get(article.status, 0)


def cite_marks(numbers: list[int]) -> str:
    return ", ".join(str(n) for n in numbers)

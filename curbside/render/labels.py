"""Fixed wording shown around an article (not clinical content)."""

from __future__ import annotations

from curbside.models import Article

REVIEW_STAGES = ["Submitted", "Under review", "Approved"]
PENDING_BANNER = "Educational purpose only • pending human review"
UNSAVED_BANNER = ("Educational purpose only • not reviewed: made for you alone and not "
                  "submitted to the advisory board")


def review_banner(article: Article) -> str | None:
    if article.status == "unsaved":
        return UNSAVED_BANNER
    return None if article.status == "approved" else PENDING_BANNER


def shows_review_stages(article: Article) -> bool:
    """An unsaved article is in no review queue: showing "Submitted" would claim one."""
    return article.status != "unsaved"


def stage_index(article: Article) -> int:
    return {"submitted": 0, "under review": 1, "approved": 2}.get(article.status, 0)


def cite_marks(numbers: list[int]) -> str:
    return ", ".join(str(n) for n in numbers)

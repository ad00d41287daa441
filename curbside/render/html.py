"""HTML rendering of an article: a standalone page, escaped throughout (documents are data)."""

from __future__ import annotations

from jinja2 import Environment, PackageLoader, select_autoescape

from curbside.models import Article, BulletsBlock, ParagraphBlock, StepsBlock
from curbside.render.labels import (
    REVIEW_STAGES,
    review_banner,
    shows_review_stages,
    stage_index,
)
from curbside.urls import web_url

_ENVIRONMENT = Environment(
    loader=PackageLoader("curbside.render", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
# Every link to a document's own page goes through this filter, whatever the model held.
_ENVIRONMENT.filters["web_url"] = web_url


def render_html(article: Article) -> str:
    template = _ENVIRONMENT.get_template("article.html")
    return template.render(
        article=article,
        banner=review_banner(article),
        stages=REVIEW_STAGES if shows_review_stages(article) else [],
        stage=stage_index(article),
        ParagraphBlock=ParagraphBlock,
        BulletsBlock=BulletsBlock,
        StepsBlock=StepsBlock,
        references={r.n: r for r in article.references},
    )

"""HTML rendering of an article: a standalone page, escaped throughout (documents are data)."""

from __future__ import annotations

from jinja2 import Environment, PackageLoader, select_autoescape

from curbside.models import Article, BulletsBlock, ParagraphBlock, StepsBlock
from curbside.render.labels import REVIEW_STAGES, review_banner, stage_index

_ENVIRONMENT = Environment(
    loader=PackageLoader("curbside.render", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def render_html(article: Article) -> str:
    template = _ENVIRONMENT.get_template("article.html")
    return template.render(
        article=article,
        banner=review_banner(article),
        stages=REVIEW_STAGES,
        stage=stage_index(article),
        ParagraphBlock=ParagraphBlock,
        BulletsBlock=BulletsBlock,
        StepsBlock=StepsBlock,
        references={r.n: r for r in article.references},
    )

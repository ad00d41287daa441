"""Markdown rendering of an article."""

from __future__ import annotations

from curbside.models import Article, BulletsBlock, ParagraphBlock, Statement, StepsBlock
from curbside.render.labels import (
    REVIEW_STAGES,
    review_banner,
    shows_review_stages,
    stage_index,
)
from curbside.urls import web_url


def _statement(statement: Statement) -> str:
    marks = "".join(f"[{n}]" for n in statement.citations)
    return f"{statement.text} {marks}".rstrip()


def render_markdown(article: Article) -> str:
    lines = [f"# {article.question}", ""]
    banner = review_banner(article)
    if banner:
        lines += [f"> {banner}", ""]
    if shows_review_stages(article):
        stage = stage_index(article)
        lines += [
            "Review status: " + " → ".join(
                f"**{name}**" if i == stage else name for i, name in enumerate(REVIEW_STAGES)
            ),
            "",
        ]
    lines += [
        f"## {article.title}",
        "",
    ]
    if article.coverage.note:
        lines += [f"> **Evidence note:** {article.coverage.note}", ""]
    if article.fetched:
        lines += [f"> **From PubMed:** {article.fetched.summary(lambda q: f'`{q}`')}", ""]
    if article.bottom_line:
        lines += ["**" + " ".join(_statement(s) for s in article.bottom_line) + "**", ""]
    for section in article.sections:
        lines += [f"### {section.title}", ""]
        for block in section.blocks:
            if isinstance(block, ParagraphBlock):
                lines += [" ".join(_statement(s) for s in block.statements), ""]
            elif isinstance(block, BulletsBlock):
                if block.label:
                    lines.append(f"*{block.label}*")
                lines += [f"- {_statement(s)}" for s in block.items] + [""]
            elif isinstance(block, StepsBlock):
                for number, step in enumerate(block.steps, 1):
                    lines.append(f"{number}. **{step.label}**")
                    lines += [f"    - {_statement(s)}" for s in step.items]
                lines.append("")
    if article.references:
        lines += ["## References", ""]
        for ref in article.references:
            where = ", ".join(str(p) for p in (ref.journal, ref.year) if p)
            url = web_url(ref.url)
            link = f" <{url}>" if url else ""
            quoted = "".join(f" § {section};" for section in ref.sections).rstrip(";")
            note = f" {ref.note}" if ref.note else ""
            lines.append(f"{ref.n}. [{ref.kind}] {ref.title}" + (f" *{where}*" if where else "")
                         + quoted + note + f" ({ref.id}){link}")
        lines.append("")
    lines += ["---", f"*{article.disclaimer}*", "",
              f"Composer: {article.composer}"
              + (f" ({article.model})" if article.model else "")
              + f" · generated {article.generated_at}"]
    return "\n".join(lines) + "\n"

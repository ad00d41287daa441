"""Rendering an article for readers: Markdown for terminals and files, HTML for browsers."""

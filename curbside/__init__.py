"""Curbside: a self-hosted clinical answer engine whose every statement cites its source."""

__version__ = "0.1.0"

"""Storage behind protocols: the editorial store (`editorial.py`), its SQL (`sql.py`) on
SQLite (`sqlite.py`, the embedded default) and PostgreSQL (`postgres.py`), and choosing and
migrating one (`connect.py`)."""

"""The database a test shares with the Portico processes it starts (a worker, a
deliverer): on PostgreSQL the test database itself (the test must be transactional, so
that its rows are committed); on SQLite, whose test database lives in memory, a file
copy of it made when this is created."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

from django.db import connection


class SharedDatabase:
    def __init__(self, tmp_path: Path) -> None:
        self.sqlite: Path | None = None
        settings = connection.settings_dict
        if connection.vendor == "sqlite":
            self.sqlite = tmp_path / "shared.sqlite3"
            connection.ensure_connection()
            with closing(sqlite3.connect(self.sqlite)) as copy:
                connection.connection.backup(copy)
            self.url = f"sqlite:///{self.sqlite}"
        else:
            self.url = (
                f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}"
                f"/{settings['NAME']}"
            )

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """The rows of one query, as the processes see them now (`%s` placeholders)."""
        if self.sqlite is not None:
            with closing(sqlite3.connect(self.sqlite, timeout=20)) as db:
                return db.execute(sql.replace("%s", "?"), params).fetchall()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return list(cursor.fetchall())

    def value(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        return self.rows(sql, params)[0][0]

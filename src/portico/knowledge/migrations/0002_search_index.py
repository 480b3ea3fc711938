"""The full-text index behind knowledge search, kept in step with the article table by
the database itself (triggers on SQLite, a generated column on PostgreSQL), so bulk
loads, the admin and crashes mid-write can never leave it stale.

SQLite: an FTS5 table over title, tags, summary and body text with the Porter stemmer,
and an unstemmed twin whose fts5vocab view lists the words for spelling corrections.
PostgreSQL: a weighted tsvector (title A, tags and summary B, body C) with a GIN index,
and pg_trgm with trigram indexes on titles and on the vocabulary (a table
of the published articles' words) for misspelled queries.
"""

from typing import Any

from django.db import migrations

_COLUMNS = "title, tags, summary, body_text"
_NEW = "new.id, new.title, new.tags, new.summary, new.body_text"
_OLD = "old.id, old.title, old.tags, old.summary, old.body_text"
# Two indexes over the same columns: the stemmed one answers searches, the unstemmed
# one's vocabulary is what misspelled words are corrected against.
_INDEXES = {
    "knowledge_article_fts": "porter unicode61 remove_diacritics 2",
    "knowledge_article_words": "unicode61 remove_diacritics 2",
}


def _delete(index: str) -> str:
    return f"INSERT INTO {index}({index}, rowid, {_COLUMNS}) VALUES ('delete', {_OLD});"  # noqa: S608 - constants


def _insert(index: str) -> str:
    return f"INSERT INTO {index}(rowid, {_COLUMNS}) VALUES ({_NEW});"  # noqa: S608 - constants


SQLITE_UP = [
    *(
        f"CREATE VIRTUAL TABLE {index} USING fts5({_COLUMNS}, content='knowledge_article',"
        f" content_rowid='id', tokenize='{tokenizer}')"
        for index, tokenizer in _INDEXES.items()
    ),
    "CREATE VIRTUAL TABLE knowledge_article_words_terms"
    " USING fts5vocab(knowledge_article_words, 'row')",
    "CREATE TRIGGER knowledge_article_fts_insert AFTER INSERT ON knowledge_article BEGIN "
    + " ".join(_insert(index) for index in _INDEXES)
    + " END",
    "CREATE TRIGGER knowledge_article_fts_delete AFTER DELETE ON knowledge_article BEGIN "
    + " ".join(_delete(index) for index in _INDEXES)
    + " END",
    "CREATE TRIGGER knowledge_article_fts_update AFTER UPDATE ON knowledge_article BEGIN "
    + " ".join(_delete(index) + " " + _insert(index) for index in _INDEXES)
    + " END",
]
SQLITE_DOWN = [
    "DROP TRIGGER knowledge_article_fts_update",
    "DROP TRIGGER knowledge_article_fts_delete",
    "DROP TRIGGER knowledge_article_fts_insert",
    "DROP TABLE knowledge_article_words_terms",
    "DROP TABLE knowledge_article_words",
    "DROP TABLE knowledge_article_fts",
]

POSTGRES_UP = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """ALTER TABLE knowledge_article ADD COLUMN search_document tsvector
        GENERATED ALWAYS AS (
            setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A')
            || setweight(to_tsvector('english'::regconfig, coalesce(tags, '')), 'B')
            || setweight(to_tsvector('english'::regconfig, coalesce(summary, '')), 'B')
            || setweight(to_tsvector('english'::regconfig, coalesce(body_text, '')), 'C')
        ) STORED""",
    "CREATE INDEX knowledge_article_search ON knowledge_article USING gin (search_document)",
    "CREATE INDEX knowledge_article_title_trgm ON knowledge_article"
    " USING gin (lower(title) gin_trgm_ops)",
    # The words of published articles as written (no stemming), kept up to date as they
    # are saved (knowledge.search.update_vocabulary); misspellings are matched against it
    # by trigram similarity. A table, not a materialized view: a view's ts_stat query is
    # text that pg_restore's empty search_path cannot resolve.
    "CREATE TABLE knowledge_word (word text NOT NULL, ndoc integer NOT NULL)",
    "CREATE UNIQUE INDEX knowledge_word_word ON knowledge_word (word)",
    "CREATE INDEX knowledge_word_trgm ON knowledge_word USING gin (word gin_trgm_ops)",
]
POSTGRES_DOWN = [
    "DROP TABLE knowledge_word",
    "DROP INDEX knowledge_article_title_trgm",
    "DROP INDEX knowledge_article_search",
    "ALTER TABLE knowledge_article DROP COLUMN search_document",
]


def _run(statements: dict[str, list[str]]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        )
    ]

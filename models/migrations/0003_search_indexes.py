"""Fast register search and sorting at 100,000 assets and more.

SQLite: an FTS5 trigram index over ``asset.search_text`` (substring search in Thai and
English without scanning the table), kept in step by triggers. PostgreSQL: a pg_trgm GIN
index that ``LIKE '%...%'`` uses directly. Both: an index for the register sorted by name.
"""

import peewee as pw


def up(migrator, db):
    db.execute_sql("CREATE INDEX IF NOT EXISTS asset_name_no ON asset (name, asset_no)")
    if isinstance(db, pw.SqliteDatabase):
        db.execute_sql(
            "CREATE VIRTUAL TABLE asset_search USING fts5("
            "search_text, content='asset', content_rowid='id', tokenize='trigram')")
        db.execute_sql(
            "CREATE TRIGGER asset_search_insert AFTER INSERT ON asset BEGIN "
            "INSERT INTO asset_search(rowid, search_text) VALUES (new.id, new.search_text); END")
        db.execute_sql(
            "CREATE TRIGGER asset_search_update AFTER UPDATE OF search_text ON asset BEGIN "
            "INSERT INTO asset_search(asset_search, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
            "INSERT INTO asset_search(rowid, search_text) VALUES (new.id, new.search_text); END")
        db.execute_sql(
            "CREATE TRIGGER asset_search_delete AFTER DELETE ON asset BEGIN "
            "INSERT INTO asset_search(asset_search, rowid, search_text) VALUES ('delete', old.id, old.search_text); END")
        db.execute_sql("INSERT INTO asset_search(asset_search) VALUES ('rebuild')")
    elif isinstance(db, pw.PostgresqlDatabase):
        try:
            with db.atomic():
                db.execute_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except pw.DatabaseError:
            return  # without the extension, search still works by scanning
        db.execute_sql("CREATE INDEX IF NOT EXISTS asset_search_trgm ON asset USING gin (search_text gin_trgm_ops)")

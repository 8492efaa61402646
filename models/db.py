"""The database connection: one unbound proxy, initialised once from a URL.

SQLite (the default, in the user's data directory) runs in WAL mode with
foreign keys on, a busy timeout and ``BEGIN IMMEDIATE`` for writers, so two
terminals on one file queue instead of failing. A writer that still finds the file
locked (a long import or backup elsewhere) tries again with growing pauses for a
bounded time, then gives up with :class:`DatabaseUnavailable` and one sentence,
never a crash. PostgreSQL is reached through psycopg 3 with a ``postgresql://`` URL.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import nullcontext
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import peewee
from platformdirs import user_data_dir
from playhouse import db_url

from .errors import DatabaseUnavailable, ValidationError

APP_NAME = "assets-tui"
ENV_DB = "ASSETS_TUI_DB"
ENV_LOCK_WAIT = "ASSETS_TUI_LOCK_WAIT"
BUSY_TIMEOUT_MS = 15_000
LOCK_WAIT_SECONDS = 60.0  # how long a writer keeps trying a locked SQLite file in all

db = peewee.DatabaseProxy()

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": BUSY_TIMEOUT_MS,
    "synchronous": "normal",
    "cache_size": -8_000,  # 8 MiB a connection: the app opens one per background thread
}


def data_dir() -> Path:
    return Path(user_data_dir(APP_NAME, appauthor=False))


def default_db_url() -> str:
    """The user's real database: ``ASSETS_TUI_DB`` or SQLite in the data directory."""
    env = os.environ.get(ENV_DB)
    if env:
        return env
    return "sqlite:///" + str(data_dir() / "assets.db")


def demo_db_url() -> str:
    """The demo database: a separate file, never the user's real one."""
    return "sqlite:///" + str(data_dir() / "demo.db")


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for other databases."""
    parsed = urlparse(url)
    if parsed.scheme != "sqlite":
        return None
    path = url[len("sqlite:///") :] if url.startswith("sqlite:///") else parsed.path
    return Path(path) if path and path != ":memory:" else None


def describe(url: str) -> str:
    """A URL safe to print: the password is hidden."""
    parsed = urlparse(url)
    if parsed.password:
        netloc = parsed.netloc.replace(":" + parsed.password + "@", ":***@")
        return parsed._replace(netloc=netloc).geturl()
    return url


def lock_wait() -> float:
    """Seconds a writer keeps trying a locked SQLite file (``ASSETS_TUI_LOCK_WAIT``)."""
    text = os.environ.get(ENV_LOCK_WAIT, "").strip()
    try:
        seconds = float(text) if text else LOCK_WAIT_SECONDS
    except ValueError:
        raise ValidationError(ENV_LOCK_WAIT, f"{ENV_LOCK_WAIT} must be a number of seconds, not '{text}'.") from None
    if not 0 <= seconds <= 3600:
        raise ValidationError(ENV_LOCK_WAIT, f"{ENV_LOCK_WAIT} must be between 0 and 3600 seconds.")
    return seconds


def _is_locked(exc: Exception) -> bool:
    text = str(exc).lower()
    return "database is locked" in text or "database table is locked" in text or "database is busy" in text


class PatientSqliteDatabase(peewee.SqliteDatabase):
    """SQLite that retries what another writer's lock refused, for a bounded time.

    The busy timeout already makes SQLite wait; past it (or when SQLite refuses at once,
    as it does for some lock states) the statement that opens a transaction, or a lone
    statement outside one, is tried again after a growing pause. Nothing is retried
    inside a transaction: the caller's ``atomic()`` block has already begun, and its
    first statement, ``BEGIN IMMEDIATE``, is where the lock is taken. Past the limit the
    user reads one sentence (:class:`DatabaseUnavailable`) and nothing was written.
    """

    def __init__(self, *args: Any, wait: float = LOCK_WAIT_SECONDS, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.wait = wait

    def _patiently(self, attempt):
        deadline = time.monotonic() + self.wait
        pause = 0.05
        while True:
            try:
                return attempt()
            except peewee.OperationalError as exc:
                if not _is_locked(exc):
                    raise
                left = deadline - time.monotonic()
                if left <= 0:
                    raise DatabaseUnavailable(
                        f"The database is busy: another program has kept it locked for writing for "
                        f"over {self.wait:g} seconds, so nothing was changed; try again in a moment "
                        f"(or raise {ENV_LOCK_WAIT})."
                    ) from exc
                time.sleep(min(pause, left))
                pause = min(pause * 2, 1.0)

    def begin(self, lock_type: str | None = None) -> None:
        self._patiently(lambda: super(PatientSqliteDatabase, self).begin(lock_type))

    def execute_sql(self, sql: str, params: Any = None):
        if self.in_transaction():
            return super().execute_sql(sql, params)
        return self._patiently(lambda: super(PatientSqliteDatabase, self).execute_sql(sql, params))


def make_database(url: str) -> peewee.Database:
    """Build (not connect) a peewee database for ``url``; reject malformed URLs."""
    if not isinstance(url, str) or not url.strip():
        raise ValidationError("--db", "The database URL is empty: use sqlite:///PATH or postgresql://USER@HOST/NAME.")
    url = url.strip()
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        if not url.startswith("sqlite:///") or len(url) <= len("sqlite:///"):
            raise ValidationError(
                "--db",
                f"The database URL '{url}' is malformed: a SQLite URL is sqlite:///PATH/TO/FILE.db.",
            )
        path = sqlite_path(url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        wait = lock_wait()
        busy_ms = int(min(BUSY_TIMEOUT_MS, wait * 250))  # SQLite waits, then we try again
        return PatientSqliteDatabase(
            str(path) if path else ":memory:",
            pragmas={**SQLITE_PRAGMAS, "busy_timeout": busy_ms},
            timeout=busy_ms / 1000,
            lock_type="IMMEDIATE",
            wait=wait,
        )
    if parsed.scheme in ("postgres", "postgresql"):
        if not parsed.path.strip("/"):
            raise ValidationError(
                "--db",
                f"The database URL '{describe(url)}' names no database: use postgresql://USER@HOST/NAME.",
            )
        try:
            return db_url.connect(url)
        except Exception as exc:  # pragma: no cover - driver-specific parse errors
            raise ValidationError("--db", f"The database URL '{describe(url)}' is malformed: {exc}.") from exc
    raise ValidationError(
        "--db",
        f"The database URL '{describe(url)}' is not supported: use sqlite:///PATH or postgresql://USER@HOST/NAME.",
    )


def bind(url: str) -> peewee.Database:
    """Initialise the global proxy with the database at ``url`` and check it answers."""
    database = make_database(url)
    if db.obj is not None and not db.is_closed():
        db.close()
    db.initialize(database)
    try:
        db.connect(reuse_if_open=True)
    except peewee.OperationalError as exc:
        raise DatabaseUnavailable(f"Cannot open the database {describe(url)}: {str(exc).strip()}.") from exc
    return database


_INSERT_SQL: dict[tuple, str] = {}


def _to_db(field: peewee.Field) -> Callable[[Any], Any]:
    """The field's conversion for the driver; text that is already text passes untouched
    (most values of a bulk insert, each of which would otherwise go through peewee)."""
    to_db = field.db_value
    if type(field) in (peewee.CharField, peewee.TextField):
        return lambda value: value if type(value) is str else to_db(value)
    return to_db


def insert_rows(model: type[peewee.Model], rows: Sequence[Mapping[str, Any]], batch: int = 500) -> None:
    """Insert many rows of ``model`` as ``insert_many`` would (values converted by the fields,
    defaults for what a row leaves out), but with one prepared statement per batch run
    through the driver's ``executemany``: peewee then builds the SQL once, not once per
    value, which makes bulk writes (imports, the audit log, the demo) several times faster.
    Unlike ``insert_many``, a key that only later rows carry is not silently dropped.
    Runs inside the caller's transaction; errors are peewee's."""
    if not rows:
        return
    meta = model._meta
    keys = dict.fromkeys(rows[0])  # field or column names, in the order rows give them
    for row in rows:
        if row.keys() != keys.keys():
            keys.update(dict.fromkeys(row))
    given = [(key, meta.combined[key]) for key in keys]
    seen = {field for _, field in given}
    missing = [(None, f) for f in meta.sorted_fields if f not in seen and f in meta.defaults]
    fields = [field for _, field in given + missing]
    key = (model, tuple(fields), type(db.obj))
    sql = _INSERT_SQL.get(key)
    if sql is None:  # built once per shape: the audit log inserts one event per write
        sql, _ = peewee.ModelInsert(model, insert=[tuple(None for _ in fields)],
                                    columns=fields).returning().sql()
        _INSERT_SQL[key] = sql
    plan = [(key, _to_db(field), meta.defaults.get(field)) for key, field in given + missing]
    # One row is one statement, atomic by itself: no savepoint for it inside a transaction.
    with nullcontext() if len(rows) == 1 and db.in_transaction() else db.atomic():
        for start in range(0, len(rows), batch):
            params = []
            for row in rows[start:start + batch]:
                values = []
                for key, to_db, default in plan:
                    if key in row:
                        values.append(to_db(row[key]))
                    else:
                        values.append(to_db(default() if callable(default) else default))
                params.append(values)
            peewee.logger.debug((sql, params[:1]))
            with peewee.__exception_wrapper__:
                cursor = db.cursor()
                try:
                    cursor.executemany(sql, params)
                finally:
                    cursor.close()


def plain_dicts(query: peewee.Query, convert: Mapping[str, Callable[[Any], Any]]) -> Iterator[dict[str, Any]]:
    """The rows of ``query`` as dicts keyed by column name (or alias), straight from the
    driver's cursor: only the columns named in ``convert`` pass through a converter (e.g.
    a field's ``python_value``). For streaming a whole table, where peewee's own per-value
    row processing costs more than reading the rows."""
    with peewee.__exception_wrapper__:
        cursor = db.execute(query)
    names = [d[0] for d in cursor.description]
    converters = [(name, fn) for name, fn in convert.items() if name in names]
    try:
        for row in cursor:
            record = dict(zip(names, row, strict=True))
            for name, fn in converters:
                value = record[name]
                if value is not None:
                    record[name] = fn(value)
            yield record
    finally:
        cursor.close()


def is_sqlite() -> bool:
    return isinstance(db.obj, peewee.SqliteDatabase)


def is_postgres() -> bool:
    return isinstance(db.obj, peewee.PostgresqlDatabase)


def close() -> None:
    if db.obj is not None and not db.is_closed():
        db.close()

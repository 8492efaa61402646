"""Backups: the whole register in one portable file, and its restore into an empty database.

A backup is a zip archive of two members:

``data.jsonl``
    every table of the register in dependency order, one JSON line per row
    (``["table", [value, ...]]``); money as decimal strings, dates and times as ISO text,
    so a backup taken from SQLite restores into PostgreSQL and back, row for row;
``manifest.json``
    the product version, the schema migrations applied, each table's columns and row
    count, the audit head (last event and hash) as a checkpoint, and the SHA-256 of
    ``data.jsonl``.

It is read inside one snapshot transaction (SQLite's WAL reader, PostgreSQL's repeatable
read), so others keep working while it runs and it still holds one moment of the
register. It is written beside the target and renamed into place only when complete:
a backup that was interrupted never leaves a file under the name asked for.

Taking a backup reads every account's password hash, so only an administrator or an
auditor may take one. Restoring needs no login: it only writes into a database that is
empty, which whoever holds its file or its credentials controls already; the accounts
and passwords then are the ones of the backup.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import json
import os
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from glob import escape as glob_escape
from pathlib import Path
from typing import Any

import peewee as pw

from .accounts import SYSTEM, role_label
from .db import db, is_postgres, is_sqlite
from .errors import DomainError, PermissionDenied, ValidationError
from .schema import MODELS, AuditHead
from .setup import migration_runner, pending_migrations, upgrade

FORMAT = "assets-tui-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATA = "data.jsonl"
# Who may take a backup: it holds every account's password hash.
BACKUP_ROLES = ("admin", "auditor")
BATCH = 1000


class BackupError(DomainError):
    """A backup that cannot be read or restored; the message says why."""


SHORT_HASH = 12  # hexadecimal digits of a checkpoint's hash printed in a footer


@dataclass(frozen=True)
class Checkpoint:
    """The audit log's last event and its hash at one moment: the log must still have
    that event with that hash later, whatever else was added."""

    seq: int
    hash: str

    def __str__(self) -> str:
        return f"{self.seq}:{self.hash}"

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        seq, _, digest = (text or "").strip().partition(":")
        digest = digest.strip().lower()
        if not seq.strip().isdigit() or not SHORT_HASH <= len(digest) <= 64 \
                or any(c not in "0123456789abcdef" for c in digest):
            raise ValidationError("--checkpoint", f"The checkpoint '{text}' is not SEQ:HASH (an event "
                                  f"number, a colon and {SHORT_HASH} to 64 hexadecimal digits).")
        return cls(int(seq), digest)

    @property
    def short(self) -> str:
        """As printed on paper: the event number and the first digits of its hash, enough
        to tell a rewritten log from the one that was printed."""
        return f"{self.seq}:{self.hash[:SHORT_HASH]}"


def current_checkpoint() -> Checkpoint:
    """The audit log's last event and its hash now (event 0 for an empty log)."""
    head = AuditHead.get_or_none(AuditHead.id == 1)
    return Checkpoint(head.seq, head.hash) if head else Checkpoint(0, "0" * 64)


@dataclass
class BackupResult:
    path: Path
    rows: dict[str, int]
    checkpoint: Checkpoint
    sha256: str
    size: int

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


@dataclass
class RestoreResult:
    rows: dict[str, int]
    checkpoint: Checkpoint
    migrations_applied: list[str] = field(default_factory=list)

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


# ---- what is backed up ------------------------------------------------------------------

def _tables() -> list[type[pw.Model]]:
    return pw.sort_models(MODELS)


def _kind(f: pw.Field) -> str | None:
    """How a column's value is written as JSON when JSON has no type for it."""
    if isinstance(f, pw.BooleanField):
        return "bool"
    if isinstance(f, pw.DecimalField):
        return "decimal"
    if isinstance(f, pw.DateTimeField):
        return "datetime"
    if isinstance(f, pw.DateField):
        return "date"
    return None


def _to_json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def _from_json(value: Any, kind: str | None) -> Any:
    if value is None or kind is None:
        return value
    if kind == "decimal":
        return Decimal(str(value))
    if kind == "datetime":
        return dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    if kind == "date":
        return dt.date.fromisoformat(value) if isinstance(value, str) else value
    if kind == "bool":
        return bool(value)
    return value


def _product_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("assets-tui")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "unknown"


def _known_migrations() -> list[str]:
    return [m.name for m in migration_runner().migrations()]


def _line(table: str, values: list[Any]) -> bytes:
    return (json.dumps([table, values], ensure_ascii=False, separators=(",", ":"))
            + "\n").encode("utf-8")


def _snapshot():
    """A read transaction that sees one moment and blocks no writer."""
    if is_sqlite():
        return db.atomic(lock_type="DEFERRED")
    if is_postgres():
        return db.atomic(isolation_level="REPEATABLE READ")
    return db.atomic()  # pragma: no cover - only SQLite and PostgreSQL are supported


def may_take_backup(actor) -> None:
    if actor is SYSTEM:
        return
    if actor is None or not getattr(actor, "active", False):
        raise PermissionDenied("Only an active administrator or auditor may take a backup.")
    if actor.role not in BACKUP_ROLES:
        role = role_label(actor.role, "en")
        article = "An" if role[:1] in "aeiou" else "A"
        raise PermissionDenied(f"{article} {role} may not take a backup (it holds every account's "
                               "password hash); only: administrator, auditor.")


# ---- taking a backup ----------------------------------------------------------------------

def take_backup(actor, target: str | os.PathLike[str],
                progress: Callable[[str], None] | None = None) -> BackupResult:
    """Write the whole register to ``target`` atomically; returns what was written."""
    may_take_backup(actor)
    target = Path(target)
    if target.is_dir():
        raise ValidationError("-o", f"'{target}' is a directory; give the backup a file name.")
    if not target.parent.is_dir():
        raise ValidationError("-o", f"The folder '{target.parent}' does not exist.")
    pending = pending_migrations()
    if pending:
        raise BackupError(f"The database needs upgrading ({', '.join(pending)}) before a "
                          "backup: run assets-tui init first.")
    say = progress or (lambda _text: None)
    _remove_stale_parts(target)
    partial = target.with_name(f".{target.name}.{os.getpid()}.part")
    try:
        result = _write(partial, say)
        with open(partial, "rb") as done:
            os.fsync(done.fileno())
        os.replace(partial, target)
    except OSError as exc:
        raise ValidationError("-o", f"Cannot write the backup '{target}': {exc.strerror or exc}.") from None
    finally:
        partial.unlink(missing_ok=True)
    _sync_folder(target.parent)
    result.path = target
    result.size = target.stat().st_size
    return result


def _remove_stale_parts(target: Path) -> list[Path]:
    """Delete what killed backups to ``target`` left (``.NAME.PID.part`` of a process that
    no longer runs); a backup still being written by a live process is left alone."""
    removed = []
    for part in target.parent.glob(f".{glob_escape(target.name)}.*.part"):
        pid = part.name[len(target.name) + 2:-len(".part")]
        if not pid.isdigit() or _running(int(pid)):
            continue
        with contextlib.suppress(OSError):
            part.unlink()
            removed.append(part)
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def _sync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - e.g. Windows
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def _write(path: Path, say: Callable[[str], None]) -> BackupResult:
    digest = hashlib.sha256()
    rows: dict[str, int] = {}
    tables = []
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        with _snapshot():
            applied = sorted(migration_runner().applied())
            head = AuditHead.get_or_none(AuditHead.id == 1)
            checkpoint = Checkpoint(head.seq, head.hash) if head else Checkpoint(0, "0" * 64)
            member = zipfile.ZipInfo(DATA, date_time=dt.datetime.now().timetuple()[:6])
            member.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(member, "w", force_zip64=True) as out:
                for model in _tables():
                    meta = model._meta
                    fields = meta.sorted_fields
                    name = meta.table_name
                    say(f"{name}")
                    count = 0
                    query = model.select(*fields).order_by(*[f for f in [meta.primary_key] if f]).tuples()
                    for row in query.iterator():
                        line = _line(name, [_to_json(v) for v in row])
                        digest.update(line)
                        out.write(line)
                        count += 1
                    rows[name] = count
                    tables.append({"name": name, "rows": count,
                                   "columns": [[f.column_name, _kind(f)] for f in fields]})
        manifest = {
            "format": FORMAT, "format_version": FORMAT_VERSION,
            "product_version": _product_version(),
            "created_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "source": "sqlite" if is_sqlite() else "postgresql",
            "migrations": applied,
            "tables": tables,
            "audit_head": {"seq": checkpoint.seq, "hash": checkpoint.hash},
            "data_sha256": digest.hexdigest(),
        }
        archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2))
    return BackupResult(path, rows, checkpoint, digest.hexdigest(), 0)


# ---- reading a backup -------------------------------------------------------------------

def read_manifest(path: str | os.PathLike[str], check_data: bool = True) -> dict[str, Any]:
    """The backup's manifest, after checking the file is one of ours, complete and (unless
    told otherwise) that its data still hashes to what the manifest says."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"There is no backup file at '{path}'.")
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if MANIFEST not in names or DATA not in names:
                raise BackupError(f"'{path.name}' is not an assets-tui backup: it lacks its manifest or data.")
            manifest = json.loads(archive.read(MANIFEST).decode("utf-8"))
            if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
                raise BackupError(f"'{path.name}' is not an assets-tui backup.")
            if manifest.get("format_version") != FORMAT_VERSION:
                raise BackupError(f"'{path.name}' is a backup of format {manifest.get('format_version')}, "
                                  f"which this version ({_product_version()}) cannot read.")
            if check_data:
                digest = hashlib.sha256()
                with archive.open(DATA) as data:
                    for chunk in iter(lambda: data.read(1 << 20), b""):
                        digest.update(chunk)
                if digest.hexdigest() != manifest.get("data_sha256"):
                    raise BackupError(f"'{path.name}' is damaged: its data no longer matches the "
                                      "SHA-256 its manifest records.")
    except (zipfile.BadZipFile, EOFError, zlib.error, UnicodeDecodeError, json.JSONDecodeError,
            KeyError) as exc:
        raise BackupError(f"'{path.name}' is damaged or not an assets-tui backup ({exc}).") from None
    except OSError as exc:
        raise BackupError(f"Cannot read the backup '{path}': {exc.strerror or exc}.") from None
    return manifest


def checkpoint_of(path: str | os.PathLike[str]) -> Checkpoint:
    """The audit checkpoint a backup recorded (the file is checked first)."""
    head = read_manifest(path)["audit_head"]
    return Checkpoint(int(head["seq"]), str(head["hash"]))


def _rows(archive: zipfile.ZipFile) -> Iterator[tuple[str, list[Any]]]:
    with archive.open(DATA) as data:
        for raw in io.TextIOWrapper(data, encoding="utf-8"):
            table, values = json.loads(raw)
            yield table, values


# ---- restoring ----------------------------------------------------------------------------

def held_rows() -> list[str]:
    """What the bound database already holds of a register (empty when nothing)."""
    existing = set(db.get_tables())
    held = []
    for model in _tables():
        name = model._meta.table_name
        if name not in existing:
            continue
        query = model.select(pw.fn.COUNT(pw.SQL("*")))
        if model is AuditHead:
            query = query.where(AuditHead.seq != 0)
        n = query.scalar()
        if n:
            held.append(f"{n:,} rows in {name}")
    return held


def restore_backup(path: str | os.PathLike[str],
                   progress: Callable[[str], None] | None = None) -> RestoreResult:
    """Load the backup at ``path`` into the bound, empty database, in one transaction.
    The caller runs ``integrity.verify`` afterwards."""
    say = progress or (lambda _text: None)
    path = Path(path)
    say("Checking the backup")
    manifest = read_manifest(path)
    known = _known_migrations()
    wanted = list(manifest.get("migrations") or [])
    unknown = [m for m in wanted if m not in known]
    if unknown:
        raise BackupError(f"'{path.name}' was made by a newer version ({manifest.get('product_version')}) "
                          f"with migrations this one lacks ({', '.join(unknown)}): upgrade assets-tui first.")
    if wanted != known[:len(wanted)]:
        raise BackupError(f"'{path.name}' records migrations in an order this version does not know.")
    held = held_rows()
    if held:
        raise BackupError(f"The database is not empty ({', '.join(held[:3])}); a backup is only "
                          "restored into a new, empty database.")
    applied_already = sorted(migration_runner().applied())
    if any(m not in wanted for m in applied_already):
        raise BackupError("The database's schema is newer than the backup's; restore into a new, "
                          "empty database.")
    say("Creating the schema")
    applied = migration_runner().up(wanted[-1]) if wanted else []
    tables = {t["name"]: t for t in manifest["tables"]}
    models = {m._meta.table_name: m for m in MODELS}
    counts = dict.fromkeys(tables, 0)
    with db.atomic():
        for name in reversed(list(tables)):  # rows the migrations put there (the genesis head)
            db.execute_sql(f'DELETE FROM "{name}"')
        with zipfile.ZipFile(path) as archive:
            pending: list[list[Any]] = []
            current: str | None = None
            for table, values in _rows(archive):
                if table not in tables:
                    raise BackupError(f"'{path.name}' holds rows of table '{table}' its manifest does not list.")
                if table != current:
                    if current is not None:
                        _insert(current, tables[current], models.get(current), pending)
                        say(f"{current}: {counts[current]:,} rows")
                    current, pending = table, []
                pending.append(values)
                counts[table] += 1
            if current is not None:
                _insert(current, tables[current], models.get(current), pending)
                say(f"{current}: {counts[current]:,} rows")
        wrong = [f"{n} ({counts[n]:,} rows, manifest {t['rows']:,})" for n, t in tables.items()
                 if counts[n] != t["rows"]]
        if wrong:
            raise BackupError(f"'{path.name}' does not hold the rows its manifest lists: {', '.join(wrong[:3])}.")
        head = AuditHead.get_or_none(AuditHead.id == 1)
        recorded = Checkpoint(int(manifest["audit_head"]["seq"]), manifest["audit_head"]["hash"])
        if head is None or Checkpoint(head.seq, head.hash) != recorded:
            raise BackupError(f"'{path.name}' is inconsistent: its audit head differs from its manifest.")
        if is_postgres():
            _reset_sequences(tables)
    later = upgrade()  # migrations made after the backup was taken
    return RestoreResult(counts, recorded, applied + later)


def _insert(table: str, spec: dict[str, Any], model: type[pw.Model] | None,
            rows: list[list[Any]]) -> None:
    columns = [c for c, _ in spec["columns"]]
    kinds = [k for _, k in spec["columns"]]
    by_column = {f.column_name: f for f in model._meta.sorted_fields} if model else {}
    convert = [by_column[c].db_value if c in by_column else _to_json for c in columns]
    if model is not None:
        rows = _parents_first(model, columns, rows)
    sql = (f'INSERT INTO "{table}" (' + ", ".join(f'"{c}"' for c in columns) + ") VALUES ("
           + ", ".join([db.param] * len(columns)) + ")")
    params = [[to_db(_from_json(v, k)) for v, k, to_db in zip(values, kinds, convert, strict=True)]
              for values in rows]
    for start in range(0, len(params), BATCH):
        with pw.__exception_wrapper__:
            cursor = db.cursor()
            try:
                cursor.executemany(sql, params[start:start + BATCH])
            finally:
                cursor.close()


def _parents_first(model: type[pw.Model], columns: list[str], rows: list[list[Any]]) -> list[list[Any]]:
    """Rows of a table that refers to itself (a department's parent), each after its parent."""
    selfref = [f for f in model._meta.refs if f.rel_model is model]
    pk = model._meta.primary_key
    if not selfref or pk is None or pk.column_name not in columns:
        return rows
    key = columns.index(pk.column_name)
    refs = [columns.index(f.column_name) for f in selfref if f.column_name in columns]
    by_key = {r[key]: r for r in rows}
    done: set[Any] = set()
    ordered: list[list[Any]] = []

    def place(row: list[Any], depth: int = 0) -> None:
        if row[key] in done or depth > len(rows):
            return
        for i in refs:
            parent = by_key.get(row[i])
            if parent is not None and parent is not row:
                place(parent, depth + 1)
        done.add(row[key])
        ordered.append(row)

    for row in rows:
        place(row)
    return ordered


def _reset_sequences(tables: dict[str, Any]) -> None:
    """PostgreSQL hands out ids from sequences, which the loaded rows did not advance."""
    for model in MODELS:
        pk = model._meta.primary_key
        name = model._meta.table_name
        if name not in tables or not isinstance(pk, pw.AutoField):
            continue
        db.execute_sql(
            f"SELECT setval(pg_get_serial_sequence('\"{name}\"', '{pk.column_name}'), "
            f'COALESCE(MAX("{pk.column_name}"), 1), MAX("{pk.column_name}") IS NOT NULL) FROM "{name}"')


__all__ = ["BACKUP_ROLES", "BackupError", "BackupResult", "Checkpoint", "RestoreResult",
           "checkpoint_of", "held_rows", "may_take_backup", "read_manifest", "restore_backup",
           "take_backup"]

"""``assets-tui backup`` and ``restore``, and the audit checkpoints ``verify`` accepts.

Taking a backup needs an administrator or an auditor (``--as``): the file holds every
account's password hash. Restoring needs no login: it only fills a new, empty database,
and the accounts afterwards are the backup's.
"""

from __future__ import annotations

import argparse
import contextlib
from pathlib import Path


def _base():
    """The main command line module (imported late: it imports this one)."""
    from . import cli

    return cli


def _size(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:,} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1024
    return f"{n}"  # pragma: no cover


def cmd_backup(args: argparse.Namespace) -> int:
    from models import backup

    cli = _base()
    cli.open_database(args)
    actor = cli.authenticate(args, "a backup holds every account's password hash")
    result = backup.take_backup(actor, args.output)
    cli._say(f"wrote {result.total_rows:,} rows of {len(result.rows)} tables to {result.path} "
             f"({_size(result.size)})")
    cli._say(f"audit checkpoint: {result.checkpoint}")
    cli._say(f"sha256 of the data: {result.sha256}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from models import backup, integrity

    cli = _base()
    backup.read_manifest(args.file)  # a bad file is refused before any database is made
    url, source = cli._db_url(args)
    path = cli.dbmod.sqlite_path(url) if url.strip().startswith("sqlite:///") else None
    new_file = path is not None and not path.exists()
    try:
        cli._bind(url, source, create=True)
        result = backup.restore_backup(args.file, progress=lambda text: cli._note(f"  {text}"))
    except BaseException:
        if new_file:  # a failed restore into a new file leaves nothing behind
            cli.dbmod.close()
            for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
                with contextlib.suppress(OSError):
                    leftover.unlink()
        raise
    cli._say(f"restored {result.total_rows:,} rows into {cli.dbmod.describe(url)}; "
             f"audit checkpoint {result.checkpoint}")
    report = integrity.verify(checkpoints=[result.checkpoint])
    for check in report.checks:
        mark = "✓" if check.ok else "✗"
        detail = f": {cli._sentence(check.detail)}" if check.detail else ""
        cli._say(f"{mark} {check.name}{detail}")
    if not report.ok:
        failed = sum(1 for c in report.checks if not c.ok)
        raise cli.CommandError(f"The backup was restored but {failed} of {len(report.checks)} "
                               "checks failed: the data was already damaged when it was backed up.")
    return 0


def checkpoints(args: argparse.Namespace) -> list:
    """The checkpoints ``verify`` was given: typed (``--checkpoint SEQ:HASH``) or read from
    backups (``--against FILE``)."""
    from models import backup

    found = [backup.Checkpoint.parse(text) for text in getattr(args, "checkpoint", None) or []]
    found += [backup.checkpoint_of(Path(f)) for f in getattr(args, "against", None) or []]
    return found


def add_checkpoint_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--checkpoint", action="append", metavar="SEQ:HASH",
                   help="an audit checkpoint written down earlier (backup prints one): the log "
                        "must still hold that event with that hash (repeatable)")
    p.add_argument("--against", action="append", metavar="BACKUP",
                   help="check the log against the audit checkpoint kept in a backup (repeatable)")


def add_parsers(sub) -> None:
    cli = _base()
    p = cli._add(sub, "backup", help="write the whole register to one backup file",
                 description="Write every table of the register, the schema version and the audit "
                             "checkpoint (the last event and its hash) to one portable file, while "
                             "others keep working. The file restores into SQLite or PostgreSQL "
                             "alike; it appears under its name only once complete. It holds every "
                             "account's password hash, so only an administrator or an auditor may "
                             "take one. Keep the printed checkpoint: `verify --checkpoint` proves "
                             "later that no audit event up to it was cut or rewritten.")
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="the backup file to write")
    cli._acting(p, "the administrator or auditor taking the backup")
    p.set_defaults(func=cmd_backup)

    p = cli._add(sub, "restore", help="restore a backup into a new, empty database",
                 description="Check a backup file (its manifest and the SHA-256 of its data), "
                             "create the schema in the database named by --db (or $ASSETS_TUI_DB), "
                             "load every row in one transaction and run verify. The database must "
                             "be empty: a register is never overwritten. No login is needed; the "
                             "accounts and passwords afterwards are those of the backup.")
    p.add_argument("file", metavar="FILE", help="a file written by `assets-tui backup`")
    p.set_defaults(func=cmd_restore)

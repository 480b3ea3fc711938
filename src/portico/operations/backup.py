"""Backup and restore: the database and the file store (attachments, documents) as one
set, with a manifest to check a restore against.

A backup is a directory: `database.sqlite3` (SQLite's online backup API, consistent
while Portico runs) or `database.dump` (pg_dump's custom format, one snapshot), the
`media/` tree, and `manifest.json` with every table's row count and every file's
sha256. It is written under a temporary name and renamed when complete, so a
half-written backup is never mistaken for a whole one.

A restore checks the files against the manifest before it touches anything, replaces
the database and the file store, then counts the rows again and reports any difference.

The files are read through Django's storage, so a bucket (PORTICO_STORAGE=s3) is backed
up and restored like the local directory: on restore every backed-up object is written
under its own name before the objects the backup does not hold are deleted.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, default_storage
from django.db import connection

MANIFEST = "manifest.json"
FORMAT = 1


class BackupError(Exception):
    pass


@dataclass
class Report:
    path: Path
    seconds: float
    rows: dict[str, int]
    files: int
    problems: list[str] = field(default_factory=list)


def row_counts() -> dict[str, int]:
    """Every Django table's row count, for comparing a restore with its backup."""
    counts: dict[str, int] = {}
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            table = model._meta.db_table
            if model._meta.proxy or not model._meta.managed or table in counts:
                continue
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608 - a model's own table name
            counts[table] = cursor.fetchone()[0]
    return dict(sorted(counts.items()))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _stored_names(storage: Storage, folder: str = "") -> list[str]:
    """Every file in the storage, by its name there, walking its folders."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:  # a local store nothing was ever saved to
        return []
    names = [f"{folder}{name}" for name in files]
    for sub in folders:
        names += _stored_names(storage, f"{folder}{sub}/")
    return sorted(names)


def _copy_out(storage: Storage, target: Path) -> None:
    for name in _stored_names(storage):
        destination = target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        with storage.open(name, "rb") as stored, destination.open("wb") as copy:
            shutil.copyfileobj(stored, copy, 1 << 20)


def _files_of(root: Path) -> dict[str, str]:
    if not root.exists():
        return {}
    return {
        path.relative_to(root).as_posix(): _sha256(path)
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def _pg(args: list[str]) -> tuple[list[str], dict[str, str]]:
    """A pg_dump/pg_restore command line for Django's database, and its environment
    (the password goes in PGPASSWORD, never on the command line)."""
    db = connection.settings_dict
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    command = [*args]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            command += [option, str(db[key])]
    return command, env


def _pg_binary(name: str) -> str:
    # The server's own version of the tool (Debian keeps them per version).
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=lambda p: p.parts)
    return str(found[-1]) if found else name


def backup(target_dir: Path) -> Report:
    started = time.monotonic()
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d-%H%M%S")
    final = target_dir / f"portico-backup-{stamp}"
    partial = target_dir / f".{final.name}.partial"
    if partial.exists():
        shutil.rmtree(partial)
    partial.mkdir(parents=True)
    vendor = connection.vendor
    rows = row_counts()
    if vendor == "sqlite":
        connection.ensure_connection()
        source = connection.connection
        with sqlite3.connect(partial / "database.sqlite3") as copy:
            source.backup(copy)
        copy.close()
    elif vendor == "postgresql":
        command, env = _pg(
            [
                _pg_binary("pg_dump"),
                "--format=custom",
                "--no-owner",
                "--file",
                str(partial / "database.dump"),
            ]
        )
        subprocess.run([*command, str(connection.settings_dict["NAME"])], env=env, check=True)  # noqa: S603 - our own arguments
    else:
        raise BackupError(f"No backup for {vendor} databases.")
    _copy_out(default_storage, partial / "media")
    files = _files_of(partial / "media")
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "created_at": datetime.datetime.now(datetime.UTC).isoformat(),
        "database": vendor,
        "rows": rows,
        "files": files,
    }
    (partial / MANIFEST).write_text(json.dumps(manifest, indent=1))
    partial.rename(final)
    return Report(final, time.monotonic() - started, rows, len(files))


def restore(source: Path) -> Report:
    started = time.monotonic()
    manifest = json.loads((source / MANIFEST).read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{source} is not a Portico backup of a format this version reads.")
    vendor = connection.vendor
    if manifest["database"] != vendor:
        raise BackupError(f"{source} holds a {manifest['database']} database, not {vendor}.")
    # Every file is checked before anything is replaced: a damaged backup changes nothing.
    found = _files_of(source / "media")
    damaged = sorted(
        name for name, digest in manifest["files"].items() if found.get(name) != digest
    )
    if damaged:
        raise BackupError(f"{len(damaged)} files differ from the manifest, e.g. {damaged[0]}")
    if vendor == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(source / "database.sqlite3") as copy:
            copy.backup(connection.connection)
        copy.close()
    else:
        connection.close()  # pg_restore --clean drops what this session might hold
        command, env = _pg(
            [
                _pg_binary("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--dbname",
                str(connection.settings_dict["NAME"]),
            ]
        )
        subprocess.run([*command, str(source / "database.dump")], env=env, check=True)  # noqa: S603 - our own arguments
    if isinstance(default_storage, FileSystemStorage):
        _swap_directory(Path(default_storage.location), source / "media")
    else:
        _replace_objects(default_storage, source / "media", set(found))
    rows = row_counts()
    problems = [
        f"{table}: {rows.get(table)} rows, the backup had {count}"
        for table, count in manifest["rows"].items()
        if rows.get(table) != count
    ]
    return Report(source, time.monotonic() - started, rows, len(found), problems)


def _swap_directory(media: Path, backed_up: Path) -> None:
    # The whole tree is swapped in by renames, so no moment mixes old and restored files.
    incoming = media.with_name(media.name + ".restoring")
    if incoming.exists():
        shutil.rmtree(incoming)
    if backed_up.exists():
        shutil.copytree(backed_up, incoming)
    else:
        incoming.mkdir(parents=True)
    outgoing = media.with_name(media.name + ".replaced")
    if media.exists():
        if outgoing.exists():
            shutil.rmtree(outgoing)
        media.rename(outgoing)
    incoming.rename(media)
    if outgoing.exists():
        shutil.rmtree(outgoing)


def _replace_objects(storage: Storage, backed_up: Path, names: set[str]) -> None:
    # A bucket has no rename: every backed-up object is written first, and only then are
    # the ones the backup does not hold deleted, so a restore cut short loses nothing.
    for name in sorted(names):
        if storage.exists(name):
            storage.delete(name)
        with (backed_up / name).open("rb") as handle:
            saved = storage.save(name, File(handle))
        if saved != name:
            raise BackupError(f"{name} was stored as {saved}; the restore is incomplete.")
    for name in _stored_names(storage):
        if name not in names:
            storage.delete(name)

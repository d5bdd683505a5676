"""``icalbridge backup FILE`` and ``icalbridge restore FILE``: the hub's data as portable JSON lines.

The file holds one header line, then one Django-serialized row per line, models in
dependency order, primary keys kept: feed tokens, public ids and API token hashes come
back as they were, so every link handed out keeps working after a restore. Foreign keys
to users, permissions and content types are written by natural key, so the file loads into
a database whose content types were numbered differently. A name ending in .gz is gzipped.
"""

from __future__ import annotations

import gzip
import io
import json
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from django.apps import apps
from django.core import serializers
from django.core.management import call_command
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Model
from django.utils.translation import gettext as _

from icalbridge.api.ids import derived_id
from icalbridge.commands.progress import Progress

FORMAT = "icalbridge-backup"
VERSION = 1
# Rebuilt by `migrate` in every database, or worthless once restored (sessions).
_SKIPPED_APPS = frozenset({"contenttypes", "sessions"})
_SKIPPED_MODELS = frozenset({"auth.permission"})
_BATCH = 500
# Before migration 0006 the API named these rows by ids derived from their primary keys, and
# their backups carry no public_id: restored, each row gets the id its clients hold.
_IDS_DERIVED_BEFORE_0006 = {
    "hub.apitoken": "api-token",
    "hub.agendafeed": "agenda-feed",
    "hub.membership": "membership",
    "hub.webhooktarget": "webhook",
}


class BackupError(Exception):
    """A backup file that cannot be restored, with the reason in plain words."""


def backed_up_models() -> list[type[Model]]:
    """Return every model whose rows a backup holds, each after the models it refers to."""
    app_list = [(config, None) for config in apps.get_app_configs()]
    ordered = serializers.sort_dependencies(app_list, allow_cycles=True)
    return [
        model
        for model in ordered
        if model._meta.app_label not in _SKIPPED_APPS
        and model._meta.label_lower not in _SKIPPED_MODELS
        and model._meta.managed
        and not model._meta.proxy
    ]


def _open_for_writing(path: Path) -> IO[str]:
    if path.suffix == ".gz":
        return gzip.open(path, "wt", encoding="utf-8")
    return path.open("w", encoding="utf-8")


def _open_for_reading(path: Path) -> IO[str]:
    with path.open("rb") as probe:
        is_gzip = probe.read(2) == b"\x1f\x8b"
    if is_gzip:
        return gzip.open(path, "rt", encoding="utf-8")
    return io.TextIOWrapper(path.open("rb"), encoding="utf-8")


def _rows_of(model: type[Model]) -> Iterator[dict[str, Any]]:
    # Prefetched, a batch's many-to-many links cost one query instead of one per row.
    links = [
        f.name
        for f in model._meta.many_to_many
        if f.remote_field.through is not None and f.remote_field.through._meta.auto_created
    ]
    rows = model._default_manager.order_by("pk").prefetch_related(*links)
    batch: list[Model] = []
    for row in rows.iterator(chunk_size=_BATCH):
        batch.append(row)
        if len(batch) == _BATCH:
            yield from serializers.serialize("python", batch, use_natural_foreign_keys=True)
            batch = []
    if batch:
        yield from serializers.serialize("python", batch, use_natural_foreign_keys=True)


def write_backup(path: Path) -> dict[str, int]:
    """Write every row of the hub to path; return the count of rows per model."""
    models = backed_up_models()
    # Inside a caller's transaction (a test) the isolation level is no longer ours to set.
    wants_snapshot = connection.vendor == "postgresql" and not connection.in_atomic_block
    with transaction.atomic():
        if wants_snapshot:
            # One snapshot for the whole dump: a booking written meanwhile cannot appear
            # without its unit.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        counts = {m._meta.label_lower: m._default_manager.count() for m in models}
        header = {
            "format": FORMAT,
            "version": VERSION,
            "created_at": datetime.now(UTC).isoformat(),
            "counts": counts,
        }
        with (
            _open_for_writing(path) as out,
            Progress(_("backup"), sum(counts.values())) as bar,
        ):
            out.write(json.dumps(header) + "\n")
            for model in models:
                for record in _rows_of(model):
                    out.write(json.dumps(record, cls=DjangoJSONEncoder, ensure_ascii=False) + "\n")
                    bar.advance()
    return counts


def occupied_models() -> list[str]:
    """Return the labels of the backed-up models that already hold rows."""
    return [m._meta.label_lower for m in backed_up_models() if m._default_manager.exists()]


def _read_header(lines: IO[str]) -> dict[str, Any]:
    first = lines.readline()
    try:
        header = json.loads(first)
    except json.JSONDecodeError:
        raise BackupError("This file is not an icalbridge backup (no header line).") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise BackupError("This file is not an icalbridge backup.")
    if header.get("version") != VERSION:
        raise BackupError(f"This backup has version {header.get('version')}; expected {VERSION}.")
    return header


def load_backup(path: Path) -> int:
    """Load a backup into an empty database in one transaction; return the rows loaded."""
    with _open_for_reading(path) as lines:
        header = _read_header(lines)
        total = sum(int(n) for n in header.get("counts", {}).values())
        loaded = 0
        with (
            transaction.atomic(),
            connection.constraint_checks_disabled(),
            Progress(_("restore"), total) as bar,
        ):
            for number, line in enumerate(lines, start=2):
                if not line.strip():
                    continue
                try:
                    row = _with_the_api_id_it_had(json.loads(line))
                    objects = list(serializers.deserialize("python", [row]))
                except (json.JSONDecodeError, serializers.base.DeserializationError) as exc:
                    raise BackupError(f"Line {number} cannot be read: {exc}") from None
                for deserialized in objects:
                    deserialized.save(force_insert=True)
                loaded += 1
                bar.advance()
            models = backed_up_models()
            connection.check_constraints(table_names=[m._meta.db_table for m in models])
            _reset_sequences(models)
    return loaded


def _with_the_api_id_it_had(row: Any) -> Any:
    if not isinstance(row, dict):
        return row
    kind = _IDS_DERIVED_BEFORE_0006.get(str(row.get("model")))
    fields = row.get("fields")
    if kind and isinstance(fields, dict) and "public_id" not in fields and "pk" in row:
        fields["public_id"] = derived_id(kind, int(row["pk"]))
    return row


def _reset_sequences(models: list[type[Model]]) -> None:
    # Rows came with their keys; PostgreSQL's counters must move past them or the next
    # insert collides.
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def has_pending_migrations() -> bool:
    """Tell whether the database lacks tables or columns this version of icalbridge has."""
    executor = MigrationExecutor(connection)
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def backup_command(file: str) -> int:
    """Write a backup; exit 0, or 2 when the file cannot be written."""
    path = Path(file)
    if has_pending_migrations():
        # A backup of a half-migrated database would not load into an up-to-date one.
        print(_("The database is not up to date: run `icalbridge migrate` first."), file=sys.stderr)
        return 2
    try:
        counts = write_backup(path)
    except OSError as exc:
        print(
            _("Cannot write %(path)s: %(error)s.") % {"path": path, "error": exc.strerror or exc},
            file=sys.stderr,
        )
        return 2
    print(
        _("Backed up %(count)s rows to %(path)s.") % {"count": sum(counts.values()), "path": path}
    )
    return 0


def restore_command(file: str) -> int:
    """Restore a backup into an empty database; exit 2 when it is not empty or unreadable."""
    path = Path(file)
    if not path.is_file():
        print(_("No file %(path)s.") % {"path": path}, file=sys.stderr)
        return 2
    call_command("migrate", interactive=False, verbosity=0)
    occupied = occupied_models()
    if occupied:
        print(
            _(
                "Refusing to restore: the database is not empty (it holds %(tables)s). "
                "Restore into a new, empty database."
            )
            % {"tables": ", ".join(occupied)},
            file=sys.stderr,
        )
        return 2
    try:
        loaded = load_backup(path)
    except (BackupError, OSError, EOFError, UnicodeDecodeError) as exc:
        print(
            _("Cannot restore %(path)s: %(error)s") % {"path": path, "error": exc}, file=sys.stderr
        )
        return 2
    print(_("Restored %(count)s rows from %(path)s.") % {"count": loaded, "path": path})
    return 0

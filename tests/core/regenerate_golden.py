"""Rewrite the golden of every corpus file: ``python tests/core/regenerate_golden.py --write``.

A golden is a digest of how a corpus file reads: its counts of events, kinds and problems,
and a SHA-256 of the whole reading. The reading itself (guests' names, UIDs, dates) is the
corpus's third-party data and stays outside the repository, with the corpus.

Without ``--write`` it only lists the files whose reading changed; ``--show FILE`` prints
the whole reading of one (its path under the corpus) to review. Each change is a change in
what hosts will see: read the readings before committing new goldens.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from django.utils import translation  # noqa: E402

from icalbridge.core.ics_read import ReadOptions, read_feed  # noqa: E402
from icalbridge.inspect import feed_as_json  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus" / "real"
GOLDEN = Path(__file__).resolve().parent / "golden"
GOLDEN_OPTIONS = ReadOptions(today=date(2026, 11, 21), zone="Europe/Paris")


def golden_path(corpus_file: Path) -> Path:
    """Return where the golden JSON of a corpus file lives."""
    relative = corpus_file.relative_to(CORPUS)
    return GOLDEN / relative.parent / f"{relative.stem}.json"


def golden_of(corpus_file: Path) -> dict[str, Any]:
    """Return the digest of a corpus file's reading that its golden holds."""
    reading = reading_of(corpus_file)
    events = reading["events"]
    return {
        "events": len(events),
        "kinds": dict(sorted(Counter(e["kind"] for e in events).items())),
        "all_day": sum(1 for e in events if e["all_day"]),
        "blocks": sum(1 for e in events if e["is_block"]),
        "problems": dict(sorted(Counter(p["code"] for p in reading["problems"]).items())),
        "platform": reading["platform"],
        "is_calendar": reading["is_calendar"],
        "is_truncated": reading["is_truncated"],
        "reading_sha256": hashlib.sha256(golden_text(reading).encode()).hexdigest(),
    }


def reading_of(corpus_file: Path) -> dict[str, Any]:
    """Return the JSON a corpus file reads into, with the fixed options of the goldens.

    Problems' messages are taken in English whatever language is active, so that a golden
    does not depend on which test ran before it.
    """
    with translation.override("en"):
        return feed_as_json(read_feed(corpus_file.read_bytes(), GOLDEN_OPTIONS))


def golden_text(value: dict[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true", help="write the golden files")
    parser.add_argument("--show", metavar="FILE", help="print one corpus file's whole reading")
    args = parser.parse_args(argv)
    if args.show:
        print(golden_text(reading_of(CORPUS / args.show)), end="")
        return 0
    changed = 0
    for corpus_file in sorted(CORPUS.rglob("*.ics")):
        path = golden_path(corpus_file)
        text = golden_text(golden_of(corpus_file))
        if path.is_file() and path.read_text(encoding="utf-8") == text:
            continue
        changed += 1
        print(f"{'writing' if args.write else 'changed'}: {path.relative_to(GOLDEN)}")
        if args.write:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    print(f"{changed} golden file(s) {'written' if args.write else 'differ'}.")
    return 0


if __name__ == "__main__":
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "icalbridge.settings")
    django.setup()
    raise SystemExit(main(sys.argv[1:]))

"""Rewrite the golden JSON of every corpus file: ``python tests/core/regenerate_golden.py --write``.

Without ``--write`` it only lists the files whose reading changed. Review the diff of the
golden files before committing it: each change is a change in what hosts will see.
"""

from __future__ import annotations

import argparse
import json
import sys
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
    args = parser.parse_args(argv)
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

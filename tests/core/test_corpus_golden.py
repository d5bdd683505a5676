"""Every real feed of the corpus reads as its reviewed golden says.

Regenerate with ``python tests/core/regenerate_golden.py --write`` after reading what
changed (``--show FILE`` prints a file's whole reading).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import CORPUS, corpus_files
from tests.core.regenerate_golden import GOLDEN, golden_of, golden_path

CORPUS_FILES = corpus_files()


@pytest.mark.parametrize(
    "relative", [str(p.relative_to(CORPUS)) for p in CORPUS_FILES] or ["(corpus absent)"]
)
def test_corpus_file_reads_into_its_golden_json(corpus_dir: Path, relative: str) -> None:
    corpus_file = corpus_dir / relative
    golden = golden_path(corpus_file)
    assert golden.is_file(), (
        f"no golden for {relative}: run tests/core/regenerate_golden.py --write"
    )
    assert golden_of(corpus_file) == json.loads(golden.read_text(encoding="utf-8")), (
        f"{relative} reads differently: tests/core/regenerate_golden.py --show {relative}"
    )


def test_every_golden_file_has_its_corpus_file(corpus_dir: Path) -> None:
    expected = {golden_path(p) for p in CORPUS_FILES}
    present = set(GOLDEN.rglob("*.json"))
    assert present == expected

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus" / "real"
FIXTURE_FEEDS = Path(__file__).resolve().parent / "fixtures" / "feeds"
IN_CI = os.environ.get("CI", "").lower() == "true"


def corpus_files() -> list[Path]:
    """Every .ics file of the shared third-party corpus, read in place."""
    if not CORPUS.is_dir():
        return []
    return sorted(CORPUS.rglob("*.ics"))


@pytest.fixture
def corpus_dir() -> Path:
    if not CORPUS.is_dir():
        if IN_CI:
            pytest.fail(f"the shared corpus must be present in CI, looked in {CORPUS}")
        pytest.skip(f"the shared corpus is not beside this clone ({CORPUS} is absent)")
    return CORPUS

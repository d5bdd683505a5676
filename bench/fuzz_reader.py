"""Fuzz the feed reader: mutated real feeds and random bytes, never an exception, never slow.

Run: .venv/bin/python -m bench.fuzz_reader [--count 100000] [--max-minutes 20] [--seed 1]
     [--limit-s 2.0]
Seeds are the third-party corpus read in place beside the repository (``CORPUS``) and our fixture
feeds. Each input is a seed damaged by 1 to 8 mutations (flip, cut, insert, duplicate a
line, splice two feeds, nest BEGIN lines, repeat a property, inject a long line) or, one time
in ten, raw random bytes. Prints counts every 10,000 inputs and a final summary line.
An input that raises, returns something unsound, or takes longer than --limit-s is saved
under /tmp/icalbridge-fuzz/ for replay.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from icalbridge.core.feed import Feed  # noqa: E402
from icalbridge.core.ics_read import PROBLEM_CODES, ReadOptions, read_feed  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus" / "real"
FIXTURES = REPO / "tests" / "fixtures" / "feeds"
FINDINGS = Path("/tmp/icalbridge-fuzz")
OPTIONS = ReadOptions(today=date(2026, 11, 21))
# Larger seeds make each input slow without adding shapes the small ones lack.
MAX_SEED_BYTES = 40_000
TOKENS = [
    b"BEGIN:VEVENT",
    b"END:VEVENT",
    b"BEGIN:VCALENDAR",
    b"END:VCALENDAR",
    b"BEGIN:VTIMEZONE",
    b"RRULE:FREQ=DAILY;COUNT=100000",
    b"RRULE:FREQ=SECONDLY",
    b"RRULE:FREQ=YEARLY;BYDAY=MO,TU,WE;BYSETPOS=-1",
    b"DTSTART;VALUE=DATE:99991231",
    b"DTSTART:00010101T000000Z",
    b"DTEND;TZID=Nowhere/Atlantis:20261201T100000",
    b"EXDATE:garbage",
    b"DURATION:P99999999D",
    b"UID:",
    b"SEQUENCE:-99999999999999999999",
    b"STATUS:CANCELLED",
    b"RECURRENCE-ID:20261201",
    b"X-WR-TIMEZONE:Mars/Olympus",
    b"\xff\xfe\x00",
    b"\r\n ",
]


def seeds() -> list[bytes]:
    """Return the seed feeds: the corpus in place, then our fixtures."""
    paths = sorted(CORPUS.rglob("*.ics")) + sorted(FIXTURES.glob("*.ics"))
    return [p.read_bytes() for p in paths if 0 < p.stat().st_size <= MAX_SEED_BYTES]


def mutated(rng: random.Random, pool: list[bytes]) -> bytes:
    """Return a seed damaged by a few random mutations, or plain random bytes."""
    if rng.random() < 0.1:
        return rng.randbytes(rng.randint(0, 4000))
    data = bytearray(rng.choice(pool))
    for _ in range(rng.randint(1, 8)):
        if not data:
            data = bytearray(rng.choice(pool))
        at = rng.randrange(max(len(data), 1))
        kind = rng.randrange(9)
        if kind == 0:
            data[at] = rng.randrange(256)
        elif kind == 1:
            del data[at:]
        elif kind == 2:
            data[at:at] = rng.randbytes(rng.randint(1, 16))
        elif kind == 3:
            data[at:at] = b"\r\n" + rng.choice(TOKENS) + b"\r\n"
        elif kind == 4:
            lines = bytes(data).split(b"\n")
            i = rng.randrange(len(lines))
            lines[i:i] = [lines[i]] * rng.randint(1, 50)
            data = bytearray(b"\n".join(lines))
        elif kind == 5:
            other = rng.choice(pool)
            data[at:] = other[rng.randrange(max(len(other), 1)) :]
        elif kind == 6:
            data[at:at] = b"\r\nBEGIN:VEVENT" * rng.randint(1, 300)
        elif kind == 7:
            data[at:at] = b"\r\nDESCRIPTION:" + b"x" * rng.randint(1, 200_000)
        else:
            lines = bytes(data).split(b"\n")
            del lines[rng.randrange(len(lines))]
            data = bytearray(b"\n".join(lines))
    return bytes(data)


def unsoundness_of(feed: object) -> str | None:
    """Return why a read result breaks the reader's promises, or None when it keeps them."""
    if not isinstance(feed, Feed):
        return f"returned {type(feed).__name__}"
    if not feed.problem_codes() <= set(PROBLEM_CODES):
        return f"unknown problem codes {feed.problem_codes() - set(PROBLEM_CODES)}"
    keys = [e.key for e in feed.events]
    if len(keys) != len(set(keys)):
        return "duplicate event keys"
    if not feed.is_calendar and feed.events:
        return "events from something that is not a calendar"
    return None


def save_finding(kind: str, data: bytes) -> Path:
    FINDINGS.mkdir(exist_ok=True)
    path = FINDINGS / f"{kind}-{hashlib.sha256(data).hexdigest()[:16]}.ics"
    path.write_bytes(data)
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--max-minutes", type=float, default=20.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--limit-s", type=float, default=2.0, help="time bound per input")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    pool = seeds()
    deadline = time.monotonic() + args.max_minutes * 60
    counts: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    slowest = 0.0
    started = time.monotonic()
    print(f"# {len(pool)} seeds, count={args.count}, limit={args.limit_s}s", flush=True)
    done = 0
    for done in range(1, args.count + 1):
        data = mutated(rng, pool)
        t0 = time.perf_counter()
        try:
            feed = read_feed(data, OPTIONS)
        except BaseException as error:  # the finding this tool exists to catch
            counts["raised"] += 1
            print(f"RAISED {type(error).__name__}: {save_finding('raised', data)}", flush=True)
            continue
        elapsed = time.perf_counter() - t0
        slowest = max(slowest, elapsed)
        if elapsed > args.limit_s:
            counts["slow"] += 1
            print(f"SLOW {elapsed:.2f}s: {save_finding('slow', data)}", flush=True)
        why = unsoundness_of(feed)
        if why:
            counts["unsound"] += 1
            print(f"UNSOUND {why}: {save_finding('unsound', data)}", flush=True)
        caught = [dict(p.params).get("error", "?") for p in feed.problems if p.code == "unreadable"]
        if caught:
            # The reader's last-resort catch: not a crash, but a shape worth a real fix.
            counts["unreadable"] += 1
            errors[caught[0]] += 1
            if errors[caught[0]] == 1:
                print(f"CAUGHT {caught[0]}: {save_finding('caught', data)}", flush=True)
        counts["applicable" if feed.can_be_applied else "refused"] += 1
        if done % 10_000 == 0:
            rate = done / (time.monotonic() - started)
            print(
                f"{done} inputs, {rate:.0f}/s, slowest {slowest:.3f}s, {dict(counts)}", flush=True
            )
        if time.monotonic() > deadline:
            print("# stopped at the time limit", flush=True)
            break
    total_s = time.monotonic() - started
    print(
        f"RESULT inputs={done} raised={counts['raised']} unsound={counts['unsound']} "
        f"slow={counts['slow']} slowest_s={slowest:.3f} unreadable={counts['unreadable']} "
        f"applicable={counts['applicable']} refused={counts['refused']} seconds={total_s:.0f} "
        f"caught_errors={dict(errors)}",
        flush=True,
    )
    return 1 if counts["raised"] or counts["unsound"] or counts["slow"] else 0


if __name__ == "__main__":
    sys.exit(main())

"""Long commands show their progress and time left on stderr: a bar on a terminal, lines in logs."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation

from icalbridge.cli import main
from icalbridge.commands.progress import Progress, duration_text
from tests.support.feed_server import FeedServer
from tests.support.hub import Stay, airbnb_feed, days_from_today, new_channel, new_unit


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Speak English, as the command does under LANG=C (its words come from the catalogues)."""
    with translation.override("en"):
        yield


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_log_gets_plain_lines_with_counts_and_time_left() -> None:
    log = io.StringIO()
    with Progress("restore", 4, log) as bar:
        for _ in range(4):
            bar.advance()
    lines = log.getvalue().splitlines()
    assert "\r" not in log.getvalue()
    assert lines[0].startswith("restore [") and "0/4" in lines[0] and "ETA --" in lines[0]
    assert "4/4" in lines[-1] and "100%" in lines[-1] and "ETA 0s" in lines[-1]
    assert len(lines) == 2


def test_a_terminal_gets_one_bar_redrawn_in_place() -> None:
    terminal = Terminal()
    with Progress("backup", 2, terminal) as bar:
        bar.advance()
        bar.advance()
    shown = terminal.getvalue()
    assert shown.count("\n") == 1 and shown.endswith("\n")
    assert shown.rsplit("\r", 1)[1].startswith("backup [" + "#" * 30 + "] 2/2")


def test_a_message_printed_during_the_work_does_not_tear_the_bar(
    capsys: pytest.CaptureFixture[str],
) -> None:
    terminal = Terminal()
    with Progress("import", 1, terminal) as bar:
        bar.say("Gîte: applied")
        bar.advance()
    assert capsys.readouterr().out == "Gîte: applied\n"
    assert "\r\x1b[K" in terminal.getvalue()


@pytest.mark.parametrize(
    ("seconds", "text"), [(4.4, "4s"), (185, "3m05s"), (3720, "1h02m"), (-1, "0s")]
)
def test_durations_read_as_a_person_says_them(seconds: float, text: str) -> None:
    assert duration_text(seconds) == text


@pytest.mark.django_db(transaction=True)
def test_import_now_all_reports_each_channel_and_its_progress(
    feed_server: FeedServer, settings: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    settings.ICALBRIDGE_ALLOW_PRIVATE_URLS_RAW = "127.0.0.1/32"
    unit = new_unit()
    feed_server.serve(
        "/a.ics", airbnb_feed([Stay("s@a.test", days_from_today(3), days_from_today(5))])
    )
    new_channel(unit, "Airbnb", "airbnb", url=feed_server.url("/a.ics"))
    new_channel(unit, "Abritel", "abritel", url=feed_server.url("/missing.ics"))
    assert main(["import-now", "--all"]) == 1
    out, err = capsys.readouterr()
    assert "Airbnb: applied (+1" in out
    assert "Abritel: failed" in out
    assert "import [" in err and "2/2" in err and "ETA" in err

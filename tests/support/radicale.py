"""A real Radicale CalDAV server on 127.0.0.1, with htpasswd logins, stopped and started at will."""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import icalendar
from caldav import DAVClient

USER = "teacher"
PASSWORD = "a-calendar-app-password"
# How long Radicale makes a wrong password wait (its default is a second, which adds up).
AUTH_DELAY_S = 0.05


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Radicale:
    folder: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self) -> None:
        """Start the server on its port and folder; return once it answers."""
        config = self.folder / "config"
        config.write_text(
            "[server]\n"
            f"hosts = 127.0.0.1:{self.port}\n"
            "[auth]\n"
            "type = htpasswd\n"
            f"htpasswd_filename = {self.folder / 'users'}\n"
            "htpasswd_encryption = plain\n"
            f"delay = {AUTH_DELAY_S}\n"
            "[storage]\n"
            f"filesystem_folder = {self.folder / 'collections'}\n"
            "[logging]\n"
            "level = error\n"
        )
        (self.folder / "users").write_text(f"{USER}:{PASSWORD}\nsomeone:else\n")
        log = (self.folder / "radicale.log").open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "radicale", "--config", str(config)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError((self.folder / "radicale.log").read_text())
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("Radicale did not start within 20 seconds")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def client(self) -> DAVClient:
        return DAVClient(
            url=self.url, username=USER, password=PASSWORD, enable_rfc6764=False, timeout=10
        )

    def new_calendar(self, name: str = "Cours") -> str:
        """Make a calendar of the teacher's and return its address."""
        calendar_id = uuid.uuid4().hex
        with self.client() as client:
            calendar = client.principal().make_calendar(name=name, cal_id=calendar_id)
            return str(calendar.url)

    def events(self, calendar_url: str) -> dict[str, icalendar.Event]:
        """Return the events a calendar holds, by UID, as any CalDAV client reads them."""
        with self.client() as client:
            found = {}
            for item in client.calendar(url=calendar_url).search(event=True):
                event = icalendar.Calendar.from_ical(item.data).walk("VEVENT")[0]
                found[str(event["UID"])] = event
            return found

    def hrefs(self, calendar_url: str) -> list[str]:
        """Return the names of the resources a calendar holds."""
        with self.client() as client:
            return sorted(
                str(item.url).rsplit("/", 1)[-1]
                for item in client.calendar(url=calendar_url).search(event=True)
            )

    def add_own_event(self, calendar_url: str, uid: str, summary: str) -> None:
        """Add an event as the teacher's own calendar program would."""
        with self.client() as client:
            client.calendar(url=calendar_url).add_event(
                "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Phone//EN\r\nBEGIN:VEVENT\r\n"
                f"UID:{uid}\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20270105T090000Z\r\n"
                f"DTEND:20270105T100000Z\r\nSUMMARY:{summary}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
            )


def started_radicale() -> Radicale:
    server = Radicale(Path(tempfile.mkdtemp(prefix="radicale-")))
    server.start()
    return server

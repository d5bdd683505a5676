"""Shared pieces of the benchmarks: machine facts, nginx, wrk, databases, feeds, processes."""

from __future__ import annotations

import contextlib
import getpass
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PG_ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# Machine ---------------------------------------------------------------------------------


def machine_facts() -> dict[str, str]:
    """Return what a reader needs to compare figures with their own machine."""
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    return {
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "ram_gb": f"{mem_kb / 1024 / 1024:.1f}",
        "date_utc": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "python": sys.version.split()[0],
    }


def load_average() -> str:
    """Return the 1, 5 and 15-minute load averages, to print beside every figure."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def print_header(title: str) -> None:
    facts = machine_facts()
    print(f"# {title}")
    print("# " + ", ".join(f"{k}={v}" for k, v in facts.items()))
    print(f"# load average at start: {load_average()}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing answered on 127.0.0.1:{port} within {timeout_s} s")


def percentile(values: list[float], p: float) -> float:
    """Return the p-th percentile (0-100) by nearest rank; nan for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


# Processes -------------------------------------------------------------------------------


def process_cpu_s(pid: int) -> float:
    """Return the user + system CPU seconds a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def process_tree_cpu_s(pid: int) -> float:
    """Return the CPU seconds of a process and of every process below it, ended or not."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    tree, frontier = {pid}, [pid]
    while frontier:
        parent = frontier.pop()
        for child, its_parent in parents.items():
            if its_parent == parent and child not in tree:
                tree.add(child)
                frontier.append(child)
    # Children that ended (short-lived PostgreSQL backends) count in their parent's
    # cutime and cstime once reaped.
    root = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    total = (int(root[13]) + int(root[14])) / CLOCK_TICKS
    for member in tree:
        with contextlib.suppress(OSError):
            total += process_cpu_s(member)
    return total


def process_rss_mb(pid: int, field: str = "VmRSS") -> float:
    """Return a process's resident memory (VmRSS) or its peak (VmHWM) in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def machine_busy_s() -> float:
    """Return the CPU seconds every core of the machine has spent busy since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values[:8]) - idle) / CLOCK_TICKS


def stop_process(process: subprocess.Popen[bytes], timeout_s: float = 20.0) -> None:
    """Stop a process we started, politely first."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def icalbridge_env(database_url: str, data_dir: Path, **extra: str) -> dict[str, str]:
    """Return the environment of an icalbridge process on a given database."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "ICALBRIDGE_DATA_DIR": str(data_dir),
        "ICALBRIDGE_ALLOW_PRIVATE_URLS": "127.0.0.1/32",
        "ICALBRIDGE_LOG_LEVEL": "WARNING",
        "REDIS_URL": "",
        "PYTHONPATH": str(REPO),
    }
    env.update(extra)
    return env


def run_icalbridge(args: list[str], env: dict[str, str]) -> None:
    subprocess.run([PYTHON, "-m", "icalbridge.cli", *args], env=env, cwd=REPO, check=True)


def run_bench_step(module: str, args: list[str], env: dict[str, str]) -> str:
    """Run a step of a benchmark in its own process (Django binds one database per process)."""
    done = subprocess.run(
        [PYTHON, "-m", module, *args], env=env, cwd=REPO, check=True, capture_output=True
    )
    return done.stdout.decode()


# Databases -------------------------------------------------------------------------------


def fresh_postgres_database(name: str) -> str:
    """Drop and create a PostgreSQL database of ours; return its URL."""
    import psycopg

    with psycopg.connect(f"{PG_ADMIN_URL}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{PG_ADMIN_URL}/{name}"


def postgres_database_exists(name: str) -> bool:
    import psycopg

    with psycopg.connect(f"{PG_ADMIN_URL}/postgres", autocommit=True) as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
    return row is not None


def flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


# nginx and wrk ---------------------------------------------------------------------------


def ensure_nginx_and_wrk() -> None:
    """Install Debian's nginx and wrk when either is missing (needs root and apt-get)."""
    if Path("/usr/sbin/nginx").exists() and shutil.which("wrk"):
        return
    print("# installing nginx and wrk with apt-get", flush=True)
    # Without the Debian policy hook's permission, the package's own nginx service would
    # start on port 80 of every address; the benchmark starts its own on loopback.
    policy = Path("/usr/sbin/policy-rc.d")
    placed = not policy.exists()
    if placed:
        policy.write_text("#!/bin/sh\nexit 101\n")
        policy.chmod(0o755)
    try:
        install = ["apt-get", "install", "-y", "--no-install-recommends", "nginx", "wrk"]
        if subprocess.run(install, stdout=subprocess.DEVNULL).returncode != 0:
            subprocess.run(["apt-get", "update"], stdout=subprocess.DEVNULL, check=True)
            subprocess.run(install, stdout=subprocess.DEVNULL, check=True)
    finally:
        if placed:
            policy.unlink()


class Nginx:
    """An nginx on 127.0.0.1 serving a folder: ETag and If-Modified-Since under /e/, none under /nv/.

    /nv/ ignores conditional requests, as servers without validators do, so the client
    gets 200 every time and the importer's fingerprint path does the work.
    """

    def __init__(self, root: Path, *, workers: int = 2, port: int | None = None) -> None:
        self.root = root
        self.port = port or free_port()
        self.prefix = Path(tempfile.mkdtemp(prefix="bench-nginx-"))
        conf = self.prefix / "nginx.conf"
        conf.write_text(
            # Workers run as the bench's user, who owns the temporary folders (0700).
            f"""
user {getpass.getuser()};
worker_processes {workers};
pid {self.prefix}/nginx.pid;
error_log {self.prefix}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {self.prefix}/tmp;
    proxy_temp_path {self.prefix}/tmp;
    fastcgi_temp_path {self.prefix}/tmp;
    uwsgi_temp_path {self.prefix}/tmp;
    scgi_temp_path {self.prefix}/tmp;
    types {{ text/calendar ics; }}
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    server {{
        listen 127.0.0.1:{self.port};
        root {root};
        etag on;
        location /nv/ {{ etag off; if_modified_since off; }}
    }}
}}
"""
        )
        self.process = subprocess.Popen(
            ["/usr/sbin/nginx", "-p", str(self.prefix), "-c", str(conf), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self) -> None:
        stop_process(self.process)
        shutil.rmtree(self.prefix, ignore_errors=True)


@dataclass(frozen=True)
class WrkResult:
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    requests: int
    non_2xx_3xx: int
    errors: int
    load: str
    server_cpu_ms: float  # server CPU per request (its whole process tree); nan if unknown

    def line(self) -> str:
        return (
            f"{self.requests_per_s:9.0f} req/s  p50 {self.p50_ms:7.2f} ms  p99 {self.p99_ms:7.2f} ms"
            f"  server CPU {self.server_cpu_ms:5.3f} ms/req"
            f"  (n={self.requests}, bad={self.non_2xx_3xx + self.errors}, load {self.load})"
        )


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([0-9.]+)([a-z]+)", text).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS_MS[unit]


def run_wrk(
    url: str,
    *,
    threads: int = 2,
    connections: int = 32,
    duration_s: int = 10,
    script: Path | None = None,
    server_pid: int | None = None,
) -> WrkResult:
    """Run wrk --latency against a URL and return its throughput and latency percentiles."""
    cpu_before = process_tree_cpu_s(server_pid) if server_pid else 0.0
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration_s}s", "--latency"]
    if script is not None:
        command += ["-s", str(script)]
    output = subprocess.run(
        [*command, url], check=True, capture_output=True, text=True, timeout=duration_s + 60
    ).stdout
    load = load_average()
    server_cpu_s = process_tree_cpu_s(server_pid) - cpu_before if server_pid else float("nan")
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+(\S+)$", output, re.MULTILINE))
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    requests = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    return WrkResult(
        requests_per_s=float(re.search(r"Requests/sec:\s+([0-9.]+)", output).group(1)),  # type: ignore[union-attr]
        # wrk prints no distribution when it got no answer at all (a server that failed).
        p50_ms=_ms(percentiles["50"]) if "50" in percentiles else float("nan"),
        p99_ms=_ms(percentiles["99"]) if "99" in percentiles else float("nan"),
        requests=requests,
        non_2xx_3xx=int(bad.group(1)) if bad else 0,
        errors=sum(int(g) for g in errors.groups()) if errors else 0,
        load=load,
        server_cpu_ms=1000 * server_cpu_s / max(1, requests),
    )


def wrk_script(directory: Path, *, if_none_match: str | None, delay_ms: float | None) -> Path:
    """Write a wrk Lua script adding If-None-Match and/or pacing each connection."""
    lines = []
    if if_none_match is not None:
        quoted = if_none_match.replace("\\", "\\\\").replace('"', '\\"')
        lines.append(f'wrk.headers["If-None-Match"] = "{quoted}"')
    if delay_ms is not None:
        lines.append(f"function delay() return {delay_ms:.3f} end")
    path = directory / f"wrk-{abs(hash((if_none_match, delay_ms)))}.lua"
    path.write_text("\n".join(lines) + "\n")
    return path


# Feeds -----------------------------------------------------------------------------------


def airbnb_style_feed(
    events: int, seed: int, today: date, *, slot: int = 0, slots: int = 1
) -> bytes:
    """Return a feed in Airbnb's style: reservations and blocked nights, all-day, CRLF.

    Stays fall in five-day slots, slot ``slot`` of every ``slots``: the channels of one unit
    get different slots, so that their bookings never overlap (no double bookings).
    """
    rng = random.Random(seed)
    lines = [
        "BEGIN:VCALENDAR",
        "PRODID:-//Airbnb Inc//Hosting Calendar 1.0//EN",
        "CALSCALE:GREGORIAN",
        "VERSION:2.0",
    ]
    base = today - timedelta(days=30)
    for n in range(events):
        start = base + timedelta(days=5 * (n * slots + slot) + rng.randint(0, 1))
        end = start + timedelta(days=rng.randint(1, 3))
        reserved = rng.random() < 0.7
        code = "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(10))
        lines += [
            "BEGIN:VEVENT",
            "DTSTAMP:20261121T060000Z",
            f"DTSTART;VALUE=DATE:{start:%Y%m%d}",
            f"DTEND;VALUE=DATE:{end:%Y%m%d}",
            f"SUMMARY:{'Reserved' if reserved else 'Airbnb (Not available)'}",
            f"UID:{seed:x}-{n}-{code.lower()}@airbnb.com",
        ]
        if reserved:
            lines += [
                "DESCRIPTION:Reservation URL: https://www.airbnb.com/hosting/reservations/"
                f"details/{code}\\nPhone Number (Last 4 Digits): {rng.randint(1000, 9999)}",
            ]
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


def google_style_feed(events: int, seed: int, today: date) -> bytes:
    """Return a feed in Google Calendar's style: VTIMEZONE, timed events, long descriptions."""
    rng = random.Random(seed)
    lines = [
        "BEGIN:VCALENDAR",
        "PRODID:-//Google Inc//Google Calendar 70.9054//EN",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:Cleaning team",
        "X-WR-TIMEZONE:Europe/Paris",
        "BEGIN:VTIMEZONE",
        "TZID:Europe/Paris",
        "X-LIC-LOCATION:Europe/Paris",
        "BEGIN:DAYLIGHT",
        "TZOFFSETFROM:+0100",
        "TZOFFSETTO:+0200",
        "TZNAME:CEST",
        "DTSTART:19700329T020000",
        "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
        "END:DAYLIGHT",
        "BEGIN:STANDARD",
        "TZOFFSETFROM:+0200",
        "TZOFFSETTO:+0100",
        "TZNAME:CET",
        "DTSTART:19701025T030000",
        "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
        "END:STANDARD",
        "END:VTIMEZONE",
    ]
    span_days = max(60, events // 3)
    for n in range(events):
        day = today - timedelta(days=span_days // 3) + timedelta(days=rng.randrange(span_days))
        hour = rng.randint(7, 19)
        length = rng.choice((1, 2, 3))
        lines += [
            "BEGIN:VEVENT",
            f"DTSTART;TZID=Europe/Paris:{day:%Y%m%d}T{hour:02d}0000",
            f"DTEND;TZID=Europe/Paris:{day:%Y%m%d}T{hour + length:02d}0000",
            "DTSTAMP:20261121T060000Z",
            f"UID:{seed:x}{n:06d}abcdef@google.com",
            "CREATED:20260101T090000Z",
            f"DESCRIPTION:Cleaning and linen change for the next guests. Keys in box {n % 9}.",
            "LAST-MODIFIED:20261101T090000Z",
            f"LOCATION:Gîte {n % 7}\\, 12 rue des Tilleuls\\, 24200 Sarlat",
            "SEQUENCE:0",
            "STATUS:CONFIRMED",
            f"SUMMARY:Ménage gîte {n % 7}",
            "TRANSP:OPAQUE",
            "BEGIN:VALARM",
            "ACTION:DISPLAY",
            "DESCRIPTION:This is an event reminder",
            "TRIGGER:-P0DT0H30M0S",
            "END:VALARM",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return _folded(lines)


def _folded(lines: list[str]) -> bytes:
    out = []
    for line in lines:
        raw = line.encode()
        while len(raw) > 75:
            cut = 75
            while raw[cut] & 0xC0 == 0x80:  # never split a UTF-8 sequence
                cut -= 1
            out.append(raw[:cut])
            raw = b" " + raw[cut:]
        out.append(raw)
    return b"\r\n".join(out) + b"\r\n"

"""The core stays pure: no framework, network, files or clock.

docs/architecture.md house rule 1.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import icalbridge.core

CORE = Path(icalbridge.core.__file__).parent
CORE_PACKAGE = "icalbridge.core"
THIRD_PARTY = frozenset({"icalendar", "recurring_ical_events", "x_wr_timezone"})

# Standard modules that reach files, the network, processes, the environment, the clock or
# randomness, or that import code by name (which would hide any of those from this check).
IMPURE_STDLIB = frozenset(
    {
        "asyncio", "atexit", "builtins", "bz2", "code", "concurrent", "ctypes", "curses",
        "dbm", "fcntl", "filecmp", "fileinput", "ftplib", "getpass", "glob", "grp", "gzip",
        "http", "imaplib", "importlib", "linecache", "logging", "lzma", "mailbox", "mmap",
        "multiprocessing", "os", "pathlib", "pdb", "pickle", "platform", "poplib", "pty",
        "pwd", "random", "resource", "runpy", "sched", "secrets", "select", "selectors",
        "shelve", "shutil", "signal", "site", "smtplib", "socket", "socketserver", "sqlite3",
        "ssl", "subprocess", "sys", "sysconfig", "tarfile", "telnetlib", "tempfile",
        "threading", "time", "tkinter", "tty", "uuid", "webbrowser", "wsgiref", "xmlrpc",
        "zipfile", "zipimport",
    }
)  # fmt: skip
IMPURE_SUBMODULES = ("urllib.request", "urllib.response", "urllib.error", "email.utils")
IN_MEMORY_IO = frozenset({"BytesIO", "StringIO"})
CLOCK_CALLS = frozenset({"now", "utcnow", "today"})
# Only on the ``time`` module: ``datetime.time()`` is a pure accessor.
TIME_MODULE_CALLS = frozenset({"time", "time_ns", "monotonic", "perf_counter"})
IMPURE_BUILTINS = frozenset({"open", "input", "print", "exec", "eval", "compile", "__import__"})


def impurities(source: str, module: str) -> list[str]:
    """Return what makes a core module's source impure, one line per finding."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [f"import {a.name}" for a in node.names if not _is_pure_module(a.name)]
        elif isinstance(node, ast.ImportFrom):
            name = _absolute(node, module)
            if name == "io":
                found += [
                    f"from io import {a.name}" for a in node.names if a.name not in IN_MEMORY_IO
                ]
            elif not _is_pure_module(name):
                found.append(f"from {name} import ...")
        elif isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv"):
            found.append(f"reads the environment ({node.attr})")
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and _is_clock_read(func):
                found.append(f"reads the clock (.{func.attr}())")
            elif isinstance(func, ast.Name) and func.id in IMPURE_BUILTINS:
                found.append(f"calls {func.id}()")
    return found


def _is_clock_read(func: ast.Attribute) -> bool:
    if func.attr in CLOCK_CALLS:
        return True
    return (
        func.attr in TIME_MODULE_CALLS
        and isinstance(func.value, ast.Name)
        and func.value.id == "time"
    )


def _absolute(node: ast.ImportFrom, module: str) -> str:
    if not node.level:
        return node.module or ""
    package = module.split(".")[: -node.level]
    return ".".join([*package, *([node.module] if node.module else [])])


def _is_pure_module(name: str) -> bool:
    top = name.split(".")[0]
    if name == CORE_PACKAGE or name.startswith(CORE_PACKAGE + "."):
        return True
    if top in THIRD_PARTY:
        return True
    if top == "io":
        return False
    if any(name == sub or name.startswith(sub + ".") for sub in IMPURE_SUBMODULES):
        return False
    return top in sys.stdlib_module_names and top not in IMPURE_STDLIB


def core_modules() -> list[Path]:
    return sorted(CORE.rglob("*.py"))


def _module_name(path: Path) -> str:
    parts = path.relative_to(CORE.parent.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@pytest.mark.parametrize("path", core_modules(), ids=lambda p: p.name)
def test_core_module_imports_no_framework_network_file_or_clock(path: Path) -> None:
    module = _module_name(path)
    if path.name == "__init__.py":
        module += ".__init__"

    assert impurities(path.read_text(encoding="utf-8"), module) == []


def test_the_core_has_modules_to_check() -> None:
    assert {"reconcile.py", "spans.py", "bookings.py"} <= {p.name for p in core_modules()}


@pytest.mark.parametrize(
    "source",
    [
        "import django",
        "from django.db import models",
        "import httpx",
        "import requests",
        "import socket",
        "from urllib.request import urlopen",
        "import urllib.request",
        "import subprocess",
        "import os\nzone = os.environ['TZ']",
        "from os import getenv",
        "from datetime import datetime\nstamp = datetime.now()",
        "from datetime import date\nday = date.today()",
        "import time\nstamp = time.time()",
        "stamp = time.monotonic()",
        "from io import open",
        "data = open('feed.ics').read()",
        "from .. import settings",
        "import random",
    ],
)
def test_the_purity_check_catches_each_forbidden_habit(source: str) -> None:
    assert impurities(source, "icalbridge.core.example") != []


def test_the_purity_check_lets_pure_code_through() -> None:
    source = (
        "from __future__ import annotations\n"
        "import re\n"
        "from datetime import date, timedelta\n"
        "from io import BytesIO\n"
        "from icalendar import Calendar\n"
        "from . import spans\n"
        "from .feed import FeedEvent\n"
        "tomorrow = date(2026, 1, 1) + timedelta(days=1)\n"
        "midnight = stamp.time()\n"
    )

    assert impurities(source, "icalbridge.core.example") == []

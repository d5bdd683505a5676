"""``/metrics`` in the Prometheus text format: imports, failures, queue lag and length, exports.

Import figures are read from the database (import runs, channels), so that every web
process reports the same numbers whichever one a scrape reaches. Export requests are
counted in the memory of each web process (a database write per request would cost more
than the request itself): they carry a ``process`` label, and their sum over the labels is
the total only when each web process is scraped (see docs/deploy.md).
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from icalbridge import clock
from icalbridge.hub.models import Channel, ChannelState, ImportOutcome, ImportRun
from icalbridge.ops.counters import export_not_modified, export_requests
from icalbridge.ops.lag import oldest_due_lag_s, waiting_channels
from icalbridge.sync.platform_delays import platform_delays
from icalbridge.sync.queue import queue_length

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


@dataclass(frozen=True)
class Sample:
    value: float
    labels: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Metric:
    name: str
    kind: str
    help: str
    samples: tuple[Sample, ...]


def metrics_token() -> str:
    """Return the bearer token /metrics requires; empty means the endpoint is open."""
    return str(settings.ICALBRIDGE_METRICS_TOKEN)


@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """Answer the current metrics, or 401 without the configured bearer token."""
    token = metrics_token()
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), token.encode()):
            return HttpResponse("Unauthorized\n", status=401, content_type="text/plain")
    body = render_metrics(collect_metrics(clock.now()))
    response = HttpResponse(body, content_type=CONTENT_TYPE)
    response["Cache-Control"] = "no-store"
    return response


def collect_metrics(now: datetime) -> list[Metric]:
    """Return every metric as of ``now``."""
    return [
        _imports_last_minute(now),
        _channels_by_state(),
        Metric(
            "icalbridge_queue_lag_seconds",
            "gauge",
            "How long the longest-waiting due channel that no worker claimed has waited.",
            (Sample(oldest_due_lag_s(now)),),
        ),
        Metric(
            "icalbridge_due_channels",
            "gauge",
            "Channels due for an import that no worker has claimed yet.",
            (Sample(waiting_channels(now).count()),),
        ),
        Metric(
            "icalbridge_queue_length",
            "gauge",
            "Imports claimed and waiting in the queue for a worker thread.",
            (Sample(queue_length()),),
        ),
        *_export_requests(),
        *_platform_delays(),
    ]


def _imports_last_minute(now: datetime) -> Metric:
    counts = dict(
        ImportRun.objects.filter(started_at__gte=now - timedelta(minutes=1))
        .values_list("outcome")
        .annotate(n=Count("id"))
        .values_list("outcome", "n")
    )
    return Metric(
        "icalbridge_imports_last_minute",
        "gauge",
        "Imports started in the last 60 seconds, by outcome (failed = failures).",
        tuple(Sample(counts.get(o.value, 0), (("outcome", o.value),)) for o in ImportOutcome),
    )


def _channels_by_state() -> Metric:
    counts = dict(
        Channel.objects.filter(is_active=True)
        .values_list("state")
        .annotate(n=Count("id"))
        .values_list("state", "n")
    )
    return Metric(
        "icalbridge_channels",
        "gauge",
        "Active channels by state (error = failing several imports in a row).",
        tuple(Sample(counts.get(s.value, 0), (("state", s.value),)) for s in ChannelState),
    )


def _export_requests() -> list[Metric]:
    process = (("process", str(os.getpid())),)
    total, fresh = export_requests.value, export_not_modified.value
    return [
        Metric(
            "icalbridge_export_requests_total",
            "counter",
            "Requests for a known feed answered by this web process.",
            (Sample(total, process),),
        ),
        Metric(
            "icalbridge_export_not_modified_total",
            "counter",
            "Of those, requests answered 304 Not Modified.",
            (Sample(fresh, process),),
        ),
        Metric(
            "icalbridge_export_not_modified_ratio",
            "gauge",
            "Share of this process's feed requests answered 304 since it started.",
            (Sample(fresh / total if total else 0.0, process),),
        ),
    ]


def _platform_delays() -> list[Metric]:
    platforms = platform_delays()
    delays = []
    for entry in platforms:
        for name, value in entry.figures.items():
            if value is None:
                continue
            measure, quantile = name.removesuffix("_s").rsplit("_p", 1)
            labels = (
                ("platform", entry.platform),
                ("measure", measure),
                ("quantile", f"0.{quantile.rstrip('0')}"),
            )
            delays.append(Sample(value, labels))
    problems = [
        Sample(count, (("platform", entry.platform), ("problem", problem)))
        for entry in platforms
        for problem, count in (
            ("not_reading", entry.not_reading),
            ("not_applying", entry.not_applying),
        )
    ]
    return [
        Metric(
            "icalbridge_export_delay_seconds",
            "gauge",
            "Over the last 30 days, per platform (median over its channels): time between "
            "fetches of our link (read_interval), from a change to its fetch (read_delay) "
            "and to the platform's feed showing it blocked (applied_delay).",
            tuple(delays),
        ),
        Metric(
            "icalbridge_export_problem_channels",
            "gauge",
            "Exporting channels whose platform no longer reads our link, or does not block our dates.",
            tuple(problems),
        ),
    ]


def render_metrics(metrics: Iterable[Metric]) -> str:
    """Return metrics in the Prometheus text exposition format (version 0.0.4)."""
    lines = []
    for metric in metrics:
        lines.append(f"# HELP {metric.name} {metric.help}")
        lines.append(f"# TYPE {metric.name} {metric.kind}")
        for sample in metric.samples:
            labels = ",".join(f'{k}="{_escaped(v)}"' for k, v in sample.labels)
            name = f"{metric.name}{{{labels}}}" if labels else metric.name
            lines.append(f"{name} {_number(sample.value)}")
    return "\n".join(lines) + "\n"


def _escaped(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.6g}"

"""B2: imports per second and CPU per import, with real ``icalbridge worker`` processes.

Run: .venv/bin/python -m bench.b2_imports [--channels 10000] [--round-s 120] [--workers 1 2]
The channels, their units and their first import are kept between runs (database
``bench_b2``, feeds under /tmp/icalbridge-bench-b2); ``--reseed`` starts again.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import psycopg

from bench.b2_fixture import change_feeds, write_all_feeds
from bench.support import (
    PG_ADMIN_URL,
    PYTHON,
    REDIS_URL,
    REPO,
    Nginx,
    ensure_nginx_and_wrk,
    flush_redis,
    fresh_postgres_database,
    icalbridge_env,
    load_average,
    machine_busy_s,
    percentile,
    postgres_database_exists,
    print_header,
    process_cpu_s,
    process_rss_mb,
    process_tree_cpu_s,
    run_bench_step,
    run_icalbridge,
    stop_process,
)

# Overridable, so that two checkouts can run B2 side by side without sharing anything.
DATABASE = os.environ.get("BENCH_B2_DATABASE", "bench_b2")
WORK = Path(os.environ.get("BENCH_B2_WORK", "/tmp/icalbridge-bench-b2"))
FEED_PORT = int(os.environ.get("BENCH_B2_PORT", "18481"))
THREADS = 4


@dataclass(frozen=True)
class Round:
    name: str
    workers: int
    imports: dict[str, int]
    elapsed_s: float
    worker_cpu_s: float
    machine_cpu_s: float
    postgres_cpu_s: float
    redis_cpu_s: float
    rss_mb: list[float]
    peak_rss_mb: list[float]
    load: str

    @property
    def total(self) -> int:
        return sum(self.imports.values())

    def line(self) -> str:
        rate = self.total / self.elapsed_s if self.elapsed_s else 0.0
        return (
            f"{self.name:28s} workers={self.workers}  {self.total:6d} imports in {self.elapsed_s:6.1f} s"
            f" = {rate:6.1f}/s  worker CPU {1000 * self.worker_cpu_s / max(1, self.total):5.2f} ms"
            f"/import  PostgreSQL {1000 * self.postgres_cpu_s / max(1, self.total):5.2f}"
            f"  Redis {1000 * self.redis_cpu_s / max(1, self.total):4.2f}"
            f"  machine {1000 * self.machine_cpu_s / max(1, self.total):5.2f} ms/import"
            f"  RSS {'/'.join(f'{r:.0f}' for r in self.rss_mb)} MB"
            f" (peak {'/'.join(f'{r:.0f}' for r in self.peak_rss_mb)})"
            f"  {self.imports}  load {self.load}"
        )


def _sql(statement: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    with psycopg.connect(f"{PG_ADMIN_URL}/{DATABASE}", autocommit=True) as conn:
        cursor = conn.execute(statement, params)
        return cursor.fetchall() if cursor.description else []


def _make_all_due(spread_s: float) -> None:
    _sql(
        "UPDATE hub_channel SET claimed_until = NULL, claimed_by = '',"
        " next_poll_at = now() - random() * %s * interval '1 second'",
        (spread_s,),
    )


def _park_all() -> None:
    _sql(
        "UPDATE hub_channel SET claimed_until = NULL, claimed_by = '',"
        " next_poll_at = now() + interval '1 day'"
    )


def _runs_since(since: float) -> tuple[dict[str, int], float | None]:
    rows = _sql(
        "SELECT outcome, count(*), extract(epoch FROM max(finished_at)) FROM hub_importrun"
        " WHERE started_at >= to_timestamp(%s) GROUP BY outcome",
        (since,),
    )
    last = max((float(r[2]) for r in rows if r[2] is not None), default=None)
    return {str(r[0]): int(r[1]) for r in rows}, last  # type: ignore[call-overload]


def server_pids() -> tuple[int, int]:
    """Return the pids of the PostgreSQL postmaster and of Redis, to read their CPU."""
    import redis

    with psycopg.connect(f"{PG_ADMIN_URL}/{DATABASE}") as conn:
        # Read while the backend lives: it is gone once the connection closes.
        backend = conn.info.backend_pid
        postmaster = int(Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()[1])
    redis_pid = int(redis.Redis.from_url(REDIS_URL).info("server")["process_id"])
    return postmaster, redis_pid


def _env() -> dict[str, str]:
    return icalbridge_env(f"{PG_ADMIN_URL}/{DATABASE}", WORK / "data", REDIS_URL=REDIS_URL)


def _start_workers(count: int, extra_env: dict[str, str]) -> list[subprocess.Popen[bytes]]:
    flush_redis()
    return [
        subprocess.Popen(
            [PYTHON, "-m", "icalbridge.cli", "worker", "--threads", str(THREADS)],
            env={**_env(), "ICALBRIDGE_SCHEDULER_TICK_S": "1", **extra_env},
            cwd=REPO,
        )
        for _ in range(count)
    ]


def run_round(
    name: str, workers: list[subprocess.Popen[bytes]], channels: int, limit_s: float
) -> Round:
    """Make every channel due, wait until all are imported or the time is up, and measure."""
    time.sleep(2)  # the workers are up and idle before the clock starts
    postmaster, redis_pid = server_pids()
    cpu_before = sum(process_cpu_s(w.pid) for w in workers)
    postgres_before = process_tree_cpu_s(postmaster)
    redis_before = process_cpu_s(redis_pid)
    busy_before = machine_busy_s()
    started = time.time()
    _make_all_due(0)
    imports: dict[str, int] = {}
    last: float | None = None
    while time.time() - started < limit_s:
        time.sleep(1)
        imports, last = _runs_since(started - 1)
        if sum(imports.values()) >= channels:
            break
    result = Round(
        name=name,
        workers=len(workers),
        imports=imports,
        elapsed_s=((last or time.time()) - started),
        worker_cpu_s=sum(process_cpu_s(w.pid) for w in workers) - cpu_before,
        machine_cpu_s=machine_busy_s() - busy_before,
        postgres_cpu_s=process_tree_cpu_s(postmaster) - postgres_before,
        redis_cpu_s=process_cpu_s(redis_pid) - redis_before,
        rss_mb=[process_rss_mb(w.pid) for w in workers],
        peak_rss_mb=[process_rss_mb(w.pid, "VmHWM") for w in workers],
        load=load_average(),
    )
    _park_all()
    print(result.line(), flush=True)
    return result


def _seed(channels: int, today: date) -> None:
    print(f"# seeding {channels} channels (kept for later runs)", flush=True)
    fresh_postgres_database(DATABASE)
    (WORK / "data").mkdir(parents=True, exist_ok=True)
    run_icalbridge(["migrate"], _env())
    write_all_feeds(WORK / "www", channels, today)
    run_bench_step("bench.b2_imports", ["--seed-step", str(channels)], _env())
    (WORK / "seeded.json").write_text(json.dumps({"channels": channels}))


def _is_seeded(channels: int) -> bool:
    marker = WORK / "seeded.json"
    return (
        marker.exists()
        and json.loads(marker.read_text()) == {"channels": channels}
        and postgres_database_exists(DATABASE)
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--channels", type=int, default=10_000)
    parser.add_argument("--round-s", type=float, default=120.0, help="time limit of a round")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--changed", type=float, default=0.10, help="share of feeds changing")
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--paths", type=int, default=400, help="channels timed one by one")
    parser.add_argument(
        "--worker-env", nargs="*", default=[], metavar="NAME=VALUE", help="extra worker settings"
    )
    parser.add_argument("--skip-paths", action="store_true")
    parser.add_argument("--seed-step", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--paths-step", help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.worker_env = dict(item.split("=", 1) for item in args.worker_env)
    if args.seed_step is not None:
        from bench.b2_fixture import seed_channels

        seed_channels(args.seed_step, args.base_url or f"http://127.0.0.1:{FEED_PORT}")
        return 0
    if args.paths_step is not None:
        from bench.b2_fixture import time_import_paths

        time_import_paths(json.loads(args.paths_step))
        return 0
    ensure_nginx_and_wrk()
    print_header("B2 imports")
    print(f"# {args.channels} channels, RedisHuey ({REDIS_URL}), {THREADS} threads a worker")
    return _run(args, date.today())


def _summarise_paths(costs: dict[str, list[float]]) -> None:
    print("# CPU per import, one at a time in one process (ms): path, n, p50, p90, mean")
    for key, values in sorted(costs.items()):
        mean = sum(values) / len(values)
        print(
            f"{key:16s} n={len(values):4d}  p50 {percentile(values, 50):6.2f}"
            f"  p90 {percentile(values, 90):6.2f}  mean {mean:6.2f}  load {load_average()}"
        )


def _run(args: argparse.Namespace, today: date) -> int:
    must_seed = args.reseed or not _is_seeded(args.channels)
    if must_seed:
        _seed(args.channels, today)
    nginx = Nginx(WORK / "www", port=FEED_PORT, workers=1)
    try:
        if must_seed:
            workers = _start_workers(2, args.worker_env)
            try:
                run_round("first import (all new)", workers, args.channels, max(900, args.round_s))
            finally:
                for worker in workers:
                    stop_process(worker)
        for count in args.workers:
            workers = _start_workers(count, args.worker_env)
            try:
                run_round("all unchanged", workers, args.channels, args.round_s)
                changed = random.Random(count).sample(
                    range(args.channels), int(args.channels * args.changed)
                )
                change_feeds(WORK / "www", changed, today)
                run_round(f"{args.changed:.0%} changed", workers, args.channels, args.round_s)
            finally:
                for worker in workers:
                    stop_process(worker)
        if not args.skip_paths:
            _time_paths(args.paths, today)
    finally:
        _park_all()
        nginx.stop()
    print(f"# load average at end: {load_average()}")
    return 0


def _time_paths(count: int, today: date) -> None:
    indexes = list(range(count))
    change_feeds(WORK / "www", indexes[::4], today)
    step = ["--paths-step", json.dumps(indexes)]
    _summarise_paths(json.loads(run_bench_step("bench.b2_imports", step, _env())))
    # A second pass over the same channels: nothing changed, every import is unchanged.
    _summarise_paths(json.loads(run_bench_step("bench.b2_imports", step, _env())))


if __name__ == "__main__":
    sys.exit(main())

"""B8: what a poll's fetch costs on a kept connection, beside one opened for it.

Run: .venv/bin/python -m bench.b8_fetch_connections [--fetches 2000]

A conditional fetch answered 304 (an unchanged feed, most polls) through
``outbound.fetch.fetch_feed``, from an HTTP/1.1 server on 127.0.0.1, over plain HTTP and
over HTTPS (TLS 1.3, a 2048-bit RSA certificate made for the run and trusted through
``SSL_CERT_FILE``). Each is measured twice in one process: with the connection kept for the
next poll (what the worker does), and with it dropped after each fetch so every poll
opens its own (the reference: what every poll cost before connections were kept). The
figure is the CPU of the fetching thread; the server runs in other threads.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import ssl
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from bench.support import load_average, percentile, print_header, run_bench_step

ETAG = '"b8"'


class _NotModified(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.send_response(304 if self.headers.get("If-None-Match") == ETAG else 200)
        self.send_header("ETag", ETAG)
        self.send_header("Content-Length", "0")
        self.end_headers()


def _certificate(folder: Path) -> tuple[Path, Path]:
    """Write a self-signed certificate for "localhost" and its key; return their paths."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "localhost.pem", folder / "localhost.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def _serve(tls: ssl.SSLContext | None) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _NotModified)
    server.daemon_threads = True
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _step(fetches: int, cert_path: Path, key_path: Path) -> dict[str, list[float]]:
    """Time each fetch in this process: kept and new connections, HTTP and HTTPS."""
    from icalbridge.outbound.fetch import FetchOutcome, FetchPolicy, Validators, fetch_feed
    from icalbridge.outbound.kept_connections import close_kept_connections

    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert_path, key_path)
    servers = {"http": _serve(None), "https": _serve(tls)}
    policy = FetchPolicy(allowed_networks=("127.0.0.1/32", "::1/128"))
    costs: dict[str, list[float]] = {}
    for scheme, server in servers.items():
        port = server.server_address[1]
        url = f"{scheme}://localhost:{port}/feed.ics"
        for kept in (False, True):
            spent = []
            for n in range(fetches + fetches // 10):  # the first tenth warms up
                started = time.thread_time()
                result = fetch_feed(url, Validators(ETAG), policy)
                if not kept:
                    # Closed as the fetch ends, as every fetch did before: the next opens its own.
                    close_kept_connections()
                cost = (time.thread_time() - started) * 1000
                if result.outcome is not FetchOutcome.NOT_MODIFIED:
                    raise RuntimeError(f"expected a 304 from {url}, got {result}")
                if n >= fetches // 10:
                    spent.append(cost)
            costs[f"{scheme} {'kept' if kept else 'new'}"] = spent
    for server in servers.values():
        server.shutdown()
    return costs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fetches", type=int, default=2000, help="fetches per path")
    parser.add_argument("--step", nargs=2, metavar=("CERT", "KEY"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        costs = _step(args.fetches, Path(args.step[0]), Path(args.step[1]))
        print(json.dumps(costs))
        return 0
    print_header("B8 a poll's 304 fetch on a kept connection and on a new one")
    folder = Path(tempfile.mkdtemp(prefix="icalbridge-b8-"))
    cert_path, key_path = _certificate(folder)
    env = {**os.environ, "SSL_CERT_FILE": str(cert_path)}
    step = ["--fetches", str(args.fetches), "--step", str(cert_path), str(key_path)]
    costs = json.loads(run_bench_step("bench.b8_fetch_connections", step, env).splitlines()[-1])
    print("path          n     p50     p90  p50 / new connection  load")
    for path, values in costs.items():
        reference = percentile(costs[path.split()[0] + " new"], 50)
        print(
            f"{path:11s} {len(values):5d} {percentile(values, 50):7.3f} {percentile(values, 90):7.3f}"
            f" {percentile(values, 50) / reference:20.2f}×  {load_average()}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

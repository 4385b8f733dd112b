"""The served half of `make bench BENCH_ARGS=--served` (tests/perf/bench.py measures in-process).

The same requests as the in-process run, as users are served: gunicorn started as `qiao serve`
starts it (qiao.__main__.gunicorn_command: 2 processes of 4 threads, the production settings
qiao.settings.production, static files collected and served by WhiteNoise) on 127.0.0.1 and a
free port, and Debian's load generator wrk (tests/perf/served.lua) sending the case's paths in
turn with the user's session cookie or API token, at 1 and at 4 connections. The proxy's part is
played by a header: `X-Forwarded-Proto: https`, which nginx sets in production (without it the
production settings redirect to HTTPS). The server is always stopped, on failure and Ctrl-C too.
"""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

SCRIPT = Path(__file__).with_name("served.lua")
PRODUCTION_SETTINGS = "qiao.settings.production"
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}  # what nginx adds (docs/deployment.md)
CONNECTIONS = (1, 4)
READY_SECONDS = 60  # gunicorn and its workers import Django and the project


class ServedFailed(SystemExit):
    """A served run that cannot be measured (the server did not start, a page did not answer
    200): the message says which."""


def wrk_command(base_url, paths_file, headers, connections, seconds, wrk="wrk") -> list[str]:
    """wrk with one thread (leaving the cores to gunicorn), `connections` kept-alive
    connections, for `seconds`, sending `headers`; 30 s before a request counts as timed out
    (wrk's 2 s default would leave slow requests out of the percentiles)."""
    command = [wrk, "--threads", "1", "--connections", str(connections),
               "--duration", f"{seconds}s", "--timeout", "30s", "--script", str(SCRIPT)]
    for name, value in headers.items():
        command += ["--header", f"{name}: {value}"]
    return [*command, base_url, "--", str(paths_file)]


def wrk_version(output: str) -> str:
    """'wrk debian/4.1.0-3+b2' from what `wrk --version` prints."""
    first = output.strip().splitlines()[0] if output.strip() else "wrk"
    return first.split(" [")[0].split(" Copyright")[0].strip()


def parse_wrk(output: str) -> dict:
    """The figures of wrk's run from its output (the script's closing `BENCH {json}` line):
    p50/p95/p99/mean/max in ms, requests per second, and what went wrong."""
    for line in reversed(output.splitlines()):
        if line.startswith("BENCH {"):
            raw = json.loads(line.removeprefix("BENCH "))
            break
    else:
        raise ValueError(f"no BENCH line in wrk's output: {output[-500:]!r}")
    seconds = raw["duration_us"] / 1e6
    return {
        "requests": raw["requests"],
        "seconds": round(seconds, 2),
        "rps": round(raw["requests"] / seconds, 1) if seconds else 0.0,
        "p50_ms": round(raw["p50_us"] / 1000, 2),
        "p95_ms": round(raw["p95_us"] / 1000, 2),
        "p99_ms": round(raw["p99_us"] / 1000, 2),
        "mean_ms": round(raw["mean_us"] / 1000, 2),
        "max_ms": round(raw["max_us"] / 1000, 2),
        "response_kb": round(raw["bytes"] / raw["requests"] / 1024, 1) if raw["requests"] else 0,
        "not_ok": raw["not_ok"], "first_bad_status": raw["first_bad_status"],
        "socket_errors": raw["socket_errors"],
    }


def problem(stats: dict) -> str:
    """Why a run's figures do not count ('' when they do)."""
    if stats["requests"] == 0:
        return "no request answered"
    if stats["not_ok"]:
        return (f"{stats['not_ok']} of {stats['requests']} answers were not 200 (the first: "
                f"{stats['first_bad_status']})")
    if stats["socket_errors"]:
        return f"{stats['socket_errors']} connection errors (connect, read, write or timeout)"
    return ""


def server_environment(database_url: str, secret_key: str, base=None) -> dict:
    """The environment of gunicorn (and of collectstatic before it): the production settings on
    the benchmark's database, with the secret key of the benchmark's process, which signs the
    sessions it creates for the users."""
    env = dict(os.environ if base is None else base)
    env.update(DJANGO_SETTINGS_MODULE=PRODUCTION_SETTINGS, QIAO_DATABASE_URL=database_url,
               QIAO_SECRET_KEY=secret_key)
    return env


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers(port: int) -> bool:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        conn.request("GET", "/health/", headers=PROXY_HEADERS)
        return conn.getresponse().status == 200
    except OSError:
        return False


@contextmanager
def server(database_url: str, secret_key: str, log_path: Path):
    """gunicorn as `qiao serve` runs it, on 127.0.0.1 and a free port; yields its base URL.
    Stopped on leaving, whatever happened (a TERM to this process included)."""
    from qiao.__main__ import DEFAULT_THREADS, DEFAULT_WORKERS, bind_address, gunicorn_command

    env = server_environment(database_url, secret_key)
    collect = [sys.executable, "-m", "qiao", "manage", "collectstatic", "--noinput", "-v0"]
    subprocess.run(collect, env=env, check=True)  # noqa: S603 -- our interpreter, fixed arguments
    port = free_port()
    command = gunicorn_command(bind_address("127.0.0.1", port), DEFAULT_WORKERS, DEFAULT_THREADS)
    print(f"Serving: {' '.join(command[1:])} (settings {PRODUCTION_SETTINGS}; log "
          f"{log_path.name})", flush=True)
    previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with log_path.open("w") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
        try:
            deadline = time.monotonic() + READY_SECONDS
            while not answers(port):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise ServedFailed(f"gunicorn did not start (see {log_path}):\n"
                                       + log_path.read_text()[-2000:])
                time.sleep(0.2)
            yield f"http://127.0.0.1:{port}"
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            signal.signal(signal.SIGTERM, previous)


def run(base_url, paths, headers, connections, seconds) -> dict:
    """One wrk run of a case's paths; its figures (parse_wrk)."""
    with tempfile.NamedTemporaryFile("w", suffix=".paths", prefix="bench-") as paths_file:
        paths_file.write("\n".join(paths) + "\n")
        paths_file.flush()
        command = wrk_command(base_url, paths_file.name, {**PROXY_HEADERS, **headers},
                              connections, seconds)
        done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode:
        raise ServedFailed(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    return parse_wrk(done.stdout)


def measure(base_url, paths, headers, connections=CONNECTIONS, seconds=5, warmup=1) -> dict:
    """{connections: figures} of a case: a warm-up run at the most connections (every worker
    has rendered the pages once), then one timed run per number of connections."""
    if warmup:
        run(base_url, paths, headers, max(connections), warmup)
    results = {}
    for count in connections:
        stats = run(base_url, paths, headers, count, seconds)
        if why := problem(stats):
            raise ServedFailed(f"{paths[0]} at {count} connections: {why}")
        results[str(count)] = stats
    return results

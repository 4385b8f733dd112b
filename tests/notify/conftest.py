"""The organisation of the demo (without customers) and a local HTTP server standing in for
the WeCom / DingTalk / Feishu robots and an integration's webhook receiver: it records what it
was sent and answers what the test tells it to (by default the platform's "ok")."""

import json
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from qiao.demo.org import build_org

PASSWORD = "notify-pass-1"


@pytest.fixture
def org(db):
    return build_org(PASSWORD)


@dataclass
class Received:
    path: str
    query: dict
    headers: dict
    body: dict


@dataclass
class RobotServer:
    url: str
    received: list = field(default_factory=list)
    answers: list = field(default_factory=list)  # (status, json) to answer, in order
    default: tuple = (200, {"errcode": 0, "errmsg": "ok"})
    delay: float = 0.0  # seconds before answering (a slow robot)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self):
        with self.lock:
            return self.answers.pop(0) if self.answers else self.default

    def ok(self):
        return [r for r in self.received if r.status == 200]


@pytest.fixture
def robot():
    server_state = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            state = server_state["robot"]
            length = int(self.headers.get("Content-Length", 0))
            raw = self.rfile.read(length)
            split = urllib.parse.urlsplit(self.path)
            status, answer = state.answer()
            if state.delay:
                time.sleep(state.delay)
            received = Received(split.path, dict(urllib.parse.parse_qsl(split.query)),
                                dict(self.headers), json.loads(raw.decode()))
            received.status = status
            received.raw = raw  # the bytes as sent (a signature covers them)
            with state.lock:
                state.received.append(received)
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state = RobotServer(url=f"http://127.0.0.1:{httpd.server_address[1]}")
    server_state["robot"] = state
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield state
    httpd.shutdown()
    httpd.server_close()

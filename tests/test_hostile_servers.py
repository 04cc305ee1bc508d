"""A SPARQL server that stalls, drips, lies or redirects (issue #16): `kg` ends within its
deadline + 1 s with one clear line, exit 2, and never prints credentials. Each server here is
a throw-away loopback socket written for the case."""

from __future__ import annotations

import gzip
import json
import os
import socket
import subprocess
import sys
import threading
import time

import pytest

DEADLINE = 2.0
#: measured seconds to the error, per case and command (printed when the module's tests end)
TIMES: dict[tuple[str, str], float] = {}


@pytest.fixture(scope="module", autouse=True)
def report_times(request):
    """The figures for the closing note: seconds from start to the error line, per case."""
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None and TIMES:
        with capture.global_and_fixture_disabled():
            reporter.write_line("")
            for (case, command), seconds in sorted(TIMES.items()):
                reporter.write_line(f"  {case:28s} {command:6s} {seconds:5.2f} s")


class Hostile:
    """A loopback server answering every connection with ``behave(conn, server)``."""

    def __init__(self, behave) -> None:
        self.behave = behave
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.requests: list[bytes] = []
        self.closed = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/sparql"

    def _serve(self) -> None:
        while not self.closed.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _one(self, conn) -> None:
        try:
            conn.settimeout(5)
            data = b""
            while b"\r\n\r\n" not in data:
                piece = conn.recv(65536)
                if not piece:
                    return
                data += piece
            # read the whole request body, so that closing early is the answer's fault, not
            # a reset for unread bytes
            header, _, body = data.partition(b"\r\n\r\n")
            length = next(
                (
                    int(v)
                    for k, _, v in (line.partition(b":") for line in header.split(b"\r\n"))
                    if k.lower() == b"content-length"
                ),
                0,
            )
            while len(body) < length:
                piece = conn.recv(65536)
                if not piece:
                    break
                body += piece
            self.requests.append(data)
            self.behave(conn, self)
        except OSError:
            pass
        finally:
            try:
                conn.close()
            except OSError:
                pass

    def close(self) -> None:
        self.closed.set()
        self.sock.close()


def head(status: str, headers: dict[str, str]) -> bytes:
    return (f"HTTP/1.1 {status}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n").encode()


JSON = "application/sparql-results+json"
GOOD = json.dumps({"head": {"vars": ["x"]}, "results": {"bindings": []}}).encode()


def stall(conn, server):
    server.closed.wait(DEADLINE + 5)


def drip(conn, server):
    conn.sendall(head("200 OK", {"Content-Type": JSON, "Content-Length": "100000"}))
    for _ in range(200):
        conn.sendall(b" ")
        time.sleep(0.1)


def short_body(conn, server):
    conn.sendall(head("200 OK", {"Content-Type": JSON, "Content-Length": str(len(GOOD) + 500)}) + GOOD)


def html(conn, server):
    body = b"<html><body>Login required</body></html>"
    conn.sendall(head("200 OK", {"Content-Type": "text/html", "Content-Length": str(len(body))}) + body)


def redirect(conn, server):
    conn.sendall(head("302 Found", {"Location": "http://127.0.0.1:9/elsewhere", "Content-Length": "0"}))


def unauthorised(conn, server):
    conn.sendall(head("401 Unauthorized", {"WWW-Authenticate": 'Basic realm="x"', "Content-Length": "0"}))


def flood(conn, server):
    conn.sendall(head("200 OK", {"Content-Type": JSON}))  # no length: until the connection closes
    block = b" " * 65536
    for _ in range(64):  # 4 MB, past the cap the case sets
        conn.sendall(block)


def gzip_bomb(conn, server):
    body = gzip.compress(b" " * 10_000_000)
    conn.sendall(
        head("200 OK", {"Content-Type": JSON, "Content-Encoding": "gzip", "Content-Length": str(len(body))}) + body
    )


CASES = {
    "stall before headers": (stall, "no complete answer within the 2 s deadline"),
    "drip the body": (drip, "no complete answer within the 2 s deadline"),
    "lie about Content-Length": (short_body, "the answer ended early: 500 of its announced bytes never came"),
    "HTML instead of results": (html, "the endpoint did not answer with SPARQL JSON results"),
    "302 to another port": (redirect, "the endpoint redirects (HTTP 302) to http://127.0.0.1:9/elsewhere"),
    "401 loop": (unauthorised, "HTTP 401"),
    "a flood past the size cap": (flood, "the answer passed 1,000,000 bytes ($KG_SPARQL_MAX_BYTES)"),
    "gzip bomb": (gzip_bomb, "the endpoint did not answer with SPARQL JSON results"),
}


def run(args: list[str], env: dict[str, str]) -> tuple[subprocess.CompletedProcess, float]:
    start = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "kg", *args],
        capture_output=True,
        text=True,
        timeout=DEADLINE + 30,
        env={**os.environ, **env},
    )
    return done, time.monotonic() - start


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("command", ["query", "info"])
def test_a_hostile_server_ends_in_one_line_within_the_deadline(case, command, tmp_path):
    behave, message = CASES[case]
    server = Hostile(behave)
    env = {"KG_SPARQL_USER": "analyst", "KG_SPARQL_PASSWORD": "s3cret-pw", "KG_SPARQL_MAX_BYTES": "1000000"}
    if command == "info":  # no --timeout: the deadline for every command
        env["KG_SPARQL_DEADLINE"] = str(DEADLINE)
    args = ["--store", f"sparql:{server.url}"]
    args += ["query", "search", "-p", "text", "x", "--timeout", str(DEADLINE)] if command == "query" else ["info"]
    try:
        done, seconds = run(args, env)
    finally:
        server.close()
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert len(lines) == 1 and lines[0].startswith(f"kg: error: {server.url}: "), lines
    assert message in lines[0], lines[0]
    assert seconds <= DEADLINE + 1 + 1.5, seconds  # the deadline + 1 s, and the interpreter's start
    TIMES[(case, command)] = round(seconds, 2)
    assert "s3cret-pw" not in done.stderr + done.stdout and "analyst" not in done.stderr
    assert done.stdout == ""


def test_no_credentials_after_a_redirect_and_none_in_urls():
    server = Hostile(redirect)
    try:
        done, _ = run(["--store", f"sparql:{server.url}", "info"], {"KG_SPARQL_USER": "u", "KG_SPARQL_PASSWORD": "p"})
    finally:
        server.close()
    assert done.returncode == 2
    # one request, to the endpoint named; the redirect's target never asked
    assert len(server.requests) == 1
    done, _ = run(["--store", "sparql:http://user:pw@127.0.0.1:9/sparql", "info"], {})
    assert done.returncode == 2 and "pw" not in done.stderr.replace("KG_SPARQL_PASSWORD", "")
    assert "credentials go in $KG_SPARQL_USER" in done.stderr


@pytest.mark.parametrize("spec", ["sparql:file:///etc/passwd", "sparql:ftp://127.0.0.1/x", "sparql:gopher://x"])
def test_only_http_endpoints(spec):
    done, _ = run(["--store", spec, "info"], {})
    assert done.returncode == 2 and "needs an http(s) URL" in done.stderr

"""Real SPARQL servers on loopback for the remote-store tests, each filled by `kg load`.

- Oxigraph server (`oxigraph serve`, from the `oxigraph` package of the test extra): a
  conformant SPARQL 1.1 server with the union of graphs as default graph.
- Virtuoso 7.2 (Debian's virtuoso-opensource-7-bin, which scripts/test installs), started
  by scripts/virtuoso in a throw-away folder; writes need Digest authentication.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            request = urllib.request.Request(url + "?query=ASK%7B%7D", headers={"Accept": "application/json"})
            with urllib.request.urlopen(request, timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def oxigraph_bin() -> str:
    found = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    if not Path(found).exists():
        raise RuntimeError("the oxigraph server is missing: pip install '.[test]' installs it")
    return found


class OxigraphServer:
    def __init__(self, folder: Path) -> None:
        port = free_port()
        self.url = f"http://127.0.0.1:{port}/query"
        self.update = f"http://127.0.0.1:{port}/update"
        self.graph_store = f"http://127.0.0.1:{port}/store"
        self.env: dict[str, str] = {}
        self.process = subprocess.Popen(
            [
                oxigraph_bin(),
                "serve",
                "--location",
                str(folder),
                "--bind",
                f"127.0.0.1:{port}",
                "--union-default-graph",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self.url)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


class VirtuosoServer:
    def __init__(self, folder: Path) -> None:
        if not shutil.which("virtuoso-t"):
            raise RuntimeError("virtuoso-t is missing: scripts/test installs virtuoso-opensource-7-bin (as root)")
        self.folder = folder
        http, sql = free_port(), free_port()
        self.env = {"KG_VIRTUOSO_HTTP": str(http), "KG_VIRTUOSO_SQL": str(sql)}
        subprocess.run(
            [str(ROOT / "scripts" / "virtuoso"), "start", str(folder)],
            check=True,
            env={**os.environ, **self.env},
            stdout=subprocess.DEVNULL,
        )
        self.url = f"http://127.0.0.1:{http}/sparql"
        self.update = f"http://127.0.0.1:{http}/sparql-auth"
        self.graph_store = f"http://127.0.0.1:{http}/sparql-graph-crud-auth"
        self.env.update({"KG_SPARQL_USER": "dba", "KG_SPARQL_PASSWORD": "dba"})

    def stop(self) -> None:
        subprocess.run(
            [str(ROOT / "scripts" / "virtuoso"), "stop", str(self.folder)],
            env={**os.environ, **self.env},
            check=False,
        )

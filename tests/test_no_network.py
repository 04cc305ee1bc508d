"""No command touches the network on an embedded store (part of issue #7).

A child process installs an audit hook that fails on any socket connect, DNS look-up or URL
open, then runs every command through click's runner on the bundled graph, with hostile
input where a command takes some (a SERVICE query is refused before it could run), and every
case of the bad-input corpus (among them a JSON-LD file whose @context is a URL).
"""

from __future__ import annotations

import json
import subprocess
import sys

from test_bad_inputs import CASES, prepare

from conftest import ROOT

CHILD = r"""
import json, socket, sys

events = []

def hook(event, args):
    if event in ("socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "urllib.Request"):
        events.append(f"{event} {args[:2]!r}")
        raise RuntimeError(f"network use: {event}")

sys.addaudithook(hook)
from click.testing import CliRunner
from kg.cli import cli

runs = json.load(open(sys.argv[1]))
out = []
for args in runs:
    result = CliRunner().invoke(cli, args, catch_exceptions=True)
    out.append({"args": args, "code": result.exit_code, "stderr": result.stderr[-300:]})
print(json.dumps({"events": events, "runs": out}))
"""

COMMANDS = [
    ["info"],
    ["validate"],
    ["show", "Ford"],
    ["query", "restrictions-in-force", "-p", "date", "2025-06-06"],
    ["query", "search", "-p", "text", "http://example.org/"],
    ["timeline", "--from", "2025-05-01", "--to", "2025-06-30"],
    ["diff", "2025-05-01", "2025-06-10"],
    ["impact", "China rare-earth export controls", "--as-of", "2025-06-06"],
    ["paths", "Xi Jinping", "automotive", "--as-of", "2025-06-06"],
    ["whatif", "--lift", "China rare-earth export controls", "--as-of", "2025-06-10"],
    ["chokepoints", "--as-of", "2025-06-06"],
]


def run_hooked(folder, runs: list[list[str]]) -> dict:
    """Run ``kg`` with each of ``runs`` in one child process that forbids the network."""
    (folder / "runs.json").write_text(json.dumps(runs))
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(folder / "runs.json")], capture_output=True, text=True, cwd=ROOT, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_no_command_touches_the_network(tmp_path):
    service = tmp_path / "service.rq"
    service.write_text("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
    runs = [
        *COMMANDS,
        ["query", str(service)],
        ["export", "-f", "nq", "-o", str(tmp_path / "out.nq")],
        ["render", "-o", str(tmp_path / "page.html"), "--as-of", "2025-06-06"],
    ]
    report = run_hooked(tmp_path, runs)
    assert report["events"] == []
    codes = {" ".join(r["args"][:2]): r["code"] for r in report["runs"]}
    refused = codes.pop(f"query {service}")
    assert refused == 2  # SERVICE is refused, not attempted
    assert all(code == 0 for code in codes.values()), report["runs"]
    assert (tmp_path / "page.html").stat().st_size > 10_000 and (tmp_path / "out.nq").stat().st_size > 100_000


def test_the_bad_input_corpus_touches_no_network(tmp_path):
    runs, expected = [], []
    for number, case in enumerate(CASES):
        folder = tmp_path / str(number)
        folder.mkdir()
        runs.append(prepare(case, folder))
        expected.append(case.exit)
        if case.group == "data file":  # and into a persistent store
            runs.append(["--store", f"oxigraph:{tmp_path / 'kgdb'}", "load", runs[-1][1]])
            expected.append(2)
    report = run_hooked(tmp_path, runs)
    assert report["events"] == []
    assert [r["code"] for r in report["runs"]] == expected, report["runs"]
    assert len(report["runs"]) > 60

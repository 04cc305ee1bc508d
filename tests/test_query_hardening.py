"""Hostile query text (issue #17, items 1, 2, 3 and 8): no network, no crash, no hang.

A SERVICE hidden from the checker is proved refused by a canary: a throw-away HTTP server on
loopback that counts every request. Oxigraph's own requests come from Rust, where no Python
audit hook sees them, so only a server can tell. Each hiding place is first shown to reach
the canary when kg's check is bypassed (Oxigraph called directly, or the SPARQL server
asked directly), so the test could fail; then every way kg takes a query refuses it with 0
requests: a query file, a query in ``--queries DIR``, on the embedded store and on a SPARQL
server (Oxigraph server, which runs SERVICE).
"""

from __future__ import annotations

import faulthandler
import http.server
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest
from servers import OxigraphServer

from kg.errors import UsageError
from kg.graph import load_into_store
from kg.queries import MAX_QUERY_CHARS, QueryRefused, check_query, run_query

KG = str(Path(sys.executable).parent / "kg")


class Canary:
    """An HTTP server on loopback that counts the requests it gets (answering each 500)."""

    def __init__(self) -> None:
        hits = self.hits = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                hits.append(self.path)
                self.send_response(500)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_POST

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/canary"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def canary():
    server = Canary()
    yield server
    server.stop()


#: Where a SERVICE can hide from a checker that reads the text otherwise than the engine does.
HIDDEN = {
    # rdflib expands \u over the whole text: it sees one long string from the first " to the last
    "\\u0022 in a string": (
        'SELECT * WHERE {{ BIND("\\u0022" AS ?x) SERVICE <{url}> {{ ?a ?b ?c }} BIND("\\u0022" AS ?y) }}'
    ),
    "\\u0027 in a string": (
        "SELECT * WHERE {{ BIND('\\u0027' AS ?x) SERVICE <{url}> {{ ?a ?b ?c }} BIND('\\u0027' AS ?y) }}"
    ),
    "\\U00000022 in a string": (
        'SELECT * WHERE {{ BIND("\\U00000022" AS ?x) SERVICE <{url}> {{ ?a ?b ?c }} BIND("\\U00000022" AS ?y) }}'
    ),
    # an escaped backslash: rdflib still expands the \u after it
    "\\\\u0022 in a string": (
        'SELECT * WHERE {{ BIND("\\\\u0022" AS ?x) SERVICE <{url}> {{ ?a ?b ?c }} BIND("\\\\u0022" AS ?y) }}'
    ),
    # a comment ends at a carriage return for Oxigraph, at a line feed for rdflib
    "a comment ended by CR": "SELECT * WHERE {{ # note\r SERVICE <{url}> {{ ?a ?b ?c }} }}",
    "plain": "SELECT * WHERE {{ SERVICE <{url}> {{ ?a ?b ?c }} }}",
}


@pytest.mark.parametrize("name", list(HIDDEN))
def test_the_canary_sees_oxigraph_run_each_hidden_service_unchecked(canary, name):
    """The control: Oxigraph, called without kg's check, does make the request."""
    before = len(canary.hits)
    with pytest.raises(OSError):  # the canary answers 500
        list(ox.Store().query(HIDDEN[name].format(url=canary.url)))
    assert len(canary.hits) == before + 1


@pytest.mark.parametrize("name", list(HIDDEN))
def test_a_hidden_service_is_refused_with_no_request(canary, invoke, tmp_path, name):
    text = HIDDEN[name].format(url=canary.url)
    before = len(canary.hits)
    with pytest.raises(QueryRefused):
        check_query(text)
    (tmp_path / "q.rq").write_text(text, encoding="utf-8")
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "mine.rq").write_text("# title: mine\n" + text, encoding="utf-8")
    for args in (("query", str(tmp_path / "q.rq")), ("query", "mine", "--queries", str(folder))):
        for timeout in ("0", "5"):
            result = invoke(*args, "--timeout", timeout)
            assert result.exit_code == 2, result.stderr
            assert result.stderr.startswith("kg: error: ") and "refused" in result.stderr
            assert len(result.stderr.splitlines()) == 1
    assert len(canary.hits) == before


def test_a_hidden_service_is_refused_by_the_installed_kg(canary, tmp_path):
    before = len(canary.hits)
    for name, text in HIDDEN.items():
        (tmp_path / "q.rq").write_text(text.format(url=canary.url), encoding="utf-8")
        done = subprocess.run([KG, "query", str(tmp_path / "q.rq")], capture_output=True, text=True, timeout=60)
        assert done.returncode == 2, (name, done.stderr)
        assert done.stderr.startswith("kg: error: ") and done.stdout == ""
    assert len(canary.hits) == before


@pytest.fixture(scope="module")
def oxigraph_server(tmp_path_factory):
    server = OxigraphServer(tmp_path_factory.mktemp("oxigraph-server"))
    load_into_store(f"sparql:{server.url}", [], update_endpoint=server.update)
    yield server
    server.stop()


def test_a_hidden_service_on_a_sparql_store_never_reaches_the_server(canary, oxigraph_server, tmp_path):
    """On ``--store sparql:`` the server runs SERVICE: kg must not send it the query."""
    text = HIDDEN["\\u0022 in a string"].format(url=canary.url)
    before = len(canary.hits)
    asked = urllib.request.Request(
        oxigraph_server.url,
        data=urllib.parse.urlencode({"query": text}).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/sparql-results+json"},
    )
    try:  # the server streams its results: the failed SERVICE call ends the body with an error
        urllib.request.urlopen(asked, timeout=30).read()
    except OSError:
        pass
    assert len(canary.hits) == before + 1  # the control: the server does call out
    for name, hidden in HIDDEN.items():
        (tmp_path / "q.rq").write_text(hidden.format(url=canary.url), encoding="utf-8")
        done = subprocess.run(
            [KG, "--store", f"sparql:{oxigraph_server.url}", "query", str(tmp_path / "q.rq")],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 2 and "refused" in done.stderr, (name, done.stderr)
    assert len(canary.hits) == before + 1


@pytest.mark.parametrize(
    "text",
    [
        'SELECT ?x WHERE { BIND("customer service" AS ?x) }',  # in a string
        "SELECT ?service WHERE { BIND(1 AS ?service) }",  # a variable
        "PREFIX service: <http://e.org/> SELECT * WHERE { ?s service:of ?o }",  # a prefix
        "SELECT * WHERE { ?s <http://e.org/service> ?o }",  # in an IRI
        "SELECT * WHERE { ?s <http://e.org/p> <http://e.org/customer-service> }",
        "SELECT * WHERE { ?s ?p ?o } # SERVICE in a comment",
        'SELECT * WHERE { ?s ?p "\\"SERVICE <x> {}" }',  # after an escaped quote
    ],
)
def test_the_word_service_where_it_is_not_the_keyword_is_fine(text):
    assert check_query(text) == "SELECT"


# -- size, depth and crashes (item 2) ----------------------------------------------------------


def _list(n: int) -> str:
    return "SELECT * WHERE { ?s <http://e.org/p> " + ",".join("1" for _ in range(n)) + " }"


def test_a_query_over_the_size_limit_is_refused_before_parsing(tmp_path, invoke):
    text = _list(MAX_QUERY_CHARS // 2)
    assert len(text) > MAX_QUERY_CHARS
    started = time.monotonic()
    with pytest.raises(UsageError, match="characters long; kg runs queries of up to 65,536"):
        run_query(None, text, timeout=None)
    assert time.monotonic() - started < 1  # refused, not parsed (parsing takes ~10 s)
    (tmp_path / "big.rq").write_text(text)
    result = invoke("query", str(tmp_path / "big.rq"))
    assert result.exit_code == 2 and "characters long" in result.stderr


def test_a_long_list_neither_crashes_nor_outlives_the_timeout(tmp_path):
    """20,000 objects in one list overflowed Oxigraph's stack in the main thread (SIGSEGV)."""
    query = tmp_path / "list.rq"
    query.write_text(_list(20_000))
    done = subprocess.run([KG, "query", str(query), "--timeout", "2"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr == f"kg: error: {query}: stopped after 2 s (raise --timeout to allow longer)\n"
    # --timeout 0: no limit, so it is still running after the check and a while of evaluation
    unlimited = subprocess.Popen([KG, "query", str(query), "--timeout", "0"], stderr=subprocess.PIPE)
    time.sleep(4)
    assert unlimited.poll() is None, unlimited.stderr.read()  # no crash
    workers = _children(unlimited.pid)
    assert workers  # the query runs in a worker even without a time limit
    unlimited.kill()  # as `kill -9 kg` would: its worker must not run on orphaned
    unlimited.wait()
    deadline = time.monotonic() + 5
    while any(Path(f"/proc/{pid}").exists() for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers)


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children = (task / "children").read_text().split()
        found.extend(int(c) for c in children)
    return found


def test_checking_a_long_query_counts_within_the_timeout(tmp_path):
    """A chain of 8,000 ``||`` takes rdflib's parser ~10 s: the check runs in the timed worker."""
    text = "SELECT * WHERE { ?x ?p ?o FILTER(" + "||".join(f"?x={i % 10}" for i in range(8_000)) + ") }"
    assert len(text) < MAX_QUERY_CHARS
    (tmp_path / "or.rq").write_text(text)
    started = time.monotonic()
    done = subprocess.run([KG, "query", str(tmp_path / "or.rq"), "--timeout", "1"], capture_output=True, text=True)
    assert time.monotonic() - started < 4
    assert done.returncode == 2 and "stopped after 1 s" in done.stderr


def test_a_flat_query_of_3000_patterns_is_not_called_nested(invoke, tmp_path):
    text = "SELECT * WHERE { " + " ".join(f"?s ex:p{i} ?o{i} ." for i in range(3000)) + " }"
    assert len(text) < MAX_QUERY_CHARS
    assert check_query("PREFIX ex: <http://e.org/> " + text) == "SELECT"
    nested = "SELECT * WHERE { ?x ?p ?o FILTER(" + "(" * 20_000 + "?x" + ")" * 20_000 + ") }"
    with pytest.raises(UsageError, match="nested too deeply"):
        check_query(nested)


def test_a_worker_killed_by_a_signal_is_one_line(kg, monkeypatch):
    def crash(*args):
        faulthandler.disable()  # pytest's would print the worker's stack
        os.kill(os.getpid(), signal.SIGSEGV)

    monkeypatch.setattr("kg.queries._checked_run", crash)
    for timeout in (5, 0):
        with pytest.raises(UsageError) as err:
            run_query(kg, "SELECT * WHERE { ?s ?p ?o }", timeout=timeout, origin="q.rq")
        assert str(err.value) == (
            "q.rq: the query engine crashed (SIGSEGV): the query is too large or too deeply nested for it; simplify it"
        )


# -- empty and prologue-only queries (item 8) --------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "q.rq: the query is empty"),
        ("  \n\n", "q.rq: the query is empty"),
        ("# title: nothing yet\n# description: to do\n", "q.rq: the query is empty (it holds only comments)"),
        ("PREFIX ex: <http://e.org/>\n", "q.rq: SPARQL syntax error at line 2, column 1"),
    ],
)
def test_an_empty_query_is_not_called_an_update(tmp_path, invoke, text, message):
    (tmp_path / "q.rq").write_text(text)
    result = invoke("query", str(tmp_path / "q.rq"))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"kg: error: {tmp_path / message}")
    assert "update" not in result.stderr


# -- special files in --queries DIR (item 3) ---------------------------------------------------


def test_a_named_pipe_in_a_query_folder_does_not_hang_the_list(tmp_path):
    folder = tmp_path / "queries"
    folder.mkdir()
    os.mkfifo(folder / "x.rq")
    (folder / "ok.rq").write_text("# title: fine\nSELECT * WHERE { ?s ?p ?o } LIMIT 1\n")
    done = subprocess.run([KG, "query", "--list", "--queries", str(folder)], capture_output=True, text=True, timeout=30)
    assert done.returncode == 2
    refused = "not a regular file (a named pipe, socket or device); a query is a .rq text file"
    assert done.stderr == f"kg: error: {folder / 'x.rq'}: {refused}\n"
    named = subprocess.run([KG, "query", str(folder / "x.rq")], capture_output=True, text=True, timeout=30)
    assert named.returncode == 2 and "not a regular file" in named.stderr

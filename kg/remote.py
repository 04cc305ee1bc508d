"""A remote SPARQL 1.1 endpoint as a store: ``--store sparql:URL``.

Queries go by the SPARQL 1.1 Protocol (POST, results as JSON, graphs as N-Triples) with the
predeclared prefixes prepended. The endpoint must answer with the union of its graphs as the
default graph, as Virtuoso does (Fuseki: ``tdb:unionDefaultGraph``; Oxigraph server:
``--union-default-graph``). Triples that belong to no named graph are kept in the graph
:data:`DEFAULT_GRAPH`; queries that ask for the default graph alone send it as the protocol's
``default-graph-uri``, and a value equal to it reads as "no named graph".

Parameters are bound as Oxigraph's substitution binds them: each bound variable token is
replaced by its term as the RDF serialiser writes it (IRIs validated, literals escaped as
N-Triples, so a value can only ever become that one term, never query text), and the binding
holds inside every FILTER, OPTIONAL, EXISTS and sub-SELECT. (A one-row ``VALUES`` block per
group would be the textbook way; Virtuoso 7.2's compiler fails on it inside EXISTS.)

Writes (``kg load``) parse the file here, send its quads to fresh staging graphs, by Graph
Store Protocol POSTs of N-Triples when a graph store URL is given (Virtuoso:
``/sparql-graph-crud-auth``), else by SPARQL Update ``INSERT DATA`` of at most :data:`CHUNK`
quads written by the same serialiser; then one update request adds the staging graphs to
their targets and drops them, so a failed load changes nothing. (Virtuoso 7.2's update parser
rejects ``xsd:duration`` literals: push to it through its graph store.) Digest or Basic
authentication comes from ``KG_SPARQL_USER`` / ``KG_SPARQL_PASSWORD``. A result the server
cut short (Virtuoso's ``X-SPARQL-MaxRows``) is an error, not a quiet partial answer.
"""

from __future__ import annotations

import http.client
import itertools
import json
import os
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from kg.errors import KgError, UsageError, printable
from kg.namespaces import PREFIXES
from kg.stores import Match, Row, format_for, to_ox, to_rdflib

__all__ = ["SparqlStore", "DEFAULT_GRAPH", "bind_values", "CHUNK"]

#: Where a remote store keeps the triples of the default graph.
DEFAULT_GRAPH = "https://w3id.org/tradekg/graph/default"
#: Graphs a Virtuoso server keeps for itself: never part of the answers.
SYSTEM_GRAPHS = frozenset(
    {"http://www.openlinksw.com/schemas/virtrdf#", "http://www.w3.org/ns/ldp#", "http://localuriqaserver/sparql"}
)
#: Quads per INSERT DATA request (Virtuoso refuses much larger ones) and per Graph Store POST.
CHUNK = 1_000
GSP_CHUNK = 100_000

_LIST_GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"

#: One wall-clock deadline per command on a remote store (seconds), over connect, headers and
#: the whole body of every request it makes; ``kg query --timeout`` sets it for that command,
#: ``KG_SPARQL_DEADLINE`` for every command.
DEFAULT_DEADLINE = 30.0
#: The most bytes one response may hold (``KG_SPARQL_MAX_BYTES``).
DEFAULT_MAX_BYTES = 512 * 1024 * 1024


def redact(url: str) -> str:
    """``url`` fit for a message: no user or password, no query string."""
    parsed = urllib.parse.urlsplit(url)
    host = parsed.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{parsed.port}" if parsed.port else "")
    return urllib.parse.urlunsplit((parsed.scheme, netloc, parsed.path, "", ""))


class _Redirected(Exception):
    def __init__(self, code: int, target: str) -> None:
        super().__init__(code, target)
        self.code, self.target = code, target


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Never follow a redirect: not to another host or scheme, and never with credentials."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        raise _Redirected(code, newurl)


#: The deadline of the command being run, when it sets one (kg query --timeout): read by every
#: store opened after it, so that the requests made while opening the store count too.
_command_deadline: float | None = None


def command_deadline(seconds: float | None) -> None:
    """Set (or clear, with None) the deadline stores opened from now on start with."""
    global _command_deadline
    _command_deadline = seconds


def _env_number(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise UsageError(f"${name}: {raw!r} is not a number") from None
    if value < 0:
        raise UsageError(f"${name}: {raw!r} is negative")
    return value


# Virtuoso echoes each graph of a request's dataset as a response header; http.client stops
# at 100 headers, and a union=False request names every graph.
http.client._MAXHEADERS = max(http.client._MAXHEADERS, 10_000)
_XSD = "http://www.w3.org/2001/XMLSchema#"
_PROLOGUE = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())

# -- binding parameters ----------------------------------------------------------------------

_TOKEN = re.compile(
    r'(?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\')'
    r"|(?P<iri><[^<>\"{}|^`\\\x00-\x20]*>)"
    r"|(?P<comment>#[^\n]*)"
    r"|(?P<var>[?$][A-Za-z0-9_\u00b7\u00c0-\uffff]+)"
    r"|(?P<word>[A-Za-z_][A-Za-z0-9_-]*)"
    r"|(?P<open>\{)"
    r"|(?P<other>[^\s])",
    re.S,
)


_ESCAPE = re.compile(r"\\(u[0-9A-Fa-f]{4}|\\[uU]|.)", re.S)


def _unambiguous(match: re.Match) -> str:
    code = match.group(1)
    if code[0] == "u" and len(code) == 5:  # \uXXXX: the long form
        return "\\U0000" + code[1:]
    if len(code) == 2:  # a backslash before u or U: that letter escaped too
        return "\\\\\\U000000" + ("75" if code[1] == "u" else "55")
    return match.group()


def _serialise(term: Node) -> str:
    """``term`` as a SPARQL term, by the RDF serialiser (validates IRIs, escapes literals).

    SPARQL reads ``\\u`` escapes before anything else, and parsers differ on them: rdflib
    reads ``"\\u000302E0"`` as U+302E0 and ``"\\\\u0041"`` as ``"\\A"``. So control characters
    go in the long form (``\\U00000003``), and a ``u`` after a backslash as ``\\U00000075``:
    every parser then reads the value the serialiser wrote.
    """
    if isinstance(term, BNode):
        raise UsageError("a blank node cannot be sent to a remote endpoint as a parameter")
    try:
        return _ESCAPE.sub(_unambiguous, str(to_ox(term)))
    except (ValueError, TypeError) as err:
        raise UsageError(f"cannot send {term!r} as a parameter: {err}") from None


def bind_values(query: str, bindings: Mapping[str, Node]) -> str:
    """``query`` with each bound variable replaced by its term, as Oxigraph's substitution does.

    The terms come from the RDF serialiser (:func:`_serialise`); only variable tokens are
    replaced, never text inside strings, IRIs or comments. In a SELECT projection the variable
    becomes ``(TERM AS ?var)``, so it is still a column; in GROUP BY / ORDER BY ``(TERM)``.
    A query that assigns a bound variable (``AS ?var``, ``VALUES ?var``) is refused.
    """
    if not bindings:
        return query
    terms = {name: _serialise(term) for name, term in bindings.items()}
    out: list[str] = []
    pos = 0
    clause = None  # "select" / "subselect" (projection), "group", "order" or None
    depth = 0  # parentheses within the clause
    braces = 0
    last_word = ""
    for token in _TOKEN.finditer(query):
        kind, text = token.lastgroup, token.group()
        if kind == "word":
            word = text.upper()
            if word == "SELECT":
                clause, depth = ("subselect" if braces else "select"), 0
            elif word == "BY" and last_word in ("GROUP", "ORDER"):
                clause, depth = last_word.lower(), 0
            elif word in ("WHERE", "HAVING", "LIMIT", "OFFSET", "VALUES", "ORDER"):
                clause = None
            last_word = word
            continue
        if kind == "open" or (kind == "other" and text == "}"):
            braces += 1 if kind == "open" else -1
            clause, last_word = None, ""
            continue
        if kind == "other":
            depth += {"(": 1, ")": -1}.get(text, 0)
            last_word = ""
            continue
        if kind != "var" or text[1:] not in terms:
            if kind == "var":
                last_word = ""
            continue
        name = text[1:]
        if last_word in ("AS", "VALUES"):
            raise UsageError(f"?{name} is given as a parameter but the query assigns it ({last_word} ?{name})")
        term = terms[name]
        if depth == 0 and clause == "select":
            replacement = f"({term} AS ?{name})"  # still a column of the answer
        elif depth == 0 and clause == "subselect":
            replacement = ""  # a constant: nothing to pass up
        elif depth == 0 and clause in ("group", "order"):
            replacement = f"({term})"
        else:
            replacement = term
        out.append(query[pos : token.start()])
        out.append(replacement)
        pos = token.end()
        last_word = ""
    out.append(query[pos:])
    return "".join(out)


# -- results -------------------------------------------------------------------------------


def _canonical(value: dict) -> dict:
    """Booleans in their canonical form (Virtuoso writes true as 1)."""
    if value.get("datatype") == _XSD + "boolean" and value.get("value") in ("1", "0"):
        return {**value, "value": "true" if value["value"] == "1" else "false"}
    return value


def _term(value: dict) -> Node:
    kind = value.get("type")
    text = value.get("value", "")
    if kind == "uri":
        return URIRef(text)
    if kind == "bnode":
        return BNode(text)
    lang = value.get("xml:lang")
    datatype = value.get("datatype")
    if lang:
        return Literal(text, lang=lang)
    if datatype and datatype != _XSD + "string":
        return Literal(text, datatype=URIRef(datatype))
    return Literal(text)


class SparqlStore:
    """A SPARQL 1.1 endpoint (read), with an optional update endpoint (write)."""

    name = "sparql"
    persistent = True
    local = False

    def __init__(self, url: str, update_url: str | None = None, graph_store_url: str | None = None) -> None:
        parsed = urllib.parse.urlparse(url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise UsageError(f"--store sparql:URL needs an http(s) URL, not {redact(url)!r}")
        if parsed.username is not None or parsed.password is not None:
            raise UsageError(
                f"--store sparql:{redact(url)}: credentials go in $KG_SPARQL_USER and $KG_SPARQL_PASSWORD, "
                "not in the URL"
            )
        self.url = url
        self.max_bytes = int(_env_number("KG_SPARQL_MAX_BYTES", DEFAULT_MAX_BYTES))
        default = _env_number("KG_SPARQL_DEADLINE", DEFAULT_DEADLINE)
        self.set_deadline(default if _command_deadline is None else _command_deadline)
        self.update_url = update_url
        self.graph_store_url = graph_store_url
        self._graphs: list[str] | None = None
        self._pending: list[tuple[str, str]] = []  # (staging graph, target graph) of a load
        handlers: list = []
        user, password = os.environ.get("KG_SPARQL_USER"), os.environ.get("KG_SPARQL_PASSWORD")
        if user and password:
            manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            for endpoint in filter(None, (url, update_url, graph_store_url)):
                manager.add_password(None, endpoint, user, password)
            handlers += [urllib.request.HTTPDigestAuthHandler(manager), urllib.request.HTTPBasicAuthHandler(manager)]
        # no proxies from the environment: the endpoint is named exactly; no redirect followed
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect(), *handlers)

    def set_deadline(self, seconds: float) -> None:
        """Every request from now on ends within ``seconds`` of now (0: no deadline)."""
        self.deadline_seconds = seconds
        self.deadline = time.monotonic() + seconds if seconds else None

    # -- HTTP ----------------------------------------------------------------------------
    def _post(self, endpoint: str, form: list[tuple[str, str]], accept: str) -> tuple[bytes, dict]:
        body = urllib.parse.urlencode(form).encode("utf-8")
        return self._send(endpoint, body, "application/x-www-form-urlencoded; charset=utf-8", accept)

    def _send(self, endpoint: str, body: bytes, content_type: str, accept: str) -> tuple[bytes, dict]:
        """POST ``body``; the whole answer within the deadline and the size cap, else one
        :class:`KgError` naming the endpoint (never its credentials)."""
        where = redact(endpoint)
        if self.deadline is not None and time.monotonic() >= self.deadline:
            raise self._late(where)
        request = urllib.request.Request(
            endpoint, data=body, method="POST", headers={"Accept": accept, "Content-Type": content_type}
        )
        outcome: dict = {}
        # the request runs in a daemon thread the deadline does not wait for: a server that
        # stalls before its headers or drips its body one byte at a time cannot hold kg
        worker = threading.Thread(target=self._fetch, args=(request, outcome), daemon=True)
        worker.start()
        worker.join(None if self.deadline is None else max(0.0, self.deadline - time.monotonic()))
        if worker.is_alive():
            response = outcome.get("response")
            if response is not None:
                try:
                    response.close()
                except Exception:  # noqa: BLE001 -- best effort: the thread is left behind
                    pass
            raise self._late(where)
        err = outcome.get("error")
        if err is None:
            return outcome["data"], outcome["headers"]
        if isinstance(err, _Redirected):
            raise KgError(
                f"{where}: the endpoint redirects (HTTP {err.code}) to {redact(err.target)}; "
                "kg follows no redirect: give that URL if you trust it"
            ) from None
        if isinstance(err, urllib.error.HTTPError):
            try:
                detail = err.read(2000).decode("utf-8", "replace").strip().splitlines()
            except Exception:  # noqa: BLE001 -- the body of an error is only a detail
                detail = []
            reason = next((line for line in detail if line.strip()), err.reason)
            raise KgError(f"{where}: HTTP {err.code}: {printable(reason)[:300]}") from None
        if isinstance(err, KgError):
            raise KgError(f"{where}: {err}") from None
        reason = getattr(err, "reason", err)
        raise KgError(f"{where}: cannot reach the SPARQL endpoint: {printable(str(reason))}") from None

    def _late(self, where: str) -> KgError:
        return KgError(
            f"{where}: no complete answer within the {self.deadline_seconds:g} s deadline "
            "(--timeout, or $KG_SPARQL_DEADLINE for every command)"
        )

    def _fetch(self, request, outcome: dict) -> None:
        """In the worker thread: open, read the body in pieces up to the size cap, and check
        that it is as long as the server announced."""
        try:
            timeout = None if self.deadline is None else max(0.01, self.deadline - time.monotonic())
            with self._opener.open(request, timeout=timeout) as response:
                outcome["response"] = response
                chunks, total = [], 0
                while True:
                    chunk = response.read1(65536)
                    if not chunk:
                        break
                    total += len(chunk)
                    if total > self.max_bytes:
                        raise KgError(
                            f"the answer passed {self.max_bytes:,} bytes ($KG_SPARQL_MAX_BYTES); ask for less"
                        )
                    chunks.append(chunk)
                if response.length:  # fewer bytes than Content-Length said
                    raise KgError(f"the answer ended early: {response.length:,} of its announced bytes never came")
                outcome["data"], outcome["headers"] = b"".join(chunks), dict(response.headers.items())
        except BaseException as err:  # noqa: BLE001 -- handed to the caller's thread
            outcome["error"] = err

    def _query(self, query: str, bindings: Mapping[str, Node] | None, union: bool, accept: str) -> bytes:
        text = _PROLOGUE + bind_values(query, bindings or {})
        form = [("query", text)]
        if not union:
            # the default graph alone, and every named graph by name (Virtuoso finds no
            # GRAPH <iri> outside the named graphs the request lists once it lists a default)
            form.append(("default-graph-uri", DEFAULT_GRAPH))
            form += [("named-graph-uri", g) for g in self._named_graphs()]

        data, headers = self._post(self.url, form, accept)
        cap = {k.lower(): v for k, v in headers.items()}.get("x-sparql-maxrows")
        if cap is not None:
            raise KgError(
                f"{redact(self.url)}: the endpoint cut the result at {cap} rows (X-SPARQL-MaxRows); "
                "raise its ResultSetMaxRows or ask for less"
            )
        return data

    def _named_graphs(self) -> list[str]:
        if self._graphs is None:
            rows = self.select_values(_LIST_GRAPHS)
            self._graphs = sorted({r["g"] for r in rows if "g" in r})
        return self._graphs

    def _json(self, query: str, bindings, union: bool) -> dict:
        data = self._query(query, bindings, union, "application/sparql-results+json")
        try:
            return json.loads(data)
        except ValueError:
            raise KgError(f"{redact(self.url)}: the endpoint did not answer with SPARQL JSON results") from None

    # -- reading -------------------------------------------------------------------------
    def _bindings(self, query: str, bindings, union: bool) -> Iterator[dict[str, dict]]:
        result = self._json(query, bindings, union)
        if "results" not in result:
            raise UsageError("expected a SELECT query")
        for row in result["results"].get("bindings", []):
            values = {
                k: _canonical(v)
                for k, v in row.items()
                if not (v.get("type") == "uri" and v.get("value") == DEFAULT_GRAPH)
            }
            if any(v.get("type") == "uri" and v.get("value") in SYSTEM_GRAPHS for v in values.values()):
                continue
            yield values

    def select(
        self, query: str, bindings: Mapping[str, Node] | None = None, union: bool = True, limit: int | None = None
    ) -> list[Row]:
        rows = self._bindings(query, bindings, union)
        return [{k: _term(v) for k, v in row.items()} for row in itertools.islice(rows, limit)]

    def select_values(
        self, query: str, bindings: Mapping[str, Node] | None = None, union: bool = True
    ) -> list[dict[str, str]]:
        return [{k: v.get("value", "") for k, v in row.items()} for row in self._bindings(query, bindings, union)]

    def ask(self, query: str, bindings: Mapping[str, Node] | None = None, union: bool = True) -> bool:
        result = self._json(query, bindings, union)
        if "boolean" in result:
            return bool(result["boolean"])
        if result.get("head", {}).get("vars") == ["__ASK_RETVAL"]:  # Virtuoso's way of saying it
            rows = result.get("results", {}).get("bindings", [])
            return bool(rows) and rows[0].get("__ASK_RETVAL", {}).get("value") not in ("0", "false")
        raise UsageError("expected an ASK query")

    def construct(self, query: str, union: bool = True, limit: int | None = None) -> list[tuple[Node, Node, Node]]:
        data = self._query(query, None, union, "application/n-triples")
        try:
            triples = list(ox.parse(data, format=ox.RdfFormat.N_TRIPLES))
        except SyntaxError:
            raise KgError(f"{redact(self.url)}: the endpoint did not answer with N-Triples") from None
        return [(to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)) for t in triples[:limit]]

    def match(self, subject: str | None = None, predicate: str | None = None, obj: str | None = None) -> list[Match]:
        given = {k: URIRef(v) for k, v in (("s", subject), ("p", predicate), ("o", obj)) if v is not None}
        rows = self.select("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }", given)
        out = []
        for row in rows:
            o = row["o"]
            out.append(
                Match(
                    str(row["s"]),
                    str(row["p"]),
                    str(o),
                    isinstance(o, URIRef),
                    str(row["g"]) if "g" in row else None,
                    o.language if isinstance(o, Literal) else None,
                    str(o.datatype or XSD.string) if isinstance(o, Literal) and not o.language else None,
                )
            )
        return out

    def quads(self) -> Iterator[tuple[Node, Node, Node, Node | None]]:
        for row in self.select("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }"):
            yield row["s"], row["p"], row["o"], row.get("g")

    def __len__(self) -> int:
        rows = self.select_values("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        return sum(int(r["n"]) for r in rows)

    def is_empty(self) -> bool:
        return len(self) == 0

    # -- writing -------------------------------------------------------------------------
    def _update(self, text: str) -> None:
        if not self.update_url:
            raise UsageError("writing to a SPARQL endpoint needs --update-endpoint URL (e.g. …/sparql-auth)")
        self._graphs = None
        self._post(self.update_url, [("update", text)], "*/*")

    def load_file(self, path: Path, graph: str | None = None, progress: Callable[[int], None] | None = None) -> int:
        """Parse ``path`` here (a bad file sends nothing) and stage its quads in fresh graphs on
        the server (Graph Store POSTs when a graph store is given, else ``INSERT DATA``).
        :meth:`flush` adds everything staged in one update request and :meth:`abort` drops it,
        so a failure anywhere in a load leaves the store as it was. Returns the quads staged."""
        from kg.stores import OxigraphMemoryStore

        format_for(path)
        staging = OxigraphMemoryStore()
        staging.load_file(path, graph, progress)
        by_graph: dict[str, list[ox.Quad]] = {}
        for quad in staging._store:
            if isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode):
                raise UsageError(f"{path}: blank nodes do not survive a remote store: give them IRIs (skolemise)")
            by_graph.setdefault(_graph_of(quad), []).append(quad)
        if not by_graph:
            return 0
        if not self.update_url:
            raise UsageError("writing to a SPARQL endpoint needs --update-endpoint URL (e.g. …/sparql-auth)")
        token = uuid.uuid4().hex
        for n, g in enumerate(sorted(by_graph)):
            staged = f"urn:x-tradekg:staging:{token}:{n}"
            self._pending.append((staged, g))
            quads = by_graph[g]
            size = GSP_CHUNK if self.graph_store_url else CHUNK
            for i in range(0, len(quads), size):
                chunk = quads[i : i + size]
                if self.graph_store_url:
                    self._graph_post(staged, chunk)
                else:
                    self._update(_insert_data(staged, chunk))
        return sum(len(q) for q in by_graph.values())

    def flush(self) -> None:
        """Add what the load staged, in one update request; then drop the staging graphs."""
        if not self._pending:
            return
        try:
            self._update(" ;\n".join(f"ADD <{staged}> TO <{g}>" for staged, g in self._pending))
        finally:
            self.abort()

    def abort(self) -> None:
        """Drop the staging graphs of a load: what was staged is not added."""
        pending, self._pending = self._pending, []
        if pending:
            try:
                self._update(" ;\n".join(f"DROP SILENT GRAPH <{staged}>" for staged, _ in pending))
            except KgError:
                pass

    def _graph_post(self, graph: str, quads: list[ox.Quad]) -> None:
        body = ox.serialize([ox.Triple(q.subject, q.predicate, q.object) for q in quads], format=ox.RdfFormat.N_TRIPLES)
        separator = "&" if "?" in self.graph_store_url else "?"
        url = f"{self.graph_store_url}{separator}{urllib.parse.urlencode({'graph': graph})}"
        self._graphs = None
        self._send(url, body, "application/n-triples", "*/*")


def _graph_of(quad: ox.Quad) -> str:
    g = quad.graph_name
    return DEFAULT_GRAPH if isinstance(g, ox.DefaultGraph) else g.value


def _insert_data(graph: str, quads: list[ox.Quad]) -> str:
    """One ``INSERT DATA`` of ``quads`` into ``graph``, written by the N-Triples serialiser."""
    lines = "\n".join(f"{q.subject} {q.predicate} {q.object} ." for q in quads)
    return f"INSERT DATA {{ GRAPH <{graph}> {{\n{lines}\n}} }}"

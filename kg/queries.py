"""The query catalogue: self-describing ``.rq`` files, bound parameters, safe execution.

A query file is valid SPARQL whose leading comments describe it::

    # title: Restrictions in force on a date
    # description: Which restrictions were in force on DATE, who imposed them and on what.
    # param: date date default=today -- the as-of date (valid time)
    # param: claims choice(include|exclude|confirmed-only) default=exclude -- claims in or out
    # returns: policy policyLabel imposer
    # tags: cq1, policy
    SELECT ?policy ?policyLabel ?imposer ?date ?claims WHERE { ... }

The file name is the query's name. A parameter ``NAME`` is the variable ``?NAME``; values are
converted by type and bound as terms (Oxigraph substitutions, the equivalent of rdflib's
``initBindings``), never pasted into the text. Oxigraph binds only projected variables, so
parameters appear in the SELECT clause; they are left out of the results.

Every query is parsed with rdflib's SPARQL parser before it runs: updates, ``SERVICE`` and
dataset clauses (``FROM``) are refused, since both engines would otherwise fetch URLs or read
files. Queries run in a forked worker that is killed when ``timeout`` runs out (neither
Python API has a query timeout).
"""

from __future__ import annotations

import datetime as dt
import functools
import multiprocessing
import os
import re
import signal
import stat
import sys
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Literal, Variable
from rdflib.namespace import XSD
from rdflib.term import Node

from kg import resources
from kg.errors import KgError, UsageError, os_reason
from kg.output import RESULT_LIMIT

__all__ = [
    "Param",
    "QuerySpec",
    "QueryResult",
    "QueryRefused",
    "QueryTimeout",
    "ResultTooLarge",
    "load_spec",
    "fragment",
    "expand_includes",
    "catalogue",
    "check_query",
    "bind_parameters",
    "run_query",
    "execute",
]

_PARAM = re.compile(
    r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s+(?P<type>iri|date|string|int|choice\([^)]*\))"
    r"(?:\s+(?P<flag>required|default=\S+))?\s*(?:--\s*(?P<doc>.*))?$"
)


class QueryRefused(KgError):
    """The query would write, call out or read files: it is not run."""


class QueryTimeout(KgError):
    """The query ran longer than its time budget and was stopped."""


class ResultTooLarge(KgError):
    """The result has more rows (or triples) than the limit: nothing of it is shown."""


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    required: bool = False
    default: str | None = None
    choices: tuple[str, ...] = ()
    doc: str = ""

    def describe(self) -> str:
        kind = f"choice({'|'.join(self.choices)})" if self.type == "choice" else self.type
        if self.required:
            return f"{self.name} {kind} (required)"
        if self.default is not None:
            return f"{self.name} {kind} = {self.default}"
        return f"{self.name} {kind}"


@dataclass(frozen=True)
class QuerySpec:
    name: str
    path: Path
    text: str
    title: str = ""
    description: str = ""
    params: tuple[Param, ...] = ()
    returns: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


@dataclass
class QueryResult:
    """Rows of a SELECT, the answer of an ASK, or the triples of a CONSTRUCT/DESCRIBE."""

    kind: str  # "SELECT" | "ASK" | "CONSTRUCT" | "DESCRIBE"
    variables: list[str] = field(default_factory=list)
    rows: list[dict[str, Node]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[tuple[Node, Node, Node]] = field(default_factory=list)


def load_spec(path: Path) -> QuerySpec:
    """Read a ``.rq`` file and its header. Raises :class:`UsageError` on a malformed header."""
    text = _read_query_file(path)
    fields: dict[str, list[str]] = {}
    params: list[Param] = []
    includes: list[str] = []
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            break
        key, sep, value = stripped.lstrip("#").strip().partition(":")
        key = key.strip().lower()
        if not sep or key not in {"title", "description", "param", "returns", "tags", "include"}:
            continue
        value = value.strip()
        if key == "include":
            includes.extend(n.strip() for n in value.split(",") if n.strip())
        elif key == "param":
            params.append(_parse_param(path, number, value))
        else:
            fields.setdefault(key, []).append(value)
    if includes or _INCLUDE_LINE.search(text):
        text = expand_includes(text, includes, path)
    return QuerySpec(
        name=path.stem,
        path=path,
        text=text,
        title=" ".join(fields.get("title", [])),
        description=" ".join(fields.get("description", [])),
        params=tuple(params),
        returns=tuple(" ".join(fields.get("returns", [])).split()),
        tags=tuple(t.strip() for t in ",".join(fields.get("tags", [])).split(",") if t.strip()),
    )


def _read_query_file(path: Path) -> str:
    """The text of the query file ``path``: a regular file only (a named pipe would block the
    read, a device never end it), of at most :data:`MAX_QUERY_BYTES`."""
    try:  # O_NONBLOCK: opening a named pipe does not wait for a writer
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    except OSError as err:
        raise UsageError(f"{path}: cannot read query: {os_reason(err)}") from None
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = "a folder" if stat.S_ISDIR(info.st_mode) else "a named pipe, socket or device"
            raise UsageError(f"{path}: not a regular file ({kind}); a query is a .rq text file")
        if info.st_size > MAX_QUERY_BYTES:
            raise UsageError(
                f"{path}: refused: {info.st_size:,} bytes, longer than any query kg runs "
                f"({MAX_QUERY_CHARS:,} characters)"
            )
        try:
            return fh.read(MAX_QUERY_BYTES + 1).decode("utf-8")
        except (OSError, UnicodeDecodeError) as err:
            reason = os_reason(err) if isinstance(err, OSError) else err
            raise UsageError(f"{path}: cannot read query: {reason}") from None


# -- fragments -------------------------------------------------------------------------
#
# A rule used by several queries (what "active on ?date" means) lives once, in a fragment
# file ``queries/NAME.rqf``: a SPARQL boolean expression over ``?NODE`` and ``?date``, whose
# own variables start with ``?_`` and which may use other fragments as ``{{NAME ?VAR}}``.
# A query names the fragments it uses in its header (``# include: active``) and puts each
# where it applies as a comment line, so the file stays valid SPARQL:
#
#     #include active(?policy)        ->  FILTER (<active, over ?policy>)
#     #include !active(?policy)       ->  FILTER (!(<active, over ?policy>))
#
# A fragment headed ``# kind: pattern`` is a group graph pattern, included as it is; it binds
# its outputs as ``?NODE_name`` (``#include status(?policy)`` binds ``?policy_status``).
# A second argument asks the rule on another day than ``?date`` (and so do the fragments it
# uses): ``#include suspending(?other, ?lift)`` is "?other suspends on the day ?lift".

_INCLUDE_LINE = re.compile(
    r"^(?P<indent>[ \t]*)#include\s+(?P<neg>!?)(?P<name>[a-z][a-z0-9-]*)"
    r"\((?P<var>\?[A-Za-z_]\w*)(?:,\s*(?P<date>\?[A-Za-z_]\w*))?\)[ \t]*$",
    re.M,
)
_INLINE = re.compile(r"\{\{(?P<neg>!?)(?P<name>[a-z][a-z0-9-]*) (?P<var>\?[A-Za-z_]\w*)\}\}")


def fragment(name: str) -> str:
    """The text of the fragment ``NAME`` (``queries/NAME.rqf``), its comment lines left out."""
    return _fragment_source(name)[1]


@functools.lru_cache(maxsize=64)
def _fragment_source(name: str) -> tuple[str, str]:
    """(kind, text) of a fragment: ``expression`` (included as a FILTER), or ``pattern`` (a
    header line ``# kind: pattern``: a group graph pattern, included as it is)."""
    if not re.fullmatch(r"[a-z][a-z0-9-]*", name):
        raise UsageError(f"no such query fragment {name!r}")
    path = resources.queries_dir() / f"{name}.rqf"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        raise UsageError(f"no such query fragment {name!r} ({path.name})") from None
    kind = "pattern" if re.search(r"^#\s*kind:\s*pattern\s*$", text, re.M) else "expression"
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#")).strip()
    return kind, body


def fragment_expression(
    name: str, var: str, counter: list[int] | None = None, depth: int = 0, date: str = "?date"
) -> str:
    """The fragment ``name`` as an expression over ``var`` on the day ``date`` (a variable),
    its own variables renamed apart."""
    if depth > 8:
        raise UsageError(f"query fragment {name!r} includes itself")
    counter = counter if counter is not None else [0]
    counter[0] += 1
    tag = f"k{counter[0]}"
    text = re.sub(r"\?_(\w+)", lambda m: f"?_{tag}_{m[1]}", fragment(name))
    text = re.sub(r"\?NODE_(\w+)", lambda m: f"{var}_{m[1]}", text)  # a pattern's outputs: ?NODE_status
    text = re.sub(r"\?NODE\b", lambda _: var, text)
    if date != "?date":
        text = re.sub(r"\?date\b", lambda _: date, text)

    def inline(m: re.Match) -> str:
        inner = fragment_expression(m["name"], m["var"], counter, depth + 1, date)
        return f"!{inner}" if m["neg"] else inner

    return _INLINE.sub(inline, text)


def expand_includes(text: str, declared: Iterable[str], origin: Path | str = "query") -> str:
    """Replace each ``#include NAME(?var)`` line of ``text`` by its FILTER; every fragment used
    must be declared in the header (``# include: NAME``) and every declared one used."""
    declared = list(declared)
    used: set[str] = set()
    counter = [0]

    def replace(m: re.Match) -> str:
        name = m["name"]
        if name not in declared:
            raise UsageError(f"{origin}: '#include {name}' without '# include: {name}' in the header")
        used.add(name)
        expr = fragment_expression(name, m["var"], counter, date=m["date"] or "?date")
        if _fragment_source(name)[0] == "pattern":
            if m["neg"]:
                raise UsageError(f"{origin}: '#include !{name}': a pattern fragment cannot be negated")
            return m["indent"] + expr
        body = f"!({expr})" if m["neg"] else expr
        return m["indent"] + f"FILTER ({body})"

    out = _INCLUDE_LINE.sub(replace, text)
    unused = [n for n in declared if n not in used]
    if unused:
        raise UsageError(f"{origin}: '# include: {', '.join(unused)}' but no '#include' line uses it")
    return out


def _parse_param(path: Path, number: int, value: str) -> Param:
    match = _PARAM.match(value)
    if not match:
        raise UsageError(
            f"{path}:{number}: bad '# param:' line {value!r}; expected "
            "'NAME TYPE [required|default=VALUE] -- meaning' with TYPE iri, date, string, int or choice(a|b)"
        )
    kind, choices = match["type"], ()
    if kind.startswith("choice("):
        choices = tuple(c.strip() for c in kind[7:-1].split("|") if c.strip())
        kind = "choice"
    flag = match["flag"] or ""
    default = flag[len("default=") :] if flag.startswith("default=") else None
    if choices and default is not None and default not in choices:
        raise UsageError(f"{path}:{number}: default {default!r} of parameter {match['name']!r} is not one of {choices}")
    return Param(match["name"], kind, flag == "required", default, choices, (match["doc"] or "").strip())


def catalogue(extra_dirs: Iterable[str | Path] = ()) -> dict[str, QuerySpec]:
    """Shipped queries, then those of ``extra_dirs`` (a user's query replaces a shipped one)."""
    specs = dict(_shipped())
    for folder in map(Path, extra_dirs):
        if not folder.is_dir():
            raise UsageError(f"{folder}: no such query folder")
        for path in sorted(folder.glob("*.rq")):
            specs[path.stem] = load_spec(path)
    return specs


@functools.cache
def _shipped() -> dict[str, QuerySpec]:
    """The shipped queries, read once per process (the analysis asks for them per policy)."""
    return {path.stem: load_spec(path) for path in sorted(resources.queries_dir().glob("*.rq"))}


# -- safety ----------------------------------------------------------------------------


def _walk(node) -> Iterable[str]:
    """Names of every parse-tree node (CompValue) under ``node``."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    # ParseResults registers as a Mapping but keeps its parts as items: test it first.
    if isinstance(node, (ParseResults, list, tuple)):
        children = list(node)
    elif isinstance(node, CompValue):
        yield node.name
        children = list(node.values())
    elif isinstance(node, Mapping):
        children = list(node.values())
    else:
        return
    for child in children:
        yield from _walk(child)


#: The longest query kg checks and runs, in characters. The longest shipped one, its fragments
#: included, has ~27,000; rdflib's parser reads up to ~0.15 ms a character (a chain of ``||``),
#: so a query this long is checked within ~10 s.
MAX_QUERY_CHARS = 65_536
#: The largest query file kg reads (UTF-8 takes at most 4 bytes a character).
MAX_QUERY_BYTES = 4 * MAX_QUERY_CHARS

#: A query is parsed (by rdflib, pure Python) and evaluated (by Oxigraph, Rust) in a thread
#: with this much stack: both recurse once per level of a nested or chained query, and
#: Oxigraph overflows the main thread's 8 MB (SIGSEGV) on a list of 20,000 objects or a chain
#: of 20,000 ``||``. Only the pages used are ever touched.
_STACK_BYTES = 512 << 20
#: Python frames the parser may use in that thread: pyparsing takes ~80 a level of brackets
#: and one a triple pattern, so the longest flat query parses and ~2,500 levels of brackets do.
_PARSE_DEPTH = 200_000

#: What rdflib expands over the whole text before parsing, as the SPARQL grammar says; Oxigraph
#: expands it only inside strings and IRIs. The two engines would read a different query.
_ESCAPE = re.compile(r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}")
#: Strings, IRIs and comments as Oxigraph reads them, and the keyword SERVICE outside them (a
#: variable, a prefixed name or a language tag of that name is not the keyword).
_LEXEME = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r"|'(?:[^'\\\n\r]|\\.)*'"
    r'|<[^<>"{}|^`\\\x00-\x20]*>'
    r"|#[^\n\r]*"
    r"|(?<![\w?$:@\-])(?P<service>service)(?![\w:\-])",
    re.IGNORECASE | re.DOTALL,
)
_SERVICE = "refused: SERVICE would send the query over the network; kg makes no requests"


def _where(text: str, offset: int) -> str:
    """``line L, column C`` of ``offset`` in ``text`` (both from 1)."""
    line = text.count("\n", 0, offset) + 1
    column = offset - text.rfind("\n", 0, offset)
    return f"line {line}, column {column}"


@functools.lru_cache(maxsize=256)
def screen(text: str, origin: str = "query") -> None:
    """Refuse, before any parser reads it, a query kg cannot check safely or cheaply: one
    longer than :data:`MAX_QUERY_CHARS`, an empty one, one holding a ``\\u``/``\\U`` escape
    (the checker and the engine would read different queries: a ``"\\u0022"`` ends a string
    for one and not the other, hiding a SERVICE from the check), and one where the keyword
    SERVICE stands outside strings, IRIs and comments, whatever the parser makes of it."""
    if len(text) > MAX_QUERY_CHARS:
        raise UsageError(
            f"{origin}: refused: the query is {len(text):,} characters long; kg runs queries of up to "
            f"{MAX_QUERY_CHARS:,} (split it, or put long lists of values in the data)"
        )
    if not any(line.strip() and not line.lstrip().startswith("#") for line in text.splitlines()):
        raise UsageError(f"{origin}: the query is empty" + (" (it holds only comments)" if text.strip() else ""))
    escape = _ESCAPE.search(text)
    if escape:
        raise QueryRefused(
            f"{origin}: refused: the escape {escape.group()} at {_where(text, escape.start())}: SPARQL engines "
            "read \\u escapes in different places, so the query cannot be checked; write the character itself"
        )
    for lexeme in _LEXEME.finditer(text):
        if lexeme.group("service"):
            raise QueryRefused(f"{origin}: {_SERVICE}")


def _deep(function, *args):
    """``function(*args)`` in a thread with a deep stack (:data:`_STACK_BYTES`, and
    :data:`_PARSE_DEPTH` Python frames), so that neither rdflib's parser nor Oxigraph
    overflows the C stack on a long or nested query; its exception is raised here."""
    outcome: dict = {}

    def run() -> None:
        try:
            outcome["value"] = function(*args)
        except BaseException as err:  # raised again in the caller
            outcome["error"] = err

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, _PARSE_DEPTH))  # the limit is the process's, not the thread's
    size = threading.stack_size(_STACK_BYTES)
    try:
        worker = threading.Thread(target=run, name="kg-query", daemon=True)
        worker.start()
        threading.stack_size(size)
        worker.join()
    finally:
        threading.stack_size(size)
        sys.setrecursionlimit(limit)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


@functools.lru_cache(maxsize=128)
def _parse(text: str):
    """rdflib's parse tree of a query (cached: parsing a long query takes rdflib ~0.5 s)."""
    from rdflib.plugins.sparql.parser import parseQuery

    return _deep(parseQuery, text)


@functools.lru_cache(maxsize=256)
def check_query(text: str, origin: str = "query") -> str:
    """Screen and parse ``text`` and refuse what must not run; return the query form (SELECT,
    ASK, ...).

    Raises :class:`QueryRefused` for updates, ``SERVICE``, ``FROM``/``FROM NAMED`` and
    ``\\u`` escapes, and :class:`UsageError` for an empty or over-long query and for a
    syntax error, naming line and column (see :func:`screen`).
    """
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseUpdate

    screen(text, origin)
    try:
        tree = _parse(text)
    except ParseException as err:
        try:
            update = _deep(parseUpdate, text)
        except (ParseException, RecursionError):
            update = None
        operations = sorted({_UPDATE_OPS[n] for n in _walk(update) if n in _UPDATE_OPS}) if update else []
        if not operations:  # a prologue alone parses as an update of nothing: it is not one
            reason = str(err).split(" (at char")[0]
            where = f"line {err.lineno}, column {err.col}"
            raise UsageError(f"{origin}: SPARQL syntax error at {where}: {reason}") from None
        raise QueryRefused(
            f"{origin}: refused: {', '.join(operations)} would change the graph; kg runs read-only queries"
        ) from None
    except RecursionError:
        raise UsageError(f"{origin}: query nested too deeply to check (brackets or groups over ~2,000 deep)") from None
    names = set(_walk(tree))
    if "ServiceGraphPattern" in names:
        raise QueryRefused(f"{origin}: {_SERVICE}")
    if "DatasetClause" in names:
        raise QueryRefused(f"{origin}: refused: FROM / FROM NAMED would load other graphs; query the loaded graph")
    form = tree[1].name
    return form.removesuffix("Query").upper()


_UPDATE_OPS = {
    "InsertData": "INSERT DATA",
    "DeleteData": "DELETE DATA",
    "DeleteWhere": "DELETE WHERE",
    "Modify": "DELETE/INSERT",
    "Load": "LOAD",
    "Clear": "CLEAR",
    "Drop": "DROP",
    "Create": "CREATE",
    "Add": "ADD",
    "Move": "MOVE",
    "Copy": "COPY",
}


# -- parameters ------------------------------------------------------------------------


def _convert(graph, param: Param, raw: str) -> Node:
    from kg.lookup import resolve_entity

    where = f"parameter {param.name!r}"
    if param.type == "iri":
        try:
            return resolve_entity(graph, raw)
        except KgError as err:
            raise UsageError(f"{where}: {err}") from None
    if param.type == "date":
        if raw == "today":
            return Literal(dt.date.today().isoformat(), datatype=XSD.date)
        try:
            return Literal(dt.date.fromisoformat(raw).isoformat(), datatype=XSD.date)
        except ValueError:
            raise UsageError(f"{where}: {raw!r} is not a date (YYYY-MM-DD)") from None
    if param.type == "int":
        try:
            return Literal(int(raw), datatype=XSD.integer)
        except ValueError:
            raise UsageError(f"{where}: {raw!r} is not a whole number") from None
    if param.type == "choice":
        if raw not in param.choices:
            raise UsageError(f"{where}: {raw!r} is not one of {', '.join(param.choices)}")
        return Literal(raw)
    return Literal(raw)


def bind_parameters(graph, spec: QuerySpec, given: Mapping[str, str]) -> dict[str, Node]:
    """Convert ``given`` (NAME -> text) by the declared types; fill defaults; check required."""
    unknown = sorted(set(given) - {p.name for p in spec.params})
    if unknown:
        takes = ", ".join(p.name for p in spec.params) or "no parameters"
        raise UsageError(f"unknown parameter {unknown[0]!r} for query {spec.name!r}; it takes: {takes}")
    bound: dict[str, Node] = {}
    for param in spec.params:
        if param.name in given:
            bound[param.name] = _convert(graph, param, given[param.name])
        elif param.default is not None:
            bound[param.name] = _convert(graph, param, param.default)
        elif param.required:
            raise UsageError(
                f"query {spec.name!r} needs parameter {param.name!r} (-p {param.name} VALUE): {param.doc or param.type}"
            )
    return bound


# -- execution -------------------------------------------------------------------------


def _projected(text: str) -> set[str] | None:
    """Variables a SELECT projects (None for SELECT *)."""
    query = _parse(text)[1]
    projection = query.get("projection")
    if not projection or projection == "projection":
        return None
    out = set()
    for item in projection:
        var = item.get("var") if hasattr(item, "get") else None
        evar = item.get("evar") if hasattr(item, "get") else None
        for v in (var, evar):
            if isinstance(v, Variable):
                out.add(str(v))
    return out


def _evaluate(
    store, text: str, form: str, bindings: Mapping[str, Node], limit: int | None = None, origin: str = "query"
) -> QueryResult:
    """Run the checked query; with ``limit``, reading stops one past it and the result is
    refused (:class:`ResultTooLarge`), never shown cut short."""
    cap = None if limit is None else limit + 1
    if form == "SELECT":
        rows = store.select(text, bindings, limit=cap)
        found = QueryResult("SELECT", _variables(text, rows), rows)
        size, unit = len(rows), "rows"
    elif form == "ASK":
        return QueryResult("ASK", boolean=store.ask(text, bindings))
    elif bindings:
        raise UsageError("parameters are supported on SELECT and ASK queries only")
    else:
        found = QueryResult(form, triples=store.construct(text, limit=cap))
        size, unit = len(found.triples), "triples"
    if limit is not None and size > limit:
        raise ResultTooLarge(
            f"{origin}: more than {limit:,} {unit}: narrow the query, add a LIMIT, or raise --limit (0: no limit)"
        )
    return found


def _variables(text: str, rows: list[dict[str, Node]]) -> list[str]:
    query = _parse(text)[1]
    names: list[str] = []
    for item in query.get("projection") or []:
        for key in ("var", "evar"):
            v = item.get(key) if hasattr(item, "get") else None
            if isinstance(v, Variable) and str(v) not in names:
                names.append(str(v))
    if not names:  # SELECT *
        for row in rows:
            for key in row:
                if key not in names:
                    names.append(key)
    return names


def _checked_run(store, text: str, bindings: Mapping[str, Node], limit: int | None, origin: str) -> QueryResult:
    """Check ``text`` (:func:`check_query`) and run it on ``store``, in a deep-stack thread."""
    form = check_query(text, origin)
    if bindings and form == "SELECT":
        projected = _projected(text)
        missing = sorted(n for n in bindings if projected is not None and n not in projected)
        if missing:
            raise UsageError(f"{origin}: parameter ?{missing[0]} must be projected in the SELECT clause to be bound")
    return _deep(_evaluate, store, text, form, bindings, limit, origin)


#: The errors a worker sends back by name (each made from its message alone).
_SENT = {cls.__name__: cls for cls in (UsageError, QueryRefused, QueryTimeout, ResultTooLarge)}


def _die_with_parent() -> None:
    """Have Linux kill this worker when the process that forked it dies (``kill -9 kg``), so a
    query never runs on orphaned."""
    try:
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the worker is still a daemon
        pass


def _worker(store, text, bindings, limit, origin, conn) -> None:
    _die_with_parent()
    try:
        conn.send(("ok", _checked_run(store, text, bindings, limit, origin)))
    except KgError as err:  # by name and message: a subclass need not unpickle
        conn.send(("error", type(err).__name__ if type(err).__name__ in _SENT else "UsageError", str(err)))
    except Exception as err:  # reported to the parent as a message, never a traceback
        conn.send(("error", "UsageError", f"{origin}: query failed: {' '.join(str(err).split())}"))
    finally:
        conn.close()


def _died(origin: str, code: int | None) -> UsageError:
    """The error for a worker that ended without an answer: killed by a signal or exited."""
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        if -code == signal.SIGKILL:
            return UsageError(f"{origin}: the query worker was killed ({name}; out of memory?)")
        return UsageError(
            f"{origin}: the query engine crashed ({name}): the query is too large or too deeply nested for it; "
            "simplify it"
        )
    return UsageError(f"{origin}: the query worker ended without an answer (exit status {code})")


def _check_terms(bindings: Mapping[str, Node], origin: str) -> None:
    """Refuse a value no RDF term can hold (an invalid IRI, a lone surrogate) before it runs."""
    from kg.stores import to_ox

    for name, term in bindings.items():
        try:
            to_ox(term)
        except (ValueError, TypeError) as err:
            reason = str(err) or type(err).__name__  # UsageError shows control characters escaped
            raise UsageError(f"{origin}: parameter ?{name}: {str(term)!r} is not a valid RDF term ({reason})") from None


def run_query(
    graph,
    text: str,
    bindings: Mapping[str, Node] | None = None,
    timeout: float | None = 30.0,
    origin: str = "query",
    limit: int | None = None,
) -> QueryResult:
    """Check ``text`` and run it on ``graph`` with ``bindings``, within ``timeout`` seconds.

    With a ``timeout`` the query is checked and run in a forked worker process, killed when
    the time is up (:class:`QueryTimeout`): checking a long query is part of the time. With
    ``timeout=0`` the worker has no time limit; with ``None`` the query runs in this process.
    A worker that dies (a crash of the engine, the kernel's out-of-memory killer) is one
    :class:`UsageError`. A result of more than ``limit`` rows or triples raises
    :class:`ResultTooLarge` (``None``: no limit).
    """
    screen(text, origin)  # cheap, and what no parser should read
    bindings = dict(bindings or {})
    _check_terms(bindings, origin)
    if timeout is None:
        return _checked_run(graph.store, text, bindings, limit, origin)
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_worker, args=(graph.store, text, bindings, limit, origin, sender), daemon=True)
    process.start()
    sender.close()
    try:
        if not receiver.poll(timeout or None):
            raise QueryTimeout(f"{origin}: stopped after {timeout:g} s (raise --timeout to allow longer)")
        try:
            answer = receiver.recv()
        except EOFError:
            process.join(5)
            raise _died(origin, process.exitcode) from None
    finally:
        if process.is_alive():
            process.kill()
        process.join()
        receiver.close()
    if answer[0] == "error":
        raise _SENT[answer[1]](answer[2])
    return answer[1]


#: The shipped queries :mod:`kg.windows` answers from its index where the store has one.
WINDOWED = ("timeline", "changes-between", "planned-events", "restrictions-in-force")


def execute(
    graph,
    spec: QuerySpec,
    given: Mapping[str, str],
    timeout: float | None = 30.0,
    limit: int | None = RESULT_LIMIT,
):
    """Bind ``given`` to ``spec``'s parameters and run it; parameter columns are dropped."""
    bindings = bind_parameters(graph, spec, given)
    origin = spec.name if spec.path.parent == resources.queries_dir() else str(spec.path)
    if spec.name == "search" and origin == "search":  # the shipped one: a name index answers it
        from kg.lookup import search_names

        rows = search_names(graph, str(bindings["text"]))
        if rows is not None:
            if limit is not None and len(rows) > limit:
                raise ResultTooLarge(
                    f"{origin}: more than {limit:,} rows: narrow the query, add a LIMIT, or raise --limit (0: no limit)"
                )
            return QueryResult("SELECT", ["entity", "label", "type", "matched"], rows), bindings
    if origin == spec.name and spec.name in WINDOWED:  # shipped date-window queries: by index
        from kg.windows import answer

        found = answer(graph, spec.name, bindings)
        if found is not None:
            variables, rows = found
            if limit is not None and len(rows) > limit:
                raise ResultTooLarge(
                    f"{origin}: more than {limit:,} rows: narrow the query, add a LIMIT, or raise --limit (0: no limit)"
                )
            return QueryResult("SELECT", variables, rows), bindings
    result = run_query(graph, spec.text, bindings, timeout, origin=origin, limit=limit)
    if result.kind == "SELECT" and bindings:
        result.variables = [v for v in result.variables if v not in bindings]
        result.rows = [{k: v for k, v in row.items() if k not in bindings} for row in result.rows]
    return result, bindings

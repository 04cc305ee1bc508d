"""Write the graph, or the neighbourhood of one entity, as RDF or as GraphML/GEXF.

Files are written whole or not at all: to a temporary file beside the target, then renamed;
devices, pipes and open files (``/dev/null``, ``/dev/stdout``) are written where they are.
"""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from pathlib import Path

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.term import Node

from kg.errors import UsageError, os_reason
from kg.graph import KnowledgeGraph
from kg.namespaces import ONTOLOGY_IRI, PREFIXES, curie

__all__ = ["export_graph", "neighbourhood", "to_networkx", "write_atomic"]

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def _umask() -> int:
    """The process's umask (read by setting it, then put back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _through_open_file(output: str) -> bool:
    """Whether ``output`` leads, through symlinks, into /proc: a file the process has open
    (``/dev/stdout``, ``/dev/fd/1``), which must be written where it is, not replaced."""
    path = os.path.abspath(output)
    for _ in range(40):  # the kernel's own limit on a chain of links
        head, tail = os.path.split(path)
        path = os.path.join(os.path.realpath(head), tail)
        if path.startswith("/proc/"):
            return True
        try:
            link = os.readlink(path)
        except OSError:
            return False
        path = os.path.join(os.path.dirname(path), link)
    return False


def _write_in_place(output: str, data: bytes, append: bool) -> None:
    """Write ``data`` into the open end of a device, a pipe or an open file, never replacing it."""
    flags = os.O_WRONLY | os.O_NOCTTY | (os.O_APPEND if append else 0)
    fd = os.open(output, flags)  # a named pipe waits here for a reader, as `echo > pipe` does
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def write_atomic(output: str, data: bytes) -> None:
    """Write ``data`` to ``output`` (``-``: stdout).

    A file is written whole or not at all: to a temporary file beside it, then renamed over
    it. A file replaced keeps its mode (and its owner, where the process may set it); a new
    one gets the mode of any file the user writes (0666 less the umask). A symlink is
    followed: the file it names is replaced, the link kept.

    A character device (``/dev/null``, a terminal), a named pipe and a file the process has
    open (``/dev/stdout``, ``/dev/fd/N``) are written directly, never replaced: a rename would
    put a regular file where the device was. A named pipe waits for a reader. A folder, a
    socket or a block device is refused. Every failure is a :class:`UsageError` naming
    ``output`` (``PATH: no space left on device``).
    """
    if output == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    try:
        found = os.stat(output)
    except FileNotFoundError:
        found = None
    except OSError as err:
        raise UsageError(f"{output}: {os_reason(err)}") from None
    if found is not None and stat.S_ISDIR(found.st_mode):
        raise UsageError(f"{output}: is a folder; give a file name")
    in_place = found is not None and (not stat.S_ISREG(found.st_mode) or _through_open_file(output))
    if in_place and not (stat.S_ISREG(found.st_mode) or stat.S_ISCHR(found.st_mode) or stat.S_ISFIFO(found.st_mode)):
        kind = "block device" if stat.S_ISBLK(found.st_mode) else "socket"
        raise UsageError(f"{output}: is a {kind}; give a file name")
    target = Path(os.path.realpath(output)) if os.path.islink(output) and not in_place else Path(output)
    if not in_place and not target.parent.is_dir():
        raise UsageError(f"{output}: folder {target.parent} does not exist")
    try:
        if in_place:  # `-o /dev/stdout > file` appends, as the file was opened by the shell
            _write_in_place(output, data, append=stat.S_ISREG(found.st_mode))
        else:
            _replace(target, data, found)
    except BrokenPipeError:  # the reader of a pipe left: as with `kg … | head`
        raise
    except OSError as err:
        raise UsageError(f"{output}: {os_reason(err)}") from None


def _replace(target: Path, data: bytes, found: os.stat_result | None) -> None:
    """Write ``target`` through a temporary file beside it and a rename."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        # mkstemp makes the file 0600: give it the mode of the file it replaces, else the
        # mode any file the user writes gets
        os.fchmod(fd, stat.S_IMODE(found.st_mode) & 0o777 if found else 0o666 & ~_umask())
        if found and (found.st_uid, found.st_gid) != (os.geteuid(), os.getegid()):
            try:
                os.fchown(fd, found.st_uid, found.st_gid)
            except OSError:  # only root may give a file away: it is then the writer's
                pass
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def neighbourhood(graph: KnowledgeGraph, focus: URIRef, hops: int) -> set[str]:
    """Entities within ``hops`` relations of ``focus`` (ontology terms do not link entities)."""
    from kg.schema import Schema

    ontology_terms = Schema.from_graph(graph).ontology_terms
    seen, frontier = {str(focus)}, {str(focus)}
    query = "SELECT ?e ?n WHERE { { ?e ?p ?n } UNION { ?n ?p ?e } FILTER(isIRI(?n)) }"
    for _ in range(hops):
        nxt: set[str] = set()
        for node in frontier:
            for row in graph.select(query, {"e": URIRef(node)}):
                n = str(row["n"])
                if n not in seen and n not in ontology_terms:
                    nxt.add(n)
        seen |= nxt
        frontier = nxt
    return seen


def _quads(graph: KnowledgeGraph, keep: set[str] | None):
    """Data quads (not the ontology's), limited to subjects in ``keep`` and their evidence."""
    quads = [q for q in graph.store.quads() if q[3] is None or str(q[3]) != ONTOLOGY_IRI]
    if keep is None:
        return quads
    graphs = {str(q[3]) for q in quads if q[3] is not None and str(q[0]) in keep}
    sources = {str(q[2]) for q in quads if str(q[0]) in graphs and str(q[1]).endswith("prov#wasDerivedFrom")}
    wanted = keep | graphs | sources
    return [q for q in quads if str(q[0]) in wanted]


def export_graph(graph: KnowledgeGraph, fmt: str, output: str, focus: URIRef | None = None, hops: int = 1) -> int:
    """Write the data (ontology excluded) in ``fmt``; return how many quads or items were written."""
    keep = neighbourhood(graph, focus, hops) if focus is not None else None
    quads = _quads(graph, keep)
    if fmt in ("graphml", "gexf"):
        import networkx as nx

        nxg = to_networkx(graph, quads)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"export.{fmt}"
            (nx.write_graphml if fmt == "graphml" else nx.write_gexf)(nxg, path)
            write_atomic(output, path.read_bytes())
        return nxg.number_of_nodes() + nxg.number_of_edges()
    try:
        data = _serialise(quads, fmt)
    except RecursionError:
        # rdflib writes a blank node used once inside the one that uses it ([ ... ]), a call
        # per level: a chain deeper than Python's stack is written flat instead
        data = _serialise_flat(quads, fmt)
    write_atomic(output, data.encode("utf-8") if isinstance(data, str) else data)
    return len(quads)


def _serialise(quads, fmt: str) -> str | bytes:
    """``quads`` in the RDF format ``fmt`` by rdflib (prefixes bound, blank nodes nested)."""
    if fmt in ("trig", "nq", "jsonld"):
        ds = Dataset()
        for prefix, ns in PREFIXES.items():
            ds.bind(prefix, ns)
        for s, p, o, g in quads:
            ds.add((s, p, o, g if g is not None else ds.default_graph.identifier))
        rdf_format = {"trig": "trig", "nq": "nquads", "jsonld": "json-ld"}[fmt]
        return ds.serialize(format=rdf_format)
    flat = Graph()
    for prefix, ns in PREFIXES.items():
        flat.bind(prefix, ns)
    for s, p, o, _ in quads:
        flat.add((s, p, o))
    return flat.serialize(format={"turtle": "turtle", "nt": "nt"}[fmt])


def _serialise_flat(quads, fmt: str) -> bytes:
    """``quads`` in ``fmt`` by Oxigraph's serialiser, which never recurses: each blank node is
    written by its label, however deep a chain of them goes."""
    import pyoxigraph as ox

    from kg.stores import to_ox

    prefixes = {prefix: str(ns) for prefix, ns in PREFIXES.items()}
    if fmt in ("turtle", "nt"):
        triples = dict.fromkeys(ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o, _ in quads)
        rdf_format = ox.RdfFormat.TURTLE if fmt == "turtle" else ox.RdfFormat.N_TRIPLES
        return ox.serialize(triples, format=rdf_format, prefixes=prefixes)
    rdf_format = {"trig": ox.RdfFormat.TRIG, "nq": ox.RdfFormat.N_QUADS, "jsonld": ox.RdfFormat.JSON_LD}[fmt]
    graph = ox.DefaultGraph()
    items = [ox.Quad(to_ox(s), to_ox(p), to_ox(o), graph if g is None else to_ox(g)) for s, p, o, g in quads]
    return ox.serialize(items, format=rdf_format, prefixes=prefixes)


def to_networkx(graph: KnowledgeGraph, quads):
    """Entities as nodes (label, class, colour, shape, literal facts); relations as edges
    (predicate, label, impact sign, assertion graph). Values that are ontology terms (a
    confirmation status, a precision) become node attributes, not edges."""
    import networkx as nx

    from kg.schema import Schema

    schema = Schema.from_graph(graph)
    nxg = nx.MultiDiGraph()
    types: dict[str, list[str]] = {}
    attrs: dict[str, dict[str, str]] = {}
    edges: list[tuple[str, str, dict]] = []

    def text(node: Node) -> str:
        return str(node)

    for s, p, o, g in quads:
        s_, p_ = text(s), text(p)
        if p_ == _RDF_TYPE:
            types.setdefault(s_, []).append(text(o))
            continue
        key = curie(p_)
        if isinstance(o, Literal) or text(o) in schema.ontology_terms:
            value = str(o) if isinstance(o, Literal) else schema.labels.get(text(o), curie(text(o)))
            node_attrs = attrs.setdefault(s_, {})
            if key in node_attrs and value not in node_attrs[key]:
                value = f"{node_attrs[key]}; {value}"
            node_attrs[key] = value
            continue
        relation = schema.impact.get(p_)
        edges.append(
            (
                s_,
                text(o),
                {
                    "predicate": key,
                    "label": schema.labels.get(p_, key),
                    "sign": relation.sign if relation else 0,
                    "impact": "forward" if relation and relation.forward else ("inverse" if relation else "none"),
                    "assertion": curie(text(g)) if g is not None else "",
                },
            )
        )
    for node in set(types) | set(attrs) | {e[0] for e in edges} | {e[1] for e in edges}:
        display = schema.display(types.get(node, []))
        node_attrs = {k.replace(":", "_"): v for k, v in attrs.get(node, {}).items()}
        nxg.add_node(
            node,
            label=node_attrs.pop("rdfs_label", curie(node)),
            iri=node,
            cls=curie(display.cls) if display.cls else "",
            colour=display.colour,
            shape=display.shape,
            **node_attrs,
        )
    for s, o, data in edges:
        nxg.add_edge(s, o, **data)
    return nxg

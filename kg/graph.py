"""Load the ontology, the bundled graph and users' files into a store, and query it.

>>> from kg.graph import load_graph
>>> graph = load_graph()
>>> graph.ask("ASK { person:donald-trump a tkg:Leader }")
True
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.term import Node

from kg import resources
from kg.errors import InputError, UsageError, os_reason
from kg.namespaces import ONTOLOGY_IRI, PREFIXES, curie
from kg.stores import RDF_FORMATS, Row, Store, format_for, open_store

__all__ = ["KnowledgeGraph", "LoadedFile", "load_graph", "load_into_store", "expand_paths"]

_RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_LABEL_FILTER = "FILTER(lang(?l) = '' || langMatches(lang(?l), 'en'))"


def _plain_or_english(m) -> bool:
    return not m.lang or m.lang.lower() == "en" or m.lang.lower().startswith("en-")


#: Files with more quads than this are not indexed for "which file said it" in reports.
_SUBJECT_INDEX_LIMIT = 200_000


@dataclass(frozen=True)
class LoadedFile:
    path: Path
    quads: int
    bundled: bool


@dataclass
class KnowledgeGraph:
    """A store holding the ontology plus data, with the files it came from.

    Queries see the union of all graphs as their default graph, with the prefixes of
    :data:`kg.namespaces.PREFIXES` predeclared; ``GRAPH ?g`` reaches the assertion graphs.
    """

    store: Store
    files: list[LoadedFile] = field(default_factory=list)
    _subject_files: dict[str, list[str]] | None = field(default=None, repr=False)
    _label_cache: dict[str, str] | None = field(default=None, repr=False)
    _label_cache_complete: bool = field(default=False, repr=False)

    # -- loading -----------------------------------------------------------------------
    def load_ontology(self) -> None:
        """Load ``tradekg.ttl`` into the named graph of the ontology's IRI."""
        path = resources.ontology_file()
        n = self.store.load_file(path, graph=ONTOLOGY_IRI)
        self.files.append(LoadedFile(path, n, bundled=True))

    def load_file(self, path: Path, bundled: bool = False) -> int:
        """Add one RDF file. Triples of Turtle/N-Triples files go to the default graph."""
        n = self.store.load_file(path)
        self.files.append(LoadedFile(path, n, bundled))
        self._label_cache = None
        self._label_cache_complete = False
        self._subject_files = None
        return n

    def _index_subjects(self) -> dict[str, list[str]]:
        """Subject -> files, for the loaded files of at most ``_SUBJECT_INDEX_LIMIT`` quads
        (each parsed again, once, when a report first asks; never on the load path)."""
        index: dict[str, list[str]] = {}
        for loaded in self.files:
            if loaded.quads > _SUBJECT_INDEX_LIMIT or loaded.path == resources.ontology_file():
                continue
            staging = open_store("memory")
            staging.load_file(loaded.path)
            query = "SELECT DISTINCT ?s WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
            for row in staging.select_values(query, union=False):
                index.setdefault(row["s"], []).append(str(loaded.path))
        return index

    def files_of(self, subject: Node) -> list[str]:
        """The files in which ``subject`` has triples (as far as indexed)."""
        if self._subject_files is None:
            self._subject_files = self._index_subjects()
        return self._subject_files.get(str(subject), [])

    # -- queries -----------------------------------------------------------------------
    def select(self, query: str, bindings: Mapping[str, Node] | None = None, union: bool = True) -> list[Row]:
        """Run a SELECT query; each row maps variable names to rdflib terms (unbound ones absent)."""
        return self.store.select(query, bindings, union)

    def select_values(
        self, query: str, bindings: Mapping[str, Node] | None = None, union: bool = True
    ) -> list[dict[str, str]]:
        """Run a SELECT query; values as plain text (IRIs, lexical forms): faster on big results."""
        return self.store.select_values(query, bindings, union)

    def ask(self, query: str, bindings: Mapping[str, Node] | None = None, union: bool = True) -> bool:
        """Run an ASK query."""
        return self.store.ask(query, bindings, union)

    def construct(self, query: str, union: bool = True) -> list[tuple[Node, Node, Node]]:
        """Run a CONSTRUCT or DESCRIBE query; return its triples."""
        return self.store.construct(query, union)

    def __len__(self) -> int:
        return len(self.store)

    def to_rdflib(self, include_ontology: bool = True) -> Graph:
        """All triples (of every graph, merged) as an rdflib Graph in rdflib's Memory store.

        pySHACL and serialisers work on this copy; it is fast for small and medium graphs.
        """
        where = (
            "{ ?s ?p ?o }"
            if include_ontology
            else (f"{{ {{ ?s ?p ?o }} UNION {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{ONTOLOGY_IRI}>) }} }}")
        )
        graph = Graph()
        for prefix, ns in PREFIXES.items():
            graph.bind(prefix, ns)
        union = include_ontology
        for triple in self.store.construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {where}", union=union):
            graph.add(triple)
        return graph

    # -- labels ------------------------------------------------------------------------
    def label(self, term: Node) -> str:
        """A readable name for ``term``: its rdfs:label (untagged or English; the least if it
        has several), else its CURIE, else its text."""
        if not isinstance(term, URIRef):
            return str(term)
        iri = str(term)
        cache = self._label_cache
        if cache is None:
            cache = self._label_cache = {}
            if not getattr(self.store, "local", False):  # one query beats a round trip per term
                rows = self.select_values(f"SELECT ?s ?l WHERE {{ ?s rdfs:label ?l {_LABEL_FILTER} }}")
                for row in sorted(rows, key=lambda r: r["l"]):
                    cache.setdefault(row["s"], row["l"])
                self._label_cache_complete = True
        if iri not in cache and not self._label_cache_complete:
            found = [m.o for m in self.store.match(iri, _RDFS_LABEL) if not m.o_iri and _plain_or_english(m)]
            cache[iri] = min(found) if found else ""
        return cache.get(iri) or curie(iri)


def expand_paths(paths: Iterable[str | Path], on_bad: Callable[[str, str], None] | None = None) -> list[Path]:
    """Files named by ``paths``: files as given, folders searched recursively for RDF files
    (symlinks followed, each folder read once; files whose names start with a dot left out).

    Raises :class:`InputError` for a missing path, an empty folder or a file of unknown type,
    and for what cannot be read inside a folder (a folder without permission, a broken
    symlink, a symlink loop, a pipe or device with an RDF file's name), naming each. With
    ``on_bad``, each of those is told to ``on_bad(path, reason)`` instead and the rest is
    loaded.
    """
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            bad: list[tuple[str, str]] = []
            inside = _rdf_files(path, bad)
            if bad and on_bad is None:
                raise InputError(bad[0][0], _listed(bad))
            for where, why in bad:
                on_bad(where, why)
            if not inside:
                raise InputError(str(path), "folder holds no RDF file (" + ", ".join(sorted(RDF_FORMATS)) + ")")
            found.extend(inside)
        elif path.is_file():
            format_for(path)
            found.append(path)
        elif path.exists():
            raise InputError(str(path), "not a regular file")
        else:
            raise InputError(str(path), _why_missing(path))
    for path in found:
        if path.stat().st_size == 0:
            raise InputError(str(path), "the file is empty (0 bytes): nothing to load")
    return found


def _listed(bad: list[tuple[str, str]], most: int = 5) -> str:
    """The reason of the first path that could not be read, then each other path and its
    reason, on one line."""
    text = bad[0][1] + "".join(f"; {where}: {why}" for where, why in bad[1:most])
    if len(bad) > most:
        text += f"; and {len(bad) - most} more"
    return text + (" (--skip-bad skips it and loads the rest)" if len(bad) == 1 else " (--skip-bad skips them)")


def _rdf_files(folder: Path, bad: list[tuple[str, str]]) -> list[Path]:
    """The RDF files in ``folder`` and the folders within it, sorted. What cannot be read
    is added to ``bad`` as (path, reason)."""
    found: list[Path] = []
    seen: set[tuple[int, int]] = set()
    todo = [folder]
    while todo:
        here = todo.pop()
        try:
            info = here.stat()
            if (info.st_dev, info.st_ino) in seen:  # reached again through a symlink
                continue
            seen.add((info.st_dev, info.st_ino))
            with os.scandir(here) as listing:
                entries = list(listing)
        except OSError as err:
            if here == folder:  # the folder named: nothing of it to load
                raise InputError(str(here), f"cannot read the folder: {os_reason(err)}") from None
            bad.append((str(here), f"cannot read the folder: {os_reason(err)}"))
            continue
        for entry in entries:
            path = Path(entry.path)
            try:
                is_dir, is_file = entry.is_dir(), entry.is_file()  # both follow a symlink
                if entry.is_symlink():
                    os.stat(path)  # a broken link or a loop raises here
            except OSError:
                if not entry.name.startswith("."):
                    bad.append((entry.path, _why_missing(path)))
                continue
            if is_dir:
                todo.append(path)
            elif entry.name.startswith(".") or path.suffix.lower() not in RDF_FORMATS:
                continue
            elif is_file:
                found.append(path)
            else:
                bad.append((entry.path, "not a regular file (a pipe, socket or device)"))
    bad.sort()
    return sorted(found)


def _why_missing(path: Path) -> str:
    try:
        os.stat(path)
    except OSError as err:
        if err.errno == errno.ELOOP:
            return "symlink loop: the link never reaches a file"
        if err.errno not in (errno.ENOENT, errno.ENOTDIR):
            return os_reason(err)
        if path.is_symlink():
            return f"broken symlink: its target {os.readlink(path)} does not exist"
    return "no such file or folder"


def load_graph(
    paths: Iterable[str | Path] = (),
    bundled: bool = True,
    store: str = "memory",
    on_bad: Callable[[str, str], None] | None = None,
) -> KnowledgeGraph:
    """Load the ontology, the bundled graph (unless ``bundled=False``) and ``paths``.

    ``paths`` may name files or folders of Turtle, TriG, N-Triples, N-Quads or JSON-LD.
    A file that fails to parse raises :class:`InputError` naming its line and column. What
    cannot be read inside a folder raises it too, unless ``on_bad(path, reason)`` is given
    (see :func:`expand_paths`).
    """
    files = expand_paths(paths, on_bad)
    backend = open_store(store)
    graph = KnowledgeGraph(backend)
    if getattr(backend, "persistent", False):
        # a persistent store holds what `kg load` put in it: open it as it is
        if files:
            raise UsageError(
                f"--data cannot add to {store} when reading it: add files with  kg --store {store} load FILE"
            )
        if backend.is_empty():
            raise UsageError(f"the store {store} is empty: fill it with  kg --store {store} load")
        return graph
    graph.load_ontology()
    if bundled:
        for path in resources.bundled_data_files():
            graph.load_file(path, bundled=True)
    for path in files:
        graph.load_file(path)
    return graph


#: A load that adds at least this share of a persistent store's quads compacts it.
COMPACT_AFTER = 0.1


def load_into_store(
    store: str,
    paths: Iterable[str | Path],
    bundled: bool = True,
    progress: Callable[[int, int, Path], None] | None = None,
    update_endpoint: str | None = None,
    graph_store: str | None = None,
    notice: Callable[[str], None] | None = None,
    stage: Callable[[str], None] | None = None,
    on_bad: Callable[[str, str], None] | None = None,
) -> tuple[int, int]:
    """Add files to the persistent store ``store`` (created with the ontology and, unless
    ``bundled=False``, the bundled graph). A load is all or nothing: a failure in any file
    leaves the store as it was; loading a file twice adds nothing (RDF is a set).
    ``progress(bytes done, bytes in all, file)`` is called as the files are read; ``notice``
    is told when the load waits for another one into the same store; ``stage`` what it does
    after reading the files (compacting a persistent store, compiling its impact index);
    ``on_bad`` what cannot be read inside a folder (else an error: :func:`expand_paths`).
    Returns (quads added, quads in the store)."""
    files = expand_paths(paths, on_bad)
    backend = open_store(store, writable=True, update_endpoint=update_endpoint, graph_store=graph_store, notice=notice)
    if not getattr(backend, "persistent", False):
        raise UsageError("kg load fills a persistent store: give --store oxigraph:PATH or --store sparql:URL")
    before = len(backend)
    todo: list[tuple[Path, str | None]] = []
    if before == 0:
        todo.append((resources.ontology_file(), ONTOLOGY_IRI))
        if bundled:
            todo += [(p, None) for p in resources.bundled_data_files()]
    todo += [(p, None) for p in files]
    total = sum(path.stat().st_size for path, _ in todo)
    done = added = 0
    try:
        for path, into in todo:
            report = None
            if progress:
                progress(done, total, path)

                def report(n: int, start: int = done, path: Path = path) -> None:
                    progress(start + n, total, path)

            added += backend.load_file(path, graph=into, progress=report)
            done += path.stat().st_size
    except BaseException:
        if hasattr(backend, "abort"):
            backend.abort()
        raise
    if progress:
        progress(total, total, todo[-1][0] if todo else Path("."))
    if hasattr(backend, "index_path"):
        # compacting pays off after a bulk load; after a small one it would rewrite the store
        compact = added >= COMPACT_AFTER * max(before + added, 1)
        if stage and compact:
            stage("compacting")
        backend.flush(compact=compact)
    else:
        backend.flush()
    if hasattr(backend, "index_path"):  # compile the new generation's indexes now, once
        from kg.index import impact_index, name_index
        from kg.windows import window_index

        if stage:
            stage("compiling the impact and name indexes")
        graph = KnowledgeGraph(backend)
        impact_index(graph)
        name_index(graph)
        if stage:
            stage("compiling the date-window index")
        window_index(graph)
    return len(backend) - before, len(backend)

"""tradekg: a knowledge graph of the actors, policies and commodities of trade conflicts.

The library never prints and never exits; :mod:`kg.cli` is the only module that talks to a
terminal. Typical use::

    >>> from kg import load_graph
    >>> graph = load_graph()                 # ontology + bundled data, Oxigraph in memory
    >>> graph.ask("ASK { policy:geneva-agreement a tkg:Agreement }")
    True
"""

__version__ = "0.1.0"

from kg.errors import (  # noqa: E402
    AmbiguousEntity,
    EntityNotFound,
    InputError,
    KgError,
    UsageError,
)
from kg.graph import KnowledgeGraph, load_graph  # noqa: E402
from kg.lookup import resolve_entity  # noqa: E402
from kg.validate import ValidationReport, validate  # noqa: E402

__all__ = [
    "__version__",
    "AmbiguousEntity",
    "EntityNotFound",
    "InputError",
    "KgError",
    "KnowledgeGraph",
    "UsageError",
    "ValidationReport",
    "load_graph",
    "render_html",
    "resolve_entity",
    "show_in_notebook",
    "validate",
]


def __getattr__(name: str):
    # the renderer pulls in networkx and jinja2: import it only when asked for
    if name in ("render_html", "show_in_notebook"):
        from kg import render

        return getattr(render, name)
    raise AttributeError(f"module 'kg' has no attribute {name!r}")

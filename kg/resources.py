"""Find the packaged ontology, queries and bundled data, installed or in a checkout.

In an installed wheel they are the sub-packages ``kg.ontology``, ``kg.queries`` and
``kg.data`` (mapped from the top-level folders by ``setup.cfg``). An editable install or a
plain checkout does not honour that mapping, so the checkout's folders are the fallback.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

__all__ = ["ontology_dir", "queries_dir", "data_dir", "ontology_file", "shapes_file", "bundled_data_files"]

_CHECKOUT = Path(__file__).resolve().parent.parent


def _folder(name: str) -> Path:
    installed = Path(str(resources.files("kg") / name))
    if installed.is_dir():
        return installed
    return _CHECKOUT / name


def ontology_dir() -> Path:
    """The folder holding ``tradekg.ttl`` and ``shapes.ttl``."""
    return _folder("ontology")


def queries_dir() -> Path:
    """The folder holding the shipped ``*.rq`` queries."""
    return _folder("queries")


def data_dir() -> Path:
    """The folder holding the bundled graph (``*.trig``, ``*.ttl``)."""
    return _folder("data")


def ontology_file() -> Path:
    return ontology_dir() / "tradekg.ttl"


def shapes_file() -> Path:
    return ontology_dir() / "shapes.ttl"


def bundled_data_files() -> list[Path]:
    """The bundled data files, in a stable order."""
    folder = data_dir()
    return sorted(p for p in folder.iterdir() if p.suffix in {".trig", ".ttl"} and p.is_file())

"""What the fuzz targets share: the checkout on the path, a no-network guard, seed corpora."""

from __future__ import annotations

import logging
import sys
import tempfile
from pathlib import Path

# imported before atheris instruments kg's modules, so only kg's own code is instrumented
import networkx  # noqa: F401
import pyoxigraph  # noqa: F401
import pyparsing  # noqa: F401
import rdflib  # noqa: F401
import rdflib.plugins.sparql.parser  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as `python fuzz/X.py`: fuzz the checkout, not an installed copy
    sys.path.insert(0, str(ROOT))

_NETWORK = ("socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "urllib.Request")


class NetworkUse(Exception):
    """Raised by the audit hook: the code under test tried to open a connection."""


def _no_network(event: str, args: tuple) -> None:
    if event in _NETWORK:
        raise NetworkUse(f"network use: {event} {args[:2]!r}")


def forbid_network() -> None:
    """Fail (as a finding) on any socket connect, DNS look-up or URL open from here on.

    Also quiets rdflib's log, as the command line does (it logs ill-typed literals).
    """
    sys.addaudithook(_no_network)
    logging.getLogger("rdflib").setLevel(logging.CRITICAL)


def with_seeds(argv: list[str], target: str, seeds: dict[str, bytes]) -> list[str]:
    """``argv`` with ``seeds`` in its corpus folder, and crash files going to ``fuzz/findings/``
    unless ``-artifact_prefix`` says otherwise.

    The corpus folder is the first folder named, else ``$TMPDIR/kg-fuzz-TARGET`` (kept
    between runs); libFuzzer adds what it finds to it. A file named instead is run once.
    """
    if not any(a.startswith("-artifact_prefix=") for a in argv):
        findings = Path(__file__).resolve().parent / "findings"
        findings.mkdir(exist_ok=True)
        argv = [*argv, f"-artifact_prefix={findings}/{target}-"]
    named = [a for a in argv[1:] if not a.startswith("-")]
    if named and not Path(named[0]).is_dir():
        return argv  # an input file to run again
    folder = Path(named[0]) if named else Path(tempfile.gettempdir()) / f"kg-fuzz-{target}"
    folder.mkdir(exist_ok=True)
    for name, data in seeds.items():
        (folder / f"seed-{name}").write_bytes(data)
    return argv if named else [*argv, str(folder)]

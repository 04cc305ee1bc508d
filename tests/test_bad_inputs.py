"""A corpus of bad input (issue #7): each case, its exit code and the exact line it gives.

A case is a ``kg`` command line over some files. It must end with its exit code and:

- exit 2: exactly one line on stderr, ``kg: error: MESSAGE``, naming the file (with line and
  column where the parser knows them), the entity or the parameter; nothing on stdout;
- exit 1 (only ``kg validate`` finding violations): the report names the entity, the property
  and the file, with MESSAGE as the violation's message;

and in every case no traceback, no output file created or changed, and a persistent store
left as it was (data files are also loaded into one with ``kg load``).

``SHOWN_ESCAPED`` holds bad input that is not an error: a label with control characters
(terminal escapes, CR, backspace, a bidi override). The command ends with exit 0, and MESSAGE
is the line of its stdout that shows the label, its control characters escaped as error
lines escape them (``\\x1b``); no control character reaches the terminal raw.

The README's "Errors and exit codes" section is this corpus as a table (``CASES``, then
``SHOWN_ESCAPED``, then ``ANSWERED``: hostile input that is valid, which kg once failed on, now
answered with exit 0 and the line given); ``python tests/test_bad_inputs.py`` prints it, and a
test holds the README to it.
"""

# ruff: noqa: E501  (the corpus holds exact messages, one per line)
from __future__ import annotations

import json
import os
import re
import shutil
import socket
import stat
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from kg.errors import printable

P = "@prefix ex: <http://example.org/> .\n"
TKG = (
    "@prefix tkg: <https://w3id.org/tradekg/ontology#> .\n"
    "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
    "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
    "@base <https://w3id.org/tradekg/id/> .\n"
)
#: A well-formed policy: each model case changes one thing about it.
POLICY = (
    '<policy/x> a tkg:ExportControl ; rdfs:label "X controls"@en ; tkg:imposedBy <government/china> ;\n'
    '  tkg:inForceFrom "2025-06-01"^^xsd:date ; tkg:inForceFromPrecision tkg:DayPrecision ;\n'
    "  tkg:restricts <commodity/gallium> .\n"
)
IMPACT = ("impact", "China rare-earth export controls")


@dataclass(frozen=True)
class Case:
    """One bad input. In ``args`` and ``message``, ``{dir}/`` stands for the case's folder."""

    group: str
    name: str
    args: tuple[str, ...]
    exit: int
    message: str
    files: dict[str, str | bytes] = field(default_factory=dict)
    setup: Callable[[Path], None] | None = None
    #: the output file the command must not create (relative to the case's folder)
    output: str | None = None


def _symlink_loop(folder: Path) -> None:
    os.symlink(folder / "loop-b.ttl", folder / "loop-a.ttl")
    os.symlink(folder / "loop-a.ttl", folder / "loop-b.ttl")


def _big_literal(folder: Path) -> None:
    """200 MB: one literal. Oxigraph's parser holds at most 16 MB of a token, so memory stays low."""
    with (folder / "huge.nt").open("wb") as fh:
        fh.write(b'<http://e.org/a> <http://e.org/p> "')
        chunk = b"a" * (1 << 20)
        for _ in range(200):
            fh.write(chunk)
        fh.write(b'" .\n')


def _mixed(folder: Path) -> None:
    (folder / "mixed").mkdir()
    (folder / "mixed" / "good.ttl").write_text(P + "ex:a ex:b ex:c .\n")
    (folder / "mixed" / "zbad.ttl").write_text(P + "ex:a ex:b .\n")


def _existing_output(folder: Path) -> None:
    (folder / "kept.html").write_text("mine")


def _device(name: str, minor: int) -> Callable[[Path], None]:
    """A character device ``name`` in the case's folder, as /dev/null (1, 3) or /dev/full (1, 7)
    are: never the system's own, which a regression would replace."""

    def make(folder: Path) -> None:
        if os.geteuid() != 0:
            pytest.skip("making a device node needs root")
        node = folder / name
        os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, minor))
        try:
            os.close(os.open(node, os.O_WRONLY))
        except OSError:  # a file system mounted nodev
            node.unlink()
            pytest.skip("device nodes do not open on this file system")

    return make


def _socket(folder: Path) -> None:
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(folder / "sock"))


def _data_folder(folder: Path) -> Path:
    (folder / "data").mkdir()
    (folder / "data" / "good.ttl").write_text(P + "ex:a ex:b ex:c .\n")
    return folder / "data"


def _broken_link_inside(folder: Path) -> None:
    os.symlink(folder / "nowhere.ttl", _data_folder(folder) / "gone.ttl")


def _loop_inside(folder: Path) -> None:
    data = _data_folder(folder)
    os.symlink(data / "loop-b.ttl", data / "loop-a.ttl")
    os.symlink(data / "loop-a.ttl", data / "loop-b.ttl")


def _pipe_inside(folder: Path) -> None:
    os.mkfifo(_data_folder(folder) / "pipe.nt")


def _damaged_store(damage: Callable[[Path], None]) -> Callable[[Path], None]:
    """A persistent store (the ontology alone) in ``kgdb``, its one generation then damaged."""

    def make(folder: Path) -> None:
        from kg.graph import load_into_store

        load_into_store(f"oxigraph:{folder / 'kgdb'}", [], bundled=False)
        damage(folder / "kgdb" / "g-000001")

    return make


def rdf(name: str, filename: str, content: str | bytes, message: str, setup=None) -> Case:
    return Case("data file", name, ("--data", "{dir}/" + filename, "info"), 2, message, {filename: content}, setup)


def model(name: str, content: str, message: str) -> Case:
    return Case("model", name, ("--data", "{dir}/x.ttl", "validate", "-f", "json"), 1, message, {"x.ttl": content})


def cli(name: str, args: tuple[str, ...], message: str, files=None, setup=None, output=None) -> Case:
    return Case("command line", name, args, 2, message, files or {}, setup, output)


def query_case(name: str, text: str, message: str, extra: tuple[str, ...] = ()) -> Case:
    """``kg query q.rq`` on a query file holding ``text``."""
    return Case("query", name, ("query", "{dir}/q.rq", *extra), 2, message, {"q.rq": text})


def _query_folder(text: str) -> Callable[[Path], None]:
    def make(folder: Path) -> None:
        (folder / "mine").mkdir()
        (folder / "mine" / "mine.rq").write_text(text, encoding="utf-8")

    return make


#: A well-formed fact sheet: each sheet case changes one thing about it.
SHEET = """source:
  id: example
  title: An example
  date: 2026-02-10
facts:
  - quote: "The ministry will ban widget exports."
    evidence: stated
    quality: verified, secondary
    says:
      - entity: policy:example-ban
        imposed_by: Chinese government
        in_force_from: 2026-03-01
"""


def sheet(name: str, content: str, message: str) -> Case:
    return Case(
        "fact sheet",
        name,
        ("compile", "{dir}/sheet.yaml", "-o", "{dir}/out.trig"),
        2,
        message,
        {"sheet.yaml": content},
        output="out.trig",
    )


CASES = [
    # -- data files: parse errors name file:line:column ---------------------------------------
    rdf("truncated Turtle", "truncated.ttl", P + "ex:a ex:b ex:c ;\n", "{dir}/truncated.ttl:3:1: Unexpected end"),
    rdf(
        "unbalanced brackets",
        "unbalanced.ttl",
        P + "ex:a ex:b ( ex:c .\n",
        "{dir}/unbalanced.ttl:2:18: . is not a valid RDF object",
    ),
    rdf(
        "undefined prefix",
        "undefined.ttl",
        "ex:a ex:b ex:c .\n",
        "{dir}/undefined.ttl:1:1: The prefix ex: has not been declared",
    ),
    rdf(
        "invalid IRI",
        "bad-iri.nt",
        "<http://e.org/a b> <http://e.org/p> <http://e.org/c> .\n",
        "{dir}/bad-iri.nt:1:1: Invalid IRI code point ' '",
    ),
    rdf(
        "bad escape",
        "escape.ttl",
        P + 'ex:a ex:b "\\q" .\n',
        "{dir}/escape.ttl:2:12: Unexpected escape character '\\q'",
    ),
    rdf(
        "invalid UTF-8",
        "utf8.nt",
        b'<http://e.org/a> <http://e.org/p> "\xff\xfe" .\n',
        "{dir}/utf8.nt:1:36: Invalid UTF-8: invalid utf-8 sequence of 1 bytes from index 0",
    ),
    rdf(
        "binary file",
        "binary.ttl",
        bytes(range(256)) * 4,
        "{dir}/binary.ttl:1:1: '\\x00' is not allowed at the beginning of a prefix name",
    ),
    rdf("empty file", "empty.ttl", "", "{dir}/empty.ttl: the file is empty (0 bytes): nothing to load"),
    rdf(
        "unknown extension",
        "notes.txt",
        "x",
        "{dir}/notes.txt: unknown file type '.txt'; tradekg reads .json, .jsonld, .nq, .nquads, .nt, .ntriples, .trig, .ttl, .turtle",
    ),
    rdf(
        "RDF/XML with entities",
        "entity.rdf",
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><r/>',
        "{dir}/entity.rdf: unknown file type '.rdf'; tradekg reads .json, .jsonld, .nq, .nquads, .nt, .ntriples, .trig, .ttl, .turtle",
    ),
    rdf(
        "JSON-LD with a remote @context",
        "remote.jsonld",
        '{"@context": "http://127.0.0.1:9/ctx.jsonld", "@id": "http://e.org/a", "http://e.org/p": "x"}',
        "{dir}/remote.jsonld: No LoadDocumentCallback has been set to load remote contexts",
    ),
    rdf("TriG graph left open", "open.trig", P + "ex:g { ex:a ex:b ex:c .\n", "{dir}/open.trig:3:1: Unexpected end"),
    rdf(
        "N-Quads with a literal graph",
        "literal-graph.nq",
        '<http://e.org/a> <http://e.org/p> <http://e.org/o> "g" .\n',
        "{dir}/literal-graph.nq:1:52: The subject of a triple must be an IRI or a blank node",
    ),
    Case(
        "data file",
        "a 200 MB literal",
        ("--data", "{dir}/huge.nt", "info"),
        2,
        "{dir}/huge.nt: refused: one literal or IRI is longer than 16 MB, the parser's limit",
        setup=_big_literal,
    ),
    Case(
        "data file",
        "empty folder",
        ("--data", "{dir}/empty", "info"),
        2,
        "{dir}/empty: folder holds no RDF file (.json, .jsonld, .nq, .nquads, .nt, .ntriples, .trig, .ttl, .turtle)",
        setup=lambda d: (d / "empty").mkdir(),
    ),
    Case(
        "data file",
        "symlink loop",
        ("--data", "{dir}/loop-a.ttl", "info"),
        2,
        "{dir}/loop-a.ttl: symlink loop: the link never reaches a file",
        setup=_symlink_loop,
    ),
    Case(
        "data file",
        "missing file",
        ("--data", "{dir}/missing.ttl", "info"),
        2,
        "{dir}/missing.ttl: no such file or folder",
    ),
    Case(
        "data file",
        "a folder with one bad file",
        ("--data", "{dir}/mixed", "info"),
        2,
        "{dir}/mixed/zbad.ttl:2:11: . is not a valid RDF object",
        setup=_mixed,
    ),
    # -- the model: kg validate names entity, property and file (exit 1) ----------------------
    model(
        "date that does not exist",
        TKG + POLICY.replace("2025-06-01", "2025-02-30"),
        'X controls · tkg:inForceFrom · Ill-typed literal "2025-02-30": not a valid xsd:date, so no date or number comparison can use it; correct the value.',
    ),
    model(
        "number that is not one",
        TKG + POLICY + '<policy/x> tkg:rate "abc"^^xsd:decimal .\n',
        'X controls · tkg:rate · Ill-typed literal "abc": not a valid xsd:decimal, so no date or number comparison can use it; correct the value.',
    ),
    model(
        "end before start",
        TKG + POLICY + '<policy/x> tkg:actualEnd "2025-05-01"^^xsd:date ; tkg:actualEndPrecision tkg:DayPrecision .\n',
        'X controls · tkg:inForceFrom · A policy has at most one start (tkg:inForceFrom, its first day in effect): an xsd:date such as "2025-05-14"^^xsd:date, before its planned and actual ends (tkg:plannedEnd, tkg:actualEnd), which are the first days without effect.',
    ),
    model(
        "claim without claimant",
        TKG
        + '<claim/x> a tkg:Claim ; rdfs:label "a claim"@en ; tkg:quote "words" ; tkg:proposition "it is so" ;\n'
        + '  tkg:claimDate "2025-06-01"^^xsd:date ; tkg:claimDatePrecision tkg:DayPrecision ;\n'
        + "  tkg:confirmationStatus tkg:Unconfirmed .\n",
        "a claim · tkg:claimant · A claim needs exactly one claimant (tkg:claimant): who said it? Split a claim made by several actors into one claim each.",
    ),
    model(
        "policy without imposer",
        TKG + POLICY.replace("tkg:imposedBy <government/china> ;", ""),
        "X controls · tkg:imposedBy · A restriction or relaxation needs tkg:imposedBy: which government or body adopted it?",
    ),
    model(
        "unknown class",
        TKG + POLICY.replace("tkg:ExportControl", "tkg:ExportControll"),
        "X controls · rdf:type · Unknown class tkg:ExportControll: the ontology declares no such term (did you mean tkg:ExportControl?).",
    ),
    model(
        "relaxation of something not a policy",
        TKG
        + POLICY
        + '<policy/r> a tkg:Licence ; rdfs:label "R licence"@en ; tkg:imposedBy <government/china> ;\n'
        + '  tkg:inForceFrom "2025-06-02"^^xsd:date ; tkg:inForceFromPrecision tkg:DayPrecision ;\n'
        + "  tkg:relaxes <company/ford> .\n",
        "R licence · tkg:relaxes · What a relaxation eases (tkg:relaxes) must be a policy: type it tkg:ExportControl, tkg:Tariff or another tkg:Policy.",
    ),
    model(
        "cycle of relaxes",
        TKG
        + "".join(
            f'<policy/{a}> a tkg:Licence ; rdfs:label "{a}"@en ; tkg:imposedBy <government/china> ;\n'
            f'  tkg:inForceFrom "2025-06-02"^^xsd:date ; tkg:inForceFromPrecision tkg:DayPrecision ;\n'
            f"  tkg:relaxes <policy/{b}> .\n"
            for a, b in (("r1", "r2"), ("r2", "r1"))
        ),
        "r1 · tkg:relaxes · tkg:relaxes goes round in a cycle (r1 → r2 → r1): the ontology marks it tkg:acyclic, so no chain of it may lead back to where it started.",
    ),
    # -- command lines ------------------------------------------------------------------------
    cli("unknown entity", ("show", "Nonexistent Thing"), "no entity 'Nonexistent Thing'"),
    cli(
        "ambiguous name",
        ("--data", "{dir}/twins.ttl", "show", "Acme"),
        "'Acme' names 2 entities: Acme <https://w3id.org/tradekg/id/company/acme-a>; Acme <https://w3id.org/tradekg/id/company/acme-b>; give the IRI or CURIE",
        files={
            "twins.ttl": TKG
            + '<company/acme-a> a tkg:Company ; rdfs:label "Acme"@en .\n'
            + '<company/acme-b> a tkg:Company ; rdfs:label "Acme"@en .\n'
        },
    ),
    cli(
        "misspelt entity",
        ("impact", "China rare-earth export controlz"),
        "no entity 'China rare-earth export controlz'; did you mean 'China rare-earth export controls', 'China October 2025 rare-earth export controls'?",
    ),
    cli("name with terminal escapes", ("show", "Ford\x1b[2J\nkg: ok"), "no entity 'Ford\\x1b[2J\\nkg: ok'"),
    cli(
        "date in a wrong format", (*IMPACT, "--as-of", "2025-13-01"), "--as-of: '2025-13-01' is not a date (YYYY-MM-DD)"
    ),
    cli(
        "--as-of far before the data",
        (*IMPACT, "--as-of", "1925-06-06"),
        "--as-of 1925-06-06 is more than 10 years outside the graph's valid time (2025-04-01 to 2026-11-10); a typo? give a date from 2015-04-01 to 2036-11-10",
    ),
    cli(
        "--as-of far after the data",
        (*IMPACT, "--as-of", "2205-06-06"),
        "--as-of 2205-06-06 is more than 10 years outside the graph's valid time (2025-04-01 to 2026-11-10); a typo? give a date from 2015-04-01 to 2036-11-10",
    ),
    cli("--k 0", ("paths", "Trump", "automotive", "--k", "0"), "--k must be at least 1"),
    cli("--max-hops -1", ("paths", "Trump", "automotive", "--max-hops", "-1"), "--max-hops must be at least 1"),
    cli(
        "--hops -1",
        ("export", "-f", "nq", "--hops", "-1"),
        "Invalid value for '--hops': -1 is not in the range x>=0. (see kg export --help)",
    ),
    cli("unknown option", ("--bogus",), "No such option '--bogus'. (see kg --help)"),
    cli("missing argument", ("paths", "Trump"), "Missing argument 'TARGET'. (see kg paths --help)"),
    cli(
        "bad choice",
        ("impact", "x", "--claims", "maybe"),
        "Invalid value for '--claims': 'maybe' is not one of 'exclude', 'include', 'confirmed-only'. (see kg impact --help)",
    ),
    cli("unknown query", ("query", "nonexistent-query"), "no query 'nonexistent-query'; kg query --list shows them"),
    cli(
        "parameter not a date",
        ("query", "restrictions-in-force", "-p", "date", "yesterday"),
        "parameter 'date': 'yesterday' is not a date (YYYY-MM-DD)",
    ),
    cli(
        "result over --limit",
        ("query", "search", "-p", "text", "a", "--limit", "3"),
        "search: more than 3 rows: narrow the query, add a LIMIT, or raise --limit (0: no limit)",
    ),
    cli(
        "--limit -1",
        ("query", "search", "-p", "text", "a", "--limit", "-1"),
        "Invalid value for '--limit': -1 is not in the range x>=0. (see kg query --help)",
    ),
    cli(
        "unknown store",
        ("--store", "nosuch:x", "info"),
        "unknown store 'nosuch:x'; available: memory, oxigraph, sparql (e.g. --store oxigraph:./kgdb)",
    ),
    cli(
        "missing store",
        ("--store", "oxigraph:{dir}/nonexistent", "info"),
        "no store at {dir}/nonexistent: create it with  kg --store oxigraph:{dir}/nonexistent load",
    ),
    cli(
        "output in a missing folder",
        ("render", "-o", "{dir}/missing/page.html"),
        "{dir}/missing/page.html: folder {dir}/missing does not exist",
        output="missing/page.html",
    ),
    cli("output path is a folder", ("export", "-f", "nq", "-o", "{dir}"), "{dir}: is a folder; give a file name"),
    cli(
        "failing command keeps an existing output",
        ("render", "--focus", "Nonexistent Thing", "-o", "{dir}/kept.html"),
        "no entity 'Nonexistent Thing'",
        setup=_existing_output,
    ),
    # -- fact sheets (kg compile, kg validate SHEET.yaml, kg ingest): errors name the sheet's line
    sheet(
        "sheet: a date that does not exist",
        SHEET.replace("in_force_from: 2026-03-01", "in_force_from: 2026-02-30"),
        "{dir}/sheet.yaml:12: date '2026-02-30' does not exist",
    ),
    sheet(
        "sheet: a misspelt field",
        SHEET.replace("imposed_by:", "imposed_bye:"),
        "{dir}/sheet.yaml:11: unknown field 'imposed_bye' (did you mean imposed_by, disputed_by?)",
    ),
    sheet(
        "sheet: an entity the graph does not know",
        SHEET.replace("imposed_by: Chinese government", "imposed_by: Chinese governmnet"),
        "{dir}/sheet.yaml:11: no entity 'Chinese governmnet'; did you mean 'Chinese government', 'United States government', 'Chinese embassy in Washington'?",
    ),
    sheet(
        "sheet: a YAML tag that would run code",
        "source: !!python/object/apply:os.system ['true']\nfacts: []\n",
        "{dir}/sheet.yaml:1: not YAML: could not determine a constructor for the tag 'tag:yaml.org,2002:python/object/apply:os.system'",
    ),
    cli(
        "ingest: a binary file",
        ("ingest", "{dir}/a.txt", "--source-title", "T", "--date", "2025-06-07", "-o", "{dir}/draft.yaml"),
        "{dir}/a.txt: not a text file (it holds NUL bytes)",
        files={"a.txt": b"\x00\x01 binary"},
        output="draft.yaml",
    ),
    # -- hardening round 2 (#17): outputs, data files, stores --
    Case(
        "output",
        "export to a full device",
        ("export", "-f", "nq", "-o", "{dir}/full"),
        2,
        "{dir}/full: no space left on device",
        setup=_device("full", 7),
    ),
    Case(
        "output",
        "render to a full device",
        ("render", "-o", "{dir}/full"),
        2,
        "{dir}/full: no space left on device",
        setup=_device("full", 7),
    ),
    Case(
        "output",
        "output path is a socket",
        ("export", "-f", "nq", "-o", "{dir}/sock"),
        2,
        "{dir}/sock: is a socket; give a file name",
        setup=_socket,
    ),
    rdf(
        "RDF-star quoted triple",
        "star.ttl",
        P + "<< ex:a ex:b ex:c >> ex:saidBy ex:d .\n",
        "{dir}/star.ttl: RDF-star (a quoted triple, << ... >>) is not supported: tradekg reads plain RDF (a fact's source goes in its assertion graph)",
    ),
    Case(
        "data file",
        "RDF-star triple term in kg export",
        ("--data", "{dir}/star.nt", "export", "-f", "nq", "-o", "{dir}/out.nq"),
        2,
        "{dir}/star.nt: RDF-star (a quoted triple, << ... >>) is not supported: tradekg reads plain RDF (a fact's source goes in its assertion graph)",
        {"star.nt": "<http://e.org/a> <http://e.org/p> <<( <http://e.org/a> <http://e.org/p> <http://e.org/c> )>> .\n"},
        output="out.nq",
    ),
    Case(
        "data file",
        "RDF-star annotation in kg validate",
        ("--data", "{dir}/star.trig", "validate"),
        2,
        "{dir}/star.trig: RDF-star (a quoted triple, << ... >>) is not supported: tradekg reads plain RDF (a fact's source goes in its assertion graph)",
        {"star.trig": P + "ex:g { ex:a ex:b ex:c {| ex:saidBy ex:d |} . }\n"},
    ),
    Case(
        "data file",
        "a broken symlink in a data folder",
        ("--data", "{dir}/data", "info"),
        2,
        "{dir}/data/gone.ttl: broken symlink: its target {dir}/nowhere.ttl does not exist (--skip-bad skips it and loads the rest)",
        setup=_broken_link_inside,
    ),
    Case(
        "data file",
        "a symlink loop in a data folder",
        ("--data", "{dir}/data", "info"),
        2,
        "{dir}/data/loop-a.ttl: symlink loop: the link never reaches a file; {dir}/data/loop-b.ttl: symlink loop: the link never reaches a file (--skip-bad skips them)",
        setup=_loop_inside,
    ),
    Case(
        "data file",
        "a named pipe in a data folder",
        ("--data", "{dir}/data", "info"),
        2,
        "{dir}/data/pipe.nt: not a regular file (a pipe, socket or device) (--skip-bad skips it and loads the rest)",
        setup=_pipe_inside,
    ),
    Case(
        "store",
        "store generation damaged",
        ("--store", "oxigraph:{dir}/kgdb", "info"),
        2,
        "{dir}/kgdb/g-000001: the store cannot be read (Corruption: CURRENT file corrupted); make the store again: remove {dir}/kgdb, then  kg --store oxigraph:{dir}/kgdb load",
        setup=_damaged_store(lambda generation: (generation / "CURRENT").write_text("garbage\n")),
    ),
    Case(
        "store",
        "store generation missing",
        ("--store", "oxigraph:{dir}/kgdb", "info"),
        2,
        "{dir}/kgdb/g-000001: the store's current generation is missing; make the store again: remove {dir}/kgdb, then  kg --store oxigraph:{dir}/kgdb load",
        setup=_damaged_store(shutil.rmtree),
    ),
    # -- hardening round 2 (#17): query text --
    query_case(
        "SERVICE hidden by \\u0022 escapes",
        'SELECT * WHERE { BIND("\\u0022" AS ?x) SERVICE <http://127.0.0.1:9/> { ?a ?b ?c } BIND("\\u0022" AS ?y) }',
        "{dir}/q.rq: refused: the escape \\u0022 at line 1, column 24: SPARQL engines read \\u escapes in different places, so the query cannot be checked; write the character itself",
    ),
    query_case(
        "SERVICE after a comment ended by CR",
        "SELECT * WHERE { # note\r SERVICE <http://127.0.0.1:9/> { ?a ?b ?c } }",
        "{dir}/q.rq: refused: SERVICE would send the query over the network; kg makes no requests",
    ),
    cli(
        "SERVICE in a query of --queries DIR",
        ("query", "mine", "--queries", "{dir}/mine"),
        "{dir}/mine/mine.rq: refused: the escape \\u0027 at line 2, column 24: SPARQL engines read \\u escapes in different places, so the query cannot be checked; write the character itself",
        setup=_query_folder(
            "# title: mine\nSELECT * WHERE { BIND('\\u0027' AS ?x) SERVICE <http://127.0.0.1:9/> { ?a ?b ?c } BIND('\\u0027' AS ?y) }\n"
        ),
    ),
    query_case(
        "\\u escape of a letter",
        'SELECT * WHERE { BIND("\\u0053ABCD" AS ?x) }',
        "{dir}/q.rq: refused: the escape \\u0053 at line 1, column 24: SPARQL engines read \\u escapes in different places, so the query cannot be checked; write the character itself",
    ),
    query_case(
        "\\U escape past Unicode",
        'SELECT * WHERE { BIND("\\U00110000" AS ?x) }',
        "{dir}/q.rq: refused: the escape \\U00110000 at line 1, column 24: SPARQL engines read \\u escapes in different places, so the query cannot be checked; write the character itself",
    ),
    query_case(
        "query over 65,536 characters",
        "SELECT * WHERE { ?s ?p ?o FILTER(" + "||".join("?o=1" for _ in range(14_000)) + ") }",
        "{dir}/q.rq: refused: the query is 84,034 characters long; kg runs queries of up to 65,536 (split it, or put long lists of values in the data)",
    ),
    query_case(
        "query file over 256 KB",
        "SELECT * WHERE { ?s ?p ?o }\n" + "#" * 300_000,
        "{dir}/q.rq: refused: 300,028 bytes, longer than any query kg runs (65,536 characters)",
    ),
    query_case(
        "20,000 objects in one list",
        "SELECT * WHERE { ?s <http://e.org/p> " + ",".join("1" for _ in range(20_000)) + " }",
        "{dir}/q.rq: stopped after 1 s (raise --timeout to allow longer)",
        ("--timeout", "1"),
    ),
    query_case(
        "a chain of 8,000 ||",
        "SELECT * WHERE { ?x ?p ?o FILTER(" + "||".join(f"?x={i % 10}" for i in range(8_000)) + ") }",
        "{dir}/q.rq: stopped after 1 s (raise --timeout to allow longer)",
        ("--timeout", "1"),
    ),
    query_case(
        "3,000 triple patterns in one group",
        "PREFIX ex: <http://e.org/> SELECT * WHERE { " + " ".join(f"?s ex:p{i} ?o{i} ." for i in range(3000)) + " }",
        "{dir}/q.rq: stopped after 1 s (raise --timeout to allow longer)",
        ("--timeout", "1"),
    ),
    query_case(
        "brackets nested 20,000 deep",
        "SELECT * WHERE { ?x ?p ?o FILTER(" + "(" * 20_000 + "?x" + ")" * 20_000 + ") }",
        "{dir}/q.rq: query nested too deeply to check (brackets or groups over ~2,000 deep)",
    ),
    query_case("empty query file", "", "{dir}/q.rq: the query is empty"),
    query_case(
        "query file of comments only",
        "# title: to do\n# description: later\n",
        "{dir}/q.rq: the query is empty (it holds only comments)",
    ),
    query_case(
        "query file of a prologue only",
        "PREFIX ex: <http://e.org/>\n",
        "{dir}/q.rq: SPARQL syntax error at line 2, column 1: Expected {SelectQuery | ConstructQuery | DescribeQuery | AskQuery}, found end of text",
    ),
    cli(
        "a named pipe in --queries DIR",
        ("query", "--list", "--queries", "{dir}/mine"),
        "{dir}/mine/x.rq: not a regular file (a named pipe, socket or device); a query is a .rq text file",
        setup=lambda d: ((d / "mine").mkdir(), os.mkfifo(d / "mine" / "x.rq")),
    ),
    cli(
        "a named pipe as the query file",
        ("query", "{dir}/x.rq"),
        "{dir}/x.rq: not a regular file (a named pipe, socket or device); a query is a .rq text file",
        setup=lambda d: os.mkfifo(d / "x.rq"),
    ),
]


#: Labels holding control characters (#17, item 7): terminal escapes (a window title set by
#: OSC, the screen cleared by CSI), and a carriage return, a backspace and a right-to-left override.
LABELS = (
    "@prefix tkg: <https://w3id.org/tradekg/ontology#> .\n"
    "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
    "@base <https://w3id.org/tradekg/id/> .\n"
    '<company/evil> a tkg:Company ; rdfs:label "Evil\\u001b]0;pwned\\u0007\\u001b[2J Co"@en .\n'
    '<company/flip> a tkg:Company ; rdfs:label "Ford\\r\\bAuto \\u202eoc.elbat"@en .\n'
)


def shown(name: str, args: tuple[str, ...], line: str) -> Case:
    return Case("shown escaped", name, ("--data", "{dir}/labels.ttl", *args), 0, line, {"labels.ttl": LABELS})


SHOWN_ESCAPED = [
    shown(
        "a label with terminal escapes",
        ("show", "company:evil"),
        "Evil\\x1b]0;pwned\\x07\\x1b[2J Co  (company:evil)",
    ),
    shown(
        "a label with CR, backspace and U+202E",
        ("show", "company:flip"),
        "Ford\\r\\x08Auto \\u202eoc.elbat  (company:flip)",
    ),
    shown(
        "a label with terminal escapes, as csv",
        ("query", "search", "-p", "text", "Evil", "-f", "csv"),
        "https://w3id.org/tradekg/id/company/evil,Evil\\x1b]0;pwned\\x07\\x1b[2J Co,https://w3id.org/tradekg/ontology#Company,Evil\\x1b]0;pwned\\x07\\x1b[2J Co",
    ),
]


def answered(name: str, args: tuple[str, ...], line: str, files=None, setup=None, output: str | None = None) -> Case:
    return Case("answered", name, args, 0, line, files or {}, setup, output)


#: Hostile input that is valid RDF or a valid request, which kg once failed on (#17): answered.
ANSWERED = [
    answered(
        "blank nodes nested 1,000 deep, as Turtle",
        ("--no-bundled", "--data", "{dir}/deep.ttl", "export", "-f", "turtle", "-o", "{dir}/out.ttl"),
        "wrote 1001 statements to {dir}/out.ttl",
        files={"deep.ttl": P + "ex:a ex:p " + "[ ex:p " * 1000 + "ex:z" + " ]" * 1000 + " .\n"},
        output="out.ttl",
    ),
    answered(
        "a broken symlink in a data folder, --skip-bad",
        ("--data", "{dir}/data", "--skip-bad", "info"),
        "kg: warning: {dir}/data/gone.ttl: broken symlink: its target {dir}/nowhere.ttl does not exist (skipped)",
        setup=_broken_link_inside,
    ),
]


def prepare(case: Case, folder: Path) -> list[str]:
    """Write the case's files into ``folder``; its arguments with ``{dir}`` filled in."""
    for name, content in case.files.items():
        (folder / name).write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    if case.setup:
        case.setup(folder)
    return [a.replace("{dir}", str(folder)) for a in case.args]


def outcome(case: Case, folder: Path, result) -> str:
    """The case's message as the run gave it, with the folder written ``{dir}``."""
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    if case.exit == 1:
        report = json.loads(result.stdout)
        mine = [r for r in report["results"] if "No source for this entity" not in r["message"]]
        assert mine, report
        first = mine[0]
        assert first["file"] and first["entity"]
        text = f"{first['entity']} · {first['property']} · {first['message']}"
    else:
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith("kg: error: ")
        assert result.stdout == ""
        text = lines[0].removeprefix("kg: error: ")
    return text.replace(str(folder), "{dir}")


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_gives_its_exit_code_and_exact_message(case, tmp_path, invoke):
    args = prepare(case, tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    kept = {p: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
    result = invoke(*args)
    assert result.exit_code == case.exit, result.stderr
    assert outcome(case, tmp_path, result) == case.message
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written
    assert all(p.read_bytes() == content for p, content in kept.items())  # nothing changed
    if case.output:
        assert not (tmp_path / case.output).exists()


@pytest.mark.parametrize("case", [c for c in CASES if c.group == "data file"], ids=lambda c: c.name)
def test_bad_data_leaves_a_persistent_store_as_it_was(case, tmp_path, invoke):
    folder = tmp_path / "in"
    folder.mkdir()
    args = prepare(case, folder)
    store = f"oxigraph:{tmp_path / 'kgdb'}"
    assert invoke("--store", store, "load").exit_code == 0
    before = json.loads(invoke("--store", store, "info", "-f", "json").stdout)
    loaded = invoke("--store", store, "load", args[1])
    assert loaded.exit_code == 2 and outcome(case, folder, loaded) == case.message
    after = json.loads(invoke("--store", store, "info", "-f", "json").stdout)
    assert after == before  # a load is all or nothing: not even the good file of a mixed folder lands


def test_an_ill_typed_date_does_not_stop_other_commands(tmp_path, invoke):
    """Ill-typed literals are valid RDF: they load, the date simply never compares."""
    (tmp_path / "x.ttl").write_text(TKG + POLICY.replace("2025-06-01", "2025-02-30"))
    result = invoke("--data", str(tmp_path / "x.ttl"), "show", "X controls")
    assert result.exit_code == 0 and "2025-02-30" in result.stdout


#: What must never reach stdout or stderr raw: C0 controls but newline, DEL, C1 controls, bidi controls.
RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@pytest.mark.parametrize("case", SHOWN_ESCAPED, ids=[c.name for c in SHOWN_ESCAPED])
def test_a_label_with_control_characters_is_shown_escaped(case, tmp_path, runner):
    from kg.cli import cli

    args = prepare(case, tmp_path)
    # color=True: as on a terminal (click strips ANSI sequences from what it prints to a pipe)
    result = runner.invoke(cli, args, color=True, catch_exceptions=False)
    assert result.exit_code == case.exit, result.stderr
    assert "Traceback" not in result.stderr
    assert not RAW.search(result.stdout) and not RAW.search(result.stderr)
    assert case.message in result.stdout.splitlines()


@pytest.mark.parametrize("case", ANSWERED, ids=[c.name for c in ANSWERED])
def test_hostile_but_valid_input_is_answered(case, tmp_path, invoke):
    """Exit 0 and the line given; an output file holds every statement of the input, readable."""
    import pyoxigraph as ox

    args = prepare(case, tmp_path)
    result = invoke(*args)
    assert result.exit_code == 0, result.stderr
    assert "Traceback" not in result.stderr
    expected = case.message.replace("{dir}", str(tmp_path))
    if case.output:
        given, written = (str(tmp_path / name) for name in (*case.files, case.output))
        count = len(list(ox.parse(path=given, format=ox.RdfFormat.TURTLE)))
        assert len(list(ox.parse(path=written, format=ox.RdfFormat.TURTLE))) == count == 1001
    assert expected in result.stderr.splitlines()


# -- the README's table ---------------------------------------------------------------------


def table() -> str:
    """The corpus as the README's "Errors and exit codes" table."""

    def cell(text: str) -> str:
        return printable(text).replace("{dir}/", "").replace("{dir}", ".").replace("|", "\\|")

    lines = ["| input | command | exit | message |", "|---|---|---|---|"]
    for case in CASES + SHOWN_ESCAPED + ANSWERED:
        command = "kg " + " ".join(a if " " not in a else f'"{a}"' for a in case.args)
        lines.append(f"| {case.name} | `{cell(command)}` | {case.exit} | {cell(case.message)} |")
    return "\n".join(lines) + "\n"


def test_readme_lists_every_case_with_its_exit_code_and_message():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert table() in readme, "README's errors table is stale: python tests/test_bad_inputs.py prints it"


if __name__ == "__main__":
    sys.stdout.write(table())

"""A corpus of bad input (part of issue #7): each case, its exit code and the one line it gives.

Every case must end with exit 2 and exactly one line on stderr that names the file (with line
and column where the parser knows them), the entity or the parameter; no traceback, no output
file, and a persistent store left as it was.
"""

from __future__ import annotations

import json
import os

import pytest

P = "@prefix ex: <http://example.org/> .\n"

#: name -> (file name, bytes, the fragment the error line must hold)
RDF_CASES = {
    "truncated Turtle": ("truncated.ttl", P + "ex:a ex:b ex:c ;\n", "truncated.ttl:3:1: Unexpected end"),
    "unbalanced brackets": ("unbalanced.ttl", P + "ex:a ex:b ( ex:c .\n", "unbalanced.ttl:2:18"),
    "undefined prefix": (
        "undefined.ttl",
        "ex:a ex:b ex:c .\n",
        "undefined.ttl:1:1: The prefix ex: has not been declared",
    ),
    "invalid IRI": (
        "bad-iri.nt",
        "<http://e.org/a b> <http://e.org/p> <http://e.org/c> .\n",
        "bad-iri.nt:1:1: Invalid IRI",
    ),
    "bad escape": ("escape.ttl", P + 'ex:a ex:b "\\q" .\n', "escape.ttl:2:12: Unexpected escape character"),
    "invalid UTF-8": ("utf8.nt", b'<http://e.org/a> <http://e.org/p> "\xff\xfe" .\n', "utf8.nt:1:36: Invalid UTF-8"),
    "binary file": ("binary.ttl", bytes(range(256)) * 4, "binary.ttl:1:1"),
    "unknown extension": ("notes.txt", "x", "notes.txt: unknown file type '.txt'"),
    "RDF/XML with entities": (
        "entity.rdf",
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><r/>',
        "entity.rdf: unknown file type '.rdf'",
    ),
    "JSON-LD with a remote @context": (
        "remote.jsonld",
        '{"@context": "http://127.0.0.1:9/ctx.jsonld", "@id": "http://e.org/a", "http://e.org/p": "x"}',
        "remote.jsonld: No LoadDocumentCallback has been set to load remote contexts",
    ),
    "TriG graph left open": ("open.trig", P + "ex:g { ex:a ex:b ex:c .\n", "open.trig:3:1"),
    "N-Quads with a literal graph": (
        "literal-graph.nq",
        '<http://e.org/a> <http://e.org/p> <http://e.org/o> "g" .\n',
        "literal-graph.nq:1:",
    ),
}


def write_case(folder, name: str, content) -> str:
    path = folder / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return str(path)


def one_error_line(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("kg: error: ") and "Traceback" not in result.stderr
    return lines[0]


@pytest.mark.parametrize("case", sorted(RDF_CASES))
def test_bad_rdf_is_one_line_and_changes_nothing(case, tmp_path, invoke):
    filename, content, fragment = RDF_CASES[case]
    path = write_case(tmp_path, filename, content)
    result = invoke("--data", path, "info")
    assert result.exit_code == 2
    assert fragment in one_error_line(result)
    # into a persistent store: refused the same way, the store as it was
    store = f"oxigraph:{tmp_path / 'kgdb'}"
    assert invoke("--store", store, "load").exit_code == 0
    before = invoke("--store", store, "info", "-f", "json").stdout
    loaded = invoke("--store", store, "load", path)
    assert loaded.exit_code == 2 and fragment in one_error_line(loaded)
    assert invoke("--store", store, "info", "-f", "json").stdout == before


def test_paths_that_are_not_files(tmp_path, invoke):
    (tmp_path / "empty").mkdir()
    os.symlink(tmp_path / "loop-b.ttl", tmp_path / "loop-a.ttl")
    os.symlink(tmp_path / "loop-a.ttl", tmp_path / "loop-b.ttl")
    cases = {
        str(tmp_path / "empty"): "folder holds no RDF file",
        str(tmp_path / "loop-a.ttl"): "no such file or folder",
        str(tmp_path / "missing.ttl"): "no such file or folder",
    }
    for path, fragment in cases.items():
        result = invoke("--data", path, "info")
        assert result.exit_code == 2 and fragment in one_error_line(result) and path in result.stderr


def test_a_folder_with_one_bad_file_loads_nothing(tmp_path, invoke):
    folder = tmp_path / "mixed"
    folder.mkdir()
    write_case(folder, "good.ttl", P + "ex:a ex:b ex:c .\n")
    write_case(folder, "zbad.ttl", P + "ex:a ex:b .\n")
    store = f"oxigraph:{tmp_path / 'kgdb'}"
    assert invoke("--store", store, "load").exit_code == 0
    before = invoke("--store", store, "info", "-f", "json").stdout
    result = invoke("--data", str(folder), "info")
    assert result.exit_code == 2 and "zbad.ttl:2:" in one_error_line(result)
    assert invoke("--store", store, "load", str(folder)).exit_code == 2
    # each file is its own transaction: the good file (first in order) lands, the bad one not
    after = json.loads(invoke("--store", store, "info", "-f", "json").stdout)
    assert after["triples"] == json.loads(before)["triples"] + 1


CLI_CASES = {
    "unknown entity": (["show", "Nonexistent Thing"], "no entity 'Nonexistent Thing'"),
    "date in a wrong format": (["impact", "China rare-earth export controls", "--as-of", "2025-13-01"], "--as-of"),
    "--k 0": (["paths", "Trump", "automotive", "--k", "0"], "--k must be at least 1"),
    "--max-hops -1": (["paths", "Trump", "automotive", "--max-hops", "-1"], "--max-hops must be at least 1"),
    "unknown query": (["query", "nonexistent-query"], "no query 'nonexistent-query'"),
    "parameter not a date": (["query", "restrictions-in-force", "-p", "date", "yesterday"], "parameter 'date'"),
    "unknown store": (["--store", "nosuch:x", "info"], "unknown store 'nosuch:x'"),
    "missing store": (["--store", "oxigraph:/nonexistent/kgdb", "info"], "no store at /nonexistent/kgdb"),
}


@pytest.mark.parametrize("case", sorted(CLI_CASES))
def test_bad_command_lines_are_one_line(case, invoke):
    args, fragment = CLI_CASES[case]
    result = invoke(*args)
    assert result.exit_code == 2
    assert fragment in one_error_line(result)


@pytest.mark.parametrize("command", [["export", "-f", "nq"], ["render", "--as-of", "2025-06-06"]])
def test_bad_output_paths_write_nothing(command, tmp_path, invoke):
    missing = tmp_path / "missing" / "out"
    result = invoke(*command, "-o", str(missing))
    assert result.exit_code == 2 and "does not exist" in one_error_line(result)
    assert not missing.parent.exists()
    result = invoke(*command, "-o", str(tmp_path))
    assert result.exit_code == 2 and "is a folder" in one_error_line(result)
    existing = tmp_path / "kept.txt"
    existing.write_text("mine")
    failing = invoke(*command, "-o", str(existing), "--focus", "Nonexistent Thing")
    assert failing.exit_code == 2 and existing.read_text() == "mine"


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["export", "-f", "nq", "--hops", "-1"], "Invalid value for '--hops'"),
        (["--bogus"], "No such option '--bogus'"),
        (["paths", "Trump"], "Missing argument 'TARGET'"),
        (["impact", "x", "--claims", "maybe"], "Invalid value for '--claims'"),
    ],
)
def test_a_bad_option_is_one_line_naming_the_help(args, fragment, invoke):
    result = invoke(*args)
    assert result.exit_code == 2
    line = one_error_line(result)
    assert fragment in line and "--help)" in line


def test_an_ill_typed_literal_is_reported_not_traced(tmp_path, invoke):
    path = write_case(
        tmp_path,
        "bad-date.ttl",
        "@prefix tkg: <https://w3id.org/tradekg/ontology#> .\n@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        '<https://w3id.org/tradekg/id/policy/x> a tkg:ExportControl ; tkg:inForceFrom "2025-02-30"^^xsd:date .\n',
    )
    result = invoke("--data", path, "validate")
    assert result.exit_code == 1  # violations found
    assert "policy:x" in result.stdout and "Traceback" not in result.stderr and "Failed to convert" not in result.stderr

"""Hardening, round 2 (#17): what tests/test_bad_inputs.py's corpus cannot hold.

Outputs that are devices, pipes or open files, through a real ``kg`` process (``-o
/dev/stdout`` writes to the process's own stdout); the mode an output gets; folders that are
read-only or full (a small tmpfs, mounted as root); a persistent store whose files are
damaged; blank nodes nested deeper than Python's stack; and ``--skip-bad``, which exits 0.

Device nodes are made in the test's folder (``mknod``, as root), never the system's own
/dev/null or /dev/full, which a regression would replace with a regular file.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
import pytest

P = "@prefix ex: <http://example.org/> .\n"
ROOT = os.geteuid() == 0
needs_root = pytest.mark.skipif(not ROOT, reason="needs root (device nodes, mounts)")


def kg_command() -> str:
    """The installed ``kg`` (scripts/test installs it into the venv running the tests)."""
    beside = Path(sys.executable).with_name("kg")
    found = str(beside) if beside.exists() else shutil.which("kg")
    assert found, "no installed kg: run the tests through scripts/test"
    return found


def run(*args: str, stdout=subprocess.PIPE) -> subprocess.CompletedProcess:
    return subprocess.run([kg_command(), *args], stdout=stdout, stderr=subprocess.PIPE, timeout=300)


def lines(data: bytes) -> list[bytes]:
    """The statements of an N-Quads file, sorted (rdflib writes them in no fixed order)."""
    return sorted(data.splitlines())


def one_error(done: subprocess.CompletedProcess) -> str:
    """The one ``kg: error:`` line of a run that ended with exit 2, without its prefix."""
    stderr = done.stderr.decode() if isinstance(done.stderr, bytes) else done.stderr
    assert "Traceback" not in stderr
    assert done.returncode == 2, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kg: error: "), stderr
    return lines[0].removeprefix("kg: error: ")


def device(path: Path, minor: int) -> Path:
    """A character device at ``path``: /dev/null is (1, 3), /dev/full (1, 7)."""
    os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, minor))
    try:
        os.close(os.open(path, os.O_WRONLY))
    except OSError:
        pytest.skip("device nodes do not open on this file system (nodev)")
    return path


def is_device(path: Path) -> bool:
    return stat.S_ISCHR(os.stat(path).st_mode)


@contextmanager
def tmpfs(folder: Path, options: str):
    """A tmpfs mounted on ``folder`` (root only; the test is skipped where mount fails)."""
    folder.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {done.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


@pytest.fixture(scope="module")
def nquads() -> list[bytes]:
    """What ``kg export -f nq`` writes to stdout, sorted."""
    done = run("export", "-f", "nq", "-o", "-")
    assert done.returncode == 0, done.stderr
    return lines(done.stdout)


# -- item 4: outputs that are devices, pipes or open files -----------------------------------


@needs_root
@pytest.mark.parametrize("command", [("export", "-f", "nq"), ("render",)], ids=["export", "render"])
def test_a_null_device_is_written_not_replaced(tmp_path, command):
    null = device(tmp_path / "null", 3)
    done = run(*command, "-o", str(null))
    assert done.returncode == 0, done.stderr
    assert is_device(null)


@needs_root
@pytest.mark.parametrize("command", [("export", "-f", "nq"), ("render",)], ids=["export", "render"])
def test_a_full_device_is_one_line_and_stays_a_device(tmp_path, command):
    full = device(tmp_path / "full", 7)
    assert one_error(run(*command, "-o", str(full))) == f"{full}: no space left on device"
    assert is_device(full)


def test_dev_stdout_prints(tmp_path, nquads):
    # a link into /proc/self/fd, as /dev/stdout is, made here so a regression replaces only it
    stdout = tmp_path / "stdout"
    os.symlink("/proc/self/fd/1", stdout)
    done = run("export", "-f", "nq", "-o", str(stdout))
    assert done.returncode == 0, done.stderr
    assert lines(done.stdout) == nquads
    assert stdout.is_symlink() and os.readlink(stdout) == "/proc/self/fd/1"


def test_dev_stdout_redirected_to_a_file_fills_the_file(tmp_path, nquads):
    stdout, target = tmp_path / "stdout", tmp_path / "out.nq"
    os.symlink("/proc/self/fd/1", stdout)
    with target.open("wb") as fh:
        done = run("export", "-f", "nq", "-o", str(stdout), stdout=fh)
    assert done.returncode == 0, done.stderr
    assert lines(target.read_bytes()) == nquads
    assert stdout.is_symlink()


def test_a_named_pipe_is_written_to_its_reader(tmp_path, nquads):
    """A named pipe is written directly (kg waits for a reader, as ``echo > pipe`` does)."""
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    read: list[bytes] = []
    reader = threading.Thread(target=lambda: read.append(pipe.read_bytes()), daemon=True)
    reader.start()
    done = run("export", "-f", "nq", "-o", str(pipe))
    reader.join(timeout=60)
    assert done.returncode == 0, done.stderr
    assert len(read) == 1 and lines(read[0]) == nquads
    assert stat.S_ISFIFO(os.stat(pipe).st_mode)


def test_a_replaced_file_keeps_its_mode(tmp_path, invoke):
    out = tmp_path / "kg.nq"
    out.write_text("old")
    out.chmod(0o640)
    assert invoke("export", "-f", "nq", "-o", str(out)).exit_code == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o640 and out.read_text() != "old"


@needs_root
def test_a_replaced_file_keeps_its_owner(tmp_path, invoke):
    out = tmp_path / "kg.nq"
    out.write_text("old")
    os.chown(out, 65534, 65534)
    assert invoke("export", "-f", "nq", "-o", str(out)).exit_code == 0
    assert (out.stat().st_uid, out.stat().st_gid) == (65534, 65534)


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_a_new_file_follows_the_umask(tmp_path, invoke, umask, mode):
    out = tmp_path / "kg.nq"
    old = os.umask(umask)
    try:
        assert invoke("export", "-f", "nq", "-o", str(out)).exit_code == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == mode


def test_a_symlink_to_a_file_is_followed(tmp_path, invoke):
    target, link = tmp_path / "real.nq", tmp_path / "link.nq"
    target.write_text("old")
    target.chmod(0o600)
    os.symlink(target.name, link)
    assert invoke("export", "-f", "nq", "-o", str(link)).exit_code == 0
    assert link.is_symlink() and target.read_text() != "old"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


# -- item 5: read-only and full file systems, damaged stores, deep nesting -------------------


@pytest.mark.parametrize("command", [("export", "-f", "nq"), ("render",)], ids=["export", "render"])
def test_a_read_only_folder_is_one_line(tmp_path, command):
    if ROOT:  # root writes into any folder its mode forbids: a read-only mount stops it
        with tmpfs(tmp_path / "ro", "size=64k,ro") as folder:
            out = folder / "out"
            assert one_error(run(*command, "-o", str(out))) == f"{out}: read-only file system"
            assert list(folder.iterdir()) == []
    else:
        folder = tmp_path / "ro"
        folder.mkdir(mode=0o555)
        out = folder / "out"
        assert one_error(run(*command, "-o", str(out))) == f"{out}: permission denied"
        assert list(folder.iterdir()) == []


@needs_root
@pytest.mark.parametrize("command", [("export", "-f", "nq"), ("render",)], ids=["export", "render"])
def test_a_full_file_system_is_one_line_and_keeps_the_old_file(tmp_path, command):
    with tmpfs(tmp_path / "full", "size=64k") as folder:
        out = folder / "out"
        out.write_text("old")
        assert one_error(run(*command, "-o", str(out))) == f"{out}: no space left on device"
        assert [p.name for p in folder.iterdir()] == ["out"]  # no temporary file left
        assert out.read_text() == "old"


@needs_root
@pytest.mark.parametrize(
    ("options", "reason"), [("size=600k", "no space left on device"), ("size=64k,ro", "read-only file system")]
)
def test_a_load_the_file_system_refuses_is_one_line(tmp_path, options, reason):
    with tmpfs(tmp_path / "fs", options) as folder:
        store = folder / "kgdb"
        message = one_error(run("--store", f"oxigraph:{store}", "load", "--no-progress"))
        assert message == f"{store}: cannot write the store: {reason}"
        assert not list(store.glob("g-*")) and not (store / "generation").exists()


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    """A persistent store of the bundled graph, copied by each test that damages it."""
    path = tmp_path_factory.mktemp("store") / "kgdb"
    done = run("--store", f"oxigraph:{path}", "load", "--no-progress")
    assert done.returncode == 0, done.stderr
    return path


def _truncate(table: Path) -> None:
    os.truncate(table, table.stat().st_size // 2)


def _garble(table: Path) -> None:
    """Overwrite bytes in the middle of a table file: a data block, read only by a query."""
    with table.open("r+b") as fh:
        fh.seek(table.stat().st_size // 3)
        fh.write(b"\xff" * 64)


@pytest.mark.parametrize("damage", [_truncate, _garble])
@pytest.mark.parametrize("command", [("info",), ("export", "-f", "nq", "-o", "-")], ids=["info", "export"])
def test_a_damaged_store_is_one_line_naming_its_generation(store, tmp_path, damage, command):
    copy = tmp_path / "kgdb"
    shutil.copytree(store, copy)
    generation = copy / (copy / "generation").read_text().strip()
    for table in generation.glob("*.sst"):
        damage(table)
    message = one_error(run("--store", f"oxigraph:{copy}", *command))
    assert message.startswith(f"{generation}: the store cannot be read (")
    assert message.endswith(f"make the store again: remove {copy}, then  kg --store oxigraph:{copy} load")


@pytest.mark.parametrize("fmt", ["turtle", "jsonld", "trig"])
def test_blank_nodes_nested_1000_deep_export(tmp_path, invoke, fmt):
    """rdflib writes them nested, a call per level; past Python's stack, flat instead."""
    deep = tmp_path / "deep.ttl"
    deep.write_text(P + "ex:a ex:p " + "[ ex:p " * 1000 + "ex:z" + " ]" * 1000 + " .\n")
    out = tmp_path / f"out.{fmt}"
    result = invoke("--no-bundled", "--data", str(deep), "export", "-f", fmt, "-o", str(out))
    assert result.exit_code == 0, result.stderr
    written = ox.Store()
    rdf_format = {"turtle": ox.RdfFormat.TURTLE, "jsonld": ox.RdfFormat.JSON_LD, "trig": ox.RdfFormat.TRIG}[fmt]
    written.load(path=str(out), format=rdf_format)
    assert len(written) == 1001


# -- item 6: what cannot be read inside a data folder ----------------------------------------


def _data(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    (data / "good.ttl").write_text(P + "ex:a ex:b ex:c .\n")
    return data


def test_skip_bad_loads_the_rest_with_one_warning_each(tmp_path, invoke):
    data = _data(tmp_path)
    os.symlink(tmp_path / "nowhere.ttl", data / "gone.ttl")
    os.symlink(data / "loop-b.ttl", data / "loop-a.ttl")
    os.symlink(data / "loop-a.ttl", data / "loop-b.ttl")
    result = invoke("--no-bundled", "--skip-bad", "--data", str(data), "info", "-f", "json")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines() == [
        f"kg: warning: {data}/gone.ttl: broken symlink: its target {tmp_path}/nowhere.ttl does not exist (skipped)",
        f"kg: warning: {data}/loop-a.ttl: symlink loop: the link never reaches a file (skipped)",
        f"kg: warning: {data}/loop-b.ttl: symlink loop: the link never reaches a file (skipped)",
    ]
    assert json.loads(result.stdout)["data_triples"] == 1


def test_skip_bad_in_kg_load(tmp_path, invoke):
    data = _data(tmp_path)
    os.symlink(tmp_path / "nowhere.ttl", data / "gone.ttl")
    store = f"oxigraph:{tmp_path / 'kgdb'}"
    result = invoke("--no-bundled", "--skip-bad", "--store", store, "load", "--no-progress", str(data))
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines() == [
        f"kg: warning: {data}/gone.ttl: broken symlink: its target {tmp_path}/nowhere.ttl does not exist (skipped)"
    ]
    assert json.loads(invoke("--store", store, "info", "-f", "json").stdout)["data_triples"] == 1


def test_a_symlinked_folder_is_read_once(tmp_path, invoke):
    data = _data(tmp_path)
    other = tmp_path / "other"
    other.mkdir()
    (other / "more.ttl").write_text(P + "ex:d ex:e ex:f .\n")
    os.symlink(other, data / "linked")
    os.symlink(data, other / "back")  # a cycle of folders: each is read once
    result = invoke("--no-bundled", "--data", str(data), "info", "-f", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["data_triples"] == 2


def _unreadable(folder: Path) -> list[str]:
    """Make ``folder`` unreadable; the command prefix that runs kg unable to read it. Root
    reads any folder its mode forbids, so root runs kg without the capabilities that let it
    (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH)."""
    folder.chmod(0)
    if not ROOT:
        return []
    setpriv = shutil.which("setpriv")
    if not setpriv:
        folder.chmod(0o755)
        pytest.skip("root reads any folder; setpriv (util-linux) would drop that capability")
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search"]


@pytest.mark.parametrize("skip_bad", [False, True], ids=["error", "--skip-bad"])
def test_an_unreadable_folder_inside_a_data_folder(tmp_path, skip_bad):
    data = _data(tmp_path)
    (data / "sub").mkdir()
    (data / "sub" / "hidden.ttl").write_text(P + "ex:g ex:h ex:i .\n")
    prefix = _unreadable(data / "sub")
    try:
        options = ["--skip-bad"] if skip_bad else []
        args = [*prefix, kg_command(), "--no-bundled", *options, "--data", str(data), "info", "-f", "json"]
        done = subprocess.run(args, capture_output=True, text=True, timeout=300)
    finally:
        (data / "sub").chmod(0o755)
    if skip_bad:
        assert done.returncode == 0, done.stderr
        assert done.stderr.splitlines() == [
            f"kg: warning: {data}/sub: cannot read the folder: permission denied (skipped)"
        ]
        assert json.loads(done.stdout)["data_triples"] == 1
    else:
        message = f"{data}/sub: cannot read the folder: permission denied (--skip-bad skips it and loads the rest)"
        assert one_error(done) == message


# -- item 7: labels with terminal escapes are shown escaped ----------------------------------

#: A label with each kind of control character, as Turtle writes it: a window title set (OSC
#: … BEL), the screen cleared (CSI 2J), a carriage return, a backspace, a right-to-left override.
EVIL_TTL = r"Evil\u001b]0;pwned\u0007\u001b[2J\r\b\u202e"
EVIL = "Evil\x1b]0;pwned\x07\x1b[2J\r\b\u202e"
EVIL_DATA = f"""@prefix tkg: <https://w3id.org/tradekg/ontology#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@base <https://w3id.org/tradekg/id/> .
<company/evil> a tkg:Company ; rdfs:label "{EVIL_TTL} Co"@en ; skos:altLabel "{EVIL_TTL} alias"@en .
<policy/evil> a tkg:ExportControl ; rdfs:label "{EVIL_TTL} controls"@en ; tkg:imposedBy <government/china> ;
  tkg:inForceFrom "2025-06-01"^^xsd:date ; tkg:inForceFromPrecision tkg:DayPrecision ;
  tkg:restricts <commodity/gallium> ; tkg:adverselyAffects <company/evil>, <industry/automotive> .
<source/evil> a tkg:NewsArticle ; rdfs:label "{EVIL_TTL} Times"@en ; tkg:recordedOn "2025-06-01"^^xsd:date .
<kind/evil> rdfs:label "{EVIL_TTL} kind"@en .
<assertion/evil> {{ <policy/evil> tkg:restricts <commodity/gallium> . }}
<assertion/evil> a tkg:Assertion ; prov:wasDerivedFrom <source/evil> ; tkg:evidenceKind <kind/evil> ;
  tkg:quote "{EVIL_TTL} quote" .
"""

#: Every command printing labels as text (its default -f table), the csv and tsv writers, and
#: two notes on stderr naming an entity.
TEXT_COMMANDS = {
    "show": ("show", "company:evil"),
    "show a policy": ("show", "policy:evil", "--as-of", "2025-06-06"),
    "query": ("query", "search", "-p", "text", "Evil"),
    "query csv": ("query", "search", "-p", "text", "Evil", "-f", "csv"),
    "query tsv": ("query", "search", "-p", "text", "Evil", "-f", "tsv"),
    "query --list": ("query", "--list", "--queries", "{queries}"),
    "impact": ("impact", "policy:evil", "--as-of", "2025-06-06"),
    "paths": ("paths", "policy:evil", "industry:automotive", "--as-of", "2025-06-06"),
    "timeline": ("timeline", "--from", "2025-05-31", "--to", "2025-06-01"),
    "diff": ("diff", "2025-05-31", "2025-06-02"),
    "info": ("info",),
    "validate": ("validate",),
    "whatif": ("whatif", "--lift", "policy:evil", "--as-of", "2025-06-06"),
    "impact note on stderr": ("impact", "company:evil", "--as-of", "2025-06-06"),
    "paths note on stderr": ("paths", "company:evil", "industry:automotive", "--as-of", "2025-06-06"),
}
#: Bytes a terminal acts on: C0 controls but newline and tab (tsv's separator), DEL, C1 controls.
RAW_CONTROL = re.compile(rb"[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]")
OVERRIDE = "\u202e".encode()


@pytest.fixture(scope="module")
def evil(tmp_path_factory) -> dict[str, str]:
    """The labels above in a data file; a query folder with a query whose title holds them."""
    folder = tmp_path_factory.mktemp("evil")
    (folder / "evil.trig").write_text(EVIL_DATA, encoding="utf-8")
    (folder / "queries").mkdir()
    title = EVIL.replace("\r", "")  # a CR would end the header's line
    (folder / "queries" / "evil.rq").write_text(
        f"# title: {title} title\n# description: d\n# returns: s\nSELECT ?s WHERE {{ ?s ?p ?o }} LIMIT 1\n",
        encoding="utf-8",
    )
    return {"data": str(folder / "evil.trig"), "queries": str(folder / "queries")}


def on_terminal(*args: str) -> tuple[int, bytes, bytes]:
    """Run ``kg ARGS`` with stdout and stderr on terminals: raw pseudo-terminals, so that what
    kg writes arrives unchanged (click strips ANSI sequences only from what goes to a pipe)."""
    import pty
    import select
    import tty

    (out, out_tty), (err, err_tty) = pty.openpty(), pty.openpty()
    for fd in (out_tty, err_tty):
        tty.setraw(fd)
    proc = subprocess.Popen([kg_command(), *args], stdin=subprocess.DEVNULL, stdout=out_tty, stderr=err_tty)
    os.close(out_tty)
    os.close(err_tty)
    got, reading = {out: b"", err: b""}, {out, err}
    while reading:
        for fd in select.select(list(reading), [], [], 300)[0]:
            try:
                chunk = os.read(fd, 1 << 16)
            except OSError:  # EIO: kg has closed its end
                chunk = b""
            if chunk:
                got[fd] += chunk
            else:
                reading.discard(fd)
                os.close(fd)
    return proc.wait(timeout=300), got[out], got[err]


@pytest.mark.parametrize(("name", "command"), list(TEXT_COMMANDS.items()), ids=list(TEXT_COMMANDS))
def test_a_label_never_drives_the_terminal(evil, name, command):
    code, out, err = on_terminal("--data", evil["data"], *(a.format(**evil) for a in command))
    assert code in (0, 1), err  # kg validate finds the new entities unsourced: exit 1
    assert b"\x1b" not in out and b"\x07" not in out
    assert not RAW_CONTROL.search(out) and not RAW_CONTROL.search(err), (out, err)
    assert b"\\x1b]0;pwned\\x07" in (err if "stderr" in name else out)
    if "csv" not in name and "tsv" not in name:  # csv and tsv keep format characters as data
        assert OVERRIDE not in out and OVERRIDE not in err
        assert b"\\u202e" in (err if "stderr" in name else out)


def test_a_table_shows_the_escapes_and_counts_them_in_its_widths():
    from kg.output import table

    header, rule, row = table([{"name": "a\x1b[2Jb", "kind": "c\u202ed"}], ["name", "kind"], max_width=80).split("\n")
    assert row == "a\\x1b[2Jb  c\\u202ed"
    assert rule == "-" * len("a\\x1b[2Jb") + "  " + "-" * len("c\\u202ed")


def test_csv_escapes_control_characters_and_json_keeps_every_character(evil):
    done = run("--data", evil["data"], "query", "search", "-p", "text", "Evil", "-f", "csv")
    assert done.returncode == 0 and not RAW_CONTROL.search(done.stdout)
    assert b"Evil\\x1b]0;pwned\\x07\\x1b[2J \\x08" + OVERRIDE + b" Co" in done.stdout  # CR: whitespace, a space
    done = run("--data", evil["data"], "show", "company:evil", "-f", "json")
    assert done.returncode == 0 and b"\x1b" not in done.stdout  # JSON writes \u001b
    assert json.loads(done.stdout)["label"] == f"{EVIL} Co"


def test_ordinary_text_is_shown_as_it_is(tmp_path):
    """Accents, CJK (an ideographic space too), Persian with its zero-width non-joiner, emoji
    joined by a zero-width joiner: none is a control character."""
    label = "Caf\u00e9 \u6771\u4eac\u3000\u99c5 \u0645\u06cc\u200c\u0634\u0648\u062f \U0001f468\u200d\U0001f469"
    names = tmp_path / "names.ttl"
    names.write_text(
        "@prefix tkg: <https://w3id.org/tradekg/ontology#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        f'<https://w3id.org/tradekg/id/company/plain> a tkg:Company ; rdfs:label "{label}"@en .\n',
        encoding="utf-8",
    )
    code, out, err = on_terminal("--data", str(names), "show", "company:plain")
    assert code == 0, err
    assert out.decode().splitlines()[0] == f"{label}  (company:plain)"


# -- a full stdout is one line, exit 2; a reader that leaves a pipe, a quiet exit 0 ----------


@needs_root
@pytest.mark.parametrize(
    "command",
    [("info",), ("export", "-f", "nq", "-o", "-"), ("query", "search", "-p", "text", "a", "-f", "json"), ("--help",)],
    ids=["info", "export", "query", "--help"],
)
def test_a_full_stdout_is_one_line(tmp_path, command):
    full = device(tmp_path / "full", 7)
    with full.open("wb") as stdout:
        done = run(*command, stdout=stdout)
    assert one_error(done) == "standard output: no space left on device"
    assert is_device(full)


@pytest.mark.parametrize(
    ("command", "read"),
    [(("export", "-f", "nq", "-o", "-"), 100), (("query", "search", "-p", "text", "a"), 0)],
    ids=["export, read 100 bytes", "query table, read nothing"],
)
def test_a_reader_leaving_the_pipe_ends_kg_quietly(command, read):
    proc = subprocess.Popen([kg_command(), *command], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if read:
        assert len(proc.stdout.read(read)) == read  # `kg … | head -c 100`
    proc.stdout.close()
    stderr = proc.stderr.read()
    assert proc.wait(timeout=300) == 0, stderr
    for bad in (b"kg: error", b"internal error", b"Exception ignored", b"Traceback"):
        assert bad not in stderr

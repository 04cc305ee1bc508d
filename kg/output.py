"""Row formatters shared by every command that prints rows: table, csv, json; and the
guard on the standard streams that keeps a label from driving the terminal.

Text for a person (a table, an entity card, a path) shows every control character escaped,
as error lines do (:func:`kg.errors.printable`): a label holding ``ESC ] 0 ; … BEL`` or
``ESC [ 2 J`` is printed as ``\\x1b]0;…\\x07``, never acted on. JSON keeps every character:
it escapes control characters itself.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
import shutil
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from kg.errors import OutputError, printable

__all__ = ["FORMATS", "format_rows", "format_json", "table", "command_streams"]

FORMATS = ("table", "csv", "json")

#: Rows (or triples) a query may return before it is refused; ``kg query --limit`` changes it.
RESULT_LIMIT = 10_000


#: C0 controls, DEL and C1 controls: what a terminal acts on.
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def table(
    rows: Sequence[dict[str, Any]],
    columns: Sequence[str],
    max_width: int | None = None,
    keep_end: Sequence[str] = ("file",),
    records_if_wide: bool = False,
) -> str:
    """A plain-text table with a header; long cells are cut to fit the terminal.

    Cells of the ``keep_end`` columns (file paths) lose their start rather than their end.
    With ``records_if_wide``, rows too wide to read as a table are shown one record per block.
    """
    if max_width is None:
        max_width = max(60, shutil.get_terminal_size((120, 24)).columns)
    # escaped first, so that the widths count what the terminal shows
    cells = [[printable(_cell(row.get(c))) for c in columns] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    if records_if_wide and sum(min(w, 40) for w in widths) + 2 * (len(widths) - 1) > max_width:
        return _records(columns, cells, max_width)
    # Shrink the widest column until the table fits.
    gap = 2
    while sum(widths) + gap * (len(widths) - 1) > max_width and max(widths) > 12:
        widest = widths.index(max(widths))
        widths[widest] -= 1
    ends = [c in keep_end for c in columns]
    lines = [_line(columns, widths, gap), _line(["-" * w for w in widths], widths, gap)]
    lines += [_line(r, widths, gap, ends) for r in cells]
    return "\n".join(lines)


def _records(columns: Sequence[str], cells: list[list[str]], max_width: int) -> str:
    """One block per row, one ``column  value`` line per non-empty cell, values wrapped."""
    import textwrap

    name_width = max(len(c) for c in columns)
    blocks = []
    for number, row in enumerate(cells, 1):
        lines = [f"-[ {number} ]" + "-" * max(0, min(max_width, 60) - len(str(number)) - 5)]
        for column, value in zip(columns, row, strict=True):
            if not value:
                continue
            wrapped = textwrap.wrap(value, max(20, max_width - name_width - 2)) or [""]
            lines.append(f"{column:<{name_width}}  {wrapped[0]}")
            lines += [" " * (name_width + 2) + more for more in wrapped[1:]]
        blocks.append("\n".join(lines))
    return "\n".join(blocks)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return "; ".join(_cell(v) for v in value)
    return " ".join(str(value).split())


def _data_cell(value: Any) -> str:
    """A csv or tsv cell: one line (a run of whitespace, newlines and tabs included, is one
    space), with its C0 and C1 control characters and DEL escaped (``\\x1b``).

    csv and tsv go to a terminal as often as to a file, and ``cat out.csv`` would act on a
    raw ESC, so it does not pass; the escape is text a spreadsheet shows as it is. Other
    characters (bidi marks, which right-to-left text needs, accents, CJK) are data and kept.
    ``-f json`` keeps every character."""
    return _CONTROLS.sub(lambda m: printable(m.group()), _cell(value))


def _line(values: Sequence[str], widths: Sequence[int], gap: int, ends: Sequence[bool] = ()) -> str:
    out = []
    for i, (value, width) in enumerate(zip(values, widths, strict=True)):
        if len(value) > width and i < len(ends) and ends[i]:
            value = "\u2026" + value[len(value) - width + 1 :]
        elif len(value) > width:
            value = value[: max(1, width - 1)] + "\u2026"
        out.append(value.ljust(width))
    return (" " * gap).join(out).rstrip()


def format_json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, default=str)


def format_rows(rows: Sequence[dict[str, Any]], columns: Sequence[str], fmt: str) -> str:
    """Rows as ``table``, ``csv`` or ``json`` (a list of objects with ``columns`` as keys).

    A table cell shows control and format characters escaped (:func:`kg.errors.printable`); a csv cell only
    its control characters (:func:`_data_cell`); json keeps every character (it escapes
    control characters itself)."""
    if fmt == "json":
        return format_json([{c: row.get(c) for c in columns} for row in rows])
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_data_cell(row.get(c)) for c in columns])
        return buffer.getvalue().rstrip("\n")
    return table(rows, columns, records_if_wide=True)


RESULT_FORMATS = ("table", "csv", "tsv", "json", "sparql-json", "sparql-xml", "turtle", "jsonld", "nt")
_GRAPH_FORMATS = {"turtle": "turtle", "jsonld": "json-ld", "nt": "nt"}


def render_result(result, fmt: str, label: Callable[[Any], str]) -> str:
    """A :class:`kg.queries.QueryResult` in ``fmt``.

    ``table`` shows labels (from ``label``) instead of IRIs, control characters escaped;
    ``csv``/``tsv``/``json`` give IRIs and lexical values (csv and tsv with control
    characters escaped, as :func:`format_rows` does); ``sparql-json``/``sparql-xml`` follow
    the W3C result formats; CONSTRUCT/DESCRIBE results are graphs (``turtle`` by default,
    ``jsonld``, ``nt``).
    """
    from rdflib import Graph, Literal, URIRef, Variable
    from rdflib.query import Result

    if result.kind in ("CONSTRUCT", "DESCRIBE"):
        graph = Graph()
        for triple in result.triples:
            graph.add(triple)
        rdf_format = _GRAPH_FORMATS.get(fmt, "turtle")
        if fmt not in _GRAPH_FORMATS and fmt != "table":
            raise ValueError(f"a {result.kind} query gives a graph: use -f turtle, jsonld or nt")
        return graph.serialize(format=rdf_format).rstrip("\n")
    if fmt in _GRAPH_FORMATS:
        raise ValueError(f"a {result.kind} query gives rows: use -f table, csv, tsv, json, sparql-json or sparql-xml")
    if fmt in ("sparql-json", "sparql-xml"):
        out = Result(result.kind)
        if result.kind == "ASK":
            out.askAnswer = bool(result.boolean)
        else:
            out.vars = [Variable(v) for v in result.variables]
            out.bindings = [{Variable(k): v for k, v in row.items()} for row in result.rows]
        data = out.serialize(format="json" if fmt == "sparql-json" else "xml")
        return (data.decode("utf-8") if isinstance(data, bytes) else data).rstrip("\n")
    if result.kind == "ASK":
        return format_json(result.boolean) if fmt == "json" else ("true" if result.boolean else "false")
    columns = result.variables

    def plain(term: Any) -> str | None:
        return None if term is None else str(term)

    def readable(term: Any) -> str | None:
        if term is None:
            return None
        if isinstance(term, URIRef):
            return label(term)
        if isinstance(term, Literal):
            return str(term)
        return str(term)

    if fmt == "table":
        # an IRI column shows as its label, so a neighbouring "<name>Label" column is redundant
        shown = [c for c in columns if f"{c}Label" not in columns]
        rows = [{c: readable(row.get(c)) for c in shown} for row in result.rows]
        return table(rows, shown, records_if_wide=True) if rows else "(no rows)"
    rows = [{c: plain(row[c]) for c in columns if c in row} for row in result.rows]
    if fmt == "json":
        return format_json(rows)
    if fmt == "tsv":
        lines = ["\t".join(columns)]
        for row in rows:
            lines.append("\t".join(_data_cell(row.get(c)) for c in columns))
        return "\n".join(lines)
    return format_rows(rows, columns, "csv")


class _Stream:
    """``sys.stdout`` or ``sys.stderr`` while a command runs (:func:`command_streams`)."""

    def __init__(self, stream: Any, text: Callable[[], bool], failed: type[OutputError] | None) -> None:
        self._stream, self._text, self._failed = stream, text, failed

    def write(self, data: Any) -> int:
        written = len(data)
        if isinstance(data, str) and self._text():
            data = printable(data, lines=True)
        self._call(self._stream.write, data)
        return written

    def flush(self) -> None:
        self._call(self._stream.flush)

    @property
    def buffer(self) -> _Stream:
        """The binary stream below (``kg export -o -`` writes bytes): written as given."""
        return _Stream(self._stream.buffer, lambda: False, self._failed)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)

    def _call(self, method: Callable[..., Any], *args: Any) -> Any:
        try:
            return method(*args)
        except BrokenPipeError:  # the reader left (`kg … | head`): kg.cli stops quietly
            raise
        except OSError as err:
            if self._failed is None:
                raise
            raise self._failed(err) from None


@contextlib.contextmanager
def command_streams(text_out: Callable[[], bool], text_err: Callable[[], bool]) -> Iterator[None]:
    """``sys.stdout`` and ``sys.stderr`` guarded while a command runs.

    Text written while ``text_out()`` (``text_err()`` for stderr) is true is for a person: its
    control characters are escaped by :func:`kg.errors.printable` (newlines and tabs kept), whatever command
    wrote it. Otherwise (data: csv, json, RDF, bytes) it is written as given. A write to stdout
    that fails (a full disk, ``kg info > /dev/full``) raises :class:`kg.errors.OutputError`;
    a reader leaving a pipe stays a :class:`BrokenPipeError`.
    """
    saved = sys.stdout, sys.stderr
    out = sys.stdout = _Stream(sys.stdout, text_out, OutputError) if sys.stdout is not None else None
    err = sys.stderr = _Stream(sys.stderr, text_err, None) if sys.stderr is not None else None
    try:
        yield
    finally:  # unless replaced meanwhile (click pacifies a broken pipe's stdout at exit)
        if sys.stdout is out:
            sys.stdout = saved[0]
        if sys.stderr is err:
            sys.stderr = saved[1]

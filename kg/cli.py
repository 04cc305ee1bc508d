"""The ``kg`` command: thin click commands over the library. The only module importing click.

Exit codes: 0 success; 1 a negative answer (``kg validate`` found violations); 2 bad input or
usage (unreadable file, unknown entity, bad option); 3 an internal error (a bug: please report).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import click
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from kg import __version__
from kg.errors import InputError, KgError, UsageError, printable
from kg.namespaces import TKG
from kg.output import FORMATS, RESULT_FORMATS, RESULT_LIMIT, format_json, format_rows

__all__ = ["cli", "main"]

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@dataclass
class Session:
    """Global options, and the graph loaded from them on first use."""

    data: tuple[str, ...] = ()
    bundled: bool = True
    store: str = "memory"
    skip_bad: bool = False
    _graph: object = field(default=None, repr=False)
    _skipped: set[str] = field(default_factory=set, repr=False)

    @property
    def on_bad(self):
        """What the loaders do with a path they cannot read inside a folder: with --skip-bad,
        a warning (once per path) and the rest loaded; else an error."""
        return self._skip if self.skip_bad else None

    def _skip(self, path: str, reason: str) -> None:
        if path not in self._skipped:
            self._skipped.add(path)
            click.echo(f"kg: warning: {printable(path)}: {reason} (skipped)", err=True)

    def graph(self, extra: tuple[str, ...] = ()):
        from kg.graph import load_graph

        if self._graph is None or extra:
            graph = load_graph([*self.data, *extra], bundled=self.bundled, store=self.store, on_bad=self.on_bad)
            if extra:
                return graph
            self._graph = graph
        return self._graph


class KgGroup(click.Group):
    """Turns library errors into one line on stderr and an exit code; never a traceback."""

    def main(self, *args, **kwargs):
        # Every line passes kg.output's guard: text for a person has its control characters
        # escaped (a label never drives the terminal); a failed write to stdout is one line.
        from kg.output import command_streams

        with command_streams(self._shows_text, lambda: self._shows_text(err=True)):
            self._main(*args, **kwargs)

    @staticmethod
    def _shows_text(err: bool = False) -> bool:
        """Whether the running command writes text for a person, not data: on stdout with
        ``-f table`` (the default), on stderr (its notes) whenever it has ``-f`` at all. Other
        commands print data (``kg export -o -``) or a progress bar (``kg load``)."""
        ctx = click.get_current_context(silent=True)
        params = ctx.params if ctx is not None else {}
        return "fmt" in params if err else params.get("fmt") == "table"

    @staticmethod
    def _discard_stdout() -> None:
        """Point stdout at the null device: what is still buffered for it (the reader of a pipe
        left, the disk is full) is dropped at exit instead of failing a second time."""
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):  # not a file descriptor (a test's in-memory stream)
            pass

    def _main(self, *args, **kwargs):
        from kg.errors import OutputError

        # A bad option or argument is one line too (click would print usage, a hint and the
        # error on three): what is wrong, and where the help is.
        kwargs.pop("standalone_mode", None)
        # rdflib logs an ill-typed literal ("2025-02-30"^^xsd:date) with its traceback; the
        # shapes report such values, so the command line keeps rdflib's log quiet
        logging.getLogger("rdflib").setLevel(logging.CRITICAL)
        try:
            code = super().main(*args, **kwargs, standalone_mode=False)
        except click.UsageError as err:
            names, ctx = [], err.ctx
            while ctx is not None and ctx.parent is not None:
                names.insert(0, ctx.info_name)
                ctx = ctx.parent
            where = " ".join(["kg", *names])
            click.echo(f"kg: error: {printable(err.format_message())} (see {where} --help)", err=True)
            sys.exit(err.exit_code)
        except click.ClickException as err:
            err.show()
            sys.exit(err.exit_code)
        except click.exceptions.Exit as err:
            sys.exit(err.exit_code)
        except click.Abort:
            click.echo("kg: aborted", err=True)
            sys.exit(1)
        except OutputError as err:  # printing --help or --version to a full disk
            self._discard_stdout()
            click.echo(f"kg: error: {err}", err=True)
            sys.exit(err.exit_code)
        sys.exit(code if isinstance(code, int) else 0)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KgError as err:
            from kg.errors import OutputError

            if isinstance(err, OutputError):  # `kg info > /dev/full`
                self._discard_stdout()
            click.echo(f"kg: error: {err}", err=True)
            ctx.exit(err.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except KeyboardInterrupt:
            click.echo("kg: interrupted", err=True)
            ctx.exit(130)
        except BrokenPipeError:  # `kg … | head`: the reader left; stop quietly
            self._discard_stdout()
            ctx.exit(0)
        except Exception as err:  # a bug: say so in one line unless debugging
            if os.environ.get("KG_DEBUG"):
                raise
            click.echo(
                f"kg: internal error: {type(err).__name__}: {printable(err)} (KG_DEBUG=1 shows the traceback)", err=True
            )
            ctx.exit(3)


def format_option(choices: tuple[str, ...] = FORMATS, default: str = "table"):
    return click.option(
        "-f",
        "--format",
        "fmt",
        type=click.Choice(choices),
        default=default,
        show_default=True,
        help="Output format. Results go to stdout, messages to stderr.",
    )


@click.group(cls=KgGroup, context_settings=CONTEXT)
@click.option(
    "--data",
    "data",
    multiple=True,
    metavar="PATH",
    help="Add a file or folder (Turtle, TriG, N-Triples, N-Quads, JSON-LD) to the graph. Repeatable.",
)
@click.option(
    "--skip-bad",
    is_flag=True,
    help="In a folder of data, skip what cannot be read (a folder without permission, a broken symlink, a "
    "symlink loop) with a warning naming each, and load the rest. Without it, each is an error (exit 2).",
)
@click.option("--no-bundled", is_flag=True, help="Leave out the bundled graph (the ontology is always loaded).")
@click.option(
    "--store",
    default="memory",
    envvar="KG_STORE",
    show_default=True,
    metavar="STORE",
    help="Where the graph lives: 'memory' (Oxigraph in memory, loaded on each call) or 'oxigraph:PATH' "
    "(a persistent store filled by kg load; opens in a fraction of a second). Also read from $KG_STORE.",
)
@click.version_option(__version__, prog_name="kg")
@click.pass_context
def cli(ctx: click.Context, data: tuple[str, ...], skip_bad: bool, no_bundled: bool, store: str) -> None:
    """tradekg: who did what to which trade, as of when, and who says so.

    The graph holds the actors, policies (agreements, restrictions, relaxations), events and
    claims of trade conflicts, the commodities and industries they reach, and for every fact
    the source and quote it comes from. It ships with a curated graph of the June 2025
    US-China rare-earth dispute; add your own files with --data.

    \b
    Examples:
      kg validate                       # the bundled graph conforms?
      kg info                           # what is in the graph
      kg show "Geneva agreement"        # one entity, every fact with its source
      kg query --list                   # the questions the graph answers
      kg query restrictions-in-force -p date 2025-06-06
      kg timeline --from 2025-04-01 --to 2025-06-30
      kg impact "China rare-earth export controls" --as-of 2025-06-06
      kg paths "Xi Jinping" automotive --as-of 2025-06-06
      kg --data my-facts.ttl info       # with your own facts added

    Exit codes: 0 ok, 1 validation found violations, 2 bad input or usage, 3 internal error.
    """
    ctx.obj = Session(data=data, bundled=not no_bundled, store=store, skip_bad=skip_bad)
    remote = sys.modules.get("kg.remote")
    if remote is not None:  # a deadline belongs to one command (many run in one test process)
        remote.command_deadline(None)


@cli.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=str))
@format_option()
@click.pass_obj
def validate(session: Session, files: tuple[str, ...], fmt: str) -> None:
    """Check the graph against the SHACL shapes and for provenance.

    Loads the ontology, the bundled graph (unless --no-bundled), the --data files and FILES,
    then checks every entity against ontology/shapes.ttl and checks that every fact cites a
    source. A file that cannot be parsed is reported with its line and column (exit 2).
    Violations are listed with the entity, property, message and file (exit 1).

    \b
    Examples:
      kg validate
      kg validate my-facts.ttl
      kg validate examples/fact-sheet.yaml     # a fact sheet, checked directly
      kg --no-bundled validate my-facts.ttl -f json
    """
    from kg.sheet import SHEET_SUFFIXES
    from kg.validate import validate as run_validation

    sheets = [f for f in files if Path(f).suffix.lower() in SHEET_SUFFIXES]
    if sheets:  # fact sheets: compiled against the graph, then checked with it
        import tempfile

        with tempfile.TemporaryDirectory(prefix="kg-sheets-") as folder:
            compiled, where = _compile_sheets(session, sheets, Path(folder))
            graph = session.graph(tuple(f for f in files if f not in sheets) + tuple(compiled))
            report = run_validation(graph)
    else:
        graph, where = session.graph(files), {}
        report = run_validation(graph)

    def located(r) -> str:
        # a result from a sheet names the sheet and the line the entity or fact was written on
        spot = where.get(str(r.source_file)) if r.source_file else None
        if spot is None:
            return _short_path(r.source_file)
        sheet, lines = spot
        line = lines.get(str(r.focus)) if getattr(r, "focus", None) else None
        return f"{sheet}:{line}" if line else sheet

    rows = [
        {
            "severity": r.severity,
            "entity": r.focus_label,
            "property": r.path,
            "message": r.message,
            "value": r.value,
            "file": located(r),
        }
        for r in report.results
    ]
    violations, warnings = report.count("Violation"), report.count("Warning")
    summary = (
        f"{'conforms' if report.conforms else 'does not conform'}: {report.triples} triples checked against "
        f"{report.shapes} shapes and for provenance; {violations} violation(s), {warnings} warning(s)"
    )
    if fmt == "json":
        click.echo(format_json({"conforms": report.conforms, "triples": report.triples, "results": rows}))
    else:
        if rows:
            click.echo(format_rows(rows, ["severity", "entity", "property", "message", "file"], fmt))
        if fmt == "table":
            click.echo(summary)
    if not report.conforms:
        if fmt != "table":
            click.echo(summary, err=True)
        sys.exit(1)


def _compile_sheets(session: Session, sheets: list[str], folder: Path) -> tuple[list[str], dict]:
    """Compile each fact sheet into ``folder`` as TriG; the files, and for each the sheet and
    the lines its entities and facts were written on."""
    from kg.sheet import compile_sheet

    graph = session.graph()
    compiled, where = [], {}
    for number, name in enumerate(sheets):
        sheet = compile_sheet(graph, Path(name))
        _draft_note(sheet)
        target = folder / f"{number:03d}-{Path(name).stem}.trig"
        target.write_bytes(sheet.dataset.serialize(format="trig").encode("utf-8"))
        compiled.append(str(target))
        where[str(target)] = (name, sheet.lines)
    return compiled, where


def _draft_note(sheet) -> None:
    if sheet.drafts:
        lines = ", ".join(str(n) for n in sheet.drafts)
        click.echo(
            f"kg: {sheet.path}: {len(sheet.drafts)} draft fact(s) left out (line {lines}): "
            "set 'status: confirmed' once a person has checked them",
            err=True,
        )


@cli.command(name="compile")
@click.argument("sheet", type=click.Path(path_type=str, dir_okay=False))
@click.option("-o", "--output", required=True, metavar="FILE", help="TriG file to write ('-': stdout).")
@click.pass_obj
def compile_(session: Session, sheet: str, output: str) -> None:
    """Compile a fact sheet (YAML) to TriG: one assertion graph per fact, with its source.

    A sheet names its source (id, title, url, date, type) and lists facts; each fact has the
    source's words (quote), its evidence (stated, publisher's analysis, curator's inference),
    its quality (e.g. "verified, secondary"), and what it says, in the ontology's property
    names in snake case (imposed_by, restricts, in_force_from, relaxes, ...). Entities are
    kind:slug (policy:my-ban) or a name the graph or the sheet already knows. Dates are
    YYYY-MM-DD, YYYY-MM or YYYY, and their precision follows. Facts with status: draft are
    left out. Errors name the sheet's line; nothing is written then.

    \b
    Examples:
      kg compile examples/fact-sheet.yaml -o facts.trig
      kg validate examples/fact-sheet.yaml
      kg --data facts.trig impact "Example widget export ban" --as-of 2026-03-01
    """
    from kg.export import write_atomic
    from kg.sheet import compile_sheet

    compiled = compile_sheet(session.graph(), Path(sheet))
    _draft_note(compiled)
    data = compiled.dataset.serialize(format="trig").encode("utf-8")
    if output == "-":
        click.echo(data.decode("utf-8"), nl=False)
        return
    write_atomic(output, data)
    click.echo(f"wrote {output}: {compiled.facts} fact(s) from {sheet}", err=True)


@cli.command()
@click.argument("article", type=click.Path(path_type=str, dir_okay=False))
@click.option("--source-title", required=True, help="The article's title, as the sheet's source will name it.")
@click.option("--date", "published", required=True, metavar="DATE", help="When it was published (YYYY-MM-DD).")
@click.option("--url", default=None, help="Where it was published (http or https).")
@click.option("--source-id", default=None, metavar="SLUG", help="The source's id (default: from the title).")
@click.option("-o", "--output", required=True, metavar="FILE", help="The draft fact sheet to write ('-': stdout).")
@click.pass_obj
def ingest(session: Session, article: str, source_title: str, published: str, url, source_id, output: str) -> None:
    """A draft fact sheet from an article's plain text, every sentence a draft fact.

    Splits the text into sentences (page furniture, lines of fewer than six words, left
    out), resolves the dates they name against the article's date ("on Friday", "on Monday"
    when it is expected, "in April", "May 12"), finds the graph's entities they name (labels
    and aliases; hyphens, British/American spelling and plurals forgiven) and flags policy,
    claim, attribution and future cues. Every fact is status: draft: nothing enters the graph
    until a person fills in what it says and confirms it (kg validate and kg compile leave
    drafts out). Offline: no model, no network.

    \b
    Examples:
      kg ingest article.txt --source-title "Trump says Xi agreed ..." --date 2025-06-07 -o draft.yaml
      kg validate draft.yaml        # drafts are counted, not compiled
    """
    from kg.export import write_atomic
    from kg.ingest import draft_sheet, read_article
    from kg.ingest import ingest as run_ingest
    from kg.validtime import parse_date

    day = parse_date(published, "--date")
    if url is not None and not url.startswith(("https://", "http://")):
        raise UsageError(f"--url: {url!r} is not an http(s) address")
    slug = source_id or "-".join(re.findall(r"[a-z0-9]+", source_title.lower()))[:60].strip("-")
    if not slug or not re.fullmatch(r"[a-z0-9][a-z0-9-]*", slug):
        raise UsageError(f"--source-id: {slug!r}: a slug of lower-case letters, digits and hyphens")
    text = read_article(Path(article))
    found = run_ingest(session.graph(), text, day)
    if not found:
        raise InputError(article, "no prose found (no line of six words or more)")
    source = {"id": slug, "type": "news article", "title": source_title, "date": day.isoformat()}
    if url:
        source["url"] = url
    sheet = draft_sheet(found, source, Path(article).name)
    if output == "-":
        click.echo(sheet, nl=False)
    else:
        write_atomic(output, sheet.encode("utf-8"))
    flagged = sum(1 for s in found if s.cues)
    click.echo(
        f"{'wrote ' + output + ': ' if output != '-' else ''}{len(found)} sentence(s) as draft facts; "
        f"{flagged} with policy, claim or attribution cues; {sum(len(s.mentions) for s in found)} mention(s) "
        f"of the graph's entities; {sum(len(s.dates) for s in found)} date(s) resolved against {day}",
        err=True,
    )


@cli.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=str))
@click.option("--no-progress", is_flag=True, help="Say nothing while loading.")
@click.option(
    "--update-endpoint",
    metavar="URL",
    envvar="KG_UPDATE_ENDPOINT",
    help="For --store sparql:URL: the SPARQL Update endpoint to write to (Virtuoso: …/sparql-auth). "
    "Credentials from $KG_SPARQL_USER and $KG_SPARQL_PASSWORD (Digest or Basic).",
)
@click.option(
    "--graph-store",
    metavar="URL",
    envvar="KG_GRAPH_STORE",
    help="For --store sparql:URL: send the data by the Graph Store Protocol to this URL "
    "(Virtuoso: …/sparql-graph-crud-auth), then commit with one update request.",
)
@click.pass_obj
def load(
    session: Session, files: tuple[str, ...], no_progress: bool, update_endpoint: str | None, graph_store: str | None
) -> None:
    """Add RDF files to a persistent store (--store oxigraph:PATH or sparql:URL), creating it if needed.

    A new store gets the ontology and (unless --no-bundled) the bundled graph first. A load
    is all or nothing: if any file fails to parse, or the load is killed, the store stays as
    it was, and commands reading it meanwhile see it whole, as it was before or after.
    Loading a file again adds nothing. Later commands open the store with --store (or
    $KG_STORE) instead of parsing files again. A persistent store is compacted after the
    load and its impact index compiled (a few seconds at 1M quads), so that later
    commands answer from it at once.

    \b
    Examples:
      kg --store oxigraph:./kgdb load                      # the bundled graph
      kg --store oxigraph:./kgdb load big.nt more.ttl      # add your files
      kg --store oxigraph:./kgdb impact "China rare-earth export controls" --as-of 2025-06-06
      KG_SPARQL_USER=dba KG_SPARQL_PASSWORD=… kg --store sparql:http://localhost:8890/sparql load \\
          --update-endpoint http://localhost:8890/sparql-auth \\
          --graph-store http://localhost:8890/sparql-graph-crud-auth   # push to a SPARQL server
    """
    from kg.graph import load_into_store

    bar = None

    def progress(done: int, total: int, path: Path) -> None:
        nonlocal bar
        if bar is None:
            bar = click.progressbar(length=max(total, 1), label="loading", file=sys.stderr, show_pos=False)
            bar.__enter__()
        bar.label = f"loading {path.name}"
        bar.update(done - bar.pos)

    def stage(what: str) -> None:
        if bar is not None:
            bar.label = what
            bar.render_progress()

    show = not no_progress and sys.stderr.isatty()
    try:
        added, total = load_into_store(
            session.store,
            files,
            bundled=session.bundled,
            progress=progress if show else None,
            update_endpoint=update_endpoint,
            graph_store=graph_store,
            notice=lambda message: click.echo(f"kg: {message}", err=True),
            stage=stage if show else None,
            on_bad=session.on_bad,
        )
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    click.echo(f"{session.store}: {added} quads added, {total} in the store")


@cli.command()
@format_option(("table", "json"))
@click.pass_obj
def info(session: Session, fmt: str) -> None:
    """What the graph holds: counts by class, sources, date ranges, triples.

    \b
    Examples:
      kg info
      kg info -f json | jq .classes
    """
    from kg.describe import graph_info

    data = graph_info(session.graph())
    if fmt == "json":
        click.echo(format_json(data))
        return
    valid, record = data["valid_time"], data["record_time"]
    click.echo(
        f"{data['triples']} triples ({data['data_triples']} data, {data['ontology_triples']} ontology) "
        f"from {len(data['files'])} file(s)"
    )
    click.echo(f"valid time:  {valid['first'] or '-'} to {valid['last'] or '-'}   (when things happened or held)")
    click.echo(f"record time: {record['first'] or '-'} to {record['last'] or '-'}   (when sources published them)")
    if data["assertions_by_kind"]:
        kinds = ", ".join(f"{n} {k}" for k, n in sorted(data["assertions_by_kind"].items()))
        click.echo(f"assertions:  {kinds}")
    click.echo("")
    click.echo(format_rows(data["classes"], ["label", "class", "direct", "with_subclasses"], "table"))
    click.echo("")
    click.echo(format_rows(data["sources"], ["label", "kind", "recorded_on", "assertions"], "table"))


@cli.command()
@click.argument("name")
@click.option(
    "--as-of",
    "as_of",
    default="today",
    show_default=True,
    help="For a policy: the date its status is given for (YYYY-MM-DD).",
)
@format_option(("table", "json"))
@click.pass_obj
def show(session: Session, name: str, as_of: str, fmt: str) -> None:
    """One entity's card: type, labels, every fact about it with its source and quote.

    NAME is a label or alias (any case: "geneva agreement", "Trump", "Beijing"), a CURIE
    (policy:geneva-agreement) or a full IRI. On a miss the nearest names are suggested.
    A policy's card also gives its status on --as-of (in force, suspended until D, expired
    D, ...) and its periods over time, extensions and suspensions included.

    \b
    Examples:
      kg show "Geneva agreement"
      kg show "China October 2025 rare-earth export controls" --as-of 2025-12-01
      kg show Trump -f json
      kg show claim:xi-agreed-to-resume-rare-earth-exports
    """
    from kg.describe import entity_card
    from kg.lookup import resolve_entity
    from kg.validtime import as_of_date

    graph = session.graph()
    card = entity_card(graph, resolve_entity(graph, name), as_of_date(graph, as_of))
    if card.state:  # a status on a date: say the graph's coverage beside it
        _coverage_notes(graph, [dt.date.fromisoformat(str(card.state["as_of"]))])
    if fmt == "json":
        click.echo(format_json(card.to_dict()))
        return
    click.echo(_render_card(card))


def _param_option():
    return click.option(
        "-p",
        "--param",
        "params",
        multiple=True,
        nargs=2,
        metavar="NAME VALUE",
        help="A query parameter (repeatable). Names and aliases work for iri parameters; dates are YYYY-MM-DD.",
    )


def _timeout_option():
    timeout = click.option(
        "--timeout",
        type=click.FloatRange(min=0),
        default=30.0,
        show_default=True,
        metavar="SECONDS",
        help="Stop a query running longer than this (0: no limit).",
    )
    limit = click.option(
        "--limit",
        type=click.IntRange(min=0),
        default=RESULT_LIMIT,
        show_default=True,
        metavar="ROWS",
        help="Refuse a result of more rows (or triples) than this, rather than print it cut short (0: no limit).",
    )
    return lambda f: timeout(limit(f))


def _print_result(session: Session, result, bindings, fmt: str) -> None:
    from kg.output import render_result

    graph = session.graph()
    try:
        text = render_result(result, fmt, graph.label)
    except ValueError as err:
        raise UsageError(str(err)) from None
    if "claims" in bindings:
        mode = str(bindings["claims"])
        click.echo(f"claims: {mode} \u2014 {_CLAIM_MODES.get(mode, mode)}", err=True)
    # the valid-time dates asked about (not knownBy: record time), against the graph's coverage
    days = [
        v.toPython()
        for k, v in bindings.items()
        if k not in _RECORD_TIME_PARAMS and isinstance(v, Literal) and v.datatype == XSD.date
    ]
    if days:
        _coverage_notes(graph, [d for d in days if isinstance(d, dt.date)])
    click.echo(text)
    if result.kind == "SELECT" and fmt == "table":
        click.echo(f"{len(result.rows)} row(s)", err=True)


_CLAIM_MODES = {
    "exclude": "facts only; what rests on a claim is left out (claims include adds it)",
    "include": "claims included: what rests on unconfirmed claims counts as if true",
    "confirmed-only": "what rests on a claim counts only if the claim is confirmed",
}


@cli.command()
@click.argument("name", required=False)
@_param_option()
@format_option(RESULT_FORMATS)
@click.option("--list", "list_", is_flag=True, help="List the shipped queries (and those of --queries) and exit.")
@click.option(
    "--queries",
    "query_dirs",
    multiple=True,
    metavar="DIR",
    help="Also read the .rq files of DIR (a query there replaces a shipped one of the same name). Repeatable.",
)
@_timeout_option()
@click.pass_obj
def query(session, name, params, fmt, list_, query_dirs, timeout, limit) -> None:
    """Run a named query, or your own .rq file, on the graph.

    NAME is a shipped query (see --list) or the path of a .rq file holding a SELECT, ASK,
    CONSTRUCT or DESCRIBE query. Parameters are bound as values, never pasted into the query.
    Only read queries run: updates, SERVICE and FROM are refused. Table output shows labels;
    csv, tsv and json give IRIs; sparql-json and sparql-xml are the W3C result formats;
    CONSTRUCT/DESCRIBE results come as turtle, jsonld or nt.

    \b
    Examples:
      kg query --list
      kg query restrictions-in-force -p date 2025-06-06
      kg query exposed-industries -p policy "China rare-earth export controls" -f csv
      kg query claims-by -p actor Trump -f json
      kg query my-question.rq --timeout 5 --limit 50000

    \b
    A query file starts with comments that describe it (see README, "Queries"):
      # title: ...            # description: ...
      # param: NAME TYPE [required|default=VALUE] -- meaning   (TYPE: iri date string int choice(a|b))
      # returns: VAR VAR ...  # tags: ...
    """
    from kg.queries import catalogue, execute, load_spec

    specs = catalogue(query_dirs)
    if list_:
        rows = [
            {"name": s.name, "title": s.title, "parameters": ", ".join(p.describe() for p in s.params)}
            for s in specs.values()
        ]
        click.echo(format_rows(rows, ["name", "title", "parameters"], fmt if fmt in FORMATS else "table"))
        return
    if not name:
        raise UsageError("name a query (kg query --list shows them) or a .rq file")
    path = Path(name)
    if name in specs:
        spec = specs[name]
    elif name.endswith(".rq") or path.is_file():
        if not path.exists():
            raise UsageError(f"{name}: no such query file")
        spec = load_spec(path)  # a regular file only: a named pipe or a device is refused
    else:
        from kg.lookup import nearest_words

        near = nearest_words(name, list(specs))
        hint = f"; did you mean {', '.join(repr(n) for n in near)}?" if near else "; kg query --list shows them"
        raise UsageError(f"no query {name!r}{hint}")
    given = {}
    for key, value in params:
        if key in given:
            raise UsageError(f"parameter {key!r} given twice")
        given[key] = value
    _remote_deadline(session, timeout)
    graph = session.graph()
    result, bindings = execute(graph, spec, given, timeout, limit or None)
    _print_result(session, result, bindings, fmt)


@cli.command()
@click.option("--from", "start", required=True, metavar="DATE", help="First day (YYYY-MM-DD).")
@click.option("--to", "end", required=True, metavar="DATE", help="Last day (YYYY-MM-DD).")
@format_option(("table", "csv", "tsv", "json"))
@_timeout_option()
@click.pass_obj
def timeline(session, start, end, fmt, timeout, limit) -> None:
    """Events, policy changes and claims between two dates, in order, with their sources.

    \b
    Examples:
      kg timeline --from 2025-04-01 --to 2025-06-30
      kg timeline --from 2025-05-01 --to 2025-05-31 -f csv
    """
    _run_named(session, "timeline", {"from": start, "to": end}, fmt, timeout, limit)


@cli.command()
@click.argument("start", metavar="FROM")
@click.argument("end", metavar="TO")
@format_option(("table", "csv", "tsv", "json"))
@_timeout_option()
@click.pass_obj
def diff(session, start, end, fmt, timeout, limit) -> None:
    """What changed between two dates: policies that started, ended, were suspended or relaxed.

    \b
    Examples:
      kg diff 2025-05-01 2025-06-10
      kg diff 2025-06-01 2025-08-31 -f json
    """
    _run_named(session, "changes-between", {"from": start, "to": end}, fmt, timeout, limit)


def _remote_deadline(session: Session, timeout: float) -> None:
    """On a SPARQL server, --timeout is the command's wall-clock deadline (0: none), from now:
    the requests that open the store count too."""
    if session.store.startswith("sparql:"):
        from kg.remote import command_deadline

        command_deadline(timeout)
        if session._graph is not None:
            session._graph.store.set_deadline(timeout)


def _run_named(session, name: str, given: dict[str, str], fmt: str, timeout: float, limit: int) -> None:
    from kg.queries import catalogue, execute

    spec = catalogue()[name]
    _remote_deadline(session, timeout)
    graph = session.graph()
    result, bindings = execute(graph, spec, given, timeout, limit or None)
    _print_result(session, result, bindings, fmt)


@cli.command()
@format_option(("turtle", "trig", "nt", "nq", "jsonld", "graphml", "gexf"), default="trig")
@click.option("-o", "--output", "output", required=True, metavar="FILE", help="File to write ('-' for stdout).")
@click.option("--focus", metavar="ENTITY", help="Only the neighbourhood of ENTITY (a name, alias, CURIE or IRI).")
@click.option(
    "--hops", type=click.IntRange(min=0), default=1, show_default=True, help="Neighbourhood radius for --focus."
)
@click.pass_obj
def export(session, fmt, output, focus, hops) -> None:
    """Write the graph (or a neighbourhood) as RDF, or as GraphML/GEXF for Gephi.

    RDF formats keep everything (trig and nq keep the assertion graphs, so provenance
    survives); graphml and gexf hold entities as nodes (label, class, colour) and relations
    as edges (predicate, label, impact sign) for graph tools. The file is written whole or
    not at all; a device or a pipe (/dev/stdout, /dev/null, a named pipe) is written
    directly, never replaced.

    \b
    Examples:
      kg export -f trig -o kg.trig
      kg export -f graphml -o kg.graphml
      kg export --focus "China rare-earth export controls" --hops 2 -f gexf -o controls.gexf
    """
    from kg.export import export_graph

    graph = session.graph()
    focus_iri = None
    if focus:
        from kg.lookup import resolve_entity

        focus_iri = resolve_entity(graph, focus)
    count = export_graph(graph, fmt, output, focus=focus_iri, hops=hops)
    if output != "-":
        unit = "nodes and edges" if fmt in ("graphml", "gexf") else "statements"
        click.echo(f"wrote {count} {unit} to {output}", err=True)


def _analysis_options(func):
    """--as-of, --known-by, --claims, --max-hops and -f: shared by the impact commands."""
    options = [
        click.option(
            "--as-of",
            "as_of",
            default="today",
            show_default=True,
            metavar="DATE",
            help="Valid time: what was in force on this date (YYYY-MM-DD).",
        ),
        click.option(
            "--known-by",
            "known_by",
            metavar="DATE",
            help="Record time: only facts whose source was published by this date.",
        ),
        click.option(
            "--claims",
            type=click.Choice(list(_CLAIM_MODES)),
            default="exclude",
            show_default=True,
            help="What rests on claims: left out (facts only), counted, or counted if confirmed.",
        ),
        click.option("--max-hops", type=int, default=6, show_default=True, help="Longest path considered."),
        format_option(("table", "json", "csv")),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _network(session: Session, as_of: str, known_by: str | None, claims: str, **changes):
    from kg.network import project
    from kg.validtime import as_of_date, parse_date

    graph = session.graph()
    return project(graph, as_of_date(graph, as_of), parse_date(known_by, "--known-by"), claims, **changes)


def _claims_note(net) -> None:
    note = f"claims: {net.claims} \u2014 {_CLAIM_MODES[net.claims]}"
    if net.assumed:
        note += "; treated as fact: " + ", ".join(net.kg.label(URIRef(c)) for c in net.assumed)
    known = f", as known by {net.known_by}" if net.known_by else ""
    click.echo(f"as of {net.as_of}{known}; {note}", err=True)
    _coverage_notes(net.kg, [net.as_of])


#: Query parameters in record time (when a source was published), not valid time.
_RECORD_TIME_PARAMS = frozenset({"knownBy"})


def _coverage_notes(graph, days) -> None:
    """The graph's coverage window on stderr, and a warning for each day outside it."""
    from kg.validtime import coverage_notes

    for line in coverage_notes(graph, days):
        click.echo(f"kg: {line}" if line.startswith("warning") else line, err=True)


def _path_text(net, path) -> str:
    parts = [net.label(path.nodes[0])]
    for hop in path.hops:
        sign = {-1: "\u2212", 1: "+", 0: "0"}[hop.sign]
        stated_forward = hop.stated == (hop.source, hop.target)
        relation = net.schema.labels.get(hop.predicate, hop.predicate)
        arrow = f"\u2014{relation} ({sign})\u2192" if stated_forward else f"\u2190{relation} ({sign})\u2014"
        parts.append(f"{arrow} {net.label(hop.target)}")
    return " ".join(parts)


def _hops_detail(net, path, target: str) -> list[dict]:
    """Each hop of ``path``: relation, sign, dates, the claims it rests on, who says it (source,
    quote, evidence kind), and, where the hop leaves a policy, its state on the date: suspended,
    or eased by relaxations in force that reach ``target`` (as ``kg impact`` counts them)."""
    from kg.impact import claim_text, hop_reliefs

    reliefs = hop_reliefs(net, path, target)
    out = []
    for hop in path.hops:
        s, o = hop.stated
        eased = [r for r in reliefs if r.relaxes == hop.source and (not r.hops or (hop.source, hop.target) in r.hops)]
        out.append(
            {
                "from": hop.source,
                "from_label": net.label(hop.source),
                "to": hop.target,
                "to_label": net.label(hop.target),
                "relation": net.schema.labels.get(hop.predicate, hop.predicate),
                "stated": f"{net.label(s)} \u2192 {net.label(o)}",
                "sign": hop.sign,
                "strength": hop.strength,
                "valid_from": hop.valid_from,
                "valid_until": hop.valid_until,
                "claims": [claim_text(net, c) for c in dict.fromkeys([*hop.claims, *net.graph_claims(hop.graphs)])],
                "suspended": net.graph.nodes[hop.source].get("suspended"),
                "relaxed_by": [
                    f"{r.label} ({'whole' if r.whole else 'in part'}: {r.how or 'in force'})"
                    + (f" [rests on {claim_text(net, r.claim)}]" if r.claim else "")
                    for r in eased
                ],
                "evidence": net.evidence_of(hop.graphs, hop.stated),
            }
        )
    return out


@cli.command()
@click.argument("source")
@click.argument("target")
@click.option("--k", "k", type=int, default=5, show_default=True, help="How many paths.")
@_analysis_options
@click.pass_obj
def paths(session, source, target, k, as_of, known_by, claims, max_hops, fmt) -> None:
    """The strongest impact paths from SOURCE to TARGET, hop by hop, with evidence.

    Paths follow the relations the ontology marks as carrying impact, in the direction
    effects flow. A path's sign is the product of its hops' signs: \u2212 harms, + helps.
    Each hop shows its relation, sign and the source with its quote. Only what was in force
    on --as-of counts.

    \b
    Examples:
      kg paths "Xi Jinping" automotive --k 5 --as-of 2025-06-06
      kg paths "Donald Trump" semiconductors
      kg paths Trump chipmakers --as-of 2025-06-06 -f json
    """
    from kg.impact import evidence_kinds, find_paths, impact_on
    from kg.lookup import resolve_entity

    graph = session.graph()
    src, dst = str(resolve_entity(graph, source)), str(resolve_entity(graph, target))
    net = _network(session, as_of, known_by, claims, sources=[src], max_hops=max_hops, targets=[dst])
    found = find_paths(net, src, dst, k=k, max_hops=max_hops)
    _claims_note(net)
    overall = impact_on(net, src, dst, max_hops) if found else None
    if overall is not None:
        click.echo(f"{net.label(dst)} as of {net.as_of}: {overall.status} (as kg impact counts it)", err=True)
    if not found:
        click.echo(
            f"no impact path from {net.label(src)} to {net.label(dst)} within {max_hops} hops as of {net.as_of}",
            err=True,
        )
    rows = [
        {
            "rank": i,
            "sign": p.sign,
            "strength": round(p.strength, 4),
            "hops": len(p.hops),
            "path": _path_text(net, p),
            "evidence": " \u2192 ".join(evidence_kinds(net, p)),
            "status": overall.status if overall else None,
            "detail": _hops_detail(net, p, dst),
        }
        for i, p in enumerate(found, 1)
    ]
    if fmt == "json":
        click.echo(format_json(rows))
    elif fmt == "csv":
        click.echo(format_rows(rows, ["rank", "sign", "strength", "hops", "path", "evidence", "status"], "csv"))
    else:
        for row in rows:
            click.echo(
                f"{row['rank']}. {'harms' if row['sign'] < 0 else 'helps' if row['sign'] > 0 else 'neutral'} "
                f"({row['hops']} hops): {row['path']}"
            )
            for hop in row["detail"]:
                sign = {-1: "\u2212", 1: "+", 0: "0"}[hop["sign"]]
                when = ""
                if hop["valid_from"] or hop["valid_until"]:
                    start = hop["valid_from"] or "\u2026"
                    when = f", {start} to {hop['valid_until'] or 'open'}"
                click.echo(f"     {hop['stated']}  [{hop['relation']}, {sign}{when}]")
                if hop["suspended"]:
                    click.echo(_wrap(f"        {hop['from_label']} is {hop['suspended']} on {net.as_of}", 100, 10))
                for relief in hop["relaxed_by"]:
                    click.echo(_wrap(f"        eased by {relief}", 100, 10))
                for claim in hop["claims"]:
                    click.echo(_wrap(f"        rests on {claim}", 100, 10))
                for ev in hop["evidence"][:2]:
                    quote = f" \u201c{ev['quote']}\u201d" if ev["quote"] else ""
                    weak = f", {ev['quality']}" if ev.get("weak") else ""
                    kind = f" ({ev['kind']}{weak})" if ev["kind"] else ""
                    click.echo(_wrap(f"        {ev['source']}{kind}{quote}", 100, 10))


def _impact_rows(net, rows) -> list[dict]:
    from kg.impact import claim_text, evidence_kinds

    return [
        {
            "target": r.target,
            "label": r.label,
            "kind": r.kind,
            "net_effect": r.net_effect,
            "status": r.status,
            "best_path": _path_text(net, r.negative or r.positive),
            "relaxations": "; ".join(
                f"{x.label} ({x.how or 'in force'})" + (f" [rests on {claim_text(net, x.claim)}]" if x.claim else "")
                for x in r.reliefs
            ),
            "left_out": "; ".join(r.left_out),
            "evidence": " \u2192 ".join(evidence_kinds(net, r.negative or r.positive)),
            "sources": "; ".join(r.sources),
        }
        for r in rows
    ]


@cli.command()
@click.argument("source")
@_analysis_options
@click.pass_obj
def impact(session, source, as_of, known_by, claims, max_hops, fmt) -> None:
    """What SOURCE (a policy, actor or event) does to every industry, company and country it reaches.

    For each target: the net effect, the status in words (restricted; partly relieved: which
    relaxation for whom; relieved; benefits), the strongest path, the relaxations in force
    that reach it (and whether they rest on a claim), and the sources along the path.

    \b
    Examples:
      kg impact "China rare-earth export controls" --as-of 2025-06-06
      kg impact "China rare-earth export controls" --as-of 2025-06-06 --claims include
      kg impact "Xi Jinping" --as-of 2025-06-06 -f json
    """
    from kg.impact import impact as run_impact
    from kg.lookup import resolve_entity

    src = str(resolve_entity(session.graph(), source))
    net = _network(session, as_of, known_by, claims, sources=[src], max_hops=max_hops)
    rows = _impact_rows(net, run_impact(net, src, max_hops))
    _claims_note(net)
    if not rows:
        state = net.timeline.status(src, net.as_of) if net.timeline and net.timeline.facts(src).policy else None
        why = f" (it is {state} then)" if state and state != "in force" else ""
        click.echo(f"{net.label(src)} reaches no industry, company or country as of {net.as_of}{why}", err=True)
    columns = ["label", "kind", "net_effect", "status", "best_path", "relaxations", "left_out", "evidence", "sources"]
    click.echo(format_json(rows) if fmt == "json" else format_rows(rows, columns, fmt) if rows else "")


@cli.command()
@click.option("--lift", "lift", multiple=True, metavar="POLICY", help="Remove a policy, as if never adopted.")
@click.option("--apply-claim", "apply_claim", multiple=True, metavar="CLAIM", help="Treat a claim as confirmed fact.")
@click.option(
    "--add-restriction",
    "add_restriction",
    multiple=True,
    metavar="COMMODITY",
    help="Add a hypothetical restriction on a commodity.",
)
@_analysis_options
@click.pass_obj
def whatif(session, lift, apply_claim, add_restriction, as_of, known_by, claims, max_hops, fmt) -> None:
    """Which targets change status if a policy is lifted, a claim is true or a restriction added.

    Runs the impact of every restriction in force twice, on the graph as it is and on a
    modified copy, and lists the industries, companies and countries whose status changes.

    \b
    Examples:
      kg whatif --lift "China rare-earth export controls" --as-of 2025-06-10
      kg whatif --apply-claim claim:xi-agreed-to-resume-rare-earth-exports --as-of 2025-06-10
      kg whatif --add-restriction "EDA software" --as-of 2025-08-01
    """
    from kg.impact import add_restriction as add_hypothetical
    from kg.impact import whatif as run_whatif
    from kg.lookup import resolve_entity

    if not (lift or apply_claim or add_restriction):
        raise UsageError("say what to change: --lift POLICY, --apply-claim CLAIM or --add-restriction COMMODITY")
    graph = session.graph()
    lifted = [str(resolve_entity(graph, x)) for x in lift]
    assumed = [str(resolve_entity(graph, x)) for x in apply_claim]
    added = [str(resolve_entity(graph, x)) for x in add_restriction]
    base = _network(session, as_of, known_by, claims)
    changed = _network(session, as_of, known_by, claims, assume_claims=assumed, lift=lifted)
    for commodity in added:
        add_hypothetical(changed, commodity)
    why = "; ".join(
        [f"lifted {base.label(x)}" for x in lifted]
        + [f"claim taken as fact: {base.label(x)}" for x in assumed]
        + [f"restriction added on {base.label(x)}" for x in added]
    )
    rows = [vars(c) for c in run_whatif(base, changed, why, max_hops)]
    _claims_note(changed)
    if not rows:
        click.echo("no target changes status", err=True)
    columns = ["label", "kind", "before", "after", "why"]
    click.echo(format_json(rows) if fmt == "json" else format_rows(rows, columns, fmt) if rows else "")


@cli.command()
@click.option("--top", type=int, default=10, show_default=True, help="How many to list.")
@click.option("--all-kinds", is_flag=True, help="Rank every kind of node, not only commodities.")
@_analysis_options
@click.pass_obj
def chokepoints(session, top, all_kinds, as_of, known_by, claims, max_hops, fmt) -> None:
    """Commodities (or any nodes) on the most restriction-to-industry impact paths.

    \b
    Examples:
      kg chokepoints --as-of 2025-06-06
      kg chokepoints --as-of 2025-06-06 --all-kinds --top 5 -f json
    """
    from kg.impact import chokepoints as rank

    net = _network(session, as_of, known_by, claims)
    ranked = rank(net, top=top, max_hops=max_hops, kinds=() if all_kinds else (TKG.Commodity,))
    rows = [vars(c) for c in ranked]
    _claims_note(net)
    columns = ["label", "kind", "paths", "restrictions", "targets"]
    click.echo(format_json(rows) if fmt == "json" else format_rows(rows, columns, fmt) if rows else "(none)")


@cli.command()
@click.option("-o", "--output", required=True, metavar="FILE", help="The HTML file to write ('-' for stdout).")
@click.option("--focus", metavar="ENTITY", help="Only the neighbourhood of ENTITY.")
@click.option(
    "--hops", type=click.IntRange(min=0), default=2, show_default=True, help="Neighbourhood radius for --focus."
)
@click.option(
    "--path", "path", nargs=2, metavar="SOURCE TARGET", help="Lay out the impact paths from SOURCE to TARGET."
)
@click.option(
    "--impact", "impact_source", metavar="SOURCE", help="Lay out what SOURCE reaches, targets coloured by net effect."
)
@click.option("--k", "k", type=int, default=5, show_default=True, help="How many paths --path highlights.")
@click.option(
    "--as-of",
    "as_of",
    default="today",
    show_default=True,
    metavar="DATE",
    help="The date the slider starts on, and of --path and --impact.",
)
@click.option(
    "--claims",
    type=click.Choice(list(_CLAIM_MODES)),
    default="exclude",
    show_default=True,
    help="For --path and --impact: what rests on claims.",
)
@click.pass_obj
def render(session, output, focus, hops, path, impact_source, k, as_of, claims) -> None:
    """Write one HTML page of the graph that opens from disk, with no network.

    --impact SOURCE and --path A B show the story first: laid out left to right from the
    source (thick black border), targets coloured by net effect (restricted, partly relieved,
    suspended, relieved, benefits, unaffected), the rest of the graph faded (a toggle hides
    it). Edges are coloured by role only: red harms, green relieves, grey passes an effect on;
    dashed where they rest on a claim not confirmed. Colours, shapes and legend families come
    from the ontology. Click a node or edge for its dates in words, its status on the slider's
    date, its facts and numbered sources (date, evidence kind, quote, link); find entities by
    name or alias (every match listed); filter by class; a date slider hides what was not in
    force on a day. Above 1,000 nodes the page opens on an overview; a click opens a node's
    neighbours. Labels and quotes are always shown as text. The file is written whole or not
    at all; a device or a pipe (/dev/stdout, a named pipe) is written directly.

    \b
    Examples:
      kg render -o graph.html
      kg render --focus "China rare-earth export controls" --hops 2 -o controls.html
      kg render --path "Xi Jinping" automotive --as-of 2025-06-06 -o path.html
      kg render --impact "China rare-earth export controls" --as-of 2025-06-06 -o impact.html
    """
    from kg.render import build_view, render_html, write_html
    from kg.validtime import as_of_date

    graph = session.graph()
    view = build_view(
        graph,
        as_of=as_of_date(graph, as_of),
        focus=focus,
        hops=hops,
        path=tuple(path) if path else None,
        impact_source=impact_source,
        claims=claims,
        k=k,
    )
    write_html(render_html(graph, view), output)
    _coverage_notes(graph, [view.as_of] if view.as_of else [])
    if output != "-":
        n, m = view.graph.number_of_nodes(), view.graph.number_of_edges()
        click.echo(f"wrote {output}: {n} nodes, {m} edges; open it in a browser (it works offline)", err=True)


def _render_card(card) -> str:
    width = 100
    lines = [f"{card.label}  ({card.curie})", f"  {card.iri}"]
    if card.types:
        lines.append(f"  type: {', '.join(card.types)}")
    if card.aliases:
        lines.append(
            textwrap.fill(
                "also known as: " + "; ".join(card.aliases), width, initial_indent="  ", subsequent_indent="    "
            )
        )
    if card.state:
        lines.append(f"  status on {card.state['as_of']}: {card.state['status']}")
        for period in card.state["periods"]:
            until = f" to {period['until']}" if period["until"] else " on"
            lines.append(f"    {period['from']}{until}: {period['status']}")
    out_facts = [f for f in card.facts if f.direction == "out"]
    in_facts = [f for f in card.facts if f.direction == "in"]
    if out_facts:
        lines += ["", "Facts"]
        label_width = min(24, max(len(f.predicate_label) for f in out_facts))
        for fact in out_facts:
            value = fact.value_label + (f" ({fact.precision})" if fact.precision else "")
            refs = "".join(f"[{i + 1}]" for i in fact.evidence) or "[no source]"
            lines.append(_wrap(f"  {fact.predicate_label:<{label_width}}  {value}  {refs}", width, label_width + 4))
    if in_facts:
        lines += ["", "Referred to by"]
        for fact in in_facts:
            refs = "".join(f"[{i + 1}]" for i in fact.evidence) or "[no source]"
            lines.append(_wrap(f"  {fact.value_label} \u2014 {fact.predicate_label} \u2192 this  {refs}", width, 4))
    if card.evidence:
        lines += ["", "Sources"]
        for i, ev in enumerate(card.evidence, 1):
            head = f"  [{i}] {ev.source_label}"
            if ev.recorded_on:
                head += f" ({ev.recorded_on})"
            details = [d for d in (ev.kind, ev.quality) if d]
            if details:
                head += " \u2014 " + ", ".join(details)
            lines.append(_wrap(head, width, 6))
            if ev.quote:
                lines.append(_wrap(f"      \u201c{ev.quote}\u201d", width, 7))
            if ev.reasoning:
                lines.append(_wrap(f"      reasoning: {ev.reasoning}", width, 8))
            if ev.url:
                lines.append(f"      {ev.url}")
    return "\n".join(lines)


def _wrap(text: str, width: int, indent: int) -> str:
    return textwrap.fill(text, width, subsequent_indent=" " * indent, break_long_words=False, break_on_hyphens=False)


def _short_path(path: str | None) -> str:
    if not path:
        return ""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return Path(path).name if "site-packages" in path else path


main = cli

if __name__ == "__main__":  # pragma: no cover
    main()

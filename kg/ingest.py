"""A draft fact sheet from an article's text: offline, with no model and no network.

``kg ingest ARTICLE.txt --source-title … --date …`` splits the article into sentences (every
one becomes a verbatim quote), resolves the dates it names relative to the article's date
("on Friday", "on Monday", "in April", "May 12"), finds the graph's entities it mentions (by
label and alias; hyphens, spelling variants and plurals forgiven), and flags the sentences
with policy, claim and attribution cues ("said", "according to", "sources familiar"). It
writes a fact sheet (:mod:`kg.sheet`) in which every fact is ``status: draft``: nothing enters
the graph until a person fills in what it says and confirms it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import InputError, os_reason

__all__ = ["Sentence", "Mention", "DateMention", "read_article", "sentences", "resolve_dates", "ingest"]

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_MONTH = r"(January|February|March|April|May|June|July|August|September|October|November|December)"
#: words that make a weekday or a date without a year point forward
_FUTURE = re.compile(r"\b(will|expected|scheduled|set to|plans? to|next|upcoming|is to|are to)\b", re.I)
_CUES = {
    "attribution": re.compile(
        r"\b(said|says|say|told|according to|sources? familiar|people familiar|reportedly|announced|"
        r"mentioned|noted|described|responded|stated|wrote|posted)\b",
        re.I,
    ),
    "claim": re.compile(r"\b(claim\w*|accus\w*|alleg\w*|denied|dismissed|agreed|insist\w*|warn\w*)\b", re.I),
    "policy": re.compile(
        r"\b(ban\w*|restrict\w*|export controls?|tariffs?|licen[cs]es?|sanctions?|rollback|suspen\w*|"
        r"agreement|deal|countermeasures?|halt\w*|curbs?|quotas?)\b",
        re.I,
    ),
    "future": _FUTURE,
}
#: abbreviations a sentence does not end on
_ABBREVIATIONS = {
    "mr",
    "mrs",
    "ms",
    "dr",
    "st",
    "no",
    "vs",
    "inc",
    "corp",
    "co",
    "ltd",
    "jr",
    "sr",
    "gen",
    "sen",
    "rep",
}
#: British and American spellings, read alike when names are matched
_SPELLING = {"license": "licence", "licenses": "licences", "defense": "defence", "center": "centre"}


@dataclass
class DateMention:
    text: str
    date: dt.date
    precision: str  # day | month | year


@dataclass
class Mention:
    text: str
    entities: list[str]


@dataclass
class Sentence:
    text: str
    line: int
    cues: list[str] = field(default_factory=list)
    dates: list[DateMention] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)


def read_article(path: Path) -> str:
    try:
        data = Path(path).read_bytes()
    except OSError as err:
        raise InputError(str(path), f"cannot read the article: {os_reason(err)}") from None
    if b"\x00" in data[:4096]:
        raise InputError(str(path), "not a text file (it holds NUL bytes)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise InputError(str(path), f"not UTF-8 text: {err.reason}", line) from None


def sentences(text: str) -> list[Sentence]:
    """The prose of ``text``, sentence by sentence, each with the line it starts on. A line of
    fewer than six words is taken for page furniture (menus, captions, buttons) and left out."""
    out: list[Sentence] = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = " ".join(raw.split())
        if len(line.split()) < 6:
            continue
        start = 0
        for m in re.finditer(r"[.!?][\"”’')]*(?=\s+[\"“‘(]?[A-Z0-9])", line):
            word = re.search(r"(\S+)$", line[start : m.start()])
            token = word.group(1) if word else ""
            # U.S. / U.K. and titles do not end a sentence
            if re.fullmatch(r"(?:[A-Za-z]\.)*[A-Za-z]", token) and len(token) <= 3 and m.group(0) == ".":
                continue
            if token.lower().rstrip(".") in _ABBREVIATIONS:
                continue
            piece = line[start : m.end()].strip()
            if piece:
                out.append(Sentence(piece, number))
            start = m.end()
        rest = line[start:].strip()
        if rest and len(rest.split()) >= 3:
            out.append(Sentence(rest, number))
    return out


def resolve_dates(sentence: str, published: dt.date) -> list[DateMention]:
    """The dates ``sentence`` names, resolved against the article's date ``published``: a
    weekday is the last one on or before it, or the next one after it where the sentence
    points forward ("will", "expected"); a month or day without a year is in the article's
    year (the year before, if that would be after the article and nothing points forward)."""
    forward = bool(_FUTURE.search(sentence))
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= x or a >= y for x, y in taken)

    def year_for(month: int, day: int) -> int:
        candidate = dt.date(published.year, month, min(day, 28))
        return published.year - 1 if candidate > published and not forward else published.year

    for m in re.finditer(r"\b(\d{4})-(\d\d)-(\d\d)\b", sentence):
        try:
            found.append(DateMention(m.group(0), dt.date(*map(int, m.groups())), "day"))
            taken.append(m.span())
        except ValueError:
            pass
    patterns = (
        (rf"\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,\s*(\d{{4}}))?\b", "md"),
        (rf"\b(\d{{1,2}})\s+{_MONTH}(?:\s+(\d{{4}}))?\b", "dm"),
    )
    for pattern, order in patterns:
        for m in re.finditer(pattern, sentence):
            if not free(*m.span()):
                continue
            month_name, day = (m.group(1), m.group(2)) if order == "md" else (m.group(2), m.group(1))
            month, day = _MONTHS.index(month_name.lower()) + 1, int(day)
            year = int(m.group(3)) if m.group(3) else year_for(month, day)
            taken.append(m.span())  # a day that does not exist is no date, nor its month alone
            try:
                found.append(DateMention(m.group(0), dt.date(year, month, day), "day"))
            except ValueError:
                pass
    # a month alone: "in April", "April 2025" ("May" only after "in", "since", "by" ...)
    for m in re.finditer(rf"\b(in|since|by|from|until|early|late|mid-?)?\s*{_MONTH}(?:\s+(\d{{4}}))?\b", sentence):
        if not free(m.start(2), m.end()):
            continue
        if m.group(2) == "May" and not (m.group(1) or m.group(3)):
            continue
        month = _MONTHS.index(m.group(2).lower()) + 1
        taken.append((m.start(2), m.end()))
        try:
            year = int(m.group(3)) if m.group(3) else year_for(month, 1)
            found.append(DateMention(m.group(0).strip(), dt.date(year, month, 1), "month"))
        except (ValueError, OverflowError):  # year 0, or beyond the calendar
            pass
    for m in re.finditer(r"\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b", sentence):
        weekday = _WEEKDAYS.index(m.group(1).lower())
        try:
            if forward:
                delta = (weekday - published.weekday()) % 7 or 7
                day = published + dt.timedelta(days=delta)
            else:
                day = published - dt.timedelta(days=(published.weekday() - weekday) % 7)
        except OverflowError:  # an article dated at the calendar's edge
            continue
        found.append(DateMention(m.group(0), day, "day"))
    for word, shift in (("yesterday", -1), ("today", 0), ("tomorrow", 1)):
        for m in re.finditer(rf"\b{word}\b", sentence, re.I):
            try:
                found.append(DateMention(m.group(0), published + dt.timedelta(days=shift), "day"))
            except OverflowError:
                pass
    return found


def _words(text: str) -> list[str]:
    from kg.lookup import normalise_name

    words = normalise_name(text.replace("-", " ").replace("\u2013", " ")).split()
    words = [re.sub(r"^[\"“”‘’'(\[]+|[\"“”‘’',;:!?)\]]+$", "", w) for w in words]
    words = [w[:-2] if w.endswith("’s") or w.endswith("'s") else w for w in words]
    return [_SPELLING.get(w, w) for w in words if w]


def _key(words: list[str]) -> str:
    # plurals read as singulars ("automakers" finds "automaker")
    return " ".join(w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w for w in words)


class _Names:
    """The graph's labels and aliases, by their normalised words."""

    def __init__(self, graph) -> None:
        from kg.lookup import entity_names

        self.by_key: dict[str, set[str]] = {}
        self.longest = 1
        from kg.namespaces import ID

        # what the article may be about: not its sources, assertions or concept schemes
        skip = tuple(f"{ID}{kind}/" for kind in ("source", "assertion", "scheme"))
        for name in entity_names(graph):
            if name.iri.startswith(skip):
                continue
            words = _words(name.name)
            if not words or len("".join(words)) < 3:
                continue
            self.by_key.setdefault(_key(words), set()).add(name.iri)
            self.longest = max(self.longest, len(words))

    def find(self, sentence: str) -> list[Mention]:
        """Longest names first; a word is part of one mention at most."""
        raw = sentence.replace("-", " ").replace("\u2013", " ").split()
        words = _words(sentence)
        if len(words) != len(raw):  # keep the text shown beside the match honest
            raw = words
        used = [False] * len(words)
        out: list[Mention] = []
        for size in range(min(self.longest, len(words)), 0, -1):
            for i in range(len(words) - size + 1):
                if any(used[i : i + size]):
                    continue
                found = self.by_key.get(_key(words[i : i + size]))
                if found:
                    out.append(Mention(" ".join(raw[i : i + size]).strip(",.;:\"“”'’"), sorted(found)))
                    used[i : i + size] = [True] * size
        return out


def ingest(graph, text: str, published: dt.date) -> list[Sentence]:
    """Every sentence of ``text`` with its cues, resolved dates and the graph's entities it names."""
    names = _Names(graph)
    out = sentences(text)
    for s in out:
        s.cues = [name for name, pattern in _CUES.items() if pattern.search(s.text)]
        s.dates = resolve_dates(s.text, published)
        s.mentions = names.find(s.text)
    return out


def draft_sheet(found: list[Sentence], source: dict, article: str) -> str:
    """The draft fact sheet (YAML): the source, then one draft fact per sentence."""
    import yaml

    from kg.namespaces import curie

    facts = []
    for s in found:
        fact: dict = {
            "status": "draft",
            "quote": s.text,
            "evidence": "stated",
            "quality": "",
            "article_line": s.line,
        }
        if s.cues:
            fact["cues"] = s.cues
        if s.dates:
            fact["dates"] = [{"text": d.text, "date": d.date.isoformat(), "precision": d.precision} for d in s.dates]
        if s.mentions:
            fact["mentions"] = [{"text": m.text, "entities": [curie(e) for e in m.entities]} for m in s.mentions]
        fact["says"] = []
        facts.append(fact)
    header = (
        f"# A draft fact sheet from {article}, written by kg ingest: every sentence is a draft fact.\n"
        "# For each fact worth keeping: fill in 'says' (the mentions and dates help), set the evidence\n"
        "# and quality, then 'status: confirmed'. Drafts never enter the graph. See examples/fact-sheet.yaml.\n"
    )
    body = yaml.safe_dump({"source": source, "facts": facts}, sort_keys=False, allow_unicode=True, width=100)
    return header + body

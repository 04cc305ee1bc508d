"""Exceptions raised by the library. Only :mod:`kg.cli` turns them into messages and exit codes.

Every error carries a one-line message that names the file, line, entity or parameter at
fault, and the exit code the command line should end with (2: bad input or usage).
"""

from __future__ import annotations

import os
import re
import unicodedata

__all__ = [
    "printable",
    "os_reason",
    "KgError",
    "InputError",
    "UsageError",
    "OutputError",
    "EntityNotFound",
    "AmbiguousEntity",
]


#: Beyond printable ASCII: each such character is looked at by :func:`printable`.
_BEYOND_ASCII = re.compile(r"[^\x20-\x7e]")
#: Format characters kept as text: zero-width non-joiner and joiner shape Persian and Indic
#: words and emoji.
_JOINERS = frozenset("\u200c\u200d")


def _printable_char(char: str, lines: bool) -> str:
    if lines and char in "\n\t":
        return char
    if char.isprintable() or char in _JOINERS or unicodedata.category(char) == "Zs":
        return char
    return repr(char)[1:-1]  # \x1b, \r, \u202e, \u05cb


def printable(text: object, lines: bool = False) -> str:
    """``text`` safe to print on a terminal: a character quoted from a file or a pasted name is
    shown, never acted on. Control characters (ESC, BEL, CR, backspace, C1 controls), bidi
    controls (U+202E, U+2066, ...) and other invisible format characters, line and paragraph
    separators, lone surrogates, private-use and unassigned code points (whatever Python does
    not call printable) are shown escaped (``\\x1b``, ``\\r``, ``\\u202e``); spaces (no-break,
    ideographic), accents, CJK, emoji and the joiners U+200C/U+200D are kept. With ``lines``, newlines and
    tabs are kept too (free text of several lines); else they are escaped (one line)."""
    return _BEYOND_ASCII.sub(lambda m: _printable_char(m.group(), lines), str(text))


def os_reason(err: OSError) -> str:
    """What went wrong in an :class:`OSError`, in words to follow a path and a colon:
    ``no space left on device``, ``permission denied``."""
    text = os.strerror(err.errno) if err.errno else str(err)
    return text[:1].lower() + text[1:]


class KgError(Exception):
    """Base class of every expected failure; ``str(err)`` is a one-line message."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(printable(" ".join(message.split()) if "\n" in message else message))


class UsageError(KgError):
    """A command or function was called with values it cannot use."""


class OutputError(KgError):
    """Standard output cannot be written: a full disk or device (``kg info > /dev/full``), an
    I/O error. A reader that leaves a pipe (``kg … | head``) is not one: that is a
    :class:`BrokenPipeError`, and the command stops quietly."""

    def __init__(self, err: OSError) -> None:
        super().__init__(f"standard output: {os_reason(err)}")


class InputError(KgError):
    """A data file cannot be read or parsed.

    ``path``, ``line`` and ``column`` locate the fault where the parser reports it.
    """

    def __init__(
        self,
        path: str,
        reason: str,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.path, self.reason, self.line, self.column = path, reason, line, column
        where = path
        if line is not None:
            where += f":{line}"
            if column is not None:
                where += f":{column}"
        super().__init__(f"{where}: {reason}")


class EntityNotFound(KgError):
    """No entity has the given IRI, CURIE, label or alias."""

    def __init__(self, name: str, suggestions: list[str]) -> None:
        self.name, self.suggestions = name, suggestions
        message = f"no entity {name!r}"
        if suggestions:
            message += "; did you mean " + ", ".join(repr(s) for s in suggestions) + "?"
        super().__init__(message)


class AmbiguousEntity(KgError):
    """Several entities share the given label or alias."""

    def __init__(self, name: str, candidates: list[tuple[str, str]]) -> None:
        self.name, self.candidates = name, candidates
        listed = "; ".join(f"{label} <{iri}>" for iri, label in candidates)
        super().__init__(f"{name!r} names {len(candidates)} entities: {listed}; give the IRI or CURIE")

"""Compiled copies of what the first question needs (glossary, scope, the question stage's regular
expressions), read with marshal.

Parsing YAML (and stemming every glossary word) costs a fresh process, a CLI call or a Lambda cold
start, tens of milliseconds; a copy is read in one. A copy is named for a digest of what it was
made from, so an edited file makes a new one and an old copy is never read for it. It is looked
for first in the folder a package ships beside the code (PACKAGED, written by
deploy/zappa_hooks.py: a new Lambda sandbox starts with an empty temporary folder), then in the
temporary folder, where only a copy this user wrote and nobody else can change counts.
"""

from __future__ import annotations

import atexit
import hashlib
import marshal
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

try:  # how `re` hands a pattern to its engine; elsewhere than CPython 3.11+ patterns are compiled as usual
    import _sre  # type: ignore[import-not-found]
    from re import _compiler as _re_compiler  # type: ignore[attr-defined]
    from re import _parser as _re_parser  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - Python 3.10 names these modules sre_compile and sre_parse
    _re_compiler = None

PACKAGED = Path(__file__).with_name("compiled")


def copy_name(kind: str, *made_from: bytes) -> str:
    """The file name of the copy of `kind` made from these bytes (file contents, format and stemmer versions)."""
    digest = hashlib.sha256()
    for part in made_from:
        digest.update(part)
        digest.update(b"\0")
    return f"institute-assistant-{kind}-{digest.hexdigest()[:24]}.marshal"


def temporary_copy(name: str) -> Path:
    return Path(tempfile.gettempdir()) / name


def read_copy(name: str) -> Any | None:
    """The data of the copy called `name`, shipped or in the temporary folder; None where there is none to trust."""
    return _read(PACKAGED / name, own=False) or _read(temporary_copy(name), own=True)


def write_copy(name: str, data: Any) -> None:
    """Keep `data` as the copy called `name` in the temporary folder; a folder that cannot be written is left be."""
    target = temporary_copy(name)
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=target.name + ".")
        with os.fdopen(fd, "wb") as out:
            out.write(marshal.dumps(data))
        os.replace(tmp, target)
    except OSError:
        pass  # a read-only temporary folder: the next process parses the files again


def _read(path: Path, own: bool) -> Any | None:
    """In the temporary folder (``own``) only a copy this user wrote, that nobody else can change; beside the
    code, one nobody but its owner can change."""
    try:
        with path.open("rb") as f:
            st = os.fstat(f.fileno())
            if (own and st.st_uid != os.getuid()) or st.st_mode & 0o022:
                return None
            return marshal.loads(f.read())
    except (OSError, EOFError, ValueError, TypeError):
        return None


# Regular expressions. Python keeps no compiled pattern from one process to the next, and compiling
# the question stage's patterns was most of a fresh process's first answer (15-20 ms of a fresh
# `assistant ask`). What `re` hands its C engine for a pattern (the program, the group names) is
# plain data: a process keeps what it compiled as a copy named for the Python and the engine that
# made it, and the next process hands the kept program to the engine directly, which checks it.

PATTERNS_FORMAT = b"patterns/1"

Program = tuple[int, list[int], int, dict[str, int], tuple[str | None, ...]]

_kept: dict[tuple[str, int], Program] | None = None  # read from the copy on the first pattern compiled
_made: dict[tuple[str, int], Program] = {}  # compiled here and not in the copy: kept when the process ends
_known: set[tuple[str, int]] = set()  # the patterns this process's code declares


def patterns_copy_name() -> str:
    engine = f"{sys.implementation.cache_tag}/{getattr(_sre, 'MAGIC', '')}" if _re_compiler else ""
    return copy_name("patterns", PATTERNS_FORMAT, engine.encode())


def declare_pattern(pattern: str, flags: int) -> None:
    """Note a pattern the code will compile, so its kept program is not dropped as stale."""
    _known.add((pattern, int(flags)))


def compile_pattern(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """`re.compile(pattern, flags)`, from the program a process before kept where there is one."""
    global _kept
    if _re_compiler is None:
        return re.compile(pattern, flags)
    if _kept is None:
        data = read_copy(patterns_copy_name())
        _kept = data if isinstance(data, dict) else {}
    key = (pattern, int(flags))
    program = _kept.get(key)
    if program is not None:
        try:
            return _sre.compile(pattern, *program)
        except (TypeError, ValueError, RuntimeError, OverflowError):
            pass  # not a program this engine takes ("invalid SRE code"): made again below
    try:
        program = pattern_program(pattern, key[1])
        compiled = _sre.compile(pattern, *program)
    except (AttributeError, TypeError, RuntimeError):  # pragma: no cover - a `re` laid out otherwise
        return re.compile(pattern, flags)
    if not _made:
        atexit.register(keep_patterns)
    _made[key] = program
    return compiled


def patterns_compiled_here() -> int:
    """How many patterns this process compiled itself rather than took from a kept copy (not yet kept)."""
    return len(_made)


def pattern_program(pattern: str, flags: int) -> Program:
    """What `re.compile` hands the engine for this pattern, as `re._compiler.compile` makes it."""
    parsed = _re_parser.parse(pattern, flags)
    code = [int(op) for op in _re_compiler._code(parsed, flags)]
    groups = parsed.state.groupdict
    names: list[str | None] = [None] * parsed.state.groups
    for name, number in groups.items():
        names[number] = name
    return int(flags | parsed.state.flags), code, parsed.state.groups - 1, dict(groups), tuple(names)


def kept_patterns() -> dict[tuple[str, int], Program]:
    """The programs to keep: the copy's and this process's, for the patterns the code declares."""
    merged = dict(_kept or {})
    merged.update(_made)
    return {key: program for key, program in merged.items() if key in _known}


def keep_patterns() -> None:
    """Write the copy with what this process compiled (at exit: a fresh process pays nothing before it answers)."""
    if _made:
        write_copy(patterns_copy_name(), kept_patterns())
        _made.clear()


def compiled_patterns() -> tuple[str, bytes]:
    """The copy's name and contents with every declared pattern, for a package to ship beside the code."""
    for pattern, flags in sorted(_known):
        compile_pattern(pattern, flags)
    return patterns_copy_name(), marshal.dumps(kept_patterns())

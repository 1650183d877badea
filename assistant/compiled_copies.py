"""Compiled copies of the data files the first question needs (glossary, scope), read with marshal.

Parsing YAML (and stemming every glossary word) costs a fresh process, a CLI call or a Lambda cold
start, tens of milliseconds; a copy is read in one. A copy is named for a digest of what it was
made from, so an edited file makes a new one and an old copy is never read for it. It is looked
for first in the folder a package ships beside the code (PACKAGED, written by
deploy/zappa_hooks.py: a new Lambda sandbox starts with an empty temporary folder), then in the
temporary folder, where only a copy this user wrote and nobody else can change counts.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import tempfile
from pathlib import Path
from typing import Any

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

"""The WSGI app Zappa's handler serves on AWS Lambda (``app_function`` in zappa_settings.json).

The index is built before packaging and shipped in the zip beside this
package; it is opened once per cold start and never rebuilt here. Lambda's
code folder (/var/task) is read-only, while tantivy takes a lock file inside an
index folder even to read it, so the index is served from a copy in the
temporary folder, the only place the function writes to.

Zappa's access log line carries the visitor's IP address; it is switched off.
The app writes one JSON line per question to standard error instead, without
the address; CloudWatch keeps it (or to ASSISTANT_FEEDBACK_LOG, when set).
"""

from __future__ import annotations

import gc

# What this module imports and sets up lives as long as the function: a cold start spent some 40 ms
# letting the cyclic garbage collector walk it (and Zappa's and boto's modules) while it was built.
gc.disable()

import hashlib  # noqa: E402
import logging  # noqa: E402
import shutil  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

from assistant.http import create_app  # noqa: E402
from assistant.settings import Settings  # noqa: E402

INDEXES = Path(__file__).resolve().parent.parent / "index"


class NoIndexShipped(FileNotFoundError):
    """The package holds no index: it was zipped without the hooks that build one."""


def shipped_index(folder: Path = INDEXES) -> Path:
    """The index the package ships: index/site, else the bundled corpus's (packaging ships just one)."""
    for candidate in (folder / "site", folder / "corpus"):
        if (candidate / "manifest.json").is_file():
            return candidate
    raise NoIndexShipped(
        f"{folder}: this package holds no index. Build the package with `zappa package STAGE` from the "
        "project folder: its prebuild_script (deploy/zappa_hooks.py) builds the index and ships it."
    )


def scratch_copy(index_dir: Path, scratch: Path | None = None) -> Path:
    """Copy ``index_dir`` under the temporary folder once and return the copy.

    The copy is named after the index's files and metadata, so a warm
    container reuses it and a new deployment never reads a stale one.
    """
    if not index_dir.is_dir():
        raise FileNotFoundError(f"{index_dir}: no index here; build one with `assistant index` before packaging")
    digest = hashlib.sha256()
    for path in sorted(p for p in index_dir.rglob("*") if p.is_file() and not p.name.endswith(".lock")):
        digest.update(f"{path.relative_to(index_dir)}:{path.stat().st_size}\n".encode())
        if path.name.endswith(".json"):
            digest.update(path.read_bytes())
    root = Path(scratch or tempfile.gettempdir())
    target = root / f"assistant-index-{digest.hexdigest()[:16]}"
    if not target.is_dir():
        partial = Path(tempfile.mkdtemp(prefix="assistant-index-", dir=root))
        shutil.copytree(index_dir, partial, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.lock"))
        try:
            partial.rename(target)
        except OSError:  # another process finished first
            shutil.rmtree(partial, ignore_errors=True)
    return target


logging.getLogger("zappa.wsgi").setLevel(logging.WARNING)

try:
    SETTINGS = Settings.from_env()
    INDEX_DIR = scratch_copy(SETTINGS.index or shipped_index())
    app = create_app(index_dir=INDEX_DIR, settings=SETTINGS)
finally:
    # Everything made so far stays: the collector leaves it out of its walks from now on.
    gc.freeze()
    gc.enable()

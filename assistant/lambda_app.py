"""The WSGI app Zappa's handler serves on AWS Lambda (``app_function`` in zappa_settings.json).

The index is built before packaging and shipped in the zip beside this
package; it is opened once per cold start and never rebuilt here. Lambda's
code folder (/var/task) is read-only, while tantivy takes a lock file inside an
index folder even to read it, so the index is opened through a folder of links
to its files in the temporary folder, the only place the function writes to
(`SearchIndex.open` does this for any index it may not write beside).

Zappa's access log line carries the visitor's IP address; it is switched off.
The app writes one JSON line per question to standard error instead, without
the address; CloudWatch keeps it (or to ASSISTANT_FEEDBACK_LOG, when set).
"""

from __future__ import annotations

import gc

# What this module imports and sets up lives as long as the function: a cold start spent some 40 ms
# letting the cyclic garbage collector walk it (and Zappa's and boto's modules) while it was built.
gc.disable()

import logging  # noqa: E402
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


logging.getLogger("zappa.wsgi").setLevel(logging.WARNING)

try:
    SETTINGS = Settings.from_env()
    app = create_app(index_dir=SETTINGS.index or shipped_index(), settings=SETTINGS)
finally:
    # Everything made so far stays: the collector leaves it out of its walks from now on.
    gc.freeze()
    gc.enable()

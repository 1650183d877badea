"""Put bytecode that stays valid on Lambda into a zappa package.

Zappa dates every file in the zip 1980-01-01. Ordinary (timestamp) .pyc files
then never match their sources once unpacked, and Lambda's read-only
/var/task keeps Python from caching fresh ones, so every cold start would
compile every module again. Unchecked-hash .pyc files (PEP 552) are used
without looking at the source, which is safe here because the package never
changes after it is built.

Run it with the runtime's Python version: the bytecode is version specific.
"""

from __future__ import annotations

import argparse
import compileall
import py_compile
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path


def precompile(zip_path: Path) -> tuple[int, int]:
    """Rewrite ``zip_path`` with an unchecked-hash .pyc beside every .py; return (compiled, failed)."""
    with tempfile.TemporaryDirectory(prefix="precompile-") as tmp:
        root = Path(tmp) / "pkg"
        with zipfile.ZipFile(zip_path) as zf:
            entries = [i for i in zf.infolist() if not i.filename.endswith(".pyc")]
            zf.extractall(root, members=entries)
        ok = compileall.compile_dir(
            root, quiet=2, workers=0, invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH
        )
        pycs = sorted(root.rglob("__pycache__/*.pyc"))
        failed = 0 if ok else sum(1 for i in entries if i.filename.endswith(".py")) - len(pycs)
        out = zip_path.with_suffix(".tmp")
        with zipfile.ZipFile(zip_path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in entries:
                dst.writestr(info, src.read(info))
            for pyc in pycs:
                info = zipfile.ZipInfo(pyc.relative_to(root).as_posix())  # dated 1980 like zappa's
                info.create_system = 3
                info.external_attr = 0o755 << 16
                dst.writestr(info, pyc.read_bytes(), zipfile.ZIP_DEFLATED)
        shutil.move(out, zip_path)
    return len(pycs), failed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("zip", type=Path)
    args = parser.parse_args(argv)
    done, failed = precompile(args.zip)
    tag = sys.implementation.cache_tag
    print(f"precompile_zip: {done} modules compiled for {tag}" + (f", {failed} could not be" if failed else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Fill zappa's wheel cache so compiled packages are swapped for Lambda-ready wheels offline.

Zappa replaces every installed distribution that has a manylinux wheel on PyPI
with that wheel, looking first in ``$TMPDIR/cached_wheels`` for
``<name>-<version>-*_<arch>.whl`` and then asking PyPI for the release list
(cached in ``$TMPDIR/cached_pypi_info``). We download the wheels of compiled
distributions ourselves with pip, for the runtime's interpreter and a glibc old
enough for the runtime's Amazon Linux, and record pure-Python distributions as
having nothing to swap, so packaging asks no other host and cannot silently ship
this machine's binaries.

Run it with the packaging virtualenv's interpreter: it inspects that environment.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

# Lambda's Python runtimes and the Amazon Linux glibc each runs on.
RUNTIME_PLATFORMS = {
    "python3.9": "manylinux2014",
    "python3.10": "manylinux2014",
    "python3.11": "manylinux2014",  # Amazon Linux 2, glibc 2.26
    "python3.12": "manylinux_2_34",  # Amazon Linux 2023
    "python3.13": "manylinux_2_34",
}


def compiled(dist: metadata.Distribution) -> bool:
    return any(str(f).endswith((".so", ".pyd")) for f in dist.files or ())


def cache_name(name: str) -> str:
    """The name zappa globs for: lowercased, runs of other characters as '_'."""
    return re.sub(r"[^\w\d.]+", "_", name.lower(), flags=re.UNICODE)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tmpdir", type=Path, help="the TMPDIR zappa will run with")
    parser.add_argument("--runtime", default="python3.11")
    parser.add_argument("--arch", default="x86_64", choices=["x86_64", "aarch64"])
    args = parser.parse_args(argv)

    version = args.runtime.removeprefix("python")
    if f"{sys.version_info.major}.{sys.version_info.minor}" != version:
        print(
            f"prepare_wheels: runtime {args.runtime} needs a Python {version} virtualenv, "
            f"this is {sys.version.split()[0]}",
            file=sys.stderr,
        )
        return 2
    platform = f"{RUNTIME_PLATFORMS[args.runtime]}_{args.arch}"
    wheels = args.tmpdir / "cached_wheels"
    infos = args.tmpdir / "cached_pypi_info"
    wheels.mkdir(parents=True, exist_ok=True)
    infos.mkdir(parents=True, exist_ok=True)

    for dist in sorted(metadata.distributions(), key=lambda d: d.metadata["Name"].lower()):
        name, ver = dist.metadata["Name"], dist.version
        if not compiled(dist):
            # Tells zappa this release has no wheel to swap in; it keeps the venv's copy.
            info = infos / f"{name.lower()}-{ver}.json"
            info.write_text(json.dumps({"releases": {ver: []}}))
            continue
        if any(wheels.glob(f"{cache_name(name)}-{ver}-*_{args.arch}.whl")):
            continue
        cmd = [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--only-binary=:all:",
            "--platform",
            platform,
            "--python-version",
            version,
            "--implementation",
            "cp",
            "--dest",
            str(wheels),
            f"{name}=={ver}",
        ]
        if subprocess.run(cmd).returncode != 0:
            print(
                f"prepare_wheels: no {platform} wheel of {name}=={ver}; "
                f"Lambda's {args.runtime} could not load this machine's build",
                file=sys.stderr,
            )
            return 1
        for wheel in wheels.glob("*.whl"):
            normal = cache_name(wheel.name.split("-", 1)[0]) + "-" + wheel.name.split("-", 1)[1]
            if normal != wheel.name:
                wheel.rename(wheels / normal)
        print(f"prepare_wheels: {name}=={ver} -> {platform}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

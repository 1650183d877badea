"""Zappa's hooks for this project, so that `zappa package STAGE`, `zappa deploy STAGE` and
`zappa update STAGE` build the package they ship with nothing done by hand first.

zappa_settings.json names them, and Zappa calls them in this order:

- ``callbacks.settings`` → :func:`plan`, once Zappa has read the stage's settings: which
  distributions of the virtualenv the function needs (the dependencies in pyproject.toml and
  the part of Zappa its handler imports; everything else is left out, whatever else the
  virtualenv holds) and which index is shipped (the others under ``index/`` are left out).
  When a package is being built, it also checks that the virtualenv runs the stage's Python
  and puts Lambda-ready wheels of the compiled dependencies in Zappa's wheel cache.
- ``prebuild_script`` → :func:`build_index`, before Zappa copies the project: builds the index
  that is shipped, or stops with a message naming the command that builds it.
- ``callbacks.zip`` → :func:`finish`, once the zip is written: checks that it holds the index
  and adds bytecode that stays valid on Lambda.

The index shipped is the one of the site named by ``ASSISTANT_SITE`` (its source folder),
built into ``index/site``; without it, an ``index/site`` built beforehand with
`assistant index`; without that, the bundled demo ``corpus/``, built into ``index/corpus``.
"""

from __future__ import annotations

import glob
import json
import logging
import os
import py_compile
import re
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

SITE_VARIABLE = "ASSISTANT_SITE"
PACKAGING_COMMANDS = ("package", "deploy", "update")
# Zappa needs these to build and deploy a package; its handler on Lambda imports none of them.
ZAPPA_BUILD_ONLY = frozenset(
    {
        "argcomplete",
        "hjson",
        "pip",
        "placebo",
        "python-slugify",
        "requests",
        "setuptools",
        "toml",
        "tqdm",
        "troposphere",
        "wheel",
    }
)
# Lambda's Python runtimes and the oldest glibc of the Amazon Linux each runs on.
RUNTIME_PLATFORMS = {
    "python3.9": "manylinux2014",
    "python3.10": "manylinux2014",
    "python3.11": "manylinux2014",  # Amazon Linux 2, glibc 2.26
    "python3.12": "manylinux_2_34",  # Amazon Linux 2023
    "python3.13": "manylinux_2_34",
}
NO_WHEEL_WARNING = re.compile(r" - (?P<name>.+)==(?P<version>\S+): No manylinux wheel found")


class PackagingError(Exception):
    """Why the package cannot be built; Zappa prints it as its own error and exits 1."""


def _fail(message: str) -> Exception:
    try:
        from click import ClickException
    except ImportError:  # pragma: no cover - Zappa's command line is built on click
        return PackagingError(message)
    return ClickException(message)


# -- which index is shipped -------------------------------------------------------------------


@dataclass(frozen=True)
class ShippedIndex:
    """The index folder the package holds, and the site it is built from (None: ship it as it is)."""

    folder: Path
    site: Path | None


def index_to_ship(project: Path, environ: Any = os.environ) -> ShippedIndex:
    site = environ.get(SITE_VARIABLE)
    if site:
        return ShippedIndex(project / "index" / "site", Path(site).expanduser())
    if (project / "index" / "site" / "manifest.json").is_file():
        return ShippedIndex(project / "index" / "site", None)
    return ShippedIndex(project / "index" / "corpus", project / "corpus")


def build_index() -> None:
    """``prebuild_script``: build the index the package ships, or refuse, naming the command that builds it."""
    project = Path.cwd()
    shipped = index_to_ship(project)
    sys.path.insert(0, str(project))  # the checkout being packaged, not an installed copy
    if shipped.site is None:
        print(f"Shipping {shipped.folder.relative_to(project)}/ as it was built ({SITE_VARIABLE} is not set)")
    else:
        _build(shipped, project)
    try:
        from assistant.search_index import IndexLoadError, SearchIndex

        stats = SearchIndex.open(shipped.folder).stats()
    except IndexLoadError as err:
        raise _fail(f"the index to ship does not open: {err}") from None
    print(
        f"Index to ship: {shipped.folder.relative_to(project)}/, {stats['pages']} pages, "
        f"{stats['passages']} passages, built {stats['built_at']}"
    )


def _build(shipped: ShippedIndex, project: Path) -> None:
    site = shipped.site
    assert site is not None
    out = shipped.folder.relative_to(project)
    shown = site.relative_to(project) if site.is_relative_to(project) else site
    by_hand = f"assistant index {shown} --out index/site"  # then packaging ships index/site as it is
    if not site.is_dir():
        raise _fail(f"{SITE_VARIABLE}={site}: no such folder; set it to the site's source folder")
    if site.resolve() == (project / "corpus").resolve():
        print(f"{SITE_VARIABLE} is not set: packaging the bundled demo corpus/ (set it to your site's folder)")
    print(f"Building the index of {site} into {out}/ ...")
    try:
        from assistant.build import index_site

        report = index_site(site, shipped.folder)
    except ModuleNotFoundError as err:  # the indexing side imports its libraries as it needs them
        raise _fail(
            f"cannot build the index of {site}: this virtualenv lacks the indexing libraries ({err.name}). "
            f"Install them (pip install -e '.[index]'), or build the index first with `{by_hand}`."
        ) from None
    if report.problems:
        lines = "\n".join(f"  problem: {p}" for p in report.problems)
        raise _fail(
            f"{len(report.problems)} page(s) of {site} could not be indexed, so nothing is packaged:\n{lines}\n"
            f"Fix them, or ship the index with these pages left out: `{by_hand}`, then package "
            f"without {SITE_VARIABLE}."
        )
    if not report.passages:
        raise _fail(f"{site} gave no passages to index; is it a Jekyll site's source folder?")


# -- which distributions are shipped ------------------------------------------------------------


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement(text: str) -> Any:
    try:
        from packaging.requirements import Requirement
    except ImportError:  # pip vendors it, and Zappa needs pip
        from pip._vendor.packaging.requirements import Requirement  # type: ignore[assignment]
    return Requirement(text)


def serving_requirements(pyproject: Path) -> list[str]:
    """What the function needs at run time: the project's own dependencies (its extras are for building)."""
    try:
        import tomllib
    except ImportError:  # pragma: no cover - Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    try:
        return list(tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["dependencies"])
    except (OSError, KeyError, ValueError) as err:
        raise _fail(f"{pyproject}: cannot read [project] dependencies ({err})") from None


def closure(
    requirements: list[str], installed: dict[str, metadata.Distribution], skip: frozenset[str] = frozenset()
) -> tuple[set[str], set[str]]:
    """The installed distributions ``requirements`` need, transitively; and the ones missing."""
    found: set[str] = set()
    missing: set[str] = set()
    walked: set[tuple[str, frozenset[str]]] = set()
    todo = [_requirement(r) for r in requirements]
    while todo:
        requirement = todo.pop()
        name, extras = canonical(requirement.name), frozenset(requirement.extras)
        if name in skip or (name, extras) in walked:
            continue
        if requirement.marker and not requirement.marker.evaluate({"extra": ""}):
            continue
        walked.add((name, extras))
        dist = installed.get(name)
        if dist is None:
            missing.add(requirement.name)
            continue
        found.add(name)
        for line in dist.requires or ():
            needed = _requirement(line)
            if needed.marker is None or any(needed.marker.evaluate({"extra": e}) for e in extras | {""}):
                todo.append(needed)
    return found, missing


@dataclass(frozen=True)
class DependencyPlan:
    keep: dict[str, metadata.Distribution]
    leave_out: dict[str, metadata.Distribution]


def plan_dependencies(pyproject: Path, site_packages: Path) -> DependencyPlan:
    installed = {canonical(d.metadata["Name"]): d for d in metadata.distributions(path=[str(site_packages)])}
    serving, missing = closure(serving_requirements(pyproject), installed)
    if missing:
        raise _fail(
            f"the virtualenv Zappa packages ({site_packages}) lacks {', '.join(sorted(missing))}, "
            "which the function needs (pyproject.toml's dependencies): pip install -e ."
        )
    handler, missing = closure(["zappa"], installed, skip=ZAPPA_BUILD_ONLY)
    if missing:
        raise _fail(f"the virtualenv Zappa packages ({site_packages}) lacks {', '.join(sorted(missing))}")
    keep = serving | handler
    return DependencyPlan(
        {n: d for n, d in installed.items() if n in keep}, {n: d for n, d in installed.items() if n not in keep}
    )


def _files(dist: metadata.Distribution) -> list[str]:
    """A distribution's files inside site-packages (not its scripts, not bytecode)."""
    paths = [p.as_posix() for p in dist.files or ()]
    return [p for p in paths if not p.startswith("../") and "__pycache__/" not in p and not p.endswith(".pyc")]


def shipped_names(app_function: str) -> set[str]:
    """What of the project's own folder the package holds: the app's package (or module) and index/."""
    top = app_function.split(".")[0]
    return {top, f"{top}.py", "index"}


def project_patterns(project: Path, app_function: str, shipped: ShippedIndex) -> list[str]:
    """exclude_glob patterns for the project's files the function does not run: sources, docs, tests,
    benchmarks, the site's corpus, and every index but the one shipped."""
    ours = shipped_names(app_function)
    patterns = [glob.escape(p.name) for p in sorted(project.iterdir()) if p.name not in ours]
    index = project / "index"
    if index.is_dir():
        patterns += [f"index/{glob.escape(p.name)}" for p in sorted(index.iterdir()) if p != shipped.folder]
    return patterns


@dataclass(frozen=True)
class LeftOut:
    """How Zappa is told to leave distributions out.

    ``names`` go to ``exclude``: Zappa then never copies them (the virtualenv may hold hundreds
    of megabytes of test tools), but it matches them as names at any depth, so only names that
    nothing shipped uses anywhere go there. ``paths`` go to ``exclude_glob``, matched from the
    package root once everything is copied.
    """

    names: list[str]
    paths: list[str]


def left_out(plan: DependencyPlan, project: Path, app_function: str) -> LeftOut:
    """The distributions left out, as exclude names and exclude_glob paths.

    A top-level folder that a kept distribution shares (a namespace package) is thinned file
    by file; the project's own shipped names are never touched (an installed copy of the
    project itself is a distribution like any other).
    """
    ours = shipped_names(app_function)
    kept_files = [path for dist in plan.keep.values() for path in _files(dist)]
    kept_tops = {path.split("/")[0] for path in kept_files}
    shipped_parts = {part for path in kept_files for part in path.split("/")}
    for name in ours:
        if (project / name).is_dir():
            shipped_parts |= {part for p in (project / name).rglob("*") for part in p.relative_to(project).parts}
    names: dict[str, None] = {}
    paths: dict[str, None] = {}
    for dist in plan.leave_out.values():
        for path in _files(dist):
            top = path.split("/")[0]
            if top in ours:
                continue
            if top in kept_tops:
                paths[glob.escape(path)] = None
            elif top in shipped_parts:
                paths[glob.escape(top)] = None
            else:
                names[glob.escape(top)] = None
    return LeftOut(list(names), list(paths))


# -- Lambda-ready wheels ------------------------------------------------------------------------


def _compiled(dist: metadata.Distribution) -> bool:
    return any(p.endswith((".so", ".pyd")) for p in _files(dist))


def _cache_name(name: str) -> str:
    """The file name Zappa globs its wheel cache for: lowercased, other runs of characters as '_'."""
    return re.sub(r"[^\w\d.]+", "_", name.lower(), flags=re.UNICODE)


def use_private_cache() -> Path:
    """Point Zappa's temporary folder (and so its wheel and PyPI caches) at one of this project's own.

    What is recorded there (that a release has no wheel to swap in) is true for this package and
    must not change what other projects on this machine get from Zappa's shared cache.
    """
    base = Path(tempfile.gettempdir())
    name = f"institute-assistant-zappa-{os.getuid() if hasattr(os, 'getuid') else 'user'}"
    private = base if base.name == name else base / name
    private.mkdir(mode=0o700, exist_ok=True)
    tempfile.tempdir = str(private)
    return private


def fill_wheel_cache(plan: DependencyPlan, cache: Path, runtime: str, arch: str) -> set[str]:
    """Lambda-ready wheels for the compiled distributions kept; "nothing to swap" for every other one.

    Zappa swaps each installed distribution for a manylinux wheel when it finds one, first in
    ``cached_wheels``, then by asking PyPI (remembered in ``cached_pypi_info``). The wheels are
    fetched with pip, for the runtime's interpreter and a glibc as old as its Amazon Linux, so
    the zip never holds this machine's binaries. Returns the names (as Zappa writes them in its
    messages) for which no wheel is wanted.
    """
    if runtime not in RUNTIME_PLATFORMS:
        raise _fail(f"runtime {runtime}: this project knows the manylinux platforms of {', '.join(RUNTIME_PLATFORMS)}")
    machine = "aarch64" if arch == "arm64" else arch
    platform = f"{RUNTIME_PLATFORMS[runtime]}_{machine}"
    wheels, infos = cache / "cached_wheels", cache / "cached_pypi_info"
    wheels.mkdir(parents=True, exist_ok=True)
    infos.mkdir(parents=True, exist_ok=True)
    no_wheel = set()
    for dist in [*plan.keep.values(), *plan.leave_out.values()]:
        name, version = dist.metadata["Name"], dist.version
        if canonical(name) in plan.leave_out or not _compiled(dist):
            (infos / f"{name.lower()}-{version}.json").write_text(json.dumps({"releases": {version: []}}))
            no_wheel.add(name.lower())
            continue
        if any(wheels.glob(f"{_cache_name(name)}-{version}-*_{machine}.whl")):
            continue
        _download_wheel(name, version, platform, runtime, wheels)
    return no_wheel


def _download_wheel(name: str, version: str, platform: str, runtime: str, wheels: Path) -> None:
    python = runtime.removeprefix("python")
    command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:"]
    command += ["--platform", platform, "--python-version", python, "--implementation", "cp"]
    command += ["--dest", str(wheels), f"{name}=={version}"]
    if subprocess.run(command).returncode != 0:
        raise _fail(f"no {platform} wheel of {name}=={version}: Lambda's {runtime} could not load this machine's build")
    for wheel in wheels.glob("*.whl"):
        head, rest = wheel.name.split("-", 1)
        if _cache_name(head) != head:
            wheel.rename(wheels / f"{_cache_name(head)}-{rest}")
    print(f"Lambda-ready wheel: {name}=={version} ({platform})")


class QuietNoWheelNeeded(logging.Filter):
    """Drops Zappa's "No manylinux wheel found" for distributions that need none.

    Zappa looks for a manylinux wheel of every installed distribution; a pure-Python one has
    none and needs none, and one that is left out of the package does not matter. For a compiled
    distribution the function needs, the warning would matter, so it is kept.
    """

    def __init__(self, names: set[str]) -> None:
        super().__init__()
        self.names = names

    def filter(self, record: logging.LogRecord) -> bool:
        found = NO_WHEEL_WARNING.match(record.getMessage())
        return not (found and found["name"] in self.names)


# -- the hooks ---------------------------------------------------------------------------------


def _site_packages(venv: Path) -> Path:
    return venv / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"


def _packaging(cli: Any) -> bool:
    vargs = getattr(cli, "vargs", None) or {}
    return cli.command in PACKAGING_COMMANDS and not vargs.get("zip") and not vargs.get("docker_image_uri")


def plan(cli: Any) -> None:
    """``callbacks.settings``: decide what the package holds and where its compiled wheels come from."""
    if not _packaging(cli):
        return
    if getattr(cli, "binary_support", True) is False:
        raise _fail(
            f"stage {getattr(cli, 'api_stage', '')}: binary_support is false in zappa_settings.json. API Gateway "
            "hands the function some bodies base64-encoded (isBase64Encoded), and Zappa decodes them only with "
            'binary_support, so questions would be answered 400 invalid_json: set "binary_support": true'
        )
    project = Path.cwd()
    output = (getattr(cli, "vargs", None) or {}).get("output")
    if output:  # Zappa writes `-o build/x.zip` only into a folder that exists
        (project / output).parent.mkdir(parents=True, exist_ok=True)
    venv = cli.zappa.get_current_venv()
    if venv is None or not _site_packages(venv).is_dir():
        return  # Zappa refuses to package without a virtualenv, and says so
    runtime = f"python{sys.version_info.major}.{sys.version_info.minor}"
    if cli.runtime != runtime:
        raise _fail(
            f"Zappa packages the virtualenv it runs in ({venv}, {runtime}), and stage {cli.api_stage} runs "
            f"{cli.runtime}: make a virtualenv with that Python ({cli.runtime} -m venv .venv-lambda), "
            "install the project there and run zappa from it"
        )
    dependencies = plan_dependencies(project / "pyproject.toml", _site_packages(venv))
    dropped = left_out(dependencies, project, cli.app_function)
    ours = project_patterns(project, cli.app_function, index_to_ship(project))
    settings = cli.stage_config
    cli.override_stage_config_setting("exclude", [*settings.get("exclude", []), *dropped.names])
    cli.override_stage_config_setting("exclude_glob", [*settings.get("exclude_glob", []), *ours, *dropped.paths])
    no_wheel = fill_wheel_cache(dependencies, use_private_cache(), cli.runtime, cli.architecture)
    logging.getLogger("zappa.core").addFilter(QuietNoWheelNeeded(no_wheel))


def finish(cli: Any) -> None:
    """``callbacks.zip``: check that the zip holds one index, and add the modules' bytecode."""
    zip_path = Path(cli.zip_path)
    with zipfile.ZipFile(zip_path) as zf:
        names = zf.namelist()
    indexes = sorted({n.split("/")[1] for n in names if re.fullmatch(r"index/[^/]+/manifest\.json", n)})
    wanted = 1 if cli.prebuild_script else 0  # an app without the index hook (a bare benchmark app) ships none
    if len(indexes) != wanted:
        raise _fail(f"{zip_path}: holds {len(indexes)} indexes ({', '.join(indexes) or 'none'}), not the one served")
    compiled, failed = precompile(zip_path)
    note = f" ({len(failed)} do not compile: {', '.join(failed[:5])})" if failed else ""
    shipped = f"; index: index/{indexes[0]}/" if indexes else ""
    if "assistant/glossary.py" in names:
        shipped += f"; compiled copies: {', '.join(add_compiled_copies(zip_path))}"
    print(f"Bytecode: {compiled} modules compiled for {sys.implementation.cache_tag}{note}{shipped}")


def add_compiled_copies(zip_path: Path) -> list[str]:
    """Add the compiled copies of the bundled glossary and scope beside the code, so a cold start reads them
    with marshal instead of importing a YAML parser, parsing and stemming every word (a new sandbox's
    temporary folder is empty), and the programs of the serving code's regular expressions."""
    import assistant.http  # noqa: F401  (declares every pattern serving compiles)
    from assistant.analysis import Analyzer
    from assistant.answer import scope_compiled, scope_patterns
    from assistant.compiled_copies import PACKAGED, compiled_patterns

    scope_patterns()  # the scope file's advice patterns are compiled as the others are
    copies = [Analyzer().glossary.compiled(), scope_compiled(), compiled_patterns()]
    targets = []
    with zipfile.ZipFile(zip_path, "a") as zf:
        for name, data in copies:
            target = f"assistant/{PACKAGED.name}/{name}"
            entry = zipfile.ZipInfo(target)  # dated 1980 like Zappa's entries
            entry.create_system = 3
            entry.external_attr = 0o644 << 16
            zf.writestr(entry, data, zipfile.ZIP_DEFLATED)
            targets.append(target)
    return targets


TASK_ROOT = "/var/task"  # where Lambda unpacks the code: the file names tracebacks show


def precompile(zip_path: Path) -> tuple[int, list[str]]:
    """Add an unchecked-hash .pyc beside every .py of the zip; return how many, and the modules that failed.

    Zappa dates every file in the zip 1980-01-01, so ordinary (timestamp) .pyc files never match
    their sources once unpacked, and Lambda's read-only code folder keeps Python from caching
    fresh ones: every cold start would compile every module again. Unchecked-hash .pyc files
    (PEP 552) are used without looking at the source, which is safe because the package never
    changes once built. The interpreter compiling is the runtime's (checked by :func:`plan`).
    """
    failed: list[str] = []
    compiled = 0
    with tempfile.TemporaryDirectory(prefix="precompile-") as tmp, zipfile.ZipFile(zip_path, "a") as zf:
        root = Path(tmp)
        sources = [i for i in zf.infolist() if i.filename.endswith(".py")]
        present = set(zf.namelist())
        for info in sources:
            source = Path(zf.extract(info, root))
            rel = Path(info.filename)
            target = (rel.parent / "__pycache__" / f"{rel.stem}.{sys.implementation.cache_tag}.pyc").as_posix()
            if target in present:
                continue
            try:
                py_compile.compile(
                    str(source),
                    cfile=str(source) + "c",
                    dfile=f"{TASK_ROOT}/{info.filename}",
                    doraise=True,
                    invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
                )
            except py_compile.PyCompileError:
                failed.append(info.filename)
                continue
            entry = zipfile.ZipInfo(target)  # dated 1980 like Zappa's entries
            entry.create_system = 3
            entry.external_attr = 0o755 << 16
            zf.writestr(entry, Path(str(source) + "c").read_bytes(), zipfile.ZIP_DEFLATED)
            compiled += 1
    return compiled, failed

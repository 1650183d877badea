"""The one way the indexer reaches a site's files: every path is resolved, and one outside the site is refused.

The indexer publishes what it reads, so a file outside the site's folder, reached through a
symbolic link or a folder setting in ``_config.yml`` that climbs out with ``..``, would end
up in the index and in answers. Jekyll reads none of these; neither does the indexer. Links
that stay inside the site are followed as before.

YAML is read here too, with a bound on what aliases may expand to: a few lines of anchors
and aliases ("billion laughs") otherwise become a structure whose every walk (``jsonify``,
a loop over it) never ends.
"""

from __future__ import annotations

import errno
import os
import re
from pathlib import Path
from typing import Any

import yaml

# What aliases may add to a YAML file beyond the values written in it.
ALIAS_EXPANSION_LIMIT = 1_000_000


class OutsideSite(OSError):
    """A path that resolves outside the site's folder (through a link or ``..``)."""

    def __init__(self, shown: str):
        super().__init__(errno.EACCES, "leads outside the site (a symbolic link or '..'); not read, as Jekyll does not")
        self.filename = shown


class SiteFolder:
    """A site's folder; the files it holds are the only ones the indexer opens."""

    def __init__(self, root: Path | str):
        self.root = Path(root)
        self._root = os.fspath(self.root)
        self.real = Path(os.path.realpath(self._root))
        self._prefix = os.path.join(os.fspath(self.real), "")  # "/the/site/": what every real path inside starts with
        self._folders: dict[str, str] = {}  # folder -> its real path, resolved once

    def real_path(self, path: Path | str) -> Path | None:
        """Where ``path`` really is, or None when that is outside the site.

        A string is a name in the site ("_data/people.yml"); a ``Path`` is taken as it is
        (made from the site's folder, as ``root / "_layouts" / name``).
        """
        real = self._real(path)
        return Path(real) if self._holds(real) else None

    def _real(self, path: Path | str) -> str:
        """The real path, as a string; a folder once resolved is remembered, so a file costs one ``lstat``."""
        whole = os.path.join(self._root, path) if isinstance(path, str) else os.fspath(path)
        head, name = os.path.split(whole)
        if not head or name in ("", ".", ".."):
            return os.path.realpath(whole)
        parent = self._folders.get(head)
        if parent is None:
            parent = self._folders[head] = os.path.realpath(head)
        candidate = os.path.join(parent, name)
        return os.path.realpath(candidate) if os.path.islink(candidate) else candidate

    def _holds(self, real: str) -> bool:
        return real.startswith(self._prefix) or real == self._prefix[:-1]

    def inside(self, path: Path | str) -> bool:
        return self.real_path(path) is not None

    def checked(self, path: Path | str) -> str:
        """The real path of a file to open; :class:`OutsideSite` (an ``OSError``) when it is outside.

        A string, not a ``Path``: making one for each of a large site's files costs more than reading it.
        """
        real = self._real(path)
        if not self._holds(real):
            raise OutsideSite(str(path))
        return real

    def read_bytes(self, path: Path | str) -> bytes:
        with open(self.checked(path), "rb") as f:
            return f.read()

    def read_text(self, path: Path | str, errors: str = "strict", encoding: str = "utf-8") -> str:
        with open(self.checked(path), encoding=encoding, errors=errors) as f:
            return f.read()

    def is_file(self, path: Path | str) -> bool:
        real = self.real_path(path)
        return real is not None and real.is_file()

    def is_dir(self, path: Path | str) -> bool:
        real = self.real_path(path)
        return real is not None and real.is_dir()

    def folder(self, setting: object, default: str) -> tuple[str, str | None]:
        """A folder named in ``_config.yml`` (``layouts_dir``, ``data_dir``, ...), relative to the site.

        Returns the folder to read and, when the setting leaves the site, why it was not used
        (the default folder is read instead).
        """
        if setting is None or (isinstance(setting, str) and not setting.strip()):
            return default, None
        name = str(setting).strip().strip("/")
        if self.real_path(name) is None:
            return (
                default,
                f"{setting!r} is outside the site; {default or 'the site itself'} is read instead, as Jekyll reads"
                " no folder outside",
            )
        return name, None

    def entry_inside(self, entry: os.DirEntry) -> bool:
        """A directory entry that is a symbolic link leading outside the site is refused (others cost nothing)."""
        try:
            if not entry.is_symlink():
                return True
        except OSError:
            return True  # reading it says what is wrong
        return self._holds(os.path.realpath(entry.path))


def config_line(root: Path | str, *keys: str) -> int | None:
    """The line of ``keys`` (``"scholar", "source"``) in the site's _config.yml, for a problem to point at."""
    folder = SiteFolder(root)
    for name in ("_config.yml", "_config.yaml"):
        try:
            lines = folder.read_text(name).splitlines()
        except (OSError, UnicodeDecodeError):
            continue
        at, indent = -1, -1
        for key in keys:
            pattern = re.compile(rf"([ \t]*){re.escape(key)}[ \t]*:")
            for n in range(at + 1, len(lines)):
                line = lines[n]
                if not line.strip() or line.lstrip().startswith("#"):
                    continue
                depth = len(line) - len(line.lstrip())
                if depth <= indent:
                    return None  # the block of the key before ended without this one
                match = pattern.match(line)
                if match and (indent < 0 and depth == 0 or indent >= 0):
                    at, indent = n, depth
                    break
            else:
                return None
        return at + 1
    return None


# -- YAML with bounded aliases ------------------------------------------------------------------------


class AliasBomb(yaml.YAMLError):
    """YAML whose aliases expand past :data:`ALIAS_EXPANSION_LIMIT` values, or refer to themselves."""

    def __init__(self, problem: str, mark: Any):
        super().__init__(problem)
        self.problem = problem
        self.problem_mark = mark

    def __str__(self) -> str:
        return self.problem


# libyaml's parser when PyYAML was built with it: ten times the pure-Python one on a site's _data
YAML_LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str, loader: type = YAML_LOADER, limit: int = ALIAS_EXPANSION_LIMIT) -> Any:
    """``yaml.safe_load`` that refuses aliases expanding past ``limit`` values beyond the file's own."""
    if "&" not in text:  # no anchor, so no alias: nothing to count
        return yaml.load(text, Loader=loader)
    reader = loader(text)
    try:
        node = reader.get_single_node()
        if node is None:
            return None
        _check_aliases(node, limit)
        return reader.construct_document(node)
    finally:
        reader.dispose()


def _check_aliases(root: yaml.Node, limit: int) -> None:
    """Count the values the document stands for, each alias counted as a copy of what it names."""
    sizes: dict[int, int] = {}
    distinct = 0
    open_: set[int] = set()
    # iterative post-order walk: deep YAML must not exhaust Python's stack
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            children = _children(node)
            size = 1 + sum(sizes[id(c)] for c in children)
            open_.discard(key)
            sizes[key] = size
            if size > distinct + limit:
                raise AliasBomb(
                    f"aliases expand to more than {limit:,} values (an alias bomb)",
                    _culprit(node, sizes, distinct + limit),
                )
            continue
        if key in sizes:
            continue
        if key in open_:
            raise AliasBomb("an alias refers to the value that holds it", node.start_mark)
        distinct += 1
        children = _children(node)
        if not children:
            sizes[key] = 1
            continue
        open_.add(key)
        stack.append((node, True))
        for child in children:
            if id(child) in open_:
                raise AliasBomb("an alias refers to the value that holds it", child.start_mark)
            if id(child) not in sizes:
                stack.append((child, False))


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def _culprit(node: yaml.Node, sizes: dict[int, int], limit: int) -> Any:
    """The innermost value past the limit: where the line of aliases that blows up stands."""
    while True:
        big = next((c for c in _children(node) if sizes.get(id(c), 0) > limit), None)
        if big is None:
            return node.start_mark
        node = big

"""The layouts and includes a site's theme supplies.

A site that names a theme in ``_config.yml`` (``theme: minimal-mistakes-jekyll``
or ``remote_theme: owner/name``) keeps only what it changed of the theme: its
pages ask for layouts such as ``single`` that are not in the site. Jekyll reads
them from the theme's gem. So does this program when the gem is installed on
this machine (bundler's ``vendor/bundle``, ``GEM_HOME``/``GEM_PATH``, the user's
and the system's gem folders). When it is not, a theme that research sites use
often has a stand-in shipped with this package: an outline, written here, of
where the theme's layouts put the page's title, its sidebar (office hours,
rooms and addresses of a team page stand there) and its content. Any other
theme's missing layouts let the content pass through, and the indexer says so.

The site's own files always come first, as in Jekyll.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .settings import gem_paths

__all__ = ["Theme", "site_theme", "STAND_INS"]

STAND_INS_DIR = Path(__file__).resolve().parent / "themes"
# theme names as sites write them (gem or repository name), and the stand-in outlining each
STAND_INS = {
    "minimal-mistakes-jekyll": "minimal-mistakes",
    "minimal-mistakes": "minimal-mistakes",
}


@dataclass(frozen=True)
class Theme:
    """Where a site's theme files are read from."""

    name: str  # as _config.yml names it
    root: Path | None  # the folder with _layouts and _includes; None: not installed and no stand-in
    stand_in: bool = False

    @property
    def layouts(self) -> Path | None:
        return self.root / "_layouts" if self.root is not None else None

    @property
    def includes(self) -> Path | None:
        return self.root / "_includes" if self.root is not None else None

    def describe(self) -> str:
        """One line for the indexer's notes; empty when the theme's own files are read."""
        if self.root is None:
            return f"theme {self.name} is not installed here: pages that use its layouts show their content only"
        if self.stand_in:
            return (
                f"theme {self.name} is not installed here: its layouts are outlined by the stand-in this "
                "program ships (title, sidebar, content)"
            )
        return ""


def _theme_name(config: dict) -> str:
    for key in ("theme", "remote_theme"):
        value = config.get(key)
        if isinstance(value, str) and value.strip():
            name = value.strip().split("@", 1)[0].rstrip("/")
            return name.rsplit("/", 1)[-1] if key == "remote_theme" else name
    return ""


def _gem_folders(site_root: Path) -> list[Path]:
    """Folders that hold installed gems, as bundler and RubyGems lay them out."""
    roots = gem_paths()
    home = Path.home()
    for pattern_root, pattern in (
        (site_root / "vendor" / "bundle" / "ruby", "*"),
        (home / ".gem" / "ruby", "*"),
        (home / ".local" / "share" / "gem" / "ruby", "*"),
        (Path("/var/lib/gems"), "*"),
        (Path("/usr/local/lib/ruby/gems"), "*"),
        (Path("/usr/lib/ruby/gems"), "*"),
        (Path("/usr/lib"), "*/ruby/gems/*"),  # Debian's multiarch folders
        (Path("/usr/share/rubygems-integration"), "*"),  # Debian's packaged gems
    ):
        if pattern_root.is_dir():
            roots += sorted(pattern_root.glob(pattern))
    return [root / "gems" for root in roots if (root / "gems").is_dir()]


def _version_key(folder: Path, name: str) -> tuple:
    version = folder.name[len(name) + 1 :]
    return tuple(int(part) if part.isdigit() else -1 for part in re.split(r"[.-]", version))


def installed_theme(name: str, site_root: Path) -> Path | None:
    """The newest installed gem of the theme ``name``, if any."""
    found = [
        folder
        for gems in _gem_folders(site_root)
        for folder in gems.glob(f"{name}-*")
        if re.fullmatch(re.escape(name) + r"-\d[\w.]*", folder.name) and (folder / "_layouts").is_dir()
    ]
    return max(found, key=lambda folder: _version_key(folder, name)) if found else None


def site_theme(config: dict, site_root: Path) -> Theme | None:
    """The theme ``config`` names and where its files are (None: the site names no theme)."""
    name = _theme_name(config)
    if not name:
        return None
    installed = installed_theme(name, Path(site_root))
    if installed is not None:
        return Theme(name, installed)
    stand_in = STAND_INS.get(name)
    if stand_in is not None:
        return Theme(name, STAND_INS_DIR / stand_in, stand_in=True)
    return Theme(name, None)

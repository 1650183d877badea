"""Real Jekyll as the reference for rendering: build a fixture site with it and compare.

A fixture site is written by the test (text written for the test, never taken
from a real site), built with Debian's ``jekyll`` into a temporary folder, and
rendered by the project. The comparison is :mod:`assistant.faithfulness`: the
published pages are the same files, and every passage's words stand, in order,
in the visible text of its page as Jekyll built it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import LONG_PATIENCE, write_site

from assistant.build import SitePassages, site_passages
from assistant.faithfulness import SiteCheck, check_passages, visible_text

JEKYLL = shutil.which("jekyll")

# Without Jekyll these tests cannot say anything; in CI that is a failure, not a skip.
needs_jekyll = pytest.mark.skipif(
    JEKYLL is None and not os.environ.get("CI"),
    reason="Debian's jekyll is not installed (`make test` installs it: apt-get install jekyll ruby-jekyll-*)",
)


@dataclass
class Comparison:
    site: Path
    built: Path
    ours: SitePassages
    check: SiteCheck
    log: str

    def page(self, name: str) -> str:
        """Visible text of a built page (``about/index.html``)."""
        return visible_text((self.built / name).read_text(encoding="utf-8"))

    def passages(self, name: str) -> list[str]:
        """Texts of our passages on a page, by the page's built file."""
        from assistant.faithfulness import _url_path, output_file

        return [p.text for p in self.ours.passages if output_file(_url_path(p.page_url, self.ours.base_url)) == name]

    def differences(self) -> str:
        lines = []
        if self.check.only_built:
            lines.append("published by Jekyll only: " + ", ".join(self.check.only_built))
        if self.check.only_ours:
            lines.append("published by the project only: " + ", ".join(self.check.only_ours))
        for page in self.check.pages:
            for text in page.missing:
                lines.append(f"{page.file}: not on the built page: {text!r}")
        return "\n".join(lines)


def jekyll_build(site: Path, dest: Path, extra_env: dict[str, str] | None = None) -> str:
    if JEKYLL is None:
        raise AssertionError("jekyll is not installed; `make test` installs Debian's jekyll")
    # the project renders a site as it is published: Jekyll's production environment
    env = {**os.environ, "JEKYLL_NO_BUNDLER_REQUIRE": "true", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
    env["JEKYLL_ENV"] = "production"
    env.update(extra_env or {})
    proc = subprocess.run(
        [JEKYLL, "build", "-s", str(site), "-d", str(dest)],
        capture_output=True,
        text=True,
        env=env,
        cwd=site,
        timeout=LONG_PATIENCE,
    )
    if proc.returncode != 0:
        raise AssertionError(f"jekyll build failed:\n{proc.stdout}\n{proc.stderr}")
    return proc.stdout + proc.stderr


def compare(tmp_path: Path, files: dict[str, str], extra_env: dict[str, str] | None = None) -> Comparison:
    """Write ``files`` as a site, build it with Jekyll (``extra_env`` added to its environment) and render it
    with the project."""
    site = write_site(tmp_path / "site", files)
    built = tmp_path / "_site_jekyll"
    log = jekyll_build(site, built, extra_env)
    ours = site_passages(site)
    check = check_passages(ours.passages, built, ours.base_url, pages=ours.page_urls)
    return Comparison(site, built, ours, check, log)


def assert_faithful(comparison: Comparison) -> None:
    """Same published pages, and every passage stands on its page as Jekyll built it."""
    assert comparison.check.passages > 0, "the site gave no passages"
    differences = comparison.differences()
    assert not differences, differences

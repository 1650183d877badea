"""The decisions Zappa's hooks make before a package is built: which index, which distributions.

The hooks run inside `zappa package` (tests/test_lambda.py builds a real package); these
tests call them on small projects and fake virtualenvs, where each decision can be seen.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import ROOT, TINY_SITE, write_site

spec = importlib.util.spec_from_file_location("zappa_hooks", ROOT / "deploy" / "zappa_hooks.py")
assert spec and spec.loader
hooks = importlib.util.module_from_spec(spec)
sys.modules.setdefault("zappa_hooks", hooks)  # as Zappa loads it: a module of its own name
spec.loader.exec_module(hooks)

click = pytest.importorskip("click")


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """An empty project folder as the current directory, as Zappa runs its hooks."""
    folder = tmp_path / "project"
    folder.mkdir()
    monkeypatch.chdir(folder)
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.delenv(hooks.SITE_VARIABLE, raising=False)
    return folder


def test_without_a_site_named_the_bundled_corpus_is_shipped(project):
    shipped = hooks.index_to_ship(project, {})
    assert shipped == hooks.ShippedIndex(project / "index" / "corpus", project / "corpus")


def test_the_site_named_by_assistant_site_is_built_into_index_site(project, tmp_path, monkeypatch, capsys):
    site = write_site(tmp_path / "site", TINY_SITE)
    monkeypatch.setenv(hooks.SITE_VARIABLE, str(site))
    hooks.build_index()
    assert (project / "index" / "site" / "manifest.json").is_file()
    assert "Index to ship: index/site/" in capsys.readouterr().out


def test_an_index_built_by_hand_is_shipped_as_it_is(project, tmp_path, capsys):
    from assistant.build import index_site

    index_site(write_site(tmp_path / "site", TINY_SITE), project / "index" / "site")
    before = (project / "index" / "site" / "manifest.json").read_bytes()
    assert hooks.index_to_ship(project, {}).site is None
    hooks.build_index()
    assert (project / "index" / "site" / "manifest.json").read_bytes() == before
    assert "as it was built" in capsys.readouterr().out


def test_packaging_stops_when_the_site_folder_does_not_exist(project, monkeypatch):
    monkeypatch.setenv(hooks.SITE_VARIABLE, str(project / "no-such-site"))
    with pytest.raises(click.ClickException, match="ASSISTANT_SITE=.*no-such-site: no such folder"):
        hooks.build_index()
    assert not (project / "index").exists()


def test_packaging_without_the_indexing_libraries_names_the_command_that_builds_the_index(
    project, tmp_path, monkeypatch
):
    site = write_site(tmp_path / "site", TINY_SITE)
    monkeypatch.setenv(hooks.SITE_VARIABLE, str(site))
    monkeypatch.setitem(sys.modules, "assistant.build", None)  # as in a virtualenv with only the serving set
    with pytest.raises(click.ClickException) as raised:
        hooks.build_index()
    assert f"`assistant index {site} --out index/site`" in raised.value.message
    assert "pip install -e '.[index]'" in raised.value.message


def test_a_site_with_a_page_that_cannot_be_indexed_is_not_packaged(project, tmp_path, monkeypatch):
    site = write_site(tmp_path / "site", TINY_SITE | {"broken.md": "---\ntitle: [unclosed\n---\nText.\n"})
    monkeypatch.setenv(hooks.SITE_VARIABLE, str(site))
    with pytest.raises(click.ClickException) as raised:
        hooks.build_index()
    assert "broken.md" in raised.value.message and f"assistant index {site} --out index/site" in raised.value.message


def _distribution(site_packages: Path, name: str, files: list[str], requires: tuple[str, ...] = ()) -> None:
    """A distribution as pip installs it: its files, and a .dist-info with METADATA and RECORD."""
    info = site_packages / f"{name.replace('-', '_')}-1.0.dist-info"
    info.mkdir(parents=True)
    lines = [f"Name: {name}", "Version: 1.0", *(f"Requires-Dist: {r}" for r in requires)]
    (info / "METADATA").write_text("Metadata-Version: 2.1\n" + "\n".join(lines) + "\n")
    for rel in files:
        (site_packages / rel).parent.mkdir(parents=True, exist_ok=True)
        (site_packages / rel).write_text("")
    record = [*files, f"{info.name}/METADATA", f"{info.name}/RECORD"]
    (info / "RECORD").write_text("".join(f"{r},,\n" for r in record))


@pytest.fixture
def venv(tmp_path) -> Path:
    """A virtualenv's site-packages holding the app's dependencies, Zappa, and tools only building needs."""
    sp = tmp_path / "venv" / "site-packages"
    _distribution(
        sp,
        "webframe",
        ["webframe/__init__.py", "webframe/templates/base.html"],
        ("templating>=1", "pytest; extra == 'test'"),
    )
    _distribution(sp, "templating", ["templating/__init__.py", "ns/templating_part.py"])
    _distribution(sp, "zappa", ["zappa/__init__.py", "zappa/handler.py"], ("boto", "troposphere", "pip"))
    _distribution(sp, "boto", ["boto/__init__.py"])
    _distribution(sp, "troposphere", ["troposphere/__init__.py"])
    _distribution(sp, "pip", ["pip/__init__.py"])
    _distribution(
        sp, "sitebuilder", ["sitebuilder/__init__.py", "ns/sitebuilder_part.py", "templates/page.html"], ("markup",)
    )
    _distribution(sp, "markup", ["markup/__init__.py", "markup/handler.py"])
    _distribution(sp, "pytest", ["pytest/__init__.py", "webframe_testing/__init__.py"])
    return sp


def _pyproject(folder: Path, dependencies: list[str]) -> Path:
    path = folder / "pyproject.toml"
    quoted = ", ".join(f'"{d}"' for d in dependencies)
    path.write_text(
        f'[project]\nname = "app"\ndependencies = [{quoted}]\n[project.optional-dependencies]\n'
        'index = ["sitebuilder"]\n'
    )
    return path


def test_the_package_keeps_the_dependency_set_and_the_handlers_part_of_zappa(venv, project):
    plan = hooks.plan_dependencies(_pyproject(project, ["webframe>=1"]), venv)
    assert set(plan.keep) == {"webframe", "templating", "zappa", "boto"}
    assert set(plan.leave_out) == {"troposphere", "pip", "sitebuilder", "markup", "pytest"}


def test_a_dependency_missing_from_the_virtualenv_stops_packaging(venv, project):
    with pytest.raises(click.ClickException, match="lacks not-installed"):
        hooks.plan_dependencies(_pyproject(project, ["webframe", "not-installed>=2"]), venv)


def test_left_out_distributions_are_never_copied_unless_a_shipped_file_shares_their_names(venv, project):
    plan = hooks.plan_dependencies(_pyproject(project, ["webframe"]), venv)
    dropped = hooks.left_out(plan, project, "app.lambda_app.app")
    # Names nothing shipped uses anywhere are not even copied ...
    assert {"troposphere", "pip", "sitebuilder", "pytest", "webframe_testing"} <= set(dropped.names)
    assert "markup" in dropped.names
    # ... a folder a kept distribution shares is thinned file by file, and a name a kept file
    # uses deeper down (webframe/templates/) is removed from the package root only.
    assert "ns" not in dropped.names and "ns/sitebuilder_part.py" in dropped.paths
    assert "ns/templating_part.py" not in dropped.paths
    assert "templates" not in dropped.names and "templates" in dropped.paths
    assert not {"webframe", "templating", "zappa", "boto"} & set(dropped.names + dropped.paths)


def test_only_the_app_and_the_shipped_index_of_the_project_are_packaged(project):
    for name in ("app", "corpus", "docs", "tests", "index/site", "index/corpus", "index/old"):
        (project / name).mkdir(parents=True)
    (project / "README.md").write_text("")
    (project / "index" / "README.md").write_text("")
    shipped = hooks.ShippedIndex(project / "index" / "site", None)
    patterns = hooks.project_patterns(project, "app.lambda_app.app", shipped)
    assert set(patterns) == {"corpus", "docs", "tests", "README.md", "index/corpus", "index/old", "index/README.md"}


def test_zappas_no_manylinux_wheel_warning_is_dropped_only_for_distributions_that_need_none(caplog):
    logger = logging.getLogger("zappa.core.test")
    logger.addFilter(hooks.QuietNoWheelNeeded({"flask", "numpy"}))
    with caplog.at_level(logging.WARNING, logger="zappa.core.test"):
        logger.warning(" - flask==3.1.0: No manylinux wheel found for this package")
        logger.warning(" - tantivy==0.27.0: No manylinux wheel found for this package")
    assert [r.getMessage() for r in caplog.records] == [" - tantivy==0.27.0: No manylinux wheel found for this package"]


def test_bytecode_is_added_for_every_module_and_names_the_lambda_path(tmp_path):
    import zipfile

    package = tmp_path / "package.zip"
    with zipfile.ZipFile(package, "w") as zf:
        zf.writestr("app/__init__.py", "")
        zf.writestr("app/main.py", textwrap.dedent("def f():\n    raise ValueError('x')\n"))
        zf.writestr("app/broken.py", "def (:\n")
    compiled, failed = hooks.precompile(package)
    assert (compiled, failed) == (2, ["app/broken.py"])
    with zipfile.ZipFile(package) as zf:
        pyc = zf.read("app/__pycache__/main.cpython-{}{}.pyc".format(*sys.version_info[:2]))
    assert int.from_bytes(pyc[4:8], "little") == 0b01  # hash-based, not checked against the source
    assert b"/var/task/app/main.py" in pyc


def test_the_folder_of_the_zip_asked_for_is_made_before_zappa_writes_it(project):
    class NoVirtualenv:
        @staticmethod
        def get_current_venv() -> None:
            return None

    class Cli:  # what the hook reads of Zappa's command line object
        command = "package"
        vargs = {"output": "build/assistant-production.zip"}
        zappa = NoVirtualenv()

    hooks.plan(Cli())
    assert (project / "build").is_dir()


@pytest.mark.parametrize(
    "command, vargs, planned",
    [
        ("package", {}, True),
        ("deploy", {}, True),  # `zappa deploy STAGE` builds its package through the same hooks
        ("update", {}, True),
        ("update", {"zip": "build/assistant-production.zip"}, False),  # uploads a zip built before: nothing built
        ("deploy", {"docker_image_uri": "123.dkr.ecr.eu-central-1.amazonaws.com/a:1"}, False),
        ("status", {}, False),
        ("tail", {}, False),
    ],
)
def test_the_package_is_planned_for_every_command_that_builds_one_and_only_for_those(project, command, vargs, planned):
    looked = []

    class Virtualenv:
        @staticmethod
        def get_current_venv() -> None:
            looked.append(command)  # planning starts by finding the virtualenv to package
            return None

    class Cli:
        zappa = Virtualenv()

    Cli.command, Cli.vargs = command, vargs
    hooks.plan(Cli())
    assert bool(looked) is planned


def test_a_stage_without_binary_support_is_not_packaged(project):
    """Without it Zappa hands the app a base64-encoded body as it came, and /api/ask answers 400."""

    class Cli:
        command = "package"
        api_stage = "production"
        binary_support = False
        vargs: dict = {}

    with pytest.raises(click.ClickException, match=r"stage production: binary_support is false.*isBase64Encoded"):
        hooks.plan(Cli())


def test_every_stage_of_the_projects_settings_keeps_binary_support():
    settings = json.loads((ROOT / "zappa_settings.json").read_text())

    def resolved(stage: str) -> dict:
        own = settings[stage]
        return {**resolved(own["extends"]), **own} if "extends" in own else own

    for stage in settings:
        assert resolved(stage).get("binary_support", True) is True, stage

"""Build a Jekyll site with Debian's ``jekyll``, as far as the installed plugins allow.

    python benchmarks/jekyll_builds.py SITE_SOURCE DEST [--plain]

Real sites name plugins and themes that are not installed here (gems of their
own, remote themes, a Gemfile for bundler). The source is copied to a
temporary folder and only that copy is changed: the Gemfile goes, plugins and
themes that are not installed are left out, and the tags of left-out plugins
are registered as tags that render nothing, so Jekyll builds the rest. What
was changed is returned (and written to ``DEST/../NAME.build.json``) so a
report can say which pages came from plugins that were not run.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml

JEKYLL = shutil.which("jekyll") or "/usr/bin/jekyll"
MAX_STUB_ROUNDS = 60
BUILDER_VERSION = "6"  # changes when what is changed in the copy changes
# Plugins that ask GitHub's API while building (no network here): left out, they only add site.github.
NEEDS_NETWORK = frozenset({"jekyll-github-metadata"})


@dataclass
class BuildResult:
    ok: bool
    dest: str
    removed_plugins: list[str] = field(default_factory=list)
    removed_theme: str = ""
    stubbed_tags: list[str] = field(default_factory=list)
    stubbed_includes: list[str] = field(default_factory=list)
    removed_data: list[str] = field(default_factory=list)
    log: str = ""


def installed_gems() -> set[str]:
    out = subprocess.run(["gem", "list", "--local", "--no-versions"], capture_output=True, text=True).stdout
    return {line.strip() for line in out.splitlines() if line.strip()}


def _gem_name(plugin: str) -> str:
    return plugin.replace("/", "-")


def _source_hash(root: Path) -> str:
    digest = hashlib.sha1()
    for path in sorted(root.rglob("*")):
        if path.is_file() and ".git" not in path.parts:
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(str(path.stat().st_size).encode())
    return digest.hexdigest()


def _config_file(root: Path) -> Path | None:
    for name in ("_config.yml", "_config.yaml"):
        if (root / name).is_file():
            return root / name
    return None


def _stub_plugin(tags: list[str]) -> str:
    """Ruby for tags that render nothing (block tags render their body), as an unknown plugin's would be left."""
    lines = ["module NotInstalled"]
    lines.append("  class Tag < Liquid::Tag; def render(context) ''; end; end")
    lines.append("  class Block < Liquid::Block; def render(context) super; end; end")
    lines.append("end")
    for tag in tags:
        kind, name = tag.split(":", 1)
        cls = "NotInstalled::Block" if kind == "block" else "NotInstalled::Tag"
        lines.append(f"Liquid::Template.register_tag({name!r}, {cls})")
    return "\n".join(lines) + "\n"


def _block_tags(root: Path) -> set[str]:
    """Tag names that have an ``end`` tag somewhere in the site's templates."""
    names: set[str] = set()
    for path in root.rglob("*"):
        if path.suffix.lower() in (".html", ".md", ".markdown", ".liquid") and path.is_file():
            try:
                text = path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            names.update(re.findall(r"\{%-?\s*end(\w+)", text))
    return names


# Filters that many sites define in their own _plugins (not part of these copies) or take from
# plugins that are not packaged; without them Jekyll passes values through unchanged and some
# templates then fail the whole build. Same meaning as the engine gives them.
_SITE_FILTERS = r"""
module SiteFiltersNotInstalled
  def regex_replace(input, pattern = "", replacement = "")
    input.to_s.gsub(Regexp.new(pattern.to_s), replacement.to_s)
  end
  def regex_replace_once(input, pattern = "", replacement = "")
    input.to_s.sub(Regexp.new(pattern.to_s), replacement.to_s)
  end
  def regex_scan(input, regex, multiline = false, all = false)
    flags = multiline ? Regexp::MULTILINE : 0
    found = input.to_s.scan(Regexp.new(regex.to_s, flags)).flatten
    all ? found : found[0]
  end
  def regex_strip(input)
    input.to_s.gsub(/[^\p{L}\p{N}.,;:-]/u, " ").split.join(" ")
  end
  def array_filter(input)
    Array(input).map { |v| v.is_a?(String) ? v.strip : v }.reject { |v| v.nil? || v == false || v == "" }
  end
  def array_carve(input, length = 3)
    items = Array(input); n = length.to_i
    items.length <= n * 2 ? items : items.first(n) + ["..."] + items.last(n)
  end
  def object_items(input)
    input.is_a?(Hash) ? input.keys : Array(input)
  end
  def hash_default(input, defaults)
    return input unless input.is_a?(Hash) && defaults.is_a?(Hash)
    merged = input.dup
    defaults.each do |k, v|
      if v.is_a?(String) && v.include?("$VALUE")
        merged[k] = v.sub("$VALUE", merged[k]) if merged[k].is_a?(String)
      elsif merged[k].nil?
        merged[k] = v
      end
    end
    merged
  end
  def is_nil(input, fallback = nil)
    input.nil? ? fallback : input
  end
  def data_filter(data, filters = "")
    return data unless data.is_a?(Array) && filters.is_a?(String)
    filters.split(",").map(&:strip).reject(&:empty?).each do |part|
      key, value = part.split(":", 2).map(&:strip)
      if value.nil? || value.empty?
        data = data.select { |d| d[key].nil? }
      else
        re = Regexp.new(value, Regexp::MULTILINE)
        data = data.select { |d| d[key].to_s =~ re }
      end
    end
    data
  end
  def file_exists(input)
    File.file?(File.join(@context.registers[:site].source, input.to_s)) ? input : nil
  end
  def file_read(input)
    path = File.join(@context.registers[:site].source, input.to_s)
    File.file?(path) ? File.read(path) : nil
  end
end
Liquid::Template.register_filter(SiteFiltersNotInstalled)
"""

_CHECK_YAML = """
require "yaml"; require "date"
ARGV.each do |f|
  begin
    Psych.safe_load(File.read(f), permitted_classes: [Date, Time], aliases: true)
  rescue Exception
    puts f
  end
end
"""


def _drop_unreadable_data(work: Path, data_dir: str) -> list[str]:
    """Data files Jekyll's YAML reader refuses stop the whole build; the copy goes without them."""
    files = [str(p) for p in (work / data_dir).rglob("*") if p.suffix.lower() in (".yml", ".yaml")]
    if not files:
        return []
    out = subprocess.run(["ruby", "-e", _CHECK_YAML, *files], capture_output=True, text=True).stdout.split()
    for name in out:
        Path(name).unlink()
    return [Path(name).relative_to(work).as_posix() for name in out]


def build(source: Path, dest: Path, plain: bool = False, reuse: bool = True) -> BuildResult:
    """Build ``source`` into ``dest``; ``plain`` builds without any plugin (to tell which pages plugins made)."""
    source, dest = Path(source).resolve(), Path(dest)
    stamp = dest.parent / f"{dest.name}.build.json"
    key = _source_hash(source) + BUILDER_VERSION + (":plain" if plain else "")
    if reuse and stamp.is_file() and dest.is_dir():
        saved = json.loads(stamp.read_text())
        if saved.get("key") == key and saved.get("ok"):
            saved.pop("key")
            return BuildResult(**saved)
    result = BuildResult(ok=False, dest=str(dest))
    with tempfile.TemporaryDirectory(prefix="jekyll-src-") as tmp:
        work = Path(tmp) / "site"
        shutil.copytree(source, work, symlinks=True)
        configs = _prepare_copy(work, Path(tmp), plain, result)
        _run_until_built(work, dest, configs, result)
    dest.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(json.dumps({**asdict(result), "key": key}, indent=1))
    return result


def _prepare_copy(work: Path, tmp: Path, plain: bool, result: BuildResult) -> str:
    """Change the copy so Debian's Jekyll can build it; the configuration files to build it with."""
    for name in ("Gemfile", "Gemfile.lock", ".jekyll-cache"):
        target = work / name
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
    gems = installed_gems()
    config_path = _config_file(work)
    config: dict = {}
    if config_path is not None:
        try:
            config = yaml.safe_load(config_path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError:
            config = {}
    # the site's own configuration stays as it is; a second file overrides what cannot be built
    override: dict = {}
    for key_name in ("plugins", "gems"):
        plugins = config.get(key_name)
        if isinstance(plugins, list):
            kept = [p for p in plugins if not plain and _gem_name(str(p)) in gems and p not in NEEDS_NETWORK]
            result.removed_plugins += [str(p) for p in plugins if p not in kept]
            override[key_name] = kept
    for key_name in ("theme", "remote_theme"):
        theme = config.get(key_name)
        if theme and config_path is not None and (key_name == "remote_theme" or _gem_name(str(theme)) not in gems):
            result.removed_theme = str(theme)
            _lay_in_stand_in(work, config, key_name)
            # a later configuration file cannot unset a key: the line goes from the copy
            text = config_path.read_text(encoding="utf-8")
            config_path.write_text(re.sub(rf"(?m)^{key_name}\s*:.*(?:\n[ \t]+\S.*)*$", "", text), encoding="utf-8")
    result.removed_data = _drop_unreadable_data(work, str(config.get("data_dir") or "_data"))
    if plain:
        override["whitelist"] = []
        if (work / "_plugins").is_dir():
            shutil.rmtree(work / "_plugins")
    else:
        (work / "_plugins").mkdir(exist_ok=True)
        (work / "_plugins" / "zz_site_filters.rb").write_text(_SITE_FILTERS)
    override_path = tmp / "_config.build-override.yml"
    override_path.write_text(yaml.safe_dump(override, allow_unicode=True), encoding="utf-8")
    return ",".join(str(p) for p in (config_path, override_path) if p is not None)


def _lay_in_stand_in(work: Path, config: dict, key_name: str) -> None:
    """A theme that is not installed but has the project's stand-in: its files go into the copy where the
    site has none of its own (as Jekyll reads a theme's files behind the site's), so both sides render
    the same outline of the theme's layouts."""
    from assistant.theme import site_theme

    theme = site_theme({key_name: config.get(key_name)}, work)
    if theme is None or not theme.stand_in or theme.root is None:
        return
    for file in theme.root.rglob("*"):
        target = work / file.relative_to(theme.root)
        if file.is_file() and not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(file, target)


def _run_until_built(work: Path, dest: Path, configs: str, result: BuildResult) -> None:
    """Build; a missing theme include or an unknown plugin tag is stubbed out and the build tried again."""
    blocks = _block_tags(work)
    stubs: list[str] = []
    env = {**os.environ, "JEKYLL_NO_BUNDLER_REQUIRE": "true", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
    env["JEKYLL_ENV"] = "production"  # as the site is published
    for _ in range(MAX_STUB_ROUNDS):
        if stubs:
            (work / "_plugins").mkdir(exist_ok=True)
            (work / "_plugins" / "zz_not_installed.rb").write_text(_stub_plugin(stubs))
        if dest.exists():
            shutil.rmtree(dest)
        proc = subprocess.run(
            [JEKYLL, "build", "--trace", "-s", str(work), "-d", str(dest), "--config", configs],
            capture_output=True,
            text=True,
            env=env,
            cwd=work,
            timeout=1800,
        )
        output = proc.stdout + proc.stderr
        result.log = output[:3000] + ("\n...\n" + output[-3000:] if len(output) > 6000 else output[3000:6000])
        if proc.returncode == 0:
            result.ok = True
            break
        include = re.search(r"Could not locate the included file '([^']+)'", output)
        if include and not (work / "_includes" / include.group(1)).exists():
            # a theme's include that is not installed renders as nothing
            (work / "_includes" / include.group(1)).parent.mkdir(parents=True, exist_ok=True)
            (work / "_includes" / include.group(1)).write_text("")
            result.stubbed_includes.append(include.group(1))
            continue
        unknown = re.search(r"Unknown tag '(\w+)'", output)
        tag = f"{'block' if unknown.group(1) in blocks else 'tag'}:{unknown.group(1)}" if unknown else ""
        if not tag or tag in stubs:
            break
        stubs.append(tag)
    result.stubbed_tags = [s.split(":", 1)[1] for s in stubs]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source")
    parser.add_argument("dest")
    parser.add_argument("--plain", action="store_true", help="build without any plugin")
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    result = build(Path(args.source), Path(args.dest), plain=args.plain, reuse=not args.rebuild)
    print(json.dumps({k: v for k, v in asdict(result).items() if k != "log"}, indent=1))
    if not result.ok:
        print(result.log, file=sys.stderr)
    return 0 if result.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

"""The server's settings, read once from ASSISTANT_* environment variables.

`Settings.from_env()` is the only place that reads them; the CLI, `create_app()` and the
Lambda app are handed the result. A value that cannot be used is refused here, naming its
variable, before anything is served. Each field's `metadata` names its variable and says
what it means: README.md's configuration table is checked against it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from .text import site_url_problem

RELOAD_SECONDS = 2.0  # how often, at most, a request checks whether the index folder changed
DEFAULT_RATE_LIMIT = "300/minute"  # per client, for `assistant serve`; Lambda relies on API Gateway throttling


def gem_paths(environ: Mapping[str, str] | None = None) -> list[Path]:
    """The gem folders RubyGems is pointed at (GEM_HOME, then GEM_PATH): where a site's theme gem may be."""
    env = os.environ if environ is None else environ
    return [Path(p) for name in ("GEM_HOME", "GEM_PATH") for p in env.get(name, "").split(os.pathsep) if p.strip()]


def terminal_columns(environ: Mapping[str, str] | None = None) -> int:
    """COLUMNS when it is a number, else the width of the terminal on stdout, else 80: how wide help is laid out."""
    env = os.environ if environ is None else environ
    try:
        return max(int(env.get("COLUMNS", "")), 1)
    except ValueError:
        pass
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns if sys.__stdout__ else 80
    except (OSError, ValueError):
        return 80


class SettingsError(ValueError):
    """An ASSISTANT_* variable with a value that cannot be used; the message names it."""


def _setting(env: str, doc: str, default: Any = None, shown: str | None = None) -> Any:
    """A field read from `env`: what it means, and its default as the documentation shows it."""
    return field(default=default, metadata={"env": env, "doc": doc, "shown": shown or str(default)})


@dataclass(frozen=True)
class Settings:
    """What the server is configured with; None stands for the default the field's `shown` names."""

    index: Path | None = _setting(
        "ASSISTANT_INDEX", "index folder that `serve`, `ask` and the Lambda app answer from", shown="`index/corpus`"
    )
    site_url: str | None = _setting(
        "ASSISTANT_SITE_URL", "the site's URL (links in answers are only followed to it)", shown="from the index"
    )
    allowed_origins: tuple[str, ...] | None = _setting(
        "ASSISTANT_ALLOWED_ORIGINS", "comma-separated origins allowed by CORS", shown="the site's origin"
    )
    contact_url: str | None = _setting(
        "ASSISTANT_CONTACT_URL",
        'link shown with "no answer"',
        shown="the site's contact page or e-mail, found when indexing",
    )
    feedback_log: Path | None = _setting(
        "ASSISTANT_FEEDBACK_LOG", "file that question and feedback events are appended to", shown="standard error"
    )
    rate_limit: str | None = _setting(
        "ASSISTANT_RATE_LIMIT",
        "requests per client on the local server, e.g. `60/minute`, or `off`",
        shown=f"`{DEFAULT_RATE_LIMIT}`, this machine spared",
    )
    reload_seconds: float = _setting(
        "ASSISTANT_RELOAD_SECONDS",
        "how often, at most, the served index folder is checked for a new index",
        RELOAD_SECONDS,
        shown="`2` (`0`: only on SIGHUP)",
    )
    log_level: str = _setting(
        "ASSISTANT_LOG_LEVEL", "log level (`WARNING` leaves out the event lines)", "INFO", shown="`INFO`"
    )
    host: str = _setting("ASSISTANT_HOST", "address `assistant serve` listens on", "127.0.0.1", shown="`127.0.0.1`")
    port: int = _setting("ASSISTANT_PORT", "port `assistant serve` listens on", 8000, shown="`8000`")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """The settings in `environ` (the process's environment by default); empty variables are unset."""
        env = {k: v.strip() for k, v in (os.environ if environ is None else environ).items() if v.strip()}

        def get(name: str) -> str | None:
            return env.get(cls.variable(name))

        origins = get("allowed_origins")
        return cls(
            index=_path(get("index")),
            site_url=_site_url(get("site_url")),
            allowed_origins=tuple(o.strip() for o in origins.split(",") if o.strip()) if origins else None,
            contact_url=get("contact_url"),
            feedback_log=_path(get("feedback_log")),
            rate_limit=_rate(get("rate_limit")),
            reload_seconds=_seconds(get("reload_seconds"), cls.default("reload_seconds")),
            log_level=_level(get("log_level"), cls.default("log_level")),
            host=get("host") or cls.default("host"),
            port=_port(get("port"), cls.default("port")),
        )

    @classmethod
    def variable(cls, name: str) -> str:
        """The environment variable of the field `name`."""
        return _FIELDS[name].metadata["env"]

    @classmethod
    def default(cls, name: str) -> Any:
        """The field's default, used when its variable is unset."""
        return _FIELDS[name].default

    @classmethod
    def described(cls) -> list[tuple[str, str, str]]:
        """(variable, meaning, default) of every setting, in order, as the documentation shows them."""
        return [(f.metadata["env"], f.metadata["doc"], f.metadata["shown"]) for f in fields(cls)]


_FIELDS = {f.name: f for f in fields(Settings)}


def _path(value: str | None) -> Path | None:
    return Path(value).expanduser() if value else None


def _site_url(value: str | None) -> str | None:
    problem = site_url_problem(value) if value else None
    if problem:
        raise SettingsError(f"{Settings.variable('site_url')}: {value!r} {problem}; give e.g. https://www.example.org")
    return value


def _rate(value: str | None) -> str | None:
    if value is None:
        return None  # the default: nothing to check
    try:
        from .ratelimit import parse_rate  # here: only a server that limits rates needs the limiter

        parse_rate(value)
    except ValueError as err:
        raise SettingsError(f"{Settings.variable('rate_limit')}: {err}") from None
    return value


def _seconds(value: str | None, default: float) -> float:
    if value is None:
        return default
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not seconds >= 0:  # also refuses NaN
        raise SettingsError(f"{Settings.variable('reload_seconds')}: {value!r} is not a number of seconds (0 = off)")
    return seconds


# The standard library's level names: checked without importing logging, which `assistant ask` never needs.
LOG_LEVELS = frozenset({"CRITICAL", "FATAL", "ERROR", "WARN", "WARNING", "INFO", "DEBUG", "NOTSET"})


def _level(value: str | None, default: str) -> str:
    level = (value or default).upper()
    if level not in LOG_LEVELS:
        raise SettingsError(f"{Settings.variable('log_level')}: {value!r} is not a log level (DEBUG, INFO, WARNING …)")
    return level


def _port(value: str | None, default: int) -> int:
    if value is None:
        return default
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise SettingsError(f"{Settings.variable('port')}: {value!r} is not a port number (1-65535)")
    return int(value)

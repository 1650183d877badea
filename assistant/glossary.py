"""The bilingual glossary: groups of words and phrases that mean the same on an institute's website.

The file format is described at the top of ``glossary.yml``. Groups are read on the
first question (not at import), from the bundled file and any files an editor adds,
and looked up by a question word's spelling or by its stem in either language.
"""

from __future__ import annotations

import marshal
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import overload

from .analysis import DEFAULT_GLOSSARY, LANGS, LEXICON, STOP_WORDS, Vocabulary, fold
from .compiled_copies import copy_name, read_copy, temporary_copy, write_copy

__all__ = ["DEFAULT_GLOSSARY", "LEXICON", "Glossary", "GlossaryError", "Member", "read_glossary"]


CACHE_FORMAT = 5  # bump when what a compiled copy holds changes


class GlossaryError(ValueError):
    """A glossary file that cannot be read; the message names the file and line."""


@dataclass(frozen=True)
class Member:
    """One word or phrase of a group, in its language."""

    lang: str
    words: tuple[str, ...]  # folded surface words
    stems: tuple[str, ...]  # stems in the member's own language

    def lookups(self) -> list[str]:
        """Index terms to look up for this member: a phrase's stems joined by spaces, or a word's stem and spelling."""
        stops = STOP_WORDS[self.lang]
        content = [s for w, s in zip(self.words, self.stems, strict=True) if w not in stops]
        if len(content) > 1:
            return [" ".join(content)]
        return content + [w for w in self.words if w not in stops]

    def text(self) -> str:
        return " ".join(self.words)


Stem = Callable[[str, str], str]


class Glossary:
    """Groups of translations, found by a word's spelling, its stems, or a phrase of the question."""

    def __init__(self, paths: Sequence[Path], stem: Stem, stem_version: str | None = None) -> None:
        """``stem_version`` names the stemmer; given, the groups read are kept in a compiled copy (see _cached)."""
        self.paths = list(paths)
        self._stem = stem
        self._stem_version = stem_version
        self._groups: Sequence[tuple[Member, ...]] | None = None
        # "w\x1f<spelling>" or "<lang>\x1f<stems>" (a phrase's words joined by spaces) -> its groups: string
        # keys and tuples, which a fresh process reads from the compiled copy in a quarter of the time
        self._single: Mapping[str, tuple[int, ...]] = {}
        self._phrases: Mapping[str, tuple[int, ...]] = {}
        # the phrases' first words, by kind ("w" for the spelling, or a language for the stem): most of a
        # question's words begin no phrase, and a run of words starting with one of them needs no look-up
        self._openings: dict[str, frozenset[str]] = {}
        self._words: Vocabulary | None = None

    def words(self) -> Vocabulary:
        """Every word of the glossary, as a dictionary of both languages for correcting everyday typos."""
        if self._words is None:
            counts: dict[str, int] = {}
            for group in self._load():
                for member in group:
                    for word in member.words:
                        if word.isalpha() and len(word) >= 4:
                            counts[word] = counts.get(word, 0) + 1
            self._words = Vocabulary(counts)
        return self._words

    def __len__(self) -> int:
        return len(self._load())

    def members(self, group: int) -> tuple[Member, ...]:
        return self._load()[group]

    def groups_of_word(self, folded: str, stems: dict[str, str]) -> set[int]:
        """Groups with a one-word member spelt like ``folded`` or sharing one of its stems."""
        self._load()
        found = set(self._single.get(_key("w", folded), ()))
        for lang, stem in stems.items():
            found.update(self._single.get(_key(lang, stem), ()))
        return found

    def phrases_in(self, folded: Sequence[str], stems: Sequence[dict[str, str]]) -> dict[tuple[int, int], set[int]]:
        """Multi-word members standing in a run of words: (first, last position) -> groups."""
        self._load()
        found: dict[tuple[int, int], set[int]] = {}
        if not self._phrases:
            return found
        none: frozenset[str] = frozenset()
        openings = self._openings.get("w", none)
        spelt = [word in openings for word in folded]
        by_lang = [(lang, self._openings.get(lang, none)) for lang in LANGS]
        stemmed = [[lang for lang, opening in by_lang if s[lang] in opening] for s in stems]
        for n in (4, 3, 2):
            for i in range(len(folded) - n + 1):
                if not spelt[i] and not stemmed[i]:
                    continue
                hits = set(self._phrases.get(_key("w", *folded[i : i + n]), ())) if spelt[i] else set()
                for lang in stemmed[i]:
                    hits.update(self._phrases.get(_key(lang, *(s[lang] for s in stems[i : i + n])), ()))
                if hits:
                    found[(i, i + n - 1)] = hits
        return found

    def _load(self) -> Sequence[tuple[Member, ...]]:
        if self._groups is not None:
            return self._groups
        name = self._copy_name()
        data = read_copy(name) if name is not None else None
        if data is not None:
            try:
                groups, single, phrases, openings = data
                self._single, self._phrases = _Buckets(single), _Buckets(phrases)
                self._openings = {kind: frozenset(words) for kind, words in openings.items()}
            except (TypeError, ValueError, AttributeError):
                data = None  # not a copy this version wrote: read the files
            else:
                self._groups = _Groups(groups)
                return self._groups
        self._read_files()
        if name is not None:
            write_copy(name, self._data())
        assert self._groups is not None
        return self._groups

    def _copy_name(self) -> str | None:
        """The name of the compiled copy of exactly these files and this stemmer (see compiled_copies.py);
        None without a stemmer version, or where a file cannot be read (read_glossary then names it)."""
        if self._stem_version is None:
            return None
        try:
            contents = [path.read_bytes() for path in self.paths]
        except OSError:
            return None
        return copy_name("glossary", f"{CACHE_FORMAT}/{self._stem_version}".encode(), *contents)

    def _cache_file(self) -> Path | None:
        """Where this process keeps the compiled copy in the temporary folder."""
        name = self._copy_name()
        return temporary_copy(name) if name is not None else None

    def compiled(self) -> tuple[str, bytes]:
        """The compiled copy's file name and contents, for a package to ship beside the code (compiled_copies.PACKAGED):
        a Lambda sandbox starts with an empty temporary folder, so its first question would read the YAML."""
        name = self._copy_name()
        if name is None:
            raise GlossaryError("a glossary without a stemmer version has no compiled copy")
        self._read_files()
        return name, marshal.dumps(self._data())

    def _data(self) -> tuple:
        assert self._groups is not None
        groups = ["\x1e".join(_member_text(m) for m in group) for group in self._groups]
        return (
            groups,
            _Buckets.packed(self._single),
            _Buckets.packed(self._phrases),
            {k: sorted(v) for k, v in self._openings.items()},
        )

    def _read_files(self) -> None:
        groups: list[tuple[Member, ...]] = []
        single: dict[str, set[int]] = {}
        phrases: dict[str, set[int]] = {}
        for path in self.paths:
            for _line, group in read_glossary(path):
                members = tuple(
                    Member(
                        lang,
                        tuple(fold(w) for w in phrase.split()),
                        tuple(self._stem(w.lower(), lang) for w in phrase.split()),
                    )
                    for lang, phrase in group
                )
                gid = len(groups)
                groups.append(members)
                for member in members:
                    table = single if len(member.words) == 1 else phrases
                    table.setdefault(_key("w", *member.words), set()).add(gid)
                    table.setdefault(_key(member.lang, *member.stems), set()).add(gid)
        self._groups = groups
        self._single = {k: tuple(sorted(v)) for k, v in single.items()}
        self._phrases = {k: tuple(sorted(v)) for k, v in phrases.items()}
        openings: dict[str, set[str]] = {}
        for key in phrases:
            kind, words = key.split("\x1f", 1)
            openings.setdefault(kind, set()).add(words.split(" ", 1)[0])
        self._openings = {kind: frozenset(words) for kind, words in openings.items()}


def _key(kind: str, *words: str) -> str:
    """A look-up key: "w" (the spelling) or a language (its stems), then the words."""
    return kind + "\x1f" + " ".join(words)


def _member_text(member: Member) -> str:
    return "\x1f".join((member.lang, " ".join(member.words), " ".join(member.stems)))


def _member(text: str) -> Member:
    lang, words, stems = text.split("\x1f")
    return Member(lang, tuple(words.split(" ")), tuple(stems.split(" ")))


class _Buckets(Mapping[str, tuple[int, ...]]):
    """A look-up table of a compiled copy, kept as buckets (a key's kind and first letter) that are each
    read when a key of theirs is first looked up: a question's words reach a few of a hundred buckets,
    and making all of some 20,000 keys was most of a fresh process's first answer."""

    def __init__(self, packed: dict[str, bytes]) -> None:
        if not all(isinstance(v, bytes) for v in packed.values()):
            raise TypeError("not a table of buckets")
        self._packed = packed
        self._read: dict[str, dict[str, tuple[int, ...]]] = {}

    @staticmethod
    def bucket(key: str) -> str:
        return key[: key.index("\x1f") + 2]

    @classmethod
    def packed(cls, table: Mapping[str, tuple[int, ...]]) -> dict[str, bytes]:
        buckets: dict[str, dict[str, tuple[int, ...]]] = {}
        for key, value in table.items():
            buckets.setdefault(cls.bucket(key), {})[key] = value
        return {name: marshal.dumps(items) for name, items in sorted(buckets.items())}

    def _bucket_of(self, key: str) -> dict[str, tuple[int, ...]]:
        return self._named(self.bucket(key))

    def _named(self, name: str) -> dict[str, tuple[int, ...]]:
        found = self._read.get(name)
        if found is None:
            raw = self._packed.get(name)
            found = self._read[name] = marshal.loads(raw) if raw is not None else {}
        return found

    def __getitem__(self, key: str) -> tuple[int, ...]:
        return self._bucket_of(key)[key]

    def get(self, key: str, default=None):
        # some 150 look-ups per question: the bucket's name and its table without a call in between
        name = key[: key.index("\x1f") + 2]
        found = self._read.get(name)
        if found is None:
            found = self._named(name)
        return found.get(key, default)

    def __iter__(self) -> Iterator[str]:
        for name in self._packed:
            yield from self._named(name)

    def __len__(self) -> int:
        return sum(len(self._named(name)) for name in self._packed)

    def __bool__(self) -> bool:
        return bool(self._packed)


class _Groups(Sequence[tuple[Member, ...]]):
    """The groups of a compiled copy, each made into Members when first asked for: a question reaches a
    few of some thousand groups, and a fresh process need not build them all."""

    def __init__(self, raw: list) -> None:
        self._raw = raw
        self._made: dict[int, tuple[Member, ...]] = {}

    def __len__(self) -> int:
        return len(self._raw)

    @overload
    def __getitem__(self, index: int) -> tuple[Member, ...]: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[tuple[Member, ...]]: ...

    def __getitem__(self, index: int | slice) -> tuple[Member, ...] | Sequence[tuple[Member, ...]]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self._raw)))]
        made = self._made.get(index)
        if made is None:
            made = self._made[index] = tuple(_member(m) for m in self._raw[index].split("\x1e"))
        return made

    def __iter__(self) -> Iterator[tuple[Member, ...]]:
        return (self[i] for i in range(len(self._raw)))


def read_glossary(path: Path) -> list[tuple[int, list[tuple[str, str]]]]:
    """Groups of (lang, phrase) from a glossary file, each with its line number."""
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise GlossaryError(f"{path}: cannot read glossary: {exc.strerror or exc}") from exc
    try:
        root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise GlossaryError(f"{where}: not valid YAML: {getattr(exc, 'problem', exc)}") from exc
    if root is None:
        return []
    if not isinstance(root, yaml.SequenceNode):
        raise GlossaryError(f"{path}:{root.start_mark.line + 1}: expected a list of groups")
    return [(node.start_mark.line + 1, _group(path, node)) for node in root.value]


def _group(path: Path, node) -> list[tuple[str, str]]:
    import yaml

    line = node.start_mark.line + 1
    if not isinstance(node, yaml.MappingNode):
        raise GlossaryError(f"{path}:{line}: a group maps languages (en, de) to words")
    members: list[tuple[str, str]] = []
    for key, value in node.value:
        lang = key.value
        if lang not in LANGS:
            raise GlossaryError(f"{path}:{key.start_mark.line + 1}: unknown language {lang!r} (use en or de)")
        items: Iterable = value.value if isinstance(value, yaml.SequenceNode) else [value]
        for item in items:
            if not isinstance(item, yaml.ScalarNode) or not str(item.value).strip():
                raise GlossaryError(f"{path}:{item.start_mark.line + 1}: expected a word or phrase")
            members.append((lang, str(item.value).strip()))
    if len(members) < 2:
        raise GlossaryError(f"{path}:{line}: a group needs at least two words or phrases")
    return members

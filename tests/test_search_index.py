"""Building, opening and searching a real tantivy index on disk."""

import dataclasses
import hashlib
import json
import os
import random
import re
import shutil
import string
import subprocess
import sys
from pathlib import Path

import pytest
import tantivy

from assistant import search_index
from assistant.analysis import Analyzer
from assistant.documents import Passage
from assistant.search_index import (
    FORMAT_VERSION,
    UNINDEXED,
    IndexBuildError,
    IndexLoadError,
    PassagePreparer,
    SearchIndex,
    build_index,
)

PASSAGES = [
    ("The board: Jens Kleesiek, Felix Nensa and Christin Seifert.", "About us", "Board", "en"),
    ("The Computational Hematology group is led by Dr. Lena Maier-Hein.", "Groups", "Research groups", "en"),
    ("Die Nachwuchsgruppe forscht zu Biosicherheitsstufen im Labor.", "Gruppen", "", "de"),
    ("Our research focuses on medicine and data science.", "Research", "", "en"),
    ("Write to info@example.org or call +49 201 723 0.", "Contact", "Office", "en"),
    ("Der Vorstand trifft sich monatlich.", "Über uns", "Vorstand", "de"),
    ("The cafeteria opens at noon.", "Campus", "", "en"),
]


def make_passages(rows=PASSAGES):
    out = []
    for i, (text, title, heading, lang) in enumerate(rows):
        page = f"https://example.org/p{i}.html"
        out.append(
            Passage(
                id=f"p{i}",
                text=text,
                title=title,
                heading=heading,
                url=page + "#s",
                source=f"p{i}.md",
                line=i + 3,
                lang=lang,
                kind="page",
                page_url=page,
            )
        )
    return out


@pytest.fixture(scope="module")
def analyzer():
    return Analyzer()


@pytest.fixture(scope="module")
def index(tmp_path_factory, analyzer):
    out = tmp_path_factory.mktemp("idx") / "index"
    build_index(make_passages(), out, analyzer, meta={"site": "https://example.org"})
    return SearchIndex.open(out, analyzer)


def ask(index, question, lang=None):
    return [p.id for p, _ in index.search(index.parse(question, lang))]


def test_manifest_describes_the_build(tmp_path, analyzer):
    manifest = build_index(make_passages(), tmp_path / "i", analyzer, meta={"source": "site/"})
    assert manifest["format"] == FORMAT_VERSION
    assert manifest["analyzer"] == analyzer.version
    assert manifest["counts"] == {"pages": 7, "passages": 7}
    assert manifest["meta"] == {"source": "site/"}
    assert len(manifest["content_hash"]) == 64
    assert "meta.json" in manifest["files"]
    on_disk = json.loads((tmp_path / "i" / "manifest.json").read_text())
    assert on_disk == manifest
    # same passages, same content hash
    assert build_index(make_passages(), tmp_path / "j", analyzer)["content_hash"] == manifest["content_hash"]


def test_stored_passage_comes_back_whole(index):
    [(passage, score)] = index.search(index.parse("cafeteria"), limit=1)
    assert "cafeteria" in passage.terms  # the analysed terms come back with it
    assert dataclasses.replace(passage, terms=[]) == make_passages()[6]
    assert score > 0


def test_a_passage_found_again_is_not_read_again_and_the_index_keeps_only_so_many(tmp_path, analyzer, monkeypatch):
    monkeypatch.setattr(search_index, "PASSAGES_KEPT", 2)
    build_index(make_passages(), tmp_path / "i", analyzer)
    index = SearchIndex.open(tmp_path / "i", analyzer)
    [(first, _)] = index.search(index.parse("cafeteria"), limit=1)
    [(again, _)] = index.search(index.parse("When does the cafeteria open?"), limit=1)
    assert again is first  # read from the store and decoded once
    for question in ("board", "research data", "Vorstand", "info@example.org", "Biosicherheitsstufen"):
        assert index.search(index.parse(question), limit=1)
    [(later, _)] = index.search(index.parse("cafeteria"), limit=1)
    assert later == first and later is not first  # let go of for the passages asked since, and read whole again


def test_passages_that_share_a_context_have_it_analysed_once_per_language(analyzer, monkeypatch):
    analysed: list[str] = []
    passage_terms = analyzer.passage_terms

    def counted(text, lang):
        analysed.append(text)
        return passage_terms(text, lang)

    monkeypatch.setattr(analyzer, "passage_terms", counted)
    context = "Quillwort in the ponds"
    prepare = PassagePreparer(analyzer)
    stored = [json.loads(prepare(dataclasses.replace(p, context=context)).blob) for p in make_passages()]
    assert analysed.count(context) == 2  # once for the English passages, once for the German ones
    (quillwort,) = analyzer.index_terms("Quillwort", "en")
    assert all(quillwort in record["terms"] for record in stored if record["lang"] == "en")


def test_the_terms_only_a_context_holds_are_listed_beside_the_index(tmp_path, analyzer):
    passages = make_passages()
    passages[6] = dataclasses.replace(passages[6], context="Quillwort and the campus")  # the cafeteria's page
    manifest = build_index(passages, tmp_path / "i", analyzer)
    assert UNINDEXED in manifest["files"]  # checked with the index's other files when it is opened
    (quillwort,) = analyzer.index_terms("Quillwort", "en")
    assert (tmp_path / "i" / UNINDEXED).read_text().split() == [quillwort]  # "campus" is a title's
    index = SearchIndex.open(tmp_path / "i", analyzer)
    assert index.may_hold(quillwort) and index.may_hold("cafeteria") and index.may_hold("campus")
    assert not index.may_hold("zorfrabul")


def test_a_question_asked_again_makes_no_query_clause_again_and_finds_the_same(tmp_path, analyzer, monkeypatch):
    made: list[str] = []
    term_query = tantivy.Query.term_query

    def counted(schema, field, text, *args, **kwargs):
        made.append(text)
        return term_query(schema, field, text, *args, **kwargs)

    monkeypatch.setattr(tantivy.Query, "term_query", staticmethod(counted))
    build_index(make_passages(), tmp_path / "i", analyzer)
    index = SearchIndex.open(tmp_path / "i", analyzer)
    question = index.parse("When does the cafeteria open?")
    first = [(p.id, s) for p, s in index.search(question)]
    assert "cafeteria" in made
    made.clear()
    assert [(p.id, s) for p, s in index.search(index.parse("When does the cafeteria open?"))] == first
    assert made == []  # every clause (and which fields each word is looked for in) was kept from the first time


def test_len_and_stats(index):
    assert len(index) == 7
    stats = index.stats()
    assert stats["pages"] == 7 and stats["passages"] == 7
    assert stats["meta"] == {"site": "https://example.org"}
    assert stats["format"] == FORMAT_VERSION


def test_german_question_finds_english_passage_through_the_glossary(index):
    hits = ask(index, "Wer ist im Vorstand?")
    assert "p0" in hits and "p5" in hits
    assert hits.index("p5") < hits.index("p0")  # the word itself beats its translation


def test_english_name_in_german_question(index):
    assert ask(index, "Wer leitet Computational Hematology?")[0] == "p1"


def test_english_question_finds_german_compound(index):
    assert ask(index, "Which biosafety levels?")[0] == "p2"
    assert ask(index, "Biosicherheitsstufe")[0] == "p2"
    assert ask(index, "Woran forscht die Nachwuchsgruppe?")[0] == "p2"


def test_email_and_hyphenated_name(index):
    assert ask(index, "info@example.org")[0] == "p4"
    assert ask(index, "Maier-Hein")[0] == "p1"
    assert ask(index, "Hein")[0] == "p1"


def test_typo_is_corrected_from_the_index_vocabulary(index):
    assert ask(index, "Kleesik")[0] == "p0"
    assert ask(index, "Computaional Hematolgy")[0] == "p1"
    assert "kleesiek" in index.vocabulary().suggest("Kleesik")


def test_passage_without_any_query_term_is_never_above_one_with_it(index):
    results = index.search(index.parse("research medicine"), limit=10)
    ids = [p.id for p, _ in results]
    assert ids[0] == "p3"
    assert "p6" not in ids  # shares no word with the question
    assert all(score > 0 for _, score in results)


def test_question_of_stop_words_finds_nothing(index):
    assert index.search(index.parse("Who is the what?")) == []


def test_rebuild_replaces_the_index(tmp_path, analyzer):
    out = tmp_path / "index"
    build_index(make_passages()[:2], out, analyzer)
    build_index(make_passages(), out, analyzer)
    assert len(SearchIndex.open(out, analyzer)) == 7
    assert [p.name for p in tmp_path.iterdir()] == ["index"]  # no leftovers


def test_failed_build_keeps_the_old_index(tmp_path, analyzer):
    out = tmp_path / "index"
    build_index(make_passages(), out, analyzer)

    def broken():
        yield from make_passages()[:3]
        raise RuntimeError("site went away")

    with pytest.raises(RuntimeError, match="site went away"):
        build_index(broken(), out, analyzer)
    idx = SearchIndex.open(out, analyzer)
    assert len(idx) == 7
    assert [p.name for p in tmp_path.iterdir()] == ["index"]


def test_build_refuses_to_overwrite_a_foreign_folder(tmp_path, analyzer):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "notes.txt").write_text("mine")
    with pytest.raises(IndexBuildError, match="docs"):
        build_index(make_passages(), tmp_path / "docs", analyzer)
    assert (tmp_path / "docs" / "notes.txt").read_text() == "mine"


# -- damaged indexes ----------------------------------------------------------


@pytest.fixture
def built(tmp_path, analyzer):
    out = tmp_path / "index"
    build_index(make_passages(), out, analyzer)
    return out


def test_missing_folder(tmp_path):
    with pytest.raises(IndexLoadError, match=r"nowhere.*assistant index"):
        SearchIndex.open(tmp_path / "nowhere")


def test_missing_manifest(built):
    (built / "manifest.json").unlink()
    with pytest.raises(IndexLoadError, match=r"manifest\.json.*assistant index"):
        SearchIndex.open(built)


def test_garbled_manifest(built):
    (built / "manifest.json").write_text('{"kind": "instit')
    with pytest.raises(IndexLoadError, match=r"manifest\.json: unreadable"):
        SearchIndex.open(built)


def test_foreign_folder(tmp_path):
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "index.md").write_text("# hello")
    with pytest.raises(IndexLoadError, match=r"not an index"):
        SearchIndex.open(tmp_path / "site")


def test_older_format_version(built):
    manifest = json.loads((built / "manifest.json").read_text())
    manifest["format"] = FORMAT_VERSION - 1
    (built / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(IndexLoadError, match=rf"manifest\.json: index format {FORMAT_VERSION - 1}.*rebuild"):
        SearchIndex.open(built)


def test_other_analyzer_version(built):
    manifest = json.loads((built / "manifest.json").read_text())
    manifest["analyzer"] = "0"
    (built / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(IndexLoadError, match=r"manifest\.json: built with text analysis version 0"):
        SearchIndex.open(built)


def test_truncated_segment_file(built):
    victim = max((p for p in built.glob("*.store")), key=lambda p: p.stat().st_size)
    data = victim.read_bytes()
    victim.write_bytes(data[: len(data) // 2])
    with pytest.raises(IndexLoadError, match=rf"{victim.name}: .*truncated"):
        SearchIndex.open(built)


def test_corrupt_small_file(built):
    victim = built / "meta.json"
    data = bytearray(victim.read_bytes())
    data[5] ^= 0x01
    victim.write_bytes(bytes(data))
    with pytest.raises(IndexLoadError, match=r"meta\.json: checksum mismatch"):
        SearchIndex.open(built)


def test_missing_segment_file(built):
    victim = next(built.glob("*.idx"))
    victim.unlink()
    with pytest.raises(IndexLoadError, match=rf"{victim.name}: missing"):
        SearchIndex.open(built)


def test_fresh_process_opens_and_answers(built):
    code = (
        "import sys; from assistant.search_index import SearchIndex\n"
        "idx = SearchIndex.open(sys.argv[1])\n"
        "print([p.id for p, _ in idx.search(idx.parse('Wer ist im Vorstand?'))][0])\n"
    )
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run(
        [sys.executable, "-c", code, str(built)],
        capture_output=True,
        text=True,
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        check=True,
    )
    assert out.stdout.strip() == "p5"


def _large_index(out: Path, analyzer) -> Path:
    """An index whose passages' store is over a MiB: random words, which no compressor shrinks much
    (of over 40 letters, so that analysing them is quick)."""
    rng = random.Random(7)
    rows = [
        (" ".join("".join(rng.choices(string.ascii_lowercase, k=120)) for _ in range(300)), f"T{i}", "", "en")
        for i in range(30)
    ]
    build_index(make_passages(PASSAGES + rows), out, analyzer)
    return out


@pytest.mark.parametrize("side_by_side", [False, True], ids=["hashed in turn", "hashed side by side"])
def test_a_corrupt_large_segment_file_is_refused_not_served(tmp_path, analyzer, monkeypatch, side_by_side):
    import assistant.search_index as search_index

    monkeypatch.setattr(search_index, "HASHED_SIDE_BY_SIDE_FROM", 0 if side_by_side else 2**40)
    built = _large_index(tmp_path / "index", analyzer)
    victim = max(built.glob("*.*"), key=lambda p: p.stat().st_size)
    assert victim.stat().st_size > 1 << 20  # over the size up to which files used to be hashed
    with victim.open("r+b") as f:  # 256 bytes flipped in the middle: the size stays the same
        f.seek(victim.stat().st_size // 2)
        block = f.read(256)
        f.seek(-256, os.SEEK_CUR)
        f.write(bytes(b ^ 0xFF for b in block))
    with pytest.raises(IndexLoadError, match=rf"{victim.name}: checksum mismatch \(corrupt\).*assistant index"):
        SearchIndex.open(built, analyzer)


def _edit_manifest(built: Path, edit) -> None:
    manifest = json.loads((built / "manifest.json").read_text())
    edit(manifest)
    (built / "manifest.json").write_text(json.dumps(manifest))


def _set(key, value):
    return lambda manifest: manifest.__setitem__(key, value)


@pytest.mark.parametrize(
    "edit, message",
    [
        (_set("files", []), r"'files' is \[\], not the table of the index's files"),
        (_set("files", None), r"'files' is null, not the table"),
        (_set("files", "meta.json"), r"'files' is \"meta.json\", not the table"),
        (_set("files", {}), r"'files' is \{\}, not the table"),  # used to switch every check off
        (_set("counts", None), r"'counts' is null, not an object with numbers of 'pages' and 'passages'"),
        (_set("counts", {"pages": "7", "passages": 7}), r"'counts' is .*not an object with numbers"),
        (_set("built_at", 20260101), r"'built_at' is 20260101, not a string"),
        (_set("meta", []), r"'meta' is \[\], not an object"),
        (_set("analyzer", 6), r"'analyzer' is 6, not a text analysis version \(a string\)"),
        (lambda m: m["files"]["meta.json"].__setitem__("size", "12"), r"'files' gives 'meta.json' .*not a size"),
        (lambda m: m["files"].__setitem__("meta.json", None), r"'files' gives 'meta.json' null, not a size"),
        (lambda m: m["files"].pop("vocab/meta.json"), r"'files' lacks 'vocab/meta.json'"),
    ],
)
def test_a_manifest_field_of_the_wrong_type_is_refused_with_its_name(built, edit, message):
    _edit_manifest(built, edit)
    with pytest.raises(IndexLoadError, match=rf"manifest\.json: {message}.*assistant index"):
        SearchIndex.open(built)


@pytest.mark.parametrize("name", ["../outside.txt", "../../outside.txt", "/etc/hostname", "vocab/../../outside.txt"])
def test_a_manifest_cannot_name_a_file_outside_the_index(built, name):
    outside = built.parent / "outside.txt"
    outside.write_text("a file of this machine")
    entry = {"size": outside.stat().st_size, "sha256": hashlib.sha256(outside.read_bytes()).hexdigest()}
    _edit_manifest(built, lambda m: m["files"].__setitem__(name, entry))
    with pytest.raises(IndexLoadError, match=rf"'files' names '{re.escape(name)}', which is not a file inside"):
        SearchIndex.open(built)


def test_a_file_inside_the_index_that_leads_outside_is_refused(built):
    outside = built.parent / "outside.txt"
    outside.write_text("a file of this machine")
    (built / "notes.txt").symlink_to(outside)
    entry = {"size": outside.stat().st_size, "sha256": hashlib.sha256(outside.read_bytes()).hexdigest()}
    _edit_manifest(built, lambda m: m["files"].__setitem__("notes.txt", entry))
    with pytest.raises(IndexLoadError, match=r"notes\.txt: leads outside"):
        SearchIndex.open(built)


def test_a_segment_file_the_manifest_does_not_list_is_refused(built):
    victim = next(built.glob("*.idx"))
    _edit_manifest(built, lambda m: m["files"].pop(victim.name))
    with pytest.raises(IndexLoadError, match=rf"{victim.name}: not listed in .*manifest\.json"):
        SearchIndex.open(built)


def test_a_corrupt_vocabulary_is_refused_when_the_index_is_opened(built):
    victim = max((built / "vocab").glob("*.term"), key=lambda p: p.stat().st_size)
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0x01
    victim.write_bytes(bytes(data))
    with pytest.raises(IndexLoadError, match=rf"vocab/{victim.name}: checksum mismatch"):
        SearchIndex.open(built)


def test_an_index_swapped_in_later_is_not_read_by_an_index_opened_before(tmp_path, analyzer):
    """`assistant index --out` swaps a new index in while the server answers from the old one: the
    old one's words (for typo correction) must stay the old index's, however late they are first asked."""
    out = tmp_path / "index"
    build_index(make_passages(), out, analyzer)
    opened = SearchIndex.open(out, analyzer)
    build_index(make_passages([("Kleeblatt und Klee im Garten.", "Garten", "", "de")]), out, analyzer)
    assert opened.vocabulary().suggest("Kleesik") == ["kleesiek"]
    assert ask(opened, "Kleesik")[0] == "p0"
    assert "kleeblatt" not in [t for t, _ in opened._searcher.terms_with_prefix("exact", "klee")]
    assert SearchIndex.open(out, analyzer).vocabulary().suggest("Kleeblat") == ["kleeblatt"]


def _read_only_mount(folder: Path, code: str) -> subprocess.CompletedProcess:
    """Run `code` in a fresh interpreter that sees `folder` mounted read-only (a mount namespace of its own)."""
    if shutil.which("unshare") is None or subprocess.run(["unshare", "-m", "true"], capture_output=True).returncode:
        pytest.skip("this machine allows no private mount namespace (unshare -m)")
    script = f'mount --bind "{folder}" "{folder}" && mount -o remount,bind,ro "{folder}" && exec "$@"'
    root = Path(__file__).resolve().parents[1]
    return subprocess.run(
        ["unshare", "-m", "sh", "-c", script, "sh", sys.executable, "-c", code, str(folder)],
        capture_output=True,
        text=True,
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root), "TMPDIR": str(folder.parent)},
    )


READ_ONLY_ANSWER = (
    "import sys, pathlib\n"
    "from assistant.search_index import SearchIndex\n"
    "try:\n"
    "    pathlib.Path(sys.argv[1], 'probe').touch()\n"
    "except OSError:\n"
    "    pass\n"
    "else:\n"
    "    sys.exit('the index folder is writable: no read-only mount')\n"
    "idx = SearchIndex.open(sys.argv[1])\n"
    "print([p.id for p, _ in idx.search(idx.parse('Kleesik'))][0], idx.vocabulary().suggest('Kleesik'))\n"
)


def test_an_index_on_a_read_only_mount_is_served(tmp_path, analyzer):
    out = tmp_path / "ro" / "index"
    build_index(make_passages(), out, analyzer)
    before = sorted((p.name, p.stat().st_mtime_ns) for p in out.rglob("*"))
    for run in ("first", "again, from the copy already made"):
        done = _read_only_mount(out, READ_ONLY_ANSWER)
        assert done.returncode == 0, f"{run}: {done.stderr[-2000:]}"
        assert done.stdout.split(None, 1) == ["p0", "['kleesiek']\n"], run
    assert sorted((p.name, p.stat().st_mtime_ns) for p in out.rglob("*")) == before


def test_a_read_only_index_is_opened_through_links_not_copied(tmp_path, analyzer):
    out = tmp_path / "ro" / "index"
    build_index(make_passages(), out, analyzer)
    assert _read_only_mount(out, READ_ONLY_ANSWER).returncode == 0
    [room] = [p for p in (tmp_path / "ro").iterdir() if p.name.startswith("assistant-index-")]
    linked = [p for p in room.rglob("*") if p.is_symlink()]
    assert linked and all(p.resolve().is_relative_to(out.resolve()) for p in linked)
    assert not [p for p in room.rglob("*") if p.is_file() and not p.is_symlink() and not p.name.endswith(".lock")]


def test_a_tampered_link_room_of_a_read_only_index_is_made_again(tmp_path, analyzer):
    out = tmp_path / "ro" / "index"
    build_index(make_passages(), out, analyzer)
    assert _read_only_mount(out, READ_ONLY_ANSWER).returncode == 0
    [room] = [p for p in (tmp_path / "ro").iterdir() if p.name.startswith("assistant-index-")]
    victim = next(room.glob("*.store"))
    forged = tmp_path / "forged.store"
    forged.write_bytes(b"\0" * victim.resolve().stat().st_size)
    victim.unlink()
    victim.symlink_to(forged)
    done = _read_only_mount(out, READ_ONLY_ANSWER)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("p0 ")
    assert next(room.glob("*.store")).resolve().is_relative_to(out.resolve())


def _hashed_files(monkeypatch) -> list[str]:
    from assistant import search_index

    hashed: list[str] = []
    real = search_index._sha256
    monkeypatch.setattr(search_index, "_sha256", lambda path: hashed.append(path.name) or real(path))
    return hashed


def test_an_unchanged_index_is_not_hashed_again(built, monkeypatch):
    hashed = _hashed_files(monkeypatch)
    SearchIndex.open(built)
    assert "meta.json" in hashed
    hashed.clear()
    index = SearchIndex.open(built)
    assert hashed == []
    assert [p.id for p, _ in index.search(index.parse("Wer ist im Vorstand?"))][0] == "p5"


def test_a_file_changed_after_a_checked_open_is_checked_again(built, monkeypatch):
    SearchIndex.open(built)
    victim = max(built.glob("*.store"), key=lambda p: p.stat().st_size)
    stamp = (victim.stat().st_mtime_ns, victim.stat().st_size)
    with victim.open("r+b") as f:  # same size; the modification time put back as it was
        f.seek(victim.stat().st_size // 2)
        byte = f.read(1)
        f.seek(-1, os.SEEK_CUR)
        f.write(bytes([byte[0] ^ 0xFF]))
    os.utime(victim, ns=(stamp[0], stamp[0]))
    with pytest.raises(IndexLoadError, match=rf"{victim.name}: checksum mismatch"):
        SearchIndex.open(built)


def test_a_stamp_others_may_write_is_not_trusted(built, monkeypatch):
    from assistant import search_index

    SearchIndex.open(built)
    manifest = json.loads((built / "manifest.json").read_text())
    search_index._stamp_file(built, manifest).chmod(0o666)
    hashed = _hashed_files(monkeypatch)
    SearchIndex.open(built)
    assert "meta.json" in hashed


def test_a_search_for_new_passages_skips_those_an_earlier_search_read(index):
    question = index.parse("research group board medicine")
    fetched: dict = {}
    first = index.search(question, limit=2, fetched=fetched)
    everything = [p.id for p, _ in index.search(question, limit=10)]
    more = index.search(question, limit=10, fetched=fetched, new=1)
    assert len(fetched) == 3  # the earlier two and one more, not all that match
    assert [p.id for p, _ in more] == [i for i in everything if i not in {p.id for p, _ in first}][:1]

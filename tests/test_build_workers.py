"""Building with worker processes gives the same index as building in one process."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from pathlib import Path

import pytest
import tantivy
import yaml
from conftest import LONG_PATIENCE, write_site

from assistant.answer import Assistant, answer_to_json
from assistant.build import CHUNK_PAGES, _Shared, _widen_pipe, index_site
from assistant.search_index import SearchIndex

ROOT = Path(__file__).resolve().parents[1]
GENERATOR = ROOT / "benchmarks" / "generate_site.py"
FIELDS = ("title", "heading", "body", "exact")


def field_terms(folder: Path) -> dict[str, list[tuple[str, int]]]:
    """Every indexed term of every field with its document frequency."""
    searcher = tantivy.Index.open(str(folder)).searcher()
    return {name: list(searcher.terms_with_prefix(name, "")) for name in FIELDS}


def test_two_workers_build_the_same_index_as_one(tmp_path):
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, str(GENERATOR), "--passages", "1500", "--out", str(site), "--seed", "3"],
        check=True,
        capture_output=True,
        text=True,
        timeout=LONG_PATIENCE,
    )
    # a page that cannot be rendered is reported the same way by both builds
    (site / "broken.md").write_text("---\ntitle: Broken\n---\n{% if %}\n", encoding="utf-8")

    one = index_site(site, tmp_path / "one", workers=1)
    two = index_site(site, tmp_path / "two", workers=2)

    assert one.documents > 2 * CHUNK_PAGES  # enough pages for both workers to get some
    assert two.manifest["content_hash"] == one.manifest["content_hash"]
    assert two.manifest["counts"] == one.manifest["counts"]
    assert two.manifest["meta"] == one.manifest["meta"]
    assert (two.documents, two.passages) == (one.documents, one.passages)
    assert [str(p) for p in two.problems] == [str(p) for p in one.problems]
    assert any("broken.md" in str(p) for p in two.problems)
    assert field_terms(tmp_path / "two") == field_terms(tmp_path / "one")

    questions = [q["question"] for q in yaml.safe_load((site / "queries.yaml").read_text(encoding="utf-8"))][:15]
    first, second = Assistant(SearchIndex.open(tmp_path / "one")), Assistant(SearchIndex.open(tmp_path / "two"))
    for question in questions:
        assert answer_to_json(second.answer(question)) == answer_to_json(first.answer(question))


def test_a_listing_page_shows_what_the_pages_before_it_became_however_many_processes_convert_them(tmp_path):
    posts = {
        f"_posts/2020-0{n}-01-note-{n}.md": f"---\ntitle: Note {n}\n---\nThe **dune survey** number {n} went well.\n\n"
        f"- first item of note {n}\n- second item of note {n}\n"
        for n in range(1, 8)
    }
    site = write_site(
        tmp_path / "site",
        {
            "_config.yml": "title: Shore Lab\nurl: https://shore.example.org\n",
            "index.md": "---\ntitle: Shore Lab\n---\nThe Shore Lab studies dunes.\n",
            # Liquid in a post: rendered in its turn, after the posts before it
            "_posts/2020-09-01-liquid.md": "---\ntitle: Liquid note\n---\n{{ site.title }} counts *{{ site.posts | size }}* notes.\n",
            "news.html": "---\ntitle: News\n---\n{% for post in site.posts %}<h2>{{ post.title }}</h2>"
            "{{ post.excerpt }}<div>{{ post.content | strip_html | truncatewords: 4 }}</div>{% endfor %}\n",
            **posts,
        },
    )
    one = index_site(site, tmp_path / "one", workers=1)
    two = index_site(site, tmp_path / "two", workers=2)
    assert two.manifest["content_hash"] == one.manifest["content_hash"]
    news = [p.text for p in SearchIndex.open(tmp_path / "two").passages() if p.url.endswith("/news.html")]
    shown = " ".join(news)
    assert "The dune survey number 3 went well." in shown  # the post's Markdown, converted, not its source
    assert "**" not in shown
    assert "Shore Lab counts 8 notes." in shown


def test_the_first_pass_holds_no_html_of_a_page_no_listing_shows(tmp_path):
    from assistant.render import SiteRendering
    from assistant.site import load_site

    site = write_site(
        tmp_path / "site",
        {
            "_config.yml": "title: Shore Lab\nurl: https://shore.example.org\n",
            "_posts/2020-01-01-shown.md": "---\ntitle: Shown\n---\nThe **shown** note.\n",
            "quiet.md": "---\ntitle: Quiet\n---\nA *quiet* page that no listing shows.\n",
            "news.html": "---\ntitle: News\n---\n{% for post in site.posts %}{{ post.content }}{% endfor %}\n",
        },
    )
    rendering = SiteRendering(load_site(site))
    held = {rendering.ordered[i][0].path: rendering.converted[i] for i in rendering.converted}
    assert "<strong>shown</strong>" in str(held["news.html"])  # the listing read the post's HTML
    assert not isinstance(held["quiet.md"], str)  # converted only when its own page is laid out
    quiet = next(i for i in rendering.pending if rendering.ordered[i][0].path == "quiet.md")
    assert "<em>quiet</em>" in rendering.document(quiet).html


def _double(n: int) -> int:
    return 2 * n


@pytest.mark.skipif(not hasattr(fcntl, "F_GETPIPE_SZ"), reason="pipe sizes are set on Linux only")
def test_a_worker_hands_over_a_whole_chunk_of_results_in_one_write():
    shared = _Shared(_double, list(range(5)), workers=2)
    try:
        assert list(shared) == [0, 2, 4, 6, 8]
        held = fcntl.fcntl(shared._writer.fileno(), fcntl.F_GETPIPE_SZ)
    finally:
        shared.close()
    chunk = 300_000  # what 24 pages' passages pickle to, give or take
    assert held >= chunk

    read_end, write_end = os.pipe()
    try:
        _widen_pipe(write_end)
        os.set_blocking(write_end, False)
        # a pipe as the system makes it would take 64 KB of this and make the writer wait for the rest
        assert os.write(write_end, b"x" * chunk) == chunk
    finally:
        os.close(read_end)
        os.close(write_end)


SHORE_LAB = {
    "_config.yml": "title: Shore Lab\nurl: https://shore.example.org\n",
    "_posts/2020-01-01-shown.md": "---\ntitle: Shown\n---\nThe **shown** note.\n",
    "_posts/2020-02-01-liquid.md": "---\ntitle: Counted\n---\n{{ site.title }} has *{{ site.posts | size }}* notes.\n",
    "quiet.md": "---\ntitle: Quiet\n---\nA *quiet* page that no listing shows.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
    "deep.md": "---\ntitle: Deep\n---\n" + "> " * 40 + "deep\n",
    "news.html": "---\ntitle: News\n---\n{% for post in site.posts %}{{ post.content }}{% endfor %}\n",
}


def test_bodies_converted_ahead_by_another_process_lay_out_as_this_one_would(tmp_path):
    from assistant.build import _ConvertedAhead
    from assistant.render import SiteRendering
    from assistant.site import load_site

    site = write_site(tmp_path / "site", SHORE_LAB)
    ahead = _ConvertedAhead(load_site(site))
    try:
        converted = ahead.collect(finish=True)
    finally:
        ahead.close()
    # Markdown bodies without Liquid only, whatever process reads them: the post with Liquid is rendered in turn
    assert sorted(path for _, path, _ in converted) == ["_posts/2020-01-01-shown.md", "deep.md", "quiet.md"]

    plain, helped = SiteRendering(load_site(site)), SiteRendering(load_site(site))
    assert helped.keep_html(converted) == 2  # the listing had converted the post it shows already
    for index in plain.pending:
        expected, got = plain.document(index), helped.document(index)
        assert (got.url, got.html) == (expected.url, expected.html)
    quiet = next(i for i in helped.pending if helped.ordered[i][0].path == "quiet.md")
    assert "<em>quiet</em>" in helped.document(quiet).html


def test_html_converted_for_another_page_is_not_taken(tmp_path):
    from assistant.render import SiteRendering
    from assistant.site import load_site

    rendering = SiteRendering(load_site(write_site(tmp_path / "site", SHORE_LAB)))
    quiet = next(i for i in rendering.pending if rendering.ordered[i][0].path == "quiet.md")
    assert rendering.keep_html([(quiet, "deep.md", "<p>not the quiet page</p>"), (10_000, "quiet.md", "<p/>")]) == 0
    assert "not the quiet page" not in rendering.document(quiet).html

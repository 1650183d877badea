"""Layout constructs of a popular theme, each rebuilt on a tiny site of our own."""

from __future__ import annotations

from conftest import write_site

from assistant.passages import passages_from_document
from assistant.render import render_site
from assistant.site import load_site


def test_related_posts_appended_by_the_layout_are_not_the_posts_text(tmp_path):
    site = write_site(
        tmp_path,
        {
            "_config.yml": "title: Lab\nurl: https://lab.example.org\n",
            "_layouts/post.html": """\
            <html><body>
            <div id="main" role="main">
              <article class="page"><h1>{{ page.title }}</h1>
                <section class="page__content">{{ content }}</section>
              </article>
              <div class="page__related">
                <h4>You may also enjoy</h4>
                {% for post in site.posts %}{% if post.url != page.url %}
                  <h2><a href="{{ post.url }}">{{ post.title }}</a></h2><p>{{ post.excerpt | strip_html }}</p>
                {% endif %}{% endfor %}
              </div>
            </div>
            </body></html>
            """,
            "_posts/2021-05-01-glaciers.md": "---\nlayout: post\ntitle: Glacier survey\n---\nWe measured glacier retreat in the Alps.\n",
            "_posts/2021-06-01-rivers.md": "---\nlayout: post\ntitle: River survey\n---\nWe sampled sediment in the Rhine.\n",
        },
    )
    documents, problems = render_site(load_site(site))
    assert not problems, problems
    glaciers = next(d for d in documents if d.source.endswith("glaciers.md"))
    text = "\n".join(p.text for p in passages_from_document(glaciers))
    assert "glacier retreat" in text
    assert "Rhine" not in text
    assert "also enjoy" not in text

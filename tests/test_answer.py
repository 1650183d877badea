"""Answers as a user meets them: quotes, links, languages, typos, follow-ups, abstention."""

from __future__ import annotations

import pytest

from assistant.answer import Assistant, answer_to_json


@pytest.fixture(scope="module")
def assistant(tmp_path_factory):
    from conftest import TINY_SITE, write_site

    from assistant.build import index_site

    root = tmp_path_factory.mktemp("answer")
    site = write_site(root / "site", TINY_SITE)
    index_site(site, root / "index")
    return Assistant.open(root / "index")


def ask(assistant, question, history=None):
    return answer_to_json(assistant.answer(question, history))


def test_board_list_is_quoted_whole_with_the_page_link(assistant):
    result = ask(assistant, "Who sits on the board?")
    top = result["passages"][0]
    assert "Ada Lovelace" in top["quote"] and "Alan Turing" in top["quote"]
    assert "Grace Hopper" not in top["quote"]
    assert top["url"].startswith("https://example.org/#") or top["url"].startswith("https://example.org/index")
    assert top["kind"] in ("data", "page")


def test_quotes_are_verbatim_from_the_page(assistant):
    result = ask(assistant, "Where is the office?")
    quote = result["passages"][0]["quote"]
    assert quote in assistant.index.search(assistant.parse("Where is the office?"), 5)[0][0].text


def test_link_without_anchor_carries_a_text_fragment(assistant):
    result = ask(assistant, "When was the symposium on medical imaging?")
    top = result["passages"][0]
    assert "27 June 2024" in top["quote"]
    assert "#:~:text=" in top["url"] or "#" in top["url"]


def test_typos_in_words_and_names_are_tolerated(assistant):
    assert "Lovelace" in ask(assistant, "Who is Ada Lovelance?")["passages"][0]["quote"]
    assert "symposium" in ask(assistant, "When was the symposiun?")["passages"][0]["quote"]


def test_german_question_finds_english_text_through_the_glossary(assistant):
    result = ask(assistant, "Wer ist im Vorstand?")
    assert not result["abstained"]
    assert "Ada Lovelace" in result["passages"][0]["quote"]


def test_follow_up_uses_the_history(assistant):
    alone = ask(assistant, "How many guests came to it?")
    follow = ask(assistant, "How many guests came to it?", ["Tell me about the symposium on medical imaging"])
    assert "two hundred" in follow["passages"][0]["quote"]
    assert follow["passages"][0]["url"] != (alone["passages"] or [{"url": ""}])[0]["url"] or alone["abstained"] is False


def test_follow_ups_to_one_question_rank_that_question_once(assistant):
    earlier = "Tell me about the symposium on medical imaging"

    class Counting(Assistant):
        def rank(self, understanding, *args, **kwargs):
            ranked.append(understanding.question)
            return super().rank(understanding, *args, **kwargs)

    ranked: list[str] = []
    counting = Counting(assistant.index, assistant.analyzer)
    follow_ups = ["How many guests came to it?", "When was it?", "How many guests came to it?"]
    answers = [answer_to_json(counting.answer(q, [earlier])) for q in follow_ups]
    assert ranked.count(earlier) == 1
    # what was remembered is what ranking the earlier question again gives
    fresh = [answer_to_json(Assistant(assistant.index, assistant.analyzer).answer(q, [earlier])) for q in follow_ups]
    assert answers == fresh
    assert "two hundred" in answers[0]["passages"][0]["quote"]


@pytest.mark.parametrize(
    "question",
    [
        "What is the current exchange rate between the euro and the US dollar?",
        "Welche Nebenwirkungen hat Metformin?",
        "Can you recommend a hotel near the central station?",
        "What is the weather tomorrow?",
        "What is the best treatment for a common cold?",
    ],
)
def test_questions_the_site_does_not_answer_are_abstained(assistant, question):
    result = ask(assistant, question)
    assert result["abstained"] is True
    assert result["answer"]


def test_a_question_answered_by_one_passage_is_not_abstained(assistant):
    result = ask(assistant, "Which email address is for appointments?")
    assert not result["abstained"]
    assert "office@example.org" in result["passages"][0]["quote"]


def test_one_passage_per_section(assistant):
    result = ask(assistant, "institute board symposium office")
    sections = [(p["url"].split("#:~")[0], p.get("heading")) for p in result["passages"]]
    assert len(sections) == len(set(sections))


def test_the_shape_of_the_answer_asked_for():
    from assistant.question import answer_shape

    assert answer_shape("When was the institute founded?").fits("It was founded in 2019.")
    assert not answer_shape("When was the institute founded?").fits("It was founded long ago.")
    assert answer_shape("Wer leitet die Gruppe?").fits("Leitung: Prof. Dr. Jane Roe")
    assert answer_shape("Wo sitzt die Gruppe?").fits("Haus 2, 45131 Essen")
    assert answer_shape("How many students are there?").fits("twelve students")
    assert answer_shape("What is CityJSON?").fits("CityJSON is a JSON encoding")
    assert answer_shape("Which journal?") is None


def test_a_price_the_site_does_not_state_is_declined_although_the_event_is_on_the_site(assistant):
    assert not ask(assistant, "When was the symposium on medical imaging?")["abstained"]
    for question in ("How much does the symposium on medical imaging cost?", "Was kostet das Symposium?"):
        assert ask(assistant, question)["abstained"] is True


def test_a_phone_number_the_site_does_not_give_is_declined_but_its_email_is_quoted(assistant):
    assert ask(assistant, "What is the phone number of the office?")["abstained"] is True
    found = ask(assistant, "What is the e-mail address of the office?")
    assert not found["abstained"] and "office@example.org" in found["passages"][0]["quote"]


def test_how_many_needs_a_number_next_to_what_is_counted(assistant):
    found = ask(assistant, "How many guests came to the symposium on medical imaging?")
    assert not found["abstained"] and "two hundred" in found["passages"][0]["quote"]
    assert ask(assistant, "How many doctors work in the office?")["abstained"] is True


def test_pages_made_from_one_template_do_not_crowd_out_the_page_that_answers(tmp_path):
    from conftest import open_site_with_news

    people = "\n".join(
        f"- key: person{n}\n  fullname: Member Number{n}\n  hours: Tuesdays from {8 + n % 5} o'clock" for n in range(60)
    )
    assistant = open_site_with_news(
        tmp_path,
        {
            "_config.yml": "url: https://example.org\npage_gen:\n  - data: team\n    template: profile\n    name: key\n",
            "_data/team.yml": people,
            "_layouts/profile.html": (
                "<h1>{{ page.fullname }}</h1>\n<p>Office hours: {{ page.hours }}; phone the secretariat.</p>\n"
            ),
            "contact.md": (
                "---\ntitle: Kontakt\nlang: de\n---\n## Anschrift und Zeiten\n\n"
                "Das Sekretariat ist von Montag bis Donnerstag, 8 bis 12 Uhr, geöffnet.\n"
            ),
        },
        news=300,
    )
    # sixty profile pages say "Office hours" and "secretariat"; the secretariat's hours stand on one
    # page, in German: that page is still among the passages weighed
    weighed = assistant.explain("What are the office hours of the secretariat?").candidates
    assert any("Montag bis Donnerstag" in c.passage.text for c in weighed)


def test_a_quoted_sentence_that_ends_with_a_colon_goes_on_to_what_it_introduces(tmp_path):
    from conftest import open_site_with_news

    assistant = open_site_with_news(
        tmp_path,
        {
            "research.md": (
                "---\ntitle: Research\n---\n## Research\n\n"
                "### Our central research focus is this one:\n\n"
                "#### Quantum Gardening\n\n"
                "It covers plants, light and patience in greenhouses of every size and shape. Everyone here has "
                "studied it for years, in the summer and in the winter. Visitors are welcome on most weekdays. "
                "The lab was founded in 1990 and has grown ever since. It works with partners in the region "
                "and abroad, from small farms to large botanical gardens.\n"
            ),
        },
    )
    quote = ask(assistant, "What is the central research focus?")["passages"][0]["quote"]
    assert "central research focus" in quote and "Quantum Gardening" in quote


def test_the_next_section_beside_a_hit_that_matches_alike_is_shown_with_it(tmp_path):
    from conftest import open_site_with_news

    assistant = open_site_with_news(
        tmp_path,
        {
            "english.md": (
                "---\ntitle: Courses in English\n---\n## Foreign language courses\n\n"
                "Foreign language courses of the whole university, in English, are listed in the catalogue.\n"
            ),
            "studies.md": (
                "---\ntitle: Studies\n---\n## Languages\n\n### French\n\n"
                "Courses: business correspondence; oral communication.\n\n"
                "### Spanish\n\n"
                "Courses: business Spanish I and II; planning international projects; a case study; oral "
                "communication; Spanish for engineers; intercultural skills; a semester project with a partner "
                "school in Spain; reading newspapers; writing letters and reports; presenting results; a week "
                "of field work in a Spanish company; an exam at the end of the term, written or oral.\n"
            ),
        },
        news=40,
    )
    result = ask(assistant, "In which languages are there courses?")
    urls = [p["url"] for p in result["passages"]]
    assert any(u.endswith("#french") for u in urls) and any(u.endswith("#spanish") for u in urls)


def test_a_list_made_of_cards_is_quoted_as_one_hit_in_the_order_of_the_page(tmp_path):
    from conftest import open_site_with_news

    cards = [("Mastodon", "posts, boosts, followers"), ("Reddit", "comments, votes"), ("Spotify", "listening history"),
             ("Strava", "routes, activities"), ("Discord", "server messages"), ("Tumblr", "posts, likes"),
             ("Pinterest", "pins, boards")]  # fmt: skip
    page = "---\ntitle: Export tools\n---\n## Supported platforms\n\n" + "".join(
        f"### {name}\n\n{what}\n\n" for name, what in cards
    )
    assistant = open_site_with_news(tmp_path, {"tools.md": page}, news=40)
    result = ask(assistant, "Which platforms are supported by the export tools?")
    quote = result["passages"][0]["quote"] if "Mastodon" in result["passages"][0]["quote"] else ""
    places = [quote.find(name) for name, _ in cards]
    assert -1 not in places, quote
    assert places == sorted(places)  # as the page shows them, not as they ranked


def test_a_paraphrase_that_matches_two_words_is_answered_and_one_word_is_not_enough(tmp_path):
    from conftest import open_site_with_news

    page = (
        "---\ntitle: Activities\n---\n## Meetings\n\nAfter the relaunch in June 2025 the working group meets "
        "online every two months, and in person once a year.\n"
    )
    assistant = open_site_with_news(tmp_path, {"activities.md": page}, news=40)
    # "makeover", "orchestra" and "collective" are not on the site and weigh much: "meet" and "online" are there
    paraphrase = assistant.explain("How often do we meet online since the makeover of the orchestra collective?")
    assert paraphrase.candidates[0].coverage < 0.4
    assert not paraphrase.answer.abstained
    assert "every two months" in paraphrase.answer.hits[0].quote.text
    one_word = assistant.explain("Is the orchestra streamed online?")
    assert one_word.candidates[0].coverage > paraphrase.candidates[0].coverage
    assert one_word.answer.abstained


def test_a_word_that_frames_the_question_is_not_taken_for_a_name_the_site_lacks(tmp_path):
    from conftest import open_site_with_news

    assistant = open_site_with_news(
        tmp_path,
        {
            "gruppe.md": (
                "---\ntitle: Forschungsgruppe\nlang: de\n---\n"
                "Die Forschungsgruppe QUIRL – Quantitative Untersuchungen im Regionalen Lernen – ist eine "
                "Einrichtung des Instituts für Bildung.\n"
            ),
        },
        lang="de",
    )
    # "Name" stands nowhere on the site; it says how the question is put, not what it is about
    result = ask(assistant, "Wofür steht der Name QUIRL eigentlich?")
    assert not result["abstained"] and "Quantitative Untersuchungen" in result["passages"][0]["quote"]
    query = assistant.understand("Wofür steht der Name QUIRL eigentlich?").query
    weights = dict(zip([t.word for t in query.terms], assistant.term_weights(query), strict=True))
    assert weights["Name"] <= weights["steht"] < weights["QUIRL"]  # a frame word, like "steht"


def test_the_quote_is_not_chosen_by_the_words_that_frame_the_question(tmp_path):
    from conftest import open_site_with_news

    assistant = open_site_with_news(
        tmp_path,
        {
            "gruppe.md": (
                "---\ntitle: Forschungsgruppe QUIRL\nlang: de\n---\n"
                "Die Forschungsgruppe QUIRL – Quantitative Untersuchungen im Regionalen Lernen – ist eine "
                "Einrichtung des Instituts für Bildung an der Hochschule. Sie wurde vor vielen Jahren gegründet. "
                "Sie arbeitet mit Schulen der ganzen Region zusammen und berät Lehrkräfte. Viele Studierende "
                "schreiben dort ihre Abschlussarbeiten, und jedes Jahr kommen neue Gäste aus dem Ausland. Die "
                "Gruppe lädt zweimal im Jahr zu einer Tagung ein, die allen Interessierten offensteht. Im "
                "Mittelpunkt stehen derzeit digitale Medien im Unterricht, das Lernen im Alter und die Bildung "
                "in ländlichen Räumen.\n"
            ),
        },
        lang="de",
    )
    quote = ask(assistant, "Wofür steht der Name QUIRL eigentlich?")["passages"][0]["quote"]
    assert "Quantitative Untersuchungen" in quote


def test_an_answer_that_abstains_chooses_no_quote(assistant, monkeypatch):
    quoted: list[str] = []
    quote = Assistant.quote

    def counted(self, passage, *args, **kwargs):
        quoted.append(passage.text)
        return quote(self, passage, *args, **kwargs)

    monkeypatch.setattr(Assistant, "quote", counted)
    explained = assistant.explain("Does the institute work on Zorfrabul?")
    assert explained.answer.abstained and explained.candidates  # passages were ranked, none covers the question
    assert quoted == []
    assert not assistant.answer("Who sits on the board?").abstained and quoted  # an answer still quotes


POND_SITE = {
    "_config.yml": "title: Pond Lab\nurl: https://pond.example.org\n",
    "index.md": "---\ntitle: Pond Lab\n---\nThe Pond Lab studies the plants of small ponds and the insects on them.\n",
    "ferns.md": "---\ntitle: Water ferns\ndescription: Notes on Quillwort\n---\n"
    "The lab keeps a collection of water ferns from ponds in the region.\n",
}


def _counting_searches(monkeypatch) -> list:
    from assistant.search_index import SearchIndex

    searches: list = []
    search = SearchIndex.search

    def counted(self, *args, **kwargs):
        searches.append(args)
        return search(self, *args, **kwargs)

    monkeypatch.setattr(SearchIndex, "search", counted)
    return searches


def test_a_question_about_what_the_site_never_names_is_abstained_without_a_search(tmp_path, monkeypatch):
    from conftest import write_site

    from assistant.build import index_site

    index_site(write_site(tmp_path / "site", POND_SITE), tmp_path / "index")
    assistant = Assistant.open(tmp_path / "index")
    searches = _counting_searches(monkeypatch)

    assert assistant.answer("Does the lab study Zorfrabul?").abstained
    assert searches == []
    assert assistant.explain("Does the lab study Zorfrabul?").candidates  # explaining still shows what was found
    searches.clear()
    assistant.answer("Does the lab study Quillwort?")  # a word only a page's description holds
    assert searches


def test_an_index_built_without_its_context_terms_listed_searches_every_question(tmp_path, monkeypatch):
    import json

    from conftest import write_site

    from assistant.build import index_site
    from assistant.search_index import UNINDEXED

    index_site(write_site(tmp_path / "site", POND_SITE), tmp_path / "index")
    manifest_file = tmp_path / "index" / "manifest.json"
    manifest = json.loads(manifest_file.read_text())
    del manifest["files"][UNINDEXED]
    manifest_file.write_text(json.dumps(manifest))
    (tmp_path / "index" / UNINDEXED).unlink()
    assistant = Assistant.open(tmp_path / "index")
    searches = _counting_searches(monkeypatch)

    assert assistant.answer("Does the lab study Zorfrabul?").abstained
    assert searches  # it cannot tell what no passage holds, so it looks


def test_a_question_offered_instead_is_checked_with_one_quote(assistant, monkeypatch):
    quoted: list[str] = []
    asked: list[str] = []
    quote, explain = Assistant.quote, Assistant.explain

    def counted_quote(self, passage, *args, **kwargs):
        quoted.append(passage.text)
        return quote(self, passage, *args, **kwargs)

    def counted_explain(self, question, *args, **kwargs):
        asked.append(question)
        return explain(self, question, *args, **kwargs)

    monkeypatch.setattr(Assistant, "quote", counted_quote)
    monkeypatch.setattr(Assistant, "explain", counted_explain)
    fresh = Assistant(assistant.index, assistant.analyzer)  # no heading answered yet
    result = fresh.respond("Which board games does the institute play at its symposium?")
    assert result.abstained and result.did_you_mean
    headings = asked[1:]  # the question itself quotes nothing: the site does not answer it
    assert 0 < len(quoted) <= len(headings)  # each heading tried is answered with its first hit's quote only


def test_a_question_the_site_does_not_answer_is_searched_once_for_its_answer_and_its_offers(assistant, monkeypatch):
    from assistant.answer import CANDIDATES
    from assistant.search_index import SearchIndex

    searched: list[tuple] = []
    search = SearchIndex.search

    def counted(self, query, limit=10, *args, **kwargs):
        searched.append((query, limit, kwargs.get("excluding")))
        return search(self, query, limit, *args, **kwargs)

    monkeypatch.setattr(SearchIndex, "search", counted)
    fresh = Assistant(assistant.index, assistant.analyzer)
    result = fresh.respond("Which board games does the institute play at its symposium?")
    assert result.abstained and result.did_you_mean
    asked = searched[0][0]  # the question's own first search comes first
    assert [s for s in searched if s[0] is asked and s[1] == CANDIDATES and not s[2]] == [searched[0]]

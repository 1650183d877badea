"""What a question asks about must be in the passage that answers it, or the assistant declines.

"Who leads the robotics group?" on a site with only a vision group, "How much does the guest house
cost?" on a site that prices only a workshop: such passages name the role or the price, but of
something else. The site's own name ("Riverbank Lab") says nothing about which passage answers.
"""

from __future__ import annotations

import pytest
from conftest import write_site

from assistant.answer import Assistant, answer_to_json
from assistant.build import index_site
from assistant.question import answer_shape, asked_owner, asked_role, asked_subject, asked_topic, owner_words

SITE = {
    "_config.yml": "title: Riverbank Lab\nurl: https://lab.example.org\n",
    "index.md": "---\ntitle: Riverbank Lab\n---\n"
    "The Riverbank Lab studies how rivers carry sediment. Riverbank Lab members meet weekly.\n",
    "groups/vision.md": "---\ntitle: Vision group\n---\n"
    "## Head of the vision group\n\nThe vision group is led by Dr. Mara Quint.\n\n"
    "## Members\n\nThe vision group works on camera traps along the river.\n",
    "groups/sediment.md": "---\ntitle: Sediment group\n---\n"
    "The sediment group samples the riverbed every month. Tobias Renner and Ilse Vogt take the samples.\n",
    "workshop.md": "---\ntitle: Summer workshop\n---\nThe summer workshop costs 40 € per participant.\n",
    "news.md": "---\ntitle: News\n---\nThe lab showed its river robotics at the open day of the campus.\n",
    "contact.md": "---\ntitle: Contact\n---\n## Visitors\n\nPlease give your address to the porter when you arrive.\n\n"
    "## Post\n\nRiverbank Lab, Uferweg 12, 24118 Kiel\n",
    "guests.md": "---\ntitle: Guests\n---\nGuests of the lab stay in the guest house next to the campus.\n",
    "report.md": "---\ntitle: Annual report\n---\nThe lab's river app had an annual turnover of 1.2 million € in shops.\n",
    "teaching.md": "---\ntitle: Teaching\n---\nThe sediment course runs in the summer semester 2024 on Mondays.\n",
}


def opened(root, files: dict[str, str]) -> Assistant:
    """The assistant of a site made of ``files``, indexed in ``root``."""
    index_site(write_site(root / "site", files), root / "index")
    return Assistant.open(root / "index")


@pytest.fixture(scope="module")
def assistant(tmp_path_factory) -> Assistant:
    return opened(tmp_path_factory.mktemp("subject"), SITE)


def quotes(assistant: Assistant, question: str) -> list[str]:
    answer = assistant.answer(question)
    return [] if answer.abstained else [h.quote.text for h in answer.hits]


@pytest.mark.parametrize(
    "question, subject",
    [
        ("Who leads the robotics group of the lab?", ["robotics", "group"]),
        ("Wer leitet die Proteomik-Gruppe des Instituts?", ["Proteomik", "Gruppe"]),
        ("Who is the head of the imaging group?", ["imaging", "group"]),
        ("How much does a licence for the software cost?", ["licence"]),
        ("Wie hoch ist die Miete im Gästehaus?", ["Miete"]),
        ("Who leads it?", ["it"]),
        ("Where is the office?", []),
    ],
)
def test_the_subject_of_a_shaped_question_is_read_from_its_words(question, subject):
    assert asked_subject(question) == subject


def test_the_role_asked_for_is_read_from_who_leads_questions():
    assert asked_role("Who heads the vision group?") == "heads"
    assert asked_role("Wer ist die Sprecherin des Netzwerks?") == "Sprecherin"
    assert asked_role("Who sits on the board?") is None


def test_who_leads_a_group_the_site_has_is_answered(assistant):
    found = quotes(assistant, "Who leads the vision group?")
    assert found and "Mara Quint" in found[0]


def test_who_leads_a_group_the_site_does_not_have_is_declined(assistant):
    assert quotes(assistant, "Who leads the robotics group of the Riverbank Lab?") == []


def test_a_passage_naming_the_group_and_people_but_no_role_does_not_say_who_leads(assistant):
    assert quotes(assistant, "Who leads the sediment group?") == []


def test_the_price_of_something_else_does_not_answer(assistant):
    assert quotes(assistant, "How much does the guest house cost?") == []
    found = quotes(assistant, "How much does the summer workshop cost?")
    assert found and "40 €" in found[0]


def test_how_high_asks_for_an_amount_that_must_be_there(assistant):
    assert quotes(assistant, "Wie hoch ist die Miete im Gästehaus?") == []


def test_the_sites_own_name_weighs_less_than_what_is_asked(assistant):
    query = assistant.parse("Who leads the robotics group of the Riverbank Lab?")
    weights = dict(zip([t.word for t in query.terms], assistant.term_weights(query), strict=True))
    assert weights["Riverbank"] < assistant._idf("riverbank")  # less than its rarity alone would give


def test_an_address_asked_for_is_a_passage_holding_one(assistant):
    found = quotes(assistant, "What is the lab's postal address?")
    assert found and "Uferweg 12, 24118 Kiel" in found[0]
    found = quotes(assistant, "Wie lautet die Anschrift?")
    assert found and "24118 Kiel" in found[0]


def test_when_is_the_exam_of_a_course_is_not_answered_by_the_course_dates(assistant):
    assert asked_subject("When is the exam for the sediment course?") == ["exam"]
    assert asked_subject("Wann findet der Workshop statt?") == ["Workshop"]
    assert asked_subject("When is the next meeting?") == []
    assert quotes(assistant, "When is the exam for the sediment course?") == []
    assert quotes(assistant, "When does the sediment course take place?")


@pytest.mark.parametrize(
    "question, shape",
    [
        ("Wie hoch ist das Stipendium der Fellowship?", "price"),
        ("What is the lab's annual budget?", "price"),
        ("Which stipends are offered?", None),
    ],
)
def test_a_stipend_or_budget_asked_as_an_amount_asks_for_money(question, shape):
    found = answer_shape(question)
    assert (found.name if found else None) == shape


def test_a_sum_of_money_that_is_not_the_budget_does_not_answer_for_it(assistant):
    assert quotes(assistant, "What is the lab's annual budget?") == []
    assert "1.2 million €" in quotes(assistant, "What was the annual turnover of the lab's river app?")[0]


def test_a_postcode_of_four_digits_on_its_own_line_is_an_address(tmp_path):
    site = {
        "_config.yml": "title: Dune Lab\nurl: https://dune.example.org\n",
        "index.md": "---\ntitle: Dune Lab\n---\nThe Dune Lab studies how dunes move. In 2019 The lab moved.\n",
        "contact.md": "---\ntitle: Contact\n---\nDune Lab\n\nKasteelpark Arenberg 30<br/>\n3001 Leuven<br/>\nBelgium\n",
    }
    for n in range(40):  # many pages that say "lab" more often than the contact page does
        site[f"news/{n}.md"] = f"---\ntitle: Lab news {n}\n---\nThe lab's news: lab meeting {n} of the lab.\n"
    index_site(write_site(tmp_path / "site", site), tmp_path / "index")
    answer = Assistant.open(tmp_path / "index").answer("What is the lab's postal address?")
    assert not answer.abstained
    assert "3001 Leuven" in answer.hits[0].quote.text


@pytest.mark.parametrize(
    "question, lang, owner",
    [
        ("How much is the registration fee for the Deep Learning for Biologists workshop?", "en", "workshop"),
        ("Wie hoch ist die Teilnahmegebühr für den Workshop Deep Learning?", "de", "Workshop"),
        ("Wie hoch ist die Miete im Gästehaus?", "de", "Gästehaus"),
        ("How much does a licence for the software cost?", "en", "software"),
        ("How much is the fee?", "en", None),
    ],
)
def test_whose_amount_a_question_asks_for_is_read_from_its_words(question, lang, owner):
    assert asked_owner(question, lang) == owner


def test_what_a_group_asked_for_is_about_is_read_from_its_words():
    assert asked_topic("Who leads the working group on legal questions?") == ["legal", "questions"]
    assert asked_topic("Wer leitet die Arbeitsgruppe zu Rechtsfragen?") == ["Rechtsfragen"]
    assert asked_topic("Who leads the robotics group of the lab?") == []


def test_a_fee_of_something_else_does_not_answer_for_the_workshop(tmp_path):
    from conftest import open_site_with_news

    lab = open_site_with_news(
        tmp_path,
        {
            "_config.yml": "title: Dune Lab\nurl: https://dune.example.org\n",
            "fees.md": "---\ntitle: Application fees\n---\nThe application fee for biologists joining the PhD programme "
            "is 60 dollars.\n",
            "workshop.md": "---\ntitle: Deep learning for biologists\n---\nOur workshop on deep learning for "
            "biologists runs for three days in May. Register on the form.\n",
            "school.md": "---\ntitle: Summer school\n---\nThe summer school costs 40 € per participant.\n",
        },
    )
    assert answer_to_json(lab.answer("How much is the registration fee for the biologists workshop?"))["abstained"]
    found = answer_to_json(lab.answer("How much is the registration fee for the summer school?"))
    assert not found["abstained"] and "40 €" in found["passages"][0]["quote"]


def test_who_leads_a_group_on_a_topic_the_site_has_no_group_for_is_declined(tmp_path):
    from conftest import open_site_with_news

    lab = open_site_with_news(
        tmp_path,
        {
            "_config.yml": "title: Data Society\nurl: https://society.example.org\n",
            "groups.md": "---\ntitle: Working groups\n---\n## Software working group\n\nThe software working "
            "group is led by Dr. Jana Moor. It meets to answer questions of developers.\n\n## Content working group\n\n"
            "The content working group on templates is led by Tom Hart.\n",
            "members.md": "---\ntitle: Members\n---\nMember institutions need legal capacity to sign the agreement.\n",
        },
    )
    assert answer_to_json(lab.answer("Who leads the working group on legal questions?"))["abstained"]
    found = answer_to_json(lab.answer("Who leads the working group on templates?"))
    assert not found["abstained"] and "Tom Hart" in found["passages"][0]["quote"]


TEAM_SITE = {
    "_config.yml": "title: Tidewater Lab\nurl: https://tide.example.org\n",
    "index.md": "---\ntitle: Tidewater Lab\n---\nWe measure how tides reshape salt marshes.\n",
    "team/oda-lind.md": "---\ntitle: Oda Lind\n---\nLab co-director\n\nMarine ecologist, PhD.\n",
    "team/per-holm.md": "---\ntitle: Per Holm\n---\nLab director\n\n"
    "Per Holm studied geology in Bergen and mapped the dunes of the western coast for many years. "
    "He spent two winters on a research vessel in the northern sea, sampling mud from the shelf, and wrote "
    "his thesis on how storms move sand between the islands. After a stay abroad he came back to the coast. "
    "Today he is head of the coastal department and leads a team working on marsh erosion.\n",
    "team/index.md": "---\ntitle: Team\n---\n## Staff\n\nJonas Berg, technician. Alma Strand, data manager.\n",
}


@pytest.fixture(scope="module")
def team(tmp_path_factory) -> Assistant:
    return opened(tmp_path_factory.mktemp("team"), TEAM_SITE)


@pytest.mark.parametrize(
    "question, words",
    [
        ("Who leads the group?", {"group"}),
        ("Wo befindet sich das Institut?", {"institut"}),
        ("When was the lab founded?", {"lab"}),
        ("Who leads the imaging group?", set()),  # a group of the site, not the site
        ("Who is the lab director?", set()),  # a compound: the director is asked
    ],
)
def test_the_group_or_das_institut_alone_stands_for_the_site(question, words):
    assert owner_words(question) == words


def test_who_leads_the_group_is_answered_on_a_site_that_calls_itself_a_lab(team):
    best = team.respond("Who leads the group?")
    assert not best.abstained
    assert best.hits[best.best.hit].passage.page_url.endswith("/team/per-holm.html")


def test_who_leads_is_answered_by_the_director_before_the_co_director(team):
    best = team.respond("Who leads the lab?")
    assert not best.abstained
    assert "Per Holm" in best.hits[best.best.hit].passage.title


def test_the_answering_sentence_to_who_leads_names_the_head_not_the_one_standing_in():
    from assistant.answer import best_of
    from assistant.documents import Hit, Passage, Quote

    def hit(title: str, text: str, words: list[str], score: float) -> Hit:
        passage = Passage(title, text, title, "", f"https://tide.example.org/{title}", "team.md", 1, "en", "page")
        return Hit(passage, score, Quote(text, [(text.index(w), text.index(w) + len(w)) for w in words]))

    head = hit("holm", "Today he is head of the department and leads a team on marsh erosion.", ["head", "leads"], 9.0)
    deputy = hit("lind", "Lab co-director.", ["Lab", "director"], 8.0)
    assert best_of("Who leads the lab?", [deputy, head]).hit == 1
    # asked for the one who stands in, no one's role is held against them
    assert asked_role("Who is the co-director of the lab?") is None


def test_who_leads_the_lab_is_answered_by_its_principal_investigator(tmp_path):
    lab = opened(
        tmp_path,
        {
            "_config.yml": "title: Spray Lab\nurl: https://spray.example.org\n",
            "index.md": "---\ntitle: Home\n---\n## The people\n\nPrincipal investigator\n\nDr. Ines Varga\n",
            "join.md": "---\ntitle: Join us\n---\n## Postdocs\n\n"
            "When funding allows, postdocs lead projects on droplet impact and work with students.\n",
        },
    )
    answer = lab.respond("Who leads the lab?")
    assert not answer.abstained
    best = answer.hits[answer.best.hit]
    assert "Ines Varga" in best.quote.text
    assert [best.quote.text[a:b] for a, b in best.quote.highlights][:2] == ["Principal", "investigator"]

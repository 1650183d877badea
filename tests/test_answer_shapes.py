"""A question's form says what its answer looks like, and a passage of that look answers its words.

"Which years does the explorer cover?" is answered by "from 2009 to 2017", a passage that never says
"year"; a passage that only says "every year" mentions the word and answers nothing.
"""

from __future__ import annotations

import re

import pytest
from conftest import open_site_with_news, write_site

from assistant.answer import Assistant
from assistant.build import index_site
from assistant.question import AnswerShape, answer_shape, question_verbs

SITE = {
    "_config.yml": "title: Harbour Data Lab\nurl: https://lab.example.org\n",
    "index.md": "---\ntitle: Harbour Data Lab\n---\nThe lab opens up the city's data.\n",
    "funding.md": "---\ntitle: Funding explorer\n---\n"
    "The funding explorer lets you filter the city's grants from 2009 to 2017 by district and topic.\n",
    "archive.md": "---\ntitle: Seed archive\n---\n"
    "The seed archive is a database of seeds and fruits found in excavations, with tools for tables and maps "
    "that researchers use for their publications. It has been developed since 1997 by the state office.\n",
    "archive-news.md": "---\ntitle: Seed archive news\n---\nThe seed archive was developed further in 2024.\n",
    "award.md": "---\ntitle: Auszeichnung\n---\nDas Lab hat 2023 den Open Data Award der Stadt gewonnen.\n",
    "requests.md": "---\ntitle: Requests to the parliament\n---\n"
    "The lab analysed 3,200 requests that members of parliament wrote to the administration.\n",
    "concert.md": "---\ntitle: Concert measurements\n---\n"
    "The sensors recorded the harbour band's two concerts in the Volkspark stadium in August.\n",
    "mara.md": "---\ntitle: Mara Quint\n---\n## CV\n\n2015–2018: BSc Geography, “Tides and silt in the harbour”.\n",
    "teaching.md": "---\ntitle: Teaching\n---\n## SS 2024\n\nA course on open city data at the university.\n",
    "about.md": "---\ntitle: About the project\n---\n## Funding\n\n"
    "The funding explorer project is funded by the German Research Foundation (DFG) until 2027.\n\n"
    "## Team\n\nThe funding explorer project is run by Anna Berg and Tom Reed, who built its first tools.\n",
    "tides.md": "---\ntitle: Tide group\n---\n## People\n\n"
    "The tide group works in the harbour office, where the tide group has worked on its boat since 2019.\n\n"
    "## Research\n\nThe tide group deals with the sediment that tides carry into the harbour basin.\n",
    "news.md": "---\ntitle: News\n---\n"
    "Every year the funding explorer adds the grants of the past year, year after year, to its data.\n",
}


@pytest.fixture(scope="module")
def assistant(tmp_path_factory) -> Assistant:
    root = tmp_path_factory.mktemp("shapes")
    index_site(write_site(root / "site", SITE), root / "index")
    return Assistant.open(root / "index")


@pytest.mark.parametrize(
    "question",
    [
        "Which years does the funding explorer cover?",
        "What period does the survey span?",
        "In welchen Jahren wurde gemessen?",
        "Welchen Zeitraum deckt die Datenbank ab?",
    ],
)
def test_asking_which_years_asks_for_a_date(question):
    shape = answer_shape(question)
    assert shape is not None and shape.name == "date"


def test_a_passage_giving_years_answers_which_years(assistant):
    answer = assistant.answer("Which years does the funding explorer cover?")
    assert not answer.abstained
    assert "2009 to 2017" in answer.hits[0].quote.text


def test_since_when_is_answered_by_since_and_a_year(assistant):
    answer = assistant.answer("Since when has the seed archive been developed?")
    assert not answer.abstained
    assert "since 1997" in answer.hits[0].quote.text


@pytest.mark.parametrize(
    "question, shape",
    [
        ("Welchen Preis hat die Gruppe 2021 gewonnen?", None),
        ("Welchen Preis hat das Lab von der Stiftung bekommen?", None),
        ("Wie hoch ist der Preis für die Teilnahme?", "price"),
        ("Was kostet der Workshop?", "price"),
    ],
)
def test_a_preis_that_was_won_is_a_prize_not_a_price(question, shape):
    found = answer_shape(question)
    assert (found.name if found else None) == shape


def test_a_prize_is_quoted_although_it_has_no_amount(assistant):
    answer = assistant.answer("Welchen Preis hat das Lab 2023 gewonnen?")
    assert not answer.abstained
    assert "Open Data Award" in answer.hits[0].quote.text


@pytest.mark.parametrize(
    "question, counted",
    [
        ("How many written requests were sent in 2018?", "written requests"),
        ("How many people came?", "people"),
        ("Wie viele Mitglieder hat das Netzwerk?", "Mitglieder"),
        ("Wie viele Studierende nehmen am Seminar teil?", "Studierende"),
        ("Wie viele neue Mitglieder kamen 2024 dazu?", "neue Mitglieder"),
    ],
)
def test_what_is_counted_may_be_two_words(question, counted):
    assert answer_shape(question).counted == counted


def test_a_count_stands_by_the_noun_an_adjective_qualifies(assistant):
    answer = assistant.answer("How many written requests did the lab analyse?")
    assert not answer.abstained
    assert "3,200 requests" in answer.hits[0].quote.text


@pytest.mark.parametrize(
    "question, verbs",
    [
        ("In which stadium did the band play in Hamburg?", {"play"}),
        ("In which semester was it offered?", {"offered"}),
        ("Where does the group meet?", {"meet"}),
        ("Is there a hotel near the institute?", set()),
        ("How many people visited the campus?", set()),
        ("Who gave the keynote in Zurich?", {"gave"}),
        ("Who is the speaker?", set()),
    ],
)
def test_the_verb_of_an_english_question_is_found_by_its_place(question, verbs):
    assert question_verbs(question) == verbs


def test_a_verb_the_site_never_uses_does_not_make_it_decline(assistant):
    answer = assistant.answer("Where did the band play?")
    assert not answer.abstained
    assert "Volkspark stadium" in answer.hits[0].quote.text


def test_a_noun_the_site_never_uses_still_makes_it_decline(assistant):
    assert assistant.answer("Is there a hotel near the harbour band's stadium?").abstained


def test_a_bachelor_is_a_bsc_and_a_summer_semester_an_ss(assistant):
    answer = assistant.answer("What was the topic of Mara's bachelor?")
    assert not answer.abstained
    assert "BSc" in answer.hits[0].quote.text
    answer = assistant.answer("In which semester is the course offered?")
    assert not answer.abstained
    assert "SS 2024" in answer.hits[0].quote.text


@pytest.mark.parametrize(
    "text, name",
    [
        ("Anzahl Fahrten, die in entsprechendem Planungsraum starten.", None),
        ("Der Wissenschaftliche Beirat berät das Netzwerk.", None),
        ("Die Daten hat Alexandra Kapp ausgewertet.", "Alexandra Kapp"),
        ("Prof. Quint leads it.", "Prof."),
        # a name on a line of its own, as on a card, is a name whatever its ending
        ("Entwicklungsgruppe\nJochen Klar\n(Sprecher) ist Softwareentwickler.", "Jochen Klar"),
        ("Unser Team\nPeter Lang", "Peter Lang"),
        ("Die Daten hat Jochen Klar ausgewertet.", None),
        # a double given name is a name, whatever its second part ends in
        ("The keynote was given by Paul-Olivier Dehaye.", "Paul-Olivier Dehaye"),
    ],
)
def test_two_capitalised_german_nouns_are_no_ones_name(text, name):
    shape = answer_shape("Wer hat die Daten ausgewertet?")
    found = shape.looks_like.search(text)
    assert (found.group() if found else None) == name


def test_who_are_the_postdocs_asks_for_people():
    assert answer_shape("Who are the postdocs in the lab?").name == "person"
    assert answer_shape("Who is Mara Quint?").name == "definition"


@pytest.mark.parametrize(
    "question, shape",
    [
        ("Who paid for the project?", "funder"),
        ("Wer finanziert das Projekt?", "funder"),
        ("Which organisation funds the network?", "funder"),
        ("Who is paying for the research project?", "funder"),
        ("Who supports new students?", "person"),
    ],
)
def test_who_paid_asks_for_a_funder(question, shape):
    assert answer_shape(question).name == shape


@pytest.mark.parametrize(
    "text",
    [
        "Das Bundesministerium für Bildung und Forschung fördert das Projekt.",
        "Die Volkswagenstiftung trägt die Kosten der Tagung.",
        "The Wellcome Trust funds the network.",
    ],
)
def test_a_ministry_or_foundation_named_in_one_german_word_is_a_funder(text):
    assert answer_shape("Who funds the project?").fits(text)


def test_who_paid_is_answered_by_the_funding_not_by_a_person(assistant):
    answer = assistant.answer("Who paid for the funding explorer project?")
    assert not answer.abstained
    assert "Research Foundation" in answer.hits[0].quote.text


@pytest.mark.parametrize(
    "question",
    ["What does the tide group work on?", "Womit beschäftigt sich die Gezeitengruppe?", "Woran arbeitet das Team?"],
)
def test_what_does_x_work_on_asks_for_a_topic(question):
    assert answer_shape(question).name == "topic"


def test_what_a_group_works_on_is_answered_by_what_it_deals_with(assistant):
    answer = assistant.answer("What does the tide group work on?")
    assert not answer.abstained
    assert "deals with the sediment" in answer.hits[0].quote.text


def test_a_place_answers_where_something_is_held():
    shape = answer_shape("Where is the hackathon held?")
    assert shape.name == "place"
    assert shape.answers_word("held", "Location: Lichtwerkstatt, Albert-Einstein-Straße 6, 07745 Jena")
    assert not shape.answers_word("held", "The hackathon is held for students of the university.")


def test_where_exactly_is_answered_by_the_address_under_the_opening_lines(tmp_path):
    site = {
        "_config.yml": "title: Harbour Data Lab\nurl: https://lab.example.org\n",
        "_posts/2019-01-10-meeting.md": "---\ntitle: Network meeting in May\n---\n"
        "The May network meeting: our network meets in Bremen in May, as every network meeting in May did.\n\n"
        "The meeting is in the seminar room at Kaiserstraße 12, 28195 Bremen.\n",
    }
    for n in range(15):
        site[f"_posts/2019-02-{n + 1:02d}-news-{n}.md"] = f"---\ntitle: News {n}\n---\nThe lab published dataset {n}.\n"
    index_site(write_site(tmp_path / "site", site), tmp_path / "index")
    lab = Assistant.open(tmp_path / "index")
    answer = lab.answer("Where exactly in Bremen is the network meeting in May?")
    assert not answer.abstained
    assert any("Kaiserstraße 12" in hit.quote.text for hit in answer.hits[:3])


@pytest.mark.parametrize(
    "text",
    [
        "Bioacoustics stands at the intersection of biology and acoustics.",
        "Bioacoustics refers to the study of sound in animals.",
        "Bioakustik bezeichnet die Lehre vom Schall bei Tieren.",
    ],
)
def test_a_field_defined_with_other_verbs_than_is_is_a_definition(text):
    for question in ("What is bioacoustics?", "Was ist Bioakustik?"):
        shape = answer_shape(question)
        assert shape is not None and shape.name == "definition"
    subject = "Bioakustik" if text.startswith("Bioakustik") else "bioacoustics"
    assert answer_shape(f"What is {subject}?").fits(text)


def test_who_are_the_postdocs_is_answered_by_names_not_by_the_job_offer(tmp_path):
    site = {
        "_config.yml": "title: Harbour Data Lab\nurl: https://lab.example.org\n",
        "jobs.md": "---\ntitle: Vacancies\n---\n## Postdoc positions in the lab\n\n"
        "The lab offers postdoc positions: postdoc applicants send a letter to the lab.\n",
        "team.md": "---\ntitle: Team\n---\n## Team\n\n- Mara Quint, Postdoc\n- Tobias Renner, PhD student\n",
    }
    lab = open_site_with_news(tmp_path, site, news=15)
    answer = lab.answer("Who are the postdocs in the lab?")
    assert not answer.abstained and "Mara Quint" in answer.hits[0].quote.text


def test_a_call_for_grants_asks_for_its_deadline_and_a_call_to_someone_for_a_number(tmp_path):
    grant = "The harbour grant call is open. Proposals can be submitted until 1 October 2026."
    contact = "Phone: +49 201 183 4000. The office is open in the mornings."
    pages = {"grant.md": ("Harbour grant 2026", grant), "contact.md": ("Contact", contact)}
    lab = open_site_with_news(
        tmp_path,
        {"_config.yml": "title: Harbour Data Lab\nurl: https://lab.example.org\n"}
        | {name: f"---\ntitle: {title}\n---\n{text}\n" for name, (title, text) in pages.items()},
        news=12,
    )
    assert answer_shape("What is the deadline for the harbour grant call?").name == "deadline"
    answer = lab.answer("What is the deadline for the harbour grant call?")
    assert not answer.abstained and "1 October 2026" in answer.hits[0].quote.text
    assert answer_shape("Who can I call at the lab?").name == "phone"


@pytest.mark.parametrize(
    ("question", "shape"),
    [
        ("Which professor runs the lab?", "person"),
        ("Welche Leiterin hat das Projekt?", "person"),
        ("Which courses are offered in summer?", None),
    ],
)
def test_which_with_a_role_asks_for_a_person(question, shape):
    found = answer_shape(question)
    assert (found.name if found else None) == shape


def test_which_professor_runs_it_is_answered_by_a_professor_not_by_a_passage_about_running_it(tmp_path):
    site = {
        "_config.yml": "title: Harbour Data Lab\nurl: https://lab.example.org\n",
        "guide.md": "---\ntitle: Lab guide\n---\n## How we work\n\n"
        "Our lab runs on openness: Mara Quint and Tobias Renner run the lab meetings, and everyone runs code reviews.\n",
        "people.md": "---\ntitle: People\n---\nIda Berg is professor of data science and heads the group.\n",
    }
    lab = open_site_with_news(tmp_path, site, news=15)
    answer = lab.answer("Which professor runs the lab?")
    assert not answer.abstained and "Ida Berg" in answer.hits[0].quote.text
    assert all("Mara Quint" not in hit.quote.text for hit in answer.hits)


def test_a_professor_is_no_profession(tmp_path):
    from assistant.analysis import Analyzer, Vocabulary

    query = Analyzer().parse_question("Who is the professor?", "en", Vocabulary({"profession": 3, "professor": 2}))
    assert not {"profess", "profession"} & {v for term in query.terms for v in term.variants}


def test_a_quote_from_deep_in_a_persons_record_keeps_the_name(tmp_path):
    record = (
        "Ada Quint has a background in computer science. She studied in Leuven and in Ghent. "
        "She taught a course on databases for first-year students of the faculty. "
        "She organised a summer school on graphs and networks with partners from three countries. "
        "She also reviewed papers for two workshops on visual analytics and data engineering. "
        "Her thesis project was a collaboration between the university and Harbourtech on tidal sensor data."
    )
    site = {
        "_config.yml": "title: Harbour Data Lab\nurl: https://lab.example.org\n",
        "people.md": f"---\ntitle: People\n---\n### Ada Quint\n\n{record}\n",
    }
    lab = open_site_with_news(tmp_path, site, news=15)
    answer = lab.answer("Which former student worked with Harbourtech on tidal sensor data?")
    assert not answer.abstained
    quote = answer.hits[0].quote.text
    assert "Harbourtech" in quote and quote.startswith("Ada Quint") and "…" in quote


def test_a_reference_that_shares_the_words_yields_to_the_text_that_answers(tmp_path):
    bib = "".join(
        f"@article{{ref{n},\n  title = {{Comparing German with Dutch, part {n}}},\n  author = {{Quint, Mara}},\n"
        f"  journal = {{Language Comparison}},\n  year = {{20{10 + n}}}\n}}\n"
        for n in range(3)
    )
    site = {
        "_config.yml": "title: Grammar Lab\nurl: https://lab.example.org\n"
        "scholar:\n  source: /_bibliography\n  bibliography: papers.bib\n",
        "_bibliography/papers.bib": bib,
        "publications.md": "---\ntitle: Publications\n---\n{% bibliography %}\n",
        "research.md": "---\ntitle: Contrastive grammar\n---\n"
        "In the contrastive project we compare German, over several years of corpus studies and with "
        "partners abroad, with other languages, in particular with Dutch, English and French.\n",
    }
    for n in range(15):
        site[f"news-{n}.md"] = f"---\ntitle: News {n}\n---\nThe group met partner {n}.\n"
    index_site(write_site(tmp_path / "site", site), tmp_path / "index")
    lab = Assistant.open(tmp_path / "index")
    answer = lab.answer("Which languages does the group compare German with?")
    assert not answer.abstained and "French" in answer.hits[0].quote.text
    papers = lab.answer("Which papers compare German with Dutch?")
    assert not papers.abstained and papers.hits[0].passage.kind == "publication"


@pytest.mark.parametrize("text", ["seit 10/2017: Professorin in Leipzig", "Lecturer since 03.2015", "since 2019"])
def test_since_when_is_answered_by_a_year_with_or_without_its_month(text):
    shape = answer_shape("Since when has she been a professor?")
    assert shape is not None and shape.name == "since"
    assert shape.fits(text)


def test_when_is_quoted_with_the_sentence_that_gives_the_date(tmp_path):
    """The words of the page title stand in every sentence's context; the date decides which sentence answers."""
    site = write_site(
        tmp_path / "site",
        {
            "_config.yml": "title: Sensing Lab\nurl: https://lab.example.org\n",
            "_posts/2023-03-01-flood.md": """
                ---
                title: Flood in Riverton
                ---
                In spring we joined a campaign in which every fibre sensing system recorded for a month.
                Sadly, on March 3, 2023, a flood struck Riverton.
                The water also reached our cable duct in the valley, which was stretched and bent.
                The animation below shows the strain our fibre measured in the cable duct.
                Later recordings showed the duct had settled again by the summer.
                """,
        },
    )
    index_site(site, tmp_path / "index")
    answer = Assistant.open(tmp_path / "index").answer("When was the flood in Riverton that the cable duct measured?")
    assert not answer.abstained
    assert "March 3, 2023" in answer.hits[0].quote.text


WHEN_SITE = {
    "_config.yml": "title: Materials Lab\nurl: https://lab.example.org\n",
    "teaching.md": "---\ntitle: Teaching\n---\n"
    "## Polymer Informatics\n\nThe course Polymer Informatics, given with the Amt für Prüfung und Zulassung, "
    "introduces machine learning for polymer chemistry.\n\n"
    "## Reading group\n\nThe reading group on crystal structures meets every Tuesday at 10:15 in the library.\n",
}


@pytest.fixture(scope="module")
def when_assistant(tmp_path_factory) -> Assistant:
    root = tmp_path_factory.mktemp("when")
    index_site(write_site(root / "site", WHEN_SITE), root / "index")
    return Assistant.open(root / "index")


@pytest.mark.parametrize(
    "question, lang",
    [
        ("When is the exam for the Polymer Informatics course?", "en"),
        ("Wann ist die Prüfung in Polymer Informatics?", "de"),
    ],
)
def test_when_is_declined_where_the_page_tells_no_time(when_assistant, question, lang):
    answer = when_assistant.answer(question)
    assert answer.abstained
    assert answer.lang == lang


def test_a_weekday_and_an_hour_answer_when(when_assistant):
    answer = when_assistant.answer("When does the reading group on crystal structures meet?")
    assert not answer.abstained
    assert "every Tuesday at 10:15" in answer.hits[0].quote.text


def test_a_phone_number_without_its_country_code_answers_what_the_number_is(tmp_path):
    site = {
        "_config.yml": "title: Harbour Data Lab\nurl: https://lab.example.org\n",
        "contact.md": "---\ntitle: Contact\n---\nPhone: 512-232-2874. Our office is in room 3.210 of the harbour building.\n",
        "papers.md": "---\ntitle: Papers\n---\nThe lab's phone survey paper: doi 10.1038/123-456-7890.\n",
    }
    lab = open_site_with_news(tmp_path, site, news=12)
    answer = lab.answer("What is the lab's phone number?")
    assert not answer.abstained and "512-232-2874" in answer.hits[0].quote.text
    assert all("doi" not in hit.quote.text for hit in answer.hits)


@pytest.mark.parametrize(
    ("question", "shape"),
    [
        ("Wie lange braucht man mit dem Rad vom Bahnhof?", "duration"),
        ("How long does the course take?", "duration"),
        ("How long has the lab existed?", "since"),
    ],
)
def test_how_long_asks_for_a_duration_unless_it_asks_since_when(question, shape):
    found = answer_shape(question)
    assert (found.name if found else None) == shape


def test_how_long_it_takes_is_answered_by_the_passage_that_gives_the_minutes(tmp_path):
    site = {
        "_config.yml": "title: Harbour Data Lab\nurl: https://lab.example.org\n",
        "directions.md": "---\ntitle: Directions\nlang: de\n---\n## Mit dem Fahrrad\n\n"
        "Vom Hauptbahnhof erreichen Sie das Labor mit dem Fahrrad in etwa 9 Minuten.\n\n"
        "## Mit der Bahn\n\nVom Hauptbahnhof fährt die Linie 3 zum Labor.\n",
    }
    lab = open_site_with_news(tmp_path, site, news=12, lang="de")
    answer = lab.answer("Wie lange braucht man mit dem Fahrrad vom Hauptbahnhof?")
    assert not answer.abstained and "9 Minuten" in answer.hits[0].quote.text


def test_a_paper_listed_under_its_title_is_quoted_with_its_title_authors_and_journal(tmp_path):
    site = {
        "_config.yml": "title: Harbour Data Lab\nurl: https://lab.example.org\n",
        "papers.md": "---\ntitle: Selected papers\n---\n"
        "### Tides and silt in the harbour basin over two decades\n\nQuint M, Berg I, Otte B, Renner T, Haider A, Moor J, Hart T, Wendt P\n\n"
        "Cell Reports. 2025 Jun; doi: 10.1101/2024.12.13.628416\n\n"
        "### A survey of dune grasses along the northern coast\n\nOtte B, Quint M, Lange K, Berg I, Moor J, Hart T, Renner T\n\nNature. 2023 May; doi: 10.1038/s41587-025-02718-5\n",
        "members.md": "---\ntitle: Members\n---\n## Members\n\nLea Berg, Leipzig\n\nPaul Wendt, Kiel\n",
    }
    lab = open_site_with_news(tmp_path, site, news=12)
    quote = lab.answer("Which paper did the lab publish in Cell Reports in 2025?").hits[0].quote.text
    assert "Tides and silt" in quote and "Cell Reports" in quote and "dune grasses" not in quote
    members = [p.text for p in lab.index.passages() if "/members" in p.page_url]
    assert not any("Lea Berg" in t and "Paul Wendt" in t for t in members)  # like items stay apart


def test_what_someone_is_doing_now_is_answered_by_where_they_went(tmp_path):
    from conftest import open_site_with_news

    lab = open_site_with_news(
        tmp_path,
        {
            "_config.yml": "title: Dune Lab\nurl: https://dune.example.org\n",
            "members/mara-quint.md": "---\ntitle: Mara Quint\n---\nMara Quint, postdoctoral researcher\n\n"
            "Mara Quint joined the Dune Lab as a postdoc in 2016 and studied how wind moves sand on the coast.\n\n"
            "Her work on sand was funded by the state.\n\n"
            "After her postdoc, she became the head of the coastal survey at the harbour office.\n",
        },
    )
    answer = lab.answer("What is Mara Quint doing now?")
    assert not answer.abstained
    assert "head of the coastal survey" in " ".join(h.quote.text for h in answer.hits[:1])


def test_a_passage_is_searched_for_a_shape_once_however_often_it_is_ranked():
    searched: list[str] = []

    class RoomNumbers:  # what a place looks like, counting the texts it is looked for in
        pattern = r"\broom \d+"

        def search(self, text: str) -> re.Match[str] | None:
            searched.append(text)
            return re.search(self.pattern, text)

    where = AnswerShape("place", RoomNumbers())
    text = "The secretariat is in room 214 on the second floor."
    assert where.fits(text) and where.fits(text)
    assert not where.fits("The secretariat answers the phone in the morning.")
    assert searched == [text, "The secretariat answers the phone in the morning."]
    # another shape looks for its own pattern in the same text
    assert answer_shape("Who runs the secretariat?").fits(text) is False


def test_a_place_the_question_names_may_stand_in_another_passage_of_the_section(tmp_path):
    site = {
        "_config.yml": "title: Data Donation Network\nurl: https://donation.example.org\n",
        "symposia.md": "---\ntitle: Symposia\n---\n## Symposium 2023\n\n"
        "The 2023 symposium took place on 11-12 September in Zurich, hosted by the university there.\n\n"
        "The keynote was given by Paul-Olivier Dehaye. Five sessions covered legal aspects and tools.\n\n"
        "## Symposium 2024\n\nThe 2024 symposium took place in Mannheim. Melinda Mills gave the keynote.\n",
    }
    lab = open_site_with_news(tmp_path, site, news=12)
    answer = lab.answer("Who gave the keynote at the symposium in Zurich?")
    quotes = " ".join(hit.quote.text for hit in answer.hits)
    assert not answer.abstained and "Paul-Olivier Dehaye" in quotes
    assert "Dehaye" in answer.hits[0].quote.text


@pytest.mark.parametrize(
    "text, fits",
    [
        ("When: Friday, April 19, 2024, 9:30 am", True),
        ("Am 27. Juni findet das Treffen statt.", True),
        ("Der Termin ist der 3.5.2025.", True),
        ("NYC Privacy Day, Spring 2024", False),
        ("The workshop took place in 2024.", False),
    ],
)
def test_which_day_is_answered_by_a_day_of_the_calendar_not_by_a_season(text, fits):
    for question in ("On which day was the privacy day?", "An welchem Tag war der Workshop?"):
        shape = answer_shape(question)
        assert shape.name == "date" and shape.fits(text) == fits

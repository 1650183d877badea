"""Cutting rendered pages into passages a person can quote."""

from __future__ import annotations

from assistant.documents import Document
from assistant.passages import passages_from_document, split_sentences


def page(html: str, source_text: str = "", url: str = "https://example.org/page.html") -> list:
    return passages_from_document(
        Document(url=url, title="A page", html=html, source="page.md", source_text=source_text)
    )


def test_a_short_list_stays_whole_under_its_heading():
    items = "".join(f"<li>Prof. Dr. Person {n}, Group {n}</li>" for n in range(10))
    [p] = page(f'<h2 id="board">Board</h2><ul>{items}</ul>')
    assert p.is_list and p.text.count("\n") == 10
    assert p.text.startswith("Board\n") and "Person 9" in p.text
    assert p.url.endswith("#board") and p.heading == "Board"


def test_headings_above_the_two_shown_still_say_what_a_passage_is_about():
    passages = page(
        "<h1>Studies</h1><p>What the chair teaches, and when.</p>"
        "<h1>Courses in the summer term</h1><h2>Languages</h2><h3>French</h3>"
        "<p>Business correspondence, twice a week.</p>"
    )
    [french] = [p for p in passages if "Business correspondence" in p.text]
    assert french.heading == "Languages › French"
    assert "Courses in the summer term" in french.context


def test_a_heading_that_announces_its_sections_gets_an_outline_of_them():
    topics = "".join(f"<h3>Topic {n}</h3><p>What topic {n} is about, in a sentence or two.</p>" for n in "ABC")
    passages = page(f"<h2>The group works on three topics:</h2>{topics}<h2>News</h2><p>Nothing new.</p>")
    [outline] = [p for p in passages if "…" in p.text]
    assert outline.text.split("\n") == ["The group works on three topics:", "Topic A", "…", "Topic B", "…", "Topic C"]
    # a heading that announces nothing ("Research") outlines nothing: its sections speak for themselves
    plain = page(f"<h2>Research</h2>{topics}")
    assert not any("…" in p.text for p in plain)


def test_lines_broken_by_br_read_as_a_list():
    [p] = page("<p>Alice, Speaker<br>Bob, Treasurer<br>Carol, Secretary<br></p>")
    assert p.is_list and p.text.split("\n") == ["Alice, Speaker", "Bob, Treasurer", "Carol, Secretary"]


def test_long_items_become_passages_of_their_own():
    long = " ".join(["This project studies a very long topic in a lot of detail."] * 4)
    passages = page(f"<ul><li>{long}</li><li>{long}</li></ul>")
    assert len(passages) == 2 and not any(p.is_list for p in passages)


def test_long_paragraphs_are_cut_into_runs_of_sentences():
    text = " ".join(
        f"Sentence number {n} says something about topic {n} in twenty words or so here." for n in range(20)
    )
    passages = page(f"<p>{text}</p>")
    assert len(passages) > 3
    assert all(len(p.text.split()) <= 110 for p in passages)
    assert " ".join(p.text for p in passages) == text


def test_chrome_and_scripts_are_not_passages():
    passages = page("<nav>Home About</nav><script>var x = 1;</script><p>Real content here.</p><footer>Imprint</footer>")
    assert [p.text for p in passages] == ["Real content here."]


def test_source_line_is_found_for_text_written_in_the_page():
    source = "---\ntitle: A page\n---\n\nIntro line.\n\nThe answer stands on this line of the file.\n"
    passages = page("<p>Intro line.</p><p>The answer stands on this line of the file.</p>", source)
    assert [p.line for p in passages] == [5, 7]
    assert passages[1].kind == "page"


def test_text_rendered_from_data_is_marked_as_data():
    [p] = page("<p>Office: Building 5, 3rd floor</p>", "---\nlayout: group\n---\n")
    assert p.kind == "data" and p.line is None


def test_german_pages_are_detected():
    [p] = page("<p>Das Institut wurde im Jahr 2019 gegründet und gehört zur Universität, die in Essen liegt.</p>")
    assert p.lang == "de"


def test_sentences_do_not_break_after_titles_and_abbreviations():
    assert split_sentences("Prof. Dr. med. Jane Doe leads it, e.g. in Essen. It was founded in 2019.") == [
        "Prof. Dr. med. Jane Doe leads it, e.g. in Essen.",
        "It was founded in 2019.",
    ]


def test_a_small_box_of_short_lines_is_one_passage():
    html = """<h3>2018</h3>
    <div class="entry"><a href="#">A paper about open access</a>
      <div>Jane Roe, John Doe</div><div>eLife · 01 Mar 2018</div></div>
    <div class="entry"><a href="#">Another paper</a><div>Ann Other</div><div>PLOS · 2019</div></div>"""
    passages = page(html)
    assert [p.text.split("\n")[1:] for p in passages][0] == [
        "A paper about open access",
        "Jane Roe, John Doe",
        "eLife · 01 Mar 2018",
    ]
    assert passages[1].text == "Another paper\nAnn Other\nPLOS · 2019"


def test_buttons_and_back_to_top_links_are_not_text():
    html = (
        '<p>Our lab builds sensors. <a class="btn btn--primary" href="/more">Learn more</a></p>'
        '<p><a href="#top">Back to top ↑</a></p><p>See <a href="/x">the project page</a>.</p>'
    )
    assert [p.text for p in page(html)] == ["Our lab builds sensors.", "See the project page."]


def test_a_button_that_shows_an_email_address_is_text():
    html = '<p>Write to us: <a class="button" href="mailto:lab@example.org"><span>lab@example.org</span></a></p>'
    assert [p.text for p in page(html)] == ["Write to us: lab@example.org"]


def test_a_label_ending_in_a_colon_stays_with_its_list():
    [p] = page("<p>Research interests:</p><ul><li>Imaging</li><li>Genomics</li></ul>")
    assert p.text == "Research interests:\nImaging\nGenomics" and p.is_list


def test_a_team_of_name_headings_with_role_lines_is_indexed_with_each_role():
    cards = "".join(
        f"<h2>{name}</h2><p>{role}</p>"
        for name, role in [("Ada Lovelace", "PostDoc"), ("Alan Turing", "PhD Candidate"), ("Grace Hopper", "PostDoc")]
        * 3
    )
    alumni = "<h2>Alumni</h2><h2>Edsger Dijkstra</h2><p>Student</p><h2>Barbara Liskov</h2><p>Student</p>"
    passages = page(f"<h2>Current members</h2>{cards}{alumni}")
    texts = [p.text for p in passages]
    assert any("Ada Lovelace\nPostDoc" in t and t.startswith("Current members") for t in texts)
    [former] = [t for t in texts if "Alumni" in t]
    assert former.startswith("Alumni\nEdsger Dijkstra\nStudent") and "Ada Lovelace" not in former
    assert all(p.heading in ("", "Current members") for p in passages)


def test_a_board_of_name_cards_with_affiliations_in_brackets_is_one_list():
    members = [
        ("Ada Lovelace", "Royal Academy of Sciences (RAS)"),
        ("Alan Turing", "University of Manchester"),
        ("Grace Hopper", "Navy Research Lab (NRL)"),
        ("Edsger Dijkstra", "Eindhoven University of Technology (TU/e)"),
        ("Barbara Liskov", "Institute of Technology, Cambridge"),
    ]
    cards = "".join(f"<h3>{name}</h3><p>{place}</p>" for name, place in members)
    passages = page(f'<h2 id="board">Advisory board</h2><p>The board advises us on our strategy.</p>{cards}')
    [board] = [p for p in passages if "Ada Lovelace" in p.text]
    assert all(name in board.text and place in board.text for name, place in members)
    assert board.is_list and board.heading == "Advisory board"


MODULE_TABLE = """<table><tr><td><b>{title}</b></td>
<td><a href="#swap" onclick="swap('{n}')">Show</a></td></tr>
<tr><td colspan="2"><div id="box{n}"><h4>Aims</h4><p>Students learn {aim}.</p>
<h4>Assessment</h4><p>The module is assessed by {exam}.</p>
<h4>Requirements</h4>Passed module {pre}</div></td></tr></table>"""


def test_a_table_of_boxes_with_headings_is_read_as_the_pages_sections():
    html = (
        "<h2>Our modules</h2>"
        + MODULE_TABLE.format(
            n=1, title="School as a field (ED-01)", aim="to observe lessons", exam="a portfolio", pre="ED-00"
        )
        + MODULE_TABLE.format(
            n=2, title="Qualitative methods (QM-48)", aim="interviews", exam="a term paper", pre="none"
        )
        + "<h4>More information</h4><p>The course catalogue lists all dates.</p>"
    )
    passages = page(html)
    exam = next(p for p in passages if "a term paper" in p.text)
    # the module's bold title row heads its sections, as a visitor reads the box
    assert exam.heading == "Qualitative methods (QM-48) › Assessment"
    assert exam.text == "Assessment\nThe module is assessed by a term paper."
    # the last short line of the first box stays in that box
    [first_requirement] = [p for p in passages if "ED-00" in p.text]
    assert first_requirement.heading.startswith("School as a field (ED-01)")
    assert "Qualitative" not in first_requirement.text
    # what follows the table is not under the last box's heading, and the script link is no text
    [more] = [p for p in passages if "course catalogue" in p.text]
    assert more.heading == "Our modules › More information"
    assert not any("Show" in p.text.split("\n") for p in passages)


def test_a_table_of_data_stays_rows():
    [p] = page("<table><tr><th>Room</th><th>Hours</th></tr><tr><td><b>A 101</b></td><td>9-12</td></tr></table>")
    assert p.text.split("\n") == ["Room | Hours", "A 101 | 9-12"]


def test_a_control_in_a_table_row_is_left_out_with_an_omission():
    [p] = page(
        '<table><tr><td><b>Contact</b></td><td><a href="#box" onclick="show()">Show</a></td></tr>'
        "<tr><td>Phone: 0341 1234</td></tr></table>"
    )
    assert p.text.split("\n") == ["Contact", "…", "Phone: 0341 1234"]


def test_labelled_items_of_one_person_stay_one_passage_beside_a_long_bio():
    bio = " ".join(["She works on methods for data donation studies, in measurement and representation."] * 10)
    items = lambda name, mail: (  # noqa: E731
        f"<li><strong>Name</strong>: {name}</li><li><strong>Affiliation</strong>: Utrecht University</li>"
        f"<li><strong>Email address</strong>: {mail}</li><li><strong>Bio</strong>: {bio}</li>"
    )
    passages = page(
        f"<h2>Organizers</h2><ul>{items('Ada Lovelace', 'ada@uu.nl')}{items('Alan Turing', 'alan@uu.nl')}</ul>"
    )
    [ada] = [p for p in passages if "ada@uu.nl" in p.text]
    [alan] = [p for p in passages if "alan@uu.nl" in p.text]
    assert "Name: Ada Lovelace" in ada.text and "Alan" not in ada.text
    assert "Name: Alan Turing" in alan.text and "Ada" not in alan.text
    assert not any(bio in p.text and "Name:" in p.text for p in passages)  # a long bio is a passage of its own


def test_the_line_under_a_card_link_is_that_cards_role_not_the_title_of_the_next_card():
    card = (
        '<div class="person"><h3>{name}</h3><a href="/people/{slug}/">[ more ]</a><div class="role">{role}</div></div>'
    )
    people = [("Ada Lovelace", "ada", "Professor"), ("Alan Turing", "alan", "Staff Scientist")]
    cards = "".join(card.format(name=n, slug=s, role=r) for n, s, r in people)
    passages = page(f"<h1>People</h1>{cards}<h2>Alumni</h2><p>Former members of the lab.</p>")
    [ada] = [p.text for p in passages if "Ada" in p.text]
    [alan] = [p.text for p in passages if "Alan" in p.text]
    assert ada.endswith("Ada Lovelace\n[ more ]\nProfessor")
    assert alan == "Alan Turing\n[ more ]\nStaff Scientist"

"""The bilingual glossary: well formed, one sense per word, and German questions find English text (and back)."""

from collections import defaultdict

import pytest

from assistant.analysis import LANGS, LEXICON, Analyzer, fold
from assistant.documents import Passage
from assistant.glossary import DEFAULT_GLOSSARY, read_glossary
from assistant.search_index import SearchIndex, build_index

# the glossary and the lexicon are applied together, so they are checked together
GROUPS = [(f"glossary.yml:{line}", g) for line, g in read_glossary(DEFAULT_GLOSSARY)] + [
    (f"lexicon.yml:{line}", g) for line, g in read_glossary(LEXICON)
]


def test_glossary_and_lexicon_parse_into_many_groups():
    assert len(GROUPS) > 790
    analyzer = Analyzer()
    analyzer.parse_question("warm up", "en")  # loads the file
    assert len(analyzer.glossary) == len(GROUPS)


def test_every_group_has_both_languages():
    one_sided = [(line, members) for line, members in GROUPS if {lang for lang, _ in members} != set(LANGS)]
    assert one_sided == []


def test_no_word_sits_in_two_groups():
    # A question word brings in every group it matches, so a word in two groups
    # mixes two senses. Spelling is compared folded and across languages, as the
    # question side matches it ("Team" en and "Team" de in one group is fine).
    lines = defaultdict(set)
    for line, members in GROUPS:
        for _, phrase in members:
            lines[fold(phrase)].add(line)
    assert {word: sorted(at) for word, at in lines.items() if len(at) > 1} == {}


def test_the_doctorate_is_the_degree():
    """On a university site "doctorate" and "Ph.D." are one degree; the physician is another sense."""
    by_word = {fold(phrase): {fold(p) for _, p in members} for _, members in GROUPS for _, phrase in members}
    assert {"ph.d", "doktortitel", "promoviert"} <= by_word["doctorate"]
    assert {"promotion", "doctoral degree"} <= by_word["phd"]
    assert not {"doctor", "doctors", "doctorate"} & by_word["physician"]
    assert "arzt" in by_word["physician"]


def variants(analyzer, question, lang):
    return {v for term in analyzer.parse_question(question, lang).terms for v in term.variants}


@pytest.fixture(scope="module")
def analyzer():
    return Analyzer()


@pytest.mark.parametrize(
    "question, lang, wanted, unwanted",
    [
        ("Who holds the chair?", "en", "lehrstuhl", "vorsitzende"),  # chair = Lehrstuhl on institute sites
        ("Welche Stellen sind frei?", "de", "vacancies", "place"),
        ("Is the library open on Saturday?", "en", "samstag", "stellenangebot"),  # not "openings"
        ("Which projects are related to imaging?", "en", "bildgebung", "angehorige"),  # not "relatives"
        ("Which human cells are studied?", "en", "zellen", "geisteswissenschaften"),  # not "humanities"
        ("What kind of data do you store?", "en", "gespeichert", "kinder"),  # false friend
        ("How to get there by train?", "en", "anfahrt", "zug"),  # "train" stays a stem of "training"
        ("Was ist der Vorteil der Behandlung?", "de", "treatment", "treat"),
        ("Wie viel Geld geben Bund und Länder aus?", "de", "spend", "birth"),  # "geb." is no stem of "geben"
        ("Wie schnell fahren die Autos?", "de", "speed", "fast"),  # German "fast" is "almost"
        ("Where did she get her doctorate?", "en", "ph.d", "arzt"),  # the degree, not the physician
        ("Where did she get her doctorate?", "en", "promoviert", "physician"),
        ("Which PhD positions are open?", "en", "promotion", "doctor"),  # not a physician's "doctors"
        ("Wo hat sie promoviert?", "de", "phd", "arzt"),
        ("Wo arbeitet er inzwischen?", "de", "currently", "zwischen"),  # "currently" is no asking word of a site
        ("Was macht sie heute beruflich?", "de", "currently", "tomorrow"),
        ("Which presentations are planned?", "en", "vortrag", "derzeit"),  # not "presently"
        ("Is the seminar held once a week?", "en", "woche", "fruher"),  # "once" is no "formerly"
        ("Wer kümmert sich um die Finanzen?", "de", "schatzmeister", "look"),  # the association's treasurer
        ("Wie hoch ist der Mitgliedsbeitrag?", "de", "membership fee", "contribution"),  # not any "Beitrag"
        ("Welche Flugzeuge haben keinen Wickeltisch?", "de", "aircraft", "plans"),  # "Pläne" is no "plane"
        ("Welche Studie zum Darmmikrobiom?", "de", "gut microbiom", "arzt"),
        ("Welche Nebenwirkungen hat eine Chemotherapie bei Hautkrebs?", "de", "chemotherapy", "melanoma"),
        ("Welche Traglast hat der Roboterarm?", "de", "payload", "weight"),  # what it carries, not what it weighs
        ("Which quadrotors fly in the factory?", "en", "quadrokopter", "werk"),  # "Werk" is also an author's work
        ("Which assembly processes are automated?", "en", "montageprozess", "montag"),  # "Montage" stems as Monday
        ("Where is the nearest motorway exit?", "en", "autobahnausfahrt", "ausgang"),
        ("Can I take part in the online survey?", "en", "online-umfrage", "studium"),
        ("Arbeitet der Lehrstuhl mit KMU zusammen?", "de", "smes", "business"),
        ("Wie tief ist das Becken?", "de", "basin", "tabl"),  # an ocean basin, not a pool table
        ("Welche Pakete bietet die Gruppe an?", "de", "packag", "work packag"),  # software, not a work package
        ("Wann ist die nächste Messe?", "de", "messen", "trade fair"),  # "Messe" shares the stem of "messen"
    ],
)
def test_a_word_brings_its_own_sense_only(analyzer, question, lang, wanted, unwanted):
    found = variants(analyzer, question, lang)
    assert wanted in found
    assert unwanted not in found


def test_inflected_german_forms_reach_english(analyzer):
    # Snowball does not conflate these with their infinitive or noun
    for word, english in [
        ("gefördert", "funded"),
        ("gegründet", "founded"),
        ("betrieben", "operated"),
        ("Hörsäle", "auditorium"),
        ("Mäuse", "mice"),
        ("Ärzte", "physicians"),
    ]:
        assert english in variants(analyzer, word, "de"), word


PASSAGES = [
    ("We only extract Biosafety Level (BSL) 1 and 2 microorganisms.", "Core facility", "Samples", "en"),
    ("Visitors park in the multi-storey car park opposite the main entrance.", "Directions", "By car", "en"),
    ("The cafeteria opens at noon.", "Campus", "", "en"),
    ("Die Ambulanz behandelt Patientinnen und Patienten mit seltenen Erkrankungen.", "Klinik", "Ambulanz", "de"),
    ("Der Lehrstuhl für Medizininformatik wurde 2019 eingerichtet.", "Lehrstühle", "", "de"),
    ("Die Vorsitzende des Fördervereins lädt zur Mitgliederversammlung ein.", "Förderverein", "", "de"),
    ("Angehörige von Patienten erhalten einen Ausweis am Empfang.", "Besuch", "", "de"),
    ("Unsere Gruppe entwickelt Algorithmen für die Bildgebung.", "Forschung", "", "de"),
    ("The project is funded by the national research foundation.", "Projects", "Funding", "en"),
    ("Der Hörsaal liegt im Erdgeschoss gleich neben dem Aufzug.", "Anreise", "Hörsaal", "de"),
    ("Der Roboterarm hebt Werkstücke mit einer Traglast von bis zu 5 kg.", "Ausstattung", "Roboter", "de"),
    ("Visitors park in the underground car park below the test hall.", "Directions", "Parking", "en"),
]


def make_passages():
    out = []
    for i, (text, title, heading, lang) in enumerate(PASSAGES):
        page = f"https://example.org/p{i}.html"
        out.append(
            Passage(
                id=f"p{i}",
                text=text,
                title=title,
                heading=heading,
                url=page + "#s",
                source=f"p{i}.md",
                line=i + 1,
                lang=lang,
                kind="page",
                page_url=page,
            )
        )
    return out


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory, analyzer):
    out = tmp_path_factory.mktemp("glossary") / "index"
    build_index(make_passages(), out, analyzer, meta={"site": "https://example.org"})
    return out


@pytest.fixture(scope="module")
def index(index_dir, analyzer):
    return SearchIndex.open(index_dir, analyzer)


def ask(index, question, lang=None):
    return [p.id for p, _ in index.search(index.parse(question, lang))]


@pytest.mark.parametrize(
    "question, lang, first",
    [
        ("Welche Biosicherheitsstufen kann das Labor extrahieren?", "de", "p0"),
        ("Gibt es Parkplätze am Haupteingang?", "de", "p1"),
        ("Von wem wird das Projekt gefördert?", "de", "p8"),
        ("Does the outpatient clinic treat rare diseases?", "en", "p3"),
        ("Who holds the chair of medical informatics?", "en", "p4"),
        ("Which algorithms does the group develop for imaging?", "en", "p7"),
        ("Is the lecture hall on the ground floor?", "en", "p9"),
        ("What payload can the robot arm carry?", "en", "p10"),
        ("Gibt es eine Tiefgarage an der Versuchshalle?", "de", "p11"),
        ("Wo ist die Tiefgarage?", "de", "p11"),
    ],
)
def test_a_question_finds_the_passage_in_the_other_language(index, question, lang, first):
    assert ask(index, question, lang)[0] == first


def test_the_glossary_is_what_bridges_the_languages(index_dir, tmp_path):
    empty = tmp_path / "empty.yml"
    empty.write_text("# no groups\n", encoding="utf-8")
    bare = SearchIndex.open(index_dir, Analyzer(glossary=empty))
    assert "p1" not in ask(bare, "Gibt es Parkplätze am Haupteingang?", "de")
    assert "p0" not in ask(bare, "Welche Biosicherheitsstufen kann das Labor extrahieren?", "de")
    assert "p9" not in ask(bare, "Is the lecture hall on the ground floor?", "en")
    assert "p11" not in ask(bare, "Wo ist die Tiefgarage?", "de")


def test_an_ambiguous_word_does_not_pull_the_wrong_passage(index):
    assert "p5" not in ask(index, "Who holds the chair of medical informatics?", "en")  # Vorsitzende
    assert "p6" not in ask(index, "Which projects are related to imaging?", "en")  # Angehörige
    assert "p7" in ask(index, "Which projects are related to imaging?", "en")


def test_a_compiled_copy_gives_the_same_groups_and_an_edited_file_is_read_again(tmp_path, monkeypatch):
    """The second process reads the compiled copy; a change to the file makes a new one."""
    import tempfile as tempfile_module

    from assistant.glossary import Glossary

    monkeypatch.setattr(tempfile_module, "tempdir", str(tmp_path))
    source = tmp_path / "g.yml"
    source.write_text("- en: [meeting room]\n  de: [Besprechungsraum]\n- en: [phone]\n  de: [Telefon]\n")

    def stem(word: str, lang: str) -> str:
        return word[:5]

    first = Glossary([source], stem, "v1")
    groups = [list(g) for g in first._load()]
    (copy,) = tmp_path.glob("institute-assistant-glossary-*.marshal")
    second = Glossary([source], lambda w, lang: "never called", "v1")
    assert [list(g) for g in second._load()] == groups
    assert second.groups_of_word("telefon", {}) == first.groups_of_word("telefon", {})
    stems = [{"en": "meeti", "de": "meeti"}, {"en": "room", "de": "room"}]
    assert second.phrases_in(["meeting", "room"], stems) == first.phrases_in(["meeting", "room"], stems) != {}

    source.write_text("- en: [phone, telephone]\n  de: [Telefon]\n")
    third = Glossary([source], stem, "v1")
    assert len(third._load()) == 1 and len(list(tmp_path.glob("institute-assistant-glossary-*.marshal"))) == 2
    assert copy.exists()


def test_a_glossary_read_from_its_copy_decodes_only_the_words_a_question_looks_up(tmp_path, monkeypatch):
    """The copy's tables are read a bucket (a key's kind and first letter) at a time, and give what the files give."""
    import tempfile as tempfile_module

    from assistant.glossary import Glossary

    monkeypatch.setattr(tempfile_module, "tempdir", str(tmp_path))
    source = tmp_path / "g.yml"
    source.write_text(
        "- en: [phone]\n  de: [Telefon]\n- en: [meeting room]\n  de: [Besprechungsraum]\n"
        "- en: [zoo]\n  de: [Tierpark]\n- en: [bus stop]\n  de: [Haltestelle]\n"
    )
    from_files = Glossary([source], lambda w, lang: w[:5], "v1")
    from_files._load()
    from_copy = Glossary([source], lambda w, lang: "never called", "v1")
    from_copy._load()
    assert from_copy.groups_of_word("telefon", {"de": "telef"}) == from_files.groups_of_word("telefon", {}) == {0}
    assert from_copy._single._read.keys() == {"w\x1ft", "de\x1ft"}  # type: ignore[attr-defined]
    assert dict(from_copy._single) == dict(from_files._single)
    assert dict(from_copy._phrases) == dict(from_files._phrases)
    assert from_copy.groups_of_word("elephant", {}) == set()


def test_a_run_of_words_is_looked_up_only_where_a_phrase_begins(tmp_path, monkeypatch):
    """Most words of a question begin no phrase of the glossary: the runs they begin are not looked up."""
    import tempfile as tempfile_module

    from assistant.glossary import Glossary

    monkeypatch.setattr(tempfile_module, "tempdir", str(tmp_path))
    source = tmp_path / "g.yml"
    source.write_text("- en: [meeting room]\n  de: [Besprechungsraum]\n- en: [bus stop]\n  de: [Haltestelle]\n")
    Glossary([source], lambda w, lang: w[:5], "v1")._load()  # writes the compiled copy
    from_copy = Glossary([source], lambda w, lang: "never called", "v1")
    words = "where is the bus stop near the meeting room".split()
    stems = [{"en": w[:5], "de": w[:5]} for w in words]

    assert from_copy.phrases_in(words, stems) == {(3, 4): {1}, (7, 8): {0}}
    # only the buckets of the two phrases' first words were read, by spelling and by English stem
    assert from_copy._phrases._read.keys() == {"w\x1fb", "w\x1fm", "en\x1fb", "en\x1fm"}  # type: ignore[attr-defined]
    from_files = Glossary([source], lambda w, lang: w[:5])
    assert from_files.phrases_in(words, stems) == from_copy.phrases_in(words, stems)


def test_a_copy_shipped_beside_the_code_is_read_when_the_temporary_folder_is_empty(tmp_path, monkeypatch):
    """A package ships the compiled copy (a new Lambda sandbox has an empty temporary folder)."""
    import tempfile as tempfile_module

    from assistant import compiled_copies as compiled_module
    from assistant.glossary import Glossary

    source = tmp_path / "g.yml"
    source.write_text("- en: [phone]\n  de: [Telefon]\n")
    shipped = tmp_path / "compiled"
    shipped.mkdir()
    name, data = Glossary([source], lambda w, lang: w[:5], "v1").compiled()
    (shipped / name).write_bytes(data)
    empty = tmp_path / "tmp"
    empty.mkdir()
    monkeypatch.setattr(tempfile_module, "tempdir", str(empty))
    monkeypatch.setattr(compiled_module, "PACKAGED", shipped)

    fresh = Glossary([source], lambda w, lang: "never called", "v1")
    assert fresh.groups_of_word("telefon", {}) == {0}
    assert [m.stems for m in fresh.members(0)] == [("phone",), ("telef",)]
    assert not list(empty.iterdir())  # nothing written: the shipped copy was enough


def test_every_process_finds_the_same_compiled_copy():
    """The copy's name depends on the glossary files and the stemmer only, not on anything of one process."""
    import subprocess
    import sys

    from assistant.analysis import Analyzer

    code = "from assistant.analysis import Analyzer; print(Analyzer().glossary._cache_file())"
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert other == str(Analyzer().glossary._cache_file())


def test_a_group_set_up_is_a_group_founded(analyzer):
    assert {"founded", "gegrundet"} <= variants(analyzer, "Who set up the lab?", "en")

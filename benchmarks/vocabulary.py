"""Word lists the site generator draws on where real text runs out.

English text is sampled from real pages at generation time; the real sites
have almost no German, so the German side is built from the lists below,
ranked roughly by how common each word is.
"""

from __future__ import annotations

GERMAN_FUNCTION = (
    "die der und in den von zu das mit sich des auf für ist im dem nicht ein eine als "
    "auch es an werden aus er hat dass sie nach wird bei einer um am sind noch wie "
    "einem über einen so zum war haben nur oder aber vor zur bis mehr durch man "
    "dann wenn sowie unter diese dieser können wir unsere unser neue neuen"
).split()

GERMAN_CONTENT = (
    "Forschung Daten Medizin Patienten Klinik Gruppe Institut Universität Projekt "
    "Methoden Analyse Verfahren Entwicklung Anwendung Versorgung Studie Ergebnisse "
    "Behandlung Diagnose Therapie Bildgebung Krankenhaus Lehre Studierende Informatik "
    "Modelle Algorithmen Netzwerk Zusammenarbeit Förderung Wissenschaft Labor Proben "
    "Sequenzierung Genom Erkrankungen Krebs Tumor Radiologie Pathologie Auswertung "
    "Infrastruktur Rechenzentrum Datenschutz Sicherheit Plattform Werkzeuge Software "
    "Schnittstelle Standards Qualität Prozesse Ziel Ziele Schwerpunkt Arbeitsgruppe "
    "Nachwuchsgruppe Professur Leitung Team Mitarbeitende Promotion Masterarbeit "
    "Bachelorarbeit Stelle Stellen Bewerbung Kontakt Adresse Gebäude Etage Raum "
    "Veranstaltung Vortrag Seminar Workshop Konferenz Preis Auszeichnung Partner "
    "Kooperation Stiftung Mittel Jahr Jahren Monaten Beitrag Beiträge Veröffentlichung "
    "Publikationen Zeitschrift Vorhersage Risiko Verlauf Überleben Biomarker Signaturen "
    "Bilder Texte Berichte Sprache Verarbeitung Lernen Maschinelles Künstliche Intelligenz "
    "klinischen klinische medizinischen medizinische digitale digitalen großen große "
    "neue verschiedene unterschiedliche interdisziplinäre gemeinsame gemeinsam erste "
    "wichtige wichtigen aktuelle aktuellen offene offenen sichere sicheren schnelle "
    "entwickelt untersucht eingesetzt gefördert genutzt verbessert unterstützt geleitet "
    "arbeitet forscht bietet ermöglicht verbindet erforscht analysiert beschreibt "
    "entwickeln untersuchen verbessern unterstützen verbinden nutzen anwenden lernen"
).split()

# Stems that combine into German compounds, the long tail of a German text.
GERMAN_STEMS = (
    "Daten Bild Text Gen Zell Tumor Krebs Lern Wissen Kranken Patienten Therapie "
    "Netz Modell Mess Labor Proben Risiko Rechen Speicher Forschungs Klinik Haut "
    "Blut Lungen Herz Hirn Wasser Umwelt Keim Virus Signal Muster Sprach Bericht"
).split()
GERMAN_HEADS = (
    "analyse verfahren plattform projekt modell gruppe netz zentrum labor studie "
    "vorhersage erkennung auswertung verarbeitung sicherheit qualität werkzeug "
    "schnittstelle register kohorte bank archiv dienst prüfung methode"
).split()

FIRST_NAMES = (
    "Anna Jonas Lea Felix Mia Paul Emma Lukas Sofia Leon Clara Elias Hannah Noah "
    "Marie Ben Laura David Julia Tim Sarah Jan Lena Niklas Amelie Moritz Ayşe Mehmet "
    "Yusuf Zeynep Wei Li Chen Mei Arjun Priya Rahul Ananya Olga Dmitri Ivana Marco "
    "Giulia Luca Chiara Pablo Lucía Carmen Tomás Fatima Omar Layla Karim Ingrid "
    "Henrik Astrid Sven Kofi Amara Chidi Ngozi Hiroshi Yuki Sakura Kenji Nadia Pieter"
).split()

LAST_NAMES = (
    "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann "
    "Koch Richter Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger "
    "Hofmann Hartmann Lange Werner Krause Lehmann Köhler Kaiser Fuchs Scholz Yilmaz "
    "Demir Kaya Wang Zhang Liu Sharma Patel Gupta Ivanova Petrov Novak Rossi Bianchi "
    "Romano Garcia Fernández López Haddad Nasser Lindqvist Johansson Andersen "
    "Mensah Okafor Adeyemi Tanaka Suzuki Sato Nakamura Kowalski Nowak Jansen De Vries"
).split()

TITLES = ("Prof. Dr.", "Dr.", "Dr. med.", "M.Sc.", "B.Sc.", "Dipl.-Inf.", "")
ROLES = ("head", "postdoc", "phd", "phd", "phd", "tech", "admin", "student", "alumni")

# Syllables for coined names of projects, methods and tools (the rare terms of a site).
ONSETS = "b br d f g gr k kl l m n p pr r s st t tr v w z".split()
NUCLEI = "a e i o u ai ei au ou ia".split()
CODAS = ["", "", "", "n", "r", "l", "s", "x", "nd", "rt", "m"]

STREETS = ("Hufelandstr.", "Girardetstr.", "Universitätsstr.", "Schützenbahn", "Kruppstr.", "Lotharstr.")
CITIES = ("Essen", "Duisburg", "Bochum", "Dortmund", "Köln", "Bonn")

# Used only when no real site text can be found next to the project.
ENGLISH_FALLBACK = (
    "the of and to in a for is on with that as by are we our from this at an be "
    "research data group patients clinical medical learning methods analysis "
    "institute university project models imaging health care development team "
    "students science study results treatment diagnosis network platform"
).split()

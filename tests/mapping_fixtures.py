"""Hand-built records shaped like documents No. 167 and No. 173 of the seed page (values copied
from the page), used by the mapping, shapes and ontology tests: real records, no parser needed."""

from __future__ import annotations

from kg.model import (
    Citation,
    Corpus,
    CrossReference,
    DateStatement,
    Document,
    Entity,
    Event,
    Marker,
    NameUsage,
    Note,
    Party,
    PlaceDate,
    Reference,
    Resolution,
    SourceSpan,
    WikidataLink,
)

PAGE = "data/corpus/bolshevik-correspondence-1923-nos-167-177.txt"
BODY_167 = ("Dear Sergo!\n\n1. I am sending you ...\n\n3. Koba sent your cipher to Smilge ...\n\n"
            "Today I received your code. What's up with poor Beso?")


def span(first: int, last: int | None = None) -> SourceSpan:
    return SourceSpan(PAGE, first, last or first)


def doc_167() -> Document:
    citation = Citation(verbatim="RTSKHIDNI. F. 85. Op. 1/S. D. 13. L. 12-13. Autograph.", archive="RTsKhIDNI",
                        archive_verbatim="RTSKHIDNI", fond="85", opis="1/S", delo="13", folios="12-13",
                        form="autograph", form_verbatim="Autograph.", record_state="original",
                        technique="handwritten", span=span(46))
    ibid = Citation(verbatim="Ibid. D. 331. L. 1", archive="RTsKhIDNI", archive_verbatim=None, fond="17",
                    opis="3", delo="331", folios="1")
    notes = [
        Note(number=1, text="See note 1 to document No. 166.", number_verbatim="1",
             marker=Marker(1, 80, "commission Dzerzhinsky", 17),
             cross_references=[CrossReference("See note 1 to document No. 166.", "166", 1)], span=span(50)),
        Note(number=3, text="On January 25, 1923, the Politburo approved ...", number_recovered=True,
             number_verbatim="", references=[Reference("archival", "Ibid. D. 331. L. 1", ibid, ibid=True)],
             span=span(54)),
    ]
    return Document(
        key="167", number="167", kind="letter", header="A. M. Nazaretyan - G. K. Ordzhonikidze.",
        senders=[Party("A. M. Nazaretyan", "person", "A. M. Nazaretyan")],
        recipients=[Party("G. K. Ordzhonikidze", "person", "G. K. Ordzhonikidze")],
        date=DateStatement("January 24, 1923", "1923-01-24", "1923-01-24", "1923-01-24",
                           gregorian_earliest="1923-01-24", gregorian_latest="1923-01-24", span=span(15)),
        place_dates=[PlaceDate("24/1 23", None, DateStatement("24/1 23", "1923-01-24", "1923-01-24", "1923-01-24",
                                                              gregorian_earliest="1923-01-24",
                                                              gregorian_latest="1923-01-24"), span=span(44))],
        body=BODY_167, signatures=["Your Amayak."], citation=citation,
        notes=notes, source=span(11, 58), pages=[PAGE], sources=[span(11, 58)],
    )


def doc_173() -> Document:
    """Unresolved sender, a written place, a Julian date (to test the Gregorian conversion)."""
    return Document(
        key="173", number="173", kind="telegram", header="G. L. Pyatakov - I. V. Stalin.",
        senders=[Party("G. L. Pyatakov", "person", "G. L. Pyatakov")],
        recipients=[Party("I. V. Stalin", "person", "I. V. Stalin"),
                    Party("Central Committee of the RCP(b)", "organization", "CC RCP(b)")],
        date=DateStatement("[March 1917]", "1917-03", "1917-03-01", "1917-03-31", supplied=["whole"],
                           calendar="julian", gregorian_earliest="1917-03-14", gregorian_latest="1917-04-13"),
        place_dates=[PlaceDate("Berlin, 1.XI.1923", "Berlin", None)],
        citation=Citation(verbatim="RTSKHIDNI. F. 558. Op. 2. D. 137. L. 1-5. Typewritten text.",
                          archive="RTsKhIDNI", archive_verbatim="RTSKHIDNI", fond="558", opis="2", delo="137",
                          folios="1-5", form="typewritten", record_state="original", technique="typewritten"),
        source=span(300, 420), pages=[PAGE], sources=[span(300, 420)],
    )


def entities() -> dict[str, Entity]:
    link = WikidataLink("http://www.wikidata.org/entity/Q855", "shared/reference/wikidata-seen.tsv", "curated",
                        "high", "2026-11-26", "SpocWiki has_id_wikidata: Q855")
    ents = [
        Entity("nazaretyan-a-m", "person", "A. M. Nazaretyan", ["Amayak"]),
        Entity("ordzhonikidze-g-k", "person", "G. K. Ordzhonikidze", ["Sergo"],
               full_name="Grigory Konstantinovich Ordzhonikidze"),
        Entity("stalin-i-v", "person", "I. V. Stalin", ["Koba", "Soso"], wikidata=link),
        Entity("politburo", "organization", "Politburo of the CC RCP(b)", ["PB"]),
        Entity("berlin", "place", "Berlin"),
        Entity("rgaspi", "archive", "RGASPI", ["RTsKhIDNI"]),
    ]
    return {e.id: e for e in ents}


def events() -> dict[str, Event]:
    date = DateStatement("January 25, 1923", "1923-01-25", "1923-01-25", "1923-01-25",
                         gregorian_earliest="1923-01-25", gregorian_latest="1923-01-25")
    ruhr = DateStatement("January 11, 1923", "1923-01-11/1923-01-12", "1923-01-11", "1923-01-12",
                         qualifier="range", gregorian_earliest="1923-01-11", gregorian_latest="1923-01-12")
    return {
        "1923-01-25-politburo": Event("1923-01-25-politburo", "Politburo meeting", "decision", date,
                                      body="politburo", cited_in=[("167", 3)]),
        "occupation-of-the-ruhr": Event("occupation-of-the-ruhr", "Occupation of the Ruhr", "historical", ruhr,
                                        named_in=["167"]),
    }


def _span(text: str, form: str) -> tuple[int, int]:
    """Where ``form`` first stands in ``text``, as the resolver records it (NameUsage.span)."""
    return text.index(form), text.index(form) + len(form)


def corpus() -> Corpus:
    res_167 = Resolution(
        "167", senders=["nazaretyan-a-m"], recipients=["ordzhonikidze-g-k"],
        usages=[NameUsage("167", "Koba", "nickname", "body", 23, entity="stalin-i-v", basis="authority-file",
                          explanation="alias of I. V. Stalin", span=_span(BODY_167, "Koba")),
                NameUsage("167", "Beso", "first-name", "body", 29, span=_span(BODY_167, "Beso"))],
        mentions=["stalin-i-v", "occupation-of-the-ruhr", "stalin-i-v"])
    res_173 = Resolution("173", senders=[None], recipients=["stalin-i-v", None], place="berlin")
    return Corpus([doc_167(), doc_173()], entities(), events(), {"167": res_167, "173": res_173})

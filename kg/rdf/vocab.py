"""Our two namespaces as checked Python names.

Why: a typo in a term (``BC.sendr``) must fail at once rather than publish a triple with a term
nobody declared. ``_fail = True`` makes rdflib raise AttributeError for undeclared names, and
tests/test_ontology.py asserts that these term lists equal what ontology/ declares (no drift).
"""

from __future__ import annotations

from rdflib import URIRef
from rdflib.namespace import SDO, DefinedNamespace, Namespace

from kg.config import ONTOLOGY_NS, VOCAB_NS


class BC(DefinedNamespace):
    """The bolcorr ontology (ontology/bolcorr.ttl): classes, then properties."""

    _NS = Namespace(ONTOLOGY_NS)
    _fail = True

    Agent: URIRef
    ArchivalInstantiation: URIRef
    ArchivalUnit: URIRef
    Archive: URIRef
    Arrest: URIRef
    BuildActivity: URIRef
    DateStatement: URIRef
    Death: URIRef
    Decision: URIRef
    DocumentGraph: URIRef
    Edition: URIRef
    EditorialNote: URIRef
    Event: URIRef
    Expulsion: URIRef
    Group: URIRef
    HistoricalEvent: URIRef
    Letter: URIRef
    Meeting: URIRef
    NameUsage: URIRef
    Person: URIRef
    Place: URIRef
    PlaceDateLine: URIRef
    PublicationEvent: URIRef
    Return: URIRef
    SourcePage: URIRef
    SourceReference: URIRef
    WikidataAlignment: URIRef
    PartyRole: URIRef  # issues 14/15: parties in order, copies, transmission, replies, languages
    Attestation: URIRef
    LetterText: URIRef

    about: URIRef
    alignedWith: URIRef
    alignmentMethod: URIRef
    alignmentSource: URIRef
    anchorText: URIRef
    archiveName: URIRef
    calendar: URIRef
    citation: URIRef
    citesDocument: URIRef
    citesNote: URIRef
    confidence: URIRef
    created: URIRef
    dateQualifier: URIRef
    dateSupplied: URIRef
    decidedBy: URIRef
    delo: URIRef
    documentKey: URIRef
    documentKind: URIRef
    documentNumber: URIRef
    earliest: URIRef
    edtf: URIRef
    eventDate: URIRef
    evidence: URIRef
    explanation: URIRef
    expressedDate: URIRef
    folios: URIRef
    fond: URIRef
    form: URIRef
    formVerbatim: URIRef
    fullName: URIRef
    geonamesId: URIRef
    gregorianEarliest: URIRef
    gregorianLatest: URIRef
    hasInstantiation: URIRef
    hasNote: URIRef
    hasReference: URIRef
    hasWikidataAlignment: URIRef
    header: URIRef
    heldBy: URIRef
    ibid: URIRef
    identificationBasis: URIRef
    inNote: URIRef
    inUnit: URIRef
    latest: URIRef
    lineDate: URIRef
    lineRole: URIRef
    machineTranslated: URIRef
    mentions: URIRef
    nameForm: URIRef
    nameKind: URIRef
    nameUsage: URIRef
    noteNumber: URIRef
    noteNumberVerbatim: URIRef
    numberRecovered: URIRef
    opis: URIRef
    outsideCorpus: URIRef
    parserVersion: URIRef
    participant: URIRef
    placeDate: URIRef
    placeName: URIRef
    placeWritten: URIRef
    publication: URIRef
    publicationIssue: URIRef
    publicationPages: URIRef
    publicationYear: URIRef
    recipient: URIRef
    recordState: URIRef
    referenceKind: URIRef
    refersTo: URIRef
    sender: URIRef
    signature: URIRef
    signatureAutograph: URIRef
    sourceLine: URIRef
    sourceLines: URIRef
    statedIn: URIRef
    suppliedComponent: URIRef
    technique: URIRef
    unitLevel: URIRef
    unitNumber: URIRef
    unresolved: URIRef
    usageContext: URIRef
    verbatim: URIRef
    qualifiedSender: URIRef  # issues 14/15
    qualifiedRecipient: URIRef
    party: URIRef
    recipientKind: URIRef
    addressee: URIRef
    ccRecipient: URIRef
    transmissionStatus: URIRef
    inReplyTo: URIRef
    attestation: URIRef
    attests: URIRef
    attestedValue: URIRef
    statedIn: URIRef
    machineTranslationOf: URIRef
    position: URIRef
    quotation: URIRef
    senderUnknown: URIRef  # issue 15, item 5: what the page does not say
    recipientUnknown: URIRef
    dateUnknown: URIRef
    factuality: URIRef  # how the text states an event: stated, supposed, planned, reported, undetermined


class BCV(DefinedNamespace):
    """The bolcorr SKOS concept schemes and concepts (ontology/vocab.ttl)."""

    _NS = Namespace(VOCAB_NS)
    _fail = True

    AlignmentMethod: URIRef
    Calendar: URIRef
    DateQualifier: URIRef
    DocumentKind: URIRef
    IdentificationBasis: URIRef
    NameKind: URIRef
    RecordState: URIRef
    Technique: URIRef
    UnitLevel: URIRef
    approximate: URIRef
    authorityFile: URIRef
    bracketedCompletion: URIRef
    certifiedCopy: URIRef
    context: URIRef
    copy: URIRef
    curated: URIRef
    delo: URIRef
    editorNote: URIRef
    exact: URIRef
    firstName: URIRef
    fond: URIRef
    gregorian: URIRef
    handwritten: URIRef
    headerName: URIRef
    initials: URIRef
    julian: URIRef
    letter: URIRef
    memorandum: URIRef
    nickname: URIRef
    notAfter: URIRef
    notBefore: URIRef
    note: URIRef
    opis: URIRef
    original: URIRef
    otherDocument: URIRef
    otherName: URIRef
    pseudonym: URIRef
    range: URIRef
    reconciled: URIRef
    signatureName: URIRef
    statement: URIRef
    surname: URIRef
    telegram: URIRef
    typewritten: URIRef
    uncertifiedCopy: URIRef
    RecipientKind: URIRef  # issue 15
    TransmissionStatus: URIRef
    addressee: URIRef
    copyRecipient: URIRef
    sent: URIRef
    notSent: URIRef
    draft: URIRef
    Factuality: URIRef  # how the text states an event
    stated: URIRef
    supposed: URIRef
    planned: URIRef
    reported: URIRef
    undetermined: URIRef


class SCHEMA(SDO):
    """schema.org terms under http://schema.org/ (the form seed_check and most LOD clients read).

    rdflib's SDO uses https://schema.org/; we keep its checked term list and swap the namespace."""

    _NS = Namespace("http://schema.org/")
    _fail = True

"""Mapping of a letter's parties in the edition's order, its copy recipients, its transmission status,
the letter it answers, and the languages of the original and of the published text.

    <letter/169> schema:recipient <voroshilov>, <stalin>, <ordzhonikidze> ;       # plain values, no order
                 bc:qualifiedRecipient <letter/169/recipient/1>, ... .
    <letter/169/recipient/1> a bc:PartyRole ; bc:party <voroshilov> ; bc:position 1 ;
                 bc:recipientKind bcv:addressee ; bc:verbatim "K. E. Voroshilov" .
    <letter/175> bc:ccRecipient <dzerzhinsky> ; bc:attestation <letter/175/attestation/copy-2> .
    <letter/171> bc:transmissionStatus bcv:notSent ; bc:attestation <letter/171/attestation/transmission> .
    <letter/171/attestation/transmission> bc:attests bc:transmissionStatus ; bc:attestedValue bcv:notSent ;
                 bc:statedIn <letter/171/note/4> ; bc:quotation "... Dzerzhinsky's note: \"not sent.\"" .

Why qualified nodes next to the plain values (ontology/bolcorr.ttl says more): the plain
schema:sender/schema:recipient stay for simple queries and for generic clients (the seed check reads
them); the order of the header, and whether a recipient is an addressee or a copy, need a node per party.
Every copy, status and reply carries an attestation: the words of the page, their lines and the part of
the page (note, text, place/date line, citation) that states them.
"""

from __future__ import annotations

from typing import Protocol

from rdflib import RDF, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from kg.model import Attestation, Document, Party, Resolution
from kg.rdf.iris import Iris
from kg.rdf.parts import span_text
from kg.rdf.vocab import BC, BCV, SCHEMA


class LetterContext(Protocol):
    """What of kg.rdf.letter.LetterContext this module uses (a protocol: letter imports this module)."""

    iris: Iris

    def ref_iri(self, ref_id: str) -> URIRef | None: ...

ORIGINAL_LANGUAGE = "ru"  # the letters as the edition prints them (and as written, or translated by the editors)
TEXT_LANGUAGE = "en"  # the text we publish: the web translation of the edition, made by machine
STATUSES = {"sent": BCV.sent, "not-sent": BCV.notSent, "draft": BCV.draft}


def add_party(g: Graph, ctx: LetterContext, doc: Document, index: int, party: Party,
              entity_id: str | None) -> URIRef:
    """A sender/recipient: the authority entity when resolved, else a document-local agent."""
    if entity_id is not None:
        node = ctx.ref_iri(entity_id)
        if node is not None:
            return node
    node = ctx.iris.letter_part(doc.key, "party", index)
    person = party.kind == "person"
    g.add((node, RDF.type, BC.Person if person else BC.Group))
    g.add((node, RDF.type, BC.Agent))  # the superclass stated: sh:class bc:Agent holds without the ontology
    g.add((node, RDF.type, SCHEMA.Person if person else SCHEMA.Organization))
    g.add((node, SCHEMA.name, Literal(party.name)))
    g.add((node, BC.verbatim, Literal(party.verbatim)))
    g.add((node, BC.unresolved, Literal(True)))
    return node


def add_attestation(g: Graph, letter: URIRef, node: URIRef, prop: URIRef, value: URIRef, stated_in: URIRef,
                    attestation: Attestation, explanation: str = "") -> None:
    """Where the page states ``letter prop value``: the words, the lines, the part of the page, and why."""
    g.add((letter, BC.attestation, node))
    g.add((node, RDF.type, BC.Attestation))
    g.add((node, BC.attests, prop))
    g.add((node, BC.attestedValue, value))
    g.add((node, BC.statedIn, stated_in))
    g.add((node, BC.quotation, Literal(attestation.quotation)))
    g.add((node, BC.sourceLines, Literal(span_text(attestation.span))))
    if explanation:
        g.add((node, DCTERMS.description, Literal(explanation)))


def add_parties(g: Graph, ctx: LetterContext, doc: Document, res: Resolution, letter: URIRef) -> None:
    """Plain sender/recipient values, and a bc:PartyRole per party in the header's order."""
    index = 0
    sides = ((doc.senders, res.senders, "sender", (BC.sender, SCHEMA.sender), BC.qualifiedSender),
             (doc.recipients, res.recipients, "recipient", (BC.recipient, SCHEMA.recipient), BC.qualifiedRecipient))
    for parties, ids, side, props, qualified in sides:
        if not parties:  # said, not left out: a letter without a sender or this statement does not conform
            g.add((letter, BC.senderUnknown if side == "sender" else BC.recipientUnknown, Literal(True)))
        for position, party in enumerate(parties, start=1):
            index += 1
            node = add_party(g, ctx, doc, index, party, ids[position - 1] if position <= len(ids) else None)
            for prop in props:
                g.add((letter, prop, node))
            role = ctx.iris.letter_part(doc.key, side, position)
            g.add((letter, qualified, role))
            g.add((role, RDF.type, BC.PartyRole))
            g.add((role, RDF.type, SCHEMA.Role))
            g.add((role, BC.party, node))
            g.add((role, BC.position, Literal(position, datatype=XSD.positiveInteger)))
            g.add((role, BC.verbatim, Literal(party.verbatim)))
            if side == "recipient":
                add_recipient_kind(g, ctx, doc, letter, role, node, party, position)


def add_recipient_kind(g: Graph, ctx: LetterContext, doc: Document, letter: URIRef, role: URIRef, node: URIRef,
                       party: Party, position: int) -> None:
    if party.copy is None:
        g.add((role, BC.recipientKind, BCV.addressee))
        g.add((letter, BC.addressee, node))
        g.add((letter, SCHEMA.toRecipient, node))
        return
    g.add((role, BC.recipientKind, BCV.copyRecipient))
    g.add((letter, BC.ccRecipient, node))
    g.add((letter, SCHEMA.ccRecipient, node))
    add_attestation(g, letter, ctx.iris.letter_part(doc.key, "attestation", f"copy-{position}"), BC.ccRecipient,
                    node, letter, party.copy)


def _stated_in(ctx: LetterContext, doc: Document, basis: str, attestation: Attestation) -> URIRef:
    """The node of the page part that states a transmission fact (as kg.rdf.letter names them)."""
    if attestation.note is not None:
        return ctx.iris.letter_part(doc.key, "note", attestation.note)
    if basis == "citation" and doc.citation is not None:
        return ctx.iris.letter_part(doc.key, "source", 1)
    if basis == "place-date":
        for i, pd in enumerate(doc.place_dates, start=1):
            if pd.span == attestation.span:
                return ctx.iris.letter_part(doc.key, "placedate", i)
    return ctx.iris.letter(doc.key)


def add_transmission(g: Graph, ctx: LetterContext, doc: Document, res: Resolution, letter: URIRef) -> None:
    """Status (only where the page states one), the letter answered, and the two languages."""
    tr = doc.transmission
    if tr is not None:
        status = STATUSES[tr.status]
        g.add((letter, BC.transmissionStatus, status))
        add_attestation(g, letter, ctx.iris.letter_part(doc.key, "attestation", "transmission"),
                        BC.transmissionStatus, status, _stated_in(ctx, doc, tr.basis, tr.attestation), tr.attestation)
    reply = res.reply
    if reply is not None:
        target = ctx.iris.letter(reply.document)
        g.add((letter, BC.inReplyTo, target))
        add_attestation(g, letter, ctx.iris.letter_part(doc.key, "attestation", "reply"), BC.inReplyTo, target,
                        _stated_in(ctx, doc, "text", reply.attestation), reply.attestation, reply.explanation)
    g.add((letter, SCHEMA.inLanguage, Literal(ORIGINAL_LANGUAGE)))
    if doc.body:
        text = ctx.iris.letter_part(doc.key, "text")
        g.add((letter, SCHEMA.workTranslation, text))
        g.add((text, RDF.type, BC.LetterText))
        g.add((text, RDF.type, SCHEMA.CreativeWork))
        g.add((text, SCHEMA.inLanguage, Literal(TEXT_LANGUAGE)))
        g.add((text, BC.machineTranslationOf, letter))
        g.add((text, SCHEMA.translationOfWork, letter))

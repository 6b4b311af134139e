"""Stage "rdf": a resolved ``Corpus`` -> RDF terms and triples, under our ontology.

In: ``kg.model`` records and a base IRI. Out: triples per named graph (one per document plus the
authority graph), as an rdflib ``Dataset`` (``mapping``) or as plain sets of rdflib terms
(``light``, what the batched build uses: the same triples, cheaper). ``vocab`` holds our terms (checked
against ``ontology/``), ``iris`` the IRI policy, ``letter``, ``parts``, ``transmission`` (parties
in the edition's order, copies, sent / not sent, replies, languages) and ``authority`` map each kind
of resource, ``ntriples`` writes terms as Oxigraph's canonical N-Triples and ``terms`` converts and
sorts terms for the reference serialization. A withdrawn IRI (``Corpus.aliases``) is published as ``owl:sameAs``
its replacement; a build minting it again is an error (``kg.errors``). No I/O, no clock: the same corpus gives
the same triples.

May import: kg.model, kg.config, kg.errors, kg.progress, kg
"""

"""Stage "link": ``kg link``, Wikidata candidates for our people, organizations, places and events.

In: the authority files (``kg.resolve.authority``) and the Wikidata API (``client``: polite, cached,
retried). Out: a review file of scored candidates with reasons (``reconcile``, ``names`` for
transliteration-folded matching), and, for rows a person accepted, links appended to
``data/authority/wikidata-links.csv`` with provenance (``review``). It never writes a link by itself.

May import: kg.resolve, kg.model, kg.config, kg.errors
"""

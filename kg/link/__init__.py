"""Stage "link": ``kg link``, Wikidata candidates for our people, organizations, places and events.

In: the authority files (``kg.resolve.authority``) and the Wikidata API (``client``: polite, cached,
retried; over ``transport``: a total deadline and a size cap per request, redirects only within the
API's origin, so a hostile server fails one entity, never the run). Out: a review file of scored
candidates with reasons (``reconcile``, ``names`` for transliteration-folded matching), and, for
rows a person accepted, links appended to ``data/authority/wikidata-links.csv`` with provenance
(``review``). It never writes a link by itself.

May import: kg.resolve, kg.model, kg.config, kg.errors
"""

"""Stage "publish": triples -> the release files of ``output/``, replaced atomically.

In: triples from ``kg.rdf`` (whole datasets or per-batch fragments). Out: ``kg.ttl``, ``kg.nt.gz``,
``kg.jsonld`` + ``context.jsonld``, ``kg.trig``, ``void.ttl`` (VoID + DCAT, ``void``), ``cmif.xml`` and
``letters.csv`` (the letters as CMIF and as a table, read back from ``kg.nt.gz``: ``views``, ``letters``,
``cmif``, ``letters_csv``), ``ontology/`` with its HTML page (``ontodoc``), ``shapes/``,
``search.sqlite`` (the full-text index, ``fulltext``, with the common words' posting lists and the
facet bitmaps, ``postings``; read by kg.web) and ``SHA256SUMS``. ``chunks``
writes the fragments a batch produces, ``assemble`` merges them into the dumps, ``dumps`` writes a
fresh directory next to ``output/`` and swaps it in, so a failed build leaves the last good release in
place. ``parties`` orders a letter's senders and recipients as the edition does: the one rule every
reader applies (the views, the search index, and kg.web's letter page and letters list).

May import: kg.rdf, kg.config, kg
"""

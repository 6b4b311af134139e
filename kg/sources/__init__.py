"""Stage "sources": the collection's pages -> typed documents (``kg.model.Document``) + diagnostics.

In: page files (plain text or HTML; files, directories, globs). Out: a ``ParseResult`` (documents in
edition order, each field with the file and lines it came from, and ``Diagnostic`` records naming
file, line and document). ``read`` decodes pages, ``split`` cuts them into documents, ``headers``,
``dates``, ``citations``, ``body`` and ``notes`` read one field family each, ``merge`` joins copies
of one document seen on several pages, ``parse`` runs them (in parallel for large corpora), and
``records_json`` is the ``kg parse --json`` contract. Nothing here knows about people or RDF.

May import: kg.model, kg.errors
"""

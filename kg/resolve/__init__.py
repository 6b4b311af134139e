"""Stage "resolve": who and what each document names -> a resolved ``kg.model.Corpus``.

In: a ``ParseResult`` from ``kg.sources`` and the authority files of ``data/authority/``
(``authority`` loads and checks them, with ``authority_rows`` and ``event_entries``). Out: per document,
the parties, every name usage with its
line, its place (the offsets of its form in the text it was read from, or a party's position: what its
IRI is minted from, so that a reading learned moves no other usage) and the basis of its identification
(note, reviewed identification, authority file, context), mentions, the place and the events its notes
state or its text names (``events``: sittings and decisions of bodies; ``curated_events``: the
publications, deaths, arrests, returns and historical events of events.toml; ``note_text``: how both read
a note), the letter each answers where its text or a note says so (``replies``; a note the printed dates
refute is left unlinked, with a warning), the withdrawn IRIs of aliases.toml (``aliases``), and a warning for
every name left unresolved.
``names`` finds the forms in text, ``text`` gives the passages they are searched in, ``corpus`` decides
each occurrence in its document ("the old man" is not the same man everywhere).

May import: kg.sources, kg.model, kg.config, kg.errors, kg.progress
"""

"""Stage "validate": triples -> SHACL findings; nothing that does not conform is published.

In: triples from ``kg.rdf`` (a batch, the shared authority graph, or a published file) and the shapes
of ``shapes/``. Out: ``Finding`` records and a SHACL validation report (``report``). ``shacl`` wraps
pySHACL, the reference (``kg validate``); ``shacl_fast`` and ``shacl_rules`` are the compiled SHACL
Core evaluator that screens every batch and is tested equal to pySHACL; ``fast`` combines the two;
``sparql`` runs the SPARQL-based constraints on Oxigraph, ``batches`` per batch and ``whole`` over the
whole dataset (uniqueness across documents).

May import: kg.rdf, kg.config, kg.errors, kg.progress
"""

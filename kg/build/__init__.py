"""Stage "build": ``kg build``, the pipeline that runs the other stages batch by batch.

In: ``Settings`` and source paths. Out: a published ``output/`` (or nothing, and the previous
release untouched) and the diagnostics, one line each on stderr. ``pipeline`` decides what to print
and whether to publish; ``batches`` resolves, maps, validates and writes a few hundred documents per
forked worker, so memory depends on the batch size, not on the corpus.

May import: kg.sources, kg.resolve, kg.rdf, kg.validate, kg.publish, kg.model, kg.config, kg.errors, kg.progress, kg
"""

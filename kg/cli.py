"""The `kg` command: thin wrappers, each verb calls one library function.

Errors users can act on (``KGError``) print as one line and exit with their code; there is no
traceback for them. Only this module reads the environment (through click options).
"""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path

import click

from kg import __version__
from kg.config import Settings
from kg.errors import KGError


def _fail(err: KGError) -> None:
    click.echo(f"kg: error: {err}", err=True)
    sys.exit(err.exit_code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kg")
def cli() -> None:
    """Build and publish the Bolshevik leadership correspondence as Linked Data."""


@cli.command()
@click.argument("sources", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print the records as a JSON array (the parse contract).")
@click.option("--strict", is_flag=True, help="Exit 1 when there is any diagnostic.")
@click.option("--quiet", "-q", is_flag=True, help="No line per diagnostic; only one summary line per diagnostic code.")
def parse(sources: tuple[str, ...], as_json: bool, strict: bool, quiet: bool) -> None:
    """Read pages (files, directories or globs; text or HTML) and print the documents found."""
    from kg.errors import summarize_diagnostics
    from kg.sources.parse import parse_sources
    from kg.sources.records_json import document_to_json

    try:
        result = parse_sources(list(sources))
    except KGError as err:
        _fail(err)
        return
    if as_json:
        json.dump([document_to_json(d) for d in result.documents], sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        for doc in result.documents:
            date = doc.date.expressed if doc.date else "?"
            click.echo(f"No. {doc.number or '-'}\t{doc.kind}\t{doc.header}\t{date}\t{len(doc.notes)} notes")
    for line in ([] if quiet else [str(d) for d in result.diagnostics]) + summarize_diagnostics(result.diagnostics):
        click.echo(line, err=True)
    if strict and result.diagnostics:
        sys.exit(1)


@cli.command()
@click.argument("sources", nargs=-1)
@click.option("--out", "out", type=click.Path(path_type=Path), help="Output directory (default: output/).")
@click.option("--base", "base_iri", help="Base IRI of the published resources.")
@click.option("--strict", is_flag=True, help="Any parser diagnostic, or a reply note the printed dates contradict "
              "(reply-dated-later), is fatal (exit 1, nothing published).")
@click.option("--quiet", "-q", is_flag=True, help="No line per diagnostic; only one summary line per diagnostic code.")
def build(sources: tuple[str, ...], out: Path | None, base_iri: str | None, strict: bool, quiet: bool) -> None:
    """Parse, resolve, map, validate and publish the graph atomically into output/."""
    from kg.build.pipeline import build as run_build

    settings = Settings()
    if out:
        settings = replace(settings, output_dir=out)
    if base_iri:
        settings = replace(settings, base_iri=base_iri)
    try:
        code = run_build(settings, list(sources) or None, strict=strict, quiet=quiet)
    except KGError as err:
        _fail(err)
        return
    sys.exit(code)


@cli.command()
@click.argument("file", required=False, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "ttl"]), default="text")
def validate(file: Path | None, fmt: str) -> None:
    """Validate a graph (default: output/kg.trig) against shapes/. Exit 0 conforms, 1 not, 2 unreadable."""
    from kg.validate.shacl import validate_file

    settings = Settings()
    try:
        conforms, report_graph, report_text = validate_file(file or settings.output_dir / "kg.trig", settings)
    except KGError as err:
        _fail(err)
        return
    click.echo(report_graph.serialize(format="turtle") if fmt == "ttl" else report_text)
    sys.exit(0 if conforms else 1)


@cli.command()
@click.option("--endpoint", help="Graph Store (gsp) or SPARQL Update (update) endpoint URL.")
@click.option("--to-files", "to_files", type=click.Path(path_type=Path, file_okay=False),
              help="Instead of sending, write the same quads as gzipped N-Quads files into this folder, "
                   "for the store's bulk loader (big collections; see docs/external-stores.md).")
@click.option("--protocol", type=click.Choice(["gsp", "update"]), default="gsp", show_default=True,
              help="Graph Store HTTP Protocol (PUT per graph) or SPARQL 1.1 Update.")
@click.option("--data", "data_dir", type=click.Path(path_type=Path), help="Build to load (default: output/).")
@click.option("--retries", default=3, show_default=True, help="Retries per graph on 429/5xx/network errors.")
def load(endpoint: str | None, to_files: Path | None, protocol: str, data_dir: Path | None, retries: int) -> None:
    """Push the build (one named graph per document, provenance intact) into an external SPARQL store,
    with the collection's union graph and list of graphs that `kg serve --sparql-backend` publishes."""
    from kg.store.load import Collection
    from kg.store.load import load as run_load

    if (endpoint is None) == (to_files is None):
        raise click.UsageError("give one of --endpoint (send to a store) or --to-files (write for its bulk loader)")
    settings = Settings()
    try:
        if to_files is not None:
            from kg.store.bulk import write_files

            click.echo(str(write_files(data_dir or settings.output_dir, to_files, Collection(settings.base_iri))))
            return
        summary = run_load(data_dir or settings.output_dir, endpoint, protocol,  # type: ignore[arg-type]
                           collection=Collection(settings.base_iri), retries=retries)
    except KGError as err:
        _fail(err)
        return
    click.echo(str(summary))
    sys.exit(1 if summary.failed else 0)


@cli.command()
@click.option("--out", "out", type=click.Path(path_type=Path),
              help="Review file to write (default: data/authority/wikidata-review.csv).")
@click.option("--accept", "accept", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="Merge the rows marked accepted in this review file into data/authority/wikidata-links.csv.")
@click.option("--api", help="MediaWiki API URL (default: the wikidata_api setting).")
@click.option("--kind", "kinds", multiple=True, type=click.Choice(["person", "organization", "place", "event"]),
              help="Kinds to reconcile (repeatable; default: person, organization, place).")
@click.option("--limit", type=click.IntRange(min=0), help="Reconcile at most N entities.")
@click.option("--data", "data_dir", type=click.Path(path_type=Path), help="Authority data (default: data/).")
@click.option("--cache", "cache_dir", type=click.Path(path_type=Path), help="Answer cache (default: .cache/wikidata).")
@click.option("--min-interval", default=1.0, show_default=True, help="Seconds between two API requests.")
@click.option("--deadline", type=click.FloatRange(min=0, min_open=True),
              help="Total seconds one API request may take (default: the wikidata_deadline setting).")
@click.option("--max-bytes", type=click.IntRange(min=1),
              help="Largest API answer read or cached, bytes (default: the wikidata_max_bytes setting).")
def link(out: Path | None, accept: Path | None, api: str | None, kinds: tuple[str, ...], limit: int | None,
         data_dir: Path | None, cache_dir: Path | None, min_interval: float, deadline: float | None,
         max_bytes: int | None) -> None:
    """Propose Wikidata candidates for unlinked entities (review file); never links without --accept."""
    from kg.link.review import DEFAULT_KINDS, accept_from_settings, link_from_settings

    settings = Settings()
    if api:
        settings = replace(settings, wikidata_api=api)
    if data_dir:
        settings = replace(settings, data_dir=data_dir)
    if deadline is not None:
        settings = replace(settings, wikidata_deadline=deadline)
    if max_bytes is not None:
        settings = replace(settings, wikidata_max_bytes=max_bytes)
    try:
        if accept:
            accepted = accept_from_settings(settings, accept)
            click.echo(str(accepted))
            sys.exit(1 if accepted.problems else 0)
        summary, review = link_from_settings(settings, out, kinds or DEFAULT_KINDS, limit, cache_dir, min_interval)
    except KGError as err:
        _fail(err)
        return
    click.echo(f"{summary}\nreview file: {review} (mark rows in the 'accept' column, then `kg link --accept`)")
    sys.exit(1 if summary.errors else 0)


@cli.command()
@click.option("--data", "data_dir", type=click.Path(path_type=Path), help="Build to serve (default: output/).")
@click.option("--host", help="Interface to listen on (default: 127.0.0.1).")
@click.option("--port", type=int, help="Port to listen on (default: 5000).")
@click.option("--sparql-backend", help="Query this SPARQL endpoint instead of the embedded store.")
@click.option("--query-timeout", type=float, help="SPARQL time limit in seconds (default: 10).")
@click.option("--base", "base_iri", help="Base IRI when the build does not record one (void:uriSpace); a "
              "build that records its base is always served with it.")
def serve(data_dir: Path | None, host: str | None, port: int | None, sparql_backend: str | None,
          query_timeout: float | None, base_iri: str | None) -> None:
    """Serve Linked Data pages, the guarded SPARQL endpoint and the dumps (waitress), under the base
    IRI the build was made with."""
    from kg.web.serve import run

    given = {"output_dir": data_dir, "host": host, "port": port, "sparql_backend": sparql_backend,
             "query_timeout": query_timeout, "base_iri": base_iri}
    settings = replace(Settings(), **{k: v for k, v in given.items() if v is not None})
    try:
        run(settings)
    except KGError as err:
        _fail(err)


def main() -> None:  # pragma: no cover - console entry for `python -m kg`
    cli()

"""A letter's citation as files reference managers import: ``/cite/167.bib`` (BibTeX), ``.ris`` (RIS, read
by Zotero, EndNote, Mendeley) and ``.json`` (CSL-JSON, read by Zotero and by citeproc); the letter page
links them beside its "Cite this letter" box. One record (``kg.web.letter_reading.citation``), three
spellings."""

from __future__ import annotations

import json
import re

from flask import Blueprint, Response, abort

from kg.web import views
from kg.web.context import ctx
from kg.web.describe import Description
from kg.web.letter_reading import citation

bp = Blueprint("cite", __name__)
KEY = re.compile(r"^[A-Za-z0-9._~-]+$")
DESCRIBE_TIMEOUT = 5.0
FORMATS = {"bib": "application/x-bibtex", "ris": "application/x-research-info-systems",
           "json": "application/vnd.citationstyles.csl+json"}


@bp.route("/cite/<key>.<any(bib, ris, json):fmt>")
def cite(key: str, fmt: str) -> Response:
    if not KEY.match(key):
        abort(404, f"No letter {key!r}.")
    iri = ctx().settings.base_iri + "letter/" + key
    desc = Description(iri, ctx().store.describe(iri, DESCRIBE_TIMEOUT).triples)
    if "http://schema.org/Message" not in desc.types():
        abort(404, f"No letter {key!r} in this edition.")
    record = citation(views.letter(desc), desc, ctx().build.version)
    body = {"bib": record.bibtex, "ris": record.ris}.get(fmt, lambda: json.dumps([record.csl()], ensure_ascii=False,
                                                                                 indent=1) + "\n")()
    return Response(body, mimetype=FORMATS[fmt], headers={
        "Content-Disposition": f'attachment; filename="bolcorr-{key}.{fmt}"', "Cache-Control": "no-store"})

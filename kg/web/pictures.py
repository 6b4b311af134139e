"""The whole correspondence in pictures, each also as data: /timeline, /map and /network, with their
.json and .csv twins (``kg.web.picture_data`` computes; this module only validates and renders).

Every page works without scripts: the server renders the table (and the timeline's SVG); the scripts in
``static/`` draw the map and the network over it only when ``make vendor`` installed their libraries.
``?agent=person/<id>`` (or ``org/<id>``) narrows the timeline and the network to one correspondent.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import asdict
from pathlib import Path

from flask import Blueprint, Response, abort, render_template, request

from kg.store.describe import iri_ref
from kg.web import picture_data
from kg.web.charts import timeline_chart
from kg.web.context import ctx
from kg.web.letters_list import LetterFilter
from kg.web.picture_data import Network, Timeline
from kg.web.queries import select

bp = Blueprint("pictures", __name__)
AGENT = re.compile(r"^(person|org)/[a-z0-9][a-z0-9._~-]*$")
VENDOR = Path(__file__).parent / "static" / "vendor" / "pictures"
LIBRARIES = ("cytoscape.min.js", "d3-array.min.js", "d3-geo.min.js", "topojson-client.min.js", "countries-110m.json")


def vendor_present() -> bool:
    """Are the drawing libraries installed (``make vendor``)? If not, pages load no script at all."""
    return all((VENDOR / name).is_file() for name in LIBRARIES)


@bp.app_context_processor
def _globals() -> dict[str, object]:
    return {"pictures_vendor": vendor_present}


def _agent() -> tuple[str | None, dict[str, str] | None]:
    """The ``agent`` parameter as an IRI and its name (404 when no letter has it as a party)."""
    value = request.args.get("agent")
    if not value:
        return None, None
    if not AGENT.match(value):
        abort(400, f"agent={value!r}: expected person/<id> or org/<id>.")
    iri = ctx().settings.base_iri + value
    if not select(f"SELECT ?l WHERE {{ ?l schema:sender|schema:recipient {iri_ref(iri)} }} LIMIT 1"):
        abort(404, f"No letter has {value} as its sender or recipient.")
    rows = select(f"SELECT ?name WHERE {{ {iri_ref(iri)} schema:name ?name }} ORDER BY ?name LIMIT 1")
    return iri, {"iri": iri, "label": str(rows[0]["name"]) if rows else value}


def letter_links(iri: str | None) -> dict[str, str]:
    """The letters-list parameters a bar's link keeps: the agent by id, as ``person=`` or ``org=`` (the list
    reads an id exactly, and narrows by the same party rule as this timeline, so a bar's count is its list's)."""
    if iri is None:
        return {}
    kind, _, rest = iri[len(ctx().settings.base_iri):].partition("/")
    return {"person" if kind == "person" else "org": rest}


def agent_timeline(iri: str | None) -> Timeline:
    return picture_data.timeline(LetterFilter(parties=(iri,) if iri else ()))


def person_pictures(iri: str) -> dict[str, object]:
    """What the person page shows: the same timeline and network as /timeline and /network, for one agent."""
    local = iri[len(ctx().settings.base_iri):]
    return {"timeline": timeline_chart(agent_timeline(iri), letter_links(iri)), "network": picture_data.network(iri),
            "network_src": f"/network.json?agent={local}"}


def _csv(rows: list[list[object]], name: str) -> Response:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'inline; filename="{name}.csv"'})


def _json(data: object, mimetype: str = "application/json") -> Response:
    return Response(json.dumps(data, ensure_ascii=False, indent=1) + "\n", mimetype=mimetype)


def _query(agent: str | None) -> str:
    value = request.args.get("agent")
    return f"?agent={value}" if agent and value else ""


@bp.route("/timeline")
def timeline_page() -> str:
    iri, who = _agent()
    data = agent_timeline(iri)
    links = letter_links(iri)
    return render_template("timeline.html", data=data, chart=timeline_chart(data, links), who=who, links=links,
                           query=_query(iri))


@bp.route("/timeline.json")
def timeline_json() -> Response:
    iri, _ = _agent()
    return _json(asdict(agent_timeline(iri)))


@bp.route("/timeline.csv")
def timeline_csv() -> Response:
    iri, _ = _agent()
    t = agent_timeline(iri)
    rows: list[list[object]] = [["month", "kind", "letters"]]
    rows += [[m.month, kid, n] for m in t.months for kid, n in m.counts.items()]
    rows += [["", "undated", t.undated]] if t.undated else []
    return _csv(rows, "timeline")


@bp.route("/map")
def map_page() -> str:
    return render_template("map.html", data=picture_data.place_map(), vendor=vendor_present())


@bp.route("/map.json")
def map_json() -> Response:
    data = picture_data.geojson(picture_data.place_map())
    for feature in data["features"]:
        feature["properties"]["href"] = _local(feature["id"])
    return _json(data, "application/geo+json")


@bp.route("/map.csv")
def map_csv() -> Response:
    m = picture_data.place_map()
    rows: list[list[object]] = [["place", "name", "latitude", "longitude", "geonames_id", "written", "mentioned",
                                 "letters"]]
    rows += [[p.iri, p.name, p.latitude if p.latitude is not None else "",
              p.longitude if p.longitude is not None else "", p.geonames_id or "", p.written, p.mentioned, p.letters]
             for p in m.located + m.unlocated]
    return _csv(rows, "places")


def _network() -> tuple[Network, dict[str, str] | None]:
    iri, who = _agent()
    return picture_data.network(iri), who


@bp.route("/network")
def network_page() -> str:
    net, who = _network()
    query = _query(net.ego)
    return render_template("network.html", net=net, who=who, vendor=vendor_present(), src="/network.json" + query,
                           query=query)


@bp.route("/network.json")
def network_json() -> Response:
    net, _ = _network()
    data = asdict(net)
    for node in data["nodes"]:
        node["href"] = _local(node["id"])
    return _json(data)


@bp.route("/network.csv")
def network_csv() -> Response:
    net, _ = _network()
    names = {n.id: n.label for n in net.nodes}
    rows: list[list[object]] = [["sender", "sender_name", "recipient", "recipient_name", "letters"]]
    rows += [[e.source, names.get(e.source, ""), e.target, names.get(e.target, ""), e.letters] for e in net.edges]
    return _csv(rows, "network")


def _local(iri: str) -> str:
    base = ctx().settings.base_iri
    return "/" + iri[len(base):] if iri.startswith(base) else iri

/* The network of correspondents, drawn with cytoscape over the table the server rendered (our own script;
   the library is installed by `make vendor`). Readable at thousands of letters: a deterministic layout,
   node and line sizes by letters, and names shown only where they fit: the most connected correspondents
   first, each label kept inside the frame and clear of every label already shown; any other name appears
   while its node is pointed at. Exposes window.kgNetwork (the cytoscape instance) for tests. */
(function () {
  "use strict";
  var box = document.querySelector(".network-canvas");
  if (!box || typeof window.cytoscape !== "function") { return; }
  var FONT = 12, FAMILY = "sans-serif", GAP = 4, MAX_LABELS = 60;
  var zoom = 1;
  var measure = document.createElement("canvas").getContext("2d");
  measure.font = FONT + "px " + FAMILY;

  function merged(edges) {  // A->B and B->A become one line whose width is all their letters
    var byPair = {};
    edges.forEach(function (e) {
      var key = e.source < e.target ? e.source + "\u0000" + e.target : e.target + "\u0000" + e.source;
      var m = byPair[key] || (byPair[key] = { source: e.source, target: e.target, letters: 0 });
      m.letters += e.letters;
    });
    return Object.keys(byPair).sort().map(function (k) { return byPair[k]; });
  }

  function elements(data) {
    var most = Math.max.apply(null, [1].concat(data.nodes.map(function (n) { return n.letters; })));
    var lines = merged(data.edges);
    var heaviest = Math.max.apply(null, [1].concat(lines.map(function (e) { return e.letters; })));
    var n = data.nodes.length, out = [];
    data.nodes.forEach(function (node, i) {  // start on a circle in a fixed order: the same picture every time
      var angle = 2 * Math.PI * i / Math.max(n, 1);
      out.push({ group: "nodes", data: { id: node.id, name: node.label, href: node.href, kind: node.kind,
        letters: node.letters, degree: node.degree, rank: i, size: 6 + 16 * Math.sqrt(node.letters / most) },
        position: { x: 400 * Math.cos(angle), y: 400 * Math.sin(angle) } });
    });
    lines.forEach(function (e, i) {
      out.push({ group: "edges", data: { id: "e" + i, source: e.source, target: e.target, letters: e.letters,
        width: 0.5 + 6 * e.letters / heaviest, alpha: 0.15 + 0.75 * e.letters / heaviest } });
    });
    return out;
  }

  function overlaps(a, b) { return a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2; }

  function placeLabels(cy) {
    // Where each label would be drawn (rendered px: under its node, centred), greedily by rank; a label is
    // shown only if it lies inside the frame and clear of every label already shown and of every other node.
    var width = cy.width(), height = cy.height(), taken = [], shown = 0;
    var discs = cy.nodes().map(function (n) {  // a name never covers another correspondent's node either
      var p = n.renderedPosition(), r = n.renderedOuterWidth() / 2;
      return { id: n.id(), x1: p.x - r, x2: p.x + r, y1: p.y - r, y2: p.y + r };
    });
    cy.batch(function () {
      cy.nodes().removeClass("labelled");
      cy.nodes().sort(function (a, b) { return a.data("rank") - b.data("rank"); }).forEach(function (node) {
        if (shown >= MAX_LABELS) { return; }
        var p = node.renderedPosition(), half = node.renderedOuterHeight() / 2;
        var w = measure.measureText(node.data("name")).width;
        var box = { x1: p.x - w / 2 - GAP, x2: p.x + w / 2 + GAP, y1: p.y + half, y2: p.y + half + FONT * 1.5 + GAP };
        if (box.x1 < 0 || box.y1 < 0 || box.x2 > width || box.y2 > height) { return; }
        if (taken.some(function (t) { return overlaps(t, box); })) { return; }
        if (discs.some(function (d) { return d.id !== node.id() && overlaps(d, box); })) { return; }
        taken.push(box);
        shown += 1;
        node.addClass("labelled");
      });
      zoom = cy.zoom();  // names keep their size on screen whatever the zoom
      cy.style().update();
    });
    box.dataset.labels = String(shown);
  }

  function draw(data) {
    box.hidden = false;
    var cy = window.cytoscape({
      container: box, elements: elements(data), minZoom: 0.1, maxZoom: 4,
      style: [
        { selector: "node", style: { width: "data(size)", height: "data(size)", "background-color": "#7a1f1f",
          "border-width": 1, "border-color": "#fff", label: "", "font-family": FAMILY, "text-valign": "bottom",
          "text-halign": "center", color: "#222", "text-outline-color": "#fff", "min-zoomed-font-size": 0 } },
        { selector: "node[kind = 'organization']", style: { shape: "round-rectangle", "background-color": "#1f4f7a" } },
        { selector: "node.labelled, node.hover", style: { label: "data(name)",
          "font-size": function () { return FONT / zoom; }, "text-margin-y": function () { return 2 / zoom; },
          "text-outline-width": function () { return 2 / zoom; } } },
        { selector: "node.hover", style: { "z-index": 10, "border-color": "#000", "border-width": 2 } },
        { selector: "edge", style: { width: "data(width)", "line-color": "#6f8f7a", opacity: "data(alpha)",
          "curve-style": "straight" } },
        { selector: "edge.hover", style: { "line-color": "#333", opacity: 1 } }
      ],
      layout: { name: "preset" }
    });
    window.kgNetwork = cy;
    var layout = cy.layout({ name: "cose", randomize: false, animate: false, fit: true, padding: 40,
      nodeRepulsion: function () { return 2000000; }, idealEdgeLength: function () { return 160; },
      nodeOverlap: 60, componentSpacing: 160, gravity: 0.1, numIter: 1500 });
    layout.one("layoutstop", function () {
      placeLabels(cy);
      box.dataset.ready = "1";
    });
    layout.run();
    var pending = null;
    cy.on("viewport resize", function () {
      if (pending) { window.clearTimeout(pending); }
      pending = window.setTimeout(function () { pending = null; placeLabels(cy); }, 120);
    });
    cy.on("mouseover", "node", function (event) {
      event.target.addClass("hover");
      event.target.connectedEdges().addClass("hover");
      box.title = event.target.data("name") + ": " + event.target.data("letters") + " letters";
    });
    cy.on("mouseout", "node", function (event) {
      event.target.removeClass("hover");
      event.target.connectedEdges().removeClass("hover");
      box.title = "";
    });
    cy.on("tap", "node", function (event) { window.location.href = event.target.data("href"); });
  }

  fetch(box.dataset.src, { headers: { Accept: "application/json" } })
    .then(function (r) { if (!r.ok) { throw new Error(r.status + " " + r.statusText); } return r.json(); })
    .then(draw)
    .catch(function (e) { box.hidden = true; console.warn("network: " + e.message + "; the table stays"); });
}());

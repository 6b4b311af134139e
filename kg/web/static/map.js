/* The map of places, drawn with d3-geo and topojson-client over Natural Earth boundaries (world-atlas),
   all installed by `make vendor`; no tiles, nothing from elsewhere. The server rendered the table of
   places; this draws what it lists: a filled circle per place of writing (area ~ letters written there),
   a ring per mentioned place (area ~ letters mentioning it), names where they fit. */
(function () {
  "use strict";
  var box = document.querySelector(".map-canvas");
  if (!box || !window.d3 || typeof window.d3.geoPath !== "function" || !window.topojson) { return; }
  var SVG = "http://www.w3.org/2000/svg";

  function json(url) {
    return fetch(url).then(function (r) {
      if (!r.ok) { throw new Error(url + ": " + r.status); }
      return r.json();
    });
  }

  function el(name, attrs, parent) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (parent) { parent.appendChild(node); }
    return node;
  }

  function frame(points) {  // the places' extent, padded, at least a region's size (never the whole globe)
    var lons = points.map(function (p) { return p[0]; }), lats = points.map(function (p) { return p[1]; });
    var w = lons.length ? Math.min.apply(null, lons) : 20, e = lons.length ? Math.max.apply(null, lons) : 45;
    var s = lats.length ? Math.min.apply(null, lats) : 42, n = lats.length ? Math.max.apply(null, lats) : 60;
    var cx = (w + e) / 2, cy = (s + n) / 2, hw = Math.max((e - w) / 2 + 4, 14), hh = Math.max((n - s) / 2 + 3, 7);
    var grid = [];
    for (var i = 0; i <= 8; i += 1) {
      for (var j = 0; j <= 8; j += 1) {
        grid.push([cx - hw + 2 * hw * i / 8, Math.max(-85, Math.min(85, cy - hh + 2 * hh * j / 8))]);
      }
    }
    return { center: cx, outline: { type: "MultiPoint", coordinates: grid } };
  }

  function draw(atlas, places) {
    box.hidden = false;
    var width = box.clientWidth || 900, height = Math.round(width * 0.62);
    var located = places.features.filter(function (f) { return f.geometry; });
    var f = frame(located.map(function (p) { return p.geometry.coordinates; }));
    var projection = window.d3.geoConicConformal().parallels([40, 60]).rotate([-f.center, 0])
      .fitExtent([[10, 10], [width - 10, height - 10]], f.outline);
    var path = window.d3.geoPath(projection);
    var svg = el("svg", { viewBox: "0 0 " + width + " " + height, role: "group", "class": "map",
      "aria-label": "Map of the places of writing and the places mentioned" }, null);
    var land = el("g", { "class": "countries" }, svg);
    window.topojson.feature(atlas, atlas.objects.countries).features.forEach(function (c) {
      var d = path(c);
      if (d) { el("title", {}, el("path", { d: d, "class": "country" }, land)).textContent = c.properties.name || ""; }
    });
    var most = Math.max.apply(null, [1].concat(located.map(function (p) { return p.properties.letters; })));
    var radius = function (n) { return 3 + 17 * Math.sqrt(n / most); };
    var dots = el("g", { "class": "places" }, svg), labels = el("g", { "class": "labels" }, svg);
    located.slice().sort(function (a, b) { return b.properties.letters - a.properties.letters; })
      .forEach(function (p) {
        var xy = projection(p.geometry.coordinates), q = p.properties;
        var link = el("a", { href: q.href }, dots);
        el("title", {}, link).textContent = q.name + ": written at: " + q.written + ", mentioned in: " + q.mentioned;
        if (q.written) { el("circle", { cx: xy[0], cy: xy[1], r: radius(q.written), "class": "place written" }, link); }
        if (q.mentioned) { el("circle", { cx: xy[0], cy: xy[1], r: radius(q.mentioned), "class": "place mentioned" }, link); }
      });
    box.appendChild(svg);
    var taken = [];
    located.forEach(function (p) {  // most letters first (the server's order): names that fit, none on another
      var xy = projection(p.geometry.coordinates);
      var r = radius(Math.max(p.properties.written, p.properties.mentioned));
      var text = el("text", { x: xy[0] + r + 2, y: xy[1] + 4, "class": "place-label" }, labels);
      text.textContent = p.properties.name;
      var b = text.getBBox();
      var clash = b.x + b.width > width || b.y < 0 || b.y + b.height > height || taken.some(function (t) {
        return b.x < t.x + t.width && t.x < b.x + b.width && b.y < t.y + t.height && t.y < b.y + b.height;
      });
      if (clash) { labels.removeChild(text); } else { taken.push(b); }
    });
    box.dataset.ready = "1";
  }

  Promise.all([json(box.dataset.atlas), json(box.dataset.src)])
    .then(function (both) { draw(both[0], both[1]); })
    .catch(function (e) { box.hidden = true; console.warn("map: " + e.message + "; the table stays"); });
}());

// Links in the query editor's results lead to this site's pages, not to the published host: every
// IRI of ours (the base's, the ontology's, the SKOS schemes') is rewritten to /iri?u=<IRI>, which the
// server answers with a 303 to the local page (kg.web.context.local_path: one mapping for the site).
(function () {
  var script = document.getElementById("links-script");
  var ours = JSON.parse(script.dataset.namespaces);
  var follow = script.dataset.follow;
  function rewrite(root) {
    root.querySelectorAll("a[href]").forEach(function (a) {
      var href = a.getAttribute("href");
      if (ours.some(function (ns) { return href.indexOf(ns) === 0; })) {
        a.setAttribute("href", follow + "?u=" + encodeURIComponent(href));
        a.removeAttribute("target");
      }
    });
  }
  var box = document.getElementById("yasgui");
  if (!box) { return; }
  rewrite(box);
  new MutationObserver(function () { rewrite(box); }).observe(box, { childList: true, subtree: true });
})();

// The query editor: YASGUI, installed from npm into static/vendor/ by `make vendor` (never a CDN).
// The project's prefixes (declared by the ontology files, passed by the page as data-prefixes) are
// added to every query the editor shows, and known to its prefix autocompletion.
(function () {
  var script = document.getElementById("editor-script");
  var prefixes = JSON.parse(script.dataset.prefixes || "{}");
  function declare(tab) {
    var yasqe = tab.getYasqe();
    if (yasqe && yasqe.addPrefixes) { yasqe.addPrefixes(prefixes); }
  }
  var endpoint = new URL("/sparql", window.location.href).href;
  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: false,
    persistenceId: null,
    populateFromUrl: false,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } }
  });
  var tab = yasgui.getTab();
  tab.setEndpoint(endpoint);
  tab.setQuery(script.dataset.initial);
  declare(tab);
  yasgui.on("tabAdd", function (instance, tabId) { declare(instance.getTab(tabId)); });
  // YASGUI's own markup misses what screen readers and keyboards need (axe-core: an unlabelled
  // editor and autocomplete field, a tab list without tabs, a scroll area the keyboard cannot reach):
  // supplied here, each time YASGUI redraws, rather than patching the library.
  function accessible() {
    var root = document.getElementById("yasgui");
    root.querySelectorAll("textarea:not([aria-label])").forEach(function (el) { el.setAttribute("aria-label", "SPARQL query"); });
    root.querySelectorAll("input:not([aria-label])").forEach(function (el) {
      el.setAttribute("aria-label", el.classList.contains("autocomplete") ? "SPARQL endpoint" : (el.placeholder || "Field"));
    });
    root.querySelectorAll(".tabsList[role=tablist]").forEach(function (list) {
      Array.prototype.slice.call(list.children).forEach(function (child) {  // a tab list holds tabs only
        if (!child.querySelector("[role=tab]")) { list.parentNode.insertBefore(child, list.nextSibling); }
      });
    });
    root.querySelectorAll(".CodeMirror-scroll:not([tabindex='0'])").forEach(function (el) { el.setAttribute("tabindex", "0"); });
  }
  accessible();
  new MutationObserver(accessible).observe(document.getElementById("yasgui"), { childList: true, subtree: true });
  window.kgEditor = yasgui;
  window.kgPrefixes = prefixes;
  document.querySelectorAll("button.example").forEach(function (button) {
    button.addEventListener("click", function () {
      var current = yasgui.getTab();
      current.setQuery(button.dataset.query);
      declare(current);
      current.getYasqe().query();
    });
  });
})();

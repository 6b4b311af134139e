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

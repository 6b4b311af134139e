// The query editor: YASGUI, installed from npm into static/vendor/ by `make vendor` (never a CDN).
(function () {
  var script = document.getElementById("editor-script");
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
  window.kgEditor = yasgui;
  document.querySelectorAll("button.example").forEach(function (button) {
    button.addEventListener("click", function () {
      var current = yasgui.getTab();
      current.setQuery(button.dataset.query);
      current.getYasqe().query();
    });
  });
})();

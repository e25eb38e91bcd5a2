/* The street office's grid editor: select a grid, draw a split line (geoman), dry run,
 * save with a reason.  Every check is the server's: the dry run is the edit route with
 * "dry_run": true, and its answer (findings, pieces, refusal) is only shown here. */
(function () {
  "use strict";
  var bg = window.bg, w = bg.words, cfg = bg.config;
  var map = bg.map("map");
  var grids = null, selected = null, line = null, proposal = L.featureGroup().addTo(map);
  var msg = document.getElementById("message");
  var splitButton = document.getElementById("split");
  var form = document.getElementById("save-form");

  function say(text, kind) {
    msg.textContent = text;
    msg.className = "message " + (kind || "error");
    msg.hidden = !text;
  }

  function wire(layer) {
    grids = layer;
    layer.eachLayer(function (l) {
      l.off("click");
      l.unbindPopup();
      l.on("click", function () { if (!map.pm.globalDrawModeEnabled()) select(l); });
    });
  }

  function select(l) {
    if (selected) grids.resetStyle(selected);
    selected = l;
    l.setStyle({ color: "#d53f8c", weight: 3, fillOpacity: 0.3 });
    var p = l.feature.properties;
    document.getElementById("selection").textContent =
      w.selected + ": " + p.id + " " + (p.name || "") + (p.households != null ? " · " + w.households + " " + p.households : "");
    document.body.dataset.selected = p.id;
    splitButton.disabled = false;
  }

  function reloadGrids() {
    var g = cfg.layers.grid;
    g.url = "/app/layers/" + g.id + ".geojson?version=" + g.version;
    if (grids) { map.removeLayer(grids); bg.overlays.removeLayer(grids); }
    selected = null;
    return bg.layer(map, "grid", g.url).then(function (l) {
      wire(l);
      document.getElementById("grid-version").textContent = g.version;
      document.body.dataset.gridVersion = g.version;
    });
  }

  bg.layers(map, ["street", "community", "grid", "beat"]).then(function (layers) {
    if (layers.grid) wire(layers.grid);
    document.body.dataset.gridVersion = cfg.layers.grid ? cfg.layers.grid.version : "";
  });

  splitButton.addEventListener("click", function () {
    if (!selected) { say(w.need_grid); return; }
    discard();
    document.getElementById("hint").hidden = false;
    map.pm.enableDraw("Line", { snappable: true, snapDistance: 15 });
  });

  map.on("pm:create", function (e) {
    document.getElementById("hint").hidden = true;
    line = e.layer;
    dryRun();
  });

  function body(dry) {
    return {
      base_version: cfg.layers.grid.version,
      reason: dry ? "dry run" : form.reason.value.trim(),
      grid_id: selected.feature.properties.id,
      line: line.toGeoJSON().geometry,
      communities_layer: cfg.communities,
      dry_run: dry,
    };
  }

  function url() { return "/layers/" + cfg.layers.grid.id + "/edits/split"; }

  function dryRun() {
    say("");
    bg.api("POST", url(), body(true)).then(function (r) {
      if (!r.ok) { refused(r); return; }
      showProposal(r.data);
    });
  }

  function refused(r) {
    if (r.status === 409) { conflict(); return; }
    say(r.data && r.data.zh ? r.data.zh + " / " + r.data.en : bg.detail(r.data));
    if (line) { map.removeLayer(line); line = null; }
    var list = document.getElementById("findings-list");
    list.textContent = "";
    ((r.data && r.data.findings) || []).forEach(function (f) { item(list, f); });
  }

  function item(list, p) {
    var li = document.createElement("li");
    li.textContent = p.rule + " · " + (p.ids || "") + " · " + (cfg.lang === "en" ? p.message_en || "" : p.message_zh || "");
    list.appendChild(li);
  }

  function showProposal(data) {
    proposal.clearLayers();
    proposal.addLayer(L.geoJSON(data.grids, { style: { color: "#38a169", weight: 3, fillOpacity: 0.25 } }));
    proposal.addLayer(L.geoJSON(data.findings, { style: { color: "#e53e3e", weight: 3 } }));
    document.getElementById("description").textContent = cfg.lang === "en" ? data.description.en : data.description.zh;
    var n = data.findings.features.length;
    document.getElementById("findings-summary").textContent = n ? bg.fmt(w.findings_n, { n: n }) : w.no_findings;
    var list = document.getElementById("findings-list");
    list.textContent = "";
    data.findings.features.forEach(function (f) { item(list, f.properties); });
    document.getElementById("proposal").hidden = false;
    form.reason.value = "";
  }

  function discard() {
    proposal.clearLayers();
    if (line) { map.removeLayer(line); line = null; }
    document.getElementById("proposal").hidden = true;
  }
  document.getElementById("discard").addEventListener("click", discard);

  function conflict() {
    msg.textContent = w.conflict + " ";
    msg.className = "message error";
    var b = document.createElement("button");
    b.textContent = w.reload;
    b.addEventListener("click", function () { location.reload(); });
    msg.appendChild(b);
    msg.hidden = false;
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    if (!form.reason.value.trim()) { say(w.need_reason); return; }
    bg.api("POST", url(), body(false)).then(function (r) {
      if (!r.ok) { refused(r); return; }
      discard();
      cfg.layers.grid.version = r.data.version.version;
      say(bg.fmt(w.saved, { v: r.data.version.version }), "ok");
      reloadGrids();
    });
  });
})();

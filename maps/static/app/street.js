/* The street office's grid editor.  Select a grid, then: split it along a drawn line, merge
 * it with a neighbour, move the boundary it shares with a neighbour, give a drawn part to
 * a neighbour, draw a new grid on unassigned land, or ask for the balancing proposal of
 * its community.  Every check is the server's: the dry run is the edit route with
 * "dry_run": true (and the impact layers), its answer (findings, new grids, impact,
 * refusal) is only drawn here; saving is the same call with a reason. */
(function () {
  "use strict";
  var bg = window.bg, w = bg.words, cfg = bg.config;
  var map = bg.map("map");
  var grids = null, selected = null, other = null, drawn = null, op = null;
  var proposal = L.featureGroup().addTo(map);
  var map2 = null, proposal2 = null;
  var msg = document.getElementById("message");
  var hint = document.getElementById("hint");
  var form = document.getElementById("save-form");
  var NEEDS_OTHER = { merge: true, move: true, transfer: true };
  var DRAWS = { split: "Line", move: "Line", transfer: "Polygon", add: "Polygon" };
  var HINT = { split: w.hint_split, merge: w.hint_merge, move: w.hint_move, transfer: w.hint_transfer, add: w.hint_add };

  function say(text, kind) {
    msg.textContent = text;
    msg.className = "message " + (kind || "error");
    msg.hidden = !text;
  }

  function props(l) { return l.feature.properties; }

  function wire(layer) {
    grids = layer;
    layer.eachLayer(function (l) {
      l.off("click");
      l.unbindPopup();
      l.on("click", function () {
        if (map.pm.globalDrawModeEnabled()) return;
        if (op && NEEDS_OTHER[op] && !other && selected && l !== selected) choose(l);
        else select(l);
      });
    });
  }

  function describe(l) {
    var p = props(l);
    return p.id + " " + (p.name || "") + (p.households != null ? " · " + w.households + " " + p.households : "");
  }

  function select(l) {
    reset();
    if (selected) grids.resetStyle(selected);
    selected = l;
    l.setStyle({ color: "#d53f8c", weight: 3, fillOpacity: 0.3 });
    document.getElementById("selection").textContent = w.selected + ": " + describe(l);
    document.body.dataset.selected = props(l).id;
    document.querySelectorAll(".needs-grid").forEach(function (b) { b.disabled = false; });
  }

  function choose(l) {
    other = l;
    l.setStyle({ color: "#805ad5", weight: 3, fillOpacity: 0.3 });
    var box = document.getElementById("other");
    box.textContent = w.neighbour + ": " + describe(l);
    box.hidden = false;
    document.body.dataset.other = props(l).id;
    if (op === "merge") dryRun();
    else startDrawing();
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
    ["street", "community", "beat"].forEach(function (k) {
      if (layers[k]) layers[k].eachLayer(function (l) { l.options.pmIgnore = false; });
    });
    document.body.dataset.gridVersion = cfg.layers.grid ? cfg.layers.grid.version : "";
  });

  /* -- choosing an operation ----------------------------------------------------------- */

  document.querySelectorAll(".tools button").forEach(function (b) {
    b.addEventListener("click", function () { start(b.dataset.op); });
  });

  function start(name) {
    if (name !== "add" && !selected) { say(w.need_grid); return; }
    discard();
    op = name;
    document.body.dataset.op = name;
    document.querySelectorAll(".tools button").forEach(function (b) { b.classList.toggle("on", b.dataset.op === name); });
    if (name === "balance") { dryRun(); return; }
    hint.textContent = HINT[name];
    hint.hidden = false;
    if (!NEEDS_OTHER[name]) startDrawing();
  }

  function startDrawing() {
    hint.textContent = HINT[op] || w.hint_draw;
    hint.hidden = false;
    focus();
    map.pm.enableDraw(DRAWS[op], { snappable: true, snapDistance: 20, allowSelfIntersection: true });
  }

  /* The grids being edited fill the map before drawing (zoom in only): at the district's
   * zoom a grid is ~80 px wide, inside the snapping distance, and a line meant to cross it
   * would snap onto its own edges. */
  function focus() {
    if (!selected) return;
    var b = L.latLngBounds(selected.getBounds().getSouthWest(), selected.getBounds().getNorthEast());
    if (other) b.extend(other.getBounds());
    var fit = map.getBoundsZoom(b, false, L.point(160, 160));
    if (fit > map.getZoom()) map.fitBounds(b, { padding: [80, 80], maxZoom: 18, animate: false });
  }

  map.on("pm:create", function (e) {
    hint.hidden = true;
    drawn = e.layer;
    drawn.setStyle && drawn.setStyle({ color: "#d53f8c", dashArray: "4 4" });
    dryRun();
  });

  /* -- the request each operation makes ------------------------------------------------ */

  function body(dry) {
    var b = {
      base_version: cfg.layers.grid.version,
      reason: dry ? "dry run" : form.reason.value.trim(),
      communities_layer: cfg.communities,
      dry_run: dry,
    };
    if (dry) b.impact = cfg.impact;
    var id = selected ? props(selected).id : null, id2 = other ? props(other).id : null;
    var shape = drawn ? drawn.toGeoJSON().geometry : null;
    if (op === "split") { b.grid_id = id; b.line = shape; }
    if (op === "merge") { b.grid_ids = [id, id2]; }
    if (op === "move") { b.first = id; b.second = id2; b.line = shape; }
    if (op === "transfer") { b.source = id; b.target = id2; b.area = shape; }
    if (op === "add") { b.polygon = shape; }
    if (op === "balance") {
      b.community_id = props(selected).parent_id;
      b.buildings_layer = cfg.impact.buildings;
      b.scope = "neighbourhood";
    }
    return b;
  }

  function url() { return "/layers/" + cfg.layers.grid.id + "/edits/" + op; }

  function dryRun() {
    say("");
    hint.textContent = w.computing; // the message box is kept for the server's answer
    hint.hidden = false;
    document.body.dataset.dryRun = "busy";
    var mine = op;
    bg.api("POST", url(), body(true)).then(function (r) {
      if (mine !== op) return;
      hint.hidden = true;
      document.body.dataset.dryRun = r.ok ? "shown" : "refused";
      if (!r.ok) { refused(r); return; }
      say("");
      showProposal(r.data);
    });
  }

  function refused(r) {
    if (r.status === 409) { conflict(); return; }
    say(r.data && r.data.zh ? r.data.zh + " / " + r.data.en : bg.detail(r.data));
    if (drawn) { map.removeLayer(drawn); drawn = null; }
    var list = document.getElementById("findings-list");
    list.textContent = "";
    ((r.data && r.data.findings) || []).forEach(function (f) { item(list, f); });
    hint.hidden = true;
  }

  function item(list, p) {
    var li = document.createElement("li");
    li.textContent = p.rule + " · " + (p.ids || "") + " · " + (cfg.lang === "en" ? p.message_en || "" : p.message_zh || "");
    list.appendChild(li);
  }

  function line(list, text) {
    var li = document.createElement("li");
    li.textContent = text;
    list.appendChild(li);
  }

  /* -- showing the dry run -------------------------------------------------------------- */

  function showProposal(data) {
    proposal.clearLayers();
    proposal.addLayer(L.geoJSON(data.grids, {
      style: { color: "#2f855a", weight: 3, fillColor: "#68d391", fillOpacity: 0.3 },
      onEachFeature: function (f, l) { l.bindTooltip(String(f.properties.id), { permanent: true, direction: "center", className: "label label-proposal" }); },
    }));
    proposal.addLayer(L.geoJSON(data.findings, { style: { color: "#e53e3e", weight: 3 } }));
    document.getElementById("description").textContent = cfg.lang === "en" ? data.description.en : data.description.zh;
    var n = data.findings.features.length;
    document.getElementById("findings-summary").textContent = n ? bg.fmt(w.findings_n, { n: n }) : w.no_findings;
    var list = document.getElementById("findings-list");
    list.textContent = "";
    data.findings.features.forEach(function (f) { item(list, f.properties); });
    showImpact(data.impact);
    if (data.balance) showBalance(data.balance);
    document.getElementById("proposal").hidden = false;
    document.getElementById("save").textContent = data.balance ? w.adopt : w.save;
    form.reason.value = "";
    if (proposal.getLayers().length && proposal.getBounds().isValid() && !data.balance) {
      map.fitBounds(proposal.getBounds(), { maxZoom: 17, padding: [60, 60] });
    }
  }

  function showImpact(impact) {
    var list = document.getElementById("impact");
    list.textContent = "";
    if (!impact) return;
    var s = impact.summary;
    if (s.households_moving != null) line(list, bg.fmt(w.households_moving, { n: s.households_moving }));
    line(list, bg.fmt(w.addresses_moving, { n: s.addresses }));
    var beats = impact.realigned_beats.features.map(function (f) { return f.properties.id; });
    line(list, beats.length ? bg.fmt(w.beats_realign, { ids: beats.join(", ") }) : w.no_beats);
    line(list, bg.fmt(w.aux_n, { n: s.aux_beats }));
    line(list, bg.fmt(w.points_n, { n: s.joint_points }));
    proposal.addLayer(L.geoJSON(impact.realigned_beats, { style: { color: "#dd6b20", weight: 3, dashArray: "8 6", fill: false } }));
    proposal.addLayer(L.geoJSON(impact.addresses, {
      pointToLayer: function (f, ll) {
        return L.circleMarker(ll, { radius: 4, color: "#744210", weight: 1, fillColor: "#ecc94b", fillOpacity: 0.9 })
          .bindTooltip(f.properties.id + ": " + f.properties.grid_before + " → " + f.properties.grid_after);
      },
    }));
  }

  /* -- the balancing proposal beside the current grids --------------------------------- */

  function showBalance(b) {
    proposal.clearLayers(); // the proposal goes on its own map, beside the current grids
    var f = b.figures;
    var box = document.getElementById("balance-figures");
    box.textContent = "";
    var p1 = document.createElement("p");
    p1.textContent = bg.fmt(w.in_band, { lo: 300, hi: 800, a: f.in_band_before, b: f.in_band_after, n: f.grids_after });
    var p2 = document.createElement("p");
    p2.textContent = bg.fmt(w.max_dev, { a: f.max_deviation_before.toFixed(2), b: f.max_deviation_after.toFixed(2) });
    box.appendChild(p1);
    box.appendChild(p2);
    box.hidden = false;
    var second = document.getElementById("map2");
    second.hidden = false;
    document.querySelector("#map .map-title").hidden = false;
    if (!map2) {
      map2 = L.map("map2", { zoomSnap: 0.5, attributionControl: false });
      proposal2 = L.featureGroup().addTo(map2);
      sync(map, map2);
      sync(map2, map);
    }
    proposal2.clearLayers();
    var colour = function (h) { return h < 300 ? "#63b3ed" : h > 800 ? "#f56565" : "#68d391"; };
    var layer = L.geoJSON(b.grids, {
      style: function (ft) { return { color: "#2f855a", weight: 2, fillColor: colour(ft.properties.households), fillOpacity: 0.45 }; },
      onEachFeature: function (ft, l) {
        l.bindTooltip(ft.properties.id.slice(-3) + " · " + ft.properties.households, { permanent: true, direction: "center", className: "label label-proposal" });
      },
    });
    proposal2.addLayer(layer);
    setTimeout(function () { // once the two maps have their new widths
      map.invalidateSize();
      map2.invalidateSize();
      map2.fitBounds(layer.getBounds(), { padding: [20, 20], animate: false });
      map.setView(map2.getCenter(), map2.getZoom(), { animate: false });
      document.body.dataset.balanceShown = "1";
    }, 50);
  }

  function sync(a, b) {
    a.on("moveend", function () {
      if (a._syncing) return;
      b._syncing = true;
      b.setView(a.getCenter(), a.getZoom(), { animate: false });
      b._syncing = false;
    });
  }

  function reset() {
    proposal.clearLayers();
    if (drawn) { map.removeLayer(drawn); drawn = null; }
    if (map.pm.globalDrawModeEnabled()) map.pm.disableDraw();
    if (other && grids) grids.resetStyle(other);
    if (selected) selected.setStyle({ color: "#d53f8c", weight: 3, fillOpacity: 0.3 });
    other = null;
    op = null;
    delete document.body.dataset.op;
    delete document.body.dataset.other;
    delete document.body.dataset.dryRun;
    document.getElementById("other").hidden = true;
    document.getElementById("proposal").hidden = true;
    document.getElementById("balance-figures").hidden = true;
    document.getElementById("map2").hidden = true;
    document.querySelector("#map .map-title").hidden = true;
    document.querySelectorAll(".tools button").forEach(function (b) { b.classList.remove("on"); });
    hint.hidden = true;
    map.invalidateSize();
  }

  function discard() { reset(); }
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
      reset();
      cfg.layers.grid.version = r.data.version.version;
      say(bg.fmt(w.saved, { v: r.data.version.version }), "ok");
      document.getElementById("selection").textContent = w.select;
      document.querySelectorAll(".needs-grid").forEach(function (b) { b.disabled = true; });
      reloadGrids();
    });
  });
})();

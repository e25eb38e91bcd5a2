/* The command centre's dashboard: pick a period, run the server's hotspot review of the
 * stored incidents, show its figures and colour the grids by the classes it returns. */
(function () {
  "use strict";
  var bg = window.bg, w = bg.words, cfg = bg.config;
  var map = bg.map("map");
  var cells = null;
  var COLOURS = { "3": "#b2182b", "2": "#ef8a62", "1": "#fddbc7", "0": "#f7f7f7", "-1": "#d1e5f0", "-2": "#67a9cf", "-3": "#2166ac" };
  bg.layers(map, ["street", "community"]);
  var buttons = document.querySelectorAll("[data-window]");
  var status = document.getElementById("status");

  function poll(id) {
    return bg.api("GET", "/jobs/" + id).then(function (r) {
      if (!r.ok) throw r;
      status.textContent = w.computing + " " + Math.round(r.data.progress * 100) + "%";
      if (r.data.status === "done") return bg.api("GET", "/jobs/" + id + "/result");
      if (r.data.status === "failed") throw { data: { detail: r.data.error } };
      return new Promise(function (ok) { setTimeout(ok, 300); }).then(function () { return poll(id); });
    });
  }

  function run(windowName, range) {
    buttons.forEach(function (b) { b.classList.toggle("on", b.dataset.window === windowName); b.disabled = true; });
    status.textContent = w.computing;
    document.body.dataset.window = "";
    var body = { layer: cfg.layers.grid.id, window: range ? "month" : windowName, permutations: 0 };
    if (range) { body.start = range.start; body.end = range.end; }
    return bg.api("POST", "/hotspots", body).then(function (r) {
      if (!r.ok) throw r;
      return poll(r.data.id);
    }).then(function (res) {
      if (!res.ok) throw res;
      show(res.data);
      status.textContent = "";
      document.body.dataset.window = windowName;
    }).catch(function (r) {
      status.textContent = w.failed + ": " + bg.detail(r && r.data);
    }).then(function () { buttons.forEach(function (b) { b.disabled = false; }); });
  }

  function sum(features, key) {
    return features.reduce(function (s, f) { return s + (Number(f.properties[key]) || 0); }, 0);
  }

  function show(result) {
    var fs = result.cells.features;
    var now = sum(fs, "count"), before = sum(fs, "previous_count");
    document.getElementById("period").textContent = w.from_to + ": " + result.period.start.slice(0, 16) + " – " + result.period.end.slice(0, 16);
    document.getElementById("count").textContent = now;
    document.getElementById("previous").textContent = before;
    var change = document.getElementById("change");
    change.textContent = before ? (now >= before ? "+" : "") + Math.round((now - before) / before * 100) + "%" : "–";
    change.className = now > before ? "up" : now < before ? "down" : "";
    document.getElementById("hot").textContent = fs.filter(function (f) { return f.properties.hotspot_class > 0; }).length;
    if (cells) { map.removeLayer(cells); bg.overlays.removeLayer(cells); }
    cells = L.geoJSON(result.cells, {
      style: function (f) {
        return { color: "#555", weight: 0.6, fillColor: COLOURS[String(f.properties.hotspot_class)] || "#eee", fillOpacity: 0.7 };
      },
      onEachFeature: function (f, l) {
        var p = f.properties;
        l.bindTooltip(p.id + ": " + p.count + " (" + w.previous + " " + p.previous_count + ")");
      },
    }).addTo(map);
    bg.overlays.addOverlay(cells, w.hot);
    cells.bringToBack();
    if (cells.getLayers().length) map.fitBounds(cells.getBounds(), { padding: [10, 10] });
    var rows = fs.slice().sort(function (a, b) { return b.properties.count - a.properties.count; }).slice(0, 10);
    var tbody = document.querySelector("#top tbody");
    tbody.textContent = "";
    rows.forEach(function (f) {
      var tr = document.createElement("tr");
      [f.properties.id, f.properties.count, f.properties.previous_count, f.properties.change].forEach(function (v) {
        var td = document.createElement("td");
        td.textContent = v == null ? "" : String(v);
        tr.appendChild(td);
      });
      tr.addEventListener("click", function () {
        map.fitBounds(L.geoJSON(f).getBounds(), { maxZoom: 17 });
      });
      tbody.appendChild(tr);
    });
  }

  buttons.forEach(function (b) { b.addEventListener("click", function () { run(b.dataset.window); }); });
  var custom = document.getElementById("custom");
  custom.addEventListener("submit", function (e) {
    e.preventDefault();
    run("custom", { start: custom.start.value, end: custom.end.value });
  });
  run("week");
})();

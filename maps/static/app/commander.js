/* The command centre's dashboard: pick a period, fetch the server's review of it (cached
 * there per layer and data version), show its figures, colour the grids by the classes it
 * returns, switch the analysis layers and drill down to a grid.  Nothing is computed here. */
(function () {
  "use strict";
  var bg = window.bg, w = bg.words, cfg = bg.config;
  var map = bg.map("map");
  var COLOURS = { "3": "#b2182b", "2": "#ef8a62", "1": "#fddbc7", "0": "#f7f7f7", "-1": "#d1e5f0", "-2": "#67a9cf", "-3": "#2166ac" };
  var PATTERN = { new: "#fdd0a2", consecutive: "#fdae6b", intensifying: "#e6550d", persistent: "#a63603", diminishing: "#fee6ce", sporadic: "#fd8d3c", oscillating: "#8c6d31", historical: "#bdbdbd" };
  bg.layers(map, ["street", "community"]);
  var buttons = document.querySelectorAll("[data-window]");
  var status = document.getElementById("status");
  var state = { query: null, window: null, grids: null, overlays: {}, shown: "classes" };

  function query(windowName, range) {
    var q = "window=" + (range ? "custom" : windowName) + "&lang=" + cfg.lang;
    if (range) q += "&start=" + range.start + "T00:00:00&end=" + range.end + "T00:00:00";
    return q;
  }

  function pct(x) { return x == null ? "–" : (x * 100).toFixed(1) + "%"; }

  function delta(el, now, before, percent) {
    if (now == null || before == null) { el.textContent = ""; return; }
    var d = now - before;
    el.textContent = w.previous + " " + (percent ? pct(before) : before) + " (" + (d >= 0 ? "+" : "") + (percent ? (d * 100).toFixed(1) + " pt" : d) + ")";
  }

  function run(windowName, range) {
    buttons.forEach(function (b) { b.classList.toggle("on", b.dataset.window === windowName); b.disabled = true; });
    status.textContent = w.computing;
    document.body.dataset.window = "";
    state.query = query(windowName, range);
    state.window = windowName;
    return bg.api("GET", "/commander/review?" + state.query).then(function (r) {
      if (!r.ok) throw r;
      show(r.data);
      status.textContent = "";
      document.body.dataset.window = windowName;
      document.body.dataset.period = r.data.period.start.slice(0, 10);
      return switchTo(state.shown);
    }).catch(function (r) {
      status.textContent = w.failed + ": " + bg.detail(r && r.data);
    }).then(function () { buttons.forEach(function (b) { b.disabled = false; }); });
  }

  function show(result) {
    var p = result.period;
    document.getElementById("period").textContent = w.from_to + ": " + p.start.slice(0, 10) + " – " + p.end.slice(0, 10) + " (" + w.excluded + ")";
    var now = result.count, before = result.previous_count;
    document.getElementById("count").textContent = now;
    document.getElementById("previous").textContent = before;
    var change = document.getElementById("change");
    change.textContent = before ? (now >= before ? "+" : "") + Math.round((now - before) / before * 100) + "%" : "–";
    change.className = now > before ? "up" : now < before ? "down" : "";
    document.getElementById("hot").textContent = result.hot_grids;
    var ev = result.events;
    document.getElementById("closure").textContent = pct(ev.now.closure_rate);
    delta(document.getElementById("closure-before"), ev.now.closure_rate, ev.before.closure_rate, true);
    document.getElementById("overdue").textContent = ev.now.overdue;
    delta(document.getElementById("overdue-before"), ev.now.overdue, ev.before.overdue, false);
    document.getElementById("events").textContent = ev.now.closed + " / " + ev.now.events;
    drawGrids(result.grids);
    table(result.grids.features);
    state.overlays = {};
    document.getElementById("drill").hidden = true;
  }

  function drawGrids(fc) {
    if (state.grids) map.removeLayer(state.grids);
    state.grids = L.geoJSON(fc, {
      style: gridStyle,
      onEachFeature: function (f, l) {
        var p = f.properties;
        l.bindTooltip(p.id + ": " + p.count + " (" + w.previous + " " + p.previous_count + ")");
        l.on("click", function () { drill(p.id); });
      },
    }).addTo(map);
    if (state.grids.getLayers().length && !state.fitted) {
      map.fitBounds(state.grids.getBounds(), { padding: [10, 10] });
      state.fitted = true;
    }
  }

  function gridStyle(f) {
    var classes = state.shown === "classes";
    return {
      color: "#555", weight: 0.6,
      fillColor: classes ? COLOURS[String(f.properties.hotspot_class)] || "#eee" : "#fff",
      fillOpacity: classes ? 0.7 : 0.05,
    };
  }

  function table(features) {
    var rows = features.slice().sort(function (a, b) { return b.properties.count - a.properties.count; }).slice(0, 10);
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
        drill(f.properties.id);
      });
      tbody.appendChild(tr);
    });
  }

  /* The analysis layers: one shown at a time over the grids (classes, density, emerging). */
  function switchTo(name) {
    state.shown = name;
    document.querySelectorAll("[data-layer]").forEach(function (b) { b.classList.toggle("on", b.dataset.layer === name); });
    Object.keys(state.overlays).forEach(function (k) { if (state.overlays[k]) map.removeLayer(state.overlays[k]); });
    if (state.grids) state.grids.setStyle(gridStyle);
    document.getElementById("legend-classes").hidden = name !== "classes";
    document.body.dataset.layer = "";
    if (name === "classes") { document.body.dataset.layer = name; return Promise.resolve(); }
    if (state.overlays[name]) { state.overlays[name].addTo(map); state.grids.bringToFront(); document.body.dataset.layer = name; return Promise.resolve(); }
    status.textContent = w.computing;
    return bg.api("GET", "/commander/layers/" + name + "?" + state.query).then(function (r) {
      if (!r.ok) throw r;
      var layer = name === "kde" ? density(r.data) : emerging(r.data);
      state.overlays[name] = layer;
      if (state.shown === name) { layer.addTo(map); state.grids.bringToFront(); document.body.dataset.layer = name; }
      status.textContent = name === "emerging" && !r.data.cells.features.length ? w.no_pattern : "";
    }).catch(function (r) { status.textContent = w.failed + ": " + bg.detail(r && r.data); });
  }

  function density(data) {
    var top = data.max || 1;
    return L.geoJSON(data.cells, {
      interactive: false,
      style: function (f) {
        var t = Math.min(1, f.properties.density / top);
        var hue = Math.round(60 - 60 * t);
        return { stroke: false, fillColor: "hsl(" + hue + ",90%," + Math.round(60 - 20 * t) + "%)", fillOpacity: 0.25 + 0.5 * t };
      },
    });
  }

  function emerging(data) {
    return L.geoJSON(data.cells, {
      style: function (f) { return { weight: 0.3, color: "#7f2704", fillColor: PATTERN[f.properties.pattern] || "#fdd0a2", fillOpacity: 0.75 }; },
      onEachFeature: function (f, l) { l.bindTooltip(f.properties.label); },
    });
  }

  /* Drill-down: one grid's counts by category, its trend and its events. */
  function drill(id) {
    var box = document.getElementById("drill");
    box.hidden = false;
    document.getElementById("drill-title").textContent = w.grid + " " + id;
    document.getElementById("drill-body").textContent = w.computing;
    document.body.dataset.drill = "";
    return bg.api("GET", "/commander/grids/" + encodeURIComponent(id) + "?" + state.query).then(function (r) {
      if (!r.ok) throw r;
      renderDrill(r.data);
      box.scrollIntoView({ block: "nearest" });
      document.body.dataset.drill = id;
    }).catch(function (r) { document.getElementById("drill-body").textContent = w.failed + ": " + bg.detail(r && r.data); });
  }

  function cell(tr, text, tag) {
    var td = document.createElement(tag || "td");
    td.textContent = text == null ? "" : String(text);
    tr.appendChild(td);
  }

  function renderDrill(d) {
    var body = document.getElementById("drill-body");
    body.textContent = "";
    var cats = document.createElement("table");
    cats.className = "findings";
    cats.dataset.testid = "drill-categories";
    var head = document.createElement("tr");
    [w.category, w.count, w.previous].forEach(function (h) { cell(head, h, "th"); });
    cats.appendChild(head);
    d.categories.forEach(function (c) {
      var tr = document.createElement("tr");
      cell(tr, c.category); cell(tr, c.count); cell(tr, c.previous_count);
      cats.appendChild(tr);
    });
    body.appendChild(cats);
    body.appendChild(spark(d.trend));
    var h = document.createElement("h3");
    h.textContent = w.events_in_grid + " (" + d.events.length + ")";
    body.appendChild(h);
    var evs = document.createElement("table");
    evs.className = "findings";
    d.events.slice(0, 20).forEach(function (e) {
      var tr = document.createElement("tr");
      cell(tr, e.received_at ? e.received_at.replace("T", " ") : ""); cell(tr, e.category); cell(tr, e.state);
      evs.appendChild(tr);
    });
    body.appendChild(evs);
  }

  function spark(trend) {
    var ns = "http://www.w3.org/2000/svg", width = 260, height = 60;
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 " + width + " " + (height + 14));
    svg.setAttribute("class", "trend");
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", w.trend);
    var top = Math.max(1, Math.max.apply(null, trend.map(function (t) { return t.count; })));
    var bw = width / Math.max(1, trend.length);
    trend.forEach(function (t, i) {
      var r = document.createElementNS(ns, "rect");
      var bh = Math.max(1, t.count / top * height);
      r.setAttribute("x", i * bw + 1); r.setAttribute("width", Math.max(1, bw - 2));
      r.setAttribute("y", height - bh); r.setAttribute("height", bh);
      r.setAttribute("fill", i === trend.length - 1 ? "#b2182b" : "#90a4ae");
      var title = document.createElementNS(ns, "title");
      title.textContent = t.start + ": " + t.count;
      r.appendChild(title);
      svg.appendChild(r);
    });
    [0, trend.length - 1].forEach(function (i) {
      if (!trend[i]) return;
      var tx = document.createElementNS(ns, "text");
      tx.setAttribute("x", i ? width : 0); tx.setAttribute("y", height + 12);
      tx.setAttribute("font-size", "10"); tx.setAttribute("text-anchor", i ? "end" : "start");
      tx.textContent = trend[i].start;
      svg.appendChild(tx);
    });
    var wrap = document.createElement("figure");
    var cap = document.createElement("figcaption");
    cap.textContent = w.trend;
    wrap.appendChild(cap);
    wrap.appendChild(svg);
    return wrap;
  }

  buttons.forEach(function (b) { b.addEventListener("click", function () { run(b.dataset.window); }); });
  document.querySelectorAll("[data-layer]").forEach(function (b) {
    b.addEventListener("click", function () { switchTo(b.dataset.layer); });
  });
  document.getElementById("drill-close").addEventListener("click", function () {
    document.getElementById("drill").hidden = true;
  });
  var custom = document.getElementById("custom");
  custom.addEventListener("submit", function (e) {
    e.preventDefault();
    run("custom", { start: custom.start.value, end: custom.end.value });
  });
  run("week");
})();

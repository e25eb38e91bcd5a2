/* beatgrid workspaces: what every workspace page shares.
 * Reads the page's JSON config, calls the JSON API (same origin, login cookie), draws the
 * stored layers the server clipped to the user's jurisdiction.  No rule lives here: what
 * a user may see or do is decided by the server; this only shows its answers. */
(function () {
  "use strict";
  var bg = (window.bg = window.bg || {});
  var STYLE = {
    street: { color: "#222", weight: 3, fill: false },
    community: { color: "#6b46c1", weight: 2.5, fill: false, dashArray: "6 4" },
    grid: { color: "#2b6cb0", weight: 1.2, fillColor: "#90cdf4", fillOpacity: 0.15 },
    beat: { color: "#c05621", weight: 2.5, fill: false },
    aux_beat: { color: "#dd6b20", weight: 0.8, fill: false, dashArray: "2 3" },
    station: { color: "#111", weight: 1, fill: false },
    road: { color: "#8a8a8a", weight: 1.5, opacity: 0.9, fill: false, pane: "roads", interactive: false },
  };
  /* names show with zoom: the street first, then communities and roads, grids last */
  var LABEL_ZOOM = { street: 12, community: 14, road: 15, beat: 15, grid: 16 };

  bg.config = JSON.parse(document.getElementById("config").textContent);
  bg.words = bg.config.words || {};

  bg.api = function (method, url, body) {
    var init = { method: method, credentials: "same-origin", headers: { Accept: "application/json" } };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(url, init).then(
      function (r) {
        return r.text().then(function (t) {
          var data = null;
          try { data = t ? JSON.parse(t) : null; } catch (e) { data = { detail: t }; }
          if (r.status === 401) bg.expired();
          return { ok: r.ok, status: r.status, data: data };
        });
      },
      function () { return { ok: false, status: 0, data: { detail: bg.words.network } }; }
    );
  };

  bg.detail = function (data) {
    if (!data) return "";
    if (bg.config.lang === "en" && data.en) return data.en;
    if (data.zh) return data.zh;
    if (typeof data.detail === "string") return data.detail;
    return JSON.stringify(data.detail);
  };

  bg.expired = function () {
    var box = document.getElementById("expired");
    if (!box) {
      box = document.createElement("p");
      box.id = "expired";
      box.className = "message error banner";
      box.setAttribute("role", "alert");
      var a = document.createElement("a");
      a.href = "/auth/login?expired=1&next=" + encodeURIComponent(location.pathname);
      a.textContent = bg.words.expired;
      box.appendChild(a);
      document.body.insertBefore(box, document.body.firstChild);
    }
  };

  bg.map = function (id) {
    var map = (bg.leaflet = L.map(id, { preferCanvas: false, zoomSnap: 0.5 }));
    map.setView([32.0, 118.7], 13);
    map.createPane("roads").style.zIndex = 390; // under the grids (overlay pane: 400)
    map.on("zoomend", function () { bg.labels(map); });
    bg.overlays = L.control.layers(null, {}, { collapsed: window.innerWidth < 700 }).addTo(map);
    return map;
  };

  bg.labels = function (map) {
    var z = map.getZoom();
    Object.keys(LABEL_ZOOM).forEach(function (kind) {
      var el = map.getContainer();
      el.classList.toggle("show-" + kind, z >= LABEL_ZOOM[kind]);
    });
  };

  function label(kind, feature, layer) {
    var p = feature.properties || {};
    var text = p.name || p.id;
    if (!text) return;
    if (kind === "joint_point") {
      layer.bindTooltip(String(text));
      return;
    }
    if (LABEL_ZOOM[kind]) {
      // a beat often covers one community: its name goes under the community's, not on it
      var offset = kind === "beat" ? [0, 16] : [0, 0];
      layer.bindTooltip(String(text), { permanent: true, direction: "center", offset: offset, className: "label label-" + kind });
    }
    if (kind === "road") return; // context only: not clickable, the grids above it are
    layer.bindPopup("<b>" + String(p.id || "").replace(/</g, "&lt;") + "</b> " + String(p.name || "").replace(/</g, "&lt;"));
  }

  bg.layer = function (map, kind, url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (r.status === 401) { bg.expired(); return null; }
      return r.json();
    }).then(function (fc) {
      if (!fc) return null;
      var layer = L.geoJSON(fc, {
        style: function () { return STYLE[kind] || {}; },
        pointToLayer: function (f, ll) {
          return L.circleMarker(ll, { radius: 3, color: "#2f855a", weight: 1, fillOpacity: 0.8 });
        },
        onEachFeature: function (f, l) { label(kind, f, l); },
      });
      layer.addTo(map);
      bg.overlays.addOverlay(layer, bg.words[kind] || kind);
      return layer;
    });
  };

  bg.layers = function (map, kinds) {
    var cfg = bg.config.layers;
    if (cfg.road && kinds.indexOf("road") < 0) kinds = ["road"].concat(kinds); // every map, when stored
    var jobs = kinds.filter(function (k) { return cfg[k]; }).map(function (k) {
      return bg.layer(map, k, cfg[k].url).then(function (l) { return [k, l]; });
    });
    return Promise.all(jobs).then(function (pairs) {
      var out = {};
      var bounds = L.latLngBounds([]);
      pairs.forEach(function (p) {
        if (!p[1]) return;
        out[p[0]] = p[1];
        if (p[0] !== "road" && p[1].getLayers().length) bounds.extend(p[1].getBounds()); // roads run on
      });
      if (bounds.isValid()) map.fitBounds(bounds, { padding: [10, 10], animate: false });
      bg.labels(map);
      document.body.dataset.mapReady = "1";
      return out;
    });
  };

  bg.tabs = function () {
    var buttons = document.querySelectorAll(".tabs button");
    buttons.forEach(function (b) {
      b.addEventListener("click", function () {
        buttons.forEach(function (o) { o.classList.toggle("on", o === b); });
        document.querySelectorAll("[data-pane]").forEach(function (p) {
          p.hidden = p.dataset.pane !== b.dataset.tab;
        });
      });
    });
  };

  bg.fmt = function (template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, k) { return values[k]; });
  };
})();

/* beatgrid map pages: the day/week/month time filter of the hot-spot map.
 * Geometry is sent once; each period only carries one value and one class per cell,
 * and switching periods restyles the cells in place (no reload, no network). */
(function () {
  "use strict";
  var beatgrid = (window.beatgrid = window.beatgrid || {});

  function restyle(target, entry) {
    target.layer.eachLayer(function (feature) {
      var p = feature.feature.properties;
      var k = entry[target.classKey][p.fid];
      p[target.field] = target.field === "hotspot_class" ? target.labels[String(k)] : entry[target.valueKey][p.fid];
      var style = Object.assign({}, p[target.styleKey], { fillColor: target.colours[String(k)] || "#e0e0e0" });
      feature.setStyle(style);
    });
  }

  function option(select, value, text) {
    var o = document.createElement("option");
    o.value = value;
    o.textContent = text;
    select.appendChild(o);
  }

  beatgrid.timeFilter = function (map, spec) {
    var control = L.control({ position: "topright" });
    control.onAdd = function () {
      var div = L.DomUtil.create("div", "bg-filter");
      var label = L.DomUtil.create("span", "", div);
      label.textContent = spec.words.period;
      var granularity = L.DomUtil.create("select", "bg-granularity", div);
      var period = L.DomUtil.create("select", "bg-period", div);
      option(granularity, "all", spec.words.all);
      Object.keys(spec.periods).forEach(function (g) { option(granularity, g, spec.words[g]); });
      function show(g, key) {
        var entry = g === "all" ? spec.overall : spec.periods[g][key];
        spec.targets.forEach(function (t) { restyle(t, entry); });
        div.setAttribute("data-shown", g + ":" + (key || ""));
      }
      granularity.addEventListener("change", function () {
        period.innerHTML = "";
        var g = granularity.value;
        if (g === "all") { period.style.display = "none"; show("all"); return; }
        period.style.display = "";
        var keys = Object.keys(spec.periods[g]);
        keys.forEach(function (k) { option(period, k, k); });
        period.value = keys[keys.length - 1];
        show(g, period.value);
      });
      period.addEventListener("change", function () { show(granularity.value, period.value); });
      period.style.display = "none";
      L.DomEvent.disableClickPropagation(div);
      return div;
    };
    control.addTo(map);
    return control;
  };
})();

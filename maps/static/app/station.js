/* The station workspace: run the check as a job, list its findings linked to the map,
 * waive a finding with a reason, revoke a waiver, acknowledge a notice. */
(function () {
  "use strict";
  var bg = window.bg, w = bg.words;
  var map = bg.map("map");
  var findingsLayer = L.featureGroup().addTo(map);
  var current = null; // {job, rows}
  bg.layers(map, ["street", "community", "grid", "beat", "aux_beat", "joint_point"]);
  bg.tabs();

  var bar = document.getElementById("progress-bar");
  var status = document.getElementById("check-status");

  function poll(jobId) {
    return bg.api("GET", "/jobs/" + jobId).then(function (r) {
      if (!r.ok) throw r;
      bar.style.width = Math.round(r.data.progress * 100) + "%";
      if (r.data.status === "done") return bg.api("GET", "/jobs/" + jobId + "/result");
      if (r.data.status === "failed") throw { data: { detail: r.data.error } };
      return new Promise(function (ok) { setTimeout(ok, 400); }).then(function () { return poll(jobId); });
    });
  }

  function runCheck() {
    document.querySelector(".progress").hidden = false;
    bar.style.width = "0%";
    status.textContent = w.running;
    document.getElementById("run-check").disabled = true;
    return bg.api("POST", "/checks", { layers: bg.config.check_layers }).then(function (r) {
      if (!r.ok) throw r;
      return poll(r.data.id).then(function (res) {
        if (!res.ok) throw res;
        bar.style.width = "100%";
        status.textContent = w.done;
        // the bar has filled (its width eases over .3 s): done is said by the status alone
        setTimeout(function () { document.querySelector(".progress").hidden = true; }, 600);
        show(r.data.id, res.data);
      });
    }).catch(function (r) {
      status.textContent = w.failed + ": " + bg.detail(r && r.data);
    }).then(function () { document.getElementById("run-check").disabled = false; });
  }

  function cell(tr, text) {
    var td = document.createElement("td");
    td.textContent = text == null ? "" : String(text);
    tr.appendChild(td);
    return td;
  }

  function show(jobId, result) {
    current = { job: jobId, rows: result.findings.features };
    document.body.dataset.checkJob = jobId;
    var c = result.counts;
    document.getElementById("counts").textContent = bg.fmt(w.counts, c);
    document.getElementById("reports").hidden = false;
    document.getElementById("report-xlsx").href = "/checks/" + jobId + "/report.xlsx";
    document.getElementById("report-html").href = "/checks/" + jobId + "/report.html";
    var body = document.querySelector("#findings tbody");
    body.textContent = "";
    findingsLayer.clearLayers();
    current.rows.forEach(function (f) {
      var p = f.properties;
      var tr = document.createElement("tr");
      tr.dataset.finding = p.id;
      tr.className = p.accepted ? "accepted" : "sev-" + p.severity;
      cell(tr, ruleName(p.rule));
      cell(tr, p.ids + (p.other_ids ? " / " + p.other_ids : ""));
      cell(tr, bg.config.lang === "en" ? p.message_en : p.message_zh);
      cell(tr, p.accepted ? w.accepted : w.open);
      var td = cell(tr, "");
      if (!p.accepted) {
        var b = document.createElement("button");
        b.textContent = w.waive;
        b.className = "waive";
        b.addEventListener("click", function (e) { e.stopPropagation(); askWaiver(p); });
        td.appendChild(b);
      }
      var drawn = f.geometry ? drawFinding(f) : null;
      tr.addEventListener("click", function () {
        if (!drawn) return;
        map.fitBounds(drawn.getBounds(), { maxZoom: 18, padding: [40, 40] });
        drawn.openPopup();
        document.querySelectorAll("#findings tr.on").forEach(function (o) { o.classList.remove("on"); });
        tr.classList.add("on");
      });
      body.appendChild(tr);
    });
    document.getElementById("findings").hidden = false;
  }

  function ruleName(rule) {  // the rule's label in the page's language (gis.labels.RULES)
    return bg.config.rules[rule] || rule;
  }

  function drawFinding(f) {
    var colour = f.properties.accepted ? "#718096" : f.properties.severity === "error" ? "#e53e3e" : "#d69e2e";
    var shape = L.geoJSON(f, { style: { color: colour, weight: 3, fillOpacity: 0.4 } });
    // the smallest defect stays visible at any zoom: a marker at its centre
    var centre = shape.getBounds().getCenter();
    var marker = L.circleMarker(centre, { radius: 6, color: colour, weight: 2, fillOpacity: 0.9 });
    var group = L.featureGroup([shape, marker]).bindPopup(
      "<b>" + ruleName(f.properties.rule) + "</b><br>" + String(bg.config.lang === "en" ? f.properties.message_en : f.properties.message_zh).replace(/</g, "&lt;")
    );
    findingsLayer.addLayer(group);
    return group;
  }

  var form = document.getElementById("waive-form");
  var waiveError = document.getElementById("waive-error");
  function askWaiver(p) {
    form.hidden = false;
    form.dataset.finding = p.id;
    waiveError.hidden = true;
    document.getElementById("waive-what").textContent = ruleName(p.rule) + " · " + p.ids;
    form.reason.value = "";
    form.reason.focus();
  }
  document.getElementById("waive-cancel").addEventListener("click", function () { form.hidden = true; });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var reason = form.reason.value.trim();
    if (!reason) { waiveError.textContent = w.need_reason; waiveError.hidden = false; return; }
    bg.api("POST", "/waivers", { job_id: current.job, finding_id: form.dataset.finding, reason: reason }).then(function (r) {
      if (!r.ok) { waiveError.textContent = bg.detail(r.data); waiveError.hidden = false; return; }
      form.hidden = true;
      runCheck(); // the next check honours the waiver: the finding is counted as accepted
    });
  });
  document.getElementById("run-check").addEventListener("click", runCheck);

  function reloadOn(selector, url) {
    document.querySelectorAll(selector).forEach(function (b) {
      b.addEventListener("click", function () {
        bg.api("POST", url.replace("{id}", b.dataset.id)).then(function (r) {
          if (r.ok) location.reload(); else alert(bg.detail(r.data));
        });
      });
    });
  }
  reloadOn("button.revoke", "/waivers/{id}/revoke");

  /* the re-aligned beats a notice calls for: drawn over the current ones, accepted with a
   * reason as a new beat version (the server computes and checks everything) */
  var beatsLayer = L.featureGroup().addTo(map);
  document.querySelectorAll("button.view-beats").forEach(function (b) {
    b.addEventListener("click", function () {
      var box = document.querySelector(".beats-proposal[data-notice='" + b.dataset.id + "']");
      var beats = bg.config.layers.beat.id;
      bg.api("GET", "/notices/" + b.dataset.id + "/beats?beats_layer=" + encodeURIComponent(beats)).then(function (r) {
        box.hidden = false;
        var summary = box.querySelector(".beats-summary");
        if (!r.ok) { summary.textContent = bg.detail(r.data); return; }
        var ids = r.data.proposed.features.map(function (f) { return f.properties.id; });
        summary.textContent = ids.length
          ? bg.fmt(w.beats_changes, { n: r.data.changes.length, ids: ids.join(", ") })
          : w.beats_none;
        beatsLayer.clearLayers();
        beatsLayer.addLayer(L.geoJSON(r.data.current, { style: { color: "#718096", weight: 2, dashArray: "4 4", fill: false } }));
        var proposed = L.geoJSON(r.data.proposed, {
          style: { color: "#dd6b20", weight: 3, fillColor: "#fbd38d", fillOpacity: 0.25 },
          onEachFeature: function (f, l) { l.bindTooltip(String(f.properties.id), { permanent: true, direction: "center", className: "label label-proposal" }); },
        });
        beatsLayer.addLayer(proposed);
        if (ids.length) map.fitBounds(proposed.getBounds(), { padding: [30, 30] });
        var form = box.querySelector("form.accept-beats");
        form.hidden = !ids.length;
        form.dataset.base = r.data.base_version;
        document.body.dataset.beatsShown = b.dataset.id;
      });
    });
  });
  document.querySelectorAll("form.accept-beats").forEach(function (form) {
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var error = form.querySelector(".message");
      var reason = form.reason.value.trim();
      if (!reason) { error.textContent = w.beats_need_reason; error.hidden = false; return; }
      var id = form.parentNode.dataset.notice;
      var body = { beats_layer: bg.config.layers.beat.id, base_version: Number(form.dataset.base), reason: reason };
      bg.api("POST", "/notices/" + id + "/beats", body).then(function (r) {
        if (r.ok) { location.reload(); return; }
        error.textContent = bg.detail(r.data);
        error.hidden = false;
      });
    });
  });
  reloadOn("button.ack", "/notices/{id}/ack");
})();

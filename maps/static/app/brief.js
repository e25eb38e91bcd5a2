/* The briefing form of the station and commander workspaces: POST /briefs with the form's
 * period, date and format (and the page's layers), then save the file the server made.
 * Every figure is the server's (gis.briefing); this only asks for it and downloads it. */
(function () {
  "use strict";
  var bg = window.bg, w = bg.words, cfg = bg.config;
  var form = document.getElementById("brief-form");
  if (!form) return;
  var status = document.getElementById("brief-status");

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var data = new FormData(form);
    var body = { period: data.get("period"), at: data.get("at"), format: data.get("format"),
                 lang: cfg.lang || "zh", layers: cfg.brief.layers };
    var button = form.querySelector("button");
    button.disabled = true;
    status.textContent = w.brief_making;
    fetch("/briefs", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json" }, body: JSON.stringify(body)
    }).then(function (r) {
      if (r.status === 401) bg.expired();
      if (!r.ok) {
        return r.json().then(function (d) { throw d; }, function () { throw { detail: r.statusText }; });
      }
      var name = (r.headers.get("Content-Disposition") || "").split("''")[1] || "brief." + body.format;
      return r.blob().then(function (blob) {
        var a = document.createElement("a");
        a.href = URL.createObjectURL(blob);
        a.download = decodeURIComponent(name);
        document.body.appendChild(a);
        a.click();
        a.remove();
        status.textContent = w.brief_done + ": " + decodeURIComponent(name);
      });
    }).catch(function (d) {
      status.textContent = w.brief_failed + ": " + bg.detail(d);
    }).then(function () { button.disabled = false; });
  });
}());

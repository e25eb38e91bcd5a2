/* Admin: upload a layer through the JSON API and show the server's validation report. */
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("config").textContent);
  var w = cfg.words;
  var form = document.getElementById("upload");
  var out = document.getElementById("upload-result");
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    out.textContent = "";
    fetch("/layers", { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then(function (r) { return r.json().then(function (d) { return { ok: r.ok, data: d }; }); })
      .then(function (r) {
        var p = document.createElement("p");
        p.className = "message " + (r.ok ? "ok" : "error");
        p.textContent = r.ok
          ? w.uploaded.replace("{version}", r.data.version).replace("{feature_count}", r.data.feature_count)
          : String(r.data.detail);
        out.appendChild(p);
        var list = document.createElement("ul");
        ((r.data && r.data.problems) || []).forEach(function (x) {
          var li = document.createElement("li");
          li.textContent = [x.source, x.row != null ? "row " + x.row : "", x.field || "", x.message].filter(Boolean).join(" · ");
          list.appendChild(li);
        });
        out.appendChild(list);
        if (r.ok) setTimeout(function () { location.reload(); }, 800);
      });
  });
})();

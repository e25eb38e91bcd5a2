/* beatgrid field pages: geolocation, the offline report queue (IndexedDB), task actions.
   Every rule lives in the service; this script only calls the JSON API. */
"use strict";
(function () {
  const $ = (sel) => document.querySelector(sel);
  const say = (text) => { $("#msg").textContent = text; };
  const page = document.body.dataset.page;

  async function api(path, options) {
    const init = Object.assign({ credentials: "same-origin" }, options || {});
    if (init.json !== undefined) {
      init.headers = { "Content-Type": "application/json" };
      init.body = JSON.stringify(init.json);
    }
    const r = await fetch(path, init);
    const body = r.headers.get("content-type") === "application/json" ? await r.json() : null;
    return { status: r.status, body: body };
  }
  const detail = (res) => (res.body && res.body.detail ? JSON.stringify(res.body.detail) : String(res.status));

  // ---- the queue of reports not yet sent: IndexedDB keeps the photo as a Blob ----
  function openDb() {
    return new Promise((resolve, reject) => {
      const req = indexedDB.open("beatgrid-field", 1);
      req.onupgradeneeded = () => req.result.createObjectStore("reports", { keyPath: "client_id" });
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  }
  async function store(mode, fn) {
    const db = await openDb();
    return new Promise((resolve, reject) => {
      const tx = db.transaction("reports", mode);
      const out = fn(tx.objectStore("reports"));
      tx.oncomplete = () => resolve(out && out.result);
      tx.onerror = () => reject(tx.error);
    });
  }
  const queued = () => store("readonly", (s) => s.getAll());
  const keep = (item) => store("readwrite", (s) => s.put(item));
  const drop = (id) => store("readwrite", (s) => s.delete(id));

  async function showQueue() {
    const items = await queued();
    const box = $("#queue");
    box.hidden = items.length === 0;
    box.textContent = `待发送 ${items.length} 条上报 / ${items.length} report(s) waiting to be sent`;
    $("#net").hidden = navigator.onLine;
  }

  async function sendOne(item) {
    let res;
    try {
      res = await api("/events", { method: "POST", json: item.body });
    } catch (e) {
      return false; // no network: keep it
    }
    if (res.status >= 500 || res.status === 429) return false;
    if (res.status !== 201) {
      await drop(item.client_id);
      await showQueue(); // the count the worker sees changes before the message does
      say(`上报被拒 / report refused: ${detail(res)}`);
      return true;
    }
    if (item.photo) {
      const form = new FormData();
      form.append("file", item.photo, item.photoName || "photo.jpg");
      try {
        const up = await fetch(`/events/${res.body.id}/attachments`, {
          method: "POST", body: form, credentials: "same-origin",
        });
        if (up.status >= 500) return false;
        if (up.status !== 201) say(`照片被拒 / photo refused: ${up.status}`);
      } catch (e) {
        return false; // the event exists (same client id); the photo goes with the next try
      }
    }
    await drop(item.client_id);
    await showQueue();
    say(`已上报 / reported: ${res.body.id} → ${res.body.grid_id}`);
    return true;
  }

  let flushing = false;
  async function flush() {
    if (flushing) return;
    flushing = true;
    try {
      for (const item of await queued()) {
        if (!(await sendOne(item))) break;
      }
    } finally {
      flushing = false;
      await showQueue();
    }
  }
  window.addEventListener("online", flush);
  window.addEventListener("offline", showQueue);

  function locate() {
    return new Promise((resolve, reject) => {
      if (!navigator.geolocation) return reject(new Error("no geolocation"));
      navigator.geolocation.getCurrentPosition(
        (p) => resolve({ lon: p.coords.longitude, lat: p.coords.latitude }),
        (e) => reject(e),
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 },
      );
    });
  }
  const newId = () => (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(16).slice(2)}`);

  function reportPage() {
    const form = $("#report");
    $("#locate").addEventListener("click", async () => {
      try {
        const at = await locate();
        form.lon.value = at.lon; form.lat.value = at.lat;
        $("#where").textContent = `${at.lat.toFixed(6)}, ${at.lon.toFixed(6)}`;
      } catch (e) { say(`无法定位 / no location: ${e.message}`); }
    });
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      if (!form.lon.value) { say("请先获取位置 / get the location first"); return; }
      const id = newId().replace(/[^A-Za-z0-9_-]/g, "");
      const photo = form.photo.files[0] || null;
      const item = {
        client_id: id,
        photo: photo, photoName: photo ? photo.name : null,
        body: {
          category: form.category.value, source: form.source.value,
          description: form.description.value, address: form.address.value || null,
          lon: Number(form.lon.value), lat: Number(form.lat.value), crs: "wgs84",
          received_at: new Date().toISOString(), client_id: id,
        },
      };
      await keep(item); // first on the phone: nothing is lost if the send fails
      form.reset(); form.lon.value = ""; $("#where").textContent = "";
      say("已保存，正在发送 / saved, sending…");
      await flush();
    });
  }

  function tasksPage() {
    document.querySelectorAll("button.act").forEach((b) => b.addEventListener("click", async () => {
      const li = b.closest("li");
      const action = b.dataset.action;
      const reason = action === "return" || action === "escalate" ? (window.prompt("原因 / reason") || "") : "";
      const res = await api(`/events/${li.dataset.id}/transitions`, {
        method: "POST", json: { action: action, base_version: Number(li.dataset.version), reason: reason },
      });
      if (res.status === 200) { location.reload(); } else { say(detail(res)); }
    }));
  }

  function nearbyPage() {
    const kind = $("#find").dataset.kind;
    $("#find").addEventListener("click", async () => {
      let at;
      try { at = await locate(); } catch (e) { say(`无法定位 / no location: ${e.message}`); return; }
      const res = await api(`/field/api/nearby?kind=${kind}&lon=${at.lon}&lat=${at.lat}`);
      if (res.status !== 200) { say(detail(res)); return; }
      const list = $("#nearby");
      list.textContent = "";
      for (const n of res.body) {
        const b = document.createElement("button");
        b.type = "button";
        b.textContent = `${n.name} · ${Math.round(n.distance_m)} m`;
        b.dataset.id = n.id;
        b.addEventListener("click", async () => {
          const note = $("#note") ? $("#note").value : "";
          const path = kind === "address" ? "/field/api/visits" : "/field/api/checkins";
          const r = await api(path, { method: "POST", json: { target_id: n.id, lon: at.lon, lat: at.lat, note: note } });
          say(r.status === 201 ? `已登记 / recorded: ${n.name}` : detail(r));
        });
        const li = document.createElement("li");
        li.appendChild(b);
        list.appendChild(li);
      }
      if (!res.body.length) say("附近没有 / nothing nearby");
    });
  }

  const zero = $("#zero");
  if (zero) zero.addEventListener("click", async () => {
    const r = await api("/events/zero-reports", { method: "POST", json: {} });
    say(r.status === 201 ? "已零报告 / zero report filed" : detail(r));
  });
  if (page === "report") reportPage();
  if (page === "tasks") tasksPage();
  if (page === "nearby") nearbyPage();
  showQueue().then(() => { if (navigator.onLine) flush(); });
})();

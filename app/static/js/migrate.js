// Bulk migration with a progress display: posts the chosen petitions in batches; each
// petition moves in its own transaction on the server. Without JavaScript the form posts
// everything at once and the server answers with the result report.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("migrate-form");
  if (!form) return;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const chosen = [...form.querySelectorAll('input[name="instance_id"]:checked')].map((box) => box.value);
    const size = Number(form.dataset.batch) || 25;
    const progress = document.getElementById("migrate-progress");
    const status = document.getElementById("migrate-status");
    const button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    progress.hidden = false;
    progress.max = chosen.length;
    const results = [];
    for (let start = 0; start < chosen.length; start += size) {
      const data = new FormData();
      for (const name of ["csrf_token", "from", "to"]) data.append(name, form.elements[name].value);
      chosen.slice(start, start + size).forEach((id) => data.append("instance_id", id));
      const response = await fetch(form.action || window.location.pathname, {
        method: "POST", body: data, headers: { Accept: "application/json" }, credentials: "same-origin",
      });
      if (!response.ok) {
        status.textContent = `Stopped: the server answered ${response.status}.`;
        button.disabled = false;
        return;
      }
      results.push(...(await response.json()).results);
      progress.value = results.length;
      status.textContent = `${results.length} / ${chosen.length}`;
    }
    const moved = results.filter((r) => r.moved).length;
    const list = document.createElement("ul");
    for (const r of results) {
      const item = document.createElement("li");
      item.textContent = `${r.tracking_number || "#" + r.instance_id}: ${r.moved ? "moved" : r.reason}`;
      list.append(item);
    }
    status.textContent = `${moved} moved, ${results.length - moved} not moved.`;
    form.after(list);
  });
});

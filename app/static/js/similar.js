// Start form: while the citizen types the subject and description, list earlier petitions of
// the same type whose answers were published (GET /petitions/similar). Without JavaScript the
// form simply works without suggestions.
(function () {
  "use strict";
  var box = document.getElementById("similar-answers");
  if (!box) return;
  var list = box.querySelector("ul");
  var fields = ["f-subject", "f-description"].map(function (id) { return document.getElementById(id); })
    .filter(Boolean);
  var timer = null;
  var lastQuery = "";

  function show(results) {
    list.textContent = "";
    results.forEach(function (result) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = result.url;
      link.target = "_blank";
      link.rel = "noopener";
      link.textContent = result.subject;
      item.appendChild(link);
      list.appendChild(item);
    });
    box.hidden = results.length === 0;
  }

  function search() {
    var query = fields.map(function (field) { return field.value; }).join("\n").trim();
    if (query.length < 10 || query === lastQuery) return;
    lastQuery = query;
    var url = box.dataset.url + "?type=" + encodeURIComponent(box.dataset.type) + "&q=" + encodeURIComponent(query);
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : { results: [] }; })
      .then(function (data) { show(data.results || []); })
      .catch(function () { show([]); });
  }

  fields.forEach(function (field) {
    field.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(search, 400);
    });
  });
})();

// Draws each <canvas data-chart='{"title", "labels", "values"}'> of the statistics pages with
// Chart.js (static/vendor/, copied from npm by `make install`). The tables next to the charts
// carry the same numbers, so a page without JavaScript or Chart.js loses nothing.
(function () {
  "use strict";

  function draw(canvas) {
    var data;
    try {
      data = JSON.parse(canvas.getAttribute("data-chart"));
    } catch (error) {
      return;
    }
    var rtl = document.documentElement.getAttribute("dir") === "rtl";
    new window.Chart(canvas, {
      type: canvas.id === "received-chart" || canvas.id === "closed-chart" ? "line" : "bar",
      data: {
        labels: data.labels,
        datasets: [{ label: data.title, data: data.values, backgroundColor: "#1f5f8b", borderColor: "#1f5f8b" }]
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        responsive: true,
        plugins: { legend: { display: false }, tooltip: { rtl: rtl } },
        scales: { x: { reverse: rtl }, y: { beginAtZero: true, position: rtl ? "right" : "left", ticks: { precision: 0 } } }
      }
    });
  }

  function start() {
    if (typeof window.Chart === "undefined") {
      return;
    }
    var canvases = document.querySelectorAll("canvas[data-chart]");
    for (var i = 0; i < canvases.length; i += 1) {
      draw(canvases[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

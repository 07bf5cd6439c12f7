/* Temir statistics dashboard: draws each <canvas data-chart="..."> with the vendored Chart.js.
   The same figures are in the table beside every chart; without JavaScript the tables remain.
   Re-runs after an htmx swap of the dashboard (filters change). */
(function () {
  "use strict";
  var PALETTE = ["#0b5cad", "#c2410c", "#1b8a5a", "#7b3fa0", "#b8322a", "#c27c0e",
                 "#0f766e", "#6b7280", "#1f6fb2", "#9d174d", "#4d7c0f"];
  var PREVIOUS = "#9fb3cc";

  function lang() { return document.documentElement.lang || "en"; }

  /* A long category label (a border crossing pair, a railway's full name) in lines of at most
     ``width`` characters, broken at spaces: Chart.js cuts a one-line label that does not fit. */
  function wrap(label, width) {
    var words = String(label).split(" "), lines = [], line = "";
    words.forEach(function (w) {
      if (line && (line + " " + w).length > width) { lines.push(line); line = w; }
      else { line = line ? line + " " + w : w; }
    });
    if (line) { lines.push(line); }
    return lines.length > 1 ? lines : lines[0] || "";
  }

  function draw(canvas) {
    if (canvas.dataset.drawn === "1" || typeof window.Chart === "undefined") { return; }
    var spec = JSON.parse(canvas.dataset.chart);
    var whole = new Intl.NumberFormat(lang(), { maximumFractionDigits: 0 });
    var compact = new Intl.NumberFormat(lang(), { notation: "compact", maximumFractionDigits: 1 });
    var horizontal = spec.orientation === "horizontal";
    var datasets = spec.series.map(function (s, i) {
      var current = i === 0;
      var colour = s.colour ? s.colour : current ? (spec.multicolour ? spec.labels.map(function (_, j) {
        return PALETTE[j % PALETTE.length]; }) : PALETTE[0]) : PREVIOUS;
      var set = {
        label: s.label, data: s.data, backgroundColor: colour, borderColor: colour,
        borderWidth: s.kind === "line" ? 2 : 0, type: s.kind === "line" ? "line" : "bar",
        order: s.kind === "line" ? 0 : 1, pointRadius: 3, tension: 0.2,
        maxBarThickness: 28, categoryPercentage: 0.7, barPercentage: 0.9
      };
      return set;
    });
    var valueAxis = {
      beginAtZero: true,
      grid: { color: "#e5e9ef" },
      ticks: { callback: function (v) { return compact.format(v); } },
      title: { display: true, text: spec.unit }
    };
    // horizontal bars: labels take at most ~40 % of the chart's width, wrapped to fit it
    var labelChars = Math.max(10, Math.floor(canvas.parentNode.clientWidth * 0.4 / 6.2));
    var categoryAxis = { grid: { display: false }, ticks: { autoSkip: false } };
    if (horizontal) {
      categoryAxis.ticks.callback = function (value) {
        return wrap(this.getLabelForValue(value), labelChars);
      };
    }
    canvas.dataset.drawn = "1";
    new window.Chart(canvas, {
      type: "bar",
      data: { labels: spec.labels, datasets: datasets },
      options: {
        indexAxis: horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: {
          legend: { position: "bottom", labels: { boxWidth: 12,
            sort: function (a, b) { return a.datasetIndex - b.datasetIndex; } } },
          title: { display: false },
          tooltip: { callbacks: { label: function (ctx) {
            var v = horizontal ? ctx.parsed.x : ctx.parsed.y;
            return ctx.dataset.label + ": " + whole.format(v) + " " + spec.unit_short;
          } } }
        },
        scales: horizontal ? { x: valueAxis, y: categoryAxis } : { x: categoryAxis, y: valueAxis }
      }
    });
  }

  function drawAll(root) {
    (root || document).querySelectorAll("canvas[data-chart]").forEach(draw);
  }

  document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  document.addEventListener("htmx:afterSettle", function (event) { drawAll(event.target); });
  document.addEventListener("htmx:historyRestore", function () {
    document.querySelectorAll("canvas[data-chart]").forEach(function (c) { delete c.dataset.drawn; });
    drawAll(document);
  });
})();

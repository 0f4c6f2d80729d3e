/* Charts of the overview, trends, drivers and print pages. Each page puts its chart specs in a
   JSON script (id "chart-data", one entry per key) and marks where each goes with
   data-chart="key". Every chart repeats a table on the page, so it is a picture, not the data. */
(function () {
  "use strict";

  var INK = "#1d2330";
  var MUTED = "#5b6475";
  var ACCENT = "#2457c5";
  var WARM = "#b35806";  // with ACCENT: a blue / orange pair that colour-blind readers tell apart
  var TARGET = "#b3261e";
  var FONT = { family: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", size: 13, color: INK };
  var CONFIG = { displayModeBar: false, responsive: true };
  var language = document.documentElement.lang || "en";

  function number(value, digits) {
    return value.toLocaleString(language, { minimumFractionDigits: digits, maximumFractionDigits: digits });
  }

  function layout(extra) {
    var base = {
      font: FONT, paper_bgcolor: "#fff", plot_bgcolor: "#fff", showlegend: false,
      margin: { l: 10, r: 20, t: 10, b: 50 }, hoverlabel: { font: FONT }
    };
    return Object.assign(base, extra);
  }

  /* A tree's team names, left-aligned in the margin (Plotly right-aligns tick labels, so indentation
     would not show there), indented by level, the top two levels in bold. Through the font's weight,
     not <b>: Plotly draws <b> as a style="" attribute, which the Content-Security-Policy refuses. */
  function treeLabels(spec, marginLeft) {
    return spec.labels.map(function (name, index) {
      var level = spec.levels[index];
      return {
        xref: "paper", yref: "y", x: 0, y: index, xanchor: "left", xshift: -(marginLeft - 8), showarrow: false,
        align: "left", text: "\u00a0\u00a0\u00a0".repeat(level) + name,
        font: { size: FONT.size, color: INK, weight: level < 2 ? "bold" : "normal" }
      };
    });
  }

  function treeMargin(spec) {
    var widest = spec.labels.reduce(function (m, name, index) {
      return Math.max(m, name.length + 3 * spec.levels[index]);
    }, 0);
    return Math.min(340, 24 + widest * 7.8);
  }

  /* Horizontal bars, first label on top; `notes` (reason words) are written where a bar is missing;
     with `levels`, the labels are a tree's (treeLabels). */
  function hbar(element, spec) {
    var rows = spec.labels.map(function (_, index) { return index; });
    var tree = Array.isArray(spec.levels);
    var marginLeft = tree ? treeMargin(spec) : 10;
    var annotations = tree ? treeLabels(spec, marginLeft) : [];
    var shapes = [];
    spec.values.forEach(function (value, index) {
      if (value === null && spec.notes && spec.notes[index]) {
        annotations.push({ x: spec.range ? spec.range[0] : 0, y: index, xanchor: "left", text: spec.notes[index],
                           showarrow: false, font: { color: MUTED, size: 12 } });
      }
    });
    if (spec.target !== undefined && spec.target !== null) {
      shapes.push({ type: "line", x0: spec.target, x1: spec.target, yref: "paper", y0: 0, y1: 1,
                    line: { color: TARGET, width: 2, dash: "dash" } });
      annotations.push({ x: spec.target, yref: "paper", y: 1, yanchor: "bottom", text: spec.target_label,
                         showarrow: false, font: { color: TARGET, size: 12 } });
    }
    var text = spec.text || spec.values.map(function (value) {
      return value === null ? "" : (value > 0 ? "+" : "") + number(value, spec.digits || 0);
    });
    var colours = spec.values.map(function (value) { return value !== null && value < 0 ? WARM : ACCENT; });
    var trace = {
      type: "bar", orientation: "h", x: spec.values, y: rows, text: text, textposition: "auto",
      marker: { color: colours }, cliponaxis: false,
      customdata: spec.labels,
      hovertemplate: "%{customdata}: %{text}<extra></extra>"
    };
    var xaxis = { title: { text: spec.axis }, zeroline: true, zerolinecolor: MUTED, gridcolor: "#e3e7ee" };
    if (spec.range) { xaxis.range = spec.range; }
    if (spec.suffix) { xaxis.ticksuffix = spec.suffix; }
    Plotly.newPlot(element, [trace], layout({
      height: Math.max(160, 34 * spec.labels.length + 90),
      margin: { l: marginLeft, r: 30, t: spec.target !== undefined ? 30 : 10, b: 50 },
      xaxis: xaxis,
      yaxis: tree
        ? { tickvals: rows, showticklabels: false, autorange: "reversed" }
        : { tickvals: rows, ticktext: spec.labels, autorange: "reversed", automargin: true },
      shapes: shapes, annotations: annotations, bargap: 0.3
    }), CONFIG);
  }

  /* Vertical bars over categories (days, already written in the page's language). */
  function bar(element, spec) {
    Plotly.newPlot(element, [{
      type: "bar", x: spec.labels, y: spec.values, text: spec.values.map(String), textposition: "auto",
      marker: { color: ACCENT }, hovertemplate: "%{x}: %{y}<extra></extra>"
    }], layout({
      height: 260,
      xaxis: { type: "category", automargin: true },
      yaxis: { title: { text: spec.axis }, rangemode: "tozero", gridcolor: "#e3e7ee", automargin: true }
    }), CONFIG);
  }

  /* A line across waves; a hidden point is a gap (the table says why). */
  function line(element, spec) {
    Plotly.newPlot(element, [{
      type: "scatter", mode: "lines+markers+text", x: spec.labels, y: spec.values, connectgaps: false,
      text: spec.values.map(function (value) { return value === null ? "" : number(value, 1); }),
      textposition: "top center", cliponaxis: false,
      line: { color: ACCENT, width: 2 }, marker: { color: ACCENT, size: 8 },
      hovertemplate: "%{x}: %{text}<extra></extra>"
    }], layout({
      height: 240, margin: { l: 10, r: 20, t: 20, b: 40 },
      xaxis: { type: "category", automargin: true, tickangle: 0 },
      yaxis: { range: spec.range, gridcolor: "#e3e7ee", automargin: true, title: { text: spec.axis } }
    }), CONFIG);
  }

  var DRAW = { hbar: hbar, bar: bar, line: line };

  function draw() {
    var source = document.getElementById("chart-data");
    if (!source || typeof Plotly === "undefined") { return; }
    var specs = JSON.parse(source.textContent);
    document.querySelectorAll("[data-chart]").forEach(function (element) {
      var spec = specs[element.getAttribute("data-chart")];
      if (spec && DRAW[spec.type]) { DRAW[spec.type](element, spec); }
    });
  }

  function printButtons() {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  }

  function start() {
    printButtons();
    draw();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());

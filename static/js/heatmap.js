/* The heatmap page: draws the published cells (JSON from the server) with Plotly, switches the
   figure shown (score / favourable % / change since the previous wave), collapses the tree by
   level, opens a cell's drill-down on click, and saves the chart as PNG. All words come from
   the server, translated. */
(function () {
  "use strict";
  var source = document.getElementById("heatmap-data");
  var plot = document.getElementById("heatmap-plot");
  if (!source || !plot || !window.Plotly) return;
  var data = JSON.parse(source.textContent);
  var words = data.labels;
  var lang = document.documentElement.lang || "en";
  var oneDecimal = new Intl.NumberFormat(lang, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  var whole = new Intl.NumberFormat(lang, { maximumFractionDigits: 0 });
  // Colour-blind-safe diverging scale (ColorBrewer PuOr/RdBu family, blue vs orange): its ends stay
  // light enough for black text (contrast above 6:1), and the middle is the organisation.
  var SCALE = [[0, "#e08214"], [0.25, "#fdb863"], [0.5, "#f7f7f7"], [0.75, "#92c5de"], [1, "#4393c3"]];
  var GREY = [[0, "#d4d4d4"], [1, "#d4d4d4"]];
  // Fixed spans keep colours comparable between maps and waves; larger gaps saturate.
  var SPAN = { score: 20, favourable: 25, delta: 10 };
  var maxDepth = data.rows.reduce(function (m, row) { return Math.max(m, row.depth); }, 0);
  var parents = {};
  data.rows.forEach(function (row, index) {
    if (index + 1 < data.rows.length && data.rows[index + 1].depth > row.depth) parents[index] = true;
  });
  var state = { mode: "score", depth: maxDepth + 1 };

  function missing(value) { return value === null || value === undefined; }
  function figure(value) { return missing(value) ? words.none : oneDecimal.format(value); }
  function signed(value) {
    if (missing(value)) return words.none;
    return (value > 0 ? "+" : value < 0 ? "\u2212" : "") + oneDecimal.format(Math.abs(value));
  }
  function verdict(meaningful) {
    return meaningful === true ? words.meaningful : meaningful === false ? words.notMeaningful : words.notAssessed;
  }
  function arrow(delta, meaningful) {
    if (meaningful !== true || missing(delta) || delta === 0) return "";
    return delta > 0 ? " \u25B2" : " \u25BC";
  }

  // The colour (relative to the organisation, or to the previous wave) and the printed text.
  function shown(cell) {
    if (state.mode === "favourable") {
      return { z: cell.favourableOrg, text: missing(cell.favourable) ? null : whole.format(cell.favourable) + " %" };
    }
    if (state.mode === "delta") {
      return { z: cell.deltaPrevious, text: missing(cell.deltaPrevious) ? null : signed(cell.deltaPrevious) + arrow(cell.deltaPrevious, cell.meaningfulPrevious) };
    }
    return { z: cell.deltaOrg, text: missing(cell.score) ? null : figure(cell.score) + arrow(cell.deltaOrg, cell.meaningfulOrg) };
  }

  function hover(row, column, cell) {
    var lines = [escape(row.path), escape(data.columns[column])];
    if (cell.hidden) {
      lines.push(words.hidden + ": " + cell.reason);
      return lines.join("<br>");
    }
    lines.push(words.score + ": " + figure(cell.score) + " \u00b7 " + words.n + ": " + (missing(cell.n) ? words.none : whole.format(cell.n)));
    lines.push(words.favourable + ": " + figure(cell.favourable));
    lines.push(words.deltaOrg + ": " + signed(cell.deltaOrg) + " (" + verdict(cell.meaningfulOrg) + ")");
    lines.push(words.deltaPrevious + ": " + signed(cell.deltaPrevious) + " (" + verdict(cell.meaningfulPrevious) + ")");
    return lines.join("<br>");
  }

  // Plotly reads a few HTML tags in its texts: names typed by HR stay text.
  function escape(text) { return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;"); }

  // Teams with teams under them are in bold through the annotation's font weight, not <b>: Plotly
  // draws <b> as a style="" attribute, which the Content-Security-Policy refuses.
  function label(index) {
    var row = data.rows[index];
    return "\u00a0\u00a0\u00a0".repeat(row.depth) + (row.depth ? "\u2514 " : "") + escape(row.name);
  }

  function wrap(text, width) {
    var lines = [""];
    text.split(" ").forEach(function (word) {
      var line = lines[lines.length - 1];
      if (line && (line + " " + word).length > width) { lines.push(word); } else { lines[lines.length - 1] = line ? line + " " + word : word; }
    });
    return lines.join("<br>");
  }

  function longestLabel(rows) {
    return rows.reduce(function (m, r) { return Math.max(m, data.rows[r].name.length + 3 * data.rows[r].depth + 2); }, 0);
  }

  function visibleRows() {
    var rows = [];
    data.rows.forEach(function (row, index) { if (row.depth < state.depth) rows.push(index); });
    return rows;
  }

  function draw() {
    var rows = visibleRows();
    var columns = data.columns.map(function (_, i) { return i; });
    var colour = [], colourText = [], grey = [], greyText = [], hovers = [], span = SPAN[state.mode];
    var marginLeft = Math.min(340, 24 + longestLabel(rows) * 7.5);
    // A reason is printed whole where the cell is wide enough, else a dash (the hover and the
    // table view give it in full).
    var cellWidth = (plot.offsetWidth - marginLeft - 120) / Math.max(1, data.columns.length);
    rows.forEach(function (r) {
      var zRow = [], tRow = [], gRow = [], gText = [], hRow = [];
      data.cells[r].forEach(function (cell, c) {
        var value = shown(cell);
        var plain = !cell.hidden && !missing(value.z);
        zRow.push(plain ? value.z : null);
        tRow.push(plain ? value.text : "");
        gRow.push(plain ? null : 1);
        var reason = cell.reason.length * 6.2 + 20 < cellWidth ? "\u2014 " + cell.reason : "\u2014";
        gText.push(plain ? "" : cell.hidden ? reason : (value.text || "\u2014"));
        hRow.push(hover(data.rows[r], c, cell) + (plain || cell.hidden ? "" : "<br>" + words.noValue));
      });
      colour.push(zRow); colourText.push(tRow); grey.push(gRow); greyText.push(gText); hovers.push(hRow);
    });
    var y = rows.map(function (_, i) { return i; });
    // Team names as left-aligned annotations in the margin, so that the indentation shows
    // (tick labels are right-aligned); teams with teams under them in bold.
    var labels = rows.map(function (r, i) {
      var row = data.rows[r];
      return {
        xref: "paper", yref: "y", x: 0, y: i, xanchor: "left", xshift: -(marginLeft - 8), showarrow: false,
        align: "left", text: label(r), font: { size: 12, color: "#1d2330", weight: parents[r] ? "bold" : "normal" }
      };
    });
    var common = {
      type: "heatmap", x: columns, y: y, customdata: hovers, xgap: 2, ygap: 2,
      hovertemplate: "%{customdata}<extra></extra>", texttemplate: "%{text}",
      textfont: { color: "#000000", size: 13 }, hoverongaps: false
    };
    var traces = [
      Object.assign({}, common, {
        z: grey, text: greyText, colorscale: GREY, showscale: false, zmin: 0, zmax: 1,
        textfont: { color: "#1d2330", size: 11 }
      }),
      Object.assign({}, common, {
        z: colour, text: colourText, colorscale: SCALE, zmid: 0, zmin: -span, zmax: span,
        colorbar: { title: { text: state.mode === "delta" ? words.deltaPrevious : words.deltaOrg }, thickness: 12 }
      })
    ];
    var layout = {
      height: Math.max(260, 110 + rows.length * 30),
      margin: { l: marginLeft, r: 20, t: 90, b: 20 },
      annotations: labels,
      // Column names wrap on narrow screens rather than turn (Plotly tilts them, and clips them).
      xaxis: {
        tickvals: columns, ticktext: data.columns.map(function (name) { return wrap(name, cellWidth / 7.5); }),
        tickangle: 0, side: "top", fixedrange: true
      },
      yaxis: { tickvals: y, showticklabels: false, autorange: "reversed", fixedrange: true },
      plot_bgcolor: "#ffffff", paper_bgcolor: "#ffffff",
      font: { family: "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", color: "#1d2330" }
    };
    var config = { responsive: true, displaylogo: false, toImageButtonOptions: { filename: data.filename } };
    Plotly.react(plot, traces, layout, config);
    plot.dataset.rows = String(rows.length);
    plot.dataset.mode = state.mode;
    plot._pulseRows = rows;
  }

  function press(selector, chosen) {
    document.querySelectorAll(selector).forEach(function (button) {
      button.setAttribute("aria-pressed", button === chosen ? "true" : "false");
    });
  }

  document.querySelectorAll("button[data-mode]").forEach(function (button) {
    button.addEventListener("click", function () {
      state.mode = button.dataset.mode;
      press("button[data-mode]", button);
      draw();
    });
  });
  document.querySelectorAll("button[data-depth]").forEach(function (button) {
    button.addEventListener("click", function () {
      state.depth = Number(button.dataset.depth);
      press("button[data-depth]", button);
      draw();
    });
  });
  var png = document.getElementById("heatmap-png");
  if (png) {
    png.addEventListener("click", function () {
      Plotly.downloadImage(plot, { format: "png", filename: data.filename, width: plot.offsetWidth, height: plot.offsetHeight });
    });
  }

  draw();
  plot.on("plotly_click", function (event) {
    var point = event.points && event.points[0];
    if (!point) return;
    var row = plot._pulseRows[point.y];
    var cell = data.cells[row][point.x];
    if (!cell || cell.hidden) return;
    var link = data.cellUrl;
    window.location.assign(link.pattern.replace(link.team, data.rows[row].team).replace(link.code, data.codes[point.x]));
  });
})();

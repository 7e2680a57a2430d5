/**
 * The report page's one inline script: builds the leaderboard's body from the JSON in
 * `<script id="report-data" type="application/json">` and sorts and filters it in place.
 *
 * The data is `{ screens: string[], rows: unknown[][] }`, each row's values in the order of the
 * table's header cells. Each header cell says how to show and sort its column:
 * `data-key` (its name), `data-format` (`int`, `f1`, `f2`, `s2` = signed 2 decimals, `text`,
 * `screens` = indexes into `screens`) and `data-first` (`asc` | `desc`, the first click's order).
 * Cells are filled with `textContent`, never HTML, so nothing in the data can become markup.
 *
 * Sorting and filtering apply to every row; the table shows the first `data-page` matching rows
 * (REPORT_PAGE_ROWS) and appends the next ones as its box is scrolled to the end, or all of them at
 * "Show all": laying out all of us-all's ~7,500 rows after each click takes seconds on a slow
 * machine. Row elements are built when first shown. Plain ES2017, no dependencies, no requests.
 */
export const REPORT_PAGE_SCRIPT = String.raw`
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var table = document.getElementById("leaderboard");
  var tbody = table.tBodies[0];
  var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
  var cols = heads.map(function (th) {
    return { key: th.dataset.key, format: th.dataset.format, first: th.dataset.first };
  });
  var keyIndex = function (key) {
    for (var i = 0; i < cols.length; i++) if (cols[i].key === key) return i;
    throw new Error("no column " + key);
  };
  var RANK = keyIndex("rank");
  var TICKER = keyIndex("ticker");
  var SCREENS = keyIndex("screens");
  var PAGE = Number(table.dataset.page) || 500;
  var box = document.getElementById("leaderboard-box");
  var filterInput = document.getElementById("ticker-filter");
  var screenSelect = document.getElementById("screen-filter");
  var countOutput = document.getElementById("row-count");
  var showAll = document.getElementById("show-all");
  var collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
  var n = function (x) { return x.toLocaleString("en-US"); };

  function show(value, format) {
    if (value === null || value === undefined) return "\u2013";
    switch (format) {
      case "int": return String(Math.round(value));
      case "f1": return value.toFixed(1);
      case "f2": return value.toFixed(2);
      case "s2": return (value > 0 ? "+" : "") + value.toFixed(2);
      case "screens": return value.map(function (i) { return data.screens[i]; }).join(", ");
      default: return String(value);
    }
  }

  function element(row) {
    if (row.tr) return row.tr;
    var values = row.values;
    var tr = document.createElement("tr");
    tr.dataset.ticker = values[TICKER];
    for (var c = 0; c < cols.length; c++) {
      var td = document.createElement(c === TICKER ? "th" : "td");
      if (c === TICKER) td.scope = "row";
      td.textContent = show(values[c], cols[c].format);
      if (cols[c].format !== "text" && cols[c].format !== "screens") td.className = "num";
      if (cols[c].format === "s2" && values[c] !== null) td.classList.add(values[c] < 0 ? "down" : "up");
      tr.appendChild(td);
    }
    row.tr = tr;
    return tr;
  }

  var rows = data.rows.map(function (values) {
    return { values: values, tr: null, ticker: String(values[TICKER]).toUpperCase() };
  });
  var matching = rows;
  var shown = 0;
  var sortCol = RANK;
  var sortDir = 1;

  function sortKey(value, format) {
    if (value === null || value === undefined) return null;
    return format === "screens" ? value.length : value;
  }

  function compare(a, b) {
    var fmt = cols[sortCol].format;
    var x = sortKey(a.values[sortCol], fmt);
    var y = sortKey(b.values[sortCol], fmt);
    if (x === null || y === null) {
      if (x !== y) return x === null ? 1 : -1; // nulls last, either way
    } else if (x !== y) {
      var d = typeof x === "number" && typeof y === "number" ? x - y : collator.compare(String(x), String(y));
      if (d !== 0) return d * sortDir;
    }
    return a.values[RANK] - b.values[RANK];
  }

  function showUpTo(limit) {
    var end = Math.min(limit, matching.length);
    if (end <= shown) return;
    var fragment = document.createDocumentFragment();
    for (var i = shown; i < end; i++) fragment.appendChild(element(matching[i]));
    tbody.appendChild(fragment);
    shown = end;
    var all = matching.length === rows.length;
    countOutput.textContent = (all ? n(rows.length) : n(matching.length) + " of " + n(rows.length)) +
      " tickers" + (shown < matching.length ? " (first " + n(shown) + " shown)" : "");
    showAll.hidden = shown >= matching.length;
    showAll.textContent = "Show all " + n(matching.length);
  }

  function render() {
    var query = filterInput.value.trim().toUpperCase();
    var screen = screenSelect.value === "" ? -1 : Number(screenSelect.value);
    matching = rows.filter(function (row) {
      if (query !== "" && row.ticker.indexOf(query) === -1) return false;
      return screen === -1 || row.values[SCREENS].indexOf(screen) !== -1;
    });
    tbody.replaceChildren();
    shown = 0;
    box.scrollTop = 0;
    showUpTo(PAGE);
  }

  function sortBy(col) {
    if (col === sortCol) sortDir = -sortDir;
    else { sortCol = col; sortDir = cols[col].first === "desc" ? -1 : 1; }
    heads.forEach(function (th, i) {
      th.setAttribute("aria-sort", i !== sortCol ? "none" : sortDir === 1 ? "ascending" : "descending");
    });
    rows.sort(compare);
    render();
  }

  table.tHead.addEventListener("click", function (event) {
    var th = event.target.closest("th");
    if (th) sortBy(heads.indexOf(th));
  });
  filterInput.addEventListener("input", render);
  screenSelect.addEventListener("change", render);
  showAll.addEventListener("click", function () { showUpTo(matching.length); });
  box.addEventListener("scroll", function () {
    if (box.scrollTop + box.clientHeight >= box.scrollHeight - 400) showUpTo(shown + PAGE);
  }, { passive: true });
  render();
})();
`;

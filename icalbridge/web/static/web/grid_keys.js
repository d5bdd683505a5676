// The month grids as one Tab stop: arrows move by day and by row, Enter opens the day.
// A roving tabindex: one cell of the grid holds tabindex 0, the others -1, and the keys
// move it. Left of the first day is the row's name (its link opens with Enter);
// PageUp and PageDown go to the month before or after, to the same day and row.
(function () {
  "use strict";

  function addDays(iso, count) {
    var d = new Date(iso + "T12:00:00Z");
    d.setUTCDate(d.getUTCDate() + count);
    return d.toISOString().slice(0, 10);
  }

  function daysInMonth(yearMonth) {
    var parts = yearMonth.split("-");
    return new Date(Date.UTC(+parts[0], +parts[1], 0)).getUTCDate();
  }

  function Grid(table) {
    this.table = table;
    this.rows = Array.prototype.slice.call(table.tBodies[0].rows);
    this.days = Array.prototype.slice.call(table.tHead.rows[0].cells, 1).map(function (th) {
      return th.dataset.date;
    });
    this.live = document.getElementById("grid-live");
    this.row = 0;
    this.col = 0;
  }

  // The cell of row ``r`` that shows day ``c`` (-1: the row's name).
  Grid.prototype.cellAt = function (r, c) {
    var row = this.rows[r];
    if (c < 0) return row.cells[0];
    var day = this.days[c];
    for (var i = 1; i < row.cells.length; i++) {
      var cell = row.cells[i];
      var first = cell.dataset.first;
      if (first && first <= day && day < addDays(first, +cell.dataset.days)) return cell;
    }
    return null;
  };

  Grid.prototype.place = function (r, c, focus) {
    r = Math.max(0, Math.min(this.rows.length - 1, r));
    c = Math.max(-1, Math.min(this.days.length - 1, c));
    var cell = this.cellAt(r, c);
    if (!cell) return;
    var before = this.table.querySelector("[tabindex='0']");
    var sameCell = before === cell;
    if (before && !sameCell) before.setAttribute("tabindex", "-1");
    cell.setAttribute("tabindex", "0");
    this.row = r;
    this.col = c;
    this.table.querySelectorAll(".dayhead.is-cursor").forEach(function (th) {
      th.classList.remove("is-cursor");
    });
    if (c >= 0) this.table.tHead.rows[0].cells[c + 1].classList.add("is-cursor");
    if (!focus) return;
    cell.focus();
    // Inside a bar over several days the focus stays on the same cell: say the day.
    if (sameCell && c >= 0 && this.live) {
      this.live.textContent = this.table.tHead.rows[0].cells[c + 1].getAttribute("aria-label");
    }
  };

  Grid.prototype.open = function () {
    var cell = this.cellAt(this.row, this.col);
    if (!cell) return;
    var link = cell.querySelector("a[href]");
    if (link) {
      link.click();
      return;
    }
    var pick = cell.querySelector(".day-pick");
    if (pick && window.icalbridge) {
      var day = pick.dataset.date;
      window.icalbridge.openBookingDialog(
        this.table.dataset.createUrl + "?start=" + day + "&end=" + addDays(day, 1)
      );
    }
  };

  Grid.prototype.otherMonth = function (which) {
    var link = document.querySelector("[data-month-link='" + which + "']");
    if (!link || this.col < 0) return;
    var target = new URL(link.href, window.location.href);
    var month = target.searchParams.get("month");
    var day = Math.min(+this.days[this.col].slice(8), daysInMonth(month));
    target.searchParams.set("focus", month + "-" + String(day).padStart(2, "0"));
    target.searchParams.set("row", String(this.row));
    window.location.href = target.toString();
  };

  Grid.prototype.onKey = function (event) {
    var last = this.days.length - 1;
    var moves = {
      ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0],
    };
    if (moves[event.key]) {
      this.place(this.row + moves[event.key][0], this.col + moves[event.key][1], true);
    } else if (event.key === "Home") {
      this.place(this.row, 0, true);
    } else if (event.key === "End") {
      this.place(this.row, last, true);
    } else if (event.key === "PageUp" || event.key === "PageDown") {
      this.otherMonth(event.key === "PageUp" ? "prev" : "next");
    } else if (event.key === "Enter") {
      this.open();
    } else if (event.key === " ") {
      var pick = this.cellAt(this.row, this.col);
      pick = pick && pick.querySelector(".day-pick");
      if (!pick) return;
      pick.click();  // the first or the last night of a range, as with the mouse
    } else {
      return;
    }
    event.preventDefault();
  };

  // Where the grid's Tab stop starts: the day asked for (after PageUp/PageDown), else today.
  Grid.prototype.start = function () {
    var params = new URLSearchParams(window.location.search);
    var asked = params.get("focus");
    var today = this.table.querySelector(".dayhead.is-today");
    var day = asked || (today && today.dataset.date) || this.days[0];
    var col = Math.max(0, this.days.indexOf(day));
    var row = Math.min(+(params.get("row") || 0), this.rows.length - 1);
    this.place(row, col, Boolean(asked));
    // On a phone a few days show at once: scroll today's column (or the asked one) into view.
    var scroller = this.table.closest(".grid-scroll");
    var head = this.table.tHead.rows[0].cells;
    if (scroller && col > 0) scroller.scrollLeft = head[col + 1].offsetLeft - head[0].offsetWidth;
  };

  function setUp(table) {
    if (table.dataset.keys === "on" || !table.tBodies.length) return;
    table.dataset.keys = "on";
    var grid = new Grid(table);
    // Set here, not in the page: without this script every day stays its own Tab stop.
    grid.rows.forEach(function (row) {
      Array.prototype.forEach.call(row.cells, function (cell) { cell.setAttribute("tabindex", "-1"); });
      row.querySelectorAll("a, button").forEach(function (el) { el.setAttribute("tabindex", "-1"); });
    });
    grid.start();
    table.addEventListener("keydown", function (event) { grid.onKey(event); });
    // A click moves the Tab stop too, so that the keys go on from where the mouse was.
    table.addEventListener("focusin", function (event) {
      var cell = event.target.closest("td, th[scope=row]");
      if (!cell) return;
      var r = grid.rows.indexOf(cell.parentElement);
      if (r < 0) return;
      var c = cell.tagName === "TH" ? -1 : grid.days.indexOf(cell.dataset.first);
      var inside = c >= 0 && grid.row === r && grid.cellAt(r, grid.col) === cell;
      grid.place(r, inside ? grid.col : c, false);
    });
  }

  function setUpAll(root) {
    (root || document).querySelectorAll("table[data-grid]").forEach(setUp);
  }
  document.addEventListener("DOMContentLoaded", function () { setUpAll(); });
})();

// Week and day views: bookings placed on their hours, and the grid as one keyboard stop.
// Tab reaches the grid once; the arrow keys move between hours and days (or units);
// Enter opens what the cell holds: the booking, a choice when several share it, else the
// booking form filled with that hour. Page Up and Page Down change the period.
(function () {
  "use strict";

  // Positions come as data attributes: the CSP forbids style attributes, not CSSOM.
  function placeBlocks(grid) {
    grid.style.setProperty("--columns", grid.dataset.columns || "1");
    grid.querySelectorAll(".tblock").forEach(function (block) {
      ["top", "length", "lane", "lanes"].forEach(function (name) {
        block.style.setProperty("--" + name, block.dataset[name]);
      });
    });
  }

  function matrix(grid) {
    return Array.prototype.map.call(grid.tBodies[0].rows, function (tr) {
      return Array.prototype.filter.call(tr.cells, function (cell) { return cell.tagName === "TD"; });
    });
  }

  function positionOf(rows, cell) {
    for (var r = 0; r < rows.length; r++) {
      var c = rows[r].indexOf(cell);
      if (c >= 0) return { row: r, col: c };
    }
    return null;
  }

  function usable(cell) { return !!(cell && cell.hasAttribute("data-cell")); }

  function say(text) {
    var status = document.getElementById("agenda-status");
    if (!status) return;
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 30);
  }

  function focusCell(grid, cell) {
    grid.querySelectorAll("[data-cell][tabindex='0']").forEach(function (old) {
      if (old !== cell) old.setAttribute("tabindex", "-1");
    });
    cell.setAttribute("tabindex", "0");
    cell.focus();
    cell.scrollIntoView({ block: "nearest", inline: "nearest" });
  }

  // The nearest usable cell of a column, from a row outward: a day without 02:00 skips it.
  function nearestInColumn(rows, row, col) {
    for (var d = 0; d < rows.length; d++) {
      if (rows[row - d] && usable(rows[row - d][col])) return rows[row - d][col];
      if (rows[row + d] && usable(rows[row + d][col])) return rows[row + d][col];
    }
    return null;
  }

  // The same place in the previous or next period: the server focuses the cell it names.
  function goToPeriod(grid, forward, cell, pos, rows, edge) {
    var target = forward ? grid.dataset.next : grid.dataset.prev;
    var spot;
    if (grid.dataset.kind === "plan") {
      var row = edge ? (forward ? 0 : rows.length - 1) : pos.row;
      spot = row + "-" + pos.col;
    } else {
      var columns = rows[0].length;
      var col = edge ? (forward ? 0 : columns - 1) : pos.col;
      spot = col + "-" + (cell.dataset.hour || "00:00");
    }
    window.location.href = target + "&cell=" + encodeURIComponent(spot);
  }

  function move(grid, cell, key) {
    var rows = matrix(grid);
    var pos = positionOf(rows, cell);
    if (!pos) return;
    var cross = grid.dataset.cross;
    var target = null;
    if (key === "ArrowUp" || key === "ArrowDown") {
      var step = key === "ArrowUp" ? -1 : 1;
      for (var r = pos.row + step; r >= 0 && r < rows.length; r += step) {
        if (usable(rows[r][pos.col])) { target = rows[r][pos.col]; break; }
      }
      if (!target && cross === "rows") return goToPeriod(grid, step > 0, cell, pos, rows, true);
    } else if (key === "ArrowLeft" || key === "ArrowRight") {
      var col = pos.col + (key === "ArrowLeft" ? -1 : 1);
      if (col < 0 || col >= rows[pos.row].length) {
        if (cross === "columns") return goToPeriod(grid, col >= 0, cell, pos, rows, true);
        return;
      }
      target = nearestInColumn(rows, pos.row, col);
    } else if (key === "Home" || key === "End") {
      target = nearestInColumn(rows, pos.row, key === "Home" ? 0 : rows[pos.row].length - 1);
    } else if (key === "PageUp" || key === "PageDown") {
      return goToPeriod(grid, key === "PageDown", cell, pos, rows, false);
    }
    if (target) focusCell(grid, target);
  }

  // After a change, come back to this very cell: the page it returns to focuses it.
  function withSpot(url, grid, cell) {
    var rows = matrix(grid);
    var pos = positionOf(rows, cell);
    if (!pos) return url;
    var spot = grid.dataset.kind === "plan" ? pos.row + "-" + pos.col : pos.col + "-" + (cell.dataset.hour || "00:00");
    var link = new URL(url, window.location.href);
    var back = link.searchParams.get("next");
    if (!back) return url;
    var page = new URL(back, window.location.href);
    page.searchParams.set("cell", spot);
    link.searchParams.set("next", page.pathname + page.search);
    return link.pathname + link.search;
  }

  function openForm(url) {
    if (window.icalbridge) window.icalbridge.openBookingDialog(url);
    else window.location.href = url;
  }

  function bookingLinks(grid, cell) {
    return (cell.dataset.covered || "").split(" ").filter(Boolean).map(function (id) {
      return grid.querySelector("a[data-booking='" + id + "']");
    }).filter(Boolean);
  }

  function choose(grid, cell, links) {
    var dialog = document.getElementById("slot-dialog");
    var list = document.getElementById("slot-dialog-list");
    document.getElementById("slot-dialog-title").textContent = cell.dataset.where || "";
    list.textContent = "";
    links.forEach(function (link) {
      var item = document.createElement("li");
      var a = document.createElement("a");
      a.href = withSpot(link.getAttribute("href"), grid, cell);
      a.className = "chip " + link.className.replace(/\b(chip|tblock)\b/g, "");
      a.textContent = link.getAttribute("title");
      item.appendChild(a);
      list.appendChild(item);
    });
    if (cell.dataset.add) {
      var add = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "outline";
      button.textContent = dialog.dataset.addText;
      button.addEventListener("click", function () {
        dialog.close();
        openForm(withSpot(cell.dataset.add, grid, cell));
      });
      add.appendChild(button);
      list.appendChild(add);
    }
    if (cell.dataset.day) {
      var day = document.createElement("li");
      var open = document.createElement("a");
      open.href = cell.dataset.day;
      open.textContent = dialog.dataset.dayText;
      day.appendChild(open);
      list.appendChild(day);
    }
    dialog.showModal();
    var first = list.querySelector("a, button");
    if (first) first.focus();
  }

  function activate(grid, cell) {
    var links = bookingLinks(grid, cell);
    if (links.length === 1 && !cell.dataset.day) {
      window.location.href = withSpot(links[0].getAttribute("href"), grid, cell);
    } else if (links.length > 0) {
      choose(grid, cell, links);
    } else if (cell.dataset.add) {
      openForm(withSpot(cell.dataset.add, grid, cell));
    } else if (grid.dataset.readOnly) {
      say(grid.dataset.readOnly);
    }
  }

  function setUp(grid) {
    placeBlocks(grid);
    var active = grid.querySelector("[data-cell][tabindex='0']") || grid.querySelector("[data-cell]");
    if (!active) return;
    active.setAttribute("tabindex", "0");
    if (grid.hasAttribute("data-focus-now")) focusCell(grid, active);
    grid.addEventListener("keydown", function (event) {
      var cell = event.target.closest && event.target.closest("[data-cell]");
      if (!cell || event.altKey || event.ctrlKey || event.metaKey) return;
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        activate(grid, cell);
      } else if (/^(Arrow(Up|Down|Left|Right)|Home|End|Page(Up|Down))$/.test(event.key)) {
        event.preventDefault();
        move(grid, cell, event.key);
      }
    });
    grid.addEventListener("click", function (event) {
      if (event.target.closest("a")) return;
      var cell = event.target.closest("[data-cell]");
      if (!cell) return;
      focusCell(grid, cell);
      activate(grid, cell);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("table[data-agenda-grid]").forEach(setUp);
  });
})();

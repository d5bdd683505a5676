// Day-range picking on the unit grid, copy buttons, confirmations, the channel form's
// import-only fields. The grid's keys are in grid_keys.js.
(function () {
  "use strict";

  function openBookingDialog(url) {
    var dialog = document.getElementById("booking-dialog");
    var body = document.getElementById("booking-dialog-body");
    if (!dialog || !body || !window.htmx || !dialog.showModal) {
      window.location.href = url;
      return;
    }
    window.htmx.ajax("GET", url, { target: body, swap: "innerHTML" }).then(function () {
      dialog.showModal();
      var first = body.querySelector("input:checked") || body.querySelector("input:not([type=hidden]), select, textarea");
      if (first) first.focus();
    });
  }
  // The week and day views open the same form (agenda_views.js).
  window.icalbridge = { openBookingDialog: openBookingDialog };

  // For grid_keys.js: Enter on a free day opens the same dialog.
  window.icalbridge = { openBookingDialog: openBookingDialog };

  function nextDay(iso) {
    var d = new Date(iso + "T12:00:00Z");
    d.setUTCDate(d.getUTCDate() + 1);
    return d.toISOString().slice(0, 10);
  }

  var picked = null;
  document.addEventListener("click", function (event) {
    var target = event.target;
    var pick = target.closest && target.closest(".day-pick");
    if (pick) {
      var table = pick.closest("table.month-grid");
      var hint = document.getElementById("pick-hint");
      if (picked === null) {
        picked = pick;
        pick.setAttribute("aria-pressed", "true");
        pick.closest("td").classList.add("is-picked");
        if (hint && hint.dataset.second) {
          hint.dataset.first = hint.dataset.first || hint.textContent;
          hint.textContent = hint.dataset.second;
        }
        return;
      }
      var a = picked.dataset.date, b = pick.dataset.date;
      var start = a < b ? a : b, last = a < b ? b : a;
      picked.removeAttribute("aria-pressed");
      picked.closest("td").classList.remove("is-picked");
      picked = null;
      if (hint && hint.dataset.first) hint.textContent = hint.dataset.first;
      openBookingDialog(table.dataset.createUrl + "?start=" + start + "&end=" + nextDay(last));
      return;
    }
    var closer = target.closest && target.closest("[data-close-dialog]");
    if (closer) {
      var dialog = closer.closest("dialog");
      if (dialog) { event.preventDefault(); dialog.close(); }
      return;
    }
    var copy = target.closest && target.closest("[data-copy]");
    if (copy) {
      var input = document.querySelector(copy.dataset.copy);
      if (!input) return;
      input.select();
      var done = function () {
        var old = copy.textContent;
        copy.textContent = copy.dataset.copied || "✓";
        setTimeout(function () { copy.textContent = old; }, 1600);
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(done, function () { document.execCommand("copy"); done(); });
      } else {
        document.execCommand("copy");
        done();
      }
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && picked) {
      picked.removeAttribute("aria-pressed");
      picked.closest("td").classList.remove("is-picked");
      picked = null;
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });

  function syncChannelForm(root) {
    (root || document).querySelectorAll("form.channel-form").forEach(function (form) {
      var dir = form.querySelector("input[name=direction]:checked");
      var importing = !dir || dir.value !== "export";
      form.querySelectorAll("[data-import-only]").forEach(function (el) { el.hidden = !importing; });
    });
  }
  // The grid's width follows its day count; set here because the CSP forbids style attributes.
  function sizeGrids(root) {
    (root || document).querySelectorAll("table.month-grid[data-days]").forEach(function (table) {
      table.style.setProperty("--days", table.dataset.days);
    });
  }
  document.addEventListener("change", function () { syncChannelForm(); });
  document.addEventListener("DOMContentLoaded", function () { syncChannelForm(); sizeGrids(); });
  document.addEventListener("htmx:afterSwap", function (event) {
    syncChannelForm(event.target);
    sizeGrids(event.target);
  });
})();

// What each gesture on the Codes tab does, through the fast path: a grid's clicks (grid.js
// announces them as distill-grid-click), the bar over grid A (transport, undo and redo, swap,
// blend sliders) and the keyboard (space bar: play or stop; Ctrl+Z, Ctrl+Y, Ctrl+Shift+Z:
// undo and redo). Marks the playing level and the clicked column. window.distillGestures.
(function () {
  "use strict";
  if (window.distillGestures) return;
  var dragging = null;  // the blend slider ("selection" or "whole") a pointer holds
  var typed = null;     // a typed code shown before the app confirmed it: {cell, text, cls}

  function fast() { return window.distillFast; }
  function audio() { return window.distillAudio; }
  function $(id) { return document.getElementById(id); }

  // ---- the grids ---------------------------------------------------------------------

  function markColumn(root, column) {
    document.querySelectorAll(".distill-grid .cg-col.clicked").forEach(function (c) {
      c.classList.remove("clicked");
    });
    var header = root && root.querySelector('.cg-col[data-p="' + column + '"]');
    if (header) header.classList.add("clicked");
  }

  // A typed code shows at once when the model has it (the grid knows K); the app's answer
  // confirms it, or puts the old code back and says why.
  function showTyped(root, level, column, code) {
    var cell = fast().cellAt(root, level, column);
    if (!cell || !(code >= 0 && code < +root.dataset.codebookSize)) return;
    typed = {cell: cell, text: cell.textContent, cls: cell.className};
    cell.textContent = String(code);
    cell.className = cell.className.replace(/\bc(\d+|n)\b/, "c" + code).replace(
      /^code-cell (?!edited)/, "code-cell edited ");
  }

  function gridGesture(event) {
    var payload = String(event.detail), side = "a", root = event.target;
    if (payload.slice(0, 2) === "b:") { side = "b"; payload = payload.slice(2); }
    var parts = payload.split(","), kind = parts[0], n = parts.slice(1).map(Number);
    var now = performance.now();
    if (kind === "cell") { markColumn(root, n[1]); return fast().preview(side, "cell", n[0], n[1], now); }
    if (kind === "col") { markColumn(root, n[0]); return fast().preview(side, "col", null, n[0], now); }
    if (kind === "row") {
      var playing = audio().playing();
      if (playing && playing.kind === "row" && playing.side === side && playing.level === n[0]) {
        return audio().stop("pressed");
      }
      return fast().playLevel(side, n[0], now);
    }
    if (kind === "mute" || kind === "solo") {
      if (side === "b") return fast().say("M and S shape what A's Play and Decode let you hear.");
      return fast().edit({op: kind, level: n[0]});
    }
    if (kind === "set") {
      showTyped(root, n[0], n[1], n[2]);
      return fast().edit({op: "set", side: side, level: n[0], column: n[1], code: n[2]}).then(
        function (answer) {
          if (typed && (!answer || !answer.ok)) {
            typed.cell.textContent = typed.text;
            typed.cell.className = typed.cls;
          }
          typed = null;
        });
    }
    if (kind === "select") {
      return fast().edit({op: "select", side: side, level: n[0], column: n[1],
        last_level: n[2], last_column: n[3]});
    }
  }
  document.addEventListener("distill-grid-click", gridGesture);

  // The pointer resting on a code (or a column's header) of grid A or B fetches its preview
  // ahead of the click that usually follows (fast.js plays it from there); a pointer
  // sweeping across the grid fetches nothing. A press fetches it at once: the click comes
  // with the release, ~0.1 s later (and a touch has no resting pointer).
  var REST_MS = 40, resting = null;

  function fetchAhead(event, wait) {
    clearTimeout(resting);
    var target = event.target.closest && event.target.closest(".code-cell,.cg-col");
    var root = target && target.closest(".distill-grid");
    if (!root || !root.closest("#codes-grid,#codes-grid-b")) return fast().prefetch(null);
    var side = root.dataset.grid === "b" ? "b" : "a", column = +target.dataset.p;
    var level = target.classList.contains("cg-col") ? null : +target.parentNode.dataset.l;
    if (level !== null && !/^\d+$/.test(target.textContent)) return;  // a silent cell
    var kind = level === null ? "col" : "cell";
    resting = setTimeout(function () { fast().prefetch(side, kind, level, column); }, wait);
  }
  document.addEventListener("pointerover", function (event) { fetchAhead(event, REST_MS); });
  document.addEventListener("pointerdown", function (event) { fetchAhead(event, 0); });

  // The playing level's label and Play button; the transport's button and clock.
  audio().listen(function (kind, detail) {
    if (kind === "time" && detail.kind === "transport") {
      var clock = $("transport-time");
      if (clock) clock.textContent = clockText(detail.seconds);
      return;
    }
    if (kind !== "start" && kind !== "stop") return;
    var on = kind === "start";
    if (detail.kind === "row") {
      var root = fast().grid(detail.side);
      var label = root && root.querySelector('.cg-label[data-l="' + detail.level + '"]');
      if (label) {
        label.classList.toggle("playing", on);
        label.querySelector(".cg-play").innerHTML = on ? "&#9632; Stop" : "&#9654; Play";
      }
    }
    if (detail.kind === "transport") {
      var play = $("transport-play");
      if (play) play.setAttribute("aria-pressed", String(on));
    }
  });

  function clockText(seconds) {
    var minutes = Math.floor(seconds / 60);
    var rest = (seconds - minutes * 60).toFixed(2);
    return minutes + ":" + (rest < 10 ? "0" : "") + rest;
  }

  // ---- the bar over grid A --------------------------------------------------------------

  function transportPlaying() {
    var playing = audio().playing();
    return playing && playing.kind === "transport";
  }

  function toggleTransport() {
    if (transportPlaying()) return audio().stop("pressed");
    var range = $("transport-range"), loop = $("transport-loop");
    return fast().playGrid(range ? range.value : "file", !!(loop && loop.checked), performance.now());
  }

  function blendKind(element) {
    var holder = element.closest && element.closest("#edit-blend-selection,#edit-blend-whole");
    return holder ? (holder.id === "edit-blend-selection" ? "selection" : "whole") : null;
  }

  function showAmount(input) {
    var output = input.parentNode.querySelector("output");
    if (output) output.textContent = Math.round(input.value * 100) + "%";
  }

  function blend(input, commit) {
    showAmount(input);
    return fast().edit({op: "blend", kind: blendKind(input), amount: +input.value, commit: commit});
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button");
    if (!button || button.disabled) return;
    if (button.id === "edit-undo") fast().edit({op: "undo"});
    else if (button.id === "edit-redo") fast().edit({op: "redo"});
    else if (button.id === "edit-swap") {
      var at = $("edit-swap-at");
      fast().edit({op: "swap", at: at ? at.value : ""});
    } else if (button.id === "transport-play") toggleTransport();
    else if (button.id === "transport-stop") audio().stop("pressed");
  });
  document.addEventListener("input", function (event) {
    if (event.target.type === "range" && blendKind(event.target)) blend(event.target, false);
  });
  document.addEventListener("change", function (event) {
    if (event.target.type === "range" && blendKind(event.target)) blend(event.target, true);
    if (event.target.id === "transport-loop") audio().setLoop(event.target.checked);
  });
  document.addEventListener("pointerdown", function (event) {
    if (event.target.type === "range") dragging = blendKind(event.target);
  });
  document.addEventListener("pointerup", function () { dragging = null; });

  // An answer's view of the bar: history, what can be undone, where the sliders stand.
  function showBar(view) {
    var bar = document.querySelector(".distill-toolbar");
    if (!bar) return;
    bar.dataset.version = bar.dataset.settled = view.version;
    $("edit-history").textContent = view.history;
    $("edit-undo").disabled = !view.can_undo;
    $("edit-redo").disabled = !view.can_redo;
    var b = view.has_grid && view.has_b;
    $("edit-swap").disabled = !b;
    $("edit-swap-at").disabled = !b;
    $("transport-play").disabled = $("transport-stop").disabled = !view.has_grid;
    var range = $("transport-range");
    range.querySelector('option[value="selection"]').disabled = !view.has_selection;
    if (!view.has_selection && range.value === "selection") range.value = "file";
    [["selection", view.blend_selection], ["whole", view.blend_whole]].forEach(function (pair) {
      var input = document.querySelector("#edit-blend-" + pair[0] + " input");
      input.disabled = !b;
      input.setAttribute("value", pair[1]);
      if (dragging !== pair[0]) {
        input.value = pair[1];
        showAmount(input);
      }
    });
  }

  // The bar drawn anew by the app (a file opened): Gradio may keep the old elements and
  // change their attributes, so the sliders' positions are taken from them again.
  function settleBar() {
    var bar = document.querySelector(".distill-toolbar");
    if (!bar || bar.dataset.settled === bar.dataset.version) return;
    bar.dataset.settled = bar.dataset.version;
    bar.querySelectorAll("input[type=range]").forEach(function (input) {
      input.value = input.getAttribute("value");
      showAmount(input);
    });
  }
  function watchBar() {
    new MutationObserver(settleBar).observe(document.body,
      {subtree: true, childList: true, attributes: true, attributeFilter: ["data-version"]});
  }
  if (document.body) watchBar(); else document.addEventListener("DOMContentLoaded", watchBar);

  // ---- the keyboard -----------------------------------------------------------------

  function typing(target) {
    if (!target) return false;
    if (target.isContentEditable || target.tagName === "TEXTAREA") return true;
    return target.tagName === "INPUT" && !/^(range|checkbox|radio|button)$/.test(target.type);
  }

  document.addEventListener("keydown", function (event) {
    if (typing(event.target) || event.altKey) return;
    var key = event.key.toLowerCase();
    if (event.ctrlKey || event.metaKey) {
      var op = key === "z" && !event.shiftKey ? "undo" :
        (key === "y" || (key === "z" && event.shiftKey)) ? "redo" : null;
      if (!op || !fast().grid("a")) return;
      event.preventDefault();
      fast().edit({op: op});
      return;
    }
    if (key === " " && !/^(BUTTON|SELECT)$/.test(event.target.tagName) &&
        event.target.type !== "checkbox" && fast().grid("a")) {
      event.preventDefault();
      toggleTransport();
    }
  });

  window.distillGestures = {showBar: showBar, toggleTransport: toggleTransport,
    clockText: clockText};
})();

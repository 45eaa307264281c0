// The code grid's behaviour: clicks and the playhead. Defines window.distillGrid. Loaded in
// the app's <head> and at the end of the standalone page (distill encode --html).
//
// Time axis: column p starts at p x seconds-per-column (the model's, data-seconds-per-column
// on the grid root), so a time t sits at t / seconds-per-column columns from the left,
// whatever the file's length; the last column usually sounds only in part.
(function () {
  "use strict";
  if (window.distillGrid) return;
  var followers = [];

  function grids(target) {
    var root = target || document;
    if (typeof root === "string") root = document.querySelectorAll(root);
    else if (root.classList && root.classList.contains("distill-grid")) return [root];
    else root = root.querySelectorAll(".distill-grid");
    return Array.prototype.slice.call(root);
  }

  function geometry(grid) {
    var columns = parseInt(grid.dataset.columns, 10) || 0;
    var colWidth = parseFloat(grid.dataset.colWidth) || 0;
    return {
      duration: parseFloat(grid.dataset.duration) || 0,
      secondsPerColumn: parseFloat(grid.dataset.secondsPerColumn) || 0,
      colWidth: colWidth,
      width: columns * colWidth,
      label: parseFloat(grid.dataset.labelWidth) || 0
    };
  }

  // x in pixels of time `seconds` on the grid's time axis, within the grid.
  function timeToX(grid, seconds) {
    var geo = geometry(grid);
    var t = Math.min(Math.max(Number(seconds) || 0, 0), geo.duration);
    return Math.min(t / geo.secondsPerColumn * geo.colWidth, geo.width);
  }

  // Scroll the grid so the playhead stays in the visible data area (right of the labels).
  function keepInView(grid, x) {
    var box = grid.querySelector(".cg-scroll");
    if (!box) return;
    var visible = box.clientWidth - geometry(grid).label;
    if (visible <= 0) return;
    if (x < box.scrollLeft || x > box.scrollLeft + visible - 8) {
      box.scrollLeft = Math.max(0, x - visible * 0.25);
    }
  }

  function setPlayheadTime(seconds, target) {
    grids(target).forEach(function (grid) {
      var line = grid.querySelector(".playhead-line");
      var geo = geometry(grid);
      if (!line || !(geo.duration > 0) || !(geo.secondsPerColumn > 0)) return;
      var x = timeToX(grid, seconds);
      line.classList.remove("playing");
      line.classList.add("active");
      line.style.left = x + "px";
      keepInView(grid, x);
    });
  }

  function hidePlayhead(target) {
    grids(target).forEach(function (grid) {
      var line = grid.querySelector(".playhead-line");
      if (line) line.classList.remove("active", "playing");
    });
  }

  // The plan's CSS-animation fallback: a blind sweep over durationSec seconds.
  function startPlayhead(durationSec, target) {
    grids(target).forEach(function (grid) {
      var line = grid.querySelector(".playhead-line");
      if (!line) return;
      var seconds = durationSec > 0 ? durationSec : geometry(grid).duration;
      line.classList.remove("playing", "active");
      line.style.left = "";
      line.style.setProperty("--duration", seconds + "s");
      void line.offsetWidth;  // restart the animation even if it ran before
      line.classList.add("playing");
    });
  }

  function stopPlayhead(target) {
    followers.forEach(function (f) { f.cancel(); });
    hidePlayhead(target);
  }

  // The real mechanism: follow audioEl.currentTime every frame while it plays; freeze on
  // pause, follow seeks while paused, hide when playback ends. Returns a detach function,
  // also kept as audio.distillGridDetach (following the same element again replaces it).
  function followAudio(audio, target) {
    if (!audio) return function () {};
    if (audio.distillGridDetach) audio.distillGridDetach();
    var raf = 0;
    function cancel() { if (raf) cancelAnimationFrame(raf); raf = 0; }
    function frame() {
      setPlayheadTime(audio.currentTime, target);
      raf = (audio.paused || audio.ended) ? 0 : requestAnimationFrame(frame);
    }
    function onPlay() { if (!raf) raf = requestAnimationFrame(frame); }
    function onPause() { cancel(); setPlayheadTime(audio.currentTime, target); }
    // At the end the line is put where the sound ended, then hidden: its last position is
    // the end of the sound, not the end of the last (partly silent) column.
    function onEnded() {
      cancel();
      setPlayheadTime(audio.duration || audio.currentTime, target);
      hidePlayhead(target);
    }
    function onSeeked() { if (audio.paused) setPlayheadTime(audio.currentTime, target); }
    var handlers = {
      play: onPlay, playing: onPlay, pause: onPause, ended: onEnded, seeked: onSeeked
    };
    Object.keys(handlers).forEach(function (k) { audio.addEventListener(k, handlers[k]); });
    var follower = {cancel: cancel};
    followers.push(follower);
    function detach() {
      cancel();
      Object.keys(handlers).forEach(function (k) { audio.removeEventListener(k, handlers[k]); });
      followers = followers.filter(function (f) { return f !== follower; });
      delete audio.distillGridDetach;
    }
    audio.distillGridDetach = detach;
    if (!audio.paused && !audio.ended) onPlay();
    return detach;
  }

  // Feed a gesture's payload to the app's hidden textbox (id in data-click-target) through
  // the native value setter, so Svelte sees the change, with an increasing "@nonce" so that
  // repeating a gesture still fires; the second grid's payloads start with "b:". Also
  // announced as a DOM event (the standalone page listens to it).
  function send(grid, payload) {
    if (grid.dataset.grid === "b") payload = "b:" + payload;
    var root = grid.getRootNode(), scope = root.getElementById ? root : document;
    var holder = grid.dataset.clickTarget && scope.getElementById(grid.dataset.clickTarget);
    var box = holder && (holder.matches("textarea,input") ? holder :
      holder.querySelector("textarea,input"));
    if (box) {
      window.distillGridNonce = Math.max(Date.now(), (window.distillGridNonce || 0) + 1);
      var proto = (box instanceof HTMLTextAreaElement ? HTMLTextAreaElement : HTMLInputElement)
        .prototype;
      Object.getOwnPropertyDescriptor(proto, "value").set.call(
        box, payload + "@" + window.distillGridNonce);
      box.dispatchEvent(new Event("input", {bubbles: true}));
    }
    grid.dispatchEvent(new CustomEvent("distill-grid-click", {detail: payload, bubbles: true}));
  }

  function cellAt(grid, element) {
    var cell = element && element.closest && element.closest(".code-cell");
    if (!cell || !grid.contains(cell)) return null;
    return {cell: cell, level: +cell.parentNode.dataset.l, position: +cell.dataset.p};
  }

  // The grid root's onclick (inline attributes run when Gradio inserts the HTML through
  // innerHTML; <script> tags do not): a cell is highlighted at once and plays, a column
  // header plays that moment, a row's buttons play, mute or solo that level. The second
  // click of a double-click sends nothing (a double-click edits; it does not play again),
  // nor does the click that ends a drag.
  function click(grid, event) {
    var element = event.target.closest(".code-cell,.cg-col,.cg-play,.cg-mute,.cg-solo");
    if (!element || !grid.contains(element) || event.detail > 1) return;
    if (grid.distillDragged) { grid.distillDragged = false; return; }
    var classes = element.classList, level = element.dataset.l;
    if (classes.contains("cg-play")) return send(grid, "row," + level);
    if (classes.contains("cg-mute")) return send(grid, "mute," + level);
    if (classes.contains("cg-solo")) return send(grid, "solo," + level);
    if (classes.contains("cg-col")) return send(grid, "col," + element.dataset.p);
    var at = cellAt(grid, element);
    grid.querySelectorAll(".code-cell.selected").forEach(function (s) {
      s.classList.remove("selected");
    });
    classes.add("selected");
    send(grid, "cell," + at.level + "," + at.position);
  }

  // Double-click a cell: type a new code in place; Enter sends "set,L,P,K" (Python accepts
  // only codes 0..K-1 and says so otherwise; anything but digits is sent as an out-of-range
  // code so that the message is the same), Escape or leaving the cell cancels.
  function editCell(grid, at) {
    if (at.cell.querySelector("input")) return;
    var input = document.createElement("input");
    input.type = "text";
    input.inputMode = "numeric";
    input.className = "cg-edit";
    var original = at.cell.textContent;
    input.value = original;
    input.setAttribute("aria-label", "New code for level " + (at.level + 1) + ", column " +
      at.position);
    at.cell.textContent = "";
    at.cell.appendChild(input);
    input.focus();
    input.select();
    var done = false;
    function finish(commit) {
      if (done) return;
      done = true;
      var value = input.value.trim();
      input.remove();
      at.cell.textContent = original;  // the app redraws the grid if it takes the new code
      if (commit) send(grid, "set," + at.level + "," + at.position + "," +
        (/^[0-9]{1,9}$/.test(value) ? value : "999999999"));
    }
    input.addEventListener("keydown", function (event) {
      event.stopPropagation();
      if (event.key === "Enter") finish(true);
      else if (event.key === "Escape") finish(false);
    });
    input.addEventListener("blur", function () { finish(false); });
    input.addEventListener("click", function (event) { event.stopPropagation(); });
  }

  // Drag a rectangle (time x levels) over cells: it is drawn as it grows and sent as
  // "select,L1,P1,L2,P2" when the mouse is released over another cell than it started on.
  var drag = null;
  function paintSelection(grid, from, to) {
    var lo = Math.min(from.level, to.level), hi = Math.max(from.level, to.level);
    var first = Math.min(from.position, to.position), last = Math.max(from.position, to.position);
    grid.querySelectorAll(".code-cell.in-selection").forEach(function (c) {
      c.classList.remove("in-selection");
    });
    for (var level = lo; level <= hi; level++) {
      var row = grid.querySelectorAll('.cg-row[data-l="' + level + '"] .code-cell');
      row.forEach(function (c) {
        var p = +c.dataset.p;
        if (p >= first && p <= last) c.classList.add("in-selection");
      });
    }
  }
  document.addEventListener("mousedown", function (event) {
    var grid = event.target.closest && event.target.closest(".distill-grid");
    var at = grid && event.button === 0 && cellAt(grid, event.target);
    if (grid) grid.distillDragged = false;
    drag = at ? {grid: grid, from: at, to: at} : null;
  });
  document.addEventListener("mouseover", function (event) {
    if (!drag || !(event.buttons & 1)) return;
    var at = cellAt(drag.grid, event.target);
    if (!at || (at.level === drag.to.level && at.position === drag.to.position)) return;
    drag.to = at;
    paintSelection(drag.grid, drag.from, at);
  });
  document.addEventListener("mouseup", function () {
    if (!drag) return;
    var d = drag;
    drag = null;
    if (d.from.level === d.to.level && d.from.position === d.to.position) return;
    d.grid.distillDragged = true;  // the click that ends the drag does not play
    send(d.grid, "select," + d.from.level + "," + d.from.position + "," + d.to.level + "," +
      d.to.position);
  });
  document.addEventListener("dblclick", function (event) {
    var grid = event.target.closest && event.target.closest(".distill-grid");
    var at = grid && cellAt(grid, event.target);
    if (at && grid.dataset.editable === "true") editCell(grid, at);
  });

  window.distillGrid = {
    click: click,
    send: send,
    timeToX: timeToX,
    startPlayhead: startPlayhead,
    stopPlayhead: stopPlayhead,
    setPlayheadTime: setPlayheadTime,
    followAudio: followAudio,
    hidePlayhead: hidePlayhead
  };
  window.startPlayhead = startPlayhead;
  window.stopPlayhead = stopPlayhead;
})();

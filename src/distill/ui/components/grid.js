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

  // The grid root's onclick (inline attributes run when Gradio inserts the HTML through
  // innerHTML; <script> tags do not): highlight a clicked cell at once, feed the payload
  // ("cell,L,P", "col,P" or "row,L", with an increasing "@nonce" so a second click on the
  // same cell still fires) to the app's hidden textbox (id in data-click-target) through
  // the native value setter, so Svelte sees the change, and announce it as a DOM event.
  function click(grid, event) {
    var element = event.target.closest(".code-cell,.cg-col,.cg-play");
    if (!element || !grid.contains(element)) return;
    var payload, classes = element.classList;
    if (classes.contains("cg-play")) payload = "row," + element.dataset.l;
    else if (classes.contains("cg-col")) payload = "col," + element.dataset.p;
    else {
      payload = "cell," + element.parentNode.dataset.l + "," + element.dataset.p;
      grid.querySelectorAll(".code-cell.selected").forEach(function (s) {
        s.classList.remove("selected");
      });
      classes.add("selected");
    }
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

  window.distillGrid = {
    click: click,
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

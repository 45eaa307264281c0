// Players whose playback the playhead follows: they share the grid's time axis (the original
// file, its reconstruction and one level alone all last as long as the encoded file). The
// short cell/column previews do not move the playhead. Gradio re-creates the players' <audio>
// elements when their values change, so a MutationObserver hooks each new one. Only one
// player sounds at a time: starting one pauses the others. The element ids come from
// window.distillPlayerIds, set by assets.py from the ids the Codes tab uses.
(function () {
  "use strict";
  var ids = window.distillPlayerIds || {};
  var FOLLOWED = ids.followed || [];
  var GRID = "#" + ids.grid + " .distill-grid";
  function hookPlayers() {
    if (!window.distillGrid) return;
    FOLLOWED.forEach(function (id) {
      document.querySelectorAll("#" + id + " audio").forEach(function (audio) {
        if (!audio.distillGridDetach) window.distillGrid.followAudio(audio, GRID);
      });
    });
  }
  var pending = false;
  function schedule() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(function () { pending = false; hookPlayers(); });
  }
  function start() {
    new MutationObserver(schedule).observe(document.body, {childList: true, subtree: true});
    schedule();
  }
  document.addEventListener("play", function (event) {
    var playing = event.target;
    if (!(playing instanceof HTMLMediaElement)) return;
    document.querySelectorAll("audio").forEach(function (other) {
      if (other !== playing && !other.paused) other.pause();
    });
  }, true);
  // Undo and redo from the keyboard: Ctrl+Z, Ctrl+Y and Ctrl+Shift+Z (Cmd on a Mac) press the
  // editor's buttons, unless a text field has the focus (it keeps its own undo).
  document.addEventListener("keydown", function (event) {
    if (!(event.ctrlKey || event.metaKey) || event.altKey) return;
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) {
      return;
    }
    var key = event.key.toLowerCase(), id = null;
    if (key === "z" && !event.shiftKey) id = ids.undo;
    else if (key === "y" || (key === "z" && event.shiftKey)) id = ids.redo;
    var button = id && document.getElementById(id);
    if (!button) return;
    event.preventDefault();
    button.click();
  });
  if (document.body) start(); else document.addEventListener("DOMContentLoaded", start);
})();

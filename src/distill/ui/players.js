// Players whose playback the playhead follows: they share the grid's time axis (the original
// file and its reconstructions last as long as the encoded file). Gradio re-creates the
// players' <audio> elements when their values change, so a MutationObserver hooks each new
// one. Only one sound at a time: starting a player pauses the others and stops the Web Audio
// sound (audio.js), which in turn pauses the players. The element ids come from
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
    if (window.distillAudio) window.distillAudio.stop("player");
  }, true);
  if (document.body) start(); else document.addEventListener("DOMContentLoaded", start);
})();

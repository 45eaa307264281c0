// The standalone grid page: no Python runs behind a file, so a click is described in the
// status line; a column click also moves the audio (if any) to that column's time.
(function () {
  "use strict";
  var status = document.getElementById("grid-status");
  var audio = document.getElementById("grid-audio");
  function columnTime(grid, position) {
    return position * parseFloat(grid.dataset.secondsPerColumn);
  }
  function levelName(grid, level) {
    var name = grid.querySelectorAll(".cg-name")[level];
    return name ? name.textContent : "level " + level;
  }
  function describe(grid, payload) {
    var parts = payload.split(","), kind = parts[0];
    if (kind === "row") {
      return levelName(grid, +parts[1]) + ": playing one level alone needs the Distill app.";
    }
    var position = +parts[parts.length - 1];
    var where = "column " + position + " (" + columnTime(grid, position).toFixed(2) + " s)";
    if (kind === "col") {
      if (audio) audio.currentTime = columnTime(grid, position);
      return where + ", all levels" + (audio ? "; audio moved here." : ".");
    }
    var cell = grid.querySelector(
      '.cg-row[data-l="' + parts[1] + '"] .code-cell[data-p="' + position + '"]');
    var code = cell ? cell.textContent : "";
    return levelName(grid, +parts[1]) + ", " + where + ": " + (code ? "code " + code : "no code");
  }
  document.addEventListener("distill-grid-click", function (event) {
    status.dataset.payload = event.detail;
    status.textContent = event.detail + " \u2014 " + describe(event.target, event.detail);
  });
  if (audio) window.distillGrid.followAudio(audio);
})();

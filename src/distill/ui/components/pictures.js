// The pictures over the code grid (pictures.py): the overview strip's window follows the
// grid's scroll, a click or drag on the strip jumps there, the Difference toggle swaps the
// reconstruction's row for the difference, and a redrawn grid (an edit, a finished decode)
// keeps the place it was scrolled to. Loaded in the app's <head>, after grid.js.
(function () {
  "use strict";
  if (window.distillPictures) return;
  var scrolled = {};  // which opened file (or "grid id:columns") -> its last scrollLeft

  // A redrawn grid of the same file goes back to where it was; another file starts at its
  // beginning (not where the last file's playhead left the scroll).
  function key(grid) { return grid.dataset.file || grid.dataset.grid + ":" + grid.dataset.columns; }
  function parts(grid) {
    return {
      box: grid.querySelector(".cg-scroll"),
      strip: grid.querySelector(".cg-overview"),
      frame: grid.querySelector(".cg-overview .cg-window"),
      dataWidth: (+grid.dataset.columns || 0) * (+grid.dataset.colWidth || 0),
      label: +grid.dataset.labelWidth || 0
    };
  }

  // The window on the strip: the visible part of the data area (right of the labels).
  function showWindow(grid) {
    var p = parts(grid);
    if (!p.box || !p.frame || !(p.dataWidth > 0)) return;
    var visible = Math.max(0, p.box.clientWidth - p.label);
    p.frame.style.left = (100 * p.box.scrollLeft / p.dataWidth) + "%";
    p.frame.style.width = (100 * Math.min(visible, p.dataWidth) / p.dataWidth) + "%";
    p.frame.style.minWidth = "4px";
  }

  // Centre the visible window on the strip's x (pixels from the strip's left).
  function jump(grid, x) {
    var p = parts(grid);
    if (!p.box || !p.strip || !(p.dataWidth > 0)) return;
    var visible = Math.max(0, p.box.clientWidth - p.label);
    var target = x / p.strip.clientWidth * p.dataWidth - visible / 2;
    p.box.scrollLeft = Math.max(0, Math.min(target, p.dataWidth - visible));
    showWindow(grid);
  }

  var dragging = null;
  function stripPoint(event) {
    var strip = event.target.closest && event.target.closest(".distill-grid .cg-overview");
    return strip && {grid: strip.closest(".distill-grid"), strip: strip};
  }
  document.addEventListener("mousedown", function (event) {
    var at = stripPoint(event);
    if (!at || event.button !== 0) return;
    event.preventDefault();
    dragging = at;
    jump(at.grid, event.clientX - at.strip.getBoundingClientRect().left);
  });
  document.addEventListener("mousemove", function (event) {
    if (!dragging || !(event.buttons & 1)) { dragging = null; return; }
    jump(dragging.grid, event.clientX - dragging.strip.getBoundingClientRect().left);
  });
  document.addEventListener("mouseup", function () { dragging = null; });

  document.addEventListener("scroll", function (event) {
    var box = event.target;
    if (!box.classList || !box.classList.contains("cg-scroll")) return;
    var grid = box.closest(".distill-grid");
    if (!grid) return;
    scrolled[key(grid)] = box.scrollLeft;
    showWindow(grid);
  }, true);

  function setDifference(on) {
    document.documentElement.classList.toggle("distill-difference", on);
    document.querySelectorAll(".distill-grid .cg-diff-toggle").forEach(function (button) {
      button.setAttribute("aria-pressed", String(on));
    });
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".distill-grid .cg-diff-toggle");
    if (button) setDifference(!document.documentElement.classList.contains("distill-difference"));
  });

  // A grid put into the page: back to where that grid was scrolled. (Gradio may also patch
  // a grid in place, which resets the window's style and the toggles' state: both are drawn
  // again after every change of the page.)
  function settle(grid) {
    showWindow(grid);
    var file = key(grid);
    if (grid.distillPicturesFile === file) return;
    // A new grid, or a grid element Gradio kept for another file: back to where that file
    // was (its start, the first time).
    grid.distillPicturesFile = file;
    var box = grid.querySelector(".cg-scroll");
    if (box) box.scrollLeft = scrolled[file] || 0;
    showWindow(grid);
    // The box may get its width only later (a tab shown, the window resized).
    if (box && window.ResizeObserver && !grid.distillPicturesObserved) {
      grid.distillPicturesObserved = true;
      new ResizeObserver(function () { showWindow(grid); }).observe(box);
    }
  }
  var pending = false;
  function schedule() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(function () {
      pending = false;
      document.querySelectorAll(".distill-grid").forEach(settle);
      setDifference(document.documentElement.classList.contains("distill-difference"));
    });
  }
  function start() {
    new MutationObserver(schedule).observe(document.body, {childList: true, subtree: true,
      attributes: true, attributeFilter: ["data-file"]});
    schedule();
  }
  window.distillPictures = {jump: jump, showWindow: showWindow, setDifference: setDifference};
  if (document.body) start(); else document.addEventListener("DOMContentLoaded", start);
})();

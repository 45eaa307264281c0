"""Static CSS and JavaScript for the code grid and its standalone page (no Python logic)."""

# Every rule is scoped under .distill-grid so the grid can sit inside any page (Gradio or a
# file) without leaking styles. Colours fall back to light defaults outside Gradio and follow
# Gradio's theme variables (dark mode included) inside it. The 20 code colour classes
# (.c0 .. .c19) are generated from matplotlib's tab20 in code_grid.py. Selectors that Gradio's
# own styles also reach (its `.prose button` and `.prose *` rules) are made more specific.
GRID_CSS = """
.distill-grid{--cg-bg:var(--block-background-fill,#fff);--cg-fg:var(--body-text-color,#1f2328);
--cg-muted:var(--body-text-color-subdued,#57606a);--cg-line:var(--border-color-primary,#d0d7de);
font-family:system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;color:var(--cg-fg)}
.distill-grid .cg-scroll{overflow-x:auto;overflow-y:hidden;max-width:100%;background:var(--cg-bg);
border:1px solid var(--cg-line);border-radius:6px}
.distill-grid .cg-body{display:flex;width:max-content}
.distill-grid .cg-labels{position:sticky;left:0;z-index:5;flex:0 0 var(--cg-label);
width:var(--cg-label);box-sizing:border-box;background:var(--cg-bg);
border-right:1px solid var(--cg-line);box-shadow:3px 0 4px -2px rgba(0,0,0,.18)}
.distill-grid .cg-labels .cg-corner{height:36px;box-sizing:border-box;padding:3px 6px;
font-size:10px;line-height:15px;color:var(--cg-muted);border-bottom:1px solid var(--cg-line)}
.distill-grid .cg-label{height:34px;box-sizing:border-box;padding:2px 6px;display:flex;
flex-direction:column;justify-content:center;gap:2px;border-bottom:1px solid var(--cg-line)}
.distill-grid .cg-label .cg-name{flex:none;font-size:11px;font-weight:600;line-height:13px;
white-space:nowrap;overflow:hidden;text-overflow:ellipsis;color:var(--cg-fg)}
.distill-grid .cg-labels .cg-label > button.cg-play{flex:none;align-self:flex-start;display:block;
appearance:none;width:auto;min-width:0;height:14px;margin:0;padding:0 5px;box-shadow:none;
font-family:inherit;font-size:9px;font-weight:600;line-height:12px;text-transform:none;
border:1px solid var(--cg-line);border-radius:3px;color:var(--cg-fg);
background:var(--button-secondary-background-fill,#f6f8fa);cursor:pointer}
.distill-grid .cg-labels .cg-label > button.cg-play:hover{border-color:var(--cg-muted)}
.distill-grid .cg-data{position:relative;flex:none}
.distill-grid .cg-ruler{position:relative;height:18px;overflow:hidden}
.distill-grid .cg-ruler .cg-tick{position:absolute;top:0;height:18px;padding-left:3px;
font-size:10px;line-height:18px;white-space:nowrap;color:var(--cg-muted);
border-left:1px solid var(--cg-muted)}
.distill-grid .cg-chunks{display:flex}
.distill-grid .cg-chunk{flex:none;content-visibility:auto;overflow:hidden}
.distill-grid .cg-head{display:flex;height:18px;box-sizing:border-box;
border-bottom:1px solid var(--cg-line)}
.distill-grid .cg-head .cg-col{flex:0 0 var(--cg-col);width:var(--cg-col);font-size:8px;
line-height:17px;text-align:center;font-style:normal;color:var(--cg-muted);cursor:pointer;
overflow:hidden}
.distill-grid .cg-head .cg-col:hover{background:var(--cg-line);color:var(--cg-fg)}
.distill-grid .cg-row{display:flex;height:34px}
.distill-grid .code-cell{flex:0 0 var(--cg-col);width:var(--cg-col);height:34px;
box-sizing:border-box;border-right:1px solid var(--cg-bg);border-bottom:1px solid var(--cg-bg);
font:10px/33px ui-monospace,SFMono-Regular,Menlo,Consolas,'DejaVu Sans Mono',monospace;
text-align:center;font-style:normal;cursor:pointer;overflow:hidden}
.distill-grid .code-cell:hover{filter:brightness(1.15)}
.distill-grid .code-cell.selected{box-shadow:inset 0 0 0 3px #000,inset 0 0 0 5px #fff;
font-weight:700}
.distill-grid .code-cell.cn{color:#6e7781;
background:repeating-linear-gradient(135deg,#eceff1 0 4px,#d7dbdf 4px 8px)}
.playhead-line{position:absolute;top:0;bottom:0;left:0;width:2px;margin-left:-1px;z-index:4;
background:#e5004f;box-shadow:0 0 0 1px rgba(255,255,255,.85);pointer-events:none;
display:none;animation-play-state:paused}
.playhead-line.active{display:block}
.playhead-line.playing{display:block;animation:playhead-sweep var(--duration,1s) linear forwards;
animation-play-state:running}
@keyframes playhead-sweep{from{left:0}to{left:100%}}
"""

# The one delegated click handler, set as the grid root's inline onclick attribute. Inline
# event attributes run when Gradio inserts the HTML through innerHTML; <script> tags do not.
# It highlights the clicked cell at once, feeds the hidden #code-grid-cell-clicked textbox
# through the native value setter (so Svelte sees the change) with an increasing nonce (so a
# second click on the same cell still fires), and announces the click as a DOM event.
CLICK_TEXTBOX_ID = "code-grid-cell-clicked"  # elem_id of the app's hidden Textbox
CLICK_HANDLER_JS = (
    "var g=this,e=event.target.closest('.code-cell,.cg-col,.cg-play');"
    "if(!e||!g.contains(e))return;"
    "var p,c=e.classList;"
    "if(c.contains('cg-play'))p='row,'+e.dataset.l;"
    "else if(c.contains('cg-col'))p='col,'+e.dataset.p;"
    "else{p='cell,'+e.parentNode.dataset.l+','+e.dataset.p;"
    "g.querySelectorAll('.code-cell.selected').forEach(function(s){s.classList.remove('selected')});"
    "c.add('selected');}"
    "var r=g.getRootNode(),d=r.getElementById?r:document;"
    f"var h=d.getElementById('{CLICK_TEXTBOX_ID}');"
    "var t=h&&(h.matches('textarea,input')?h:h.querySelector('textarea,input'));"
    "if(t){window.distillGridNonce=Math.max(Date.now(),(window.distillGridNonce||0)+1);"
    "var P=(t instanceof HTMLTextAreaElement?HTMLTextAreaElement:HTMLInputElement).prototype;"
    "Object.getOwnPropertyDescriptor(P,'value').set.call(t,p+'@'+window.distillGridNonce);"
    "t.dispatchEvent(new Event('input',{bubbles:true}));}"
    "g.dispatchEvent(new CustomEvent('distill-grid-click',{detail:p,bubbles:true}));"
)

# Playhead control. Defines window.distillGrid; every function takes an optional last
# argument `target` (a .distill-grid element, an element containing grids, or a selector);
# without it, it acts on every grid in the document, found afresh each time because Gradio
# replaces the grid's HTML on every update.
GRID_SCRIPT = """
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
    return {
      duration: parseFloat(grid.dataset.duration) || 0,
      width: columns * (parseFloat(grid.dataset.colWidth) || 0),
      label: parseFloat(grid.dataset.labelWidth) || 0
    };
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
      if (!line || !(geo.duration > 0)) return;
      var fraction = Math.min(Math.max((Number(seconds) || 0) / geo.duration, 0), 1);
      var x = fraction * geo.width;
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
    function onEnded() { cancel(); hidePlayhead(target); }
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

  window.distillGrid = {
    startPlayhead: startPlayhead,
    stopPlayhead: stopPlayhead,
    setPlayheadTime: setPlayheadTime,
    followAudio: followAudio,
    hidePlayhead: hidePlayhead
  };
  window.startPlayhead = startPlayhead;
  window.stopPlayhead = stopPlayhead;
})();
"""

PAGE_CSS = """
body{margin:24px;font-family:system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;
color:#1f2328;background:#f6f8fa}
h1{font-size:18px;margin:0 0 4px}
.info{margin:0 0 12px;color:#57606a;font-size:13px}
audio{display:block;width:100%;max-width:640px;margin:0 0 10px}
#grid-status{display:block;margin:0 0 10px;padding:6px 10px;font-size:13px;background:#fff;
border:1px solid #d0d7de;border-radius:6px;min-height:18px}
"""

# Glue for the standalone page: there is no Python behind a file, so a click is described in
# the status line; a column click also moves the audio (if any) to that column's time.
PAGE_SCRIPT = """
(function () {
  "use strict";
  var status = document.getElementById("grid-status");
  var audio = document.getElementById("grid-audio");
  function columnTime(grid, position) {
    var columns = parseInt(grid.dataset.columns, 10);
    return position * parseFloat(grid.dataset.duration) / columns;
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
    status.textContent = event.detail + " \\u2014 " + describe(event.target, event.detail);
  });
  if (audio) window.distillGrid.followAudio(audio);
})();
"""

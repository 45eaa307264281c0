// The page's side of the fast path (ui/codes/fast.py): requests keyed by this page's session,
// answers applied in place. Edits go one at a time, in order (a blend move still waiting is
// replaced by a newer one), and their answers patch only the cells that changed; previews
// and streams go to window.distillAudio. window.distillFast.
(function () {
  "use strict";
  if (window.distillFast) return;
  var ROUTE = "distill/codes/";
  var GRIDS = {a: "#codes-grid", b: "#codes-grid-b"};
  var ENDED = "This page's session has ended (the page was reloaded or closed): reload the page.";
  var queue = [], busy = false;

  function key() {
    var holder = document.querySelector("#codes-key [data-key]");
    return holder ? holder.dataset.key : "";
  }

  function post(path, body, signal) {
    return fetch(ROUTE + path, {
      method: "POST",
      headers: {"Content-Type": "application/json",
        "X-Distill-Page": window.__gradio_session_hash__ || "", "X-Distill-Key": key()},
      body: JSON.stringify(body || {}),
      signal: signal
    });
  }

  function grid(side) { return document.querySelector(GRIDS[side || "a"] + " .distill-grid"); }

  function version() { var root = grid("a"); return root ? +root.dataset.version : null; }

  function escape(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span.innerHTML;
  }

  // The status line (a Gradio Markdown): its text, written where Gradio writes it.
  function say(text) {
    var box = document.querySelector("#codes-status span.md") ||
      document.querySelector("#codes-status [data-testid=markdown]");
    if (box && text) box.innerHTML = "<p>" + escape(text) + "</p>";
  }

  // A gesture that was not done: said in the status line and in a toast that closes itself.
  function toast(text) {
    say(text);
    var box = document.createElement("div");
    box.className = "distill-toast";
    box.setAttribute("role", "alert");
    box.innerHTML = '<span class="distill-toast-text"></span>' +
      '<button type="button" class="distill-toast-close" aria-label="Close">&#215;</button>';
    box.querySelector(".distill-toast-text").textContent = text;
    box.querySelector("button").addEventListener("click", function () { box.remove(); });
    document.body.appendChild(box);
    setTimeout(function () { box.remove(); }, 8000);
  }

  async function refusal(response) {
    if (response.status === 403) return ENDED;
    try { return (await response.json()).status || response.statusText; }
    catch (e) { return "Something went wrong (" + response.status + "): please try again."; }
  }

  function note(response) {
    var text = response.headers.get("X-Distill-Status");
    return text ? decodeURIComponent(text) : "";
  }

  // ---- answers to edits ------------------------------------------------------------------

  // The cell of `level` at `column` in a grid drawn as blocks of columns; `blocks` (the
  // grid's .cg-block elements) is fetched once when many cells are looked up.
  function cellAt(root, level, column, blocks) {
    var size = +root.dataset.blockColumns || 100;
    var block = (blocks || root.querySelectorAll(".cg-block"))[Math.floor(column / size)];
    var row = block && block.children[1 + level];
    return row ? row.children[column % size] : null;
  }

  // Each changed cell's code, class and title; only what differs is written (a blend move
  // answers with most of the grid, and every write is style work for the page). A cell
  // whose code changed flashes, unless `still` (a blend slider moving: hundreds of cells
  // flashing on every move took the page's time from the next move, and the blend's shades
  // already show where it went).
  function patchCells(root, cells, still) {
    var blocks = root.querySelectorAll(".cg-block"), flashed = [];
    cells.forEach(function (c) {
      var cell = cellAt(root, c[0], c[1], blocks);
      if (!cell) return;
      if (cell.className !== c[3]) cell.className = c[3];
      if (cell.textContent !== c[2]) cell.textContent = c[2];
      if (c[4]) { if (cell.title !== c[4]) cell.title = c[4]; }
      else if (cell.hasAttribute("title")) cell.removeAttribute("title");
      if (c[5] && !still) flashed.push(cell);
    });
    if (flashed.length) {
      void root.offsetWidth;  // a cell that flashed a moment ago flashes again
      flashed.forEach(function (cell) { cell.classList.add("flash"); });
    }
  }

  function redraw(side, html) {
    var holder = document.querySelector(GRIDS[side] + " .distill-grid");
    var box = holder ? holder.parentNode : document.querySelector(GRIDS[side] + " .html-container > div");
    if (box) box.innerHTML = html;
  }

  function applyGrid(side, update, version, still) {
    if (!update) return;
    if (update.html !== null && update.html !== undefined) redraw(side, update.html);
    var root = grid(side);
    if (!root) return;
    if (update.cells) patchCells(root, update.cells, still);
    root.dataset.version = version;
    var join = root.querySelector(".cg-join");
    if (join) {
      join.hidden = update.join === null || update.join === undefined;
      if (!join.hidden) join.style.left = update.join * (+root.dataset.colWidth) + "px";
    }
  }

  function applyLevels(levels) {
    var root = grid("a");
    if (!root) return;
    levels.forEach(function (look) {
      var label = root.querySelector('.cg-label[data-l="' + look.level + '"]');
      if (!label) return;
      var playing = label.classList.contains("playing");
      label.className = "cg-label" + (look.cls ? " " + look.cls : "") + (playing ? " playing" : "");
      label.querySelector(".cg-mute").setAttribute("aria-pressed", String(look.muted));
      label.querySelector(".cg-solo").setAttribute("aria-pressed", String(look.solo));
    });
  }

  function apply(answer, request) {
    if (!answer.ok) { toast(answer.status); return answer; }
    answer.request = request || null;  // what was asked (palette.js hears edits by it)
    var moving = !!request && request.op === "blend" && !request.commit;
    applyGrid("a", answer.a, answer.version, moving);
    applyGrid("b", answer.b, answer.version, moving);
    applyLevels(answer.levels || []);
    if (answer.toolbar && window.distillGestures) window.distillGestures.showBar(answer.toolbar);
    say(answer.status);
    document.dispatchEvent(new CustomEvent("distill-edited", {detail: answer}));
    return answer;
  }

  // ---- edits: one at a time, in order -------------------------------------------------------

  function edit(body) {
    return new Promise(function (resolve) {
      if (body.op === "blend") {  // a newer move, or the release, supersedes waiting moves
        queue = queue.filter(function (job) {
          var stale = job.body.op === "blend" && !job.body.commit;
          if (stale) job.resolve(null);
          return !stale;
        });
      }
      queue.push({body: body, resolve: resolve});
      pump();
    });
  }

  async function pump() {
    if (busy) return;
    var job = queue.shift();
    if (!job) return;
    busy = true;
    try {
      job.body.version = version();
      var response = await post("edit", job.body);
      var answer = response.ok || response.status === 422 ? await response.json() :
        {ok: false, status: await refusal(response)};
      job.resolve(apply(answer, job.body));
    } catch (error) {
      toast("The app did not answer (" + error + "): is it still running?");
      job.resolve(null);
    } finally {
      busy = false;
      pump();
    }
  }

  // ---- sounds -------------------------------------------------------------------------

  // A clip the route answers with: {bytes, rate, status}, or null (its refusal in a toast,
  // unless `quiet`).
  async function fetchClip(path, body, quiet) {
    var response = await post(path, body);
    if (!response.ok) { if (!quiet) toast(await refusal(response)); return null; }
    return {rate: +response.headers.get("X-Distill-Rate"), status: note(response),
      bytes: await response.arrayBuffer()};
  }

  // A fetched clip (or a promise of one) played, and its sentence said.
  async function playFetched(fetched, info) {
    var clip = await fetched;
    if (!clip) return;
    window.distillAudio.playClip(clip.bytes, clip.rate, info);
    say(clip.status);
  }

  // Previews fetched ahead: those of the cells and column headers the pointer rested on
  // (gestures.js), so the click that usually follows plays at once; the newest AHEAD_KEPT,
  // by what their sound depends on. One is fetched at a time; a rest while one is on its
  // way waits for it, and only the newest such rest is kept.
  var AHEAD_KEPT = 16, ahead = new Map(), aheadBusy = false, aheadNext = null;

  // What a preview's sound depends on: the opened file (its model), and a cell's level and
  // code, or a column at a version of the grids.
  function previewKey(side, kind, level, column) {
    var root = grid(side);
    if (!root) return null;
    var file = side + root.dataset.file;
    if (kind === "cell") {
      var cell = cellAt(root, level, column);
      return cell ? file + ":cell:" + level + ":" + cell.textContent : null;
    }
    return file + ":col:" + column + "@" + root.dataset.version;
  }

  function previewBody(side, kind, level, column) {
    return {side: side, kind: kind, level: level, column: column};
  }

  function prefetch(side, kind, level, column) {
    if (!side) { aheadNext = null; return; }  // the pointer left the cells
    var key = previewKey(side, kind, level, column);
    if (!key || ahead.has(key)) return;
    if (aheadBusy) { aheadNext = [side, kind, level, column]; return; }
    aheadBusy = true;
    var clip = fetchClip("preview", previewBody(side, kind, level, column), true).catch(
      function () { return null; });
    ahead.set(key, clip);
    if (ahead.size > AHEAD_KEPT) ahead.delete(ahead.keys().next().value);
    clip.then(function () {
      aheadBusy = false;
      var next = aheadNext;
      aheadNext = null;
      if (next) prefetch.apply(null, next);
    });
  }

  function preview(side, kind, level, column, gesture) {
    var key = previewKey(side, kind, level, column), body = previewBody(side, kind, level, column);
    aheadNext = null;  // the click goes first
    var early = key && ahead.get(key);
    var fetched = early ?
      early.then(function (clip) { return clip || fetchClip("preview", body); }) :
      fetchClip("preview", body);
    return playFetched(fetched, {kind: kind, side: side, level: level, column: column,
      gesture: gesture});
  }

  async function stream(path, body, info) {
    var abort = new AbortController();
    info.abort = abort;
    var response;
    try { response = await post(path, body, abort.signal); }
    catch (error) { return null; }
    if (!response.ok) { toast(await refusal(response)); return null; }
    info.offset = +response.headers.get("X-Distill-Start") || 0;
    info.total = +response.headers.get("X-Distill-Samples") || 0;
    if (!info.quiet) say(note(response));
    try {
      return await window.distillAudio.playStream(response, +response.headers.get("X-Distill-Rate"), info);
    } catch (error) {
      return null;  // stopped: the download was cut on purpose
    }
  }

  function playLevel(side, level, gesture) {
    return stream("level", {side: side, level: level}, {kind: "row", side: side, level: level,
      gesture: gesture, timeline: true, grid: GRIDS[side] + " .distill-grid"});
  }

  function playGrid(range, loop, gesture) {
    return stream("play", {range: range}, {kind: "transport", side: "a", gesture: gesture,
      timeline: true, loop: loop, grid: GRIDS.a + " .distill-grid"});
  }

  // Columns [start, end) of A as heard now (before: as the step before left them), once;
  // quiet: the status line keeps what it says (an edit heard at once keeps its sentence).
  function playColumns(start, end, before, gesture, quiet) {
    return stream("play", {columns: [start, end], before: !!before}, {kind: "transport",
      side: "a", gesture: gesture, timeline: true, loop: false, quiet: !!quiet,
      grid: GRIDS.a + " .distill-grid"});
  }

  async function resync() {
    var response = await post("grid", {});
    if (!response.ok) return;
    var answer = await response.json();
    redraw("a", answer.a);
    redraw("b", answer.b);
  }

  // A Gradio event asked from the page: the hidden box `holder` is given `payload` (as
  // JSON), then its hidden button is pressed (on the next turn, once Gradio has the value).
  // False when the page has no such box or button.
  function ask(holder, button, payload) {
    var box = document.querySelector("#" + holder + " textarea, #" + holder + " input");
    var go = document.getElementById(button);
    if (!box || !go) return false;
    box.value = JSON.stringify(payload);
    box.dispatchEvent(new Event("input", {bubbles: true}));
    setTimeout(function () { go.click(); }, 0);
    return true;
  }

  window.distillFast = {
    edit: edit,
    preview: preview,
    prefetch: prefetch,
    playLevel: playLevel,
    playGrid: playGrid,
    playColumns: playColumns,
    post: post,
    cellAt: cellAt,
    fetchClip: fetchClip,
    playFetched: playFetched,
    stream: stream,
    ask: ask,
    refusal: refusal,
    resync: resync,
    say: say,
    toast: toast,
    grid: grid,
    pending: function () { return busy || queue.length > 0; }
  };
})();

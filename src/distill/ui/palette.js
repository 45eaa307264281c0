// The palette beside grid A (ui/codes/codebook.py answers it): every code of one level as a
// swatch in the grid's colour with a log-mel thumbnail of its sound, most used first (unused
// ones dimmed). Click or hover a swatch: hear it and see where it lives in the training
// files; drag it onto the grid, or double-click it, to put it in the selection (or in the
// cell it is dropped on). Every committed edit is heard at once with a little context, and
// Before / After play that span as it was and as it is. window.distillPalette.
(function () {
  "use strict";
  if (window.distillPalette) return;
  var CONTEXT_COLUMNS = 6;   // columns heard before and after an edited span
  var HOVER_MS = 80;         // a pointer resting this long on a swatch plays it...
  var HOVER_FETCH_MS = 30;   // ...fetched from this long on (a pointer passing by asks nothing)
  var HEARD_OPS = {set: 1, fill: 1, swap: 1, blend: 1, undo: 1, redo: 1};
  var shown = null;          // the palette drawn: {level, size, fileKey, ...}
  var chosen = null;         // the swatch last clicked: {level, code}
  var lastSpan = null;       // the last edit's columns [start, end)
  var hoverTimer = 0;
  var followTimer = 0;
  var FOLLOW_MS = 250;       // the palette follows a grid click this long after it
  var asking = 0;            // the newest palette request (older answers are dropped)

  function fast() { return window.distillFast; }
  function $(id) { return document.getElementById(id); }
  function panel() { return $("code-palette"); }
  function option(id) { var box = $(id); return !box || box.checked; }

  // A route's JSON answer, or null: a refusal is said in a toast, or (quietly) handed to
  // `quiet` instead (where a code lives is asked on every cell click: a model that cannot
  // say it says so in its own box, not in the status line).
  async function postJson(path, body, quiet) {
    var response = await fast().post(path, body);
    if (!response.ok) {
      var text = await fast().refusal(response);
      if (quiet) quiet(text); else fast().toast(text);
      return null;
    }
    return response.json();
  }

  // ---- drawing --------------------------------------------------------------------------

  function decode(base64) {
    var text = atob(base64), bytes = new Uint8Array(text.length);
    for (var i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    return bytes;
  }

  // A thumbnail: band 0 (lowest) at the bottom; loud is dark ink over the code's colour (the
  // colours are mid to light, so the ink shows on every one).
  function thumbnail(bytes, code, bands, frames) {
    var canvas = document.createElement("canvas");
    canvas.width = frames;
    canvas.height = bands;
    var context = canvas.getContext("2d"), image = context.createImageData(frames, bands);
    var base = code * bands * frames;
    for (var band = 0; band < bands; band++) {
      for (var frame = 0; frame < frames; frame++) {
        var value = bytes[base + band * frames + frame];
        var at = ((bands - 1 - band) * frames + frame) * 4;
        image.data[at] = image.data[at + 1] = image.data[at + 2] = 20;
        image.data[at + 3] = Math.round(value * 0.7);
      }
    }
    context.putImageData(image, 0, 0);
    canvas.className = "pal-thumb";
    return canvas;
  }

  function swatchTitle(data, code) {
    var uses = data.uses ? data.uses[code] : null;
    var use = uses === null ? "use unknown" : uses ? "used " + uses + "× in your files" :
      "never used in your files";
    return "Code " + code + " of " + data.label + " (" + use + "). Click: hear it and see " +
      "where it lives. Drag onto the grid or double-click: put it in the selection.";
  }

  function draw(data, started) {
    var box = panel();
    if (!box) return;
    var bytes = decode(data.thumbs), list = document.createElement("div");
    list.className = "pal-swatches";
    data.order.forEach(function (code) {
      var swatch = document.createElement("button");
      swatch.type = "button";
      swatch.className = "pal-swatch" + (data.uses && !data.uses[code] ? " unused" : "");
      swatch.draggable = true;
      swatch.dataset.level = data.level;
      swatch.dataset.code = code;
      swatch.style.background = data.colours[code];
      swatch.style.color = data.texts[code];
      swatch.title = swatchTitle(data, code);
      swatch.appendChild(thumbnail(bytes, code, data.bands, data.frames));
      var number = document.createElement("span");
      number.className = "pal-num";
      number.textContent = code;
      swatch.appendChild(number);
      list.appendChild(swatch);
    });
    box.replaceChildren(list);
    box.dataset.level = data.level;
    box.dataset.size = data.size;
    var used = data.uses ? data.uses.filter(function (n) { return n > 0; }).length : null;
    var head = $("code-palette-head");
    if (head) {
      head.textContent = data.label + " (level " + (data.level + 1) + "): " + data.size +
        " codes" + (used === null ? "" : ", " + used + " used in your files") + ".";
    }
    drawLevels(data.levels, data.level);
    shown = {level: data.level, size: data.size, label: data.label, uses: data.uses,
      fileKey: fileKey(), shownMs: performance.now() - started};
    box.dataset.shownMs = shown.shownMs.toFixed(1);
    if (chosen && chosen.level === data.level) mark(chosen.code);
    document.dispatchEvent(new CustomEvent("distill-palette-shown", {detail: shown}));
  }

  function drawLevels(count, level) {
    var row = $("code-palette-levels");
    if (!row || row.childElementCount === count) {
      if (row) row.querySelectorAll("button").forEach(function (b) {
        b.setAttribute("aria-pressed", String(+b.dataset.level === level));
      });
      return;
    }
    row.replaceChildren();
    for (var l = 0; l < count; l++) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "pal-level";
      button.dataset.level = l;
      button.textContent = String(l + 1);
      button.title = "Show level " + (l + 1) + "'s codes";
      button.setAttribute("aria-pressed", String(l === level));
      row.appendChild(button);
    }
  }

  function fileKey() {
    var root = fast().grid("a");
    return root ? root.dataset.file || null : null;
  }

  async function show(level) {
    var started = performance.now(), mine = ++asking;
    var data = await postJson("palette", {level: level});
    if (data && mine === asking) draw(data, started);
  }

  function mark(code) {
    var box = panel();
    if (!box) return;
    box.querySelectorAll(".pal-swatch.chosen").forEach(function (s) { s.classList.remove("chosen"); });
    var swatch = box.querySelector('.pal-swatch[data-code="' + code + '"]');
    if (swatch) {
      swatch.classList.add("chosen");
      swatch.scrollIntoView({block: "nearest"});
    }
  }

  // ---- hearing and placing codes ----------------------------------------------------------

  function fetchCode(level, code) { return fast().fetchClip("code", {level: level, code: code}); }

  function play(fetched, level, code, gesture) {
    return fast().playFetched(fetched,
      {kind: "swatch", side: "a", level: level, code: code, gesture: gesture});
  }

  function hear(level, code, gesture) { return play(fetchCode(level, code), level, code, gesture); }

  function choose(level, code, gesture, listen) {
    chosen = {level: level, code: code};
    mark(code);
    // The sound first (on a busy machine the two would share it), then where it lives.
    var heard = listen ? hear(level, code, gesture) : Promise.resolve();
    heard.then(function () { places(level, code); });
  }

  function put(level, code, side, column) {
    var body = {op: "fill", side: side || "a", level: level, code: code};
    if (column !== undefined && column !== null) body.column = column;
    return fast().edit(body);
  }

  // ---- where a code lives -------------------------------------------------------------------

  // Where a code lives, listed in `into` (the palette's panel unless given); `model`: a
  // model the Library looks into (its moments then play and open with that model).
  async function places(level, code, into, model) {
    var box = into || $("code-occurrences");
    if (!box) return;
    var started = performance.now();
    var body = {level: level, code: code};
    if (model) body.model = model;
    var data = await postJson("places", body, function (text) {
      var note = document.createElement("p");
      note.className = "occ-head";
      note.textContent = text;
      box.replaceChildren(note);
    });
    if (!data) return;
    var head = document.createElement("p");
    head.className = "occ-head";
    head.textContent = "Code " + code + " of " + data.label + ": " + data.total + " column" +
      (data.total === 1 ? "" : "s") + " in " + data.num_files + " file" +
      (data.num_files === 1 ? "" : "s") + (data.files.length ? " (most: " +
      data.files.slice(0, 3).map(function (f) { return f[0] + " " + f[1] + "×"; }).join(", ") +
      ")." : ".");
    var list = document.createElement("ol");
    list.className = "occ-list";
    data.moments.forEach(function (m) {
      var item = document.createElement("li");
      item.className = "occ-moment";
      item.dataset.file = m.file;
      item.dataset.column = m.column;
      item.dataset.columns = m.columns;
      item.dataset.level = level;
      if (model) item.dataset.model = model;
      var play = document.createElement("button");
      play.type = "button";
      play.className = "occ-play";
      play.innerHTML = "&#9654;";
      play.title = m.original ? "Hear the original around it" :
        "Hear the model's decode around it (the original file is not on this machine)";
      var text = document.createElement("span");
      text.className = "occ-text";
      var at = window.distillGestures.clockText(m.start_s);
      text.textContent = m.file + " " + at + " ×" + m.columns;
      text.title = m.file + ": from column " + m.column + " (" + at + "), " +
        m.columns + " column" + (m.columns === 1 ? "" : "s") + " in a row" +
        (m.held_out ? "; a held-out file (the prior never trained on it)" : "");
      item.appendChild(play);
      item.appendChild(text);
      var open = document.createElement("button");
      open.type = "button";
      open.className = "occ-open";
      open.textContent = "Open";
      open.title = m.original ? "Open " + m.file + " in grid A at column " + m.column :
        "Open the codes the model keeps of " + m.file + " in grid A at column " + m.column +
        " (the original file is not on this machine)";
      item.appendChild(open);
      list.appendChild(item);
    });
    if (!data.moments.length) {
      var none = document.createElement("li");
      none.textContent = "Not in any training file.";
      list.appendChild(none);
    }
    box.replaceChildren(head, list);
    box.dataset.level = level;
    box.dataset.code = code;
    box.dataset.shownMs = (performance.now() - started).toFixed(1);
  }

  function hearMoment(item, gesture) {
    var body = {file: item.dataset.file, column: +item.dataset.column, columns: +item.dataset.columns};
    if (item.dataset.model) body.model = item.dataset.model;
    return fast().playFetched(fast().fetchClip("moment", body),
      {kind: "moment", side: "a", gesture: gesture});
  }

  // Opening a moment goes through the app (an encode): the hidden box names it, the hidden
  // button asks; once the new grid is drawn, its columns are selected and scrolled to.
  var pendingOpen = null;
  function openMoment(item) {
    var asked = {file: item.dataset.file, column: +item.dataset.column};
    if (item.dataset.model) asked.model = item.dataset.model;
    if (!fast().ask("code-occurrence-open", "code-occurrence-go", asked)) return;
    pendingOpen = {column: +item.dataset.column, columns: +item.dataset.columns,
      level: item.dataset.level !== undefined ? +item.dataset.level : (shown ? shown.level : 0),
      key: fileKey()};
    if (item.dataset.model) {  // from the Library: to the Codes tab, where A opens
      var tab = Array.prototype.find.call(document.querySelectorAll("[role=tab]"),
        function (t) { return t.textContent.trim() === "Codes"; });
      if (tab) tab.click();
    }
  }

  // A code of a Library heatmap (components/diagnostics.py): where it lives, listed under
  // the strips of that model's panel.
  function heatCode(cell) {
    var panel = cell.closest(".distill-diag-live"), row = cell.closest(".distill-diag-level");
    if (!panel || !row) return;
    panel.querySelectorAll(".distill-heatmap i.chosen").forEach(function (c) {
      c.classList.remove("chosen");
    });
    cell.classList.add("chosen");
    places(+row.dataset.level, +cell.dataset.code, panel.querySelector(".distill-heat-places"),
      panel.dataset.model);
  }

  function afterOpen() {
    if (!pendingOpen || fileKey() === pendingOpen.key) return;
    var open = pendingOpen;
    pendingOpen = null;
    var root = fast().grid("a");
    var last = open.column + Math.max(1, open.columns) - 1;
    fast().edit({op: "select", side: "a", level: open.level, column: open.column,
      last_level: open.level, last_column: last});
    var scroller = root && root.querySelector(".cg-scroll");
    if (scroller) scroller.scrollLeft = Math.max(0, open.column * (+root.dataset.colWidth || 26) - 120);
  }

  // ---- hearing edits at once ------------------------------------------------------------------

  function editedSpan(answer) {
    var cells = answer.a && answer.a.cells;
    if (!cells || !cells.length) return null;
    var first = Infinity, last = -Infinity;
    cells.forEach(function (c) {
      if (c[1] < first) first = c[1];
      if (c[1] > last) last = c[1];
    });
    return [first, last + 1];
  }

  function heardEdit(event) {
    var answer = event.detail, request = answer && answer.request;
    if (!answer || !answer.ok || !request || !HEARD_OPS[request.op]) return;
    if (request.op === "blend" && !request.commit) return;
    var span = editedSpan(answer);
    if (!span) return;
    var columns = +(fast().grid("a") || {dataset: {}}).dataset.columns || span[1];
    lastSpan = [Math.max(0, span[0] - CONTEXT_COLUMNS), Math.min(columns, span[1] + CONTEXT_COLUMNS)];
    var compare = $("code-compare");
    if (compare) compare.hidden = false;
    if (option("code-hear-edits")) {
      fast().playColumns(lastSpan[0], lastSpan[1], false, performance.now(), true);
    }
  }
  document.addEventListener("distill-edited", heardEdit);

  // ---- events ------------------------------------------------------------------------------

  function swatchOf(target) { return target.closest && target.closest(".pal-swatch"); }

  document.addEventListener("click", function (event) {
    var target = event.target;
    var swatch = swatchOf(target);
    if (swatch) return choose(+swatch.dataset.level, +swatch.dataset.code, performance.now(), true);
    var level = target.closest && target.closest(".pal-level");
    if (level) return show(+level.dataset.level);
    var heat = target.closest && target.closest(".distill-diag-live .distill-heatmap i[data-code]");
    if (heat) return heatCode(heat);
    var item = target.closest && target.closest(".occ-moment");
    if (item && target.closest(".occ-play")) return hearMoment(item, performance.now());
    if (item && target.closest(".occ-open")) return openMoment(item);
    if (target.id === "code-hear-before" && lastSpan) {
      return fast().playColumns(lastSpan[0], lastSpan[1], true, performance.now());
    }
    if (target.id === "code-hear-after" && lastSpan) {
      return fast().playColumns(lastSpan[0], lastSpan[1], false, performance.now());
    }
  });
  document.addEventListener("dblclick", function (event) {
    var swatch = swatchOf(event.target);
    if (swatch) put(+swatch.dataset.level, +swatch.dataset.code, null, null);
  });
  document.addEventListener("pointerover", function (event) {
    var swatch = swatchOf(event.target);
    clearTimeout(hoverTimer);
    if (!swatch || !option("code-hover-hear")) return;
    // Fetched at once, played once the pointer has rested: a pass over the palette stays
    // quiet, and a resting pointer hears the code as soon as it may.
    var started = performance.now(), level = +swatch.dataset.level, code = +swatch.dataset.code;
    hoverTimer = setTimeout(function () {
      var fetched = fetchCode(level, code);
      hoverTimer = setTimeout(function () { play(fetched, level, code, started); },
        HOVER_MS - HOVER_FETCH_MS);
    }, HOVER_FETCH_MS);
  });
  document.addEventListener("pointerout", function (event) {
    if (swatchOf(event.target)) clearTimeout(hoverTimer);
  });

  // Drag a swatch onto a cell of A or B.
  document.addEventListener("dragstart", function (event) {
    var swatch = swatchOf(event.target);
    if (!swatch) return;
    clearTimeout(hoverTimer);
    event.dataTransfer.setData("application/x-distill-code", swatch.dataset.level + "," + swatch.dataset.code);
    event.dataTransfer.setData("text/plain", "code " + swatch.dataset.code);
    event.dataTransfer.effectAllowed = "copy";
  });
  function dropCell(event) {
    var cell = event.target.closest && event.target.closest(".distill-grid .code-cell");
    return cell && event.dataTransfer.types.indexOf("application/x-distill-code") >= 0 ? cell : null;
  }
  document.addEventListener("dragover", function (event) {
    var cell = dropCell(event);
    if (!cell) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
  });
  document.addEventListener("drop", function (event) {
    var cell = dropCell(event);
    if (!cell) return;
    event.preventDefault();
    var parts = event.dataTransfer.getData("application/x-distill-code").split(",").map(Number);
    var root = cell.closest(".distill-grid");
    put(parts[0], parts[1], root.dataset.grid === "b" ? "b" : "a", +cell.dataset.p);
  });

  // The grid's clicks: a cell of the palette's level makes its code the chosen one (where it
  // lives shows); a selection on one level makes that level the palette's. A click on
  // another level leaves the palette as it is (redrawing it on every click would take the
  // machine from the click's own sound).
  document.addEventListener("distill-grid-click", function (event) {
    var payload = String(event.detail);
    if (payload.slice(0, 2) === "b:") payload = payload.slice(2);
    var parts = payload.split(","), n = parts.slice(1).map(Number);
    // A cell's level, or that of a selection on one level only (a wider one keeps the level).
    if (parts[0] !== "cell" && !(parts[0] === "select" && n[0] === n[2])) return;
    var level = n[0], root = fast().grid("a");
    var cell = parts[0] === "cell" && root && root.querySelector(
      '.cg-row[data-l="' + level + '"] .code-cell[data-p="' + n[1] + '"]');
    var after = function () {
      if (cell && /^\d+$/.test(cell.textContent)) {
        chosen = {level: level, code: +cell.textContent};
        mark(chosen.code);
        places(level, chosen.code);
      }
    };
    // After the click's own sound has been asked for and decoded (it goes first on a busy
    // machine); a quick run of clicks updates the palette once, for the last.
    if (parts[0] === "cell" && (!shown || shown.level !== level)) return;
    clearTimeout(followTimer);
    followTimer = setTimeout(function () {
      if (!shown || shown.level !== level) show(level).then(after); else after();
    }, FOLLOW_MS);
  });

  // A newly opened file (encode, generate, a moment opened): its codebook's first level.
  function watch() {
    new MutationObserver(function () {
      var key = fileKey();
      if (!key || !panel()) return;
      if (!shown || shown.fileKey !== key) {
        shown = shown || {level: 0};
        shown.fileKey = key;
        show(shown.level || 0);
        afterOpen();
      }
    }).observe(document.body, {subtree: true, childList: true});
  }
  if (document.body) watch(); else document.addEventListener("DOMContentLoaded", watch);

  window.distillPalette = {show: show, hear: hear, put: put, places: places,
    shown: function () { return shown; }};
})();

// The page's sound engine: 16-bit PCM from the fast path played through Web Audio, one
// sound at a time (a new one stops the last). A clip (a cell's or a column's ~1 s) plays
// whole; a stream (a level alone, the transport) plays each piece as it arrives, back to
// back on the audio clock, and loops once it has all of it. The playhead follows the audio
// clock; the playing level's label and the clicked column are marked. window.distillAudio.
(function () {
  "use strict";
  if (window.distillAudio) return;
  var context = null;
  var voice = null;  // what plays now: {kind, sources, abort, ...}
  var listeners = [];
  var heard = [];  // the newest sounds begun: {kind, created, at} (a short sound ends soon)
  var LEAD = 0.005;  // seconds between scheduling and sounding (the clock's next quantum)

  function audioContext() {
    if (!context) context = new (window.AudioContext || window.webkitAudioContext)(
      {latencyHint: "interactive"});
    if (context.state === "suspended") context.resume();
    return context;
  }

  function toBuffer(bytes, rate) {
    var samples = new Int16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 1);
    var buffer = audioContext().createBuffer(1, Math.max(1, samples.length), rate);
    var channel = buffer.getChannelData(0);
    for (var i = 0; i < samples.length; i++) channel[i] = samples[i] / 32768;
    return buffer;
  }

  function emit(kind, detail) {
    listeners.forEach(function (listener) { listener(kind, detail); });
    document.dispatchEvent(new CustomEvent("distill-audio-" + kind, {detail: detail}));
  }

  function source(buffer, at, loopFrom) {
    var node = audioContext().createBufferSource();
    node.buffer = buffer;
    if (loopFrom !== undefined) { node.loop = true; node.loopStart = 0; node.loopEnd = buffer.duration; }
    node.connect(audioContext().destination);
    node.start(at);
    return node;
  }

  // Stop what plays (its stream's download too) and clear its marks.
  function stop(reason) {
    var playing = voice;
    voice = null;
    if (!playing) return;
    playing.stopped = true;
    if (playing.abort) playing.abort.abort();
    playing.sources.forEach(function (node) { try { node.stop(); } catch (e) { /* done */ } });
    if (playing.raf) cancelAnimationFrame(playing.raf);
    if (playing.timeline && window.distillGrid) window.distillGrid.hidePlayhead(playing.grid);
    emit("stop", {kind: playing.kind, level: playing.level, side: playing.side, reason: reason});
  }

  function start(info) {
    stop("replaced");
    document.querySelectorAll("audio").forEach(function (player) {
      if (!player.paused) player.pause();
    });
    var ctx = audioContext();
    voice = {kind: info.kind, level: info.level, side: info.side, grid: info.grid,
      timeline: !!info.timeline, offset: info.offset || 0, loop: !!info.loop,
      sources: [], pieces: [], at: ctx.currentTime + LEAD, next: 0, started: false,
      gesture: info.gesture, abort: info.abort, total: info.total || 0,
      created: performance.now()};
    voice.next = voice.at;
    return voice;
  }

  // The first sound of a voice is scheduled: say so, and follow it on the clock.
  function sounding(playing) {
    if (playing.started) return;
    playing.started = true;
    heard.push({kind: playing.kind, created: playing.created, at: playing.at});
    if (heard.length > 32) heard.shift();
    emit("start", {kind: playing.kind, level: playing.level, side: playing.side,
      gesture: playing.gesture, at: playing.at});
    if (playing.timeline) follow(playing);
  }

  function position(playing) {
    var elapsed = Math.max(0, audioContext().currentTime - playing.at);
    if (playing.length > 0) elapsed = elapsed % playing.length;  // once it has looped
    return playing.offset + elapsed;
  }

  function follow(playing) {
    function frame() {
      if (voice !== playing) return;
      var t = position(playing);
      if (window.distillGrid) window.distillGrid.setPlayheadTime(t, playing.grid);
      emit("time", {kind: playing.kind, seconds: t});
      var ended = !playing.looping && playing.done && audioContext().currentTime >= playing.next;
      if (ended) return stop("ended");
      playing.raf = requestAnimationFrame(frame);
    }
    playing.raf = requestAnimationFrame(frame);
  }

  // A whole clip: plays at once, ends by itself.
  function playClip(bytes, rate, info) {
    var playing = start(info);
    var buffer = toBuffer(new Uint8Array(bytes), rate);
    var node = source(buffer, playing.at);
    playing.sources.push(node);
    playing.next = playing.at + buffer.duration;
    playing.done = true;
    node.onended = function () { if (voice === playing) stop("ended"); };
    sounding(playing);
    return playing;
  }

  function schedule(playing, buffer) {
    var ctx = audioContext();
    if (playing.next < ctx.currentTime + LEAD) playing.next = ctx.currentTime + LEAD;  // late
    if (!playing.started) playing.at = playing.next;
    playing.sources.push(source(buffer, playing.next));
    playing.next += buffer.duration;
    playing.pieces.push(buffer);
    sounding(playing);
  }

  // Once a looping stream has all of it: the whole again and again after its first pass.
  function loopWhole(playing) {
    var length = playing.pieces.reduce(function (sum, b) { return sum + b.length; }, 0);
    if (!length) return;
    var rate = playing.pieces[0].sampleRate;
    var whole = audioContext().createBuffer(1, length, rate), channel = whole.getChannelData(0);
    var at = 0;
    playing.pieces.forEach(function (b) { channel.set(b.getChannelData(0), at); at += b.length; });
    playing.loopNode = source(whole, playing.next, 0);
    playing.sources.push(playing.loopNode);
    playing.loopAt = playing.next;
    playing.length = whole.duration;
    playing.looping = true;  // the clock's position wraps from here on (same phase as the pass)
  }

  // Loop switched on or off while something plays: a stream already in wraps around after
  // its pass; a loop switched off ends at the end of the pass it is in.
  function setLoop(on) {
    var playing = voice;
    if (!playing || !playing.timeline) return;
    playing.loop = on;
    if (on && playing.done && !playing.looping) loopWhole(playing);
    if (!on && playing.looping) {
      var passes = Math.ceil((audioContext().currentTime - playing.loopAt) / playing.length);
      playing.loopNode.loop = false;
      playing.next = playing.loopAt + Math.max(1, passes) * playing.length;
      playing.looping = false;
    }
  }

  // A stream of PCM pieces (a fetch Response): each piece plays as it comes.
  async function playStream(response, rate, info) {
    var playing = start(info);
    var reader = response.body.getReader();
    var minimum = Math.round(rate * 0.05) * 2;  // at least 50 ms a piece: fewer seams
    var held = new Uint8Array(0);
    for (;;) {
      var part = await reader.read();
      if (playing.stopped) return playing;
      var bytes = part.value || new Uint8Array(0);
      if (held.length) { var joined = new Uint8Array(held.length + bytes.length);
        joined.set(held); joined.set(bytes, held.length); bytes = joined; }
      var usable = bytes.length - (bytes.length % 2);  // whole 16-bit samples only
      if (usable >= minimum || (part.done && usable > 0)) {
        schedule(playing, toBuffer(bytes.slice(0, usable), rate));
        held = bytes.slice(usable);
      } else held = bytes;
      if (part.done) break;
    }
    playing.done = true;
    if (playing.loop && voice === playing) loopWhole(playing);
    return playing;
  }

  // Resolves (with performance.now()) once the audio clock has moved past the start of a
  // sound of this kind (any, without one) begun at or after `since` (a performance.now()).
  function moving(kind, since) {
    return new Promise(function (resolve) {
      function check() {
        if (sounded(kind, since)) return resolve(performance.now());
        setTimeout(check, 1);
      }
      check();
    });
  }

  // Whether a sound of this kind begun at or after `since` has sounded: the clock moved past
  // its start (it may have ended since: a clip lasts a second).
  function sounded(kind, since) {
    var now = audioContext().currentTime;
    return heard.some(function (sound) {
      return (!kind || sound.kind === kind) && sound.created >= (since || 0) && now > sound.at;
    });
  }

  window.distillAudio = {
    context: audioContext,
    playClip: playClip,
    playStream: playStream,
    stop: stop,
    moving: moving,
    sounded: sounded,
    playing: function () { return voice; },
    position: function () { return voice ? position(voice) : null; },
    setLoop: setLoop,
    listen: function (listener) { listeners.push(listener); }
  };
})();

// The takes strip under Generate (ui/codes/takes.py): a take's thumbnail or its Hear streams
// it through the fast path (fast.js); its Open in A asks the app, as the palette's Open does:
// the hidden box names the take, the hidden button asks. The card being heard is marked
// until its sound stops.
(function () {
  "use strict";

  var STRIP = "#gen-takes";

  function fast() { return window.distillFast; }

  function mark(card) {
    document.querySelectorAll(STRIP + " .gen-take-playing").forEach(function (other) {
      other.classList.remove("gen-take-playing");
    });
    if (card) card.classList.add("gen-take-playing");
  }

  function hear(card, gesture) {
    mark(card);
    fast().stream("take", {take: +card.dataset.take}, {kind: "take", side: "a",
      gesture: gesture, timeline: false});
  }

  function open(card) {
    fast().ask("gen-take-open", "gen-take-go", {take: +card.dataset.take});
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    var card = target && target.closest && target.closest(STRIP + " .gen-take");
    if (!card) return;
    event.preventDefault();
    if (target.closest(".gen-take-pick")) open(card);
    else hear(card, performance.now());
  });

  document.addEventListener("distill-audio-stop", function () { mark(null); });
})();

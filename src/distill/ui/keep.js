// Keeping work (ui/codes/autosave.py): once the page has its fast-path key it says hello,
// naming its browser tab (a random id kept in sessionStorage: a reload keeps it, another tab
// has its own) and the browser's recent tabs (localStorage). When the app offers a session
// to restore, the offer shows over the Codes tab; Restore is a Gradio button, so the page's
// players, labels and sliders follow as for an opened file. window.distillKeep.
(function () {
  "use strict";
  if (window.distillKeep) return;
  var TAB = "distill-tab", KNOWN = "distill-tabs", MAX_KNOWN = 8;
  var said = false, observer = null;

  function newId() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }

  function stored(store, name) { try { return store.getItem(name); } catch (e) { return null; } }
  function store(where, name, value) { try { where.setItem(name, value); } catch (e) { /* private mode */ } }

  function known() {
    try {
      var list = JSON.parse(stored(localStorage, KNOWN) || "[]");
      return Array.isArray(list) ? list.filter(function (id) { return typeof id === "string"; }) : [];
    } catch (e) { return []; }
  }

  function remember(tab) {
    store(sessionStorage, TAB, tab);
    var list = known().filter(function (id) { return id !== tab; });
    list.unshift(tab);
    store(localStorage, KNOWN, JSON.stringify(list.slice(0, MAX_KNOWN)));
  }

  function key() {
    var holder = document.querySelector("#codes-key [data-key]");
    return holder ? holder.dataset.key : "";
  }

  function show(offer) {
    var line = document.getElementById("session-offer-text");
    if (!line) return;
    line.textContent = offer.text;
    document.body.classList.add("distill-offer");
    if (offer.auto) {
      var button = document.getElementById("session-restore");
      if (button) button.click();
    }
  }

  function hide() { document.body.classList.remove("distill-offer"); }

  async function hello() {
    if (said || !key()) return;
    said = true;
    if (observer) observer.disconnect();
    var tab = stored(sessionStorage, TAB) || newId();
    var others = known().filter(function (id) { return id !== tab; });
    try {
      var response = await fetch("distill/codes/keep/hello", {
        method: "POST",
        headers: {"Content-Type": "application/json",
          "X-Distill-Page": window.__gradio_session_hash__ || "", "X-Distill-Key": key()},
        body: JSON.stringify({tab: tab, known: others})
      });
      if (!response.ok) return;
      var answer = await response.json();
      remember(answer.tab);
      if (answer.offer) show(answer.offer);
    } catch (error) { /* the app is gone: nothing to offer */ }
  }

  function watch() {
    observer = new MutationObserver(hello);
    observer.observe(document.body, {subtree: true, childList: true});
    hello();
  }
  if (document.body) watch(); else document.addEventListener("DOMContentLoaded", watch);

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("#session-restore, #session-dismiss");
    if (button) hide();
  });

  window.distillKeep = {tab: function () { return stored(sessionStorage, TAB); }, hide: hide};
})();

// The entitlement editor: a live count of the summary's characters and the first
// answer's SMS segments while typing. The server's count (shown on "Check and preview"
// and on the draft page, from bot/channels/sms/formatting.py) is the one that counts;
// this is the same rule, near enough, so staff see it as they type.
"use strict";
(function () {
  var summary = document.getElementById("f-summary");
  var title = document.getElementById("f-title");
  var out = document.getElementById("summary-count");
  if (!summary || !out) { return; }
  var BASIC = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
  var EXTENDED = "^{}\\[~]|€";
  var SUMMARY_MAX = 300;
  var FIRST_MAX = 320;
  function squash(text) { return text.replace(/\s+/g, " ").trim(); }
  function segments(text) {
    var septets = 0;
    var gsm = true;
    for (var i = 0; i < text.length; i++) {
      var ch = text.charAt(i);
      if (BASIC.indexOf(ch) >= 0) { septets += 1; }
      else if (EXTENDED.indexOf(ch) >= 0) { septets += 2; }
      else { gsm = false; break; }
    }
    if (gsm) { return { n: septets <= 160 ? 1 : Math.ceil(septets / 153), enc: "GSM-7" }; }
    var units = text.length;
    return { n: units <= 70 ? 1 : Math.ceil(units / 67), enc: "UCS-2" };
  }
  function update() {
    var s = squash(summary.value);
    var reply = squash(title ? title.value : "") + ": " + s;
    var seg = segments(reply.replace(/[\u2018\u2019]/g, "'").replace(/[\u201c\u201d]/g, "\""));
    out.textContent = "Summary: " + s.length + " of " + SUMMARY_MAX + " characters. First answer: " +
      reply.length + " of " + FIRST_MAX + " characters, " + seg.n + " SMS " +
      (seg.n === 1 ? "segment" : "segments") + " (" + seg.enc + ").";
  }
  summary.addEventListener("input", update);
  if (title) { title.addEventListener("input", update); }
})();

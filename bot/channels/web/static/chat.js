// The care leavers' web chat. Plain JavaScript, no libraries, nothing from other sites.
// The server makes the session; its token lives in sessionStorage, so the chat
// survives a reload and is gone when the tab closes (or Quick exit is pressed).
"use strict";

(function () {
  var TOKEN_KEY = "careleavers-chat-token";
  var EXIT_URL = "https://www.bbc.co.uk/weather";
  var RETRY_MS = 2000;

  var log = document.getElementById("log");
  var typing = document.getElementById("typing");
  var status = document.getElementById("status");
  var form = document.getElementById("send-form");
  var input = document.getElementById("message");
  var sendButton = document.getElementById("send");
  var socket = null;
  var ready = false;
  var leaving = false;
  var pending = [];
  // Messages sent but not answered yet: sent again if the socket closes first (the server
  // may have died). Each has an id, so the server never handles one twice.
  var unanswered = [];
  var shownStaff = {};

  // ---- Quick exit: clear everything and leave at once, replacing this page in history.
  function quickExit() {
    leaving = true;
    try { sessionStorage.clear(); } catch (e) { /* storage may be off */ }
    if (socket) { try { socket.close(); } catch (e) { /* already closed */ } }
    document.title = "Weather";
    document.body.replaceChildren();
    window.location.replace(EXIT_URL);
  }
  document.getElementById("quick-exit").addEventListener("click", quickExit);
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { quickExit(); }
  });

  function token() {
    try { return sessionStorage.getItem(TOKEN_KEY); } catch (e) { return null; }
  }
  function setToken(value) {
    try {
      if (value) { sessionStorage.setItem(TOKEN_KEY, value); } else { sessionStorage.removeItem(TOKEN_KEY); }
    } catch (e) { /* storage may be off: the chat still works until reload */ }
  }

  function say(text) { status.textContent = text; }

  // ---- The conversation on screen (text only: never HTML from the server).
  function scrollDown() { log.scrollTop = log.scrollHeight; }

  function addMessage(from, text) {
    var p = document.createElement("p");
    p.className = "msg " + from;
    var who = document.createElement("span");
    who.className = "visually-hidden";
    who.textContent = from === "user" ? "You said: " : (from === "bot" ? "Assistant said: " : "Note: ");
    p.appendChild(who);
    p.appendChild(document.createTextNode(text));
    log.appendChild(p);
    scrollDown();
  }

  // A message from a member of staff (their PA, say), labelled visibly as from a person.
  // Each has a ref, so a message in the history and then pushed again shows once.
  function addStaffMessage(m) {
    if (!m || !m.text || (m.ref && shownStaff[m.ref])) { return; }
    if (m.ref) { shownStaff[m.ref] = true; }
    var p = document.createElement("p");
    p.className = "msg staff";
    var who = document.createElement("span");
    who.className = "from";
    who.textContent = (m.sender || "Your personal adviser") + " said:";
    p.appendChild(who);
    p.appendChild(document.createTextNode(m.text));
    log.appendChild(p);
    scrollDown();
  }

  function clearReplies() {
    var old = log.querySelectorAll(".replies");
    for (var i = 0; i < old.length; i++) { old[i].remove(); }
  }

  function addButtons(buttons) {
    if (!buttons || !buttons.length) { return; }
    var list = document.createElement("ul");
    list.className = "replies";
    list.setAttribute("aria-label", "Suggested replies");
    buttons.forEach(function (b) {
      var item = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = b.title;
      button.addEventListener("click", function () { send(b.payload, b.title); });
      item.appendChild(button);
      list.appendChild(item);
    });
    log.appendChild(list);
    scrollDown();
  }

  // Each message of the latest reply keeps its own buttons under it (an answer's
  // follow-ups, then, once a conversation, "Did that help?" with Yes and No).
  function showBotMessages(messages) {
    clearReplies();
    messages.forEach(function (m) {
      if (m.text) { addMessage("bot", m.text); }
      if (m.buttons && m.buttons.length) { addButtons(m.buttons); }
    });
  }

  function setTyping(on) { typing.hidden = !on; }

  // ---- Talking to the server.
  function api(path, method, body) {
    var headers = { "Content-Type": "application/json" };
    var t = token();
    if (t) { headers.Authorization = "Bearer " + t; }
    return fetch(path, {
      method: method,
      headers: headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit",
      cache: "no-store",
      referrerPolicy: "no-referrer"
    }).then(function (reply) {
      return reply.json().catch(function () { return {}; }).then(function (data) {
        return { status: reply.status, data: data };
      });
    });
  }

  function newSession() {
    return api("session", "POST").then(function (r) {
      if (r.status !== 201 || !r.data.token) { throw new Error("no session"); }
      setToken(r.data.token);
    });
  }

  function showLinked(linked) {
    document.getElementById("link-unlinked").hidden = linked;
    document.getElementById("link-linked").hidden = !linked;
  }

  function loadHistory() {
    return api("history", "GET").then(function (r) {
      if (r.status === 401) { setToken(null); return false; }
      if (r.status !== 200) { throw new Error("no history"); }
      var messages = r.data.messages || [];
      var lastUser = -1;
      messages.forEach(function (m, i) { if (m.from === "user") { lastUser = i; } });
      messages.forEach(function (m, i) {
        if (m.from === "user") { addMessage("user", m.text); return; }
        if (m.from === "staff") { addStaffMessage(m); return; }
        if (m.text) { addMessage("bot", m.text); }
        if (i > lastUser && m.buttons && m.buttons.length) { addButtons(m.buttons); }
      });
      showLinked(!!r.data.linked);
      return true;
    });
  }

  function socketUrl() {
    var url = new URL("socket", window.location.href);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    return url.href;
  }

  function connect() {
    if (leaving) { return; }
    ready = false;
    socket = new WebSocket(socketUrl());
    socket.addEventListener("open", function () {
      socket.send(JSON.stringify({ type: "hello", token: token() }));
    });
    socket.addEventListener("message", function (event) {
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      if (frame.type === "ready") {
        ready = true;
        sendButton.disabled = false;
        say("");
        showLinked(!!frame.linked);
        var waiting = unanswered.concat(pending); unanswered = []; pending = [];
        waiting.forEach(transmit);
      } else if (frame.type === "reply") {
        unanswered.shift();
        setTyping(false);
        showBotMessages(frame.messages || []);
      } else if (frame.type === "safety") {
        // The safety net's reply, sent at once; the answer to the message follows.
        (frame.messages || []).forEach(function (m) { if (m.text) { addMessage("bot", m.text); } });
      } else if (frame.type === "staff") {
        (frame.messages || []).forEach(addStaffMessage);
      } else if (frame.type === "notice") {
        unanswered.shift();
        setTyping(false);
        addMessage("notice", frame.text);
      } else if (frame.type === "error") {
        unanswered.shift();
        setTyping(false);
        addMessage("notice", "Sorry, that didn't work. Please try again.");
      }
    });
    socket.addEventListener("close", function (event) {
      ready = false;
      setTyping(false);
      if (leaving) { return; }
      if (event.code === 4401) {
        // The session ended (expired or refused): start a fresh one.
        setToken(null);
        say("Your chat session ended, so we've started a new one.");
        start();
        return;
      }
      say("Connection lost. Trying again…");
      window.setTimeout(connect, RETRY_MS);
    });
  }

  function send(text, shown) {
    text = text.trim();
    if (!text) { input.focus(); return; }
    clearReplies();
    addMessage("user", shown || text);
    setTyping(true);
    var frame = JSON.stringify({ type: "message", text: text, id: messageId() });
    if (ready && socket && socket.readyState === WebSocket.OPEN) { transmit(frame); }
    else { pending.push(frame); }
  }

  function transmit(frame) {
    unanswered.push(frame);
    socket.send(frame);
  }

  function messageId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value;
    if (!text.trim()) { say("Type a message first."); input.focus(); return; }
    input.value = "";
    send(text);
    input.focus();
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  // ---- Linking this chat to the young person's record.
  var linkStatus = document.getElementById("link-status");
  var startForm = document.getElementById("link-start");
  var verifyForm = document.getElementById("link-verify");

  startForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var mobile = document.getElementById("mobile").value.trim();
    if (!mobile) { linkStatus.textContent = "Type your mobile number first."; return; }
    api("link/start", "POST", { mobile: mobile }).then(function (r) {
      linkStatus.textContent = r.data.message || "Sorry, that didn't work. Please try again.";
      if (r.data.outcome === "sent_if_on_record") {
        verifyForm.hidden = false;
        document.getElementById("code").focus();
      }
    }).catch(function () { linkStatus.textContent = "Sorry, that didn't work. Please try again."; });
  });

  verifyForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var code = document.getElementById("code").value.trim();
    if (!code) { linkStatus.textContent = "Type the code first."; return; }
    api("link/verify", "POST", { code: code }).then(function (r) {
      linkStatus.textContent = r.data.message || "Sorry, that didn't work. Please try again.";
      if (r.data.linked) {
        showLinked(true);
        verifyForm.hidden = true;
        document.getElementById("code").value = "";
        document.getElementById("mobile").value = "";
      }
    }).catch(function () { linkStatus.textContent = "Sorry, that didn't work. Please try again."; });
  });

  document.getElementById("link-forget").addEventListener("click", function () {
    api("link/forget", "POST", {}).then(function (r) {
      linkStatus.textContent = r.data.message || "";
      if (r.status === 200) { showLinked(false); verifyForm.hidden = true; }
    });
  });

  // ---- Start: reuse this tab's session (after a reload) or ask the server for one.
  function start() {
    var begin = token() ? loadHistory() : Promise.resolve(false);
    begin.then(function (resumed) {
      if (resumed) { return null; }
      return newSession();
    }).then(function () {
      connect();
    }).catch(function () {
      say("Sorry, the chat isn't working right now. Please try again in a minute.");
      window.setTimeout(start, RETRY_MS * 5);
    });
  }

  sendButton.disabled = false;
  start();
}());

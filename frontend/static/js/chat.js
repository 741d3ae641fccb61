// The chat page: live messages, the composer with its outbox, sync after reconnecting, read
// pointers, typing, reactions, edits, threads, pins, archiving. The server renders the page; this
// script keeps it current. A message may be on the page twice (a thread's first message is in the
// conversation and atop the thread pane): every change goes to each copy through update().
import { hub } from "./hub.js";

const chat = document.getElementById("chat");
const roomId = Number(chat?.dataset.room) || null;
const me = Number(chat?.dataset.me);
const labels = JSON.parse(document.getElementById("chat-labels")?.textContent || "{}");
const list = document.getElementById("messages");
const scroller = document.getElementById("messages-scroll");
const threadList = document.getElementById("thread-messages");
const outboxList = document.getElementById("outbox");
const OUTBOX_KEY = "ksp-outbox";
const TYPING_EVERY_MS = 3000;
// On a touch screen Enter is a new line (its keyboard has no Shift+Enter); the Send button sends.
const enterSends = () => !matchMedia("(pointer: coarse)").matches;

let lastSeq = Number(chat?.dataset.lastSeq) || 0; // of this room, as far as this page has it
let version = Number(chat?.dataset.version) || 0; // of the room's changes, as far as this page has them
let readSeq = Number(chat?.dataset.readSeq) || 0;
let openThread = null;
const countedReplies = new Set(); // replies already added to their thread's count on this page
const drafts = new WeakMap(); // an open edit form -> the message's html before editing

// --- Rendering -----------------------------------------------------------------------------------

const timeOf = (iso) => iso.slice(11, 16);
const dayOf = (iso) => iso.slice(0, 10); // the server sends Bangkok time with its offset
const dayLabel = (iso) =>
  new Intl.DateTimeFormat(document.documentElement.lang === "en" ? "en-GB" : "th-TH-u-ca-buddhist", {
    weekday: "long", day: "numeric", month: "long", year: "numeric", timeZone: "Asia/Bangkok",
  }).format(new Date(iso));

function button(text, attrs) {
  const element = document.createElement("button");
  element.type = "button";
  element.className = "link-button";
  element.textContent = text;
  Object.assign(element.dataset, attrs);
  return element;
}

// A person's name in the page's language (an event carries both: it is encoded once for everyone).
const nameOf = (who) => (document.documentElement.lang === "en" ? who?.name_en : who?.name_th) || who?.name || "";
const replyLabel = (n) => (n === 1 ? labels.replies_one : labels.replies).replace("%(n)s", n);
const isArchived = () => chat?.dataset.archived === "1";

// "3 replies" under a thread's first message in the conversation, always shown (the hover actions
// also offer "Reply").
function threadLink(count) {
  const link = button(replyLabel(count), { action: "thread" });
  link.classList.add("thread-link");
  return link;
}

function reactionChips(reactions) {
  return Object.entries(reactions || {}).map(([emoji, users]) => {
    const mine = users.includes(me);
    const chip = button(`${emoji} ${users.length}`, { emoji });
    chip.className = `reaction${mine ? " is-mine" : ""}`;
    chip.setAttribute("aria-pressed", String(mine));
    return chip;
  });
}

// One message as an <li>, like chat/_message.html. In the thread pane (inThread) it has no id (the
// conversation's copy keeps #m<id> for links) and no "reply" button: the pane is that thread.
function render(message, inThread = false) {
  const item = document.createElement("li");
  item.className = "message";
  item.classList.toggle("is-deleted", message.deleted);
  item.classList.toggle("is-mine", message.author?.id === me);
  item.classList.toggle("thread-root", inThread && !message.thread);
  if (!inThread) item.id = `m${message.id}`;
  Object.assign(item.dataset, {
    id: message.id, seq: message.seq, author: message.author?.id ?? "", clientId: message.client_id ?? "",
    body: message.body ?? "", editedAt: message.edited_at ?? "", replyCount: message.reply_count || 0,
    thread: message.thread ?? "",
  });
  const head = document.createElement("div");
  head.className = "message-head";
  const author = document.createElement("span");
  author.className = "message-author";
  // A message with no author is a notice the system posted (a case's status, say).
  author.textContent = message.author ? nameOf(message.author) : labels.notice;
  item.classList.toggle("is-notice", !message.author);
  const time = document.createElement("time");
  time.className = "message-time";
  time.dateTime = message.created_at;
  time.textContent = timeOf(message.created_at);
  head.append(author, " ", time);
  if (message.edited_at && !message.deleted) {
    const edited = document.createElement("span");
    edited.className = "message-edited";
    edited.textContent = ` (${labels.edited})`;
    head.append(edited);
  }
  if (message.pinned) {
    const mark = document.createElement("span");
    mark.className = "pin-mark";
    mark.textContent = labels.pinned;
    head.append(" ", mark);
  }
  const body = document.createElement("div");
  body.className = "message-body";
  if (message.deleted) {
    body.innerHTML = `<p class="tombstone"></p>`;
    body.firstChild.textContent = labels.deleted;
  } else {
    body.innerHTML = message.html; // rendered and sanitized on the server (chat.markdown)
    if (message.attachments?.length) body.append(renderFiles(message.attachments));
  }
  const foot = document.createElement("div");
  foot.className = "message-foot";
  const reactions = document.createElement("span");
  reactions.className = "reactions";
  reactions.append(...reactionChips(message.reactions));
  foot.append(reactions);
  if (message.reply_count && !message.thread && !inThread) foot.append(threadLink(message.reply_count));
  if (!message.deleted && message.author) {
    const actions = document.createElement("span");
    actions.className = "message-actions";
    const thumbs = button("👍", { action: "react", emoji: "👍" });
    thumbs.setAttribute("aria-label", labels.react);
    actions.append(thumbs);
    if (!message.thread && !inThread) actions.append(button(labels.reply, { action: "thread" }));
    actions.append(button(message.pinned ? labels.unpin : labels.pin, { action: "pin", pinned: message.pinned ? "1" : "" }));
    if (message.author?.id === me) actions.append(button(labels.edit, { action: "edit" }));
    if (message.author?.id === me || chat.dataset.role === "owner") actions.append(button(labels.delete, { action: "delete" }));
    foot.append(actions);
  }
  item.append(head, body, foot);
  return item;
}

function renderFiles(files) {
  const list = document.createElement("ul");
  list.className = "files";
  for (const file of files) {
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.href = file.url;
    if (file.is_image) {
      link.target = "_blank";
      link.rel = "noopener";
      const image = document.createElement("img");
      image.src = file.url;
      image.alt = file.name;
      image.loading = "lazy";
      link.append(image);
      item.append(link);
    } else {
      link.className = "file-link";
      link.download = "";
      link.textContent = file.name;
      const size = document.createElement("span");
      size.className = "muted";
      size.textContent = ` ${Math.max(1, Math.round(file.size / 1024))} KB`;
      item.append(link, size);
    }
    list.append(item);
  }
  return list;
}

const copiesOf = (id) => chat.querySelectorAll(`.message[data-id="${Number(id)}"]`);

// A new message into the conversation or the thread pane, in seq order; one already there is updated.
function place(message, target = list) {
  const existing = target.querySelector(`.message[data-id="${Number(message.id)}"]`);
  if (existing) {
    update(message);
    return;
  }
  target.querySelector(".empty-room")?.remove();
  if (target === list) {
    const days = target.querySelectorAll(".day");
    if (!days.length || days[days.length - 1].dataset.day !== dayOf(message.created_at)) {
      const day = document.createElement("li");
      day.className = "day";
      day.dataset.day = dayOf(message.created_at);
      day.innerHTML = "<span></span>";
      day.firstChild.textContent = dayLabel(message.created_at);
      target.append(day);
    }
  }
  // Keep seq order even if a sync and a live event cross.
  const later = [...target.querySelectorAll(".message")].find((m) => Number(m.dataset.seq) > message.seq);
  const box = target === list ? scroller : target; // what scrolls
  const nearBottom = box && box.scrollHeight - box.scrollTop - box.clientHeight < 120;
  const item = render(message, target === threadList);
  later ? later.before(item) : target.append(item);
  if (box && (nearBottom || message.author?.id === me)) box.scrollTop = box.scrollHeight;
}

// An edit, a tombstone, a pin or a new reply count: every copy of the message on the page changes,
// in the conversation and in the thread pane alike, and so does the pinned list.
function update(message) {
  if (message.room !== roomId) return;
  const replies = Math.max(message.reply_count || 0, repliesOf(message.id)); // counts only grow
  for (const old of copiesOf(message.id)) {
    const fresh = render({ ...message, reply_count: replies }, threadList?.contains(old));
    const form = old.querySelector(".edit-form");
    const focused = old.contains(document.activeElement) ? document.activeElement : null;
    // Someone reacting or pinning does not throw away what the author is typing in an edit.
    if (form && !message.deleted && (message.edited_at ?? "") === old.dataset.editedAt) {
      fresh.querySelector(".message-body").replaceChildren(form);
    }
    old.replaceWith(fresh);
    if (focused) refocus(focused, fresh);
  }
  if (!message.thread) showReplies(message.id, replies);
  showPinned(message);
}

// Focus stays on the same control of a message that was drawn again (keyboard users keep their place).
function refocus(focused, fresh) {
  if (fresh.contains(focused)) return focused.focus();
  const { action, emoji } = focused.dataset;
  const selector = action ? `[data-action="${action}"]` : emoji ? `.reaction[data-emoji="${CSS.escape(emoji)}"]` : null;
  (selector && fresh.querySelector(selector))?.focus();
}

function showReactions(event) {
  if (event.room !== roomId) return;
  for (const item of copiesOf(event.message)) {
    const box = item.querySelector(".reactions");
    const focused = box.contains(document.activeElement) ? document.activeElement : null;
    box.replaceChildren(...reactionChips(event.reactions));
    if (focused) refocus(focused, box);
  }
}

// --- Threads: reply counts ------------------------------------------------------------------------

function repliesOf(rootId) {
  const counts = [...copiesOf(rootId)].map((item) => Number(item.dataset.replyCount) || 0);
  if (openThread === rootId) counts.push(Number(document.getElementById("thread-count")?.dataset.count) || 0);
  return Math.max(0, ...counts);
}

function showReplies(rootId, count) {
  for (const item of copiesOf(rootId)) {
    item.dataset.replyCount = count;
    if (!count || threadList?.contains(item)) continue; // the pane says it once, on its own line
    const link = item.querySelector(".thread-link");
    if (link) link.textContent = replyLabel(count);
    else item.querySelector(".reactions").after(threadLink(count));
  }
  const line = document.getElementById("thread-count");
  if (line && openThread === rootId) {
    line.dataset.count = count;
    line.hidden = !count;
    line.firstChild.textContent = replyLabel(count);
  }
}

function countReply(reply) {
  if (countedReplies.has(reply.id)) return; // a sync and a live event may bring the same reply twice
  countedReplies.add(reply.id);
  showReplies(reply.thread, repliesOf(reply.thread) + 1);
}

// --- Pinned messages ------------------------------------------------------------------------------

const truncate = (text, limit) => ([...text].length > limit ? [...text].slice(0, limit - 1).join("") + "…" : text);

function showPinned(message) {
  const box = document.getElementById("pinned");
  const entries = document.getElementById("pinned-list");
  if (!box || !entries) return;
  let entry = entries.querySelector(`li[data-id="${Number(message.id)}"]`);
  if (message.pinned && !message.deleted) {
    if (!entry) {
      entry = document.createElement("li");
      entry.dataset.id = message.id;
      entry.append(document.createElement("a"));
      entries.prepend(entry); // the latest pin first, as the server lists them
    }
    entry.dataset.thread = message.thread ?? "";
    entry.firstChild.href = `#m${message.id}`;
    entry.firstChild.textContent = `${nameOf(message.author)}: ${truncate(message.body || "", 80)}`;
  } else {
    entry?.remove();
  }
  const count = entries.children.length;
  document.getElementById("pinned-count").textContent = (count === 1 ? labels.pinned_one : labels.pinned_many).replace(
    "%(n)s", count,
  );
  box.hidden = !count;
  if (!count) box.open = false;
}

// --- Archived rooms: read only --------------------------------------------------------------------

function showArchived(archived) {
  chat.dataset.archived = archived ? "1" : "";
  const toggle = (id, hidden) => {
    const element = document.getElementById(id);
    if (element) element.hidden = hidden;
  };
  toggle("archived-badge", !archived);
  toggle("read-only", !archived);
  toggle("thread-read-only", !archived);
  toggle("composer", archived);
  toggle("thread-composer", archived);
  const form = document.getElementById("archive-form");
  if (form) {
    form.elements.archived.value = archived ? "0" : "1";
    form.querySelector("button").textContent = archived ? labels.open_again : labels.archive;
  }
}

// --- Outbox: what was typed is kept until the server has it ----------------------------------------

const loadOutbox = () => JSON.parse(localStorage.getItem(OUTBOX_KEY) || "[]");
const saveOutbox = (items) => localStorage.setItem(OUTBOX_KEY, JSON.stringify(items));

function showOutbox() {
  if (!outboxList) return;
  outboxList.replaceChildren();
  for (const item of loadOutbox().filter((entry) => entry.room === roomId)) {
    const row = document.createElement("li");
    row.className = `outbox-item${item.error ? " is-failed" : ""}`;
    row.dataset.clientId = item.client_id;
    const text = document.createElement("span");
    text.className = "outbox-body";
    text.textContent = item.body;
    const state = document.createElement("span");
    state.className = "outbox-state";
    state.textContent = item.error ? `${labels.failed}: ${item.error}` : hub.state === "open" ? labels.sending : labels.waiting;
    row.append(text, state);
    if (item.error) {
      const discard = button(labels.discard, { discard: item.client_id });
      row.append(discard);
    }
    outboxList.append(row);
  }
}

function send(body, thread = null) {
  const item = { room: roomId, body, thread, client_id: crypto.randomUUID(), error: null };
  saveOutbox([...loadOutbox(), item]);
  showOutbox();
  hub.send({ type: "message.send", room: item.room, body, thread, client_id: item.client_id });
  if ("Notification" in window && Notification.permission === "default") Notification.requestPermission();
}

function flushOutbox() {
  for (const item of loadOutbox()) {
    if (item.error) continue;
    // The same client_id again: the server stores it once, whatever happened to the first try.
    hub.send({
      type: "message.send", room: item.room, body: item.body, thread: item.thread, client_id: item.client_id,
      attachments: item.attachments,
    });
  }
  showOutbox();
}

function settle(clientId, error = null) {
  const items = loadOutbox();
  saveOutbox(error ? items.map((i) => (i.client_id === clientId ? { ...i, error } : i)) : items.filter((i) => i.client_id !== clientId));
  showOutbox();
}

// --- Unread, read pointers, notifications --------------------------------------------------------

function setUnread(room, count) {
  for (const badge of document.querySelectorAll(`[data-unread="${room}"]`)) {
    badge.hidden = !count;
    badge.firstChild.textContent = count;
  }
}

function markRead() {
  if (!roomId || document.visibilityState !== "visible" || lastSeq <= readSeq) return;
  if (hub.send({ type: "read", room: roomId, seq: lastSeq })) readSeq = lastSeq;
}

// --- Events from the server ------------------------------------------------------------------------

// Whatever arrived or changed since this page was rendered, or while the socket was down
// (docs/protocol.md): new messages after lastSeq, changes to the ones shown after version.
let syncing = false; // a sync's answer is on its way: it says which version the page is at

function requestSync() {
  if (!roomId) return;
  const frame = { type: "sync", rooms: { [roomId]: lastSeq }, versions: { [roomId]: version }, ref: "sync" };
  syncing = hub.send(frame);
}

// Changes to a room's messages are numbered one by one: a gap means one was lost on the way.
function noteVersion(changed) {
  if (syncing || changed === undefined || changed <= version) return;
  if (changed === version + 1) version = changed;
  else requestSync();
}

hub.on("hello", (hello) => {
  for (const room of hello.rooms) if (room.id !== roomId) setUnread(room.id, room.unread);
  requestSync();
  flushOutbox();
  markRead();
});

hub.on("sync.done", (done) => {
  syncing = false;
  version = Math.max(version, done.versions?.[roomId] ?? 0);
  markRead();
});

hub.on("sync.truncated", (truncated) => {
  version = Math.max(version, truncated.versions?.[roomId] ?? 0);
  requestSync(); // the rest, from where this round ended
});

hub.on("message.new", ({ message }) => {
  if (message.room !== roomId) {
    if (message.author?.id !== me) {
      const badge = document.querySelector(`[data-unread="${message.room}"]`);
      setUnread(message.room, (Number(badge?.firstChild.textContent) || 0) + 1);
    }
    return;
  }
  if (typist !== null && message.author?.id === typist) stopTyping(); // what they were typing is here
  // A gap means events were lost on the way (the layer delivers at most once): fetch them.
  // lastSeq only ever moves one by one: it is the last seq with no gap before it, where a sync
  // after a reconnect must start (docs/protocol.md), even if a later message was shown already.
  if (message.seq === lastSeq + 1) lastSeq = message.seq;
  else if (message.seq > lastSeq + 1 && !syncing) requestSync(); // one sync at a time fills the gap
  if (message.thread) {
    countReply(message);
    if (openThread === message.thread) place(message, threadList);
    return;
  }
  place(message);
  markRead();
});

function changed(message, changedVersion) {
  if (message.room !== roomId) return;
  update(message);
  noteVersion(changedVersion);
}

hub.on("message.updated", ({ message }) => changed(message, message.version));
hub.on("message.deleted", ({ message }) => changed(message, message.version));
hub.on("reaction", (event) => {
  showReactions(event);
  if (event.room === roomId) noteVersion(event.version);
});

hub.on("ack", (ack) => {
  settle(ack.client_id);
  if (ack.message.room === roomId && !ack.message.thread) place(ack.message);
  if (ack.message.room === roomId && ack.message.seq === lastSeq + 1) lastSeq = ack.message.seq;
});

let outboxAgain = null; // one resend of the outbox waiting, however many refusals came
function flushOutboxLater() {
  if (outboxAgain === null) outboxAgain = setTimeout(() => { outboxAgain = null; flushOutbox(); }, 5000);
}

hub.on("error", (error) => {
  if (error.ref === "sync") { // the sync was refused (a budget, a server error): ask again later
    syncing = false;
    setTimeout(requestSync, 5000);
    return;
  }
  // Refused by a frame budget before it was read: the outbox goes again a little later.
  if (!error.client_id && error.code === "rate_limited") flushOutboxLater();
  if (!error.client_id) return;
  if (error.code === "rate_limited") {
    flushOutboxLater(); // stays in the outbox and goes again
  } else {
    settle(error.client_id, error.message);
  }
});

hub.on("read", (event) => {
  setUnread(event.room, event.unread);
  if (event.room === roomId) readSeq = Math.max(readSeq, event.seq);
});

let typingTimer = null;
let typist = null;
function stopTyping() {
  clearTimeout(typingTimer);
  typist = null;
  const line = document.getElementById("typing");
  if (line) line.textContent = "";
}
hub.on("typing", (event) => {
  if (event.room !== roomId || event.user?.id === me) return;
  const line = document.getElementById("typing");
  line.textContent = labels.typing.replace("%(name)s", nameOf(event.user));
  typist = event.user.id;
  clearTimeout(typingTimer);
  typingTimer = setTimeout(stopTyping, 4000);
});

// Joined a room here or in another tab, or added by someone: chat-sidebar.js lists it. Never a
// reload for another room: this tab may be on its way to that very room (a reload would cancel it).
hub.on("room.joined", ({ room }) => {
  if (room.id === roomId && chat.dataset.member !== "1") location.reload(); // its composer
});
hub.on("room.updated", (event) => {
  if (event.room === roomId && typeof event.archived === "boolean") showArchived(event.archived);
});
// Taken out of the room: the chat page goes back to the list; a page that shows the room beside
// something else (a meeting's page) names where to go instead (data-left-url).
hub.on("room.left", (event) => {
  if (event.room === roomId) location.assign(chat.dataset.leftUrl || "/chats/");
});
hub.addEventListener("state", showOutbox);

// --- What the person does ------------------------------------------------------------------------

function composer(form, input, thread = () => null) {
  if (!form) return;
  let lastTyping = 0;
  input.addEventListener("keydown", (event) => {
    // Enter sends; Shift+Enter is a new line; never while a Thai input method is composing.
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && enterSends()) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  input.addEventListener("input", () => {
    if (Date.now() - lastTyping > TYPING_EVERY_MS) {
      lastTyping = Date.now();
      hub.send({ type: "typing", room: roomId });
    }
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const body = input.value.trim();
    if (!body) return;
    send(body, thread());
    input.value = "";
  });
}

composer(document.getElementById("composer"), document.getElementById("composer-input"));

// Files: chosen with the button or pasted into the composer, uploaded, then sent as a message.
const csrf = () => document.cookie.split("; ").find((c) => c.startsWith("csrftoken="))?.split("=")[1] || "";
const hintElement = document.getElementById("composer-hint");
const hintDefault = hintElement ? [...hintElement.childNodes] : [];
const restoreHint = () => hintElement.replaceChildren(...hintDefault);

async function sendFiles(files) {
  if (hub.state !== "open") {
    hintElement.textContent = labels.offline_upload;
    return;
  }
  const ids = [];
  for (const file of files) {
    hintElement.textContent = labels.uploading.replace("%(name)s", file.name);
    const form = new FormData();
    form.append("file", file, file.name || "pasted.png");
    const response = await fetch(`/api/v1/rooms/${roomId}/attachments`, {
      method: "POST", body: form, headers: { "X-CSRFToken": csrf() },
    });
    if (!response.ok) {
      const reason = (await response.json().catch(() => ({}))).error?.message || response.status;
      hintElement.textContent = labels.upload_failed.replace("%(name)s", file.name).replace("%(reason)s", reason);
      return;
    }
    ids.push((await response.json()).id);
  }
  const input = document.getElementById("composer-input");
  const item = { room: roomId, body: input.value.trim(), thread: null, client_id: crypto.randomUUID(), error: null };
  input.value = "";
  saveOutbox([...loadOutbox(), { ...item, attachments: ids }]);
  showOutbox();
  hub.send({ type: "message.send", ...item, attachments: ids });
  restoreHint();
}

const attachInput = document.getElementById("attach-input");
attachInput?.addEventListener("change", () => {
  sendFiles([...attachInput.files]);
  attachInput.value = "";
});
document.getElementById("composer-input")?.addEventListener("paste", (event) => {
  const files = [...(event.clipboardData?.files || [])];
  if (files.length) {
    event.preventDefault();
    sendFiles(files);
  }
});
composer(document.getElementById("thread-composer"), document.getElementById("thread-input"), () => openThread);

// The thread's first message, copied from the conversation for the top of the pane.
function threadCopy(item) {
  const copy = item.cloneNode(true);
  copy.removeAttribute("id");
  copy.classList.add("thread-root");
  for (const link of copy.querySelectorAll('[data-action="thread"]')) link.remove();
  const form = item.querySelector(".edit-form"); // being edited in the conversation: not up here
  if (form) copy.querySelector(".message-body").innerHTML = drafts.get(form); // server-sanitized html
  return copy;
}

async function showThread(rootId) {
  openThread = rootId;
  const root = list.querySelector(`.message[data-id="${rootId}"]`);
  const line = document.createElement("li");
  line.className = "thread-count";
  line.id = "thread-count";
  line.append(document.createElement("span"));
  threadList.replaceChildren(...(root ? [threadCopy(root)] : []), line);
  showReplies(rootId, repliesOf(rootId));
  document.getElementById("thread-pane").hidden = false;
  chat.dataset.pane = "thread"; // on a phone, the one pane shown
  const response = await fetch(`/api/v1/rooms/${roomId}/messages?thread=${rootId}&limit=100`);
  if (openThread !== rootId || !response.ok) return; // closed, or another thread opened meanwhile
  const page = await response.json();
  for (const message of page.results) {
    // A reply that arrived live while this was loading is already here, and newer.
    if (!threadList.querySelector(`.message[data-id="${Number(message.id)}"]`)) place(message, threadList);
  }
  showReplies(rootId, Math.max(repliesOf(rootId), page.results.length));
  threadList.scrollTop = threadList.scrollHeight;
  const input = document.getElementById("thread-input");
  if (input && !isArchived()) input.focus();
}

document.getElementById("thread-close")?.addEventListener("click", () => {
  openThread = null;
  threadList.replaceChildren();
  document.getElementById("thread-pane").hidden = true;
  chat.dataset.pane = "conversation";
});

function startEditing(item) {
  const body = item.querySelector(".message-body");
  const open = body.querySelector(".edit-form textarea");
  if (open) return open.focus();
  const original = body.innerHTML;
  const source = item.dataset.body;
  const box = document.createElement("form");
  box.className = "edit-form";
  const area = document.createElement("textarea");
  area.value = source || body.innerText.trim();
  area.setAttribute("aria-label", labels.edit);
  const save = document.createElement("button");
  save.type = "submit";
  save.className = "btn btn-primary";
  save.textContent = labels.save;
  const cancel = button(labels.cancel, {});
  box.append(area, save, cancel);
  drafts.set(box, original);
  body.replaceChildren(box);
  area.focus();
  // The form may have moved into a newer copy of the message (update()): close it where it is now.
  const close = () => {
    const holder = box.parentElement;
    if (holder) holder.innerHTML = original; // server-sanitized html, as it was
    holder?.closest(".message")?.querySelector('[data-action="edit"]')?.focus();
  };
  cancel.addEventListener("click", close);
  // As in the composer: Enter saves, Shift+Enter is a new line, Escape puts the message back.
  area.addEventListener("keydown", (event) => {
    if (event.isComposing) return;
    if (event.key === "Enter" && !event.shiftKey && enterSends()) {
      event.preventDefault();
      box.requestSubmit();
    } else if (event.key === "Escape") {
      event.preventDefault();
      close();
    }
  });
  box.addEventListener("submit", (event) => {
    event.preventDefault();
    // Unchanged: the server would store nothing and announce nothing, so nothing would close the form.
    if (area.value.trim() === (source || "").trim()) return close();
    hub.send({ type: "message.edit", id: Number(item.dataset.id), body: area.value });
  });
}

chat?.addEventListener("click", (event) => {
  const target = event.target.closest("button");
  if (!target) return;
  const item = target.closest(".message");
  if (target.dataset.discard) {
    settle(target.dataset.discard);
  } else if (target.id === "load-older") {
    loadOlder(target);
  } else if (item && isArchived() && (target.dataset.emoji || ["pin", "edit"].includes(target.dataset.action))) {
    // read only: nothing to send (the buttons are hidden; a reaction chip only shows who reacted)
  } else if (item && target.dataset.emoji) {
    const mine = target.getAttribute("aria-pressed") === "true";
    hub.send({ type: mine ? "reaction.remove" : "reaction.add", id: Number(item.dataset.id), emoji: target.dataset.emoji });
  } else if (item && target.dataset.action === "thread") {
    showThread(Number(item.dataset.id));
  } else if (item && target.dataset.action === "pin") {
    hub.send({ type: "message.pin", id: Number(item.dataset.id), pinned: !target.dataset.pinned });
  } else if (item && target.dataset.action === "edit") {
    startEditing(item);
  } else if (item && target.dataset.action === "delete" && confirm(labels.confirm_delete)) {
    hub.send({ type: "message.delete", id: Number(item.dataset.id) });
  }
});

// A pinned reply is in its thread, not in the conversation: the link opens the thread.
document.getElementById("pinned-list")?.addEventListener("click", (event) => {
  const entry = event.target.closest("li");
  if (!entry || !event.target.closest("a")) return;
  document.getElementById("pinned").open = false;
  if (entry.dataset.thread && !document.getElementById(`m${entry.dataset.id}`)) {
    event.preventDefault();
    showThread(Number(entry.dataset.thread));
  }
});

// Archiving (owners) goes over the API; every member's page, this one too, changes on room.updated.
// Without the API (an error, no network) the form posts as it would without this script.
document.getElementById("archive-form")?.addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  const archive = form.elements.archived.value !== "0";
  try {
    const response = await fetch(`/api/v1/rooms/${roomId}/archive`, {
      method: archive ? "POST" : "DELETE", headers: { "X-CSRFToken": csrf() },
    });
    if (!response.ok) throw new Error(String(response.status));
    showArchived((await response.json()).archived);
  } catch {
    form.submit();
  }
});

async function loadOlder(control) {
  const first = list.querySelector(".message");
  const response = await fetch(`/api/v1/rooms/${roomId}/messages?before_seq=${first?.dataset.seq || 1}&limit=50`);
  if (!response.ok) return;
  const page = await response.json();
  const height = scroller.scrollHeight;
  for (const message of page.results.reverse()) {
    list.querySelector(".message").before(render(message));
  }
  scroller.scrollTop += scroller.scrollHeight - height;
  if (!page.has_more) control.parentElement.remove();
}

document.addEventListener("visibilitychange", markRead);

if (scroller) scroller.scrollTop = scroller.scrollHeight;
showOutbox();
markRead();

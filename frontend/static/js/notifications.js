// Mentions, direct messages and meeting reminders, on every page: a toast, and the browser's own
// notification when the tab is hidden and the person allowed them (unread.js counts them in the
// rail and the title).
const region = document.getElementById("toasts");

// The message as its reader sees it: mentions by name in the page's language, not "@username".
function readable(message) {
  const doc = new DOMParser().parseFromString(message.html || "", "text/html"); // inert: nothing runs
  const other = document.documentElement.lang === "en" ? "th" : "en";
  for (const name of doc.querySelectorAll(`.mention .lang-${other}`)) name.remove();
  for (const block of doc.querySelectorAll("p, li, br, pre, blockquote")) block.append(" ");
  return doc.body.textContent.replace(/\s+/g, " ").trim() || message.body || "";
}

// A meeting about to start (meetings/reminders.py): a toast leading to the meeting's page.
function remind(event) {
  unseen += 1;
  titleCount();
  const text = document.documentElement.lang === "en" ? event.text_en : event.text_th;
  if (region) {
    const toast = document.createElement("a");
    toast.className = "toast";
    toast.href = event.url;
    const title = document.createElement("strong");
    title.textContent = event.title;
    const body = document.createElement("span");
    body.textContent = text;
    toast.append(title, body);
    region.append(toast);
    setTimeout(() => toast.remove(), 30000);
  }
  if ("Notification" in window && Notification.permission === "granted" && document.visibilityState !== "visible") {
    new Notification(event.title, { body: text, tag: `meeting-${event.meeting}` });
  }
}

export function followNotifications(hub) {
  hub.on("notification", (event) => {
    if (event.kind === "reminder") return remind(event);
    const here = Number(document.getElementById("chat")?.dataset.room) === event.room;
    if (here && document.visibilityState === "visible") return; // already on screen
    const author = event.message.author;
    const who = (document.documentElement.lang === "en" ? author?.name_en : author?.name_th) || author?.name || "";
    const text = readable(event.message).slice(0, 140);
    if (region) {
      // Up by the top bar, away from the composer's buttons, and dismissible before its 8 s are up.
      const toast = document.createElement("div");
      toast.className = "toast";
      const link = document.createElement("a");
      link.href = `/chats/${event.room}/#m${event.message.id}`;
      const title = document.createElement("strong");
      title.textContent = event.kind === "mention" ? `${who} @ ${event.room_name || ""}` : who;
      const body = document.createElement("span");
      body.textContent = text;
      link.append(title, body);
      const close = document.createElement("button");
      close.type = "button";
      close.className = "toast-close";
      close.setAttribute("aria-label", region.dataset.closeLabel || "Close");
      close.textContent = "×";
      close.addEventListener("click", () => toast.remove());
      toast.append(link, close);
      region.append(toast);
      setTimeout(() => toast.remove(), 8000);
    }
    if ("Notification" in window && Notification.permission === "granted" && document.visibilityState !== "visible") {
      new Notification(who, { body: text, tag: `room-${event.room}` });
    }
  });
}

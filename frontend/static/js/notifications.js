// Mentions, direct messages and meeting reminders, on every page: a toast, the count in the tab's title, and the
// browser's own notification when the tab is hidden and the person allowed them.
const region = document.getElementById("toasts");
let unseen = 0;

function titleCount() {
  const base = document.title.replace(/^\(\d+\) /, "");
  document.title = unseen ? `(${unseen}) ${base}` : base;
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
    unseen += 1;
    titleCount();
    const who = event.message.author?.name || "";
    const text = event.message.body.slice(0, 140);
    if (region) {
      const toast = document.createElement("a");
      toast.className = "toast";
      toast.href = `/chats/${event.room}/#m${event.message.id}`;
      const title = document.createElement("strong");
      title.textContent = event.kind === "mention" ? `${who} @ ${event.room_name || ""}` : who;
      const body = document.createElement("span");
      body.textContent = text;
      toast.append(title, body);
      region.append(toast);
      setTimeout(() => toast.remove(), 8000);
    }
    if ("Notification" in window && Notification.permission === "granted" && document.visibilityState !== "visible") {
      new Notification(who, { body: text, tag: `room-${event.room}` });
    }
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") {
      unseen = 0;
      titleCount();
    }
  });
}

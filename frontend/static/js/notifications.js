// Mentions and direct messages, on every page: a toast, the count in the tab's title, and the
// browser's own notification when the tab is hidden and the person allowed them.
const region = document.getElementById("toasts");
let unseen = 0;

function titleCount() {
  const base = document.title.replace(/^\(\d+\) /, "");
  document.title = unseen ? `(${unseen}) ${base}` : base;
}

export function followNotifications(hub) {
  hub.on("notification", (event) => {
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

// The chat page's list of rooms, kept current: a room joined or created in any tab of the person,
// or one they were added to, appears at once; one they left or were taken out of goes.
import { hub } from "./hub.js";

const labels = JSON.parse(document.getElementById("chat-labels")?.textContent || "{}");

function showInSidebar(room) {
  const target = document.getElementById(room.kind === "direct" ? "direct-list" : "room-list");
  if (!target || document.querySelector(`[data-room-link="${Number(room.id)}"]`)) return;
  const link = document.createElement("a");
  link.href = `/chats/${Number(room.id)}/`;
  link.dataset.roomLink = room.id;
  if (room.kind !== "direct") {
    const mark = document.createElement("span");
    mark.className = "room-mark";
    mark.setAttribute("aria-hidden", "true");
    const marks = document.getElementById("room-marks")?.content;
    mark.innerHTML = marks?.querySelector(`[data-kind="${room.kind}"]`)?.innerHTML ?? "";
    link.append(mark);
  }
  const name = document.createElement("span");
  name.className = "room-name";
  name.textContent = room.name;
  const badge = document.createElement("span");
  badge.className = "unread";
  badge.dataset.unread = room.id;
  badge.append(String(room.unread || 0));
  const hidden = document.createElement("span");
  hidden.className = "visually-hidden";
  hidden.textContent = ` ${labels.unread}`;
  badge.append(hidden);
  badge.hidden = !room.unread;
  link.append(name, badge);
  const item = document.createElement("li");
  item.append(link);
  target.prepend(item); // the sidebar lists the latest activity first
  document.getElementById("no-rooms")?.remove();
  document.querySelector(`[data-joinable="${Number(room.id)}"]`)?.remove();
  if (!document.querySelector("[data-joinable]")) {
    document.getElementById("joinable-list")?.remove();
    document.getElementById("joinable-heading")?.remove();
  }
}

hub.on("room.joined", ({ room }) => showInSidebar(room));
hub.on("room.left", (event) => {
  for (const link of document.querySelectorAll(`[data-room-link="${Number(event.room)}"]`)) link.closest("li").remove();
});

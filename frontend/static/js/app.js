// Entry point of every signed-in page: opens the tab's socket and shows whether it is live.
import { chooseStatus, followPresence, reportIdleness } from "./presence.js";
import { hub } from "./hub.js";
import { followNotifications } from "./notifications.js";
import { followUnread } from "./unread.js";

window.khurusapha = { hub };

const status = document.getElementById("live-status");
if (status) {
  const label = status.querySelector(".live-label");
  hub.addEventListener("state", (event) => {
    const state = event.detail.state;
    status.dataset.state = state;
    label.textContent = label.dataset[`label${state[0].toUpperCase()}${state.slice(1)}`] || state;
  });
}

followPresence(hub);
followNotifications(hub);
followUnread(hub);
chooseStatus(hub);
reportIdleness(hub);
hub.connect();

// The room's panel of members, drawn again by the server when someone joins, leaves, is added or is
// taken out (room.members), so every member's page shows who is in the room now.
import { hub } from "./hub.js";
import { enhance } from "./people-picker.js";

hub.on("room.members", async (event) => {
  const panel = document.getElementById("members-panel");
  if (!panel || Number(panel.dataset.room) !== event.room) return;
  const response = await fetch(`/chats/${event.room}/members/`);
  if (!response.ok) return;
  const fresh = new DOMParser().parseFromString(await response.text(), "text/html").getElementById("members-panel");
  const current = document.getElementById("members-panel");
  // Someone choosing people to add keeps what they were doing; the list updates the next time.
  if (!fresh || !current || current.querySelector(".picker-chips li, .picker-input:focus")) return;
  fresh.open = current.open;
  current.replaceWith(fresh);
  for (const select of fresh.querySelectorAll("select[data-picker]")) enhance(select);
});

// Unread messages on every page: the count on the rail's chat entry ("@" when some are for the
// person: a direct message or a mention) and in the tab's title, kept current from the socket.
const badge = document.getElementById("rail-unread");
const baseTitle = document.title.replace(/^\(\d+\) /, "");
const counts = new Map(); // room id -> unread messages
const personal = new Set((badge?.dataset.personal || "").split(",").filter(Boolean).map(Number));
let total = Number(badge?.querySelector("[aria-hidden]")?.textContent.replace(/\D/g, "")) || 0;
let me = null;

function show() {
  if (counts.size) total = [...counts.values()].reduce((sum, n) => sum + n, 0);
  document.title = total ? `(${total}) ${baseTitle}` : baseTitle;
  if (!badge) return;
  const forMe = personal.size > 0;
  badge.hidden = !total;
  badge.classList.toggle("is-personal", forMe);
  badge.querySelector("[aria-hidden]").textContent = forMe ? `@ ${total}` : String(total);
  badge.querySelector(".visually-hidden").textContent = (forMe ? badge.dataset.labelPersonal : badge.dataset.label).replace(
    "%(n)s", total,
  );
}

export function followUnread(hub) {
  hub.on("hello", (hello) => {
    me = hello.user?.id ?? null;
    counts.clear();
    for (const room of hello.rooms) counts.set(room.id, room.unread);
    for (const room of personal) if (!counts.get(room)) personal.delete(room); // read elsewhere meanwhile
    show();
  });
  hub.on("message.new", ({ message }) => {
    if (message.author?.id === me || !counts.has(message.room)) return;
    counts.set(message.room, counts.get(message.room) + 1);
    show();
  });
  hub.on("read", (event) => {
    counts.set(event.room, event.unread);
    if (!event.unread) personal.delete(event.room);
    show();
  });
  hub.on("notification", (event) => {
    personal.add(event.room);
    show();
  });
  hub.on("room.joined", ({ room }) => {
    counts.set(room.id, room.unread || 0);
    show();
  });
  hub.on("room.left", (event) => {
    counts.delete(event.room);
    personal.delete(event.room);
    show();
  });
  show();
}

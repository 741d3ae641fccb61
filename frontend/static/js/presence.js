// Live presence: every element marked data-presence-user follows that person's status, and the
// tab reports whether its person is idle (no keyboard or pointer use for IDLE_AFTER_MS).

const IDLE_AFTER_MS = 5 * 60 * 1000;
const STATUS_CLASS = /\bpresence-(available|busy|in_meeting|away|offline|out_of_office)\b/;

export function followPresence(hub) {
  const labelsElement = document.getElementById("presence-labels");
  const labels = labelsElement ? JSON.parse(labelsElement.textContent) : {};
  hub.on("presence", (event) => {
    for (const element of document.querySelectorAll(`[data-presence-user="${event.user}"]`)) {
      element.className = element.className.replace(STATUS_CLASS, `presence-${event.status}`);
      element.dataset.status = event.status;
      const label = element.querySelector(".presence-label");
      if (label) label.textContent = labels[event.status] || event.status;
    }
  });
}

export function reportIdleness(hub) {
  let idle = false;
  let timer = null;
  const becomeIdle = () => {
    idle = true;
    hub.send({ type: "presence.idle", idle: true });
  };
  const active = () => {
    clearTimeout(timer);
    timer = setTimeout(becomeIdle, IDLE_AFTER_MS);
    if (idle) {
      idle = false;
      hub.send({ type: "presence.idle", idle: false });
    }
  };
  for (const type of ["keydown", "pointerdown", "pointermove", "focus"]) {
    window.addEventListener(type, active, { passive: true });
  }
  // A new socket starts not idle on the server; tell it if the person already walked away.
  hub.addEventListener("state", (event) => {
    if (event.detail.state === "open" && idle) hub.send({ type: "presence.idle", idle: true });
  });
  active();
}

// The status menu in the top bar: choosing a status tells the server over the socket, at once.
export function chooseStatus(hub) {
  const form = document.getElementById("presence-form");
  if (!form) return;
  form.addEventListener("change", (event) => {
    if (event.target.name !== "status") return;
    if (!hub.send({ type: "presence.set", status: event.target.value })) form.submit();
  });
}

// The meeting's video call on its page, with Jitsi's IFrame API loaded from the configured domain.
// If the script cannot load (blocked, offline, a deployment without it), the page says so and the
// "Join in a new tab" link stays the way in.
const section = document.getElementById("call");

// Tell the hub who is in the call (attendance per occurrence); keepalive lets "left" go out as the
// page closes.
function report(event) {
  let token = "";
  try {
    token = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
  } catch {
    token = "";
  }
  fetch(section.dataset.attendance, {
    method: "POST",
    headers: { "X-CSRFToken": token },
    body: new URLSearchParams({ event }),
    credentials: "same-origin",
    keepalive: true,
  }).catch(() => {});
}

if (section) {
  const frame = document.getElementById("call-frame");
  const status = document.getElementById("call-fallback");
  const failed = () => {
    status.textContent = document.getElementById("call-failed").innerHTML.trim();
    status.dataset.state = "failed";
    frame.hidden = true;
  };
  const script = document.createElement("script");
  script.src = section.dataset.script;
  script.async = true;
  script.onerror = failed;
  script.onload = () => {
    if (typeof window.JitsiMeetExternalAPI !== "function") return failed();
    frame.hidden = false;
    const api = new window.JitsiMeetExternalAPI(section.dataset.domain, {
      roomName: section.dataset.room,
      jwt: section.dataset.jwt || undefined,
      parentNode: frame,
      width: "100%",
      height: "100%",
      userInfo: { displayName: section.dataset.name, email: section.dataset.email },
    });
    let inCall = false;
    api.addListener("videoConferenceJoined", () => {
      status.textContent = "";
      status.dataset.state = "joined";
      inCall = true;
      report("joined");
    });
    api.addListener("videoConferenceLeft", () => {
      if (inCall) report("left");
      inCall = false;
    });
    window.addEventListener("pagehide", () => api.dispose(), { once: true });
  };
  document.head.appendChild(script);
}

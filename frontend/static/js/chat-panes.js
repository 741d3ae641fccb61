// The chat page on a phone: one pane at a time (rooms, conversation, thread), sized to what the
// screen shows above the on-screen keyboard, so the composer is never under it.
const chat = document.getElementById("chat");
const back = document.getElementById("back-to-rooms");

// Browsers that overlay the keyboard instead of resizing the page (iOS Safari) still shrink the
// visual viewport: the page takes that height.
const viewport = window.visualViewport;
function fit() {
  const root = document.documentElement.style;
  // Zoomed in by a pinch: the page keeps its size (the visual viewport is only a window onto it).
  if (Math.abs(viewport.scale - 1) > 0.01) return root.removeProperty("--app-height");
  root.setProperty("--app-height", `${Math.round(viewport.height)}px`);
  if (viewport.offsetTop) window.scrollTo(0, 0);
}
if (viewport) {
  viewport.addEventListener("resize", fit);
  fit();
}

// Back to the list without leaving the page (its socket, drafts and outbox stay); the browser's
// Back button returns to the conversation.
back?.addEventListener("click", (event) => {
  event.preventDefault();
  history.pushState({ pane: "rooms" }, "", back.href);
  chat.dataset.pane = "rooms";
});
window.addEventListener("popstate", (event) => {
  if (chat && back) chat.dataset.pane = event.state?.pane || "conversation";
});

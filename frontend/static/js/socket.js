// The one WebSocket of this tab: connects to /ws/, reconnects with backoff, and re-dispatches frames.
// Other modules listen with hub.on("message.new", fn) and send with hub.send({...}).

const PING_EVERY_MS = 25000;
const MAX_BACKOFF_MS = 15000;
const TOO_MANY_WAIT_MS = 60000;

export class HubSocket extends EventTarget {
  constructor(url = HubSocket.defaultUrl()) {
    super();
    this.url = url;
    this.attempt = 0;
    this.socket = null;
    this.state = "connecting";
    this.closedByServer = null;
  }

  static defaultUrl() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    return `${scheme}//${location.host}/ws/`;
  }

  static afterSessionEnded() {
    return document.body?.dataset.sessionEnded || "/login/?next=" + encodeURIComponent(location.pathname);
  }

  connect() {
    this.setState("connecting");
    const socket = new WebSocket(this.url);
    this.socket = socket;
    socket.addEventListener("open", () => {
      this.attempt = 0;
      this.setState("open");
      this.pinger = setInterval(() => this.send({ type: "ping" }), PING_EVERY_MS);
    });
    socket.addEventListener("message", (event) => {
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      // Several people's presence in one frame (a batch of sockets opened or closed together):
      // listeners hear one "presence" event per person, as if each had come alone.
      const frames = frame.type === "presence.many" ? frame.changes.map((change) => ({ type: "presence", ...change })) : [frame];
      for (const one of frames) {
        this.dispatchEvent(new CustomEvent(one.type, { detail: one }));
        this.dispatchEvent(new CustomEvent("frame", { detail: one }));
      }
    });
    socket.addEventListener("close", (event) => {
      clearInterval(this.pinger);
      // 4401: the session ended (logged out elsewhere) or access was revoked; 4403: refused.
      // Reconnecting cannot help; the login page sends a browser still logged in straight back.
      // A session opened without a password (an expert's invitation link, hub.scopes) names a page
      // of its own instead: its person has no password to log in with.
      if (event.code === 4401 || event.code === 4403) {
        this.closedByServer = event.code;
        this.setState("refused");
        if (event.code === 4401) location.assign(HubSocket.afterSessionEnded());
        return;
      }
      this.setState("closed");
      // 4429: this person has too many tabs open on the server; 4008: this tab flooded it. Neither
      // is helped by coming straight back.
      const patient = event.code === 4429 || event.code === 4008;
      const backoff = Math.min(MAX_BACKOFF_MS, 500 * 2 ** this.attempt);
      const delay = (patient ? TOO_MANY_WAIT_MS : backoff) * (0.75 + Math.random() / 2);
      this.attempt += 1;
      setTimeout(() => this.connect(), delay);
    });
  }

  send(frame) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }

  on(type, handler) {
    this.addEventListener(type, (event) => handler(event.detail));
  }

  setState(state) {
    this.state = state;
    this.dispatchEvent(new CustomEvent("state", { detail: { state } }));
  }
}

"""A stand-in for a Jitsi Meet deployment on loopback, for the demo and the tests only: a minimal
external_api.js (the IFrame API's constructor, listeners and dispose), a call page per room, and the
HTTP endpoints meetings.jitsi.Client asks (/about/health, /room-size).

    python -m meetings.jitsi_standin --port 9104 [--parent PID]
"""

import argparse
import html
import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

EXTERNAL_API = """// Stand-in for Jitsi's external_api.js: enough of the IFrame API for the hub's page.
(function () {
  function JitsiMeetExternalAPI(domain, options) {
    options = options || {};
    var scheme = location.protocol === "https:" ? "https:" : "http:";
    var src = scheme + "//" + domain + "/" + encodeURIComponent(options.roomName || "")
      + (options.jwt ? "?jwt=" + encodeURIComponent(options.jwt) : "");
    var frame = document.createElement("iframe");
    frame.src = src;
    frame.title = "Jitsi Meet";
    frame.allow = "camera; microphone; display-capture; fullscreen";
    frame.style.width = options.width || "100%";
    frame.style.height = options.height || "100%";
    frame.style.border = "0";
    this._listeners = {};
    this._frame = frame;
    var api = this;
    frame.addEventListener("load", function () {
      var who = (options.userInfo || {}).displayName;
      api._emit("videoConferenceJoined", {roomName: options.roomName, displayName: who});
    });
    (options.parentNode || document.body).appendChild(frame);
  }
  JitsiMeetExternalAPI.prototype.addListener = function (name, fn) {
    (this._listeners[name] = this._listeners[name] || []).push(fn);
  };
  JitsiMeetExternalAPI.prototype.addEventListener = JitsiMeetExternalAPI.prototype.addListener;
  JitsiMeetExternalAPI.prototype._emit = function (name, data) {
    (this._listeners[name] || []).forEach(function (fn) { fn(data); });
  };
  JitsiMeetExternalAPI.prototype.getIFrame = function () { return this._frame; };
  JitsiMeetExternalAPI.prototype.dispose = function () {
    this._emit("videoConferenceLeft", {});
    this._frame.remove();
  };
  window.JitsiMeetExternalAPI = JitsiMeetExternalAPI;
})();
"""

CALL_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Stand-in call</title>
<style>body{{margin:0;font-family:sans-serif;background:#111827;color:#f9fafb;display:grid;place-items:center;
height:100vh;text-align:center}}p{{color:#d1d5db}}</style></head>
<body><main><h1>Stand-in video call</h1><p>Room {room}</p><p>{who}</p></main></body></html>"""


class StandIn:
    """The stand-in server; `rooms` maps a room name to how many are in it."""

    def __init__(self, port: int = 0, rooms: dict[str, int] | None = None):
        self.rooms = dict(rooms or {})
        self.healthy = True
        self.requests: list[str] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def domain(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.domain}"

    def start(self) -> "StandIn":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self):
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _send(self, status: int, body: str, content_type: str) -> None:
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Access-Control-Allow-Origin", "*")
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                parts = urlsplit(self.path)
                query = parse_qs(parts.query)
                standin.requests.append(parts.path)
                if parts.path == "/external_api.js":
                    self._send(200, EXTERNAL_API, "text/javascript; charset=utf-8")
                elif parts.path == "/about/health":
                    ok = standin.healthy
                    self._send(200 if ok else 503, json.dumps({"ok": ok}), "application/json")
                elif parts.path == "/room-size":
                    room = (query.get("room") or [""])[0]
                    if room not in standin.rooms:
                        self._send(404, json.dumps({"error": "no such room"}), "application/json")
                    else:
                        self._send(200, json.dumps({"participants": standin.rooms[room]}), "application/json")
                else:
                    who = "with a token" if "jwt" in query else "without a token"
                    page = CALL_PAGE.format(room=html.escape(parts.path.strip("/")), who=who)
                    self._send(200, page, "text/html; charset=utf-8")

        return Handler


def _watch_parent(pid: int, standin: StandIn) -> None:
    """Stop when the demo server that started us is gone."""
    while True:
        time.sleep(1)
        try:
            os.kill(pid, 0)
        except OSError:
            standin.stop()
            return


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--parent", type=int, default=0, help="stop when this process ends")
    args = parser.parse_args()
    standin = StandIn(port=args.port)
    if args.parent:
        threading.Thread(target=_watch_parent, args=(args.parent, standin), daemon=True).start()
    standin.server.serve_forever()


if __name__ == "__main__":
    main()

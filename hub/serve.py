"""Serve the hub's ASGI application: Uvicorn by default, Daphne with SERVER=daphne.

Uvicorn (uvloop, httptools, the sans-I/O websockets protocol) is the default because it measured
faster (docs/performance.md: a delivery costs about 30 % less CPU than on Daphne), with limits on
slow request headers and connections per address (hub.http_limits). Daphne stays available.
Either way the hub reads a socket's frames as they arrive and drops those over budget (hub.inbox).

    python -m hub.serve [--host H] [--port P] [--app bench.bare_asgi:application]
"""

import argparse
import os
import sys

SERVERS = ("uvicorn", "daphne")
# Daphne's own limit on a frame; the consumer refuses anything above WS_MAX_FRAME_BYTES itself.
MAX_FRAME_BYTES = 1024 * 1024


def command(host: str, port: int, app: str = "hub.asgi:application", server: str | None = None) -> list[str]:
    server = server or os.environ.get("SERVER", "uvicorn")
    if server not in SERVERS:
        raise SystemExit(f"SERVER must be one of {', '.join(SERVERS)}, not {server!r}.")
    behind_proxy = os.environ.get("BEHIND_PROXY", "").lower() in {"1", "true", "yes", "on"}
    if server == "daphne":
        # Daphne offers no deadline for request headers and no cap per address: Twisted closes a
        # connection idle for 60 s, but each byte restarts that clock (docs/deployment.md).
        proxy = ["--proxy-headers"] if behind_proxy else []
        return [sys.executable, "-m", "daphne", *proxy, "-b", host, "-p", str(port), app]
    proxy = ["--proxy-headers"] if behind_proxy else ["--no-proxy-headers"]
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "--host",
        host,
        "--port",
        str(port),
        # Uvicorn's HTTP protocol with a deadline for request headers and a cap on connections per
        # address (HTTP_HEADER_TIMEOUT_SECONDS, MAX_CONNECTIONS_PER_ADDRESS; hub/http_limits.py).
        "--http",
        "hub.http_limits:LimitedHttpToolsProtocol",
        "--ws",
        "websockets-sansio",
        "--ws-max-size",
        str(MAX_FRAME_BYTES),
        # Compression is per socket (each has its own zlib state), so a fan-out would compress
        # every event once per recipient: it cost 6 % of the CPU under load, for frames of a few
        # hundred bytes. Daphne does not compress either.
        "--ws-per-message-deflate",
        "false",
        # hub.asgi routes http and websocket only; the lifespan protocol has nothing to do.
        "--lifespan",
        "off",
        "--no-server-header",
        "--no-access-log",
        *proxy,
        app,
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--app", default="hub.asgi:application")
    args = parser.parse_args()
    argv = command(args.host, args.port, args.app)
    os.execv(argv[0], argv)  # noqa: S606  (our own argument list, no shell)


if __name__ == "__main__":
    main()

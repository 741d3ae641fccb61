"""ASGI entry of the bare Channels broadcast baseline (bench/servers.py), for Daphne or Uvicorn."""

from bench.servers import bare_channels_application

application = bare_channels_application()

"""The hub: settings, ASGI entry, the one WebSocket consumer, realtime fan-out, API root."""

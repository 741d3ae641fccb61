"""Log lines: a request id on every line written while a request or a socket is served, and JSON
lines (one object per line) when LOG_FORMAT=json."""

import contextvars
import json
import logging
import time

# The request or socket being served; asyncio tasks started meanwhile inherit it.
request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")

# Attributes every LogRecord has; anything else was passed in `extra` and belongs in the line.
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "request_id", "fields", "color_message"}


class RequestIdFilter(logging.Filter):
    """Puts the current request id on each record (handlers' filter, so every logger gets it)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = request_id.get() or "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, request_id, the
    fields passed as extra={"fields": {...}}, and the traceback as one string if there is one."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if getattr(record, "request_id", "-") != "-":
            line["request_id"] = record.request_id
        line.update(getattr(record, "fields", None) or {})
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                line.setdefault(key, value)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class UvicornConnectionsFilter(logging.Filter):
    """Uvicorn says "connection open", "connection closed" and "[accepted]" for every socket; the
    socket's own line (hub.observe) says all of that once, when it ends."""

    NOISE = ("connection open", "connection closed")

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name != "uvicorn.error" or record.levelno > logging.INFO:
            return True
        message = record.msg if isinstance(record.msg, str) else ""
        return message not in self.NOISE and not message.endswith("[accepted]")


def config(log_format: str, level: str) -> dict:
    """Django's LOGGING for the chosen format ("plain" or "json")."""
    handler = {
        "class": "logging.StreamHandler",
        "formatter": log_format,
        "filters": ["request_id", "during_outage", "uvicorn_connections"],
    }
    ours = {"handlers": ["console"], "level": level, "propagate": False}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "request_id": {"()": "hub.logs.RequestIdFilter"},
            "during_outage": {"()": "hub.outages.DuringOutageFilter"},
            "uvicorn_connections": {"()": "hub.logs.UvicornConnectionsFilter"},
        },
        "formatters": {
            "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
            "json": {"()": "hub.logs.JsonFormatter"},
        },
        "handlers": {"console": handler},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # Uvicorn configured its own handlers before Django started; its lines take ours.
            "uvicorn": ours,
            "uvicorn.error": ours,
            # hub.observe writes one line per request, so the servers' own access lines are off.
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
            "daphne": {"level": "WARNING"},
            "django.channels.server": {"level": "WARNING"},
        },
    }

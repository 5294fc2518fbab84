"""How the bot logs: plain text, or one JSON object per line (`LOG_FORMAT=json`) with the time, level, logger,
message and, while an update is handled, its update id and the user's role. Never a name or a message text: the
code logs ids and kinds only, and the JSON lines carry nothing but these fields (and an exception's traceback)."""

from __future__ import annotations

import contextvars
import json
import logging
from datetime import UTC, datetime

update_id: contextvars.ContextVar[int | None] = contextvars.ContextVar("update_id", default=None)
role: contextvars.ContextVar[str | None] = contextvars.ContextVar("role", default=None)

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class JsonLines(logging.Formatter):
    """One JSON object per record."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if (current := update_id.get()) is not None:
            line["update_id"] = current
        if (current := role.get()) is not None:
            line["role"] = current
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def formatter(log_format: str) -> logging.Formatter:
    return JsonLines() if log_format == "json" else logging.Formatter(TEXT_FORMAT)

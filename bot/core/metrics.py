"""What `/metrics` shows (Prometheus text format, `prometheus_client`), one registry per running bot.

Updates are counted where they are processed (`count_update`); the delivery worker's counters
(`bot.outgoing.delivery.DeliveryStats`) and the outbox by status are read when the page is asked for, so sending
itself never waits for a metric. No label ever holds a name, a chat id or a text: only kinds and outcomes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, is_dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
UPDATE_KINDS = ("command", "text", "button", "edited", "other")
OUTBOX_STATUSES = ("pending", "sent", "failed", "cancelled")
HANDLER_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class _DeliveryCollector(Collector):
    """The delivery worker's counters, read at scrape time from whatever `source()` returns (None: no worker)."""

    def __init__(self, source: Callable[[], object | None]) -> None:
        self.source = source

    def collect(self):
        stats = self.source()
        counts = asdict(stats) if stats is not None and is_dataclass(stats) else {}
        sends = CounterMetricFamily("spoorzoeker_sends", "Outbox sends by outcome", labels=["outcome"])
        for outcome in ("sent", "retried", "failed", "cancelled", "postponed"):
            sends.add_metric([outcome], counts.get(outcome, 0))
        yield sends
        too_many = counts.get("rate_limited", 0)
        yield CounterMetricFamily("spoorzoeker_telegram_429", "Answers 429 from Telegram", value=too_many)


class Metrics:
    """The bot's metrics. `delivery_stats` returns the running delivery worker's `DeliveryStats` (or None)."""

    def __init__(self, delivery_stats: Callable[[], object | None] = lambda: None) -> None:
        self.registry = registry = CollectorRegistry()
        self.updates = Counter("spoorzoeker_updates", "Telegram updates handled, by kind", ["kind"], registry=registry)
        self.handler_seconds = Histogram(
            "spoorzoeker_handler_seconds", "Time from taking an update to its answer sent", ["kind"],
            buckets=HANDLER_BUCKETS, registry=registry,
        )  # fmt: skip
        self.outbox_rows = Gauge("spoorzoeker_outbox_rows", "Outbox rows by status", ["status"], registry=registry)
        self.sweep_seconds = Histogram("spoorzoeker_sweep_seconds", "Duration of a round of sweeps", registry=registry)
        self.last_sweep = Gauge(
            "spoorzoeker_last_sweep_timestamp_seconds", "When a round of sweeps last ended (Unix time)",
            registry=registry,
        )  # fmt: skip
        self.registry.register(_DeliveryCollector(delivery_stats))
        for kind in UPDATE_KINDS:  # every series exists from the start (a rate over a missing series is empty)
            self.updates.labels(kind)
            self.handler_seconds.labels(kind)

    def count_update(self, kind: str, seconds: float) -> None:
        kind = kind if kind in UPDATE_KINDS else "other"
        self.updates.labels(kind).inc()
        self.handler_seconds.labels(kind).observe(seconds)

    def sweep_ran(self, seconds: float, ended_at: float | None = None) -> None:
        self.sweep_seconds.observe(seconds)
        self.last_sweep.set(ended_at if ended_at is not None else time.time())

    def set_outbox(self, counts: dict[str, int]) -> None:
        for status in OUTBOX_STATUSES:
            self.outbox_rows.labels(status).set(counts.get(status, 0))

    def page(self) -> bytes:
        return generate_latest(self.registry)

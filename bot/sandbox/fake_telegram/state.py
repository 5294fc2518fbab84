"""The building blocks of the server state: `ChangeNotifier` (wakes waiters by topic), the rate limits,
`FaultInjector` (errors and delays queued by tests), `UpdateQueue` (getUpdates bookkeeping), `FileStore` and
`ChatState` (one private chat), with the callback queries the bot has to answer."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from bot.sandbox.fake_telegram.records import RATE_WINDOW_S, ApiError, SentMessage

if TYPE_CHECKING:
    from bot.sandbox.fake_telegram.users import SimUser


_DEFAULT_ALLOWED_UPDATES = frozenset(
    {"message", "edited_message", "callback_query", "inline_query", "my_chat_member", "pre_checkout_query"}
)

# ChangeNotifier topics (besides ("update", id), ("chat", id) and ("query", id)).
_POLL_TOPIC = "poll"  # something a waiting getUpdates must look at: new update, newer poll, shutdown
_DELIVERED_TOPIC = "delivered"  # some update was fetched by the bot (or dropped)
_INFLIGHT_TOPIC = "inflight"  # no API call is being handled any more


class ChangeNotifier:
    """Wakes the waiters of a topic when that part of the server state changes.

    Topics keep wake-ups targeted (a user waiting for its chat is not woken by every other chat),
    so thousands of concurrent waiters stay cheap. `notify` is synchronous, for use anywhere.
    """

    def __init__(self) -> None:
        self._events: dict[Hashable, asyncio.Event] = {}

    def reset(self) -> None:
        """Wake and forget all waiters (their events may belong to an event loop that is gone)."""
        for event in self._events.values():
            event.set()
        self._events.clear()

    def notify(self, topic: Hashable) -> None:
        event = self._events.pop(topic, None)
        if event is not None:
            event.set()

    async def wait_until(self, topic: Hashable, predicate: Callable[[], bool], deadline: float) -> bool:
        """Wait until `predicate()` holds, re-checking whenever `topic` is notified; False if
        `deadline` (time.monotonic) passes first."""
        while not predicate():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            event = self._events.get(topic)
            if event is None:
                event = self._events[topic] = asyncio.Event()
            try:
                async with asyncio.timeout(remaining):
                    await event.wait()
            except TimeoutError:
                pass
        return True


class SlidingWindowLimiter:
    """At most `rate` events per `window_s` seconds; O(1) amortised per event."""

    def __init__(self, rate: float, window_s: float = RATE_WINDOW_S) -> None:
        self._rate = rate
        self._window_s = window_s
        self._stamps: deque[float] = deque()

    def allows(self, now: float) -> bool:
        horizon = now - self._window_s
        while self._stamps and self._stamps[0] <= horizon:
            self._stamps.popleft()
        return len(self._stamps) < self._rate

    def record(self, now: float) -> None:
        self._stamps.append(now)


class RateLimits:
    """The global and per-chat send limits of the server."""

    def __init__(self, global_rate_per_s: float | None, per_chat_rate_per_s: float | None) -> None:
        self._global = SlidingWindowLimiter(global_rate_per_s) if global_rate_per_s else None
        self._per_chat_rate = per_chat_rate_per_s
        self._per_chat: dict[int, SlidingWindowLimiter] = {}

    def try_acquire(self, chat_id: int | None, now: float) -> bool:
        limiters = [self._global] if self._global else []
        if self._per_chat_rate and chat_id is not None:
            if chat_id not in self._per_chat:
                self._per_chat[chat_id] = SlidingWindowLimiter(self._per_chat_rate)
            limiters.append(self._per_chat[chat_id])
        if not all(limiter.allows(now) for limiter in limiters):
            return False
        for limiter in limiters:
            limiter.record(now)
        return True


@dataclass
class _FailRule:
    method: str
    error: ApiError
    chat_id: int | None
    remaining: int


@dataclass
class _SlowRule:
    method: str
    delay_s: float
    remaining: int


class FaultInjector:
    """Errors and delays queued by the tests for upcoming calls."""

    def __init__(self) -> None:
        self._failures: list[_FailRule] = []
        self._delays: list[_SlowRule] = []

    def add_failure(self, method: str, error: ApiError, chat_id: int | None, count: int) -> None:
        self._failures.append(_FailRule(method, error, chat_id, count))

    def add_delay(self, method: str, delay_s: float, count: int) -> None:
        self._delays.append(_SlowRule(method, delay_s, count))

    def take_failure(self, method: str, chat_id: int | None) -> ApiError | None:
        for rule in self._failures:
            if rule.method == method and rule.chat_id in (None, chat_id):
                rule.remaining -= 1
                if rule.remaining <= 0:
                    self._failures.remove(rule)
                return rule.error
        return None

    def take_delay(self, method: str) -> float:
        for rule in self._delays:
            if rule.method == method:
                rule.remaining -= 1
                if rule.remaining <= 0:
                    self._delays.remove(rule)
                return rule.delay_s
        return 0.0


class UpdateQueue:
    """Pending updates and the getUpdates bookkeeping (offsets, allowed_updates, delivery).

    `_undelivered` holds updates the bot has not fetched yet; `_unconfirmed` those it fetched but did
    not confirm with a higher offset (a getUpdates call without a new offset returns them again).
    Every update leaves `_undelivered` exactly once, which is when its waiters are woken.
    """

    def __init__(self, notifier: ChangeNotifier) -> None:
        self._notifier = notifier
        self._undelivered: deque[dict[str, Any]] = deque()
        self._unconfirmed: deque[dict[str, Any]] = deque()
        self._ids = itertools.count(10_001)
        self._allowed: frozenset[str] = _DEFAULT_ALLOWED_UPDATES
        self.poll_generation = 0  # a new getUpdates supersedes a running one (409 Conflict)

    def put(self, body: dict[str, Any]) -> int:
        update_id = next(self._ids)
        if _update_type(body) in self._allowed:  # Telegram drops types the bot did not ask for
            self._undelivered.append({"update_id": update_id, **body})
            self._notifier.notify(_POLL_TOPIC)
        return update_id

    @property
    def pending_count(self) -> int:
        return len(self._unconfirmed) + len(self._undelivered)

    def all_delivered(self) -> bool:
        return not self._undelivered

    def is_delivered(self, update_id: int) -> bool:
        return not self._undelivered or update_id < self._undelivered[0]["update_id"]

    def set_allowed(self, allowed_updates: list[str]) -> None:
        self._allowed = frozenset(allowed_updates) or _DEFAULT_ALLOWED_UPDATES
        kept = deque(update for update in self._undelivered if _update_type(update) in self._allowed)
        if len(kept) != len(self._undelivered):
            dropped = [update for update in self._undelivered if _update_type(update) not in self._allowed]
            self._undelivered = kept
            self._announce(dropped)

    def confirm(self, offset: int | None) -> None:
        """Forget confirmed updates: id < offset, or all but the last -offset for negative offsets."""
        if offset is None:
            return
        if offset < 0:
            while self.pending_count > -offset:
                self._pop_oldest()
            return
        while self._unconfirmed and self._unconfirmed[0]["update_id"] < offset:
            self._unconfirmed.popleft()
        while self._undelivered and self._undelivered[0]["update_id"] < offset:
            self._announce([self._undelivered.popleft()])

    def drop_all(self) -> None:
        self._unconfirmed.clear()
        dropped, self._undelivered = list(self._undelivered), deque()
        self._announce(dropped)

    def has_deliverable(self) -> bool:
        return bool(self._unconfirmed or self._undelivered)

    def take(self, limit: int) -> list[dict[str, Any]]:
        """Up to `limit` updates, oldest first; they stay pending until confirmed by a later offset."""
        batch = list(itertools.islice(self._unconfirmed, limit))
        fresh = [self._undelivered.popleft() for _ in range(min(limit - len(batch), len(self._undelivered)))]
        self._unconfirmed.extend(fresh)
        self._announce(fresh)
        return batch + fresh

    def _pop_oldest(self) -> None:
        if self._unconfirmed:
            self._unconfirmed.popleft()
        else:
            self._announce([self._undelivered.popleft()])

    def _announce(self, delivered: list[dict[str, Any]]) -> None:
        for update in delivered:
            self._notifier.notify(("update", update["update_id"]))
        if delivered:
            self._notifier.notify(_DELIVERED_TOPIC)


def _update_type(update: dict[str, Any]) -> str:
    return next(key for key in update if key != "update_id")


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    data: bytes
    file_name: str | None
    mime_type: str | None


class FileStore:
    """Files known to the server, addressable by file_id (getFile and downloads)."""

    def __init__(self) -> None:
        self._files: dict[str, StoredFile] = {}
        self._ids = itertools.count(1)

    def add(self, kind: str, data: bytes, file_name: str | None, mime_type: str | None) -> StoredFile:
        number = next(self._ids)
        stored = StoredFile(f"fake-{kind}-{number:06d}", f"uq{number:06d}", data, file_name, mime_type)
        self._files[stored.file_id] = stored
        return stored

    def get(self, file_id: str) -> StoredFile | None:
        return self._files.get(file_id)


@dataclass
class _CallbackQuery:
    chat_id: int
    answer_calls: int = 0  # how many answerCallbackQuery calls arrived for it
    answered: bool = False  # successfully

    def was_answered(self) -> bool:
        return self.answer_calls > 0


class ChatState:
    """One private chat: the user, both sides' messages and the shared message_id counter."""

    def __init__(self, user: SimUser) -> None:
        self.user = user
        self.messages: dict[int, SentMessage] = {}  # the bot's messages, in message_id order
        self.user_messages: dict[int, dict[str, Any]] = {}  # the user's messages as update JSON
        self.changes: list[int] = []  # ids of bot messages in the order they were sent or edited
        self.reply_calls = 0  # API calls by the bot that concern this chat
        self._message_ids = itertools.count(1)

    def next_message_id(self) -> int:
        return next(self._message_ids)

    def add(self, message: SentMessage) -> None:
        self.messages[message.message_id] = message
        self.changes.append(message.message_id)

    def changed_since(self, mark: int) -> list[SentMessage]:
        ids = dict.fromkeys(self.changes[mark:])
        return [replace(self.messages[i]) for i in ids if i in self.messages]

    def latest_with_keyboard(self) -> SentMessage | None:
        return next((m for m in reversed(self.messages.values()) if m.reply_markup), None)

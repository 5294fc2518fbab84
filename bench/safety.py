"""Safety screening benchmark: how well and how fast `bot.rules.safety.screen` works on the test lists.

Run from the project folder::

    python bench/safety.py [--runs 20]

Prints the hit rate on the crisis phrases of `tests/safety_phrases.py` (the known misses included), the
false-alarm rate on the ordinary job-search sentences, the borderline sentences that trigger on purpose, the rates
on each fresh batch (tests/safety_phrases.py BLIND_BATCHES; only the last is still blind), and the time per
message: the median over `--runs` runs of every list sentence (short messages), and of one 4,000-character message
(the longest text Telegram sends) with a cold cache; and the time the learned part takes to train at first use.
The last line of the output is one JSON object with the numbers.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.rules import safety  # noqa: E402
from tests.safety_phrases import BORDERLINE, CRISIS, KNOWN_MISSES, ORDINARY, blind_rates  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    start = time.perf_counter()
    safety._model()
    training = time.perf_counter() - start
    crisis = CRISIS + KNOWN_MISSES
    hits = [text for text in crisis if safety.screen(text).hit]
    false_alarms = [text for text in ORDINARY if safety.screen(text).hit]
    borderline = [text for text in BORDERLINE if safety.screen(text).hit]
    short, long = [], []
    message = (" ".join(ORDINARY) * 3)[:4000]
    for _ in range(args.runs):
        start = time.perf_counter()
        for text in CRISIS + ORDINARY:
            safety.screen(text)
        short.append((time.perf_counter() - start) / len(CRISIS + ORDINARY))
        safety._word_matches.cache_clear()
        start = time.perf_counter()
        safety.screen(message)
        long.append(time.perf_counter() - start)
    blind = blind_rates()
    result = {
        "hits": len(hits),
        "crisis_phrases": len(crisis),
        "borderline_flagged": len(borderline),
        "borderline": len(BORDERLINE),
        "false_alarms": len(false_alarms),
        "ordinary_sentences": len(ORDINARY),
        "short_message_ms": round(statistics.median(short) * 1000, 2),
        "message_4000_chars_cold_ms": round(statistics.median(long) * 1000, 1),
        "model_training_ms": round(training * 1000),
        "last_batch_blind": "{}/{} caught, {}/{} flagged".format(*blind[max(blind)]),
    }
    print(f"hit rate {len(hits)}/{len(crisis)}, false alarms {len(false_alarms)}/{len(ORDINARY)}")
    print(f"borderline sentences flagged on purpose: {len(borderline)}/{len(BORDERLINE)}")
    for text in sorted(set(crisis) - set(hits)):
        print(f"  missed: {text}")
    for text in false_alarms:
        print(f"  false alarm: {text}")
    print("fresh batches with the version of now (only the last is still blind; see tests/safety_phrases.py):")
    for number, (caught, crisis_count, flagged, ordinary_count) in blind.items():
        print(f"  batch {number}: {caught}/{crisis_count} caught, {flagged}/{ordinary_count} ordinary flagged")
    short_ms, long_ms = result["short_message_ms"], result["message_4000_chars_cold_ms"]
    print(f"short message: {short_ms} ms; 4,000 characters, cold: {long_ms} ms")
    print(f"training the learned part at first use: {result['model_training_ms']} ms")
    print(json.dumps(result))


if __name__ == "__main__":
    main()

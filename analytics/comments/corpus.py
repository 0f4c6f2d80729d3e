"""The labelled comments the models learn from (data/corpus/*.tsv, columns text, lang, sentiment,
theme), and the held-out split that training never sees."""

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path

CORPUS_DIR = Path(__file__).parent / "data" / "corpus"
SENTIMENTS = ("negative", "neutral", "positive")
THEMES = ("workload", "job_security", "training", "rules_data", "tools", "management", "fatigue", "other")
# One comment in five is held out, chosen by a hash of its text: the split is the same on every
# machine and stays put when the corpus grows.
HELD_OUT_EVERY = 5


@dataclass(frozen=True)
class Example:
    text: str
    lang: str
    sentiment: str
    theme: str

    @property
    def held_out(self) -> bool:
        digest = hashlib.sha256(self.text.strip().lower().encode()).digest()
        return int.from_bytes(digest[:4], "big") % HELD_OUT_EVERY == 0


def corpus_files() -> list[Path]:
    return sorted(CORPUS_DIR.glob("*.tsv"))


def corpus_digest() -> str:
    """SHA-256 of the corpus files: the model records it, so a stale model shows."""
    digest = hashlib.sha256()
    for path in corpus_files():
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def load_corpus() -> list[Example]:
    examples, seen = [], set()
    for path in corpus_files():
        with path.open(encoding="utf-8", newline="") as handle:
            for line, row in enumerate(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE), start=2):
                example = Example(row["text"].strip(), row["lang"], row["sentiment"], row["theme"])
                if example.lang not in ("fr", "en") or example.sentiment not in SENTIMENTS:
                    raise ValueError(f"{path.name}:{line}: bad lang or sentiment label")
                if example.theme not in THEMES:
                    raise ValueError(f"{path.name}:{line}: unknown theme {example.theme!r}")
                key = example.text.lower()
                if example.text and key not in seen:
                    seen.add(key)
                    examples.append(example)
    return examples


def split(examples: list[Example]) -> tuple[list[Example], list[Example]]:
    """(training, held out)."""
    return [e for e in examples if not e.held_out], [e for e in examples if e.held_out]

"""PII scrubber benchmark (issue 9): recall per kind, clean comments left untouched, ms/comment.

    .venv/bin/python bench/scrub.py [--set FILE.jsonl] [--scrubber FILE.py|module.function] [--show]

The labelled set is JSON lines {"lang", "text", "pii": [{"text", "kind"}]}; by default the
held-out set analytics/comments/data/pii_eval.jsonl (written blind, by someone else), else our
development set pii_dev.jsonl. A PII item counts as found when its text no longer appears in the
scrubbed output; a comment without PII counts as untouched when the output equals the input.
The scrubber is loaded (models included) before timing; ms/comment is the mean over the set, one
comment at a time, as in a request. `--scrubber` takes another implementation for comparison,
e.g. the former placeholder: `git show main:analytics/comments/scrub.py > /tmp/old.py`.
`--show` prints every miss and every touched clean comment.
"""

import argparse
import importlib
import importlib.util
import json
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT / "analytics" / "comments" / "data"
KINDS = ("NAME", "EMAIL", "PHONE", "URL", "HANDLE", "IBAN", "CARD", "NIR")


def load_scrubber(spec: str):
    if spec.endswith(".py"):
        module_spec = importlib.util.spec_from_file_location("scrubber_under_test", spec)
        module = importlib.util.module_from_spec(module_spec)
        module_spec.loader.exec_module(module)
        return module.scrub, getattr(module, "warm", None)
    module_name, _, function = spec.rpartition(".")
    module = importlib.import_module(module_name)
    return getattr(module, function), getattr(module, "warm", None)


def evaluate(rows: list[dict], scrub, show: bool = False) -> dict:
    found = defaultdict(lambda: [0, 0])  # (lang, kind) -> [found, total]
    clean = defaultdict(lambda: [0, 0])  # lang -> [untouched, total]
    timings: list[float] = []
    for row in rows:
        started = time.perf_counter()
        output = scrub(row["text"], row.get("lang")).text
        timings.append(time.perf_counter() - started)
        if row["pii"]:
            for item in row["pii"]:
                hit = item["text"] not in output
                found[row["lang"], item["kind"]][0] += hit
                found[row["lang"], item["kind"]][1] += 1
                if show and not hit:
                    print(f"MISS {item['kind']:6} {item['text']!r:30} <- {output}")
        else:
            untouched = output == row["text"].strip()
            clean[row["lang"]][0] += untouched
            clean[row["lang"]][1] += 1
            if show and not untouched:
                print(f"TOUCHED           {output}")
    return {"found": found, "clean": clean, "timings": timings}


def ratio(pairs) -> tuple[int, int]:
    pairs = list(pairs)
    return sum(p[0] for p in pairs), sum(p[1] for p in pairs)


def cell(hit: int, total: int) -> str:
    return f"{100 * hit / total:5.1f} % ({hit}/{total})" if total else "—"


def print_table(result: dict, title: str) -> None:
    found, clean = result["found"], result["clean"]
    languages = sorted({lang for lang, _ in found} | set(clean))
    print(f"\n{title}")
    header = f"{'':22}" + "".join(f"{lang:>20}" for lang in languages) + f"{'all':>20}"
    print(header)
    print("-" * len(header))
    for kind in KINDS:
        if not any(k == kind for _, k in found):
            continue
        row = [cell(*found[lang, kind]) if (lang, kind) in found else "—" for lang in languages]
        total = cell(*ratio(v for (_, k), v in found.items() if k == kind))
        print(f"recall {kind:15}" + "".join(f"{c:>20}" for c in row) + f"{total:>20}")
    row = [cell(*ratio(v for (lang2, _), v in found.items() if lang2 == lang)) for lang in languages]
    print(f"{'recall, all PII':22}" + "".join(f"{c:>20}" for c in row) + f"{cell(*ratio(found.values())):>20}")
    row = [cell(*clean[lang]) if lang in clean else "—" for lang in languages]
    print(f"{'clean untouched':22}" + "".join(f"{c:>20}" for c in row) + f"{cell(*ratio(clean.values())):>20}")
    timings = [t * 1000 for t in result["timings"]]
    print(
        f"ms/comment: mean {statistics.mean(timings):.2f}, median {statistics.median(timings):.2f}, "
        f"p95 {sorted(timings)[int(0.95 * (len(timings) - 1))]:.2f} ({len(timings)} comments)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_set = DATA / "pii_eval.jsonl"
    parser.add_argument("--set", default=str(default_set if default_set.exists() else DATA / "pii_dev.jsonl"))
    parser.add_argument("--scrubber", default="analytics.comments.scrub.scrub")
    parser.add_argument("--show", action="store_true", help="print misses and touched clean comments")
    args = parser.parse_args()
    rows = [json.loads(line) for line in Path(args.set).read_text(encoding="utf-8").splitlines() if line.strip()]
    scrub, warm = load_scrubber(args.scrubber)
    started = time.perf_counter()
    if warm:
        warm()
    scrub("Échauffement : une phrase.", "fr")
    print(f"load: {time.perf_counter() - started:.1f} s")
    result = evaluate(rows, scrub, show=args.show)
    print_table(result, f"{args.scrubber} on {Path(args.set).name}")


if __name__ == "__main__":
    main()

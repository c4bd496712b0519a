"""Benchmark: how soon the device check has a verdict after the candidate sits down.

`python -m tests.bench_device_check [--runs N] [--json]`: a still camera showing a real
photograph (scikit-image's astronaut, as in tests/test_device_check.py) through LiveSources
and LiveCheck, timed from the first frame to the first ready verdict. Target: within 3 s.
"""

from __future__ import annotations

import argparse
import json
import statistics

from tests.test_device_check import check_picture, scene


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    seconds = [check_picture(scene()).figures.seconds for _ in range(args.runs)]
    figures = {"runs": args.runs, "median_s": round(statistics.median(seconds), 3),
               "max_s": round(max(seconds), 3), "target_s": 3.0}
    if args.json:
        print(json.dumps(figures))
    else:
        print(f"device check verdict after {figures['median_s']} s (median of {args.runs}), "
              f"at most {figures['max_s']} s; target 3 s")


if __name__ == "__main__":
    main()

"""The website chat widget's weight on a shop's page: its script's size as served and
gzipped at level 9, against a budget of 15 KB gzipped.

    python -m bench.widget_size

A report, not a test: it exits 0 when over the budget, and says so.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import cs_tui.channels.chat

WIDGET = Path(cs_tui.channels.chat.__file__).with_name("widget.js")
BUDGET_GZIPPED = 15 * 1024


def main() -> int:
    script = WIDGET.read_bytes()
    zipped = len(gzip.compress(script, compresslevel=9))
    print(f"widget.js: {len(script):,} bytes raw, {zipped:,} bytes gzipped (-9)")
    verdict = "within" if zipped <= BUDGET_GZIPPED else "OVER"
    print(f"budget: {BUDGET_GZIPPED:,} bytes gzipped: {verdict} ({zipped / BUDGET_GZIPPED:.0%} of it)")
    return 0  # a report: a budget missed is printed, not an exit status


if __name__ == "__main__":
    raise SystemExit(main())

"""Benchmark: bake and unbake PNG and SVG badge images, and reject a hostile PNG.

Uses the 1EdTech validator's OB 3.0 sample credential (``simple.json``) and Mozilla's unbaked
bakery images from the third-party vectors beside the repository. Prints the median time of
each operation over --repeat runs (default 2,000).

    .venv/bin/python benchmarks/baking.py [--repeat 2000]
"""

from __future__ import annotations

import argparse
import statistics
import struct
import time
from collections.abc import Callable
from pathlib import Path

from hub.credentials import baking

VECTORS = Path(__file__).resolve().parents[1].parent / "shared" / "vectors"
CREDENTIAL = VECTORS / "1EdTech__digital-credentials-public-validator" / "ob30" / "simple.json"
BAKERY = VECTORS / "mozilla__openbadges-bakery" / "test"


def median_microseconds(operation: Callable[[], object], repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        operation()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings) * 1e6


def hostile_png(png: bytes) -> bytes:
    """Insert a credential chunk header that declares 64 MiB which the file does not contain."""
    header = struct.pack(">I", 64 * 1024 * 1024) + b"iTXt" + b"openbadgecredential\0"
    iend = png.rindex(b"IEND") - 4
    return png[:iend] + header + png[iend:]


def rejected(data: bytes) -> None:
    try:
        baking.unbake(data)
    except baking.BakingError:
        return
    raise AssertionError("the hostile PNG was accepted")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2000, help="runs of each operation")
    repeat = parser.parse_args().repeat

    credential = CREDENTIAL.read_text("utf-8")
    png = (BAKERY / "unbaked.png").read_bytes()
    svg = (BAKERY / "unbaked.svg").read_text("utf-8")
    baked_png = baking.bake_png(png, credential)
    baked_svg = baking.bake_svg(svg, credential).encode("utf-8")
    hostile = hostile_png(png)

    rows = [
        ("bake PNG", len(png), lambda: baking.bake_png(png, credential)),
        ("unbake PNG", len(baked_png), lambda: baking.unbake(baked_png)),
        ("bake SVG", len(svg), lambda: baking.bake_svg(svg, credential)),
        ("unbake SVG", len(baked_svg), lambda: baking.unbake(baked_svg)),
        ("reject 64 MiB iTXt", len(hostile), lambda: rejected(hostile)),
    ]
    print(f"credential: {len(credential):,} bytes; median of {repeat:,} runs")
    print(f"{'operation':<22}{'input bytes':>12}{'median µs':>12}")
    for name, size, operation in rows:
        print(f"{name:<22}{size:>12,}{median_microseconds(operation, repeat):>12.1f}")


if __name__ == "__main__":
    main()

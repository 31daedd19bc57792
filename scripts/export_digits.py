#!/usr/bin/env python3
"""Exports scikit-learn's handwritten digits set to data/digits/digits.csv, once.

The set is UCI's "Optical Recognition of Handwritten Digits" (CC BY 4.0), as shipped inside
scikit-learn (1,797 images of 8x8 pixels, values 0..16, labels 0..9). scikit-learn reads it from
its own package, so the export needs no network beyond installing scikit-learn.

Output: one line per image, `label,p0,...,p63`, in scikit-learn's order, with a header line.

    pip install scikit-learn && python3 scripts/export_digits.py
"""

import csv
import pathlib
import sys

from sklearn.datasets import load_digits

OUT = pathlib.Path(__file__).resolve().parent.parent / "data" / "digits" / "digits.csv"


def main() -> int:
    digits = load_digits()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["label"] + [f"p{i}" for i in range(64)])
        for image, label in zip(digits.data, digits.target):
            writer.writerow([int(label)] + [int(v) for v in image])
    print(f"wrote {len(digits.target)} records to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Writes the seed corpus of fuzz/fuzz_smx.c into fuzz/corpus/ (deterministic).

Each seed spells out the head of a case in the byte format fuzz_smx.c decodes: operation,
size, rows and leading dimensions, misalignment, NULL pointers, labels, and the value
generator (special-value density, base, spread).  The values themselves come from the
fuzzer's generator seeded by the input, so a seed stays a few bytes long.  Seeds named
regress-* are inputs that once exposed a bug (see the comments below); they stay in the
corpus so that .ci/fuzz.sh replays them first.

    python3 fuzz/make_corpus.py            # rewrites fuzz/corpus/seed-* and regress-*
"""
import base64
import os
import sys

OPS = ["exp", "sum", "max", "argmax", "logsumexp", "softmax", "log_softmax", "all_1d",
       "softmax_rows", "log_softmax_rows", "cross_entropy"]
ROWS_OPS = {"softmax_rows", "log_softmax_rows", "cross_entropy"}
SIZES = [15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 255, 256, 257, 511, 512, 513,
         600, 1]
SPECIAL = [0, 0, 0, 1, 4, 16, 64, 255]            # per 256 elements
BASE = [0, 1, -1, 20, -50, 100, -100, 255.5, -255.5, 256, -300, 1e4, -1e6, 3e38, -90, 88]
SPREAD = [0, 1e-6, 1e-3, 0.1, 1, 2, 4, 8, 16, 32, 64, 128, 1000, 1e6, 1e20, 1e37]


def size_bytes(n):
    if n < 40:
        return [n]
    if n in SIZES:                                  # nk >= 192 picks SIZES[nk % 20]
        return [192 + (SIZES.index(n) - 192 % 20) % 20]
    return [128, n & 255, n >> 8]                   # nk in [128, 192): 16-bit n % 601


def ld_byte(kind, k=0):
    """dense | pad (n + 1 + k) | small (n - 1 - k) | huge (k: 0 SIZE_MAX, 1 limit, ...)"""
    return {"dense": 0, "pad": 150 + (k - 150 % 17) % 17 if k < 17 else 150,
            "small": 220 + (k - 220 % 3) % 3, "huge": 240 + (k - 240 % 4) % 4}[kind]


def label_bytes(label):
    """An int label in [0, n) is encoded as 16 bits taken modulo n; a string picks a
    special label: -1, neg, min, n, n+k, max, last, zero."""
    if isinstance(label, int):
        return [0, label & 255, label >> 8]
    j = ["-1", "neg", "min", "n", "n+k", "max", "last", "zero"].index(label)
    return [212 + (j - 212 % 8) % 8] + ([7] if label in ("neg", "n+k") else [])


def case(op, n, rows=1, ldx=("dense",), ldy=("dense",), mis=(0, 0), nulls=0, labels=(),
         special=0, base=0, spread=4, tail=b""):
    b = [OPS.index(op)] + size_bytes(n)
    if op in ROWS_OPS:
        b += [rows, ld_byte(*ldx), ld_byte(*ldy)]
    b += [mis[0], mis[1], 240 + nulls if nulls else 0]
    if op in ROWS_OPS:
        labs = list(labels) + [0] * (rows - len(labels))
        for lab in labs[:rows]:
            b += label_bytes(lab)
    b += [SPECIAL.index(special), BASE.index(base), SPREAD.index(spread)]
    return bytes(b) + tail


def seeds():
    out = {}
    for op in OPS:
        # a short row with a tail on every vector width, ordinary logits
        out[f"{op}-small"] = case(op, 7, rows=2, mis=(1, 3), labels=(3, 5), base=0, spread=4)
        # a long row, a few specials, logits around 20 (the |max| < 256 path)
        out[f"{op}-long"] = case(op, 600, rows=1, mis=(5, 0), labels=(599,), special=4,
                                 base=20, spread=2)
        # everything special: NaN, infinities, subnormals, huge, zeros, edges
        out[f"{op}-special"] = case(op, 33, rows=3, mis=(15, 15), labels=("last", 0, "-1"),
                                    special=255, base=0, spread=1)
    # the |max| >= 256 path, huge and tiny spreads, masked rows, exp edges
    out["softmax-big-max"] = case("softmax", 257, base=-300, spread=1)
    out["log_softmax-big-max"] = case("log_softmax", 65, base=1e4, spread=1e-3)
    out["all_1d-exp-edges"] = case("all_1d", 129, special=64, base=88, spread=0.1)
    out["all_1d-underflow"] = case("all_1d", 64, special=16, base=-90, spread=8)
    out["all_1d-wide"] = case("all_1d", 255, special=1, base=0, spread=1e6)
    out["exp-all-normal-range"] = case("exp", 600, special=0, base=0, spread=16)
    out["sum-huge"] = case("sum", 513, special=4, base=3e38, spread=1e37)
    out["argmax-ties"] = case("argmax", 128, special=0, base=1, spread=0)
    # _rows: padding, in place, EINVAL (ld < n, NULL, huge ld), rows == 0
    out["softmax_rows-padded"] = case("softmax_rows", 31, rows=4, ldx=("pad", 3), ldy=("pad", 9),
                                      mis=(2, 7))
    out["softmax_rows-ld-small"] = case("softmax_rows", 17, rows=2, ldx=("small", 0))
    out["log_softmax_rows-ldy-huge"] = case("log_softmax_rows", 9, rows=3, ldy=("huge", 3))
    out["log_softmax_rows-one-row-huge-ld"] = case("log_softmax_rows", 9, rows=1, ldx=("huge", 0),
                                                   ldy=("huge", 1))
    out["softmax_rows-null-x"] = case("softmax_rows", 5, rows=2, nulls=1)
    out["softmax_rows-rows0"] = case("softmax_rows", 5, rows=0, nulls=3)
    # cross-entropy: ignored rows, bad labels, NULL loss/labels, n == 0, confident rows
    out["xent-ignored"] = case("cross_entropy", 40, rows=4, labels=("-1", "neg", 3, "min"))
    out["xent-label-n"] = case("cross_entropy", 40, rows=2, labels=(1, "n"))
    out["xent-label-max"] = case("cross_entropy", 40, rows=3, labels=(1, 2, "max"))
    out["xent-null-loss"] = case("cross_entropy", 12, rows=2, nulls=8)
    out["xent-null-labels"] = case("cross_entropy", 12, rows=2, nulls=4)
    out["xent-n0"] = case("cross_entropy", 0, rows=3, labels=("-1", "-1", "-1"), nulls=1)
    out["xent-ldg-small"] = case("cross_entropy", 20, rows=2, ldy=("small", 1), labels=(0, 1))
    out["xent-confident"] = case("cross_entropy", 100, rows=2, labels=(0, 50), base=-50,
                                 spread=16)
    return out


# Inputs that exposed bugs (base64 of the crash files libFuzzer wrote).
REGRESS = {
    # smx_sum_f32: float lanes overflowed to inf for 19 finite floats with sum 3.28e38.
    "regress-sum-lane-overflow": "MzsAOw==",
    # smx_sum_f32: -inf plus finite floats whose lane sums overflow gave NaN, not -inf.
    "regress-sum-ninf-overflow": "woGX",
    # smx_log_softmax_f32: 5 equal logits 3.75e38 gave 0, not -log 5 (lse rounded in double).
    "regress-log-softmax-big-max": "gC0F",
    # cross-entropy on SSE2: a confident row's loss 9.95e-45 came out 0 (flushed terms).
    "regress-xent-flushed-others": "xdABCCo=",
}


def main():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
    os.makedirs(root, exist_ok=True)
    for name in os.listdir(root):
        if name.startswith(("seed-", "regress-")):
            os.remove(os.path.join(root, name))
    items = {f"seed-{k}": v for k, v in seeds().items()}
    items.update({k: base64.b64decode(v) for k, v in REGRESS.items()})
    for name, data in sorted(items.items()):
        with open(os.path.join(root, name), "wb") as f:
            f.write(data)
    print(f"make_corpus.py: wrote {len(items)} files to {root}", file=sys.stderr)


if __name__ == "__main__":
    main()

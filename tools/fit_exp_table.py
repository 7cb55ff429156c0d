#!/usr/bin/env python3
"""Constants of the table-based softmax exps (kernels/avx512/row_exp.h, kernels/avx2/row_exp.h).

Prints the S-entry table bits(Th_j) - (j << (23 - log2 S)), Th_j = 2^(j/S) rounded to float,
the correction c0_j = (2^(j/S) - Th_j) / Th_j rounded to float, and the degree-D polynomial
r + A2 r^2 + ... + AD r^D ~ e^r - 1 fitted by Remez on the relative error over |r| <= a
(ln2/(2S) and some slack for rounding ties), with its error before and after rounding the
coefficients to float.  Needs mpmath (Debian: python3-mpmath).

  python3 tools/fit_exp_table.py            S = 16, D = 3, a = 0.02175 (AVX-512)
  python3 tools/fit_exp_table.py 8 4        S = 8, D = 4, a = 0.0435 (AVX2)
  python3 tools/fit_exp_table.py S D [a]
"""
import struct
import sys

import mpmath as mp

mp.mp.dps = 50


def round_float(v):
    """v rounded to the nearest float (24-bit significand), straight from mpmath."""
    if v == 0:
        return mp.mpf(0)
    q = mp.mpf(2) ** (mp.floor(mp.log(abs(v), 2)) - 23)
    return mp.nint(v / q) * q


def table(size=16):
    shift = 23 - (size.bit_length() - 1)
    bits, c0 = [], []
    for j in range(size):
        v = mp.mpf(2) ** (mp.mpf(j) / size)
        h = round_float(v)
        b = struct.unpack("<I", struct.pack("<f", float(h)))[0] - (j << shift)
        bits.append(b)
        c0.append(float(round_float((v - h) / h)))
    return bits, c0


def remez(deg=3, a=mp.mpf("0.02175"), iters=30):
    nc = deg - 1  # unknowns c2..c_deg; the linear term is 1

    def err(c, r):
        p = r + sum(c[i] * r ** (i + 2) for i in range(nc))
        return (p - (mp.e ** r - 1)) / mp.e ** r

    pts = [mp.cos(mp.pi * (nc - i) / nc) * a for i in range(nc + 1)]
    pts = [p if abs(p) > a / 10 else a / 3 for p in pts]
    grid = [-a + 2 * a * i / 4000 for i in range(4001)]
    for _ in range(iters):
        A = mp.matrix(nc + 1, nc + 1)
        b = mp.matrix(nc + 1, 1)
        for k, r in enumerate(pts):
            for i in range(nc):
                A[k, i] = r ** (i + 2)
            A[k, nc] = (-1) ** k * mp.e ** r
            b[k] = mp.e ** r - 1 - r
        sol = mp.lu_solve(A, b)
        c = [sol[i] for i in range(nc)]
        vals = [err(c, r) for r in grid]
        ext = []
        for i, v in enumerate(vals):
            left = vals[i - 1] if i > 0 else None
            right = vals[i + 1] if i + 1 < len(vals) else None
            if (left is None or abs(v) >= abs(left)) and (right is None or abs(v) >= abs(right)) and v != 0:
                ext.append((grid[i], v))
        alt = []
        for r, v in ext:
            if alt and mp.sign(alt[-1][1]) == mp.sign(v):
                if abs(v) > abs(alt[-1][1]):
                    alt[-1] = (r, v)
            else:
                alt.append((r, v))
        while len(alt) > nc + 1:
            alt.pop(0) if abs(alt[0][1]) < abs(alt[-1][1]) else alt.pop()
        pts = [r for r, _ in alt]
    exact_err = max(abs(v) for v in vals)
    cf = [round_float(x) for x in c]
    rounded_err = max(abs(err(cf, r)) for r in grid)
    return cf, exact_err, rounded_err


def default_bound(size):
    """ln2/(2 size) and ~0.4% of slack, rounded up to 4 digits (0.02175 for 16, 0.0435 for 8)."""
    if size == 16:
        return mp.mpf("0.02175")
    v = mp.log(2) / (2 * size) * mp.mpf("1.004")
    q = mp.mpf(10) ** (mp.floor(mp.log10(v)) - 3)
    return mp.ceil(v / q) * q


def main():
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 16
    deg = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    if size < 1 or size & (size - 1) or size > 2 ** 23 or deg < 2:
        sys.exit("usage: fit_exp_table.py [size (a power of two)] [degree >= 2] [bound]")
    a = mp.mpf(sys.argv[3]) if len(sys.argv) > 3 else default_bound(size)
    bits, c0 = table(size)
    print("thb:", ", ".join("0x%08x" % b for b in bits))
    print("c0: ", ", ".join(x.hex() + "f" for x in c0))
    cf, e, er = remez(deg, a)
    print("%s:" % ", ".join("A%d" % i for i in range(2, deg + 1)),
          ", ".join(float(x).hex() + "f" for x in cf))
    print("relative error: fitted 2^%s, coefficients rounded to float 2^%s"
          % (mp.nstr(mp.log(e, 2), 5), mp.nstr(mp.log(er, 2), 5)))


if __name__ == "__main__":
    main()

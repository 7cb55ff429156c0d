#!/usr/bin/env python3
"""Fit the exp polynomial used by every smx kernel.

e^r ~= 1 + r + c2 r^2 + ... + c6 r^6 on |r| <= ln2/2 (the range left after
n = round(x/ln2), r = x - n ln2), minimizing the maximum relative error (Remez exchange on
the error (p(r) - e^r)/e^r with c0 = c1 = 1 fixed), then rounding c2..c6 to float and
re-fitting the remaining ones so that the rounding is compensated.  Prints the float
coefficients as C hex literals and the achieved max relative error (exact arithmetic).
Needs only mpmath.
"""
import mpmath as mp

mp.mp.dps = 40
A = mp.log(2) / 2
DEG = 6

def to_float(x):
    import struct
    return struct.unpack('f', struct.pack('f', float(x)))[0]

def err(c, r):
    p = 1 + r
    for k, ck in enumerate(c):
        p += ck * r ** (k + 2)
    return (p - mp.e ** r) / mp.e ** r

def remez(fixed):
    """fixed: dict k -> value for already rounded coefficients (k from 2)."""
    free = [k for k in range(2, DEG + 1) if k not in fixed]
    m = len(free)
    pts = [A * mp.cos(mp.pi * (m - i) / m) for i in range(m + 1)]
    for _ in range(12):
        # Solve p(x_i) - e^x_i = (-1)^i E e^x_i for the free coefficients and E.
        M = mp.matrix(m + 1, m + 1)
        b = mp.matrix(m + 1, 1)
        for i, x in enumerate(pts):
            rhs = mp.e ** x - 1 - x - sum(v * x ** k for k, v in fixed.items())
            for j, k in enumerate(free):
                M[i, j] = x ** k
            M[i, m] = -((-1) ** i) * mp.e ** x
            b[i] = rhs
        sol = mp.lu_solve(M, b)
        c = dict(fixed)
        for j, k in enumerate(free):
            c[k] = sol[j]
        coeffs = [c[k] for k in range(2, DEG + 1)]
        # new reference: the extremum of |error| on each run of constant sign
        grid = [-A + 2 * A * i / 4000 for i in range(4001)]
        e = [err(coeffs, x) for x in grid]
        ext, i = [], 0
        while i < len(grid):
            j = i
            while j + 1 < len(grid) and (e[j + 1] > 0) == (e[i] > 0):
                j += 1
            ext.append(max(range(i, j + 1), key=lambda t: abs(e[t])))
            i = j + 1
        while len(ext) > m + 1:  # drop the smaller end
            if abs(e[ext[0]]) < abs(e[ext[-1]]):
                ext.pop(0)
            else:
                ext.pop()
        ext = [grid[t] for t in ext]
        pts = sorted(ext)
    return coeffs

fixed = {}
for k in range(DEG, 1, -1):
    coeffs = remez(fixed)
    fixed[k] = mp.mpf(to_float(coeffs[k - 2]))
coeffs = [fixed[k] for k in range(2, DEG + 1)]
worst = max(abs(err(coeffs, -A + 2 * A * i / 20000)) for i in range(20001))
for k, ck in zip(range(2, DEG + 1), coeffs):
    print(f"c{k} = {float(ck).hex()}  ({float(ck):.9g})")
print(f"max relative error {float(worst):.3e} = 2^{float(mp.log(worst, 2)):.2f}")

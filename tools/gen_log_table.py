#!/usr/bin/env python3
"""The table of kernels/common/rowmath.c's smx_log_tab: for j = 0..64, c_j = 1 + j/64,
inv_j = 1/c_j rounded to double, and log_j = -log(inv_j) (the log of the double actually
stored, so that m * inv_j - 1 = r gives log(m) = log1p(r) + log_j with no error from inv_j's
rounding), computed with 40 significant digits and rounded to double.

    python3 tools/gen_log_table.py > table.txt
"""
from decimal import Decimal, getcontext

getcontext().prec = 40


def main():
    print("const double smx_log_tab[65][2] = {")
    for j in range(65):
        c = 1 + j / 64  # exact in double
        inv = 1.0 / c   # rounded to double once (IEEE division)
        log_j = -Decimal(inv).ln()
        print("    { %s, %s }," % (inv.hex(), float(log_j).hex()))
    print("};")


if __name__ == "__main__":
    main()

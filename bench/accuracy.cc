// smx_accuracy: the accuracy table for the README.  For each input distribution and row
// length, every implementation (our kernels on each ISA, oneDNN, XNNPACK, the SLEEF
// three-pass per ISA, naive libm) computes softmax and log-softmax of the same float row,
// and we measure against the exact result of that float row, computed in long double:
//   softmax      max |y - p| / ulp(p) over outputs with p >= FLT_MIN (ulp: float spacing at p)
//   sum          max |sum(y) - 1| (the sum in double)
//   log-softmax  max |y - l| / ulp(max(1, |l|))
//
//   smx_accuracy [--quick] [--check] [--json FILE]
//     --quick  only n = 1000 and 32000
//     --check  exit 1 if any smx kernel breaks its contract (4 ULP; |sum - 1| <= 1e-6)
//     --json   also write the figures as JSON (bench/report.py stores them with the timings)
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <smx.h>

#include "common.h"
#include "peers/peers.h"

namespace {

using RowFn = std::function<bool(const float *x, float *y, size_t n)>; // false: not run

struct Contestant {
    std::string name;
    RowFn softmax, log_softmax; // either may be empty (the peer has no such op)
    bool ours;
};

struct Dist {
    const char *name;
    double sigma;
    bool masked;
};

// The exact softmax and log-softmax of the float row x, in long double.
struct Exact {
    std::vector<long double> p, l;
};

Exact exact(const float *x, size_t n) {
    long double m = -INFINITY;
    for (size_t i = 0; i < n; i++) m = std::fmax(m, (long double)x[i]);
    long double s = 0;
    for (size_t i = 0; i < n; i++) s += std::exp((long double)x[i] - m);
    long double ls = std::log(s);
    Exact e{std::vector<long double>(n), std::vector<long double>(n)};
    for (size_t i = 0; i < n; i++) {
        long double d = (long double)x[i] - m;
        e.p[i] = std::exp(d) / s;
        e.l[i] = d - ls;
    }
    return e;
}

// The spacing of floats at v (v > 0, normal range): 2^(floor(log2 v) - 23).
long double ulp_at(long double v) { return std::ldexp(1.0L, std::ilogb(v) - 23); }

struct Errors {
    double softmax_ulp = 0, sum_dev = 0, log_ulp = 0;
    bool ran_softmax = false, ran_log = false;
};

double softmax_error(const float *y, const Exact &e, size_t n, double *sum_dev) {
    double worst = 0, sum = 0;
    for (size_t i = 0; i < n; i++) {
        sum += y[i];
        if (std::isnan(y[i])) return INFINITY;
        if (e.p[i] < FLT_MIN) continue;
        double err = (double)(std::fabs((long double)y[i] - e.p[i]) / ulp_at(e.p[i]));
        if (err > worst) worst = err;
    }
    *sum_dev = std::fabs(sum - 1.0);
    return worst;
}

double log_softmax_error(const float *y, const Exact &e, size_t n) {
    double worst = 0;
    for (size_t i = 0; i < n; i++) {
        if (std::isinf(e.l[i])) { // a masked element: exactly -inf expected
            if (!(std::isinf(y[i]) && y[i] < 0)) return INFINITY;
            continue;
        }
        if (!std::isfinite(y[i])) return INFINITY;
        long double scale = std::fmax(1.0L, std::fabs(e.l[i]));
        double err = (double)(std::fabs((long double)y[i] - e.l[i]) / ulp_at(scale));
        if (err > worst) worst = err;
    }
    return worst;
}

std::vector<Contestant> contestants() {
    std::vector<Contestant> c;
    for (int i = SMX_ISA_SCALAR; i <= SMX_ISA_NEON; i++) {
        smx_isa isa = (smx_isa)i;
        if (!smx_isa_supported(isa)) continue;
        c.push_back({std::string("smx_") + smx_isa_name(isa),
                     [isa](const float *x, float *y, size_t n) {
                         smx_use_isa(isa);
                         smx_softmax_f32(x, y, n);
                         return true;
                     },
                     [isa](const float *x, float *y, size_t n) {
                         smx_use_isa(isa);
                         smx_log_softmax_f32(x, y, n);
                         return true;
                     },
                     true});
    }
#ifdef PEER_HAVE_ONEDNN
    auto onednn = [](int log) {
        return [log](const float *x, float *y, size_t n) {
            onednn_softmax *op = onednn_softmax_create(1, n, log);
            if (!op) return false;
            onednn_softmax_run(op, x, y);
            onednn_softmax_destroy(op);
            return true;
        };
    };
    c.push_back({std::string("onednn_") + onednn_isa(), onednn(0), onednn(1), false});
#endif
#ifdef PEER_HAVE_XNNPACK
    c.push_back({"xnnpack",
                 [](const float *x, float *y, size_t n) {
                     xnnpack_softmax *op = xnnpack_softmax_create(1, n);
                     bool ok = op && xnnpack_softmax_run(op, x, y) == 0;
                     xnnpack_softmax_destroy(op);
                     return ok;
                 },
                 nullptr, false});
#endif
    const peer_sleef *s[8];
    size_t k = peer_sleef_isas(s, 8);
    for (size_t i = 0; i < k; i++) {
        auto sm = s[i]->softmax, ls = s[i]->log_softmax;
        c.push_back({std::string("sleef_") + s[i]->isa,
                     [sm](const float *x, float *y, size_t n) { sm(x, y, n); return true; },
                     [ls](const float *x, float *y, size_t n) { ls(x, y, n); return true; }, false});
    }
    c.push_back({"naive",
                 [](const float *x, float *y, size_t n) { naive_softmax_f32(x, y, n); return true; },
                 [](const float *x, float *y, size_t n) { naive_log_softmax_f32(x, y, n); return true; },
                 false});
    return c;
}

std::string fmt_ulp(double v, bool ran) {
    if (!ran) return "-";
    if (std::isinf(v)) return "inf";
    char b[32];
    std::snprintf(b, sizeof b, v < 10 ? "%.2f" : v < 1000 ? "%.1f" : "%.3g", v);
    return b;
}

std::string fmt_dev(double v, bool ran) {
    if (!ran) return "-";
    char b[32];
    std::snprintf(b, sizeof b, "%.1e", v);
    return b;
}

} // namespace

int main(int argc, char **argv) {
    bool quick = false, check = false;
    const char *json_path = nullptr;
    for (int i = 1; i < argc; i++) {
        if (!std::strcmp(argv[i], "--quick")) quick = true;
        else if (!std::strcmp(argv[i], "--check")) check = true;
        else if (!std::strcmp(argv[i], "--json") && i + 1 < argc) json_path = argv[++i];
        else {
            std::fprintf(stderr, "usage: %s [--quick] [--check] [--json FILE]\n", argv[0]);
            return 2;
        }
    }
    const smx_isa dispatched = smx_active_isa();
    const std::vector<Dist> dists = {
        {"N(0,1)", 1, false}, {"N(0,10)", 10, false}, {"N(0,40)", 40, false},
        {"N(0,10) 50% -inf", 10, true}};
    std::vector<size_t> sizes = {1000, 32000, 128256, 1u << 20};
    if (quick) sizes = {1000, 32000};
    std::vector<Contestant> cs = contestants();

    struct Cell {
        std::string dist;
        size_t n;
        std::vector<Errors> e; // one per contestant
    };
    std::vector<Cell> cells;
    bench::Buffer x(sizes.back()), y(sizes.back());
    for (size_t di = 0; di < dists.size(); di++) {
        const Dist &d = dists[di];
        for (size_t n : sizes) {
            // The seed depends only on the distribution and n: --quick rows match full rows.
            const uint64_t seed = 1000 + 1000003 * di + n;
            bench::fill_normal(x.data(), n, d.sigma, seed);
            if (d.masked) bench::mask_half(x.data(), n, seed ^ 0x5eed);
            Exact ex = exact(x.data(), n);
            Cell cell{d.name, n, {}};
            for (const Contestant &c : cs) {
                Errors err;
                if (c.softmax && (err.ran_softmax = c.softmax(x.data(), y.data(), n)))
                    err.softmax_ulp = softmax_error(y.data(), ex, n, &err.sum_dev);
                if (c.log_softmax && (err.ran_log = c.log_softmax(x.data(), y.data(), n)))
                    err.log_ulp = log_softmax_error(y.data(), ex, n);
                cell.e.push_back(err);
            }
            cells.push_back(cell);
        }
    }
    smx_use_isa(dispatched);

    // Three tables: rows are distribution x n, columns the contestants.
    struct Table {
        const char *title;
        std::function<std::string(const Errors &)> cell;
    };
    const Table tables[] = {
        {"softmax: max error in ULP of the exact softmax (outputs >= FLT_MIN)",
         [](const Errors &e) { return fmt_ulp(e.softmax_ulp, e.ran_softmax); }},
        {"softmax: max |sum(y) - 1|", [](const Errors &e) { return fmt_dev(e.sum_dev, e.ran_softmax); }},
        {"log-softmax: max error in ULP of max(1, |y|)",
         [](const Errors &e) { return fmt_ulp(e.log_ulp, e.ran_log); }},
    };
    for (const Table &t : tables) {
        std::printf("\n%s\n%-18s %8s", t.title, "distribution", "n");
        for (const Contestant &c : cs) std::printf(" %*s", (int)std::max<size_t>(8, c.name.size()), c.name.c_str());
        std::printf("\n");
        for (const Cell &cell : cells) {
            std::printf("%-18s %8zu", cell.dist.c_str(), cell.n);
            for (size_t i = 0; i < cs.size(); i++)
                std::printf(" %*s", (int)std::max<size_t>(8, cs[i].name.size()), t.cell(cell.e[i]).c_str());
            std::printf("\n");
        }
    }

    int failed = 0;
    for (const Cell &cell : cells)
        for (size_t i = 0; i < cs.size(); i++) {
            const Errors &e = cell.e[i];
            if (!cs[i].ours) continue;
            bool bad = !(e.softmax_ulp <= 4.0) || !(e.log_ulp <= 4.0) || (cell.n <= (1u << 20) && !(e.sum_dev <= 1e-6));
            if (bad && check) {
                std::fprintf(stderr, "CONTRACT BROKEN: %s %s n=%zu: softmax %.2f ULP, sum dev %.2e, log-softmax %.2f ULP\n",
                             cs[i].name.c_str(), cell.dist.c_str(), cell.n, e.softmax_ulp, e.sum_dev, e.log_ulp);
                failed = 1;
            }
        }

    if (json_path) {
        std::FILE *f = std::fopen(json_path, "w");
        if (!f) {
            std::perror(json_path);
            return 2;
        }
        std::fprintf(f, "{\n  \"contestants\": [");
        for (size_t i = 0; i < cs.size(); i++) std::fprintf(f, "%s\"%s\"", i ? ", " : "", cs[i].name.c_str());
        std::fprintf(f, "],\n  \"rows\": [\n");
        // JSON has no inf: a broken result (NaN, wrong -inf) is written as null.
        auto num = [](double v, bool ran) {
            char b[32];
            if (!ran || !std::isfinite(v)) return std::string("null");
            std::snprintf(b, sizeof b, "%.4g", v);
            return std::string(b);
        };
        for (size_t r = 0; r < cells.size(); r++) {
            const Cell &cell = cells[r];
            std::fprintf(f, "    {\"dist\": \"%s\", \"n\": %zu, \"softmax_ulp\": [", cell.dist.c_str(), cell.n);
            for (size_t i = 0; i < cs.size(); i++) std::fprintf(f, "%s%s", i ? ", " : "", num(cell.e[i].softmax_ulp, cell.e[i].ran_softmax).c_str());
            std::fprintf(f, "], \"sum_dev\": [");
            for (size_t i = 0; i < cs.size(); i++) std::fprintf(f, "%s%s", i ? ", " : "", num(cell.e[i].sum_dev, cell.e[i].ran_softmax).c_str());
            std::fprintf(f, "], \"log_softmax_ulp\": [");
            for (size_t i = 0; i < cs.size(); i++) std::fprintf(f, "%s%s", i ? ", " : "", num(cell.e[i].log_ulp, cell.e[i].ran_log).c_str());
            std::fprintf(f, "]}%s\n", r + 1 < cells.size() ? "," : "");
        }
        std::fprintf(f, "  ]\n}\n");
        std::fclose(f);
    }
    return failed;
}

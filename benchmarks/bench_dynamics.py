"""Benchmark of landscape.dynamics: cost of the finite-N integrators in N and of the Cugliandolo-Kurchan solver in t.

Not a test. Run from the repository root:

    JAX_PLATFORMS=cpu .venv/bin/python benchmarks/bench_dynamics.py [--quick] [--big]

Each case is run twice: the first call compiles and runs, the second only runs; "compile" is their difference.
The growth exponents are least-squares slopes of log(run time) against log(N) or log(n = t_max/dt).
Expected: a gradient evaluation streams the N^p coupling tensor once, so a step costs O(N^p) (p = 2: N^2, p = 3:
N^3; small N are dominated by overheads); the CK solver does O(n^2) work per step, O(n^3) in all, and becomes
memory-bound once its two n x n arrays leave the cache (n >~ 1500 on a 32 MB L3); the equilibrium (mode-coupling)
solver does O(n) work per step, O(n^2) in all.
"""

from __future__ import annotations

import argparse
import time

import jax
import numpy as np

import landscape as ls
import landscape.dynamics as dyn


def _timed(fn):
    start = time.perf_counter()
    out = fn()
    jax.block_until_ready(out)
    return time.perf_counter() - start, out


def _twice(fn):
    first, _ = _timed(fn)
    second, out = _timed(fn)
    return max(first - second, 0.0), second, out


def _slope(x, y):
    return float(np.polyfit(np.log(x), np.log(y), 1)[0])


def bench_finite_n(p: int, sizes: tuple[int, ...], n_steps: int, batch: int) -> None:
    print(f"\nfinite N, p = {p}: {n_steps} steps, {batch} starts, one field (dt = 0.02)")
    print(f"{'N':>6} {'method':>16} {'compile s':>10} {'run s':>8} {'ms/step':>8}")
    runs = {}
    for n in sizes:
        key = jax.random.key(n)
        couplings = ls.fields.sample_pspin(key, n, p)
        starts = ls.sphere.random_points(jax.random.fold_in(key, 1), n, batch)
        cases = {
            "gradient euler": lambda: dyn.gradient_flow(couplings, starts, 0.02, n_steps, 10).final,
            "gradient heun": lambda: dyn.gradient_flow(couplings, starts, 0.02, n_steps, 10, method="heun").final,
            "langevin T=1": lambda: dyn.langevin(key, couplings, starts, 1.0, 0.02, n_steps, 10).final,
        }
        for name, fn in cases.items():
            compile_s, run_s, _ = _twice(fn)
            runs.setdefault(name, []).append(run_s)
            print(f"{n:>6} {name:>16} {compile_s:>10.2f} {run_s:>8.3f} {1e3 * run_s / n_steps:>8.3f}")
        del couplings
    if len(sizes) > 1:
        for name, times in runs.items():
            tail = slice(-3, None) if len(sizes) >= 3 else slice(None)
            print(f"  growth of {name}: run time ~ N^{_slope(np.array(sizes)[tail], np.array(times)[tail]):.2f} "
                  f"(largest {min(3, len(sizes))} N; dense couplings predict N^{p})")


def _scan(t_maxes: tuple[float, ...], solve, row) -> tuple[list[int], list[float]]:
    """Time ``solve(t_max)`` (compile, then run) for each ``t_max``; print ``row(t_max, n, compile_s, run_s, sol)``."""
    ns, runs = [], []
    for t_max in t_maxes:
        compile_s, run_s, sol = _twice(lambda: solve(t_max))
        n = len(sol.times) - 1
        ns.append(n)
        runs.append(run_s)
        print(row(t_max, n, compile_s, run_s, sol))
    return ns, runs


def bench_ck(t_maxes: tuple[float, ...], dt: float, p: int = 3, temperature: float = 0.0) -> None:
    print(f"\nCugliandolo-Kurchan, p = {p}, T = {temperature}, dt = {dt}")
    print(f"{'t_max':>6} {'n':>6} {'compile s':>10} {'run s':>8} {'E(t_max)':>10} {'mu(t_max)':>10}")
    ns, runs = _scan(t_maxes, lambda t_max: dyn.cugliandolo_kurchan(p, temperature, t_max, dt),
                     lambda t_max, n, c, r, sol: f"{t_max:>6g} {n:>6} {c:>10.2f} {r:>8.2f} "
                                                 f"{sol.energy[-1]:>10.5f} {sol.mu[-1]:>10.5f}")
    if len(ns) > 1:
        print(f"  growth: run time ~ n^{_slope(ns, runs):.2f} (O(n^3) work; the exponent also reflects the cache)")
    print(f"  threshold energy {ls.kac_rice.threshold_energy(p):.5f}, marginal mu 2 sqrt(p(p-1)) = "
          f"{2 * np.sqrt(p * (p - 1)):.5f}")


def bench_equilibrium(t_maxes: tuple[float, ...], dt: float, p: int = 3) -> None:
    t_d = ls.thermo.dynamical_temperature(p)
    print(f"\nequilibrium (mode-coupling) dynamics, p = {p}, T = T_d = {t_d:.6f}, dt = {dt}")
    print(f"{'t_max':>7} {'n':>7} {'compile s':>10} {'run s':>8} {'C(t_max) - q_d':>15}")
    q_d = dyn.mct_exponents(p).plateau
    ns, runs = _scan(t_maxes, lambda t_max: dyn.equilibrium_dynamics(p, t_d, t_max, dt),
                     lambda t_max, n, c, r, sol: f"{t_max:>7g} {n:>7} {c:>10.2f} {r:>8.3f} "
                                                 f"{sol.C[-1] - q_d:>15.6f}")
    if len(ns) > 1:
        print(f"  growth: run time ~ n^{_slope(ns, runs):.2f} (O(n^2) work; the exponent also reflects the cache)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes only (a smoke run, about a minute)")
    parser.add_argument("--big", action="store_true", help="include p = 3 at N = 800 (needs ~15 GB of memory)")
    args = parser.parse_args()
    print(f"jax {jax.__version__}, devices {jax.devices()}")
    if args.quick:
        bench_finite_n(2, (100, 200, 400), 100, 8)
        bench_finite_n(3, (50, 100), 100, 8)
        bench_ck((10.0, 25.0), 0.1)
        bench_equilibrium((250.0, 500.0, 1000.0), 0.1)
        return
    bench_finite_n(2, (100, 200, 400, 800), 200, 8)
    # p = 3 at N = 800 is a 4 GB coupling tensor (and as much again for its slot sums): opt in with --big
    bench_finite_n(3, (100, 200, 400, 800) if args.big else (100, 200, 400), 200, 8)
    bench_ck((25.0, 50.0, 100.0), 0.05)
    bench_ck((25.0, 50.0, 100.0), 0.1)
    bench_equilibrium((500.0, 1000.0, 2000.0, 4000.0), 0.1)


if __name__ == "__main__":
    main()

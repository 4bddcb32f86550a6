"""Benchmark of landscape.dynamics: cost of the finite-N integrators in N and of the Cugliandolo-Kurchan solver in t.

Not a test. Run from the repository root:

    JAX_PLATFORMS=cpu .venv/bin/python benchmarks/bench_dynamics.py [--quick] [--big]

Each case is run twice: the first call compiles and runs, the second only runs; "compile" is their difference.
The growth exponents are least-squares slopes of log(run time) against log(N) or log(n = t_max/dt).
Expected: a gradient evaluation streams the N^p coupling tensor once, so a step costs O(N^p) (p = 2: N^2, p = 3:
N^3; small N are dominated by overheads); the CK solver does O(n^2) work per step, O(n^3) in all, and becomes
memory-bound once its two n x n arrays leave the cache (n >~ 1500 on a 32 MB L3); the equilibrium (mode-coupling)
solver does O(n) work per step, O(n^2) in all. ck_benchmark(quick) returns the CK numbers (filled-part speed-up
of the uniform grid, the adaptive grid's cost to t = 1e4 and its accuracy at equal cost) as a dict for other scripts.
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


def _best_of(fn, repeats: int = 2, warm: bool = True) -> tuple[float, object]:
    """Compile (first call), then the fastest of ``repeats`` timed calls; ``warm=False`` times the first call."""
    if not warm:
        return _timed(fn)
    out = fn()
    best = np.inf
    for _ in range(repeats):
        run_s, out = _timed(fn)
        best = min(best, run_s)
    return best, out


def ck_benchmark(quick: bool = False) -> dict:
    """Costs of the Cugliandolo-Kurchan solvers, as a JSON-serialisable dict (times in seconds, 2-core CPU).

    * ``uniform_per_step``: per-step time of the uniform grid at n steps (p = 3, T = 0, dt = 0.1), with the arrays
      padded to powers of two (the former layout) and on the bucket ladder (the filled part only); quick: after
      compilation, else one call including it;
    * ``adaptive_to_t``: time of :func:`cugliandolo_kurchan_adaptive` to t = 1e4 (quick: 1e3), p = 3, T = 0;
    * ``equal_accuracy``: error of E(t_ref) (t_ref = 100; quick: 40) against a reference (the uniform grid at
      dt = 0.05 and 0.1, Richardson-extrapolated for fourth order), and the time each solver setting needs.
    """
    mix = ls.fields._mixture("xi", 3)
    out: dict = {"quick": quick, "uniform_per_step": [], "adaptive_to_t": [], "equal_accuracy": {}}
    for n in ((600, 1200) if quick else (2000, 3000)):
        row = {"n": n}
        for name, sizes in (("power_of_two", [max(256, 1 << (n + 1).bit_length()) // 2,
                                              max(256, 1 << (n + 1).bit_length())]),
                            ("filled_part", dyn._ck_sizes(n + 2))):
            sizes = sorted(set(s for s in sizes if s >= 256))
            # long runs are timed once, compilation included (about 4 s per size: it penalises the ladder)
            run_s, _ = _best_of(lambda sizes=sizes: dyn._ck_solve(mix, 0.0, 0.1, n, sizes).energy, repeats=1,
                                warm=quick)
            row[name] = {"sizes": sizes, "run_s": run_s, "ms_per_step": 1e3 * run_s / n}
        row["speedup"] = row["power_of_two"]["run_s"] / row["filled_part"]["run_s"]
        out["uniform_per_step"].append(row)
    t_long = 1e3 if quick else 1e4
    for points in ((128, 256) if quick else (256, 512)):
        run_s, sol = _best_of(lambda points=points: dyn.cugliandolo_kurchan_adaptive(3, 0.0, t_long, points=points),
                              repeats=1)
        out["adaptive_to_t"].append({"t_max": t_long, "points": points, "run_s": run_s, "rows": len(sol.times),
                                     "sweeps": sol.sweeps, "E": float(sol.energy[-1]),
                                     "E_minus_threshold": float(sol.energy[-1] - ls.kac_rice.threshold_energy(3))})
    t_ref = 40.0 if quick else 100.0
    uniform = {}
    for dt in (0.1, 0.05):
        run_s, sol = _best_of(lambda dt=dt: dyn.cugliandolo_kurchan(3, 0.0, t_ref, dt), repeats=1)
        uniform[dt] = (run_s, float(sol.energy[-1]))
    reference = uniform[0.05][1] + (uniform[0.05][1] - uniform[0.1][1]) / 15
    acc = out["equal_accuracy"]
    acc["t_ref"], acc["reference_E"] = t_ref, reference
    acc["reference_uncertainty"] = abs(uniform[0.05][1] - uniform[0.1][1]) / 15  # the size of the correction
    acc["uniform"] = [{"dt": dt, "run_s": r, "error": abs(e - reference)} for dt, (r, e) in uniform.items()]
    adaptive = {}
    for points in ((128, 256) if quick else (128, 256, 512)):
        run_s, sol = _best_of(lambda points=points: dyn.cugliandolo_kurchan_adaptive(3, 0.0, t_ref, points=points),
                              repeats=1)
        adaptive[points] = (run_s, float(np.interp(t_ref, sol.times, sol.energy)))
    acc["adaptive"] = [{"points": p, "run_s": r, "error": abs(e - reference)} for p, (r, e) in adaptive.items()]
    # the error falls about as 1/points: extrapolating the two largest grids removes its leading part
    (p1, (r1, e1)), (p2, (r2, e2)) = sorted(adaptive.items())[-2:]
    acc["adaptive_extrapolated"] = {"points": [p1, p2], "run_s": r1 + r2, "error": abs(2 * e2 - e1 - reference)}
    return out


def bench_ck_long(quick: bool) -> None:
    print_ck(ck_benchmark(quick))


def print_ck(res: dict) -> None:
    """Print the numbers of :func:`ck_benchmark`."""
    print("\nCugliandolo-Kurchan, p = 3, T = 0: uniform grid per step (dt = 0.1)")
    print(f"{'n':>6} {'powers of 2 ms':>15} {'filled part ms':>15} {'speed-up':>9}")
    for row in res["uniform_per_step"]:
        print(f"{row['n']:>6} {row['power_of_two']['ms_per_step']:>15.2f} {row['filled_part']['ms_per_step']:>15.2f} "
              f"{row['speedup']:>9.2f}")
    print("adaptive grid (cugliandolo_kurchan_adaptive), run time after compilation")
    for row in res["adaptive_to_t"]:
        print(f"  to t = {row['t_max']:g} with {row['points']} points: {row['run_s']:.1f} s, {row['rows']} rows, "
              f"E - u_th = {row['E_minus_threshold']:.2e}")
    acc = res["equal_accuracy"]
    print(f"accuracy of E({acc['t_ref']:g}) against {acc['reference_E']:.6f} (+- {acc['reference_uncertainty']:.0e})")
    for row in acc["uniform"]:
        print(f"  uniform dt = {row['dt']:<5g} {row['run_s']:>7.2f} s  error {row['error']:.1e}")
    for row in acc["adaptive"]:
        print(f"  adaptive {row['points']:>4} pts {row['run_s']:>7.2f} s  error {row['error']:.1e}")
    ex = acc["adaptive_extrapolated"]
    print(f"  adaptive {ex['points']} extrapolated in 1/points: {ex['run_s']:.2f} s  error {ex['error']:.1e}")


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
        bench_ck_long(quick=True)
        return
    bench_finite_n(2, (100, 200, 400, 800), 200, 8)
    # p = 3 at N = 800 is a 4 GB coupling tensor (and as much again for its symmetrised copy): opt in with --big
    bench_finite_n(3, (100, 200, 400, 800) if args.big else (100, 200, 400), 200, 8)
    bench_ck((25.0, 50.0, 100.0), 0.05)
    bench_ck((25.0, 50.0, 100.0), 0.1)
    bench_equilibrium((500.0, 1000.0, 2000.0, 4000.0), 0.1)
    bench_ck_long(quick=False)


if __name__ == "__main__":
    main()

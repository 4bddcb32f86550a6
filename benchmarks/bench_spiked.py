"""Costs of the spiked matrix-tensor model (chapter 9): the N -> infinity gradient-flow equations and the finite-N flows.

Not a test (speed targets belong here, never in timed tests). Run from the repository root:

    JAX_PLATFORMS=cpu .venv/bin/python benchmarks/bench_spiked.py [--quick]

Every time is the fastest of a few calls after a first, compiling one (the compile time is printed apart). Cases:

* **DMFT, uniform grid** — ``spiked.gradient_flow_dmft`` (the fourth-order Cugliandolo-Kurchan grid with the overlap
  m(t)) for t_max/dt = n steps: the work is O(n^3), three matrix-vector products of the filled n x n block per force
  evaluation, so the time per step grows like n^2 once the arrays leave the cache.
* **DMFT, adaptive grid** — the same equations on the decimated grid (``adaptive=True``): fixed work per decade of
  time, so t_max = 400 or 10^4 costs seconds. Target: t >= 400 at p = 3 well under a minute on two cores.
* **finite N** — ``spiked.gradient_flow`` (``dynamics.gradient_flow`` on the loss field, with the overlap recorded)
  for a batch of starts at N = 64..256: one pass over the N^p couplings per step, so ~N^3 at p = 3; and with the
  lowest Hessian mode recorded (an O(N^3) eigensolve per record and start).
"""

from __future__ import annotations

import argparse
import pathlib
import sys

import jax
import numpy as np

import landscape as ls

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from bench_dynamics import _best_of, _slope, _timed  # noqa: E402  (the script next to this one)

MODEL = ls.spiked.SpikedMatrixTensor(3, 1 / 2.5, 1.0)  # 1/Delta_2 = 2.5, Delta_3 = 1: the flow finds the signal


def dmft_uniform(steps: tuple[int, ...], dt: float) -> None:
    print(f"\nDMFT on the uniform grid, p = 3, 1/Delta_2 = 2.5, Delta_3 = 1, dt = {dt}, m0 = 1e-3")
    print(f"{'n':>6} {'t_max':>7} {'compile s':>10} {'run s':>8} {'ms/step':>8} {'m(t_max)':>9} {'u(t_max)':>9}")
    runs = []
    for n in steps:
        t_max = n * dt
        first, _ = _timed(lambda: ls.spiked.gradient_flow_dmft(MODEL, t_max, dt, 1e-3).energy)
        run_s, sol = _best_of(lambda: ls.spiked.gradient_flow_dmft(MODEL, t_max, dt, 1e-3), repeats=1, warm=False)
        runs.append(run_s)
        print(f"{n:>6} {t_max:>7g} {max(first - run_s, 0.0):>10.2f} {run_s:>8.2f} {1e3 * run_s / n:>8.2f} "
              f"{sol.m[-1]:>9.5f} {sol.energy[-1]:>9.5f}")
    if len(steps) > 1:
        print(f"  growth: run time ~ (t_max/dt)^{_slope(np.array(steps)[-3:], np.array(runs)[-3:]):.2f} "
              f"(O(n^3) work)")


def dmft_adaptive(t_maxes: tuple[float, ...], points: int) -> None:
    print(f"\nDMFT on the adaptive grid, {points} points, same model")
    print(f"{'t_max':>7} {'run s':>8} {'m(t_max)':>9} {'u(t_max)':>9}")
    for t_max in t_maxes:
        run_s, sol = _best_of(lambda t_max=t_max: ls.spiked.gradient_flow_dmft(
            MODEL, t_max, m0=1e-3, adaptive=True, points=points), repeats=1)
        print(f"{t_max:>7g} {run_s:>8.2f} {sol.m[-1]:>9.5f} {sol.energy[-1]:>9.5f}")


def finite_n(sizes: tuple[int, ...], n_steps: int, batch: int) -> None:
    print(f"\nfinite-N gradient flow, p = 3, {batch} starts, {n_steps} steps of dt = 0.1")
    print(f"{'N':>5} {'compile s':>10} {'run s':>8} {'ms/step':>8} {'+hessian s':>11}")
    runs = []
    for n in sizes:
        key = jax.random.key(n)
        inst = ls.spiked.sample(key, n, MODEL)
        starts = ls.sphere.random_points(jax.random.fold_in(key, 1), n, batch)
        first, _ = _timed(lambda: ls.spiked.gradient_flow(inst, starts, 0.1, n_steps, 50).final)
        run_s, _ = _best_of(lambda: ls.spiked.gradient_flow(inst, starts, 0.1, n_steps, 50).final, repeats=2)
        hess_s, _ = _best_of(lambda: ls.spiked.gradient_flow(inst, starts, 0.1, n_steps, 50, hessian=True).final,
                             repeats=1)
        runs.append(run_s)
        print(f"{n:>5} {max(first - run_s, 0.0):>10.2f} {run_s:>8.3f} {1e3 * run_s / n_steps:>8.3f} {hess_s:>11.3f}")
        del inst
    if len(sizes) > 1:
        print(f"  growth: run time ~ N^{_slope(np.array(sizes), np.array(runs)):.2f} (dense couplings: N^3)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes only (a smoke run)")
    args = parser.parse_args()
    print(f"jax {jax.__version__}, devices {jax.devices()}")
    if args.quick:
        dmft_uniform((100, 200), 0.1)
        dmft_adaptive((100.0, 400.0), 128)
        finite_n((48, 64), 200, 4)
        return
    dmft_uniform((250, 500, 1000, 2000), 0.1)
    dmft_adaptive((100.0, 400.0, 1000.0, 10000.0), 256)
    finite_n((64, 96, 128, 192, 256), 500, 8)


if __name__ == "__main__":
    main()

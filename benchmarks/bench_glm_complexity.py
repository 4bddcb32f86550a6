"""Costs of the Kac–Rice five-scalar solver of chapter 10 (``landscape.glm.complexity`` and what is built on it).

Not a test (speed targets belong here, never in timed tests). Run from the repository root:

    JAX_PLATFORMS=cpu .venv/bin/python benchmarks/bench_glm_complexity.py [--quick]

The cost of a solve does not depend on d: it is the quadrature grid of the label law, (2 * extent / step)^2 cells,
times the number of Newton iterations (each a ``jax.jacfwd`` of five equations over the grid), plus the outlier and
bulk-edge scans in NumPy. Cases, for l_a with a = 1 at the equator m = 0:

* **one solve** at alpha = 6 (cold: compilation and first Newton run from the untilted guess; warm: continued from
  a nearby solution) for grid steps 0.1 (the chapter), 0.05 (the default) and 0.035, with the change of Sigma
  against the finest grid (the trapezoidal rule converges faster than any power of the step);
* **minima_phase** at alpha = 8 (a BBP-unstable top: a secant or scan in energy) and **minima_thresholds** on the
  chapter's grid (alpha = 4..8), each on steps 0.1 and 0.05;
* **all critical points** (``branch="all"``, the complex Silverstein root) at alpha = 4: the first solve without a
  start (it tries up to three starting points and five Newton solves) and a step of 0.03 in energy continued from
  it, on steps 0.1 and 0.05.

A GPU runs the same code; the grid is small (20 000 to 130 000 cells), so a GPU helps only for much finer grids.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from landscape import glm


def timed(f):
    t0 = time.perf_counter()
    out = f()
    return out, time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="only the grid steps 0.1 and 0.05")
    args = parser.parse_args()
    loss = glm.phase_retrieval_loss(1.0)
    steps = (0.1, 0.05) if args.quick else (0.1, 0.05, 0.035)
    print("one solve at alpha = 6, m = 0 (most numerous bulk-stable critical points)")
    print(f"{'step':>6} {'cells':>8} {'cold s':>8} {'warm s':>8} {'Sigma':>14} {'vs finest':>10}")
    sols = {}
    for h in steps:
        s, cold = timed(lambda: glm.complexity(loss, 6.0, 0.0, weight_bound=-4.0, grid_step=h))
        s2, warm = timed(lambda: glm.complexity(loss, 6.05, 0.0, weight_bound=-4.0, grid_step=h, start=s))
        sols[h] = (s, cold, warm)
    finest = sols[steps[-1]][0].sigma
    for h, (s, cold, warm) in sols.items():
        cells = int((2 * glm.KR_GRID_EXTENT / h) ** 2)
        print(f"{h:6.3f} {cells:8d} {cold:8.2f} {warm:8.3f} {s.sigma:14.10f} {abs(s.sigma - finest):10.1e}")
    print("\nminima_phase at alpha = 8 and minima_thresholds (alpha = 4..8), m = 0")
    for h in steps[:2]:
        top = sols[h][0]
        ph, t_phase = timed(lambda: glm.minima_phase(loss, 8.0, 0.0, weight_bound=-4.0, grid_step=h, start=top))
        th, t_thr = timed(lambda: glm.minima_thresholds(loss, 0.0, alphas=(4.0, 5.0, 6.0, 7.0, 8.0),
                                                        weight_bound=-4.0, grid_step=h))
        print(f"step {h}: minima_phase {t_phase:.2f} s (Sigma_minima {ph.sigma_minima:+.5f}); "
              f"minima_thresholds {t_thr:.2f} s -> alpha_BBP {th[0]:.5f}, alpha_triv {th[1]:.5f}")
    print("\nall critical points (branch='all') at alpha = 4, m = 0")
    for h in steps[:2]:
        top, cold = timed(lambda: glm.complexity(loss, 4.0, 0.0, branch="all", weight_bound=-4.0, grid_step=h))
        nxt, warm = timed(lambda: glm.complexity(loss, 4.0, 0.0, top.energy - 0.03, branch="all", start=top,
                                                 weight_bound=-4.0, grid_step=h))
        print(f"step {h}: first {cold:.2f} s, continued {warm:.3f} s; Sigma {top.sigma:.6f} at e = {top.energy:.4f}, "
              f"index {top.index:.4f}")
    print("\nSigma changes by", f"{abs(sols[0.1][0].sigma - sols[0.05][0].sigma):.1e}",
          "between the chapter's grid and the default: the chapter's thresholds do not depend on it.")
    assert np.isfinite(finest)


if __name__ == "__main__":
    main()

"""The performance benchmark of `landscape`: every kernel against a NumPy/SciPy baseline measured in the same run.

Not a test (speed targets belong here, never in timed tests). Run from the repository root:

    JAX_PLATFORMS=cpu .venv/bin/python benchmarks/bench_landscape.py [--quick] [--big] [--out benchmarks/results]

It prints a table and writes ``<out>/bench_landscape.json`` and ``<out>/bench_landscape.png``. Every time is the best
of several calls after a first, compiling call; every ratio divides two times taken in this run, interleaved, so that
a loaded machine shifts both alike. Cases:

* **gradient** — the Riemannian gradient of the pure 3-spin at one point, ``project_gradient(s, gradient(field, s))``
  compiled as one function, for raw couplings (slot by slot) and for a :class:`~landscape.fields.PreparedField`
  (and, once, through the public functions call by call, which adds validation and dispatch), against the baseline
  ``(J.reshape(N*N, N) @ s).reshape(N, N) @ s`` (one pass over the couplings: the memory-bandwidth limit of any
  dense gradient). Target: ratio <= 1.5 at N = 400.
* **hessian** — ``tangent_derivatives`` (energy, tangent gradient and tangent Riemannian Hessian). Target <= 2.
* **batched gradient** — 64 points at once against NumPy's ``J.reshape(N*N, N) @ S.T`` then the small contraction.
* growth exponents of each case over N = 100..400 (target N^(3 +- 0.3) for p = 3).
* **census** — ``critical.census`` against a loop of ``scipy.optimize.root`` on the Lagrange system
  ``grad H(s) - mu s = 0, |s|^2 = N`` from the same starts (NumPy derivatives of the symmetrised couplings).
* **exact counts by index** — ``kac_rice.expected_critical_points_by_index`` against a NumPy Monte Carlo of the same
  expectation over GOE spectra: the time the Monte Carlo needs to reach the exact route's accuracy.
* **Cugliandolo-Kurchan** — per step and at equal accuracy, from ``bench_dynamics.ck_benchmark`` when present.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import pathlib
import sys
import time

import jax
import jax.numpy as jnp
import numpy as np
import scipy.optimize

import landscape as ls

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from bench_dynamics import _best_of, _slope, ck_benchmark, print_ck  # noqa: E402  (the script next to this one)

P = 3


def _best(fn, repeats: int) -> float:
    """Fastest of ``repeats`` calls after a first, compiling one."""
    return _best_of(fn, repeats)[0]


# The public functions composed under one jit, as a reader's loop or the package's iterative routines use them.
_riemannian_gradient = jax.jit(lambda f, s: ls.sphere.project_gradient(s, ls.fields.derivatives(f, s, 1)[1]))
_tangent = jax.jit(ls.fields.tangent_derivatives)


def kernels(sizes: tuple[int, ...], batch: int, repeats: int) -> dict:
    """Per-call times of the derivative kernels and of the NumPy one-pass baseline, interleaved, at each N."""
    rows = []
    for n in sizes:
        key = jax.random.key(n)
        couplings = ls.fields.sample_pspin(key, n, P)
        prepared = ls.fields.prepare(couplings)
        sigma = ls.sphere.random_points(jax.random.fold_in(key, 1), n)
        starts = ls.sphere.random_points(jax.random.fold_in(key, 2), n, batch)
        j_np, s_np, starts_np = np.asarray(couplings), np.asarray(sigma), np.asarray(starts)

        def base():
            return (j_np.reshape(n * n, n) @ s_np).reshape(n, n) @ s_np

        def base_batch():
            r = (j_np.reshape(n * n, n) @ starts_np.T).reshape(n, n, batch)
            return np.einsum("ijb,bj->bi", r, starts_np)

        cases = {
            "baseline": base,
            "gradient raw": lambda: _riemannian_gradient(couplings, sigma),
            "gradient prepared": lambda: _riemannian_gradient(prepared, sigma),
            "hessian raw": lambda: _tangent(couplings, sigma),
            "hessian prepared": lambda: _tangent(prepared, sigma),
            "baseline batch": base_batch,
            "batched gradient prepared": lambda: _riemannian_gradient(prepared, starts),
            # the same through the public functions, one call at a time: adds validation and dispatch
            "public gradient prepared": lambda: ls.sphere.project_gradient(sigma, ls.fields.gradient(prepared, sigma)),
        }
        times = {name: _best(fn, repeats) for name, fn in cases.items()}
        times["baseline"] = min(times["baseline"], _best(base, repeats))  # interleaved: again at the end
        row = {"N": n, "times_s": times,
               "ratios": {name: times[name] / times["baseline batch" if "batch" in name else "baseline"]
                          for name in times if not name.startswith("baseline")}}
        rows.append(row)
        print(f"  N = {n:4d}: baseline {1e3 * times['baseline']:8.2f} ms  " + "  ".join(
            f"{name} x{ratio:.2f}" for name, ratio in row["ratios"].items()))
        del couplings, prepared, j_np
    growth = {}
    ns = [r["N"] for r in rows]
    if len(ns) >= 2:
        for name in rows[0]["times_s"]:
            growth[name] = _slope(ns, [r["times_s"][name] for r in rows])
        print("  growth exponents over N = " + ", ".join(map(str, ns)) + ": "
              + ", ".join(f"{k} N^{v:.2f}" for k, v in growth.items()))
    return {"p": P, "batch": batch, "rows": rows, "growth": growth}


def _scipy_census(j_sym: np.ndarray, starts: np.ndarray) -> tuple[np.ndarray, int]:
    """Critical points by ``scipy.optimize.root`` (hybr, analytic Jacobian) on the Lagrange system, one start at a
    time: unknowns (s, mu), equations grad H(s) - mu s = 0 and (|s|^2 - N)/2 = 0."""
    n = j_sym.shape[0]
    scale = P * n ** (-(P - 1) / 2)

    def system(x):
        s, mu = x[:n], x[n]
        m = j_sym @ s  # (n, n)
        return np.concatenate([scale * (m @ s) - mu * s, [(s @ s - n) / 2]])

    def jacobian(x):
        s, mu = x[:n], x[n]
        out = np.zeros((n + 1, n + 1))
        out[:n, :n] = scale * (P - 1) * (j_sym @ s) - mu * np.eye(n)
        out[:n, n] = -s
        out[n, :n] = s
        return out

    found, converged = [], 0
    for s0 in starts:
        mu0 = scale * (j_sym @ s0 @ s0) @ s0 / n
        sol = scipy.optimize.root(system, np.concatenate([s0, [mu0]]), jac=jacobian, method="hybr")
        if sol.success and np.linalg.norm(system(sol.x)) < 1e-9:
            converged += 1
            found.append(sol.x[:n])
    return np.array(found), converged


def census(n: int, n_starts: int, repeats: int) -> dict:
    key = jax.random.key(7)
    couplings = ls.fields.sample_pspin(key, n, P)
    census_key = jax.random.key(8)
    jax_time = _best(lambda: ls.critical.census(census_key, couplings, n_starts=n_starts).energies, repeats)
    found = ls.critical.census(census_key, couplings, n_starts=n_starts)
    starts = np.asarray(ls.sphere.random_points(census_key, n, n_starts))
    j_sym = np.asarray(ls.fields.symmetrize(couplings))
    start = time.perf_counter()
    points, converged = _scipy_census(j_sym, starts)
    scipy_time = time.perf_counter() - start
    distinct = 0
    if len(points):
        checked = ls.critical.classify(couplings, ls.sphere.normalize(jnp.asarray(points)))
        distinct = len(ls.critical.deduplicate(checked).energies)
    print(f"  census N = {n}, {n_starts} starts: landscape {jax_time:.3f} s ({len(found.energies)} distinct points), "
          f"scipy.optimize.root loop {scipy_time:.3f} s ({converged} converged, {distinct} distinct): "
          f"ratio x{jax_time / scipy_time:.3f}")
    return {"N": n, "n_starts": n_starts, "landscape_s": jax_time, "scipy_s": scipy_time,
            "ratio": jax_time / scipy_time, "landscape_distinct": int(len(found.energies)),
            "scipy_converged": converged, "scipy_distinct": distinct}


def counts_by_index(sizes: tuple[int, ...], mc_n: int, mc_samples: int, repeats: int) -> dict:
    """Exact counts by index (Pfaffian + quadrature) against a NumPy Monte Carlo of Auffinger-Ben Arous-Cerny's GOE
    expectation 2 sqrt(2/p) (p-1)^{N/2} E exp(-(p-2)/(4p) lambda_{k+1}(A_N)^2), A_N with unit off-diagonal variance."""
    times = []
    for n in sizes:
        times.append(_best(lambda: ls.kac_rice.expected_critical_points_by_index(n, P), repeats))
    exact = ls.kac_rice.expected_critical_points_by_index(mc_n, P)
    rng = np.random.default_rng(0)
    start = time.perf_counter()
    g = rng.standard_normal((mc_samples, mc_n, mc_n))
    lam = np.linalg.eigvalsh((g + np.swapaxes(g, 1, 2)) / np.sqrt(2))
    weights = np.exp(-(P - 2) / (4 * P) * lam**2)
    prefactor = 2 * math.sqrt(2 / P) * (P - 1) ** (mc_n / 2)
    mc = prefactor * weights.mean(axis=0)
    mc_err = prefactor * weights.std(axis=0, ddof=1) / math.sqrt(mc_samples)
    mc_time = time.perf_counter() - start
    z = np.abs(mc - exact) / mc_err
    exact_time = _best(lambda: ls.kac_rice.expected_critical_points_by_index(mc_n, P), repeats)
    # samples (hence time) the Monte Carlo would need for a relative error of 1e-8 on every index
    needed = mc_time * float(np.max((mc_err / exact) / 1e-8) ** 2)
    print(f"  exact counts by index, N = {', '.join(map(str, sizes))}: "
          + ", ".join(f"{1e3 * t:.1f} ms" for t in times)
          + (f" (growth N^{_slope(sizes, times):.2f})" if len(sizes) > 1 else ""))
    print(f"  N = {mc_n}: exact {1e3 * exact_time:.1f} ms; Monte Carlo {mc_samples} GOE spectra {mc_time:.2f} s, "
          f"agreement max |z| = {z.max():.2f}; Monte Carlo to 1e-8 relative: ~{needed:.3g} s "
          f"(x{needed / exact_time:.3g})")
    return {"sizes": list(sizes), "times_s": times, "growth": _slope(sizes, times) if len(sizes) > 1 else None,
            "mc_N": mc_n, "mc_samples": mc_samples, "mc_s": mc_time, "exact_s": exact_time,
            "max_abs_z": float(z.max()), "mc_time_for_1e-8_s": needed}


def ck(quick: bool) -> dict:
    out = ck_benchmark(quick)
    print_ck(out)
    return out


def plot(results: dict, path: pathlib.Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ls.plotting.use_book_style()
    rows = results["kernels"]["rows"]
    ns = [r["N"] for r in rows]
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    cycle = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    colour = {name: cycle[i % len(cycle)] for i, name in enumerate(rows[0]["times_s"])}  # one colour per case
    for name in rows[0]["times_s"]:
        left.loglog(ns, [1e3 * r["times_s"][name] for r in rows], "o-", lw=2, color=colour[name], label=name)
    left.loglog(ns, [1e3 * rows[-1]["times_s"]["baseline"] * (x / ns[-1]) ** 3 for x in ns], "k:", lw=1,
                label="N^3")
    left.set_xlabel("N")
    left.set_ylabel("time per call (ms)")
    left.legend(fontsize=7)
    for name in rows[0]["ratios"]:
        right.semilogx(ns, [r["ratios"][name] for r in rows], "o-", lw=2, color=colour[name], label=name)
    right.axhline(1.5, color="grey", ls="--", lw=1)
    right.axhline(2.0, color="grey", ls=":", lw=1)
    right.set_xlabel("N")
    right.set_ylabel("time / NumPy baseline")
    right.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=150)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes only (a smoke run)")
    parser.add_argument("--big", action="store_true", help="add N = 800 to the kernels (about 9 GB of memory)")
    parser.add_argument("--out", default="benchmarks/results", help="folder for the JSON and the plot")
    args = parser.parse_args()
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    print(f"jax {jax.__version__}, devices {jax.devices()}, load average {load}")
    if args.big:  # N = 800 needs about 9 GB, above the package's default memory limit of 4 GiB
        ls.set_max_bytes(max(ls.max_bytes(), 12 * 2**30))
    if args.quick:
        sizes, repeats = (100, 200), 3
    else:
        sizes, repeats = (100, 141, 200, 283, 400) + ((800,) if args.big else ()), 7
    results = {"jax": jax.__version__, "load_average_before": load}
    print("derivative kernels, pure p = 3 (ratios to the NumPy baseline at the same N):")
    results["kernels"] = kernels(sizes, batch=64, repeats=repeats)
    print("critical points:")
    results["census"] = census(10 if args.quick else 12, 200 if args.quick else 400, 2 if args.quick else 3)
    print("Kac-Rice:")
    results["counts_by_index"] = counts_by_index((10, 20, 40) if args.quick else (10, 20, 30, 50), 8,
                                                 20_000 if args.quick else 100_000, 1)
    print("Cugliandolo-Kurchan:")
    results["cugliandolo_kurchan"] = ck(args.quick)
    results["load_average_after"] = os.getloadavg() if hasattr(os, "getloadavg") else None
    last = results["kernels"]["rows"][-1]
    targets = {"gradient_ratio_at_largest_N (<= 1.5)": last["ratios"]["gradient prepared"],
               "hessian_ratio_at_largest_N (<= 2)": last["ratios"]["hessian prepared"]}
    for name in ("gradient prepared", "hessian prepared"):
        targets[f"growth {name} (3 +- 0.3)"] = results["kernels"]["growth"].get(name)
    results["targets"] = targets
    print("targets: " + ", ".join(f"{k}: {v:.2f}" for k, v in targets.items() if v is not None))
    (out / "bench_landscape.json").write_text(json.dumps(results, indent=2))
    plot(results, out / "bench_landscape.png")
    print(f"wrote {out / 'bench_landscape.json'} and {out / 'bench_landscape.png'}")


if __name__ == "__main__":
    main()

"""Unit tests of landscape.critical: exact critical points of known functions, Morse identity, certificates."""

import os
import subprocess
import sys
import time

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import landscape as ls

KEY = jax.random.key(0)


def test_census_of_a_quadratic_form_is_exact():
    # p = 2: H = N^{-1/2} s.J.s on S_N. Its critical points are the 2N points +-sqrt(N) v_i, v_i the unit
    # eigenvectors of (J + J^T)/2 with eigenvalues lambda_1 < ... < lambda_N: energy per spin u_i = lambda_i/sqrt(N),
    # index i - 1 (the number of lambda_j below lambda_i).
    n = 4
    j = ls.fields.sample_pspin(KEY, n, 2)
    c = ls.critical.census(jax.random.key(1), j, n_starts=300)
    lam = np.linalg.eigvalsh(np.asarray((j + j.T) / 2))
    assert len(c.energies) == 2 * n
    np.testing.assert_allclose(c.energies, np.repeat(lam, 2) / np.sqrt(n), atol=1e-12)
    np.testing.assert_array_equal(c.indices, np.repeat(np.arange(n), 2))
    assert np.all(c.grad_norms < 1e-10)


def test_census_satisfies_morse_identity_on_several_spheres():
    for n, p in [(2, 3), (3, 3), (3, 4), (4, 3)]:
        for seed in range(3):
            k1, k2 = jax.random.split(jax.random.key(10 * n + seed))
            c = ls.critical.census(k2, ls.fields.sample_pspin(k1, n, p), n_starts=600)
            alternating = sum((-1) ** int(k) for k in c.indices)
            assert alternating == 1 + (-1) ** (n - 1), (n, p, seed, np.bincount(c.indices))
            assert np.all(c.grad_norms < 1e-9)
            assert len(np.unique(np.round(c.points, 6), axis=0)) == len(c.points)


def test_classify_reports_energy_gradient_and_index():
    n = 5
    j = ls.fields.sample_pspin(KEY, n, 3)
    s = ls.sphere.random_points(jax.random.key(2), n, 4)
    info = ls.critical.classify(j, s)
    np.testing.assert_allclose(info.energies, ls.fields.energy(j, s) / n, atol=1e-14)
    grads = ls.sphere.project_gradient(s, ls.fields.gradient(j, s))
    np.testing.assert_allclose(info.grad_norms, jnp.linalg.norm(grads, axis=1), atol=1e-13)
    assert info.hessian_eigenvalues.shape == (4, n - 1)
    np.testing.assert_array_equal(info.indices, np.sum(info.hessian_eigenvalues < 0, axis=1))


def test_newton_converges_quadratically_near_a_critical_point():
    n = 6
    j = ls.fields.sample_pspin(KEY, n, 3)
    c = ls.critical.census(jax.random.key(3), j, n_starts=400)
    target = c.points[len(c.points) // 2]
    start = ls.sphere.retract(target, 1e-2 * ls.sphere.project_gradient(target, jnp.ones(n)))
    errs = [np.linalg.norm(ls.critical.newton(j, start, n_iter=k) - target) for k in (1, 2, 3)]
    assert errs[0] < 1e-3 and errs[1] < 10 * errs[0] ** 2 + 1e-12 and errs[2] < 1e-10


def test_gradient_descent_decreases_energy_and_ends_at_minima():
    n = 20
    j = ls.fields.sample_pspin(KEY, n, 3)
    start = ls.sphere.random_points(jax.random.key(4), n, 8)
    end, u_path = ls.critical.gradient_descent(j, start, step_size=0.1, n_steps=2000, record_every=50)
    assert u_path.shape == (40, 8)
    assert np.all(np.diff(np.asarray(u_path), axis=0) <= 1e-12)
    np.testing.assert_allclose(jnp.sum(end**2, axis=1), n, rtol=1e-12)
    polished = ls.critical.classify(j, ls.critical.newton(j, end, n_iter=10))
    assert np.all(polished.grad_norms < 1e-9) and np.all(polished.indices == 0)
    np.testing.assert_allclose(u_path[-1], polished.energies, atol=1e-6)


def test_deduplicate_merges_close_points_and_sorts():
    pts = np.array([[1.0, 1.0], [1.0 + 1e-9, 1.0], [-1.0, 1.0]])
    cp = ls.critical.CriticalPoints(pts, np.array([0.3, 0.3, -0.2]), np.array([0, 0, 1]),
                                    np.array([1e-12, 1e-13, 1e-12]), np.zeros((3, 1)))
    out = ls.critical.deduplicate(cp)
    assert len(out.energies) == 2 and out.energies[0] == -0.2
    assert out.grad_norms[1] == 1e-13  # the better-certified duplicate is kept


def test_deduplicate_merges_copies_split_by_a_grid_boundary_and_matches_brute_force():
    rng = np.random.default_rng(0)
    n = 5
    distinct = rng.normal(size=(40, n))
    copies = np.repeat(distinct, 6, axis=0) + 1e-11 * rng.normal(size=(240, n))
    # a point straddling a cell boundary of the grid prefilter (cell size 1e-6): its copies land in two cells
    copies[:6, 0] = 1e-6 * np.round(copies[0, 0] / 1e-6) + np.array([-1, 1, -1, 1, -1, 1]) * 1e-12
    norms = rng.uniform(1e-14, 1e-10, size=240)
    cp = ls.critical.CriticalPoints(copies, rng.normal(size=240), np.zeros(240, int), norms, np.zeros((240, n - 1)))
    out = ls.critical.deduplicate(cp)
    assert len(out.energies) == 40
    # brute force: greedy in gradient-norm order against every kept point
    order = np.argsort(norms, kind="stable")
    kept = []
    for i in order:
        if all(np.linalg.norm(copies[i] - copies[j]) > 1e-6 * np.sqrt(n) for j in kept):
            kept.append(i)
    assert sorted(out.grad_norms) == sorted(norms[kept])


def test_census_with_antipodes_finds_the_antipodal_partners():
    n, p = 5, 3
    j = ls.fields.sample_pspin(jax.random.key(11), n, p)
    few = ls.critical.census(jax.random.key(12), j, n_starts=40)
    closed = ls.critical.census(jax.random.key(12), j, n_starts=40, antipodes=True)
    assert len(closed.energies) > len(few.energies)
    # odd p: H(-s) = -H(s), so energies come in pairs u, -u and indices k, n-1-k (the tangent space has n - 1 dimensions)
    np.testing.assert_allclose(np.sort(closed.energies), np.sort(-closed.energies), atol=1e-12)
    assert sorted(closed.indices) == sorted(n - 1 - closed.indices)
    assert np.all(closed.grad_norms < 1e-9)
    with pytest.raises(TypeError, match="antipodes"):
        ls.critical.census(KEY, j, antipodes=1)


@pytest.mark.parametrize("call, exc, match", [
    (lambda j, s: ls.critical.census(KEY, j, n_starts=0), ValueError, "n_starts"),
    (lambda j, s: ls.critical.census(KEY, j, tol=-1.0), ValueError, "tol"),
    (lambda j, s: ls.critical.newton(j, s, n_iter=0), ValueError, "n_iter"),
    (lambda j, s: ls.critical.newton(j, s, max_step=0.0), ValueError, "max_step"),
    (lambda j, s: ls.critical.gradient_descent(j, s, step_size=-0.1), ValueError, "step_size"),
    (lambda j, s: ls.critical.gradient_descent(j, s, n_steps=10, record_every=20), ValueError, "record_every"),
    (lambda j, s: ls.critical.classify(j, jnp.ones(4)), ValueError, "n = 3"),
    (lambda j, s: ls.critical.deduplicate(ls.critical.classify(j, s), atol=0.0), ValueError, "atol"),
])
def test_bad_inputs_raise_clear_errors(call, exc, match):
    j = ls.fields.sample_pspin(KEY, 3, 3)
    s = ls.sphere.random_points(KEY, 3)
    with pytest.raises(exc, match=match):
        call(j, s)


def test_morse_sum_and_census_convergence():
    assert ls.critical.morse_sum(np.array([0, 1, 1, 2])) == 0
    assert ls.critical.morse_sum(np.array([0, 0, 0, 1, 1, 1, 1, 2, 2, 2])) == 2
    with pytest.raises(ValueError, match="indices"):
        ls.critical.morse_sum(np.array([-1, 0]))
    j = ls.fields.sample_pspin(KEY, 3, 3)
    counts = ls.critical.census_convergence(jax.random.key(5), j, n_starts=(5, 50, 400))
    assert list(counts) == [5, 50, 400]
    assert counts[5] <= counts[50] <= counts[400]
    full = ls.critical.census(jax.random.key(5), j, n_starts=400)
    assert counts[400] == len(full.energies)
    with pytest.raises(ValueError, match="n_starts"):
        ls.critical.census_convergence(KEY, j, n_starts=())


def test_saddle_search_finds_the_chosen_index_of_a_quadratic_form():
    # p = 2: the index-k critical points are +-sqrt(N) times the eigenvector of the (k+1)-th smallest eigenvalue.
    n = 6
    j = ls.fields.sample_pspin(KEY, n, 2)
    lam, vec = np.linalg.eigh(np.asarray((j + j.T) / 2))
    start = ls.sphere.random_points(jax.random.key(6), n, 4)
    for k in (0, 2, 4):
        found = ls.critical.saddle_search(j, start, index=k, step_size=0.05, n_steps=3000)
        assert np.all(found.indices == k) and np.all(found.grad_norms < 1e-10)
        overlaps = np.abs(found.points @ vec[:, k]) / np.sqrt(n)
        np.testing.assert_allclose(overlaps, 1.0, atol=1e-8)


def test_saddle_search_on_a_pspin_field_and_bad_index():
    n = 12
    j = ls.fields.sample_pspin(KEY, n, 3)
    start = ls.sphere.random_points(jax.random.key(7), n, 6)
    found = ls.critical.saddle_search(j, start, index=1, n_steps=3000)
    ok = (found.grad_norms < 1e-9) & (found.indices == 1)
    assert ok.sum() >= 4  # most runs converge to an index-1 saddle
    with pytest.raises(ValueError, match="index"):
        ls.critical.saddle_search(j, start, index=n - 1)


def test_saddle_search_compiles_once_for_every_index():
    # the index is a traced argument: a chapter that loops over indices must not recompile
    n = 7
    j = ls.fields.sample_pspin(jax.random.key(41), n, 3)
    s = ls.sphere.random_points(jax.random.key(42), n, 2)
    ls.critical.saddle_search(j, s, 1, n_steps=5, polish=1)
    before = ls.critical._saddle_flow._cache_size()
    for k in (0, 2, 3):
        ls.critical.saddle_search(j, s, k, n_steps=5, polish=1)
    assert ls.critical._saddle_flow._cache_size() == before


J_BAD = ls.fields.sample_pspin(jax.random.key(70), 4, 3).at[0, 1, 2].set(np.nan)
S_GOOD = ls.sphere.random_points(jax.random.key(71), 4, 2)


@pytest.mark.parametrize("field", [J_BAD, J_BAD.at[0, 1, 2].set(np.inf), ls.fields.MixedField((J_BAD,), (1.0,)),
                                   ls.fields.PreparedField((J_BAD,), (1.0,))])
@pytest.mark.parametrize("call", [
    lambda f: ls.critical.census(KEY, f, n_starts=10),
    lambda f: ls.critical.census_convergence(KEY, f, n_starts=(5, 10)),
    lambda f: ls.critical.newton(f, S_GOOD),
    lambda f: ls.critical.classify(f, S_GOOD),
    lambda f: ls.critical.gradient_descent(f, S_GOOD, n_steps=10),
    lambda f: ls.critical.saddle_search(f, S_GOOD, 1, n_steps=10),  # blamed sigma (the NaN end points) before
])
def test_a_non_finite_field_is_refused_naming_the_field(call, field):
    with pytest.raises(ValueError, match="field.* must contain only finite"):
        call(field)


def test_bad_points_starts_and_huge_censuses_are_refused():
    j = ls.fields.sample_pspin(KEY, 4, 3)
    with pytest.raises(TypeError, match="sigma"):
        ls.critical.newton(j, "sigma")
    with pytest.raises(ValueError, match="sigma"):
        ls.critical.classify(j, S_GOOD.at[0, 0].set(np.nan))
    with pytest.raises(ValueError, match="sigma0 must contain only finite"):
        ls.critical.gradient_descent(j, S_GOOD.at[0, 0].set(np.inf))
    with pytest.raises(ValueError, match="sigma0 must have last axis of length n = 4"):
        ls.critical.saddle_search(j, jnp.ones(5), 1)  # on S_5, but n = 4
    with pytest.raises(ValueError, match="n_starts = 1000000000 Newton starts"):
        ls.critical.census(KEY, j, n_starts=10**9)
    with pytest.raises(ValueError, match=r"max\(n_starts\) = 1000000000"):
        ls.critical.census_convergence(KEY, j, n_starts=(10, 10**9))
    with pytest.raises(TypeError, match="n_starts"):
        ls.critical.census_convergence(KEY, j, n_starts=10)
    previous = ls.set_max_bytes(10_000)  # 8 x (16 + 48) bytes a start at N = 4: 19 starts fit, 20 do not
    try:
        ls.critical._check_starts(j, 19, "n_starts")  # the estimate alone: running 19 starts would compile again
        with pytest.raises(ValueError, match="n_starts = 20"):
            ls.critical.census(KEY, j, n_starts=20)
        with pytest.raises(ValueError, match="n_starts = 10"):  # the antipodes double the classification
            ls.critical.census(KEY, j, n_starts=10, antipodes=True)
    finally:
        ls.set_max_bytes(previous)


def test_deduplicate_checks_its_points():
    pts = ls.critical.classify(ls.fields.sample_pspin(KEY, 4, 3), S_GOOD)
    with pytest.raises(TypeError, match="points must be a landscape.critical.CriticalPoints"):
        ls.critical.deduplicate(tuple(pts))
    with pytest.raises(ValueError, match="points.points must contain only finite"):
        ls.critical.deduplicate(pts._replace(points=pts.points * np.nan))
    with pytest.raises(ValueError, match=r"points.energies must have shape \(2,\)"):
        ls.critical.deduplicate(pts._replace(energies=pts.energies[:1]))
    with pytest.raises(ValueError, match=r"points.points must have shape \(m, N\)"):
        ls.critical.deduplicate(pts._replace(points=pts.points[0]))
    previous = ls.set_max_bytes(100)  # the pairwise comparison of 2 distinct points at N = 4: 8 x 4 x 5 = 160 bytes
    try:
        with pytest.raises(ValueError, match="comparing 2 distinct points pairwise, N = 4"):
            ls.critical.deduplicate(pts)
    finally:
        ls.set_max_bytes(previous)


def test_deduplicate_merge_radius_is_atol_sqrt_n():
    # at N = 400 the radius atol*sqrt(N) = 0.02 is twenty times smaller than atol*N = 0.4 and twenty times larger
    # than atol = 1e-3: points at distance 0.019 are merged, at 0.021 kept
    n, atol = 400, 1e-3
    base = np.zeros(n)
    base[0] = np.sqrt(n)

    def at_distance(d):  # a point of S_N at Euclidean distance d from base
        theta = 2 * np.arcsin(d / (2 * np.sqrt(n)))
        p = np.zeros(n)
        p[0], p[1] = np.sqrt(n) * np.cos(theta), np.sqrt(n) * np.sin(theta)
        return p

    for d, kept in ((0.019, 1), (0.021, 2), (0.0009, 1), (0.0011, 1)):
        x = np.stack([base, at_distance(d)])
        assert abs(np.linalg.norm(x[1] - x[0]) - d) < 1e-12
        pts = ls.critical.CriticalPoints(x, np.array([0.0, 1.0]), np.zeros(2, int), np.array([0.0, 1e-12]),
                                         np.zeros((2, n - 1)))
        out = ls.critical.deduplicate(pts, atol=atol)
        assert len(out.energies) == kept, (d, len(out.energies))
        np.testing.assert_array_equal(out.points[0], base)  # the smaller gradient norm is the one kept


def test_huge_sizes_are_refused_in_a_child_process_without_allocating():
    code = """
import resource, jax, landscape as ls
calls = [lambda: ls.sphere.random_points(jax.random.key(0), 10**12),
         lambda: ls.critical.census(jax.random.key(0), ls.fields.sample_pspin(jax.random.key(1), 4, 3), n_starts=10**9)]
for call in calls:
    try:
        call()
        print("no error")
    except Exception as e:
        print(type(e).__name__ + ": " + str(e))
print("maxrss_kib", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""
    env = dict(os.environ)
    env.setdefault("JAX_PLATFORMS", "cpu")
    env["PYTHONPATH"] = os.pathsep.join(p for p in [os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                                    env.get("PYTHONPATH", "")] if p)
    env.pop("LANDSCAPES_MAX_BYTES", None)
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], timeout=120, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - t0
    assert out.returncode == 0, out.stderr[-2000:]
    lines = out.stdout.splitlines()
    assert lines[0].startswith("ValueError: n = 1000000000000 needs about"), out.stdout
    assert lines[1].startswith("ValueError: n_starts = 1000000000 Newton starts"), out.stdout
    assert int(lines[2].split()[1]) < 2 * 2**20  # peak resident memory under 2 GiB (JAX itself takes ~0.5)
    assert elapsed < 60

"""Saddle-free Newton (Dauphin et al. 2014) against Newton's method: where each one goes, and the shared kernel."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import landscape as ls

crit = ls.critical
N2 = 8  # the 2-spin: H = s.A.s with A = (J + J^T)/(2 sqrt(N)); critical points +-sqrt(N) v_k, index k (from 0)


def _two_spin():
    j = ls.fields.sample_pspin(jax.random.key(20), N2, 2)
    a = np.asarray((j + j.T) / (2 * np.sqrt(N2)))
    lam, vecs = np.linalg.eigh(a)
    return j, lam, vecs


def _near_each_eigenvector(vecs, size=0.3):
    # one start near +sqrt(N) v_k for every k, pushed off by a random vector of length ~ size sqrt(N)
    noise = np.asarray(jax.random.normal(jax.random.key(21), (N2, N2))) * size
    starts = np.sqrt(N2) * vecs.T + noise
    return jnp.asarray(np.sqrt(N2) * starts / np.linalg.norm(starts, axis=1, keepdims=True))


def test_on_the_2_spin_newton_goes_to_the_nearest_eigenvector_and_sfn_to_the_minimum():
    j, lam, vecs = _two_spin()
    starts = _near_each_eigenvector(vecs)
    # the start k is nearest to v_k (largest |overlap|): Newton must end there, whatever the index k
    nearest = np.argmax(np.abs(np.asarray(starts) @ vecs), axis=1)
    np.testing.assert_array_equal(nearest, np.arange(N2))
    ends = crit.newton(j, starts, n_iter=20)
    overlap = np.abs(np.asarray(ends) @ vecs) / np.sqrt(N2)  # |cos| with each eigenvector
    np.testing.assert_allclose(overlap[np.arange(N2), nearest], 1.0, atol=1e-12)
    found = crit.classify(j, ends)
    np.testing.assert_array_equal(found.indices, np.arange(N2))  # v_k has index k: Newton reached every saddle
    np.testing.assert_allclose(found.energies, lam, atol=1e-12)  # u = H/N = (sqrt(N) v).A.(sqrt(N) v)/N = lambda_k
    # saddle-free Newton from the same starts: the minimum +-sqrt(N) v_min every time
    sfn = crit.saddle_free_newton(j, starts, n_iter=100, tol=1e-12)
    np.testing.assert_allclose(np.abs(np.asarray(sfn) @ vecs[:, 0]) / np.sqrt(N2), 1.0, atol=1e-12)
    assert np.all(crit.classify(j, sfn).indices == 0)


def test_one_saddle_free_step_is_minus_v_abs_lambda_inverse_vt_g():
    j, _, _ = _two_spin()
    s = ls.sphere.random_points(jax.random.key(22), N2)
    damping = 0.3
    _, g, h = ls.fields.tangent_derivatives(j, s)
    lam, v = np.linalg.eigh(np.asarray(h))
    assert lam[0] < 0 < lam[-1]  # a generic point: curvature of both signs
    x = -v @ ((v.T @ np.asarray(g)) / (np.abs(lam) + damping))
    expected = ls.sphere.retract(s, ls.sphere.from_tangent(s, jnp.asarray(x)))
    step = crit.saddle_free_newton(j, s, n_iter=1, damping=damping, max_step=100.0, tol=0.0)
    np.testing.assert_allclose(step, expected, atol=1e-12)
    # the wrong variants differ: Newton's -h^{-1} g, and |lambda| without the damping
    newton_step = ls.sphere.retract(s, ls.sphere.from_tangent(s, -jnp.linalg.solve(h, g)))
    assert np.linalg.norm(step - newton_step) > 1e-3
    undamped = ls.sphere.retract(s, ls.sphere.from_tangent(s, jnp.asarray(-v @ ((v.T @ np.asarray(g)) / np.abs(lam)))))
    assert np.linalg.norm(step - undamped) > 1e-3
    # the step decreases the energy to first order: g . x = -sum g_i^2 / (|lambda_i| + damping) < 0
    assert float(np.asarray(g) @ x) < 0


def test_the_step_cap_bounds_every_step():
    j, _, _ = _two_spin()
    s = ls.sphere.random_points(jax.random.key(23), N2, 4)
    one = crit.saddle_free_newton(j, s, n_iter=1, damping=1e-6, max_step=0.01, tol=0.0)
    # retraction of a tangent step of length <= 0.01 sqrt(N) moves the point by at most that much
    assert np.all(np.linalg.norm(np.asarray(one - s), axis=1) <= 0.01 * np.sqrt(N2) + 1e-12)


def test_on_a_3_spin_sfn_ends_at_minima_and_newton_at_saddles():
    n = 10
    j = ls.fields.sample_pspin(jax.random.key(24), n, 3)
    starts = ls.sphere.random_points(jax.random.key(25), n, 48)
    sfn, steps = crit.saddle_free_newton(j, starts, n_iter=100, tol=1e-10, return_iterations=True)
    found = crit.classify(j, sfn)
    minima = (found.grad_norms <= 1e-9) & (found.indices == 0)
    assert minima.mean() >= 0.9, minima.mean()
    assert steps.shape == (48,) and np.all(steps[minima] < 100)
    assert np.all(found.energies[minima] < -1.0)  # descent: minima are deep (u_th = -1.63 at large N)
    ends = crit.classify(j, crit.newton(j, starts, n_iter=50))
    ok = ends.grad_norms <= 1e-9
    assert ok.mean() > 0.5
    # odd p: Newton's end points have the index law of a uniform start, symmetric about (N-1)/2 = 4.5
    k = ends.indices[ok]
    assert np.mean(k == 0) < 0.1 and abs(k.mean() - (n - 1) / 2) < 4 * k.std(ddof=1) / np.sqrt(ok.sum())
    assert k.mean() > 3.0


def test_newton_is_blind_to_the_sign_of_the_field_and_sfn_is_not():
    n = 6
    j = ls.fields.sample_pspin(jax.random.key(26), n, 3)
    starts = ls.sphere.random_points(jax.random.key(27), n, 32)
    plus, minus = crit.newton(j, starts, n_iter=40), crit.newton(-j, starts, n_iter=40)
    a, b = crit.classify(j, plus), crit.classify(-j, minus)
    ok = (a.grad_norms < 1e-9) & (b.grad_norms < 1e-9)
    assert ok.mean() > 0.5
    same = np.linalg.norm(np.asarray(plus - minus), axis=1)[ok] < 1e-8
    assert same.mean() > 0.9
    np.testing.assert_array_equal(a.indices[ok][same] + b.indices[ok][same], n - 1)
    up = crit.classify(-j, crit.saddle_free_newton(-j, starts, n_iter=60))
    assert np.mean(up.indices == 0) > 0.9  # SFN on -H descends -H: it finds the maxima of H


def test_tol_freezes_a_start_and_iterations_are_counted():
    j, _, vecs = _two_spin()
    s = jnp.stack([_near_each_eigenvector(vecs)[:3]] * 2)  # a batch of shape (2, 3, N)
    out, steps = crit.newton(j, s, n_iter=5, tol=1e9, return_iterations=True)
    assert steps.shape == (2, 3) and np.all(steps == 0)
    np.testing.assert_array_equal(out, s)
    out, steps = crit.saddle_free_newton(j, s, n_iter=7, tol=0.0, return_iterations=True)
    assert out.shape == s.shape and np.all(steps == 7)
    # with a tolerance, Newton stops within a few steps near a critical point, and its gradient is below it
    out, steps = crit.newton(j, s, n_iter=30, tol=1e-10, return_iterations=True)
    assert np.all(steps < 30) and np.all(crit.classify(j, out.reshape(-1, N2)).grad_norms <= 1e-10)
    # one point in, one point out, and a scalar step count
    out, steps = crit.saddle_free_newton(j, s[0, 0], n_iter=3, return_iterations=True)
    assert out.shape == (N2,) and steps.shape == ()


def test_newton_and_sfn_share_one_compiled_kernel_per_shape():
    j = ls.fields.sample_pspin(jax.random.key(28), 5, 3)
    s = ls.sphere.random_points(jax.random.key(29), 5, 3)
    crit.newton(j, s, n_iter=4, tol=1e-3)
    before = crit._second_order_batch._cache_size()
    # the method, n_iter, tol, max_step and damping are traced, not static: one compilation for the same shapes
    crit.saddle_free_newton(j, s, n_iter=4, tol=1e-3)
    crit.newton(j, s, n_iter=9, tol=1e-5, max_step=0.2)
    crit.saddle_free_newton(j, s, n_iter=17, tol=1e-7, damping=0.2)
    assert crit._second_order_batch._cache_size() == before


@pytest.mark.parametrize("kwargs, error, name", [
    (dict(n_iter=0), ValueError, "n_iter"),
    (dict(n_iter=2.5), TypeError, "n_iter"),
    (dict(n_iter=10**12), ValueError, "n_iter"),
    (dict(damping=0.0), ValueError, "damping"),
    (dict(damping=-1.0), ValueError, "damping"),
    (dict(damping=float("nan")), ValueError, "damping"),
    (dict(max_step=0.0), ValueError, "max_step"),
    (dict(tol=-1.0), ValueError, "tol"),
    (dict(tol="small"), TypeError, "tol"),
    (dict(return_iterations=1), TypeError, "return_iterations"),
])
def test_bad_arguments_are_refused_naming_the_parameter(kwargs, error, name):
    j = ls.fields.sample_pspin(jax.random.key(30), 4, 3)
    s = ls.sphere.random_points(jax.random.key(31), 4, 2)
    with pytest.raises(error, match=name):
        crit.saddle_free_newton(j, s, **kwargs)


def test_bad_points_fields_and_huge_batches_are_refused():
    j = ls.fields.sample_pspin(jax.random.key(32), 4, 3)
    with pytest.raises(ValueError, match="sigma0"):
        crit.saddle_free_newton(j, jnp.ones(5))
    with pytest.raises(ValueError, match="sigma0 must contain only finite"):
        crit.saddle_free_newton(j, jnp.full(4, jnp.nan))
    with pytest.raises(ValueError, match="field.* must contain only finite"):
        crit.saddle_free_newton(j.at[0, 0, 0].set(jnp.inf), jnp.ones(4))
    with pytest.raises(ValueError, match="tol"):
        crit.newton(j, jnp.ones(4), tol=-1.0)
    with pytest.raises(TypeError, match="return_iterations"):
        crit.newton(j, jnp.ones(4), return_iterations="yes")
    previous = ls.set_max_bytes(10_000)  # 8 x (16 + 48) bytes a start at N = 4: 19 starts fit, 20 do not
    try:
        with pytest.raises(ValueError, match="batch size of sigma0"):
            crit.saddle_free_newton(j, jnp.ones((20, 4)))
        with pytest.raises(ValueError, match="batch size of sigma"):
            crit.newton(j, jnp.ones((20, 4)))
    finally:
        ls.set_max_bytes(previous)

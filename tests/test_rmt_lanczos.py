"""Lanczos with full reorthogonalisation and stochastic Lanczos quadrature (landscape.rmt)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from landscape import networks as nw
from landscape import rmt


def _goe(n, seed):
    return np.asarray(rmt.sample_goe(jax.random.key(seed), n))


def test_lanczos_reproduces_the_extreme_eigenvalues_of_a_goe_matrix():
    a = _goe(300, 0)
    ev = np.linalg.eigvalsh(a)
    t = rmt.lanczos(lambda v: jnp.asarray(a) @ v, jnp.ones(300), 80)
    assert t.alpha.shape == (80,) and t.beta.shape == (79,)
    ritz = np.linalg.eigvalsh(np.diag(t.alpha) + np.diag(t.beta, 1) + np.diag(t.beta, -1))
    # the two extreme eigenvalues converge first (the edge gaps of a GOE(300) are ~ n^{-2/3}, 80 steps suffice)
    assert abs(ritz[-1] - ev[-1]) < 1e-8 and abs(ritz[0] - ev[0]) < 1e-8
    # interior Ritz values lie inside the spectrum (Cauchy interlacing)
    assert ev[0] - 1e-10 <= ritz.min() and ritz.max() <= ev[-1] + 1e-10


def test_full_lanczos_is_exact_and_without_ghosts():
    a = _goe(60, 1)
    t = rmt.lanczos(lambda v: jnp.asarray(a) @ v, jnp.asarray(np.random.default_rng(0).normal(size=60)), 60)
    ritz = np.linalg.eigvalsh(np.diag(t.alpha) + np.diag(t.beta, 1) + np.diag(t.beta, -1))
    # with reorthogonalisation, m = n steps give every eigenvalue once (no spurious copies)
    np.testing.assert_allclose(ritz, np.linalg.eigvalsh(a), atol=1e-10)


def test_lanczos_breakdown_on_a_low_rank_operator():
    u = np.random.default_rng(1).normal(size=(50, 3))
    a = u @ u.T  # rank 3: the Krylov space of any v0 has dimension <= 4 (with the kernel component)
    t = rmt.lanczos(lambda v: jnp.asarray(a) @ v, jnp.ones(50), 10)
    assert np.all(np.isfinite(t.alpha)) and np.all(np.abs(t.beta[4:]) < 1e-8)
    ritz = np.linalg.eigvalsh(np.diag(t.alpha) + np.diag(t.beta, 1) + np.diag(t.beta, -1))
    top = np.sort(np.linalg.eigvalsh(a))[-3:]
    np.testing.assert_allclose(np.sort(ritz)[-3:], top, rtol=1e-9)


def test_gauss_quadrature_is_exact_up_to_degree_2m_minus_1():
    a = _goe(200, 2)
    v = np.random.default_rng(2).choice([-1.0, 1.0], size=200)
    m = 6
    t = rmt.lanczos(lambda x: jnp.asarray(a) @ x, jnp.asarray(v), m)
    nodes, vecs = np.linalg.eigh(np.diag(t.alpha) + np.diag(t.beta, 1) + np.diag(t.beta, -1))
    w = vecs[0] ** 2
    for k in range(2 * m):
        exact = v @ np.linalg.matrix_power(a, k) @ v / (v @ v)
        assert abs(np.sum(w * nodes**k) - exact) < 1e-10 * max(1.0, abs(exact))
    # degree 2m is not exact: the check can fail
    exact = v @ np.linalg.matrix_power(a, 2 * m) @ v / (v @ v)
    assert abs(np.sum(w * nodes ** (2 * m)) - exact) > 1e-6


def test_slq_moments_match_traces_within_the_hutchinson_error():
    n, n_vec = 400, 30
    a = _goe(n, 3)
    q = rmt.slq(jax.random.key(4), lambda v: jnp.asarray(a) @ v, n, 20, n_vec)
    assert q.nodes.shape == (n_vec, 20) and np.allclose(np.sum(q.weights, axis=1), 1.0)
    for k in (1, 2, 3, 4):
        b = np.linalg.matrix_power(a, k)
        exact = np.trace(b) / n
        # Rademacher Hutchinson: Var(v^T B v) = 2 sum_{i != j} B_ij^2; per-vector estimate divided by n
        se = np.sqrt(2 * (np.sum(b**2) - np.sum(np.diag(b) ** 2)) / n_vec) / n
        assert abs(float(rmt.slq_moment(q, k)) - exact) < 5 * se + 1e-12, k
    # the zeroth moment is 1 exactly
    assert abs(float(rmt.slq_moment(q, 0)) - 1.0) < 1e-12


def test_slq_density_of_a_large_goe_is_the_semicircle():
    n = 2000
    a = jnp.asarray(_goe(n, 5))
    q = rmt.slq(jax.random.key(6), lambda v: a @ v, n, 60, 4)
    grid = np.linspace(-2.5, 2.5, 501)
    rho = np.asarray(rmt.slq_density(q, grid, 0.1))
    assert abs(np.trapezoid(rho, grid) - 1.0) < 1e-3
    # the semicircle smoothed by the same Gaussian, on the same grid
    x = np.linspace(-2, 2, 4001)
    sc = np.asarray(rmt.semicircle_density(x))
    smooth = np.trapezoid(sc * np.exp(-0.5 * ((grid[:, None] - x) / 0.1) ** 2), x, axis=1) / (np.sqrt(2 * np.pi) * 0.1)
    assert np.max(np.abs(rho - smooth)) < 0.03  # the peak is 1/pi = 0.32
    # a wrong law (semicircle of radius 2.2) is far off
    x2 = 1.1 * x
    sc2 = sc / 1.1
    kernel = np.exp(-0.5 * ((grid[:, None] - x2) / 0.1) ** 2) / (np.sqrt(2 * np.pi) * 0.1)
    wrong = np.trapezoid(sc2 * kernel, x2, axis=1)
    assert np.max(np.abs(rho - wrong)) > 0.05


def test_a_network_hvp_operator_equals_the_dense_hessian():
    data = nw.digits()
    params = nw.init_mlp(jax.random.key(0), data.x_train.shape[1], 4, 10)
    x, y = data.x_train[:200], data.y_train[:200]
    op = nw.hessian_operator(params, x, y, "tanh", 1e-3)
    h = np.asarray(nw.hessian(params, x, y, "tanh", 1e-3))
    v = np.random.default_rng(0).normal(size=h.shape[0])
    np.testing.assert_allclose(np.asarray(op(jnp.asarray(v))), h @ v, atol=1e-12, rtol=1e-10)
    # Lanczos on the operator recovers the top of the dense spectrum
    t = rmt.lanczos(op, jnp.asarray(v), 60)
    ritz = np.linalg.eigvalsh(np.diag(t.alpha) + np.diag(t.beta, 1) + np.diag(t.beta, -1))
    assert abs(ritz[-1] - np.linalg.eigvalsh(h)[-1]) < 1e-8


def test_bad_inputs_name_the_parameter():
    a = jnp.eye(5)
    with pytest.raises(ValueError, match="n_steps"):
        rmt.lanczos(lambda v: a @ v, jnp.ones(5), 6)
    with pytest.raises(ValueError, match="v0"):
        rmt.lanczos(lambda v: a @ v, jnp.zeros(5), 2)
    with pytest.raises(TypeError, match="matvec"):
        rmt.lanczos("abc", jnp.ones(5), 2)
    with pytest.raises(ValueError, match="matvec"):
        rmt.slq(jax.random.key(0), lambda v: v[:3], 5, 2, 2)
    with pytest.raises(ValueError, match="width"):
        rmt.slq_density(rmt.slq(jax.random.key(0), lambda v: a @ v, 5, 2, 2), jnp.zeros(3), 0.0)
    with pytest.raises(ValueError, match="dim"):
        rmt.slq(jax.random.key(0), lambda v: a @ v, 10**12, 2, 2)

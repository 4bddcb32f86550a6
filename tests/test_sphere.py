"""Unit tests of landscape.sphere: exact identities to machine precision, Monte Carlo with standard errors."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import landscape as ls

KEY = jax.random.key(0)


def test_random_points_on_sphere_and_reproducible():
    x = ls.sphere.random_points(KEY, 7, 100)
    assert x.shape == (100, 7) and x.dtype == jnp.float64
    np.testing.assert_allclose(jnp.sum(x**2, axis=1), 7.0, rtol=1e-13)
    np.testing.assert_array_equal(x, ls.sphere.random_points(KEY, 7, 100))
    assert not np.allclose(x, ls.sphere.random_points(jax.random.key(1), 7, 100))
    assert ls.sphere.random_points(KEY, 4).shape == (4,)


def test_random_points_are_uniform():
    # For uniform points on S_N: E[sigma_i] = 0 and E[sigma_i sigma_j] = delta_ij. Check to 5 standard errors.
    n, m = 5, 20000
    x = np.asarray(ls.sphere.random_points(KEY, n, m))
    second = x.T @ x / m
    se = np.sqrt(2.0 / m)  # Var(sigma_i^2) <= 2 for these points
    assert np.all(np.abs(second - np.eye(n)) < 5 * se)
    assert np.all(np.abs(x.mean(axis=0)) < 5 / np.sqrt(m))


def test_tangent_projector_properties():
    s = ls.sphere.random_points(KEY, 6)
    p = ls.sphere.tangent_projector(s)
    np.testing.assert_allclose(p @ p, p, atol=1e-14)
    np.testing.assert_allclose(p, p.T, atol=0)
    np.testing.assert_allclose(p @ s, 0, atol=1e-14)
    assert np.isclose(np.trace(p), 5)


def test_tangent_basis_orthonormal_and_tangent():
    for seed in range(5):
        s = ls.sphere.random_points(jax.random.key(seed), 8)
        e = ls.sphere.tangent_basis(s)
        assert e.shape == (8, 7)
        np.testing.assert_allclose(e.T @ e, np.eye(7), atol=1e-13)
        np.testing.assert_allclose(s @ e, 0, atol=1e-13)
    # both signs of the first coordinate (the Householder branch)
    s = ls.sphere.normalize(jnp.array([-1.0, 0.2, 0.3]))
    e = ls.sphere.tangent_basis(s)
    np.testing.assert_allclose(e.T @ e, np.eye(2), atol=1e-14)


def test_riemannian_derivatives_of_a_quadratic_form():
    # f(x) = x.A.x/2 restricted to S_N: grad = P A s, Hess = P (A - (s.A.s/N) I) P  (Rayleigh quotient).
    n = 6
    a = np.asarray(ls.rmt.sample_goe(KEY, n))
    s = ls.sphere.random_points(jax.random.key(3), n)
    def f(x):
        return 0.5 * x @ a @ x
    p = np.eye(n) - np.outer(s, s) / n
    np.testing.assert_allclose(ls.sphere.riemannian_gradient(f, s), p @ a @ s, atol=1e-13)
    expected = p @ (a - (s @ a @ s / n) * np.eye(n)) @ p
    np.testing.assert_allclose(ls.sphere.riemannian_hessian(f, s), expected, atol=1e-13)
    # at an eigenvector the gradient vanishes and the tangent Hessian eigenvalues are lambda_j - lambda_i
    lam, vec = np.linalg.eigh(a)
    v = np.sqrt(n) * vec[:, 2]
    assert np.linalg.norm(ls.sphere.riemannian_gradient(f, v)) < 1e-12
    h_t = ls.sphere.tangent_hessian(v, ls.sphere.riemannian_hessian(f, v))
    np.testing.assert_allclose(np.sort(np.linalg.eigvalsh(h_t)), np.sort(np.delete(lam, 2) - lam[2]), atol=1e-12)


def test_riemannian_hessian_matches_second_derivative_along_geodesics():
    # d^2/dt^2 f(gamma(t)) at t=0 along a unit-speed great circle = v.Hess.v (geodesic => no extra term)
    n = 5
    j = ls.fields.sample_pspin(KEY, n, 3)
    def f(x):
        return ls.fields.energy(j, x)
    s = ls.sphere.random_points(jax.random.key(5), n)
    v = ls.sphere.project_gradient(s, jax.random.normal(jax.random.key(6), (n,)))
    v = v / jnp.linalg.norm(v)
    r = jnp.sqrt(n)
    def curve(t):
        return f(jnp.cos(t / r) * s + r * jnp.sin(t / r) * v)
    second = jax.grad(jax.grad(curve))(0.0)
    assert abs(second - v @ ls.sphere.riemannian_hessian(f, s) @ v) < 1e-11


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=2, max_value=9), st.floats(min_value=-3, max_value=3), st.integers(0, 10_000))
def test_retract_stays_on_sphere_and_is_first_order(n, scale, seed):
    s = ls.sphere.random_points(jax.random.key(seed), n)
    v = ls.sphere.project_gradient(s, jax.random.normal(jax.random.key(seed + 1), (n,)))
    out = ls.sphere.retract(s, scale * v)
    assert abs(float(out @ out) - n) < 1e-10 * n
    eps = 1e-6
    np.testing.assert_allclose((ls.sphere.retract(s, eps * v) - s) / eps, v, atol=1e-5)


def test_overlap_and_normalize():
    x = ls.sphere.random_points(KEY, 4, 3)
    q = ls.sphere.overlap(x, x)
    np.testing.assert_allclose(q, 1.0, rtol=1e-14)
    assert abs(float(ls.sphere.overlap(x[0], -x[0])) + 1) < 1e-14
    np.testing.assert_allclose(jnp.sum(ls.sphere.normalize(jnp.array([3.0, 4.0])) ** 2), 2.0)


@pytest.mark.parametrize("call, match", [
    (lambda: ls.sphere.random_points(KEY, 1), "n"),
    (lambda: ls.sphere.random_points(KEY, 2.5), "n"),
    (lambda: ls.sphere.random_points(KEY, "3"), "n"),
    (lambda: ls.sphere.random_points(KEY, 3, 0), "num"),
    (lambda: ls.sphere.random_points(0, 3), "key"),
    (lambda: ls.sphere.tangent_projector(2 * jnp.ones(3)), "sphere"),
    (lambda: ls.sphere.tangent_projector(jnp.ones((2, 3))), "sigma"),
    (lambda: ls.sphere.tangent_projector(jnp.array([1.0])), "N >= 2"),
    (lambda: ls.sphere.normalize(jnp.zeros(3)), "non-zero"),
    (lambda: ls.sphere.normalize(jnp.array([np.nan, 1.0])), "finite"),
    (lambda: ls.sphere.riemannian_gradient("f", jnp.array([1.0, 1.0])), "callable"),
    (lambda: ls.sphere.overlap(jnp.ones(2), jnp.ones(3)), "same N"),
])
def test_bad_inputs_raise_clear_errors(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()


def test_project_hessian_matches_autodiff_and_kills_the_normal_direction():
    n = 5
    j = ls.fields.sample_pspin(KEY, n, 4)
    s = ls.sphere.random_points(jax.random.key(8), n)
    def f(x):
        return ls.fields.energy(j, x)
    h = ls.sphere.project_hessian(s, jax.grad(f)(s), jax.hessian(f)(s))
    np.testing.assert_allclose(h, ls.sphere.riemannian_hessian(f, s), atol=1e-13)
    np.testing.assert_allclose(h @ s, 0, atol=1e-12)
    # the curvature term for the pure p-spin is -p u on the tangent space (Euler's identity)
    u = f(s) / n
    p_proj = ls.sphere.tangent_projector(s)
    np.testing.assert_allclose(h, p_proj @ jax.hessian(f)(s) @ p_proj - 4 * u * p_proj, atol=1e-12)


def test_points_at_overlap_have_the_prescribed_overlap():
    n = 7
    s = ls.sphere.random_points(KEY, n)
    q = jnp.array([[-1.0, -0.5, 0.0], [0.3, 0.9, 1.0]])
    t = ls.sphere.points_at_overlap(jax.random.key(21), s, q)
    assert t.shape == (2, 3, n)
    np.testing.assert_allclose(jnp.sum(t**2, axis=-1), n, rtol=1e-13)
    np.testing.assert_allclose(ls.sphere.overlap(t, jnp.broadcast_to(s, t.shape)), q, atol=1e-13)
    np.testing.assert_allclose(t[1, 2], s, atol=1e-13)
    # the orthogonal part is uniform: its mean over many draws vanishes
    many = ls.sphere.points_at_overlap(jax.random.key(22), s, jnp.zeros(4000))
    assert np.all(np.abs(np.asarray(many).mean(axis=0)) < 5 / np.sqrt(4000))
    with pytest.raises(ValueError, match="q must lie in"):
        ls.sphere.points_at_overlap(KEY, s, jnp.array([1.5]))


def test_householder_shortcuts_match_the_explicit_basis():
    n = 7
    s = ls.sphere.random_points(jax.random.key(31), n)
    e = ls.sphere.tangent_basis(s)
    v = jax.random.normal(jax.random.key(32), (n,))
    x = jax.random.normal(jax.random.key(33), (n - 1,))
    a = jax.random.normal(jax.random.key(34), (n, n))  # not symmetric: both sides must be reflected
    np.testing.assert_allclose(ls.sphere.to_tangent(s, v), e.T @ v, atol=1e-13)
    np.testing.assert_allclose(ls.sphere.from_tangent(s, x), e @ x, atol=1e-13)
    np.testing.assert_allclose(ls.sphere.tangent_hessian(s, a), e.T @ a @ e, atol=1e-13)
    assert abs(float(ls.sphere.from_tangent(s, x) @ s)) < 1e-12  # tangent
    p = ls.sphere.tangent_projector(s)
    g = jax.random.normal(jax.random.key(35), (n,))
    sym = a + a.T
    shift = float(s @ g) / n
    np.testing.assert_allclose(ls.sphere.project_hessian(s, g, sym), p @ (sym - shift * jnp.eye(n)) @ p, atol=1e-12)


S4 = ls.sphere.random_points(jax.random.key(50), 4)
S4_BATCH = ls.sphere.random_points(jax.random.key(51), 4, 3)
NAN4 = jnp.array([0.0, np.nan, 0.0, 0.0])
INF4 = jnp.array([0.0, 0.0, np.inf, 0.0])


@pytest.mark.parametrize("call, exc, match", [
    # every array argument: NaN, inf, wrong type, wrong shape, mismatched length, mismatched batch
    (lambda: ls.sphere.normalize("abcd"), TypeError, "x must be a real numeric"),
    (lambda: ls.sphere.normalize(jnp.array([1.0, np.inf])), ValueError, "x must contain only finite"),
    (lambda: ls.sphere.points_at_overlap(KEY, S4, "0.5"), TypeError, "q must be a real numeric"),
    (lambda: ls.sphere.points_at_overlap(KEY, S4, jnp.array([np.nan])), ValueError, "q must contain only finite"),
    (lambda: ls.sphere.points_at_overlap(KEY, "s", 0.5), TypeError, "sigma"),
    (lambda: ls.sphere.overlap(S4, "tau"), TypeError, "tau must be a real numeric"),
    (lambda: ls.sphere.overlap(S4_BATCH, S4_BATCH[:2]), ValueError, "broadcast"),
    (lambda: ls.sphere.tangent_projector([True, False]), TypeError, "sigma"),
    (lambda: ls.sphere.tangent_basis(INF4), ValueError, "sigma must contain only finite"),
    (lambda: ls.sphere.project_gradient(S4, NAN4), ValueError, "euclidean_gradient must contain only finite"),
    (lambda: ls.sphere.project_gradient(S4, INF4), ValueError, "euclidean_gradient"),
    (lambda: ls.sphere.project_gradient(S4, jnp.ones(3)), ValueError, "euclidean_gradient must have a last axis"),
    (lambda: ls.sphere.project_gradient(S4, "grad"), TypeError, "euclidean_gradient must be a real numeric"),
    (lambda: ls.sphere.project_gradient(S4_BATCH, jnp.ones((2, 4))), ValueError, "euclidean_gradient of shape"),
    (lambda: ls.sphere.project_hessian(S4, S4, S4), ValueError, r"euclidean_hessian must have shape \(4, 4\)"),
    (lambda: ls.sphere.project_hessian(S4, jnp.ones(5), jnp.eye(4)), ValueError, "euclidean_gradient must have shape"),
    (lambda: ls.sphere.project_hessian(S4, NAN4, jnp.eye(4)), ValueError, "euclidean_gradient must contain only"),
    (lambda: ls.sphere.project_hessian(S4, S4, jnp.eye(4).at[1, 2].set(np.inf)), ValueError, "euclidean_hessian"),
    (lambda: ls.sphere.project_hessian(S4, S4, "hess"), TypeError, "euclidean_hessian must be a real numeric"),
    (lambda: ls.sphere.riemannian_gradient(jnp.sum, NAN4), ValueError, "sigma"),
    (lambda: ls.sphere.riemannian_hessian(jnp.sum, "sigma"), TypeError, "sigma"),
    (lambda: ls.sphere.to_tangent(S4, jnp.ones(3)), ValueError, r"v must have shape \(4,\)"),
    (lambda: ls.sphere.to_tangent(S4, NAN4), ValueError, "v must contain only finite"),
    (lambda: ls.sphere.to_tangent(S4, "v"), TypeError, "v must be a real numeric"),
    (lambda: ls.sphere.from_tangent(S4, jnp.ones(4)), ValueError, r"x must have shape \(3,\)"),
    (lambda: ls.sphere.from_tangent(S4, jnp.array([1.0, np.inf, 0.0])), ValueError, "x must contain only finite"),
    (lambda: ls.sphere.from_tangent(S4, "xyz"), TypeError, "x must be a real numeric"),
    (lambda: ls.sphere.tangent_hessian(S4, jnp.eye(3)), ValueError, "riemannian_hessian_matrix must have shape"),
    (lambda: ls.sphere.tangent_hessian(S4, jnp.ones(4)), ValueError, "riemannian_hessian_matrix must have shape"),
    (lambda: ls.sphere.tangent_hessian(S4, jnp.full((4, 4), np.nan)), ValueError, "riemannian_hessian_matrix"),
    (lambda: ls.sphere.tangent_hessian(S4, [["a"] * 4] * 4), TypeError, "riemannian_hessian_matrix"),
    (lambda: ls.sphere.retract(S4, NAN4), ValueError, "v must contain only finite"),
    (lambda: ls.sphere.retract(S4, INF4), ValueError, "v must contain only finite"),
    (lambda: ls.sphere.retract(S4, jnp.ones(5)), ValueError, "v must have a last axis of length N = 4"),
    (lambda: ls.sphere.retract(S4_BATCH, jnp.ones((2, 4))), ValueError, "v of shape"),
    (lambda: ls.sphere.retract(S4, "v"), TypeError, "v must be a real numeric"),
    (lambda: ls.sphere.retract(S4, jax.random.key(0)), TypeError, "v must be a real numeric"),
    (lambda: ls.sphere.retract(S4, None), TypeError, "v must be a real numeric"),
    # sizes refused before allocating
    (lambda: ls.sphere.random_points(KEY, 10**12), ValueError, "n = 10+ needs about"),
    (lambda: ls.sphere.random_points(KEY, 1000, 10**9), ValueError, "num = 10+ points"),
    (lambda: ls.sphere.tangent_projector(jnp.ones(10**5)), ValueError, "N = 100000"),
    (lambda: ls.sphere.tangent_basis(jnp.ones(10**5)), ValueError, "N = 100000"),
])
def test_every_array_argument_is_checked(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_valid_secondary_arrays_of_other_dtypes_and_batches_still_work():
    # integer and float32 arrays, and broadcast batches, are accepted as before and give the same numbers
    g = np.array([1, -2, 3, 0])
    np.testing.assert_array_equal(ls.sphere.project_gradient(S4, g), ls.sphere.project_gradient(S4, g.astype(float)))
    np.testing.assert_array_equal(ls.sphere.to_tangent(S4, g), ls.sphere.to_tangent(S4, jnp.asarray(g, jnp.float64)))
    x32 = jnp.array([0.5, -1.0, 2.0], dtype=jnp.float32)
    np.testing.assert_array_equal(ls.sphere.from_tangent(S4, x32),
                                  ls.sphere.from_tangent(S4, jnp.asarray(x32, jnp.float64)))
    assert ls.sphere.retract(S4_BATCH, 0.1 * S4).shape == (3, 4)
    assert ls.sphere.project_gradient(S4, jnp.ones((2, 4))).shape == (2, 4)


def test_sizes_under_a_lowered_memory_limit_are_refused():
    previous = ls.set_max_bytes(5_000)
    try:
        with pytest.raises(ValueError, match="q of size 100"):
            ls.sphere.points_at_overlap(KEY, S4, jnp.zeros(100))  # 100 x 4 entries, 20 bytes each
        with pytest.raises(ValueError, match="num = 100 points"):
            ls.sphere.random_points(KEY, 4, 100)
        with pytest.raises(ValueError, match="N x N Hessian"):
            ls.sphere.riemannian_hessian(jnp.sum, ls.sphere.normalize(jnp.ones(20)))
        assert ls.sphere.random_points(KEY, 4, 10).shape == (10, 4)  # 40 entries, 800 bytes: allowed
    finally:
        ls.set_max_bytes(previous)

"""Unit tests of the Kac–Rice part of landscape.spiked: Kac–Rice complexity of the spiked matrix–tensor loss with the
signal, the good minimum (= ML-AMP fixed point), the trivialization threshold, validation."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy.optimize import brentq

import landscape as ls
from landscape import spiked as skr

Model = ls.spiked.SpikedMatrixTensor


def moments(model):
    """(xi(1), xi'(1), xi''(1)) read back from the Mixture, independently of the module's kernels."""
    mix = model.xi
    return tuple(float(ls.fields.xi(mix, 1.0, d)) for d in range(3))


def xi_at(model, m, d):
    return np.asarray(ls.fields.xi(model.xi, np.asarray(m, dtype=float), d))


def dxi(model, q):
    """xi'(q) in plain Python floats, from the Mixture's degrees and coefficients (fast inside loops)."""
    mix = model.xi
    return sum(c * p * q ** (p - 1) for p, c in zip(mix.degrees, mix.coefficients))


def brute_sigma(model, m, u, minima=False):
    """Sigma(m, u) (u=None: sup over u) with the sup over the multiplier mu taken on a dense grid."""
    c, b, a = moments(model)
    xm, h, h2 = (float(xi_at(model, m, d)) for d in range(3))
    base = 0.5 + 0.5 * math.log(a / b) + 0.5 * math.log(1 - m * m) - (1 - m * m) * h * h / (2 * b)
    if u is None:
        centre, s2, gauss = m * h, a + b, 0.0
    else:
        x = u + xm
        centre, s2, gauss = m * h - b * x / c, a + b - b * b / c, x * x / (2 * c)
    mu = np.linspace(-30.0, 30.0, 600001)
    if minima:
        theta = h2 * (1 - m * m)
        t = theta / math.sqrt(a)
        lo = math.sqrt(a) * (t + 1 / t if t > 1 else 2.0)
        mu = np.concatenate([[lo], mu[mu > lo]])
    f = np.asarray(ls.rmt.semicircle_log_potential(mu / math.sqrt(a))) - (mu - centre) ** 2 / (2 * s2)
    return base - gauss + f.max()


def se_fixed_point(model, start=1.0):
    """The ML-AMP state-evolution fixed point reached by iterating m <- xi'(m)/sqrt(xi'(m)^2 + xi'(1)) from start."""
    _, b, _ = moments(model)
    m = start
    for _ in range(200000):
        h = dxi(model, m)
        new = h / math.sqrt(h * h + b)
        if abs(new - m) < 1e-15:
            return new
        m = new
    raise AssertionError("state evolution did not converge")


def se_roots(model, sign):
    """All nonzero solutions of the state-evolution equation on one side of 0 (sign changes of a fine grid)."""
    _, b, _ = moments(model)

    def phi(m):
        h = dxi(model, m)
        return m * math.sqrt(h * h + b) - h

    grid = sign * np.linspace(1e-3, 1 - 1e-9, 3000)
    v = [phi(m) for m in grid]
    return [brentq(phi, grid[i], grid[i + 1], xtol=1e-15) for i in range(len(grid) - 1) if v[i] * v[i + 1] < 0]


def spurious_max(model, lo=-0.9999, hi=0.9999, window=0.03):
    """max of Sigma_min(m) on a grid, leaving out a window around each isolated minimum (fixed points with
    xi'(m)^2 + xi'(1) > xi''(1), where Sigma_min = 0 exactly)."""
    _, b, a = moments(model)
    m = np.linspace(lo, hi, 20001)
    s = np.asarray(skr.complexity_minima(m, model))
    for r in se_roots(model, 1.0) + se_roots(model, -1.0):
        if dxi(model, r) ** 2 + b > a:
            s = np.where(np.abs(m - r) < window, -np.inf, s)
    return s.max()


# ------------------------------------------------------------------------------------------ the complexity


@pytest.mark.parametrize("p", [3, 4])
@pytest.mark.parametrize("delta2", [0.25, 0.7, 1.0, 3.0])
def test_reduces_to_complexity_mixed_at_zero_overlap(p, delta2):
    model = Model(p, delta2, 0.8)
    u = np.linspace(-4.0, 4.0, 161)
    np.testing.assert_allclose(skr.complexity(0.0, u, model), ls.kac_rice.complexity_mixed(u, model.xi),
                               rtol=0, atol=1e-13)
    # and the sup over u is that of complexity_mixed (a grid of energies)
    grid = np.linspace(-4.0, 4.0, 40001)
    assert float(skr.complexity(0.0, None, model)) == pytest.approx(
        float(np.max(ls.kac_rice.complexity_mixed(grid, model.xi))), abs=1e-8)


def test_internal_polynomial_is_fields_xi():
    q = np.linspace(-1.0, 1.0, 41)
    for p in (3, 4, 5):
        model = Model(p, 0.6, 1.7)
        mine = skr._derivatives(jnp.asarray(q), p, 1 / 0.6, 1 / 1.7)
        for d in range(3):
            np.testing.assert_allclose(mine[d], xi_at(model, q, d), rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize("model, points", [
    (Model(3, 0.5, 1.0), [(0.3, -1.2), (-0.4, -1.0), (0.78, -1.85), (0.9, -2.5), (0.1, 0.5), (-0.6, -1.9)]),
    (Model(4, 0.3, 0.5), [(0.0, -3.5), (0.5, -4.0), (-0.2, -2.0), (0.85, -5.5), (0.95, -6.0)]),
])
def test_closed_form_supremum_matches_a_grid_of_multipliers(model, points):
    for m, u in points:
        assert float(skr.complexity(m, u, model)) == pytest.approx(brute_sigma(model, m, u), abs=1e-8)
        assert float(skr.complexity_minima(m, model, u)) == pytest.approx(brute_sigma(model, m, u, True), abs=1e-8)
        assert float(skr.complexity(m, None, model)) == pytest.approx(brute_sigma(model, m, None), abs=1e-8)
        assert float(skr.complexity_minima(m, model)) == pytest.approx(brute_sigma(model, m, None, True), abs=1e-8)


def test_sup_over_energy_is_the_maximum_over_a_grid_of_energies():
    model = Model(3, 0.4, 0.7)
    u = np.linspace(-7.0, 2.0, 90001)
    for m in (-0.7, -0.2, 0.0, 0.35, 0.8):
        total = np.asarray(skr.complexity(m, u, model))
        minima = np.asarray(skr.complexity_minima(m, model, u))
        assert float(skr.complexity(m, None, model)) == pytest.approx(total.max(), abs=1e-8)
        assert float(skr.complexity_minima(m, model)) == pytest.approx(minima.max(), abs=1e-8)


def test_broadcasting_and_shapes():
    model = Model(3, 0.5, 1.0)
    m = np.linspace(-0.5, 0.5, 3)[:, None]
    u = np.linspace(-2.0, 0.0, 4)[None, :]
    out = skr.complexity(m, u, model)
    assert out.shape == (3, 4) and out.dtype == jnp.float64
    assert skr.complexity_minima(m, model, u).shape == (3, 4)
    assert skr.complexity_minima(m[:, 0], model).shape == (3,)
    assert float(out[1, 2]) == pytest.approx(float(skr.complexity(0.0, u[0, 2], model)), abs=1e-15)


def test_symmetry_even_p_and_not_odd_p():
    m = np.linspace(0.05, 0.95, 19)
    u = -1.7
    even = Model(4, 0.5, 1.0)
    np.testing.assert_allclose(skr.complexity(-m, u, even), skr.complexity(m, u, even), rtol=0, atol=1e-14)
    np.testing.assert_allclose(skr.complexity_minima(-m, even), skr.complexity_minima(m, even), rtol=0, atol=1e-14)
    odd = Model(3, 0.5, 1.0)  # the tensor term -m^3/3 favours +x*: the two sides differ
    assert np.max(np.abs(np.asarray(skr.complexity(-m, u, odd)) - np.asarray(skr.complexity(m, u, odd)))) > 1e-2


def test_limits():
    model = Model(3, 0.5, 1.0)
    # the slab at |m| -> 1 has vanishing volume: log(1 - m^2)/2 -> -inf
    edge = 1.0 - np.array([1e-2, 1e-4, 1e-8, 1e-12])
    for s in (1.0, -1.0):
        values = np.asarray(skr.complexity(s * edge, None, model))
        assert np.all(np.diff(values) < 0) and values[-1] < -10.0
    # energies far from the bulk are exponentially rare, finitely so (no NaN)
    big = np.array([-1e6, -1e3, 1e3, 1e6])
    values = np.asarray(skr.complexity(0.3, big, model))
    assert np.all(np.isfinite(values)) and np.all(values < -1e5)
    assert np.all(np.isfinite(np.asarray(skr.complexity_minima(0.3, model, big))))


def test_minima_are_at_most_all_critical_points():
    for model in (Model(3, 0.5, 1.0), Model(4, 0.3, 2.0), Model(3, 0.9, 0.3)):
        m = np.linspace(-0.99, 0.99, 99)[:, None]
        u = np.linspace(-6.0, 1.0, 71)[None, :]
        total = np.asarray(skr.complexity(m, u, model))
        minima = np.asarray(skr.complexity_minima(m, model, u))
        assert np.all(minima <= total + 1e-14)
        assert np.any(minima < total - 1e-2)  # the constraint binds somewhere
        assert np.all(np.asarray(skr.complexity_minima(m[:, 0], model)) <= np.asarray(
            skr.complexity(m[:, 0], None, model)) + 1e-14)


def test_jit_and_grad_are_finite():
    model = Model(3, 0.5, 1.0)
    g = jax.grad(lambda m: skr.complexity_minima(m, model))(0.4)
    assert np.isfinite(float(g))
    g = jax.grad(lambda u: skr.complexity(0.4, u, model))(-1.2)
    assert np.isfinite(float(g))


# ------------------------------------------------------------------------------------------ good minimum


@pytest.mark.parametrize("inv2, m_star, u_star", [(1.5, 0.692911512777383, -1.611026682321250),
                                                  (2.0, 0.782665003954352, -1.850478626605609),
                                                  (3.0, 0.854881904088127, -2.342135687462405)])
def test_good_minimum_is_the_ml_amp_fixed_point_and_touches_zero(inv2, m_star, u_star):
    model = Model(3, 1 / inv2, 1.0)
    m, u = skr.good_minimum(model)
    assert m == pytest.approx(m_star, abs=1e-12) and u == pytest.approx(u_star, abs=1e-12)
    assert m == pytest.approx(se_fixed_point(model), abs=1e-12)  # independent route: iterate the state evolution
    # Sigma_min touches 0 from below at m*, both with u free and at u*
    assert abs(float(skr.complexity_minima(m, model))) < 1e-13
    assert abs(float(skr.complexity(m, u, model))) < 1e-13
    near = m + np.concatenate([np.linspace(-0.1, -1e-3, 50), np.linspace(1e-3, 0.1, 50)])
    assert np.all(np.asarray(skr.complexity_minima(near, model)) < 0)
    # (m*, u*) is the joint argmax of Sigma(m, u) near the signal
    mm, uu = np.meshgrid(m + np.linspace(-0.02, 0.02, 41), u + np.linspace(-0.05, 0.05, 41), indexing="ij")
    s = np.asarray(skr.complexity(mm, uu, model))
    i, j = np.unravel_index(np.argmax(s), s.shape)
    assert (i, j) == (20, 20) and s[i, j] == pytest.approx(0.0, abs=1e-13)


@pytest.mark.parametrize("p, deltap, inv2", [(4, 0.5, 2.5), (3, 5.0, 1.6), (5, 0.3, 6.0)])
def test_good_minimum_other_models(p, deltap, inv2):
    model = Model(p, 1 / inv2, deltap)
    m, u = skr.good_minimum(model)
    assert m == pytest.approx(se_fixed_point(model), abs=1e-12)
    assert abs(float(skr.complexity_minima(m, model))) < 1e-13
    _, b, _ = moments(model)
    h = float(xi_at(model, m, 1))
    assert u == pytest.approx(-float(xi_at(model, m, 0)) - b / math.sqrt(h * h + b), abs=1e-13)


def test_good_minimum_matrix_limit_is_bbp():
    # Delta_p -> inf: the spiked Wigner matrix, top eigenvector overlap m^2 = 1 - Delta_2, energy -(1/Delta_2 + 1)/2
    for delta2 in (0.2, 0.5, 0.8):
        m, u = skr.good_minimum(Model(3, delta2, 1e8))
        assert m == pytest.approx(math.sqrt(1 - delta2), abs=1e-7)
        assert u == pytest.approx(-(1 / delta2 + 1) / 2, abs=1e-7)


def test_good_minimum_monte_carlo():
    """Gradient descent from the signal on sampled instances (N = 50) lands at (m*, u*) within finite-size error."""
    inv2, n, seeds = 2.0, 50, 30
    model = Model(3, 1 / inv2, 1.0)
    m_star, u_star = skr.good_minimum(model)
    x = jnp.zeros(n).at[0].set(math.sqrt(n))

    def loss_grad(field, s):
        h, g = ls.fields.derivatives(field, s, 1)
        m = s[0] / math.sqrt(n)
        return h / n - (inv2 * m**2 / 2 + m**3 / 3), g - (inv2 * m + m**2) * x

    @jax.jit
    def descend(field):
        def step(_, s):
            g = loss_grad(field, s)[1]
            s = s - 0.05 * (g - jnp.dot(s, g) / n * s)
            return s * math.sqrt(n) / jnp.linalg.norm(s)

        s = jax.lax.fori_loop(0, 3000, step, x)
        loss, g = loss_grad(field, s)
        return s[0] / math.sqrt(n), loss, jnp.linalg.norm(g - jnp.dot(s, g) / n * s) / math.sqrt(n)

    runs = np.array([[float(v) for v in descend(ls.fields.prepare(
        ls.fields.sample_mixture(jax.random.key(1000 + seed), n, model.xi)))] for seed in range(seeds)])
    assert np.all(runs[:, 2] < 1e-6)  # converged to critical points
    assert abs(runs[:, 0].mean() - m_star) < 0.04  # standard error about 0.015
    assert abs(runs[:, 1].mean() - u_star) < 0.06  # standard error about 0.02


def test_good_minimum_errors():
    with pytest.raises(ValueError, match="no informative minimum"):
        skr.good_minimum(Model(3, 1 / 1.2, 1.0))
    with pytest.raises(ValueError, match="band of marginal states"):
        skr.good_minimum(Model(4, 1 / 1.2, 5.0))


# ------------------------------------------------------------------------------------------ trivialization


def gf_line(p, deltap):
    return (1 + math.sqrt(1 + 4 * (p - 1) / deltap)) / 2


def amp_line(deltap):
    return (1 + math.sqrt(1 + 4 / deltap)) / 2


@pytest.mark.parametrize("p", [3, 4])
@pytest.mark.parametrize("deltap", [0.5, 2.0])
def test_equator_threshold_is_the_zero_of_sigma_min_at_the_equator(p, deltap):
    inv2 = skr.trivialization_threshold(p, deltap, "equator")
    assert abs(float(skr.complexity_minima(0.0, Model(p, 1 / inv2, deltap)))) < 1e-11
    assert float(skr.complexity_minima(0.0, Model(p, 1 / (inv2 * (1 - 1e-4)), deltap))) > 1e-7
    assert float(skr.complexity_minima(0.0, Model(p, 1 / (inv2 * (1 + 1e-4)), deltap))) < -1e-7
    # monotone in the signal strength between the gradient-flow line and far above
    levels = np.linspace(gf_line(p, deltap), 3 * inv2, 200)
    values = [float(skr.complexity_minima(0.0, Model(p, 1 / x, deltap))) for x in levels]
    assert np.all(np.diff(values) < 0)
    # the closed form of the docstring
    a, b = inv2 + (p - 1) / deltap, inv2 + 1 / deltap
    closed = 0.5 + math.log(inv2 / math.sqrt(b)) + a / (2 * inv2**2) - (inv2**2 + a) ** 2 / (2 * inv2**2 * (a + b))
    assert abs(closed) < 1e-11


@pytest.mark.parametrize("p, deltap", [(4, 0.5), (4, 1.0), (4, 5.0), (3, 5.0)])
def test_threshold_is_a_sign_change_of_the_spurious_maximum(p, deltap):
    """Smooth crossings: the largest Sigma_min away from the isolated minima is 0 at the threshold, > 0 below,
    < 0 above."""
    inv2 = skr.trivialization_threshold(p, deltap)
    assert spurious_max(Model(p, 1 / (inv2 * (1 - 1e-3)), deltap)) > 1e-6
    assert spurious_max(Model(p, 1 / (inv2 * (1 + 1e-3)), deltap)) < -1e-6
    assert abs(spurious_max(Model(p, 1 / inv2, deltap))) < 1e-8
    if p == 4:  # even p: the last spurious minima sit at the equator
        assert inv2 == pytest.approx(skr.trivialization_threshold(p, deltap, "equator"), abs=1e-9)
    else:  # p = 3, Delta_p = 5: at m < 0, above the equator's closed form
        assert inv2 > skr.trivialization_threshold(p, deltap, "equator") + 1e-2


@pytest.mark.parametrize("deltap", [0.5, 1.0, 2.0])
def test_p3_threshold_is_the_birth_of_the_mirror_minimum(deltap):
    """p = 3, Delta_p <~ 4: the last spurious band surrounds the mirror fixed point (m < 0) and collapses onto it as
    it leaves the bulk, xi'(m)^2 + xi'(1) = xi''(1)."""
    inv2 = skr.trivialization_threshold(3, deltap)
    model = Model(3, 1 / inv2, deltap)
    _, b, a = moments(model)
    (mirror,) = [r for r in se_roots(model, -1.0) if r < -0.2]
    assert float(xi_at(model, mirror, 1)) ** 2 + b == pytest.approx(a, abs=1e-9)
    below = Model(3, 1 / (inv2 * (1 - 1e-2)), deltap)
    (m_below,) = [r for r in se_roots(below, -1.0) if r < -0.2]
    assert float(skr.complexity_minima(m_below, below)) > 0  # exponentially many marginal minima there
    above = Model(3, 1 / (inv2 * (1 + 1e-3)), deltap)
    assert spurious_max(above) < -1e-6
    (m_above,) = [r for r in se_roots(above, -1.0) if r < -0.2]
    assert abs(float(skr.complexity_minima(m_above, above))) < 1e-13  # an isolated bad minimum remains
    # restricted to m >= 0 the last spurious minima are at the equator
    assert skr.trivialization_threshold(3, deltap, "positive") == pytest.approx(
        skr.trivialization_threshold(3, deltap, "equator"), abs=1e-9)
    assert skr.trivialization_threshold(3, deltap, "positive") < inv2 - 0.1


def test_threshold_values_and_the_algorithmic_lines():
    expected = {(3, 0.5): 3.8063070955, (3, 1.0): 2.6134702676, (3, 2.0): 1.9142135624, (3, 5.0): 1.4157938839,
                (4, 0.5): 3.5339975059, (4, 1.0): 2.6499488174, (4, 2.0): 2.0449919040, (4, 5.0): 1.5406678405}
    for (p, deltap), value in expected.items():
        assert skr.trivialization_threshold(p, deltap) == pytest.approx(value, abs=1e-8)
    for p in (3, 4):
        for deltap in (0.1, 1.0, 10.0, 100.0):
            for region in ("all", "positive", "equator"):
                inv2 = skr.trivialization_threshold(p, deltap, region)
                assert inv2 > gf_line(p, deltap) > amp_line(deltap) > 1.0
        assert skr.trivialization_threshold(p, 100.0) < 1.05  # all lines -> 1 as Delta_p -> inf


# ------------------------------------------------------------------------------------------ validation


@pytest.mark.parametrize("args, exc, name", [
    ((2, 1.0, 1.0), ValueError, "p"),
    ((3.0, 1.0, 1.0), TypeError, "p"),
    ((3, 0.0, 1.0), ValueError, "delta2"),
    ((3, float("nan"), 1.0), ValueError, "delta2"),
    ((3, 1.0, -2.0), ValueError, "deltap"),
    ((3, 1.0, "1"), TypeError, "deltap"),
])
def test_bad_model(args, exc, name):
    with pytest.raises(exc, match=name):
        Model(*args)
    for call in (lambda: skr.complexity(0.1, -1.0, object()), lambda: skr.complexity_minima(0.1, object()),
                 lambda: skr.good_minimum((3, 1.0, 1.0))):
        with pytest.raises(TypeError, match="model"):
            call()


@pytest.mark.parametrize("m, exc", [(1.0, ValueError), (-1.0, ValueError), ([0.2, -1.5], ValueError),
                                    (float("nan"), ValueError), ("0.5", TypeError)])
def test_bad_overlap(m, exc):
    model = Model(3, 0.5, 1.0)
    with pytest.raises(exc, match="m"):
        skr.complexity(m, -1.0, model)
    with pytest.raises(exc, match="m"):
        skr.complexity_minima(m, model)


def test_bad_energy_and_threshold_arguments():
    model = Model(3, 0.5, 1.0)
    for bad in (float("inf"), [0.0, float("nan")]):
        with pytest.raises(ValueError, match="u"):
            skr.complexity(0.1, bad, model)
        with pytest.raises(ValueError, match="u"):
            skr.complexity_minima(0.1, model, bad)
    with pytest.raises(ValueError, match="p"):
        skr.trivialization_threshold(2, 1.0)
    with pytest.raises(TypeError, match="p"):
        skr.trivialization_threshold(3.0, 1.0)
    with pytest.raises(ValueError, match="deltap"):
        skr.trivialization_threshold(3, 1e-3)
    with pytest.raises(TypeError, match="deltap"):
        skr.trivialization_threshold(3, True)
    with pytest.raises(ValueError, match="region"):
        skr.trivialization_threshold(3, 1.0, "negative")


def test_hessian_bottom_against_a_sampled_spiked_goe():
    model = Model(3, 1 / 2.3, 1.0)
    v = 2.3 + 2.0
    for m in (0.0, 0.3):
        theta = (2.3 + 2 * m) * (1 - m * m)
        low, ov = skr.hessian_bottom(model, 2 * np.sqrt(v), m)
        assert abs(float(low) - (2 * np.sqrt(v) - theta - v / theta)) < 1e-12
        assert abs(float(ov) - (1 - v / theta**2)) < 1e-12
        # against the lowest eigenpair of sqrt(v) W + mu - theta e e^T at n = 1500
        w = np.asarray(ls.rmt.sample_goe(jax.random.key(7), 1500))
        h = np.sqrt(v) * w + 2 * np.sqrt(v) * np.eye(1500)
        h[0, 0] -= theta
        vals, vecs = np.linalg.eigh(h)
        assert abs(vals[0] - float(low)) < 0.05 and abs(vecs[0, 0] ** 2 - float(ov)) < 0.1
    low, ov = skr.hessian_bottom(model, 2 * np.sqrt(v), 0.9)   # theta < sqrt(v): the bulk edge, no overlap
    assert abs(float(low)) < 1e-12 and float(ov) == 0.0
    with pytest.raises(ValueError, match="mu"):
        skr.hessian_bottom(model, float("nan"), 0.1)

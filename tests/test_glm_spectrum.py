"""Tests of the Hessian-at-a-random-start part of landscape.glm: exact limits (Marchenko–Pastur, the optimal spectral threshold 1/2)
and diagonalised Hessians of sampled data at d = 1000."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from landscape.glm import (Loss, hessian_spectrum_at_random, init_bbp_threshold, optimal_preprocessing,
                           phase_retrieval_loss, spectral_method_spectrum, spectral_threshold)

loss_a = phase_retrieval_loss

LA_BOUNDS = (-4.0, np.inf)
N = 1000


def _sample_d(loss, alpha, seed):
    """Eigen-decomposition of D = H + μ_emp on θ^⟂ (dimension N, e = first coordinate), and the empirical μ.

    The empirical multiplier (1/n) Σ ℓ' z fluctuates by sd/√n (large for small a), a global shift that the
    limit does not see, so we compare D = (1/n) Σ t_i x̃_i x̃_iᵀ with the theory's H + μ."""
    rng = np.random.default_rng(seed)
    n = int(alpha * N)
    x = rng.standard_normal((n, N))
    z = rng.standard_normal(n)
    t = np.asarray(jax.vmap(jax.grad(jax.grad(loss)))(jnp.asarray(z), jnp.asarray(x[:, 0])))
    ev, vec = np.linalg.eigh((x.T * t) @ x / n)
    return ev, vec[0] ** 2


@pytest.mark.parametrize("alpha", [2.0, 4.0])
def test_marchenko_pastur_limit(alpha):
    spec = hessian_spectrum_at_random(Loss(lambda z, y: 0.5 * z**2, "quadratic"), alpha, num_nodes=40)
    assert spec.mu == pytest.approx(1.0, abs=1e-12)
    assert spec.lower_edge + spec.mu == pytest.approx((1 - alpha**-0.5) ** 2, abs=1e-9)
    assert np.isnan(spec.outlier) and spec.overlap == 0.0
    up = spectral_method_spectrum(lambda y: jnp.ones_like(y), alpha, top=True, num_nodes=40)
    assert up.lower_edge == pytest.approx((1 + alpha**-0.5) ** 2, abs=1e-9)
    lam = np.array([0.3, 0.8, 1.5]) + (1 - alpha**-0.5) ** 2
    lo, hi = (1 - alpha**-0.5) ** 2, (1 + alpha**-0.5) ** 2
    mp = alpha * np.sqrt(np.clip((hi - lam) * (lam - lo), 0, None)) / (2 * np.pi * lam)
    np.testing.assert_allclose(spec.density(lam - spec.mu), mp, atol=3e-3)


def test_optimal_spectral_threshold_is_one_half():
    assert spectral_threshold(optimal_preprocessing, weight_bounds=(-np.inf, 1.0)) == pytest.approx(0.5, abs=1e-8)
    assert spectral_threshold(lambda y: y**2, weight_bounds=(0.0, np.inf)) == np.inf
    # at α = 0.6 > 1/2 the optimal method has an outlier above the bulk, at α = 0.45 it has none
    assert np.isfinite(spectral_method_spectrum(optimal_preprocessing, 0.6, weight_bounds=(-np.inf, 1.0)).outlier)
    assert np.isnan(spectral_method_spectrum(optimal_preprocessing, 0.45, weight_bounds=(-np.inf, 1.0)).outlier)


def test_stein_multiplier_and_quadrature_convergence():
    s1 = hessian_spectrum_at_random(loss_a(0.5), 4.0, weight_bounds=LA_BOUNDS, num_nodes=120)
    s2 = hessian_spectrum_at_random(loss_a(0.5), 4.0, weight_bounds=LA_BOUNDS, num_nodes=160)
    for f in ("lower_edge", "outlier", "overlap", "mu"):
        assert getattr(s1, f) == pytest.approx(getattr(s2, f), rel=1e-5, abs=1e-6)
    # μ = E[ℓ' z] = E[ℓ''] = E[(12 − 4y²)/(a + y²)] by Stein's lemma
    y, w = np.polynomial.hermite_e.hermegauss(120)
    assert s2.mu == pytest.approx(np.sum(w * (12 - 4 * y**2) / (0.5 + y**2)) / np.sqrt(2 * np.pi), rel=1e-6)


def test_edge_at_the_bound_regime():
    # a = 5: for α ≤ 4 the lower edge of D sits at the essential bound t → −4, λ_- = −4/α + E[t(a+y²)/(a+3z²)]
    s1, s2 = (hessian_spectrum_at_random(loss_a(5.0), al, weight_bounds=LA_BOUNDS) for al in (1.0, 2.0))
    assert s1.edge_at_bound and s2.edge_at_bound
    assert s1.lower_edge - s2.lower_edge == pytest.approx(-2.0, abs=1e-8)
    a_bbp, a_neg = init_bbp_threshold(loss_a(5.0), weight_bounds=LA_BOUNDS, num_nodes=80)
    born = hessian_spectrum_at_random(loss_a(5.0), a_bbp * 1.001, weight_bounds=LA_BOUNDS)
    assert born.edge_at_bound and born.overlap > 0.2        # the overlap jumps at the bound
    born = hessian_spectrum_at_random(loss_a(0.5), 1.3794 * 1.001, weight_bounds=LA_BOUNDS)
    assert not born.edge_at_bound and born.overlap < 0.02   # a = 1/2: continuous birth


def test_hessian_against_diagonalisation_below_and_above_threshold():
    loss = loss_a(1.0)
    a_bbp, a_neg = init_bbp_threshold(loss, weight_bounds=LA_BOUNDS, num_nodes=80)
    assert 1.0 < a_bbp < 4.0 and a_neg == a_bbp
    # below the threshold: the lowest eigenvalue fluctuates strongly from sample to sample near the weights'
    # essential bound (not a Tracy-Widom edge; offsets +0.20, -0.06, +0.09, +0.17 at d = 250..2000, no trend with
    # d), so three samples are averaged and the tolerance is three standard errors of their mean plus 0.05
    soft = loss_a(0.5)
    below = hessian_spectrum_at_random(soft, 1.0, weight_bounds=LA_BOUNDS)
    assert np.isnan(below.outlier) and not below.edge_at_bound
    samples = [_sample_d(soft, 1.0, seed=s) for s in range(3)]
    lows, ovs = np.array([ev[0] for ev, _ in samples]), np.array([ov[0] for _, ov in samples])
    assert abs(lows.mean() - (below.lower_edge + below.mu)) < 3 * lows.std(ddof=1) / np.sqrt(3) + 0.05, lows
    assert np.all(ovs < 0.15)
    above = hessian_spectrum_at_random(loss, 4.0, weight_bounds=LA_BOUNDS)
    ev, ov = _sample_d(loss, 4.0, seed=1)
    assert above.outlier < above.lower_edge < 0
    assert ev[0] == pytest.approx(above.outlier + above.mu, abs=0.06)      # ≈ 3 d^{-1/2} × 0.6
    assert ev[1] == pytest.approx(above.lower_edge + above.mu, abs=0.06)
    assert ov[0] == pytest.approx(above.overlap, abs=0.1)                  # ≈ 3 d^{-1/2} × spread
    assert ov[1] < 0.05


def test_bad_inputs_name_the_parameter():
    with pytest.raises(ValueError, match="alpha"):
        hessian_spectrum_at_random(loss_a(1.0), 0.0)
    with pytest.raises(TypeError, match="loss"):
        hessian_spectrum_at_random("l2", 1.0)
    with pytest.raises(ValueError, match="num_nodes"):
        init_bbp_threshold(loss_a(1.0), num_nodes=5)
    with pytest.raises(ValueError, match="weight_bounds"):
        hessian_spectrum_at_random(loss_a(1.0), 1.0, weight_bounds=(-1.0, np.inf))
    with pytest.raises(ValueError, match="a must be"):
        loss_a(-1.0)
    with pytest.raises(TypeError, match="preprocessing"):
        spectral_threshold(None)


def test_spectral_method_with_an_atom_at_the_bound():
    """T(y) = min(y², 3) puts mass P(y² > 3) ≈ 0.083 on its upper bound: an atom makes the Silverstein map diverge
    before the pole, so the top edge is a square-root edge, not the bound. At four times the threshold the
    predicted top edge, outlier and overlap match diagonalised matrices at d = 1000 (three samples; the outlier's
    sd is about 0.04 here and the sampled mean sat 0.08 above at d = 500 and 0.045 at d = 1000, a finite-d bias
    that shrinks with d)."""
    def clip(y):
        return jnp.minimum(y**2, 3.0)

    th = spectral_threshold(clip, weight_bounds=(0.0, 3.0))
    assert 0.5 < th < 1.2
    spec = spectral_method_spectrum(clip, 4 * th, weight_bounds=(0.0, 3.0))
    assert not spec.edge_at_bound
    rng = np.random.default_rng(1000)
    n = int(4 * th * N)
    top, second, ov = [], [], []
    for _ in range(3):
        x = rng.standard_normal((n, N))
        ev, vec = np.linalg.eigh((x.T * np.minimum(x[:, 0] ** 2, 3.0)) @ x / n)
        top.append(ev[-1])
        second.append(ev[-2])
        ov.append(vec[0, -1] ** 2)
    assert np.mean(top) == pytest.approx(spec.outlier, abs=0.1)
    assert np.mean(second) == pytest.approx(spec.lower_edge, abs=0.05)  # the edge next to the outlier
    assert np.mean(ov) == pytest.approx(spec.overlap, abs=0.08)

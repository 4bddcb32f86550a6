"""Tests of the Kac–Rice scalar variational principle of landscape.glm (complexity, minima_phase): losses whose
critical points are known exactly, the quadrature, and the Hessian law at the critical points it predicts
against diagonalised matrices built from that label law."""

import math

import jax.numpy as jnp
import numpy as np
import pytest
from scipy.optimize import brentq

from landscape import glm

LOSS_1 = glm.phase_retrieval_loss(1.0)


@pytest.fixture(scope="module")
def top10():
    """The most numerous bulk-stable critical points of ℓ_1 at m = 0, α = 10 (BBP-unstable)."""
    s = glm.complexity(LOSS_1, 4.0, 0.0, weight_bound=-4.0)
    for alpha in (6.0, 8.0, 10.0):
        s = glm.complexity(LOSS_1, alpha, 0.0, weight_bound=-4.0, start=s)
    return s


@pytest.fixture(scope="module")
def all4():
    """All critical points (any index) of ℓ_1 at m = 0, α = 4, the most numerous ones, and the most numerous
    bulk-stable ones."""
    kw = dict(weight_bound=-4.0, grid_step=0.1)
    return glm.complexity(LOSS_1, 4.0, 0.0, branch="all", **kw), glm.complexity(LOSS_1, 4.0, 0.0, **kw)


def _labels_at_quantiles(sol, n, rng, h=0.05):
    """n label pairs (z_i, y_i) placed at the quantiles of the solution's label law ν on a grid of step h (one
    random offset, then jittered within the cell): stratified, so that the heavy-tailed μ = E[ℓ'z] does not
    fluctuate as it would for i.i.d. draws. Also returns the grid and ν's normalised weights on it."""
    x = np.arange(-7 + h / 2, 7, h)
    zg, yg = (v.ravel() for v in np.meshgrid(x, x, indexing="ij"))
    p = sol.label_density(zg, yg)
    p_norm = p / p.sum()
    idx = np.minimum(np.searchsorted(np.cumsum(p_norm), (np.arange(n) + rng.random()) / n), zg.size - 1)
    z = zg[idx] + h * (rng.random(n) - 0.5)
    y = yg[idx] + h * (rng.random(n) - 0.5)
    return z, y, zg, yg, p


@pytest.mark.parametrize("alpha", [1.0, 3.0])
def test_correlation_loss_has_two_critical_points(alpha):
    """R = -(1/n) Σ y_i z_i = -θ·Cθ*/d has exactly two critical points ±√d Cθ*/|Cθ*|, at overlap
    m0 = ±(1 + 1/α)^{-1/2} (E θ*ᵀC²θ*/d = 1 + 1/α): Σ(m0) = 0, Σ < 0 elsewhere, risk −√(1 + 1/α)."""
    loss = glm.correlation_loss()
    m0 = math.sqrt(alpha / (1.0 + alpha))
    s = glm.complexity(loss, alpha, m0)
    assert s.sigma == pytest.approx(0.0, abs=2e-5)
    assert s.energy == pytest.approx(-math.sqrt(1.0 + 1.0 / alpha), abs=5e-4)  # grid: 1e-4 at α = 1
    assert s.marginal == 0 and s.lower_edge > 0  # a minimum: the Hessian is -μ I = √(1+1/α) I
    prev = s
    for m in (m0 + 0.04, m0 + 0.08):
        prev = glm.complexity(loss, alpha, m, start=prev)
        assert prev.sigma < -1e-3
    prev = s
    for m in (m0 - 0.04, m0 - 0.08):
        prev = glm.complexity(loss, alpha, m, start=prev)
        assert prev.sigma < -1e-3


def test_square_loss_has_no_spurious_minima():
    """ℓ = (z − y)²/2 on the sphere: a trust-region problem, at most two local minima (one at θ*), so the
    annealed complexity of bulk-stable critical points is negative at every m < 1."""
    loss = glm.Loss(lambda z, y: 0.5 * (z - y) ** 2, "square")
    for m in (0.3, 0.6, 0.9):
        s = glm.complexity(loss, 3.0, m, branch="interior")
        assert s.sigma < -0.1
        assert s.lower_edge > 0


def test_phase_retrieval_band_and_bbp(top10):
    """ℓ_1 at m = 0: spurious marginal minima at α = 4 (BBP-stable), BBP-unstable at α = 10, where the
    BBP-stable ones have negative complexity (trivialised at m = 0)."""
    s4 = glm.minima_phase(LOSS_1, 4.0, 0.0, weight_bound=-4.0)
    assert s4.top.marginal == 1 and s4.sigma_minima > 0.03 and not s4.top.bbp_unstable
    assert top10.bbp_unstable and top10.outlier < -0.1 and top10.sigma > 0
    ph = glm.minima_phase(LOSS_1, 10.0, 0.0, weight_bound=-4.0, start=top10)
    assert ph.stable is not None and ph.stable.energy < top10.energy
    assert abs(ph.stable.bbp_margin) < 1e-6
    assert ph.sigma_minima < -0.05


def test_quadrature_grid_converged(top10):
    fine = glm.complexity(LOSS_1, 10.0, 0.0, weight_bound=-4.0, start=top10, grid_step=0.035, grid_extent=8.0)
    assert fine.sigma == pytest.approx(top10.sigma, abs=1e-4)
    assert fine.energy == pytest.approx(top10.energy, abs=1e-4)
    assert fine.outlier == pytest.approx(top10.outlier, abs=2e-3)
    # chapter 10 uses grid_step = 0.1: the trapezoidal rule on analytic integrands agrees to 1e-8
    coarse = glm.complexity(LOSS_1, 10.0, 0.0, weight_bound=-4.0, start=top10, grid_step=0.1)
    assert coarse.sigma == pytest.approx(top10.sigma, abs=1e-8)
    assert coarse.energy == pytest.approx(top10.energy, abs=1e-8)


def test_label_density_normalised(top10):
    h = 0.05
    x = np.arange(-8 + h / 2, 8, h)
    z, y = np.meshgrid(x, x, indexing="ij")
    dens = top10.label_density(z, y)
    assert np.sum(dens) * h * h == pytest.approx(1.0, abs=1e-3)
    assert np.sum(dens * glm.phase_retrieval_loss(1.0)(jnp.asarray(z), jnp.asarray(y))) * h * h == \
        pytest.approx(top10.energy, abs=1e-3)


def test_hessian_law_at_the_critical_points(top10):
    """Given the label law ν of the critical points, the scaled Hessian is (1/n) X̃ᵀ diag(ℓ'') X̃ − μ with
    X̃ = [ζ, W], ζ_i = (y_i − m z_i)/√(1−m²) and the columns of W Gaussian ⟂ ℓ' (the gradient condition).
    Diagonalise it at d = 500 with n labels placed at the quantiles of ν (stratified: i.i.d. draws make the
    heavy-tailed μ = E[ℓ'z] fluctuate by ~0.08 at this n, a global shift): bulk edge at 0, outlier where
    predicted, eigenvector on the teacher direction. Three draws of W, averaged."""
    rng = np.random.default_rng(0)
    d, alpha = 500, top10.alpha
    n = int(alpha * d)
    z, y, *_ = _labels_at_quantiles(top10, n, rng)
    _, l1, t = (np.asarray(v) for v in glm.derivatives(LOSS_1, jnp.asarray(z), jnp.asarray(y)))
    u = l1 / np.linalg.norm(l1)
    zeta = y - u * (u @ y)  # m = 0; the gradient along θ* vanishes
    low, second, ov = [], [], []
    for _ in range(3):
        w = rng.standard_normal((n, d - 2))
        w -= np.outer(u, u @ w)
        xt = np.column_stack([zeta, w])
        ev, vec = np.linalg.eigh((xt.T * t) @ xt / n)
        low.append(ev[0] - top10.multiplier)
        second.append(ev[1] - top10.multiplier)
        ov.append(vec[0, 0] ** 2)
    assert np.mean(low) == pytest.approx(top10.outlier, abs=0.03)
    assert np.mean(ov) > 0.3                      # the outlier lives on the teacher direction
    assert abs(np.mean(second)) < 0.04            # the bulk edge at 0 (marginal)


def test_bad_inputs():
    with pytest.raises(TypeError, match="loss"):
        glm.complexity(lambda z, y: z, 2.0, 0.0)
    with pytest.raises(ValueError, match="alpha"):
        glm.complexity(LOSS_1, -1.0, 0.0)
    with pytest.raises(ValueError, match="m"):
        glm.complexity(LOSS_1, 2.0, 1.0)
    with pytest.raises(ValueError, match="e"):
        glm.complexity(LOSS_1, 2.0, 0.0, float("nan"))
    with pytest.raises(ValueError, match="branch"):
        glm.complexity(LOSS_1, 2.0, 0.0, branch="every")
    with pytest.raises(ValueError, match="grid_step"):
        glm.complexity(LOSS_1, 2.0, 0.0, grid_step=0.0)
    with pytest.raises(ValueError, match="weight_bound"):
        glm.complexity(LOSS_1, 2.0, 0.0, weight_bound=-1.0)
    with pytest.raises(TypeError, match="start"):
        glm.complexity(LOSS_1, 2.0, 0.0, start=(1.0, 0.0))


def test_minima_thresholds_bracket_the_phases():
    """The two thresholds at the equator sit where minima_phase changes its verdict: the most numerous minima are
    BBP-stable just below α_BBP and unstable just above; BBP-stable minima have positive complexity just below
    α_triv and negative just above."""
    a_bbp, a_triv = glm.minima_thresholds(LOSS_1, 0.0, alphas=(4.0, 5.0, 6.0, 7.0, 8.0), weight_bound=-4.0,
                                          grid_step=0.1)
    assert 5.0 < a_bbp < a_triv < 8.0
    kw = dict(weight_bound=-4.0, grid_step=0.1)
    below = glm.complexity(LOSS_1, 0.98 * a_bbp, 0.0, **kw)
    above = glm.complexity(LOSS_1, 1.02 * a_bbp, 0.0, start=below, **kw)
    assert not below.bbp_unstable and above.bbp_unstable
    assert glm.minima_phase(LOSS_1, 0.98 * a_triv, 0.0, start=above, **kw).sigma_minima > 0
    assert glm.minima_phase(LOSS_1, 1.02 * a_triv, 0.0, start=above, **kw).sigma_minima < 0
    with pytest.raises(ValueError, match="alphas"):
        glm.minima_thresholds(LOSS_1, 0.0, alphas=(5.0, 4.0))


def test_minima_thresholds_refuses_where_nothing_turns_unstable():
    """For ℓ_8 the most numerous bulk-stable critical points of the equator have negative complexity where their
    outlier crosses 0 (α ≈ 13): there is nothing to turn unstable, and the function says so instead of returning
    a crossing of objects that are not expected to exist."""
    lo = glm.phase_retrieval_loss(8.0)
    s = glm.complexity(lo, 13.0, 0.0, weight_bound=-4.0, grid_step=0.1)
    assert s.sigma < 0
    with pytest.raises(ValueError, match="complexity"):
        glm.minima_thresholds(lo, 0.0, alphas=(9.0, 11.0, 13.0, 15.0), weight_bound=-4.0, grid_step=0.1)


def test_square_loss_counts_all_critical_points():
    """ℓ = (z − y)²/2 (noiseless least squares on the sphere): critical points solve (C − μ)θ = Cθ*, C = XᵀX/n,
    at most 2d of them. Writing θ* = Σ a_k v_k in the eigenbasis of C, |θ|² = d reads Σ c_k² a_k²/(c_k − μ)² = d,
    and that sum is of order d² for μ inside the bulk: typically there are exactly two critical points, the
    minimum θ* (m = 1) and the maximum, μ above the bulk (index 1). In the limit it sits where
    ∫ c²/(c − μ)² dρ_MP = 1, i.e. 2g λ'(g) + λ(g) = 0 on Silverstein's map λ(g) = −1/g + 1/(1 + g/α) (g < 0),
    at overlap m_max = ∫ c/(c − μ) dρ_MP = 1 + μ g. So the total annealed count must vanish there (to the solver's
    tolerance: a wrong constant or a wrong Silverstein root shows up here) and be negative at every other m."""
    loss = glm.Loss(lambda z, y: 0.5 * (z - y) ** 2, "square")
    alpha = 3.0
    lam = lambda g: -1.0 / g + 1.0 / (1.0 + g / alpha)  # noqa: E731
    dlam = lambda g: 1.0 / g**2 - 1.0 / alpha / (1.0 + g / alpha) ** 2  # noqa: E731
    g_edge = -1.0 / (alpha**-0.5 + 1.0 / alpha)  # the upper edge: λ'(g) = 0
    g_max = brentq(lambda g: 2.0 * g * dlam(g) + lam(g), g_edge * (1 - 1e-9), -1e-6, xtol=1e-15)
    mu_max, m_max = lam(g_max), 1.0 + lam(g_max) * g_max
    kw = dict(branch="all", grid_step=0.1, grid_extent=10.0)  # the tilted law is wide there: E_ν[z²] ≈ 1.95
    top = glm.complexity(loss, alpha, m_max, **kw)
    assert abs(top.sigma) < 1e-6
    assert top.index == 1.0 and top.params[0] == pytest.approx(g_max, abs=1e-6) and top.params[4] == 0.0
    assert top.multiplier == pytest.approx(mu_max, abs=1e-6)
    for m in (-0.9, -0.3, 0.0, 0.3, 0.9):
        s = glm.complexity(loss, alpha, m, **kw)
        assert s.sigma < -1e-3, m
        if m > 0.2:  # the minimum-like branch (μ below the bulk): the interior bulk-stable count
            assert s.index == 0.0
            interior = glm.complexity(loss, alpha, m, branch="interior", grid_step=0.1, grid_extent=10.0)
            assert s.sigma == pytest.approx(interior.sigma, abs=1e-10)


def test_all_critical_points_contain_the_bulk_stable_ones(all4):
    """ℓ_1 at the equator, α = 4: at each risk e where bulk-stable critical points exist, all critical points are
    at least as many (dropping the stability constraint enlarges the supremum), they have a positive index, and
    their count is largest at e=None; the most numerous critical points are saddles of extensive index, far more
    numerous than the most numerous bulk-stable ones."""
    top_all, top = all4
    assert top_all.marginal == -1 and top_all.residual < 1e-10
    assert 0.3 < top_all.index < 0.5
    assert top_all.sigma > top.sigma + 0.2
    assert math.isnan(top_all.outlier) and math.isnan(top_all.lower_edge) and not top_all.bbp_unstable
    assert top.index == 0.0
    kw = dict(weight_bound=-4.0, grid_step=0.1)
    for energies in ((0.23, 0.20, 0.17), (0.29, 0.35)):
        sb, sa = top, top_all
        for e in energies:
            sb = glm.complexity(LOSS_1, 4.0, 0.0, e, start=sb, **kw)
            sa = glm.complexity(LOSS_1, 4.0, 0.0, e, branch="all", start=sa, **kw)
            assert sa.energy == pytest.approx(e, abs=1e-9)
            assert sa.sigma > sb.sigma + 0.01, e
            assert sa.sigma < top_all.sigma and sa.index > 0.01
    # an all-branch solution as the start of a bulk-stable solve is ignored
    again = glm.complexity(LOSS_1, 4.0, 0.0, start=top_all, **kw)
    assert again.sigma == pytest.approx(top.sigma, abs=1e-9) and again.marginal == top.marginal


@pytest.mark.parametrize("e", [None, 0.44])
def test_index_against_diagonalised_hessians(all4, e):
    """For the label law ν of all critical points of ℓ_1 (α = 4, m = 0), the scaled Hessian's bulk is that of
    D − μ, D = (1/n) X̃ᵀ diag(ℓ'') X̃ with Gaussian X̃ (the gradient condition and the teacher direction are rank
    one): diagonalised at d = 400 with labels at the quantiles of ν (as in test_hessian_law_at_the_critical_points),
    its fraction of negative eigenvalues is ``index`` = −Im Ψ(g)/π and its mean log|λ| is Re Ψ(g) − 1 (the −1:
    Ψ → log(−z) + 1 as z → −∞, where ∫log(x − z) dρ → log(−z)). Ψ is recomputed here from ``label_density``."""
    s = all4[0] if e is None else glm.complexity(LOSS_1, 4.0, 0.0, e, branch="all", start=all4[0],
                                                  weight_bound=-4.0, grid_step=0.1)
    alpha = s.alpha
    rng = np.random.default_rng(1)
    d = 400
    n = int(alpha * d)
    h = 0.05
    z, y, zg, yg, p = _labels_at_quantiles(s, n, rng, h)
    assert np.sum(p) * h * h == pytest.approx(1.0, abs=1e-6)
    p = p / p.sum()
    l0g, l1g, tg = (np.asarray(v) for v in glm.derivatives(LOSS_1, jnp.asarray(zg), jnp.asarray(yg)))
    assert p @ (l1g * zg) == pytest.approx(s.multiplier, abs=1e-6)
    g = complex(s.params[0], s.params[4])
    assert g.imag > 0
    re_psi = -math.log(abs(g)) + alpha * (p @ np.log(np.abs(1.0 + g * tg / alpha))) - g.real * s.multiplier
    im_psi = -np.angle(g) + alpha * (p @ np.angle(1.0 + g * tg / alpha)) - g.imag * s.multiplier
    assert -im_psi / math.pi == pytest.approx(s.index, abs=1e-6)
    t = np.asarray(glm.derivatives(LOSS_1, jnp.asarray(z), jnp.asarray(y))[2])
    frac, logs = [], []
    for _ in range(2):
        xt = rng.standard_normal((n, d))
        ev = np.linalg.eigvalsh((xt.T * t) @ xt / n) - s.multiplier
        frac.append(np.mean(ev < 0))
        logs.append(np.mean(np.log(np.abs(ev))))
    assert np.mean(frac) == pytest.approx(s.index, abs=0.02)
    assert np.mean(logs) == pytest.approx(re_psi - 1.0, abs=0.03)

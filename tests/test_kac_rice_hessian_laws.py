"""Unit tests of landscape.kac_rice.fraction_of_minima: the Hessian law at a fixed point (conditioned on
grad = 0 and H = Nu) against the law at a typical critical point (the same law weighted by |det Hess|)."""

import math

import jax
import numpy as np
import pytest
from scipy import integrate
from scipy.stats import norm

import landscape as ls

kr = ls.kac_rice


@pytest.mark.parametrize("p", [2, 3, 5])
def test_one_dimensional_tangent_space_closed_form(p):
    # N = 2: the tangent Hessian is a - x with a ~ N(0, 2) (A_1, unit off-diagonal variance), x = u sqrt(2p/(p-1))
    u = np.linspace(-3.0, 3.0, 13)
    x, s = u * math.sqrt(2 * p / (p - 1)), math.sqrt(2.0)
    above = s * norm.pdf(x / s) - x * norm.sf(x / s)        # E (a - x)_+
    below = s * norm.pdf(x / s) + x * norm.cdf(x / s)       # E (x - a)_+
    assert np.allclose(kr.fraction_of_minima(u, 2, p, law="fixed"), norm.sf(x / s), atol=1e-12)
    assert np.allclose(kr.fraction_of_minima(u, 2, p), above / (above + below), atol=1e-12)


@pytest.mark.parametrize("n", [5, 8])
def test_typical_law_is_the_ratio_of_kac_rice_densities_by_index(n):
    # the density of minima, -d/du E Crit_{N,0}(H/N >= u), computed by a different route (sinc quadrature of the
    # index generating function in expected_critical_points_above), over the density of all critical points
    u = np.linspace(-2.0, -0.4, 9)
    h = 1e-4
    density_minima = -(kr.expected_critical_points_above(u + h, n, 3)[:, 0]
                       - kr.expected_critical_points_above(u - h, n, 3)[:, 0]) / (2 * h)
    ratio = density_minima / kr.critical_point_density(u, n, 3)
    assert np.allclose(kr.fraction_of_minima(u, n, 3), ratio, atol=1e-6)
    # the unweighted law does not satisfy the identity (it rules out the fixed-point law as "typical")
    assert np.max(np.abs(kr.fraction_of_minima(u, n, 3, law="fixed") - ratio)) > 0.05


def test_typical_law_integrates_to_the_expected_number_of_minima():
    n, p = 10, 3
    value, _ = integrate.quad(lambda u: float(kr.fraction_of_minima(u, n, p) * kr.critical_point_density(u, n, p)),
                              -4.0, 1.5, limit=200)
    assert value == pytest.approx(kr.expected_critical_points_by_index(n, p, 0), rel=1e-7)


def test_fixed_law_against_sampled_goe():
    # P(sqrt((N-1)/N) sqrt(p(p-1)) W_{N-1} - p u > 0) from sampled GOE matrices; 5 binomial standard errors
    n, p, num = 12, 3, 40000
    w = np.linalg.eigvalsh(np.asarray(ls.rmt.sample_goe(jax.random.key(0), n - 1, num)))[:, 0]
    for u in (-1.7, -1.5, -1.3):
        lowest = math.sqrt((n - 1) / n) * math.sqrt(p * (p - 1)) * w - p * u
        f = np.mean(lowest > 0)
        se = math.sqrt(f * (1 - f) / num)
        assert abs(float(kr.fraction_of_minima(u, n, p, law="fixed")) - f) < 5 * se


def test_typical_law_against_the_pinned_eigenvalue_of_sampled_goe():
    # at energy u, a typical critical point is a GOE(N) matrix with an eigenvalue pinned at w = 2u/E_inf: it is a
    # minimum when the pinned eigenvalue is the smallest. Among sampled eigenvalues near w, the share of lowest ones.
    n, p, num, width = 10, 3, 40000, 0.02
    lam = np.linalg.eigvalsh(np.asarray(ls.rmt.sample_goe(jax.random.key(1), n, num)))
    e_inf = kr.e_infinity(p)
    for u in (-1.5, -1.3, -1.1):
        near = np.abs(lam - 2 * u / e_inf) < width / 2
        f = near[:, 0].sum() / near.sum()
        se = math.sqrt(f * (1 - f) / near.sum())
        predicted = float(kr.fraction_of_minima(u, n, p))
        assert abs(predicted - f) < 5 * se + 0.01, (u, predicted, f, se)   # 0.01: the bin's width, O(width)
        # the unweighted law is many standard errors away
        assert abs(float(kr.fraction_of_minima(u, n, p, law="fixed")) - f) > 5 * se


def test_referee_numbers_at_n50():
    # p = 3, N = 50: about 0.86 of the critical points at u = -1.55 are minima, 0.60 under the unweighted law
    assert float(kr.fraction_of_minima(-1.55, 50, 3)) == pytest.approx(0.853, abs=0.005)
    assert float(kr.fraction_of_minima(-1.55, 50, 3, law="fixed")) == pytest.approx(0.596, abs=0.005)


def test_limits_and_order():
    u = np.linspace(-2.5, 0.5, 13)
    typical, fixed = kr.fraction_of_minima(u, 20, 3), kr.fraction_of_minima(u, 20, 3, law="fixed")
    assert np.all(np.diff(typical) <= 1e-12) and np.all(np.diff(fixed) <= 1e-12)  # fewer minima higher up
    assert typical[0] > 0.999 and typical[-1] < 1e-6
    # where minima are common, |det| favours spectra far from zero, hence positive definite ones (deep in the
    # bulk, where the fractions are below 1e-3, the order can reverse: not asserted there)
    common = fixed > 1e-3
    assert np.all(typical[common] >= fixed[common] - 1e-12) and np.any(typical[common] > fixed[common] + 0.1)
    assert kr.fraction_of_minima(np.zeros((2, 0)), 5, 3).shape == (2, 0)
    assert kr.fraction_of_minima(-1.5, 5, 3).shape == ()


@pytest.mark.parametrize("kwargs, exc, word", [
    (dict(law="weighted"), ValueError, "law"), (dict(n=1), ValueError, "n"), (dict(n=51), ValueError, "n"),
    (dict(p=1), ValueError, "p"), (dict(u=np.nan), ValueError, "u"),
])
def test_bad_arguments(kwargs, exc, word):
    args = dict(u=-1.5, n=5, p=3) | kwargs
    with pytest.raises(exc, match=word):
        kr.fraction_of_minima(**args)

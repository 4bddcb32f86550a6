"""Unit tests of landscape.kac_rice: threshold, complexities, layered energies, exact finite-N counts, mixtures."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate
from scipy.optimize import minimize_scalar

import landscape as ls

kr = ls.kac_rice
PROPERTY = settings(max_examples=40, deadline=None, database=None)
WIDE_U = np.concatenate([np.linspace(-10.0, 10.0, 2001), [-1e6, 1e6, -1e100, 1e100, -1e200, 1e200]])


@pytest.mark.parametrize("p", [2, 3, 4, 7])
def test_threshold_is_where_the_shifted_semicircle_touches_zero(p):
    u = ls.kac_rice.threshold_energy(p)
    assert u == -ls.kac_rice.e_infinity(p)
    # the lower edge -p u - 2 sqrt(p (p - 1)) of the Hessian bulk vanishes exactly at u_th
    assert abs(-p * u - 2 * math.sqrt(p * (p - 1))) < 1e-14
    assert -p * (u - 1e-3) - 2 * math.sqrt(p * (p - 1)) > 0  # below: positive definite bulk


def test_known_values():
    assert ls.kac_rice.e_infinity(3) == pytest.approx(1.6329931618554521, abs=1e-15)
    assert ls.kac_rice.threshold_energy(2) == pytest.approx(-math.sqrt(2), abs=1e-15)
    # not the lecture note's -E_inf sqrt((p-2)/(p-1)): for p = 3 that would be -1.1547
    assert not np.isclose(ls.kac_rice.threshold_energy(3), -1.6329931618554521 * math.sqrt(1 / 2))


@pytest.mark.parametrize("bad, exc", [(1, ValueError), (2.5, TypeError), ("3", TypeError), (True, TypeError)])
def test_bad_p(bad, exc):
    with pytest.raises(exc, match="p"):
        ls.kac_rice.e_infinity(bad)
    with pytest.raises(exc, match="p"):
        ls.kac_rice.threshold_energy(bad)


# ------------------------------------------------------------------------------------------- complexity


@pytest.mark.parametrize("p", [2, 3, 4, 7])
def test_complexity_is_the_kac_rice_omega_formula(p):
    u = np.linspace(-10.0, 10.0, 2001)
    omega_form = 0.5 + 0.5 * math.log(p - 1) - u**2 / 2 + ls.rmt.semicircle_log_potential(u * math.sqrt(p / (p - 1)))
    np.testing.assert_allclose(kr.complexity(u, p), omega_form, rtol=2e-15, atol=2e-14)
    big = np.array([-1e6, 1e6])
    omega_big = 0.5 + 0.5 * math.log(p - 1) - big**2 / 2 + ls.rmt.semicircle_log_potential(big * math.sqrt(p / (p - 1)))
    np.testing.assert_allclose(kr.complexity(big, p), omega_big, rtol=1e-12)


@pytest.mark.parametrize("p", [2, 3, 4, 7])
def test_complexity_bulk_formula_threshold_value_and_maximum(p):
    e_inf = kr.e_infinity(p)
    u = np.linspace(-e_inf, e_inf, 101)
    bulk = 0.5 * math.log(p - 1) - (p - 2) / (4 * (p - 1)) * u**2
    np.testing.assert_allclose(kr.complexity(u, p), bulk, rtol=0, atol=1e-15)
    at_threshold = 0.5 * math.log(p - 1) - (p - 2) / p
    assert abs(float(kr.complexity(-e_inf, p)) - at_threshold) < 1e-15
    assert abs(float(kr.complexity(0.0, p)) - 0.5 * math.log(p - 1)) < 1e-15  # the total complexity
    grid = np.linspace(-10, 10, 2001)
    assert float(jnp.max(kr.complexity(grid, p))) <= 0.5 * math.log(p - 1) + 1e-15
    np.testing.assert_array_equal(kr.complexity(grid, p), kr.complexity(-grid, p))  # even


@pytest.mark.parametrize("p", [2, 3, 4, 7])
def test_complexity_is_finite_everywhere_and_keeps_shapes(p):
    values = np.asarray(kr.complexity(WIDE_U, p))
    assert not np.isnan(values).any()
    assert np.isfinite(values[:-2]).all() and (values[-2:] == -np.inf).all()  # -u²/2 overflows beyond 1e154
    assert kr.complexity(0.3, p).shape == ()
    assert kr.complexity([[0.1, 0.2]], p).shape == (1, 2)
    assert kr.complexity(jnp.arange(3), p).shape == (3,)


@pytest.mark.parametrize("p", [3, 4, 7])
def test_complexity_is_c1_at_the_threshold(p):
    e_inf = kr.e_infinity(p)
    slope = jax.vmap(jax.grad(lambda u: kr.complexity(u, p)))
    left, right = slope(jnp.array([-e_inf * (1 + 1e-12), -e_inf * (1 - 1e-12)]))
    expected = (p - 2) * e_inf / (2 * (p - 1))  # derivative of the bulk parabola at -E_inf
    assert abs(left - expected) < 1e-5 and abs(right - expected) < 1e-10  # I_1' = O(sqrt(distance))
    values = kr.complexity(jnp.array([-e_inf - 1e-12, -e_inf, -e_inf + 1e-12]), p)
    assert float(jnp.max(values) - jnp.min(values)) < 1e-11


def test_complexity_for_p2_is_zero_on_the_spectrum_and_the_eigenvalue_rate_outside():
    u = np.linspace(-math.sqrt(2), math.sqrt(2), 51)
    np.testing.assert_allclose(kr.complexity(u, 2), 0.0, rtol=0, atol=1e-15)
    outside = np.array([-3.0, -2.0, 1.5, 4.0])
    x = np.abs(outside) * math.sqrt(2)  # the GOE variable
    rate = x / 4 * np.sqrt(x**2 - 4) - np.log((x + np.sqrt(x**2 - 4)) / 2)
    np.testing.assert_allclose(kr.complexity(outside, 2), -rate, rtol=1e-13)


# ------------------------------------------------------------------------------------- index complexity


@pytest.mark.parametrize("p", [2, 3, 4, 7])
def test_complexity_index_formula_and_threshold(p):
    e_inf = kr.e_infinity(p)
    u = np.linspace(-4.0, -e_inf - 1e-9, 200)
    t = u / -e_inf
    i1 = t * np.sqrt(t**2 - 1) - np.arccosh(t)  # I_1 as written by ABC
    for k in (0, 1, 5):
        expected = 0.5 * math.log(p - 1) - (p - 2) / (4 * (p - 1)) * u**2 - (k + 1) * i1
        np.testing.assert_allclose(kr.complexity_index(u, p, k), expected, rtol=0, atol=1e-13)
        above = kr.complexity_index(np.linspace(-e_inf, 50, 7), p, k)
        np.testing.assert_array_equal(above, 0.5 * math.log(p - 1) - (p - 2) / p)
    # below the threshold, all critical points are (exponentially dominated by) minima: Sigma = Theta_0
    np.testing.assert_allclose(kr.complexity(u, p), kr.complexity_index(u, p, 0), rtol=0, atol=1e-15)


@pytest.mark.parametrize("p", [3, 4])
def test_complexity_index_is_continuous_with_a_kink_at_the_threshold(p):
    e_inf = kr.e_infinity(p)
    for k in (0, 3):
        values = kr.complexity_index(jnp.array([-e_inf - 1e-12, -e_inf, -e_inf + 1e-12]), p, k)
        assert float(jnp.max(values) - jnp.min(values)) < 1e-11
        slope = jax.vmap(jax.grad(lambda u: kr.complexity_index(u, p, k)))
        left, right = slope(jnp.array([-e_inf * (1 + 1e-12), -e_inf * (1 - 1e-12)]))
        assert abs(left - (p - 2) * e_inf / (2 * (p - 1))) < 1e-5 * (k + 1) and right == 0.0


@pytest.mark.parametrize("p", [2, 3, 5])
def test_complexity_index_ordering_monotonicity_and_no_nan(p):
    assert not np.isnan(np.asarray(kr.complexity_index(WIDE_U, p, 3))).any()
    u = WIDE_U[:-2]  # beyond |u| ~ 1e154, u² overflows and every Theta_k is -inf
    thetas = np.stack([np.asarray(kr.complexity_index(u, p, k)) for k in range(5)])
    assert np.isfinite(thetas).all()
    assert (np.diff(thetas, axis=0) <= 0).all()  # Theta_0 >= Theta_1 >= ...
    below = u < -kr.e_infinity(p) - 1e-3
    assert (np.diff(thetas, axis=0)[:, below] < 0).all()
    ordered = np.argsort(u)
    assert (np.diff(thetas[:, ordered], axis=1) >= 0).all()  # cumulative: non-decreasing in u


@given(u=st.floats(-50, 50), p=st.integers(2, 12), k=st.integers(0, 30))
@PROPERTY
def test_complexity_properties(u, p, k):
    assert float(kr.complexity(u, p)) == float(kr.complexity(-u, p))
    assert float(kr.complexity(u, p)) <= 0.5 * math.log(p - 1) + 1e-15
    assert float(kr.complexity_index(u, p, k + 1)) <= float(kr.complexity_index(u, p, k))
    assert float(kr.complexity_index(u, p, k)) <= 0.5 * math.log(p - 1) - (p - 2) / p + 1e-15


# ---------------------------------------------------------------------------------------- layered energies


def test_ground_state_energies_against_the_literature():
    # ABC (2013) give E_0(3) = 1.657 in the book's units (same Hamiltonian and sphere); NOTATION: -1.65700, -1.79409
    assert kr.ground_state_energy(3) == pytest.approx(-1.65700, abs=1e-5)
    assert kr.ground_state_energy(4) == pytest.approx(-1.79409, abs=1e-5)
    # our digits (solved to 1e-14): regression values
    assert abs(kr.ground_state_energy(3) - (-1.6569983635274732)) < 1e-10
    assert abs(kr.ground_state_energy(4) - (-1.7940850281792544)) < 1e-10
    for p in (3, 4, 5, 10):
        u0 = kr.ground_state_energy(p)
        assert abs(float(kr.complexity_index(u0, p, 0))) < 1e-13
        assert u0 == kr.index_energy(p, 0)


@pytest.mark.parametrize("p", [3, 4, 7])
def test_index_energies_are_layered_and_converge_to_the_threshold(p):
    energies = [kr.index_energy(p, k) for k in range(12)]
    assert all(a < b for a, b in zip(energies, energies[1:]))  # -E_0 < -E_1 < ...
    assert energies[-1] < kr.threshold_energy(p)
    assert kr.threshold_energy(p) - kr.index_energy(p, 10**6) < 1e-3  # -E_k -> -E_inf
    for k, e in enumerate(energies):
        assert abs(float(kr.complexity_index(e, p, k))) < 1e-13


def test_index_energies_p3_values_and_p2():
    expected = [-1.6569983635274732, -1.6528731981030431, -1.6502531274392729, -1.6483990219086357]
    np.testing.assert_allclose([kr.index_energy(3, k) for k in range(4)], expected, rtol=0, atol=1e-10)
    assert kr.ground_state_energy(2) == kr.index_energy(2, 4) == -math.sqrt(2)  # the smallest eigenvalue


# ---------------------------------------------------------------------------------- exact finite-N counts


@pytest.mark.parametrize("p", [2, 3, 4, 5, 8])
def test_expected_critical_points_closed_forms(p):
    assert kr.expected_critical_points(2, p) == pytest.approx(2 * math.sqrt(3 * p - 2), rel=1e-13)
    assert kr.expected_critical_points(3, p) == pytest.approx(2 + 8 * (p - 1) ** 1.5 / math.sqrt(3 * p - 2), rel=1e-13)


def test_circle_count_from_the_covariance_of_the_trigonometric_polynomial():
    # on the circle of radius sqrt 2, E[H(θ)H(θ')] = 2 cos^p(θ - θ'): a stationary trigonometric polynomial whose
    # derivative has 2 sqrt(λ4/λ2) zeros per period (Rice), with cos^p θ = 2^-p Σ_j C(p, j) cos((p - 2j)θ), so
    # λ2 = -r''(0) = 2^-p Σ_j C(p, j)(p - 2j)² and λ4 = r''''(0) = 2^-p Σ_j C(p, j)(p - 2j)⁴
    for p in (2, 3, 4, 6, 9):
        lam2 = sum(math.comb(p, j) * (p - 2 * j) ** 2 for j in range(p + 1)) / 2**p
        lam4 = sum(math.comb(p, j) * (p - 2 * j) ** 4 for j in range(p + 1)) / 2**p
        assert (lam2, lam4) == (p, 3 * p * p - 2 * p)
        assert kr.expected_critical_points(2, p) == pytest.approx(2 * math.sqrt(lam4 / lam2), rel=1e-13)


@pytest.mark.parametrize("n", [2, 3, 4, 7, 12, 50, 301])
def test_p2_has_exactly_2n_critical_points(n):
    assert kr.expected_critical_points(n, 2) == pytest.approx(2 * n, rel=1e-13)


def test_complex_count_bounds_the_real_count():
    # Cartwright–Sturmfels: a generic symmetric tensor has ((p-1)^n - 1)/(p-2) eigenvector lines; each real one
    # gives two critical points, so E Crit_n <= 2 ((p-1)^n - 1)/(p-2), with equality for n = 1 only
    for p in (3, 4, 6):
        for n in range(2, 11):
            assert kr.expected_critical_points(n, p) < 2 * ((p - 1) ** n - 1) / (p - 2)


@pytest.mark.parametrize("p", [3, 4, 6])
def test_large_n_asymptotics(p):
    # E Crit_N = 4 sqrt(2N/(π(p-2))) (p-1)^{N/2} (1 - (p-1)/(2(p-2)N) + O(N^-2))
    c1 = (p - 1) / (2 * (p - 2))
    previous = None
    for n in (20, 50, 100, 200):
        log_e = kr.expected_critical_points(n, p, log=True)
        assert log_e == pytest.approx(math.log(kr.expected_critical_points(n, p)), rel=1e-14)
        log_leading = math.log(4 * math.sqrt(2 * n / (math.pi * (p - 2)))) + n / 2 * math.log(p - 1)
        correction = n * (math.exp(log_e - log_leading) - 1)
        assert abs(correction + c1) < 2.0 / n
        rate = log_e / n - 0.5 * math.log(p - 1)  # -> 0 like log(N)/(2N)
        assert 0 < rate < (0.5 * math.log(n) + 1.5) / n
        assert previous is None or rate < previous
        previous = rate


def test_largest_supported_n_does_not_overflow_in_log_form():
    log_e = kr.expected_critical_points(kr.MAX_EXACT_N, 10, log=True)
    n = kr.MAX_EXACT_N
    log_leading = math.log(4 * math.sqrt(2 * n / (math.pi * 8))) + n / 2 * math.log(9)
    assert abs(log_e - log_leading + 9 / (16 * n)) < 1e-6  # log(1 - c/N) ≈ -c/N, c = 9/16
    with pytest.raises(OverflowError, match="log=True"):
        kr.expected_critical_points(700, 10)  # 9^350 > 1e308


@pytest.mark.parametrize("p", [2, 3, 4, 5])
def test_by_index_morse_symmetry_and_total(p):
    for n in range(2, 13):
        counts = kr.expected_critical_points_by_index(n, p)
        total = kr.expected_critical_points(n, p)
        assert counts.shape == (n,) and (counts > 0).all()
        alternating = float(np.sum(counts * (-1.0) ** np.arange(n)))
        assert abs(alternating - (1 + (-1) ** (n - 1))) < 1e-13 * total  # Morse: χ(S^{n-1})
        np.testing.assert_allclose(counts, counts[::-1], rtol=1e-12)  # H and -H have the same law
        assert counts.sum() == pytest.approx(total, rel=1e-12)
        if p == 2:
            np.testing.assert_allclose(counts, 2.0, rtol=1e-12)


@pytest.mark.parametrize("p", [3, 4, 7])
def test_by_index_closed_forms(p):
    np.testing.assert_allclose(kr.expected_critical_points_by_index(2, p), math.sqrt(3 * p - 2), rtol=1e-13)
    s = (p - 1) ** 1.5 / math.sqrt(3 * p - 2)
    np.testing.assert_allclose(kr.expected_critical_points_by_index(3, p), [1 + 2 * s, 4 * s, 1 + 2 * s], rtol=1e-13)
    assert kr.expected_critical_points_by_index(5, p, k=0) == kr.expected_critical_points_by_index(5, p)[0]
    assert kr.expected_critical_points_by_index(5, p, k=4) == kr.expected_critical_points_by_index(5, p)[4]


def test_by_index_rate_of_minima_decreases_towards_theta0():
    # (1/N) log E Crit_{N,0} -> Theta_0 at the threshold = max of the index-0 complexity, from above
    for p in (3, 4):
        limit = 0.5 * math.log(p - 1) - (p - 2) / p
        rates = [math.log(kr.expected_critical_points_by_index(n, p, k=0)) / n for n in (5, 10, 15, 20)]
        assert all(a > b > limit for a, b in zip(rates, rates[1:]))


def test_census_monte_carlo_agrees_with_the_exact_count():
    """n = 3, p = 3: mean census count over 200 sampled fields within 5 standard errors, total and by index."""
    key = jax.random.key(5)
    counts = []
    for field_key, start_key in jax.random.split(key, (200, 2)):
        found = ls.critical.census(start_key, ls.fields.sample_pspin(field_key, 3, 3), n_starts=150)
        by_index = np.bincount(found.indices, minlength=3)
        assert by_index[0] - by_index[1] + by_index[2] == 2  # Morse: the census is complete
        counts.append(by_index)
    counts = np.array(counts, dtype=float)
    exact = kr.expected_critical_points_by_index(3, 3)
    for column, value in zip(counts.T, exact):
        se = column.std(ddof=1) / math.sqrt(len(column))
        assert abs(column.mean() - value) < 5 * se
    total = counts.sum(axis=1)
    assert abs(total.mean() - kr.expected_critical_points(3, 3)) < 5 * total.std(ddof=1) / math.sqrt(len(total))


# ------------------------------------------------------------------------------------------------ mixtures

MIXTURES = [ls.fields.mixture({2: 0.5, 4: 0.5}), ls.fields.mixture({3: 1.0, 4: 0.3}),
            ls.fields.mixture({1: 0.2, 3: 1.0}), ls.fields.mixture({1: 1.0, 2: 0.5}),
            ls.fields.mixture({1: 3.0, 2: 1.0, 3: 0.1})]


@pytest.mark.parametrize("p", [2, 3, 4, 9])
def test_complexity_mixed_reduces_to_the_pure_formula(p):
    u = np.linspace(-10.0, 10.0, 2001)
    np.testing.assert_allclose(kr.complexity_mixed(u, ls.fields.pure(p)), kr.complexity(u, p), rtol=0, atol=1e-13)
    np.testing.assert_allclose(kr.complexity_mixed(u, p), kr.complexity(u, p), rtol=0, atol=1e-13)
    assert kr.mixed_threshold_energy(p) == pytest.approx(kr.threshold_energy(p), rel=1e-15)


def _brute_force_mixed(u: float, mix) -> tuple[float, float]:
    """sup over y of the Kac–Rice exponent, by a grid and a bounded scalar search: (value, argmax y)."""
    c, b, a = (float(ls.fields.xi(mix, 1.0, d)) for d in range(3))
    precision = np.linalg.inv(np.array([[c, b], [b, a + b]]))

    def objective(y):
        y = np.asarray(y, dtype=float)
        quad = precision[0, 0] * u**2 + 2 * precision[0, 1] * u * y + precision[1, 1] * y**2
        return np.asarray(ls.rmt.semicircle_log_potential(y / math.sqrt(a))) - quad / 2

    grid = np.linspace(-30, 30, 6001)
    y0 = grid[int(np.argmax(objective(grid)))]
    best = minimize_scalar(lambda y: -float(objective(y)), bounds=(y0 - 0.02, y0 + 0.02), method="bounded",
                           options={"xatol": 1e-12})
    return 0.5 + 0.5 * math.log(a / b) - best.fun, best.x


@pytest.mark.parametrize("mix", MIXTURES, ids=str)
def test_complexity_mixed_is_the_supremum_over_the_radial_derivative(mix):
    u = np.linspace(-3.5, 3.5, 15)
    brute = np.array([_brute_force_mixed(v, mix)[0] for v in u])
    np.testing.assert_allclose(kr.complexity_mixed(u, mix), brute, rtol=0, atol=1e-10)
    # at the threshold the optimal radial derivative sits at the edge of the semicircle 2 sqrt(xi''(1))
    u_th = kr.mixed_threshold_energy(mix)
    _, y_star = _brute_force_mixed(u_th, mix)
    assert y_star == pytest.approx(-2 * math.sqrt(float(ls.fields.xi(mix, 1.0, 2))), abs=1e-5)


@pytest.mark.parametrize("mix", MIXTURES, ids=str)
def test_complexity_mixed_maximum_concavity_scaling_and_finiteness(mix):
    c, b, a = (float(ls.fields.xi(mix, 1.0, d)) for d in range(3))
    u = np.linspace(-6, 6, 1201)
    sigma = np.asarray(kr.complexity_mixed(u, mix))
    np.testing.assert_allclose(sigma, sigma[::-1], rtol=0, atol=1e-14)
    assert float(kr.complexity_mixed(0.0, mix)) == pytest.approx(0.5 * math.log(a / b), abs=1e-15)
    if a >= b:  # proven: jointly concave exponent, so Sigma is concave with its maximum at 0
        assert (np.diff(sigma, 2) <= 1e-12).all()
        assert sigma.max() <= 0.5 * math.log(a / b) + 1e-15
    else:  # topologically trivial: Sigma <= 0, with equality exactly at ±sqrt(xi'(1))
        assert 0.5 * math.log(a / b) < 0
        assert sigma.max() <= 1e-15
        np.testing.assert_allclose(kr.complexity_mixed([-math.sqrt(b), math.sqrt(b)], mix), 0.0, rtol=0, atol=1e-15)
    # H -> sqrt(s) H multiplies xi by s and energies by sqrt(s)
    scaled = ls.fields.mixture({d: 4.0 * w for d, w in zip(mix.degrees, mix.coefficients)})
    np.testing.assert_allclose(kr.complexity_mixed(2 * u, scaled), sigma, rtol=0, atol=1e-13)
    assert kr.mixed_threshold_energy(scaled) == pytest.approx(2 * kr.mixed_threshold_energy(mix), rel=1e-14)
    wide = np.asarray(kr.complexity_mixed(WIDE_U, mix))
    assert not np.isnan(wide).any() and np.isfinite(wide[:-2]).all()


# ----------------------------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("bad, exc", [(1, ValueError), (0, ValueError), (-3, ValueError), (2.5, TypeError),
                                      (3.0, TypeError), ("3", TypeError), (True, TypeError), (None, TypeError)])
def test_bad_p_everywhere(bad, exc):
    for call in (lambda: kr.complexity(0.0, bad), lambda: kr.complexity_index(0.0, bad, 0),
                 lambda: kr.ground_state_energy(bad), lambda: kr.index_energy(bad, 1),
                 lambda: kr.expected_critical_points(4, bad), lambda: kr.expected_critical_points_by_index(4, bad)):
        with pytest.raises(exc, match="p"):
            call()


@pytest.mark.parametrize("bad, exc", [(1, ValueError), (0, ValueError), (-2, ValueError), (3.0, TypeError),
                                      ("4", TypeError)])
def test_bad_n(bad, exc):
    with pytest.raises(exc, match="n"):
        kr.expected_critical_points(bad, 3)
    with pytest.raises(exc, match="n"):
        kr.expected_critical_points_by_index(bad, 3)


def test_n_above_the_supported_range():
    with pytest.raises(ValueError, match="n"):
        kr.expected_critical_points(kr.MAX_EXACT_N + 1, 3)
    with pytest.raises(ValueError, match="n"):
        kr.expected_critical_points_by_index(kr.MAX_EXACT_N_BY_INDEX + 1, 3)
    with pytest.raises(TypeError, match="log"):
        kr.expected_critical_points(4, 3, log="yes")


@pytest.mark.parametrize("bad, exc", [(-1, ValueError), (-10, ValueError), (1.0, TypeError), (False, TypeError)])
def test_bad_k(bad, exc):
    with pytest.raises(exc, match="k"):
        kr.complexity_index(0.0, 3, bad)
    with pytest.raises(exc, match="k"):
        kr.index_energy(3, bad)
    with pytest.raises(exc, match="k"):
        kr.expected_critical_points_by_index(5, 3, k=bad)


def test_k_beyond_the_tangent_dimension():
    # on S^{n-1} the tangent space has dimension n - 1: indices 0..n-1 exist (n-1: local maxima), k >= n does not
    assert kr.expected_critical_points_by_index(4, 3, k=3) > 0
    for bad in (4, 5, 100):
        with pytest.raises(ValueError, match="k"):
            kr.expected_critical_points_by_index(4, 3, k=bad)


@pytest.mark.parametrize("bad", [np.nan, [0.0, np.inf], [-np.inf]])
def test_non_finite_energies_are_rejected(bad):
    for call in (lambda: kr.complexity(bad, 3), lambda: kr.complexity_index(bad, 3, 0),
                 lambda: kr.complexity_mixed(bad, MIXTURES[0])):
        with pytest.raises(ValueError, match="u"):
            call()
    with pytest.raises(TypeError, match="u"):
        kr.complexity("0.5", 3)


def test_bad_mixtures():
    with pytest.raises(ValueError, match="xi"):
        kr.complexity_mixed(0.0, ls.fields.mixture({1: 1.0}))  # a linear field: two critical points, no complexity
    with pytest.raises(ValueError, match="xi"):
        kr.mixed_threshold_energy(ls.fields.mixture({1: 2.0}))
    with pytest.raises(TypeError, match="xi"):
        kr.complexity_mixed(0.0, {2: 1.0})
    with pytest.raises(ValueError, match="xi must be an integer >= 2"):  # an integer is a pure p-spin, p >= 2
        kr.complexity_mixed(0.0, 1)


# ------------------------------------------------------------------------------- exact finite-N, mixtures


@pytest.mark.parametrize("p", [2, 3, 4, 7])
@pytest.mark.parametrize("n", [2, 3, 10, 200])
def test_expected_critical_points_mixed_reduces_to_the_pure_count(p, n):
    assert kr.expected_critical_points_mixed(n, p, log=True) == pytest.approx(
        kr.expected_critical_points(n, p, log=True), abs=1e-12)
    assert kr.expected_critical_points_mixed(n, ls.fields.pure(p)) == pytest.approx(
        kr.expected_critical_points(n, p), rel=1e-12)


@pytest.mark.parametrize("mix", MIXTURES, ids=str)
def test_expected_critical_points_mixed_on_the_circle_and_scale_invariance(mix):
    """N = 2: Rice's formula 2 sqrt(lambda_4/lambda_2) for the covariance xi(cos theta), = 2 sqrt(1 + 3 xi''/xi')."""
    b, a = (float(ls.fields.xi(mix, 1.0, d)) for d in (1, 2))
    assert kr.expected_critical_points_mixed(2, mix) == pytest.approx(2 * math.sqrt(1 + 3 * a / b), rel=1e-12)
    scaled = ls.fields.mixture({p: 4.0 * c for p, c in zip(mix.degrees, mix.coefficients)})
    for n in (3, 17):
        assert kr.expected_critical_points_mixed(n, scaled) == pytest.approx(
            kr.expected_critical_points_mixed(n, mix), rel=1e-12)


def test_expected_critical_points_mixed_tends_to_the_top_of_the_mixed_complexity():
    mix = ls.fields.mixture({2: 0.5, 4: 0.5})
    top = float(np.max(kr.complexity_mixed(np.linspace(-1, 1, 2001), mix)))
    gaps = [kr.expected_critical_points_mixed(n, mix, log=True) / n - top for n in (250, 1000, 4000)]
    # the leading correction is log(N)/(2N), as for the pure model
    for n, gap in zip((250, 1000, 4000), gaps):
        assert 0 < gap < 1.5 * math.log(n) / n
    assert gaps[0] > gaps[1] > gaps[2]


def test_expected_critical_points_mixed_against_a_census():
    """N = 4, xi = (q^2 + q^4)/2 (even: antipodes are critical): mean census count within 5 standard errors."""
    mix = ls.fields.mixture({2: 0.5, 4: 0.5})
    counts = []
    for field_key, start_key in jax.random.split(jax.random.key(8), (60, 2)):
        found = ls.critical.census(start_key, ls.fields.sample_mixture(field_key, 4, mix), n_starts=500,
                                   antipodes=True)
        assert ls.critical.morse_sum(found.indices) == 0
        counts.append(len(found.energies))
    se = np.std(counts, ddof=1) / math.sqrt(len(counts))
    assert abs(np.mean(counts) - kr.expected_critical_points_mixed(4, mix)) < 5 * se


def test_expected_critical_points_mixed_bad_inputs():
    mix = ls.fields.mixture({2: 0.5, 4: 0.5})
    with pytest.raises(ValueError, match="n"):
        kr.expected_critical_points_mixed(1, mix)
    with pytest.raises(TypeError, match="n"):
        kr.expected_critical_points_mixed(3.0, mix)
    with pytest.raises(ValueError, match="xi"):
        kr.expected_critical_points_mixed(3, ls.fields.mixture({1: 1.0}))
    with pytest.raises(TypeError, match="log"):
        kr.expected_critical_points_mixed(3, mix, log="yes")


@pytest.mark.parametrize("p", [2, 3, 4, 7])
@pytest.mark.parametrize("n", [2, 3, 6, 40])
def test_critical_point_density_integrates_to_the_exact_count(p, n):
    u = np.linspace(-9.0, 9.0, 18001)
    integral = np.trapezoid(kr.critical_point_density(u, n, p), u)
    assert integral == pytest.approx(kr.expected_critical_points(n, p), rel=1e-9)


def test_critical_point_density_tends_to_the_complexity():
    u = np.array([-1.75, -1.66, -1.5, -1.0, 0.0, 0.8])
    gaps = [np.abs(kr.critical_point_density(u, n, 3, log=True) / n - kr.complexity(u, 3)) for n in (200, 800, 3200)]
    assert np.all(gaps[0] > gaps[1]) and np.all(gaps[1] > gaps[2]) and np.max(gaps[2]) < 0.01


def test_critical_point_density_is_even_and_validates():
    u = np.linspace(-2, 2, 9)
    np.testing.assert_allclose(kr.critical_point_density(u, 5, 3), kr.critical_point_density(-u, 5, 3), rtol=1e-12)
    assert kr.critical_point_density(0.5, 4, 3).shape == ()
    with pytest.raises(ValueError, match="n"):
        kr.critical_point_density(0.0, 1, 3)
    with pytest.raises(ValueError, match="p"):
        kr.critical_point_density(0.0, 4, 1)
    with pytest.raises(ValueError, match="u"):
        kr.critical_point_density(np.nan, 4, 3)
    with pytest.raises(TypeError, match="log"):
        kr.critical_point_density(0.0, 4, 3, log=1)
    np.testing.assert_allclose(kr.critical_point_density(u, 7, 4, log=True), np.log(kr.critical_point_density(u, 7, 4)),
                               rtol=1e-12)


# ------------------------------------------------------------------------------ counts above and below a level


@pytest.mark.parametrize("n", [2, 3, 6, 15])
@pytest.mark.parametrize("p", [2, 3, 5])
def test_counts_above_a_level_tend_to_the_index_counts_and_integrate_the_density(n, p):
    u = np.array([-30.0, -1.2, -0.4, 0.0, 0.5, 1.3, 30.0])
    above = kr.expected_critical_points_above(u, n, p)
    assert above.shape == (7, n)
    by_index = kr.expected_critical_points_by_index(n, p)
    np.testing.assert_allclose(above[0], by_index, rtol=1e-12, atol=1e-14 * by_index.sum())
    np.testing.assert_allclose(above[-1], 0.0, atol=1e-12)
    assert np.all(np.diff(above, axis=0) <= 1e-10)  # fewer points above a higher level, index by index
    for ui, row in zip(u[1:-1], above[1:-1]):
        tail, _ = integrate.quad(lambda x: float(kr.critical_point_density(x, n, p)), ui, 8.0, epsabs=1e-11, limit=200)
        assert row.sum() == pytest.approx(tail, rel=1e-9, abs=1e-10)


@pytest.mark.parametrize("n", [3, 5, 9])
def test_counts_below_are_the_mirror_of_counts_above(n):
    u = np.linspace(-2.0, 1.0, 7)
    below = kr.expected_critical_points_above(u, n, 3, side="below")
    np.testing.assert_allclose(below, kr.expected_critical_points_above(-u, n, 3)[:, ::-1], rtol=1e-14)
    total = kr.expected_critical_points_by_index(n, 3)
    both = below + kr.expected_critical_points_above(u, n, 3)  # the level itself has probability zero
    np.testing.assert_allclose(both, np.broadcast_to(total, both.shape), rtol=1e-11)
    # deep below the threshold almost every critical point is a minimum
    deep = kr.expected_critical_points_above(-1.7, 12, 3, side="below")
    assert deep[0] > 50 * deep[1:].sum()


@pytest.mark.parametrize("xi", [ls.fields.mixture({2: 0.5, 3: 0.5}), ls.fields.mixture({1: 0.2, 2: 0.3, 4: 0.5}),
                                ls.fields.mixture({3: 2.0})])
def test_mixed_counts_above_a_level(xi):
    for n in (2, 4, 8):
        above = kr.expected_critical_points_above(np.array([-40.0, 0.0, 40.0]), n, xi)
        assert above[0].sum() == pytest.approx(kr.expected_critical_points_mixed(n, xi), rel=1e-11)
        np.testing.assert_allclose(above[0], above[0][::-1], rtol=1e-10)  # H and -H have the same law
        assert (-1) ** np.arange(n) @ above[0] == pytest.approx(1 + (-1) ** (n - 1), abs=1e-9 * above[0].sum())
        np.testing.assert_allclose(above[2], 0.0, atol=1e-12)
    # a single degree with a weight is a rescaled pure model: same counts at the rescaled level
    if xi.degrees == (3,):
        np.testing.assert_allclose(kr.expected_critical_points_above(math.sqrt(2.0) * 0.3, 5, xi),
                                   kr.expected_critical_points_above(0.3, 5, 3), rtol=1e-12)


def test_counts_above_reject_bad_input():
    with pytest.raises(ValueError, match="side"):
        kr.expected_critical_points_above(0.0, 3, 3, side="left")
    with pytest.raises(ValueError, match="n"):
        kr.expected_critical_points_above(0.0, kr.MAX_EXACT_N_BY_INDEX + 1, 3)
    with pytest.raises(ValueError, match="u"):
        kr.expected_critical_points_above([0.0, np.nan], 3, 3)
    with pytest.raises(TypeError, match="xi"):
        kr.expected_critical_points_above(0.0, 3, 3.0)
    with pytest.raises(ValueError, match="xi"):
        kr.expected_critical_points_above(0.0, 3, ls.fields.mixture({1: 1.0}))


def test_fraction_of_minima_is_a_probability():
    # full tests of the two Hessian laws: tests/test_kac_rice_hessian_laws.py
    f = kr.fraction_of_minima(np.array([-3.0, -1.5, 1.0]), 6, 3)
    assert f[0] > 0.999 and 0 < f[1] < 1 and f[2] < 1e-6


def test_minima_of_mixtures_reduce_to_the_pure_model():
    # the full tests are in test_kac_rice_mixed_minima.py; test_book looks for a call in this file
    u = np.linspace(-2.0, kr.threshold_energy(3), 7)
    np.testing.assert_allclose(kr.complexity_mixed_minima(u, 3), kr.complexity(u, 3), atol=1e-12)
    assert abs(kr.mixed_minima_top_energy(3) - kr.threshold_energy(3)) < 1e-14


def test_typical_index_is_the_index_energy_line():
    """kr.typical_index: (N - 1) F(u sqrt(p/(p-1))); 0 at the threshold, (N-1)/2 at u = 0, N - 1 at +E_inf;
    against the negative eigenvalues of sampled conditioned Hessians sqrt((N-1)/N) sqrt(p(p-1)) W - p u I, and with
    the shift -(p-1)u (the wrong shift) rejected."""
    n, p = 300, 3
    e_inf = kr.e_infinity(p)
    ends = kr.typical_index(np.array([-e_inf, 0.0, e_inf]), n, p)
    np.testing.assert_allclose(ends, [0.0, (n - 1) / 2, n - 1], atol=1e-9)
    rng = np.random.default_rng(7)
    for u in (-1.2, -0.5, 0.4):
        counts = []
        for _ in range(20):
            g = rng.standard_normal((n - 1, n - 1))
            w = (g + g.T) / np.sqrt(2 * (n - 1))
            hess = np.sqrt((n - 1) / n) * np.sqrt(p * (p - 1)) * w - p * u * np.eye(n - 1)
            counts.append(np.sum(np.linalg.eigvalsh(hess) < 0))
        mean = float(np.mean(counts))
        assert abs(mean - kr.typical_index(u, n, p)) < 2.0, (u, mean)
        wrong = (n - 1) * float(ls.rmt.semicircle_cdf((p - 1) * u / np.sqrt(p * (p - 1))))
        assert abs(mean - wrong) > 5.0, (u, mean, wrong)

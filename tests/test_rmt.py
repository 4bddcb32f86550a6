"""Tests of landscape.rmt: GOE sampling, the semicircle law, pairings, Ω, G, BBP and exact finite-n moments."""

import itertools
import math
from fractions import Fraction

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import quad

from landscape import rmt

SLOW_OK = settings(max_examples=60, deadline=None, database=None)


def double_factorial(m: int) -> int:
    return math.prod(range(m, 0, -2))


def brute_force_goe_moment(n: int, k: int) -> Fraction:
    """E (1/n) Tr W^k by summing over all index tuples, with the independent entries W_ij (i <= j) having
    E W^{2p} = (2p-1)!! var^p, var = (1 + δ_ij)/n: independent of the gluing code under test."""
    total = Fraction(0)
    for idx in itertools.product(range(n), repeat=k):
        multiplicity: dict[tuple[int, int], int] = {}
        for a in range(k):
            edge = tuple(sorted((idx[a], idx[(a + 1) % k])))
            multiplicity[edge] = multiplicity.get(edge, 0) + 1
        if any(c % 2 for c in multiplicity.values()):
            continue
        term = Fraction(1)
        for (i, j), c in multiplicity.items():
            term *= double_factorial(c - 1) * Fraction(2 if i == j else 1, n) ** (c // 2)
        total += term
    return total / n


def semicircle_integral(f) -> float:
    """∫ f(λ) ρ(λ) dλ with λ = 2 cos φ (ρ dλ = (2/π) sin²φ dφ), which removes the square-root endpoints."""
    return quad(lambda p: f(2 * math.cos(p)) * 2 / math.pi * math.sin(p) ** 2, 0, math.pi,
                limit=200, epsabs=1e-11, epsrel=1e-11)[0]


def within_standard_errors(samples: np.ndarray, expected: float, z: float = 5.0) -> bool:
    samples = np.asarray(samples, dtype=float).ravel()
    se = samples.std(ddof=1) / math.sqrt(samples.size)
    return abs(samples.mean() - expected) < z * se + 1e-12   # 1e-12: rounding, for samples of zero variance


# --------------------------------------------------------------------------------------------------- GOE


def test_sample_goe_shape_dtype_symmetry():
    w = rmt.sample_goe(jax.random.key(0), 5)
    ws = rmt.sample_goe(jax.random.key(0), 5, num=3)
    assert w.shape == (5, 5) and ws.shape == (3, 5, 5)
    assert w.dtype == ws.dtype == jnp.float64
    np.testing.assert_array_equal(ws, np.swapaxes(ws, -1, -2))
    assert rmt.sample_goe(jax.random.PRNGKey(1), 1).shape == (1, 1)  # legacy keys are accepted


def test_sample_goe_reproducible():
    a = rmt.sample_goe(jax.random.key(3), 6, num=2)
    np.testing.assert_array_equal(a, rmt.sample_goe(jax.random.key(3), 6, num=2))
    assert not np.allclose(a, rmt.sample_goe(jax.random.key(4), 6, num=2))
    assert not np.allclose(a[0], a[1])


def test_sample_goe_entry_variances():
    n, num = 4, 20_000
    w = np.asarray(rmt.sample_goe(jax.random.key(11), n, num=num))
    upper = w[:, *np.triu_indices(n, 1)]  # independent off-diagonal entries
    diagonal = w[:, np.arange(n), np.arange(n)]
    assert within_standard_errors(upper, 0.0) and within_standard_errors(diagonal, 0.0)
    assert within_standard_errors(upper**2, 1 / n)
    assert within_standard_errors(diagonal**2, 2 / n)


@pytest.mark.parametrize("k", [1, 2, 3, 4, 6])
def test_goe_spectral_moments_match_exact_finite_n(k):
    n = 3
    eigenvalues = jnp.linalg.eigvalsh(rmt.sample_goe(jax.random.key(5), n, num=40_000))
    per_matrix = np.asarray(rmt.empirical_moment(eigenvalues, k))
    assert within_standard_errors(per_matrix, float(rmt.finite_n_goe_moment(n, k)))


def test_empirical_moment():
    lam = np.array([[1.0, -2.0, 3.0], [0.5, 0.5, 2.0]])
    np.testing.assert_allclose(rmt.empirical_moment(lam, 3), (lam**3).mean(axis=-1), rtol=1e-15)
    np.testing.assert_allclose(rmt.empirical_moment(lam, 0), [1.0, 1.0])


# ----------------------------------------------------------------------------------------- semicircle law


def test_semicircle_density_normalised_and_zero_outside():
    total, _ = quad(lambda x: float(rmt.semicircle_density(x)), -2, 2, epsabs=1e-12)
    assert total == pytest.approx(1.0, abs=1e-9)
    np.testing.assert_array_equal(rmt.semicircle_density(jnp.array([-7.0, -2.0, 2.0, 3.0, 1e300])), 0.0)
    assert float(rmt.semicircle_density(0)) == pytest.approx(1 / math.pi, rel=1e-15)


def test_semicircle_cdf_derivative_is_density():
    x = jnp.linspace(-3.0, 3.0, 61)
    np.testing.assert_allclose(jax.vmap(jax.grad(rmt.semicircle_cdf))(x), rmt.semicircle_density(x), atol=1e-12)
    for t in (-1.5, -0.3, 0.0, 1.2, 1.99):
        assert float(rmt.semicircle_cdf(t)) == pytest.approx(quad(lambda s: float(rmt.semicircle_density(s)),
                                                                  -2, t, epsabs=1e-12)[0], abs=1e-9)
    np.testing.assert_array_equal(rmt.semicircle_cdf(jnp.array([-5.0, -2.0, 2.0, 5.0])), [0.0, 0.0, 1.0, 1.0])


def test_semicircle_gradients_are_nan_free():
    x = jnp.array([-1e6, -2.0, -1.0, 0.0, 2.0, 1e6])
    for f in (rmt.semicircle_density, rmt.semicircle_cdf, rmt.semicircle_log_potential):
        assert np.all(np.isfinite(jax.vmap(jax.grad(f))(x)))


@pytest.mark.parametrize("k", range(13))
def test_semicircle_moments_by_quadrature(k):
    exact = rmt.semicircle_moment(k)
    assert isinstance(exact, int)
    assert semicircle_integral(lambda lam: lam**k) == pytest.approx(exact, abs=1e-9)
    assert exact == (rmt.catalan(k // 2) if k % 2 == 0 else 0)


def test_catalan_values():
    assert [rmt.catalan(k) for k in range(10)] == [1, 1, 2, 5, 14, 42, 132, 429, 1430, 4862]
    assert rmt.catalan(30) == 3814986502092304  # exact, beyond float precision


# ---------------------------------------------------------------------------------------------- pairings


@pytest.mark.parametrize("m", range(0, 13, 2))
def test_pair_partition_counts(m):
    pairings = rmt.pair_partitions(m)
    assert len(pairings) == double_factorial(m - 1)
    assert len(set(pairings)) == len(pairings) and pairings == sorted(pairings)
    for p in pairings[:: max(1, len(pairings) // 50)]:
        assert sorted(itertools.chain(*p)) == list(range(m))
        assert all(i < j for i, j in p) and list(p) == sorted(p)
    noncrossing = rmt.noncrossing_pair_partitions(m)
    assert len(noncrossing) == rmt.catalan(m // 2)
    assert noncrossing == [p for p in pairings if rmt.is_noncrossing(p)]


def test_pair_partitions_small_cases():
    assert rmt.pair_partitions(0) == [()]
    assert rmt.pair_partitions(4) == [((0, 1), (2, 3)), ((0, 2), (1, 3)), ((0, 3), (1, 2))]


def test_is_noncrossing_hand_examples():
    assert not rmt.is_noncrossing(((0, 2), (1, 3)))
    assert rmt.is_noncrossing(((0, 1), (2, 3)))
    assert rmt.is_noncrossing(((0, 3), (1, 2)))
    assert rmt.is_noncrossing([(2, 3), (1, 0)])  # order of pairs and within pairs is irrelevant
    assert not rmt.is_noncrossing(((0, 5), (1, 3), (2, 4)))
    assert rmt.is_noncrossing(())


@pytest.mark.parametrize("bad", [((0, 1), (1, 2)), ((0, 2),), ((0, 1, 2),), ((0, 0),)])
def test_is_noncrossing_rejects_non_pairings(bad):
    with pytest.raises(ValueError, match="^pairing"):
        rmt.is_noncrossing(bad)


# ---------------------------------------------------------------------------------- log-potential Ω and G


@pytest.mark.parametrize("x", [-5.0, -3.0, -2.5, -2.0, -1.999, -1.0, 0.0, 0.3, 1.7, 2.0, 2.001, 3.0, 5.0])
def test_log_potential_against_quadrature(x):
    assert float(rmt.semicircle_log_potential(x)) == pytest.approx(
        semicircle_integral(lambda lam: math.log(abs(lam - x))), abs=1e-8)


@pytest.mark.parametrize("edge", [-2.0, 2.0])
def test_log_potential_c1_at_the_edges(edge):
    omega, d_omega = rmt.semicircle_log_potential, jax.grad(rmt.semicircle_log_potential)
    eps = 1e-10
    assert float(omega(edge)) == 0.5
    assert abs(float(omega(edge * (1 + eps))) - 0.5) < 1e-9 and abs(float(omega(edge * (1 - eps))) - 0.5) < 1e-9
    slope = edge / 2  # ±1
    for x in (edge, edge * (1 + eps), edge * (1 - eps)):
        assert float(d_omega(x)) == pytest.approx(slope, abs=1e-4)


def test_log_potential_derivative_is_real_part_of_stieltjes():
    d_omega = jax.vmap(jax.grad(rmt.semicircle_log_potential))
    outside = jnp.array([-50.0, -4.0, -2.1, 2.1, 3.0, 10.0])
    np.testing.assert_allclose(d_omega(outside), rmt.stieltjes_transform(outside).real, rtol=1e-12)
    inside = jnp.linspace(-1.9, 1.9, 7)
    np.testing.assert_allclose(d_omega(inside), inside / 2, rtol=1e-14)


def test_log_potential_large_arguments():
    x = jnp.array([1e6, -1e6, 1e150, -1e300])
    omega = rmt.semicircle_log_potential(x)
    grad = jax.vmap(jax.grad(rmt.semicircle_log_potential))(x)
    assert np.all(np.isfinite(omega)) and np.all(np.isfinite(grad))
    # Ω(x) = log|x| - 1/(2x²) + O(x⁻⁴)
    inverse = 1 / np.asarray(x)
    np.testing.assert_allclose(omega, np.log(np.abs(np.asarray(x))) - 0.5 * inverse**2, rtol=1e-15)
    np.testing.assert_allclose(grad, inverse, rtol=1e-9)


def test_log_potential_under_jit():
    x = jnp.linspace(-4.0, 4.0, 9)
    np.testing.assert_allclose(jax.jit(rmt.semicircle_log_potential)(x), rmt.semicircle_log_potential(x))


@pytest.mark.parametrize("z", [1 + 0.5j, -3.0, 3 + 1j, 0.1j, 5j, -1 - 2j, 2.5, -0.5 + 0.05j])
def test_stieltjes_against_quadrature(z):
    real = semicircle_integral(lambda lam: (1 / (z - lam)).real)
    imag = semicircle_integral(lambda lam: (1 / (z - lam)).imag)
    assert complex(rmt.stieltjes_transform(z)) == pytest.approx(complex(real, imag), abs=1e-8)


def test_stieltjes_branch_and_asymptotics():
    big = jnp.array([1e8, -1e8, 1e8j, 3e7 - 4e7j])
    np.testing.assert_allclose(big * rmt.stieltjes_transform(big), 1.0, rtol=1e-12)
    z = (jnp.linspace(-5, 5, 21)[:, None] + 1j * jnp.array([1e-3, 0.5, 4.0])[None, :]).ravel()
    g = rmt.stieltjes_transform(z)
    assert np.all(g.imag < 0) and np.all(rmt.stieltjes_transform(z.conj()).imag > 0)
    np.testing.assert_allclose(g**2 - z * g + 1, 0, atol=1e-12)  # self-consistency equation
    # Boundary value on the support: -Im G(x + i0)/π = ρ(x)
    x = jnp.array([-1.5, 0.0, 0.7])
    np.testing.assert_allclose(-rmt.stieltjes_transform(x + 1e-12j).imag / jnp.pi, rmt.semicircle_density(x),
                               atol=1e-9)


@pytest.mark.parametrize("z", [0.0, 2.0, -2.0, 1.3 + 0j, [3.0, 1.0]])
def test_stieltjes_rejects_support(z):
    with pytest.raises(ValueError, match="^z must lie off"):
        rmt.stieltjes_transform(z)


# ------------------------------------------------------------------------------------------------- BBP


def test_bbp_formulas():
    theta = jnp.array([0.0, 0.5, 1.0, 2.0, 4.0])
    np.testing.assert_allclose(rmt.bbp_outlier(theta), [2, 2, 2, 2.5, 4.25], rtol=1e-15)
    np.testing.assert_allclose(rmt.bbp_overlap(theta), [0, 0, 0, 0.75, 15 / 16], rtol=1e-15)
    for f, value in ((rmt.bbp_outlier, 2.0), (rmt.bbp_overlap, 0.0)):  # continuous at θ = 1
        assert float(f(1 + 1e-9)) == pytest.approx(value, abs=1e-8)
        assert float(f(1 - 1e-9)) == value
        assert np.all(np.isfinite(jax.vmap(jax.grad(f))(theta)))


def test_bbp_monte_carlo():
    """n = 400, θ = 2: the outlier (→ 2.5) and the squared overlap (→ 0.75) fluctuate by O(n^{-1/2}) ≈ 0.05
    per matrix, with an O(1/n) bias; the mean of 4 matrices is within 0.1 with a wide margin."""
    n, theta = 400, 2.0
    key_w, key_v = jax.random.split(jax.random.key(2024))
    w = rmt.sample_goe(key_w, n, num=4)
    v = jax.random.normal(key_v, (4, n))
    v = v / jnp.linalg.norm(v, axis=-1, keepdims=True)
    eigenvalues, eigenvectors = jnp.linalg.eigh(w + theta * v[:, :, None] * v[:, None, :])
    top = eigenvalues[:, -1]
    overlap = jnp.einsum("bi,bi->b", eigenvectors[:, :, -1], v) ** 2
    assert abs(float(top.mean()) - float(rmt.bbp_outlier(theta))) < 0.1
    assert abs(float(overlap.mean()) - float(rmt.bbp_overlap(theta))) < 0.1
    # below threshold the top eigenvalue sticks to the edge, and no macroscopic overlap
    eigenvalues, eigenvectors = jnp.linalg.eigh(w + 0.5 * v[:, :, None] * v[:, None, :])
    assert abs(float(eigenvalues[:, -1].mean()) - 2.0) < 0.1
    assert float((jnp.einsum("bi,bi->b", eigenvectors[:, :, -1], v) ** 2).mean()) < 0.1


@pytest.mark.parametrize("f", [rmt.bbp_outlier, rmt.bbp_overlap])
def test_bbp_bad_theta(f):
    with pytest.raises(ValueError, match="^theta must be >= 0"):
        f(-0.1)
    with pytest.raises(ValueError, match="^theta must be >= 0"):
        f(jnp.array([1.0, -2.0]))
    with pytest.raises(TypeError, match="^theta"):
        f("2")
    with pytest.raises(ValueError, match="^theta"):
        f(float("nan"))


# ------------------------------------------------------------------------------- exact finite-n moments


@pytest.mark.parametrize(("n", "k"), [(n, k) for n in (1, 2, 3) for k in range(1, 9)] + [(2, 10)])
def test_finite_n_moment_matches_brute_force(n, k):
    exact = rmt.finite_n_goe_moment(n, k)
    assert isinstance(exact, Fraction)
    assert exact == brute_force_goe_moment(n, k)


def test_finite_n_moment_polynomials():
    """The genus expansions (coefficients independently confirmed by brute force at n = 1..6)."""
    for n in (1, 2, 5, 17, 1000):
        m = Fraction(1, n)
        assert rmt.finite_n_goe_moment(n, 2) == 1 + m
        assert rmt.finite_n_goe_moment(n, 4) == 2 + 5 * m + 5 * m**2
        assert rmt.finite_n_goe_moment(n, 6) == 5 + 22 * m + 52 * m**2 + 41 * m**3
        assert rmt.finite_n_goe_moment(n, 8) == 14 + 93 * m + 374 * m**2 + 690 * m**3 + 509 * m**4
        assert rmt.finite_n_goe_moment(n, 0) == 1 and rmt.finite_n_goe_moment(n, 7) == 0


def test_finite_n_moment_n1_and_large_n():
    # n = 1: W = √2 g, E W^{2p} = (2p-1)!! 2^p
    for p in range(6):
        assert rmt.finite_n_goe_moment(1, 2 * p) == double_factorial(2 * p - 1) * 2**p
    # n → ∞: Catalan numbers, with a 1/n correction
    n = 10**40
    for p in range(1, 6):
        assert abs(rmt.finite_n_goe_moment(n, 2 * p) - rmt.catalan(p)) < Fraction(10**4, n)


# ------------------------------------------------------------------------------------------ bad inputs


@pytest.mark.parametrize(("n", "exc"), [(0, ValueError), (-3, ValueError), (2.5, TypeError), ("3", TypeError),
                                        (True, TypeError), (3.0, TypeError)])
def test_sample_goe_bad_n(n, exc):
    with pytest.raises(exc, match="^n must be"):
        rmt.sample_goe(jax.random.key(0), n)


def test_sample_goe_bad_num_and_key():
    with pytest.raises(ValueError, match="^num must be"):
        rmt.sample_goe(jax.random.key(0), 3, num=0)
    with pytest.raises(TypeError, match="^num must be"):
        rmt.sample_goe(jax.random.key(0), 3, num=2.0)
    with pytest.raises(TypeError, match="^key must be"):
        rmt.sample_goe(0, 3)


@pytest.mark.parametrize("f", [rmt.catalan, rmt.semicircle_moment])
@pytest.mark.parametrize(("k", "exc"), [(-1, ValueError), (1.5, TypeError), ("2", TypeError), (None, TypeError)])
def test_bad_k(f, k, exc):
    with pytest.raises(exc, match="^k must be"):
        f(k)


@pytest.mark.parametrize("f", [rmt.pair_partitions, rmt.noncrossing_pair_partitions])
def test_bad_m(f):
    with pytest.raises(ValueError, match="^m must be a non-negative even integer"):
        f(3)
    with pytest.raises(ValueError, match="^m must be"):
        f(-2)
    with pytest.raises(TypeError, match="^m must be"):
        f(4.0)
    with pytest.raises(ValueError, match="^m must be <= 16: enumerating .* too large"):
        f(18)


def test_finite_n_moment_bad_inputs():
    with pytest.raises(ValueError, match="^n must be"):
        rmt.finite_n_goe_moment(0, 2)
    with pytest.raises(ValueError, match=r"^k must be an integer in \[0, 12\]"):
        rmt.finite_n_goe_moment(3, 14)
    with pytest.raises(TypeError, match="^k must be"):
        rmt.finite_n_goe_moment(3, 2.0)


def test_real_array_inputs_validated():
    for f in (rmt.semicircle_density, rmt.semicircle_cdf, rmt.semicircle_log_potential):
        with pytest.raises(ValueError, match="^x must contain only finite"):
            f(jnp.array([0.0, jnp.nan]))
        with pytest.raises(TypeError, match="^x must be a real"):
            f(1 + 1j)
        with pytest.raises(TypeError, match="^x must be"):
            f("1.0")
    with pytest.raises(ValueError, match="^eigenvalues must have a non-empty last axis"):
        rmt.empirical_moment(1.0, 2)
    with pytest.raises(ValueError, match="^k must be"):
        rmt.empirical_moment([1.0], -1)
    with pytest.raises(ValueError, match="^z must contain only finite"):
        rmt.stieltjes_transform(complex("inf"))


# ------------------------------------------------------------------------------------ property tests


@SLOW_OK
@given(st.floats(min_value=-1e8, max_value=1e8, allow_nan=False))
def test_symmetries(x):
    assert float(rmt.semicircle_log_potential(x)) == float(rmt.semicircle_log_potential(-x))
    assert float(rmt.semicircle_cdf(x)) + float(rmt.semicircle_cdf(-x)) == pytest.approx(1.0, abs=1e-14)
    assert 0.0 <= float(rmt.semicircle_cdf(x)) <= 1.0
    if abs(x) > 2:  # Jensen, log concave and λ - x of one sign: Ω(x) <= log ∫|λ - x| ρ(λ) dλ = log|x|
        assert float(rmt.semicircle_log_potential(x)) <= math.log(abs(x))


@SLOW_OK
@given(st.floats(min_value=0.0, max_value=1e6, allow_nan=False))
def test_bbp_ranges(theta):
    outlier, overlap = float(rmt.bbp_outlier(theta)), float(rmt.bbp_overlap(theta))
    assert outlier >= 2.0 and 0.0 <= overlap < 1.0
    if theta > 1 + 1e-6:  # the outlier solves G(λ) = 1/θ
        assert complex(rmt.stieltjes_transform(outlier)).real == pytest.approx(1 / theta, rel=1e-6)


# ----------------------------------------------------------------------------- genus of pairings and gluings

HARER_ZAGIER = {1: [1], 2: [2, 1], 3: [5, 10], 4: [14, 70, 21], 5: [42, 420, 483], 6: [132, 2310, 6468, 1485]}
"""ε_g(k): pairings of 2k points of genus g (Harer & Zagier 1986; GUE moments 1, 2 + 1/n², 5 + 10/n², ...)."""


@pytest.mark.parametrize("k", range(1, 7))
def test_pairing_genus_counts_are_harer_zagier(k):
    counts = [0] * (k // 2 + 1)
    for p in rmt.pair_partitions(2 * k):
        g = rmt.pairing_genus(p)
        assert (g == 0) == rmt.is_noncrossing(p)
        counts[g] += 1
    assert counts == HARER_ZAGIER[k]


def test_pairing_genus_small_cases():
    assert rmt.pairing_genus(()) == 0
    assert rmt.pairing_genus(((0, 1),)) == 0
    assert rmt.pairing_genus(((0, 2), (1, 3))) == 1            # the torus
    assert rmt.pairing_genus([(3, 1), (2, 0)]) == 1             # order of pairs and within pairs is irrelevant
    assert rmt.pairing_genus(((0, 3), (1, 4), (2, 5))) == 1
    assert rmt.pairing_genus(((0, 4), (1, 6), (2, 5), (3, 7))) == 1


def test_pairing_gluings_small_cases():
    assert rmt.pairing_gluings(()) == (1,)
    assert rmt.pairing_gluings(((0, 1),)) == (1, 1)              # E (1/n) Tr W² = 1 + 1/n
    by_pairing = {p: rmt.pairing_gluings(p) for p in rmt.pair_partitions(4)}
    assert by_pairing == {((0, 1), (2, 3)): (1, 2, 1), ((0, 2), (1, 3)): (0, 1, 3), ((0, 3), (1, 2)): (1, 2, 1)}


@pytest.mark.parametrize("m", [2, 4, 6, 8, 10])
def test_sum_over_pairings_is_the_exact_moment(m):
    k = m // 2
    total = [0] * (k + 1)
    for p in rmt.pair_partitions(m):
        c = rmt.pairing_gluings(p)
        assert len(c) == k + 1 and sum(c) == 2**k
        assert c[0] == (1 if rmt.is_noncrossing(p) else 0)      # only planar straight gluings give n^0
        g = rmt.pairing_genus(p)
        assert c[2 * g] >= 1                                     # the all-straight gluing: Euler genus 2g
        total = [a + b for a, b in zip(total, c)]
    assert tuple(total) == rmt.goe_genus_expansion(m)
    for n in (1, 2, 3, 7, 50):
        assert sum(Fraction(c, n**gamma) for gamma, c in enumerate(total)) == rmt.finite_n_goe_moment(n, m)


def test_goe_genus_expansion_values():
    assert rmt.goe_genus_expansion(0) == (1,)
    assert rmt.goe_genus_expansion(2) == (1, 1)
    assert rmt.goe_genus_expansion(4) == (2, 5, 5)
    assert rmt.goe_genus_expansion(6) == (5, 22, 52, 41)
    assert rmt.goe_genus_expansion(8) == (14, 93, 374, 690, 509)
    for p in range(1, 6):
        a = rmt.goe_genus_expansion(2 * p)
        assert a[0] == rmt.catalan(p) and sum(a) == double_factorial(2 * p - 1) * 2**p
        assert a[1] == 2 ** (2 * p - 1) - math.comb(2 * p, p) // 2   # 1/n term: projective-plane gluings


def test_pairing_functions_reject_bad_input():
    for f in (rmt.pairing_genus, rmt.pairing_gluings):
        with pytest.raises(ValueError, match="^pairing must use each point once"):
            f(((0, 1), (1, 2)))
        with pytest.raises(ValueError, match="^pairing must cover"):
            f(((0, 2),))
        with pytest.raises(TypeError, match="^pairing must be a sequence"):
            f(3)
        with pytest.raises(ValueError, match="^pairing must have at most 16 points"):
            f(tuple((2 * i, 2 * i + 1) for i in range(9)))
    with pytest.raises(ValueError, match="^k must be an even integer"):
        rmt.goe_genus_expansion(3)
    with pytest.raises(ValueError, match=r"^k must be an integer in \[0, 12\]"):
        rmt.goe_genus_expansion(14)


# ----------------------------------------------------------------------------------------- Wigner matrices


def test_sample_wigner_shapes_values_symmetry():
    n = 6
    for entries in rmt.WIGNER_ENTRIES:
        w = rmt.sample_wigner(jax.random.key(1), n, entries, num=3)
        assert w.shape == (3, n, n) and w.dtype == jnp.float64
        np.testing.assert_array_equal(w, np.swapaxes(w, -1, -2))
        assert rmt.sample_wigner(jax.random.key(1), n, entries).shape == (n, n)
    w = np.asarray(rmt.sample_wigner(jax.random.key(2), n, "rademacher", num=50))
    off = w[:, *np.triu_indices(n, 1)]
    np.testing.assert_allclose(np.abs(off), 1 / np.sqrt(n), rtol=1e-15)
    np.testing.assert_allclose(np.abs(w[:, np.arange(n), np.arange(n)]), np.sqrt(2 / n), rtol=1e-15)
    assert 0 < (off > 0).mean() < 1


@pytest.mark.parametrize("entries", ["gaussian", "rademacher"])
def test_sample_wigner_variances_and_fourth_moment(entries):
    """Second moments as the GOE; E (1/n) Tr W^4 = 2 + (μ4+2)/n + (3μ4-4)/n², within 5 standard errors."""
    n, num = 5, 20_000
    w = rmt.sample_wigner(jax.random.key(7), n, entries, num=num)
    wn = np.asarray(w)
    assert within_standard_errors(wn[:, *np.triu_indices(n, 1)] ** 2, 1 / n)
    assert within_standard_errors(wn[:, np.arange(n), np.arange(n)] ** 2, 2 / n)
    m4 = np.asarray(rmt.empirical_moment(jnp.linalg.eigvalsh(w), 4))
    mu4 = 3 if entries == "gaussian" else 1
    assert within_standard_errors(m4, float(rmt.wigner_fourth_moment(n, mu4)))


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_wigner_fourth_moment_rademacher_exhaustive(n):
    """Average of (1/n) Tr W^4 over all 2^(n(n+1)/2) sign matrices, against the closed form with μ4 = 1."""
    upper = np.triu_indices(n)
    values = []
    for signs in itertools.product((-1.0, 1.0), repeat=len(upper[0])):
        x = np.zeros((n, n))
        x[upper] = signs
        w = (np.triu(x, 1) + np.triu(x, 1).T) / math.sqrt(n) + np.diag(np.diag(x)) * math.sqrt(2 / n)
        values.append(np.trace(np.linalg.matrix_power(w, 4)) / n)
    assert np.mean(values) == pytest.approx(float(rmt.wigner_fourth_moment(n, 1)), rel=1e-12)


def test_wigner_fourth_moment_gaussian_is_goe():
    for n in (1, 2, 5, 40):
        assert rmt.wigner_fourth_moment(n, 3) == rmt.finite_n_goe_moment(n, 4)
    assert rmt.wigner_fourth_moment(4, 1) == Fraction(2) + Fraction(3, 4) - Fraction(1, 16)
    assert rmt.wigner_fourth_moment(10, Fraction(9, 5)) == 2 + Fraction(19, 50) + Fraction(7, 500)  # uniform
    assert rmt.wigner_fourth_moment(10, 1.8) == rmt.wigner_fourth_moment(10, Fraction(1.8))  # exact float


def test_wigner_bad_inputs():
    with pytest.raises(ValueError, match="^entries must be one of"):
        rmt.sample_wigner(jax.random.key(0), 3, "uniform")
    with pytest.raises(TypeError, match="^entries must be a string"):
        rmt.sample_wigner(jax.random.key(0), 3, 1)
    with pytest.raises(ValueError, match="^n must be"):
        rmt.sample_wigner(jax.random.key(0), 0)
    with pytest.raises(TypeError, match="^key must be"):
        rmt.sample_wigner(3, 3)
    with pytest.raises(ValueError, match="^entry_fourth_moment must be >= 1"):
        rmt.wigner_fourth_moment(3, 0.5)
    with pytest.raises(TypeError, match="^entry_fourth_moment must be a real number"):
        rmt.wigner_fourth_moment(3, "3")
    with pytest.raises(ValueError, match="^entry_fourth_moment must be finite"):
        rmt.wigner_fourth_moment(3, float("inf"))


# ---------------------------------------------------------------------------------- Kolmogorov distance


def semicircle_quantile(u: float) -> float:
    from scipy.optimize import brentq
    return brentq(lambda x: float(rmt.semicircle_cdf(x)) - u, -2, 2, xtol=1e-14)


def test_kolmogorov_distance_hand_cases():
    assert float(rmt.semicircle_kolmogorov_distance([0.0])) == 0.5
    assert float(rmt.semicircle_kolmogorov_distance([5.0, 6.0])) == 1.0
    m = 40
    quantiles = np.array([semicircle_quantile((i - 0.5) / m) for i in range(1, m + 1)])
    assert float(rmt.semicircle_kolmogorov_distance(quantiles)) == pytest.approx(1 / (2 * m), abs=1e-12)
    shifted = 3.0 + 1.5 * quantiles / 2  # the semicircle of centre 3 and radius 1.5
    d = rmt.semicircle_kolmogorov_distance(np.stack([shifted, quantiles]), center=3.0, radius=1.5)
    assert d.shape == (2,)
    assert float(d[0]) == pytest.approx(1 / (2 * m), abs=1e-12) and float(d[1]) > 0.4


def test_kolmogorov_distance_matches_brute_force_and_shrinks():
    lam = np.asarray(jnp.linalg.eigvalsh(rmt.sample_goe(jax.random.key(9), 30)))
    grid = np.sort(np.concatenate([lam, lam - 1e-12, np.linspace(-3, 3, 2001)]))
    emp = np.searchsorted(np.sort(lam), grid, side="right") / lam.size
    brute = np.max(np.abs(emp - np.asarray(rmt.semicircle_cdf(grid))))
    assert float(rmt.semicircle_kolmogorov_distance(lam)) == pytest.approx(brute, abs=1e-9)
    big = jnp.linalg.eigvalsh(rmt.sample_goe(jax.random.key(9), 400))
    assert float(rmt.semicircle_kolmogorov_distance(big)) < float(rmt.semicircle_kolmogorov_distance(lam))


def test_kolmogorov_distance_bad_inputs():
    with pytest.raises(ValueError, match="^radius must be > 0"):
        rmt.semicircle_kolmogorov_distance([0.0], radius=0.0)
    with pytest.raises(ValueError, match="^eigenvalues must have a non-empty last axis"):
        rmt.semicircle_kolmogorov_distance(np.zeros((2, 0)))
    with pytest.raises(ValueError, match="^eigenvalues must contain only finite"):
        rmt.semicircle_kolmogorov_distance([0.0, np.nan])
    with pytest.raises(TypeError, match="^center must be a real number"):
        rmt.semicircle_kolmogorov_distance([0.0], center="0")


# ------------------------------------------------------------------------------------------ spiked GOE


def test_sample_spiked_goe_structure():
    key = jax.random.key(12)
    m, v = rmt.sample_spiked_goe(key, 7, 2.5)
    assert m.shape == (7, 7) and v.shape == (7,)
    assert float(jnp.linalg.norm(v)) == pytest.approx(1.0, abs=1e-14)
    w = rmt.sample_goe(jax.random.split(key)[0], 7)
    np.testing.assert_allclose(m - 2.5 * jnp.outer(v, v), w, atol=1e-14)
    m0, v0 = rmt.sample_spiked_goe(key, 7, 0.0)   # common random numbers: same W and v for every θ
    np.testing.assert_array_equal(v0, v)
    np.testing.assert_array_equal(m0, w)
    ms, vs = rmt.sample_spiked_goe(key, 7, 1, num=4)
    assert ms.shape == (4, 7, 7) and vs.shape == (4, 7)
    np.testing.assert_allclose(jnp.linalg.norm(vs, axis=-1), 1.0, atol=1e-14)
    np.testing.assert_allclose(ms, np.swapaxes(ms, -1, -2), atol=1e-15)


def test_sample_spiked_goe_bbp_outlier():
    """n = 300, θ = 3: outlier → 10/3 and overlap → 8/9, each with O(n^{-1/2}) ≈ 0.06 fluctuations; the mean
    of 8 matrices is within 0.1 of the limit with a wide margin (the O(1/n) bias is ~0.01)."""
    m, v = rmt.sample_spiked_goe(jax.random.key(5), 300, 3.0, num=8)
    lam, vec = jnp.linalg.eigh(m)
    overlap = jnp.einsum("bi,bi->b", vec[:, :, -1], v) ** 2
    assert abs(float(lam[:, -1].mean()) - float(rmt.bbp_outlier(3.0))) < 0.1
    assert abs(float(overlap.mean()) - float(rmt.bbp_overlap(3.0))) < 0.1


def test_sample_spiked_goe_bad_inputs():
    with pytest.raises(ValueError, match="^theta must be >= 0"):
        rmt.sample_spiked_goe(jax.random.key(0), 3, -1.0)
    with pytest.raises(TypeError, match="^theta must be a real number"):
        rmt.sample_spiked_goe(jax.random.key(0), 3, "1")
    with pytest.raises(ValueError, match="^num must be"):
        rmt.sample_spiked_goe(jax.random.key(0), 3, 1.0, num=0)


# ----------------------------------------------------------------------------------------- Tracy–Widom


def test_tracy_widom_moments_match_literature():
    """Mean and variance of F_1 by quadrature of our density against Bornemann's (2010) table."""
    s = np.linspace(-12.0, 12.0, 481)   # trapezoid: spectrally accurate here
    f = rmt.tracy_widom_goe_pdf(s)
    assert np.trapezoid(f, s) == pytest.approx(1.0, abs=1e-10)
    mean = np.trapezoid(s * f, s)
    variance = np.trapezoid((s - mean) ** 2 * f, s)
    assert mean == pytest.approx(rmt.TRACY_WIDOM_GOE_MEAN, abs=1e-9)
    assert variance == pytest.approx(rmt.TRACY_WIDOM_GOE_VARIANCE, abs=1e-8)


def test_tracy_widom_pdf_is_derivative_of_cdf():
    s = np.array([-6.0, -3.5, -1.2, 0.0, 0.7, 2.5, 5.0])
    h = 1e-4
    numeric = (rmt.tracy_widom_goe_cdf(s + h) - rmt.tracy_widom_goe_cdf(s - h)) / (2 * h)
    np.testing.assert_allclose(rmt.tracy_widom_goe_pdf(s), numeric, atol=1e-8)


def test_tracy_widom_cdf_shape_limits_and_convergence():
    s = np.linspace(-20.0, 14.0, 69).reshape(3, 23)
    f = rmt.tracy_widom_goe_cdf(s)
    assert f.shape == s.shape and np.all(np.diff(f.ravel()) >= -1e-14)   # monotone up to rounding
    assert f[0, 0] < 1e-13 and f[-1, -1] == pytest.approx(1.0, abs=1e-14)
    np.testing.assert_allclose(f, rmt.tracy_widom_goe_cdf(s, num_nodes=160), atol=1e-13)
    assert float(rmt.tracy_widom_goe_cdf(0)) == pytest.approx(float(rmt.tracy_widom_goe_cdf(0.0)), abs=0)
    assert np.all(rmt.tracy_widom_goe_pdf(s) >= 0)


def test_tracy_widom_monte_carlo():
    """n = 100, 1000 GOE matrices: n^{2/3}(λmax - 2) has F_1's standard deviation within 5 standard errors
    (the sd converges fast), and F_1's median up to 5 standard errors plus the O(n^{-1/3}) ≈ 0.1 finite-n shift."""
    n, num = 100, 1000
    s = n ** (2 / 3) * (np.asarray(jnp.linalg.eigvalsh(rmt.sample_goe(jax.random.key(8), n, num=num)))[:, -1] - 2)
    sd = math.sqrt(rmt.TRACY_WIDOM_GOE_VARIANCE)
    assert abs(s.std(ddof=1) - sd) < 5 * sd / math.sqrt(2 * (num - 1)) * 1.1   # TW kurtosis ≈ 3.17: factor 1.1
    below = np.mean(s <= 0.0)   # F_1(0) against the empirical frequency, binomial error
    expected = float(rmt.tracy_widom_goe_cdf(0.0))
    assert abs(below - expected) < 5 * math.sqrt(expected * (1 - expected) / num) + 0.2 * 0.1


def test_tracy_widom_bad_inputs():
    for f in (rmt.tracy_widom_goe_cdf, rmt.tracy_widom_goe_pdf):
        with pytest.raises(ValueError, match="^s must be >= -20"):
            f(-25.0)
        with pytest.raises(ValueError, match="^s must contain only finite"):
            f(np.nan)
        with pytest.raises(TypeError, match="^s must be"):
            f("1")
        with pytest.raises(ValueError, match="^num_nodes must be an integer in"):
            f(0.0, num_nodes=8)
        with pytest.raises(TypeError, match="^num_nodes must be an integer"):
            f(0.0, num_nodes=48.0)


# ------------------------------------------------------------------------------- finite-n GOE density


def _density_integral(n: int, f) -> float:
    """∫ f(x) ρ_n(x) dx by the trapezoidal rule (exponentially accurate: the integrand is entire and decays
    like a Gaussian); in W units the spectrum has width O(1) and Gaussian tails of width O(1/sqrt n)."""
    h, reach = 0.25 / math.sqrt(n + 1), 4 + 20 / math.sqrt(n)
    x = h * np.arange(-math.ceil(reach / h), math.ceil(reach / h) + 1)
    return h * float(np.sum(f(x) * rmt.finite_n_goe_density(x, n)))


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 6, 11])
def test_finite_n_goe_density_moments_are_exact(n):
    assert _density_integral(n, np.ones_like) == pytest.approx(1.0, abs=1e-13)
    for k in (1, 2, 3, 4, 6, 8):
        exact = float(rmt.finite_n_goe_moment(n, k))
        assert _density_integral(n, lambda x: x**k) == pytest.approx(exact, rel=1e-12, abs=1e-13)


def test_finite_n_goe_density_small_n_closed_forms():
    x = np.linspace(-6, 6, 121)
    # n = 1: W = sqrt(2) G, a centred Gaussian of variance 2
    np.testing.assert_allclose(rmt.finite_n_goe_density(x, 1), np.exp(-x**2 / 4) / math.sqrt(4 * math.pi), rtol=1e-13)
    # n = 2: sqrt(2) W has eigenvalues c ± r with c ~ N(0, 1) and r ~ Rayleigh(1) independent, so the density of
    # one eigenvalue of sqrt(2) W is the average of the densities of c + r and c - r (a convolution, by quadrature)
    r = np.linspace(0, 12, 24001)
    rayleigh = r * np.exp(-r**2 / 2)
    y = x * math.sqrt(2)
    gauss = lambda t: np.exp(-t**2 / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    conv = np.array([np.trapezoid(rayleigh * (gauss(v - r) + gauss(v + r)) / 2, r) for v in y])
    np.testing.assert_allclose(rmt.finite_n_goe_density(x, 2), math.sqrt(2) * conv, rtol=1e-7, atol=1e-12)


def test_finite_n_goe_density_tends_to_the_semicircle_without_underflow():
    x = np.linspace(-1.5, 1.5, 31)
    big = rmt.finite_n_goe_density(x, 3000)  # psi_0 underflows where psi_3000 lives: the recurrence is rescaled
    np.testing.assert_allclose(big, rmt.semicircle_density(x), atol=2e-3)
    assert np.isfinite(rmt.finite_n_goe_density([2.0, 2.5, 40.0], 3000)).all()
    assert rmt.finite_n_goe_density(0.0, 3).shape == ()


def test_finite_n_goe_density_monte_carlo():
    """n = 4: the fraction of eigenvalues of 2000 sampled GOE(4) matrices in [-1, 0.5] within 5 standard errors."""
    eig = np.asarray(jnp.linalg.eigvalsh(rmt.sample_goe(jax.random.key(11), 4, num=2000)))
    inside = ((eig >= -1) & (eig <= 0.5)).mean(axis=1)  # per matrix, to keep the samples independent
    grid = np.linspace(-1, 0.5, 30001)
    expected = float(np.trapezoid(rmt.finite_n_goe_density(grid, 4), grid))
    assert within_standard_errors(inside, expected)


def test_finite_n_goe_density_bad_inputs():
    with pytest.raises(ValueError, match=r"^n must be an integer in \[1, 1000000\]"):
        rmt.finite_n_goe_density(0.0, 0)
    with pytest.raises(TypeError, match="^n must be an integer"):
        rmt.finite_n_goe_density(0.0, 2.0)
    with pytest.raises(ValueError, match="^x must contain only finite"):
        rmt.finite_n_goe_density([0.0, np.nan], 3)
    with pytest.raises(TypeError, match="^x must be"):
        rmt.finite_n_goe_density(np.array([1 + 2j]), 3)


# ------------------------------------------------------------------------------- robustness: sizes and overflow


@pytest.mark.parametrize("sampler", [
    lambda n, num: rmt.sample_goe(jax.random.key(0), n, num),
    lambda n, num: rmt.sample_wigner(jax.random.key(0), n, "rademacher", num),
    lambda n, num: rmt.sample_spiked_goe(jax.random.key(0), n, 1.0, num),
])
def test_matrix_samplers_refuse_huge_sizes(sampler):
    with pytest.raises(ValueError, match=r"n = 1000000 .*above the limit"):
        sampler(10**6, None)
    with pytest.raises(ValueError, match=r"num = 1000000000 matrices.*above the limit"):
        sampler(10, 10**9)
    with pytest.raises(ValueError, match="^n must be an integer >= 1"):
        sampler(-3, None)
    with pytest.raises(TypeError, match="^num must be an integer"):
        sampler(3, "2")
    out = sampler(3, 2)
    assert (out[0] if isinstance(out, tuple) else out).shape == (2, 3, 3)


def test_sample_goe_limit_follows_set_max_bytes():
    previous = __import__("landscape").set_max_bytes(3 * 8 * 100 * 100 - 1)
    try:
        with pytest.raises(ValueError, match="n = 100"):
            rmt.sample_goe(jax.random.key(0), 100)
        assert rmt.sample_goe(jax.random.key(0), 99).shape == (99, 99)
    finally:
        __import__("landscape").set_max_bytes(previous)


def test_sample_goe_huge_size_refused_in_child_process():
    import os
    import subprocess
    import sys
    code = ("import jax, landscape\n"
            "try:\n"
            "    landscape.rmt.sample_goe(jax.random.key(0), 10**7)\n"
            "except ValueError as e:\n"
            "    print('REFUSED', e)\n")
    out = subprocess.run([sys.executable, "-c", code], timeout=120, capture_output=True, text=True,
                         env=dict(os.environ))
    assert out.returncode == 0, out.stderr
    assert "REFUSED sample_goe with n = 10000000" in out.stdout and "above the limit" in out.stdout


def test_catalan_and_semicircle_moment_cap():
    assert rmt.catalan(rmt.MAX_CATALAN_INDEX) > 0
    with pytest.raises(ValueError, match=r"^k must be an integer in \[0, 100000\]"):
        rmt.catalan(10**9)
    with pytest.raises(ValueError, match=r"^k must be an integer in \[0, 200001\]"):
        rmt.semicircle_moment(10**9)
    with pytest.raises(TypeError, match="^k must be an integer"):
        rmt.catalan("3")


def test_finite_n_goe_density_caps():
    with pytest.raises(ValueError, match=r"^n must be an integer in \[1, 1000000\]"):
        rmt.finite_n_goe_density(0.0, 10**9)
    previous = __import__("landscape").set_max_bytes(10**5)
    try:
        with pytest.raises(ValueError, match="finite_n_goe_density with x of size 2000 needs"):
            rmt.finite_n_goe_density(np.zeros(2000), 3)
    finally:
        __import__("landscape").set_max_bytes(previous)
    with pytest.raises(TypeError, match="^x must be"):
        rmt.finite_n_goe_density("0.5", 3)


def test_empirical_moment_overflow_is_an_error():
    with pytest.raises(ValueError, match="order k = 1000000000 overflows"):
        rmt.empirical_moment(jnp.array([3.0, 1.0]), 10**9)
    assert float(rmt.empirical_moment(jnp.array([0.5, -0.5]), 10**9)) == 0.0  # underflow to 0 is exact enough
    with pytest.raises(TypeError, match="^eigenvalues must be"):
        rmt.empirical_moment("abc", 2)
    with pytest.raises(ValueError, match="^eigenvalues must contain only finite"):
        rmt.empirical_moment([1.0, np.inf], 2)

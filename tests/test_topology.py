"""Unit tests of landscape.topology: Lipschitz–Killing curvatures, the Gaussian kinematic formula against the
alternating Kac–Rice sum and a Hermite integral, Morse identities, meshes of S^2, GUDHI homology and persistence."""

import math

import jax
import mpmath
import numpy as np
import pytest
from numpy.polynomial import hermite_e
from scipy.special import ndtr, roots_hermitenorm

import landscape as ls

T = ls.topology
MIX = ls.fields.mixture({2: 0.5, 3: 0.5})
MIX_LINEAR = ls.fields.mixture({1: 0.2, 2: 0.3, 4: 0.5})
LEVELS = np.array([-2.5, -1.3, -0.6, -0.1, 0.0, 0.35, 0.9, 1.7])


# ----------------------------------------------------------------------------- Lipschitz–Killing curvatures


@pytest.mark.parametrize("d", [0, 1, 2, 3, 4, 7, 10])
@pytest.mark.parametrize("r", [0.5, 1.0, math.sqrt(3.0)])
def test_lipschitz_killing_curvatures_satisfy_weyl_tube_formula(d, r):
    lk = T.sphere_lipschitz_killing(d, r)
    assert lk.shape == (d + 1,)
    assert lk[0] == pytest.approx(1 + (-1) ** d)  # Euler characteristic
    area = 2 * math.pi ** ((d + 1) / 2) * r**d / math.gamma((d + 1) / 2)
    assert lk[d] == pytest.approx(area, rel=1e-13)
    assert np.all(lk[(d + 1) % 2::2] == 0.0)  # d - j odd
    # volume of the shell r - rho <= |x| <= r + rho in R^{d+1} = sum_j omega_{d+1-j} rho^{d+1-j} L_j
    omega = lambda k: math.pi ** (k / 2) / math.gamma(k / 2 + 1)  # noqa: E731
    for rho in (0.1, 0.3):
        shell = omega(d + 1) * ((r + rho) ** (d + 1) - (r - rho) ** (d + 1))
        tube = sum(omega(d + 1 - j) * rho ** (d + 1 - j) * lk[j] for j in range(d + 1))
        assert tube == pytest.approx(shell, rel=1e-12)


@pytest.mark.parametrize("bad, exc", [((-1, 1.0), ValueError), ((2.0, 1.0), TypeError), ((2, 0.0), ValueError),
                                      ((2, -1.0), ValueError), ((2, float("nan")), ValueError), ((1001, 1.0), ValueError)])
def test_lipschitz_killing_rejects_bad_input(bad, exc):
    with pytest.raises(exc, match="dim|radius"):
        T.sphere_lipschitz_killing(*bad)


def test_ec_densities_are_hermite_tail_integrals():
    t = np.array([-2.0, -0.3, 0.0, 0.7, 2.5])
    rho = T.ec_densities(t, 6)
    assert rho.shape == (5, 7)
    np.testing.assert_allclose(rho[:, 0], ndtr(-t), rtol=1e-15)
    for j in range(1, 7):
        coef = [0] * j + [1]
        for i, ti in enumerate(t):
            tail = mpmath.quad(lambda s: hermite_e.hermeval(float(s), coef) * mpmath.npdf(s), [ti, mpmath.inf])
            assert rho[i, j] == pytest.approx((2 * math.pi) ** (-j / 2) * float(tail), rel=1e-12, abs=1e-15)
    assert T.ec_densities(0.4, 0).shape == (1,)
    with pytest.raises(ValueError, match="j_max"):
        T.ec_densities(0.0, 201)
    with pytest.raises(ValueError, match="t"):
        T.ec_densities([0.0, float("nan")], 3)


# --------------------------------------------------------------------------- mean Euler characteristic


def _signed_kac_rice(u, n, p):
    """Independent route: E chi(A_u) = |S_N| (2 pi p)^{-(N-1)/2} v^{(N-1)/2} int_u^inf phi_N(x) He_{N-1}(p x/sqrt v)dx,
    v = p(p-1)/N (the expected determinant of a GOE shifted by y is a Hermite polynomial), Gauss–Legendre."""
    d = n - 1
    v = p * (p - 1) / n
    log_c = (math.log(2) + n / 2 * math.log(math.pi) + d / 2 * math.log(n) - math.lgamma(n / 2)
             - d / 2 * math.log(2 * math.pi * p) + d / 2 * math.log(v))
    x, w = np.polynomial.legendre.leggauss(300)
    hi = max(u, 0.0) + 14 / math.sqrt(n)
    xs, ws = u + (hi - u) * (x + 1) / 2, (hi - u) * w / 2
    f = math.sqrt(n / (2 * math.pi)) * np.exp(-n * xs**2 / 2) * hermite_e.hermeval(p * xs / math.sqrt(v), [0] * d + [1])
    return math.exp(log_c) * float(ws @ f)


@pytest.mark.parametrize("n", [2, 3, 4, 5, 8, 12, 20])
@pytest.mark.parametrize("xi", [2, 3, 4, MIX, MIX_LINEAR], ids=["p2", "p3", "p4", "mix23", "mix124"])
def test_gkf_equals_alternating_kac_rice_sum(n, xi):
    gkf = T.expected_euler_characteristic(LEVELS, n, xi)
    kac_rice = T.expected_euler_characteristic(LEVELS, n, xi, method="kac_rice")
    scale = max(1.0, float(np.max(np.abs(gkf))))
    np.testing.assert_allclose(gkf, kac_rice, rtol=0, atol=1e-10 * scale)


@pytest.mark.parametrize("n", [2, 3, 6, 9])
@pytest.mark.parametrize("p", [2, 3, 5])
def test_gkf_equals_hermite_integral_of_the_signed_density(n, p):
    gkf = T.expected_euler_characteristic(LEVELS, n, p)
    hermite = np.array([_signed_kac_rice(u, n, p) for u in LEVELS])
    np.testing.assert_allclose(gkf, hermite, rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("p", [2, 3, 7])
def test_closed_forms_on_the_circle_and_the_two_sphere(p):
    u = np.linspace(-2.0, 2.0, 41)
    # circle: Rice's formula, E(number of up-crossings of level t) = sqrt(lambda_2) e^{-t^2/2}/(2 pi) * 2 pi
    np.testing.assert_allclose(T.expected_euler_characteristic(u, 2, p), math.sqrt(p) * np.exp(-u**2), rtol=1e-13)
    t = u * math.sqrt(3)
    s2 = 2 * ndtr(-t) + 2 * p / math.sqrt(2 * math.pi) * t * np.exp(-t * t / 2)
    np.testing.assert_allclose(T.expected_euler_characteristic(u, 3, p), s2, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("n", [2, 3, 4, 7, 10, 31])
@pytest.mark.parametrize("xi", [3, MIX])
def test_limits_and_the_morse_duality(n, xi):
    chi_sphere = 1 + (-1) ** (n - 1)
    assert T.expected_euler_characteristic(-12.0, n, xi) == pytest.approx(chi_sphere, abs=1e-12)
    high = T.log_expected_euler_characteristic(12.0, n, xi)  # e^{-t^2/2}-small: below the float range for n > 10
    assert high.sign == 1 and high.log_abs < -100
    u = np.linspace(-2.0, 2.0, 9)
    plus, minus = T.expected_euler_characteristic(u, n, xi), T.expected_euler_characteristic(-u, n, xi)
    scale = max(1.0, float(np.max(np.abs(plus))))
    np.testing.assert_allclose(plus + (-1) ** (n - 1) * minus, chi_sphere, atol=1e-11 * scale)
    if n % 2:
        assert T.expected_euler_characteristic(0.0, n, xi) == pytest.approx(1.0, abs=1e-11 * scale)


def test_mean_euler_characteristic_sees_only_xi_and_its_first_derivative():
    # same xi(1) = 1 and xi'(1) = 3, different xi''(1) (6 versus 7): different counts, same alternating sum
    a, b = ls.fields.pure(3), ls.fields.mixture({2: 0.5, 4: 0.5})
    for n in (3, 6):
        ka, kb = (T.expected_euler_characteristic(LEVELS, n, x, method="kac_rice") for x in (a, b))
        np.testing.assert_allclose(ka, kb, atol=1e-10 * max(1.0, np.max(np.abs(ka))))
        assert ls.kac_rice.expected_critical_points_mixed(n, b) > 1.05 * ls.kac_rice.expected_critical_points_mixed(n, a)


def test_large_n_rate_is_the_complexity_and_the_sign_oscillates():
    # d/du E chi(A_u) is minus the signed Kac–Rice density, proportional to He_{N-1}(u sqrt(Np/(p-1))): E chi has a
    # turning point at each Hermite zero, and inside the bulk it changes sign between consecutive turning points
    p = 3
    gaps = {}
    for n in (100, 400):
        zeros = roots_hermitenorm(n - 1)[0] * math.sqrt((p - 1) / (n * p))
        inner = zeros[np.abs(zeros) < 0.9 * ls.kac_rice.e_infinity(p)]
        assert len(inner) > 0.8 * n
        la = T.log_expected_euler_characteristic(inner, n, p)
        assert np.all(np.isfinite(la.log_abs))
        assert np.all(la.sign[1:] == -la.sign[:-1])  # alternates at every turning point
        gap = np.asarray(ls.kac_rice.complexity(inner, p)) - la.log_abs / n
        gaps[n] = float(np.max(np.abs(gap)))
        assert gaps[n] < 3 * math.log(n) / n
    assert gaps[400] < 0.5 * gaps[100]
    with pytest.raises(OverflowError, match="log_expected_euler_characteristic"):
        T.expected_euler_characteristic(0.0, 3000, 3)
    la = T.log_expected_euler_characteristic(0.0, 3000, 3)
    assert la.log_abs / 3000 == pytest.approx(float(ls.kac_rice.complexity(0.0, 3)), abs=0.01)


def _signed_kac_rice_mp(u, n, p, dps=80):
    """log |E chi(A_u)| (u >= 0) by the route of _signed_kac_rice done exactly: He_{N-1} expanded in monomials with integer
    coefficients, each monomial integrated against the Gaussian in closed form,
    int_u^inf x^k e^{-N x^2/2} dx = (1/2)(2/N)^{(k+1)/2} Gamma((k+1)/2, N u^2/2) (u >= 0), in ``dps``-digit
    arithmetic. Independent of the Lipschitz–Killing curvatures and of the EC densities."""
    d = n - 1
    he_prev, he = [1], [0, 1]  # He_0, He_1 as coefficient lists (integers)
    for k in range(1, d):
        nxt = [0] + he
        for i, c in enumerate(he_prev):
            nxt[i] -= k * c
        he_prev, he = he, nxt
    coef = he if d >= 1 else he_prev
    with mpmath.workdps(dps):
        n_, p_, u = mpmath.mpf(n), mpmath.mpf(p), mpmath.mpf(u)
        v = p_ * (p_ - 1) / n_
        c = (2 * mpmath.pi ** (n_ / 2) * n_ ** (mpmath.mpf(d) / 2) / mpmath.gamma(n_ / 2)
             * (2 * mpmath.pi * p_) ** (-mpmath.mpf(d) / 2) * v ** (mpmath.mpf(d) / 2))
        a = p_ / mpmath.sqrt(v)
        total = mpmath.fsum(ck * a**k * (2 / n_) ** (mpmath.mpf(k + 1) / 2) / 2
                            * mpmath.gammainc(mpmath.mpf(k + 1) / 2, n_ * u * u / 2)
                            for k, ck in enumerate(coef) if ck)
        return float(mpmath.log(abs(c * mpmath.sqrt(n_ / (2 * mpmath.pi)) * total)))


def test_tiny_means_far_above_the_bulk_are_exact_or_an_error():
    # u = 6 at N = 50: E chi = e^{-765.03}, below the smallest normal float64 (e^{-708.40}). The float form used to
    # return 0.0 here (and 1.0 as the relative error of any approximation); now it raises, and the log form holds
    # the value, checked against the signed Kac–Rice integral done independently in 60-digit arithmetic
    with pytest.raises(FloatingPointError, match="underflows float64 at n = 50.*log_expected_euler_characteristic"):
        T.expected_euler_characteristic(6.0, 50, 3)
    with pytest.raises(FloatingPointError, match="underflows"):
        T.expected_euler_characteristic(np.array([1.0, 6.0]), 50, 3)  # one tiny level is enough
    la = T.log_expected_euler_characteristic(np.array([5.0, 6.0]), 50, 3)
    assert np.all(la.sign == 1)
    exact = [_signed_kac_rice_mp(u, 50, 3) for u in (5.0, 6.0)]
    assert la.log_abs[1] < math.log(np.finfo(float).tiny) < la.log_abs[0]
    np.testing.assert_allclose(la.log_abs, exact, rtol=0, atol=1e-11)  # log: a relative error of 1e-11
    # above the smallest normal float the plain form returns the tiny value to full precision (e^{-498.97} at u = 5)
    value = T.expected_euler_characteristic(5.0, 50, 3)
    assert value > 0 and value == pytest.approx(math.exp(exact[0]), rel=1e-11, abs=0)
    # the same holds below the bulk, where E chi - chi(S^{N-1}) is tiny: for odd N the value is chi(S^{N-1}) = 2,
    # for even N (chi = 0) it is the tiny remainder itself, E chi(A_{-u}) = E chi(A_u) (Morse duality), or the error
    assert T.expected_euler_characteristic(-12.0, 51, 3) == 2.0
    assert T.expected_euler_characteristic(-5.0, 50, 3) == pytest.approx(value, rel=1e-12, abs=0)
    with pytest.raises(FloatingPointError, match="underflows"):
        T.expected_euler_characteristic(-6.0, 50, 3)


def test_float_and_log_forms_agree():
    value = T.expected_euler_characteristic(LEVELS, 40, 3)
    la = T.log_expected_euler_characteristic(LEVELS, 40, 3)
    np.testing.assert_allclose(value, la.sign * np.exp(la.log_abs), rtol=1e-14)


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(u=0.0, n=1, xi=3), ValueError, "n"),
    (dict(u=0.0, n=3.0, xi=3), TypeError, "n"),
    (dict(u=0.0, n=T.MAX_GKF_N + 1, xi=3), ValueError, "n"),
    (dict(u=0.0, n=51, xi=3, method="kac_rice"), ValueError, "n"),
    (dict(u=0.0, n=3, xi=3, method="exact"), ValueError, "method"),
    (dict(u=float("nan"), n=3, xi=3), ValueError, "u"),
    (dict(u=0.0, n=3, xi="3"), TypeError, "xi"),
    (dict(u=0.0, n=3, xi=ls.fields.mixture({1: 1.0})), ValueError, "xi"),
])
def test_expected_euler_characteristic_rejects_bad_input(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        T.expected_euler_characteristic(**kwargs)


def test_mesh_monte_carlo_matches_the_gkf():
    # real sampled 3-spins on S^2, Euler characteristic of the mesh excursion sets, mean +- 4 standard errors
    mesh = T.icosphere(4)
    levels = np.linspace(-1.6, 1.6, 17)
    keys = jax.random.split(jax.random.key(8), 120)
    values = np.stack([np.asarray(ls.fields.energy(ls.fields.sample_pspin(k, 3, 3), math.sqrt(3) * mesh.vertices)) / 3
                       for k in keys])
    chi = T.mesh_euler_characteristic(values, mesh, levels)
    assert chi.shape == (120, 17) and chi.dtype == np.int64
    mean, se = chi.mean(axis=0), chi.std(axis=0, ddof=1) / math.sqrt(len(keys))
    exact = T.expected_euler_characteristic(levels, 3, 3)
    assert np.all(np.abs(mean - exact) <= 4 * se + 1e-12)


# ------------------------------------------------------------------------------------------------ Morse theory


def test_morse_euler_characteristic_counts_signed_critical_points_above_the_level():
    # S^2 (N = 3): two minima (-1, -0.5), a saddle (0), a maximum (1): chi = 1 above the saddle... and 2 below all
    energies, indices = np.array([-1.0, -0.5, 0.0, 1.0]), np.array([0, 0, 1, 2])
    chi = T.morse_euler_characteristic(energies, indices, 3, [-2.0, -0.7, -0.2, 0.5, 2.0])
    np.testing.assert_array_equal(chi, [2, 1, 0, 1, 0])
    assert T.morse_euler_characteristic(energies, indices, 3, 0.0) == 0  # a level at a critical value counts it
    assert T.morse_euler_characteristic(np.array([]), np.array([], dtype=int), 4, [0.0, 1.0]).tolist() == [0, 0]


def test_census_euler_characteristic_equals_the_mesh_one():
    j = ls.fields.sample_pspin(jax.random.key(3), 3, 5)
    census = ls.critical.census(jax.random.key(4), j, n_starts=300, antipodes=True)
    assert ls.critical.morse_sum(census.indices) == 2
    mesh = T.icosphere(5)
    values = np.asarray(ls.fields.energy(j, math.sqrt(3) * mesh.vertices)) / 3
    levels = np.linspace(values.min() - 0.1, values.max() + 0.1, 301)
    from_mesh = T.mesh_euler_characteristic(values, mesh, levels)
    from_census = T.morse_euler_characteristic(census.energies, census.indices, 3, levels)
    assert np.mean(from_mesh == from_census) >= 0.99
    assert from_mesh[0] == 2 and from_mesh[-1] == 0


@pytest.mark.parametrize("bad", [
    dict(energies=np.zeros((2, 2)), indices=np.zeros((2, 2), dtype=int)),
    dict(energies=np.zeros(3), indices=np.zeros(2, dtype=int)),
    dict(energies=np.zeros(2), indices=np.array([0, 3])),
    dict(energies=np.zeros(2), indices=np.array([0.0, 1.0])),
    dict(energies=np.array([0.0, np.nan]), indices=np.array([0, 1])),
])
def test_morse_euler_characteristic_rejects_bad_input(bad):
    with pytest.raises(ValueError, match="energies|indices"):
        T.morse_euler_characteristic(n=3, levels=0.0, **bad)


def test_morse_quotient_is_the_strong_morse_inequalities():
    # a perfect Morse function on the torus and on S^2
    assert T.morse_quotient([1, 2, 1], [1, 2, 1]) == (pytest.approx([0, 0]), 0)
    q = T.morse_quotient([3, 4, 3], [1, 0, 1])  # S^2 with two extra (min, saddle) and two (saddle, max) pairs
    np.testing.assert_array_equal(q.quotient, [2, 2])
    assert q.remainder == 0 and q.quotient.dtype == np.int64
    # chi of the counts 1 - 1 + 1 differs from chi(S^2) = 2: the remainder says so
    q = T.morse_quotient([1, 1, 1], [1, 0, 1])
    assert q.remainder == -1
    # two minima, two maxima and no saddle on S^3: every weak inequality and the Euler identity hold, yet the
    # strong inequality C_1 - C_0 >= b_1 - b_0 fails (two basins cannot merge without an index-1 saddle)
    q = T.morse_quotient([2, 0, 0, 2], [1, 0, 0, 1])
    np.testing.assert_array_equal(q.quotient, [1, -1, 1])
    assert q.remainder == 0
    for bad in (([1, -1], [1, 0]), ([1, 2], [1]), ([[1]], [[1]]), ([1.0, 2.0], [1, 2]), ([], [])):
        with pytest.raises(ValueError, match="counts|betti"):
            T.morse_quotient(*bad)


# ------------------------------------------------------------------------------------------- meshes and homology


@pytest.mark.parametrize("s", [0, 1, 3, 5])
def test_icosphere_is_a_triangulated_sphere(s):
    mesh = T.icosphere(s)
    v, e, f = len(mesh.vertices), len(mesh.edges), len(mesh.faces)
    assert (v, e, f) == (10 * 4**s + 2, 30 * 4**s, 20 * 4**s)
    assert v - e + f == 2
    np.testing.assert_allclose(np.linalg.norm(mesh.vertices, axis=1), 1.0, rtol=1e-15)
    a, b, c = (mesh.vertices[mesh.faces[:, i]] for i in range(3))
    assert np.all(np.einsum("ij,ij->i", np.cross(b - a, c - a), a + b + c) > 0)  # outward orientation
    length = np.linalg.norm(mesh.vertices[mesh.edges[:, 0]] - mesh.vertices[mesh.edges[:, 1]], axis=1)
    assert length.max() < 1.33 * 2.0**-s and length.min() > 1.05 * 2.0**-s
    with pytest.raises(ValueError, match="subdivisions"):
        T.icosphere(T.MAX_ICOSPHERE_SUBDIVISIONS + 1)
    with pytest.raises(TypeError, match="subdivisions"):
        T.icosphere(2.0)


def test_mesh_euler_characteristic_and_betti_numbers_of_known_sets():
    mesh = T.icosphere(4)
    z = mesh.vertices[:, 2]
    levels = np.array([-2.0, 0.5, 2.0])
    np.testing.assert_array_equal(T.mesh_euler_characteristic(z, mesh, levels), [2, 1, 0])  # sphere, cap, empty
    np.testing.assert_array_equal(T.mesh_euler_characteristic(z**2, mesh, 0.25), 2)  # two polar caps
    np.testing.assert_array_equal(T.mesh_euler_characteristic(-(z**2), mesh, -0.25), 0)  # an equatorial band
    np.testing.assert_array_equal(T.excursion_betti_numbers(z, mesh, levels), [[1, 0, 1], [1, 0, 0], [0, 0, 0]])
    np.testing.assert_array_equal(T.excursion_betti_numbers(z**2, mesh, 0.25), [2, 0, 0])
    np.testing.assert_array_equal(T.excursion_betti_numbers(-(z**2), mesh, -0.25), [1, 1, 0])
    batch = np.stack([z, -z, z**2])
    assert T.mesh_euler_characteristic(batch, mesh, levels).shape == (3, 3)
    assert T.mesh_euler_characteristic(batch[None], mesh, 0.0).shape == (1, 3)


def test_betti_numbers_of_a_random_field_give_its_euler_characteristic():
    mesh = T.icosphere(4)
    j = ls.fields.sample_pspin(jax.random.key(5), 3, 6)
    values = np.asarray(ls.fields.energy(j, math.sqrt(3) * mesh.vertices)) / 3
    levels = np.linspace(-2.0, 2.0, 81)
    betti = T.excursion_betti_numbers(values, mesh, levels)
    np.testing.assert_array_equal(betti @ [1, -1, 1], T.mesh_euler_characteristic(values, mesh, levels))
    assert betti[:, 0].max() >= 2 and betti[:, 1].max() >= 1  # several components and holes at some level


def test_persistence_pairs_minima_with_saddles():
    mesh = T.icosphere(5)
    z = mesh.vertices[:, 2]
    diagram = T.sublevel_persistence(z, mesh)
    np.testing.assert_allclose(diagram.h0, [[-1.0, np.inf]])
    assert diagram.h1.shape == (0, 2)
    np.testing.assert_allclose(diagram.h2, [[1.0, np.inf]])
    # a random 5-spin: finite degree-0 pairs <-> minima other than the deepest, births = minimum energies
    j = ls.fields.sample_pspin(jax.random.key(6), 3, 5)
    census = ls.critical.census(jax.random.key(7), j, n_starts=300, antipodes=True)
    values = np.asarray(ls.fields.energy(j, math.sqrt(3) * mesh.vertices)) / 3
    diagram = T.sublevel_persistence(values, mesh, min_persistence=1e-3)
    minima = np.sort(census.energies[census.indices == 0])
    saddles = census.energies[census.indices == 1]
    maxima = np.sort(census.energies[census.indices == 2])
    assert len(diagram.h0) == len(minima) and np.isinf(diagram.h0[0, 1])
    np.testing.assert_allclose(diagram.h0[:, 0], minima, atol=2e-3)
    finite = diagram.h0[1:, 1]
    assert np.all(np.min(np.abs(finite[:, None] - saddles[None, :]), axis=1) < 2e-3)  # deaths at saddles
    assert len(diagram.h1) == len(maxima) - 1 and len(diagram.h2) == 1
    assert diagram.h2[0, 0] == pytest.approx(maxima[-1], abs=2e-3)
    assert np.all(diagram.h0[1:, 1] - diagram.h0[1:, 0] > 1e-3)
    with pytest.raises(ValueError, match="min_persistence"):
        T.sublevel_persistence(values, mesh, min_persistence=-1.0)


@pytest.mark.parametrize("func", ["mesh_euler_characteristic", "excursion_betti_numbers", "sublevel_persistence"])
def test_mesh_functions_reject_bad_input(func):
    mesh = T.icosphere(1)
    f = getattr(T, func)
    extra = () if func == "sublevel_persistence" else (0.0,)
    with pytest.raises(ValueError, match="values"):
        f(np.zeros(len(mesh.vertices) + 1), mesh, *extra)
    bad = np.zeros(len(mesh.vertices))
    bad[3] = np.nan
    with pytest.raises(ValueError, match="values"):
        f(bad, mesh, *extra)
    with pytest.raises(TypeError, match="mesh"):
        f(np.zeros(len(mesh.vertices)), (mesh.vertices, mesh.faces), *extra)
    if func != "sublevel_persistence":
        with pytest.raises(ValueError, match="levels"):
            f(np.zeros(len(mesh.vertices)), mesh, [0.0, np.inf])


def test_ec_densities_overflow_is_an_error():
    with pytest.raises(ValueError, match="ec_densities overflows float64.*j_max = 3"):
        ls.topology.ec_densities([1e300], 3)
    with pytest.raises(TypeError, match="^t must be"):
        ls.topology.ec_densities("a", 3)
    assert np.all(np.isfinite(ls.topology.ec_densities(np.linspace(-30, 30, 7), 50)))


def test_morse_functions_name_non_numeric_arguments():
    with pytest.raises(TypeError, match="^indices must be a numeric array"):
        ls.topology.morse_euler_characteristic([0.0], "a", 3, [0.0])
    with pytest.raises(TypeError, match="^energies must be a numeric array"):
        ls.topology.morse_euler_characteristic("a", [0], 3, [0.0])
    with pytest.raises(TypeError, match="^counts must be a numeric array"):
        ls.topology.morse_quotient("ab", [1, 1])
    with pytest.raises(TypeError, match="^betti must be a numeric array"):
        ls.topology.morse_quotient([1, 1], ["a", "b"])

"""The exact finite-N second moment of the partition function and the second-moment temperature
(`thermo.log_second_moment`, `thermo.second_moment_temperature`)."""

import math

import numpy as np
import pytest
from scipy.special import erfi, gammaln, ive

from landscape import fields, thermo


@pytest.mark.parametrize("n", [2, 3, 5, 16, 40, 400])
def test_a_linear_field_gives_the_bessel_function(n):
    # xi(q) = q: E exp(a q) for the first coordinate of a uniform unit vector is Gamma(N/2) (2/a)^(N/2-1) I_(N/2-1)(a)
    a = max(2.0, n / 10)
    temperature = math.sqrt(n / a)  # N beta^2 = a
    exact = gammaln(n / 2) + (n / 2 - 1) * math.log(2 / a) + math.log(ive(n / 2 - 1, a)) + a
    got = thermo.log_second_moment(fields.mixture({1: 1.0}), temperature, n)
    assert abs(got - exact) < 1e-10 * max(1.0, abs(exact))
    # a density (1 - q^2)^((N-2)/2), one power too many, is rejected
    assert (
        abs(got - (gammaln(n / 2 + 0.5) + (n / 2 - 0.5) * math.log(2 / a) + math.log(ive(n / 2 - 0.5, a)) + a)) > 1e-4
    )


@pytest.mark.parametrize("temperature", [0.5, 1.0, 3.0])
def test_at_n_3_the_overlap_is_uniform(temperature):
    # N = 3: q is uniform on [-1, 1], so for xi = q^2 the ratio is int_0^1 exp(c q^2) dq = sqrt(pi) erfi(sqrt c) / (2 sqrt c)
    c = 3.0 / temperature**2
    exact = math.log(math.sqrt(math.pi) * erfi(math.sqrt(c)) / (2 * math.sqrt(c)))
    assert abs(thermo.log_second_moment(2, temperature, 3) - exact) < 1e-11 * max(1.0, exact)


def test_large_n_expansion_of_the_pure_3_spin():
    # E exp(a q^3) = 1 + a^2 E q^6 / 2 + a^4 E q^12 / 24 + a^6 E q^18 / 720 + ..., E q^(2k) = (2k-1)!! / (N (N+2) ... (N+2k-2))
    n, beta = 2000, 0.5
    a = n * beta**2

    def even_moment(k):
        return math.prod(range(1, 2 * k, 2)) / math.prod(n + 2 * j for j in range(k))

    exact = math.log1p(a**2 * even_moment(3) / 2 + a**4 * even_moment(6) / 24 + a**6 * even_moment(9) / 720)
    got = thermo.log_second_moment(3, 1 / beta, n)
    assert abs(got - exact) < 1e-6 * exact
    assert abs(got - math.log1p(a**2 * even_moment(3) / 2)) > 1e-3 * exact  # the next term is resolved


def test_the_second_moment_of_sampled_landscapes_at_n_3():
    # real couplings of the pure 3-spin at N = 3; Z / E Z for each by quadrature over S_3 (radius sqrt 3)
    rng = np.random.default_rng(3)
    n, temperature, samples = 3, 1.6, 6000
    beta = 1 / temperature
    m = 4000  # Fibonacci points on the unit sphere: equal-area quadrature
    k = np.arange(m) + 0.5
    z = 1 - 2 * k / m
    phi = math.pi * (1 + 5**0.5) * k
    pts = math.sqrt(n) * np.stack([np.sqrt(1 - z * z) * np.cos(phi), np.sqrt(1 - z * z) * np.sin(phi), z], 1)
    w2 = np.empty(samples)
    for s in range(samples // 500):
        J = rng.standard_normal((500, n, n, n))
        H = np.einsum("sijk,pi,pj,pk->sp", J, pts, pts, pts) / n  # N^{-(p-1)/2} = 1/N for p = 3
        w = np.exp(-beta * H - n * beta**2 / 2).mean(1)  # Z / E Z
        w2[s * 500 : (s + 1) * 500] = w * w
    mean, se = w2.mean(), w2.std(ddof=1) / math.sqrt(samples)
    exact = math.exp(thermo.log_second_moment(3, temperature, n))
    assert abs(mean - exact) < 4 * se, (mean, se, exact)
    # a covariance with xi(q)/2 in place of xi(q) (the physics units' field) is rejected
    wrong = math.exp(thermo.log_second_moment(fields.mixture({3: 0.5}), temperature, n))
    assert abs(mean - wrong) > 6 * se


def test_growth_rate_below_and_above_the_second_moment_temperature():
    t2 = thermo.second_moment_temperature(3)
    q = np.linspace(0, 1, 2_000_001)[1:-1]
    for temperature in (0.8, 0.95):
        rate = np.max(q**3 / temperature**2 + 0.5 * np.log1p(-q * q))
        slope = (thermo.log_second_moment(3, temperature, 8000) - thermo.log_second_moment(3, temperature, 4000)) / 4000
        assert rate > 0 and abs(slope - rate) < 2e-3 * rate + 1e-4, (temperature, slope, rate)
    for temperature in (1.05 * t2, 2.0):
        assert thermo.log_second_moment(3, temperature, 8000) < thermo.log_second_moment(3, temperature, 4000)


def test_second_moment_temperature():
    q = np.linspace(0, 1, 4_000_001)[1:-1]
    for p in (3, 4, 5):
        brute = math.sqrt(np.max(2 * q**p / -np.log1p(-q * q)))
        t2 = thermo.second_moment_temperature(p)
        assert abs(t2 - brute) < 1e-7
        # between the dynamical temperature and infinity; the exponent vanishes there
        assert thermo.dynamical_temperature(p) < t2
        assert abs(np.max(q**p / t2**2 + 0.5 * np.log1p(-q * q))) < 1e-9
    # p = 2: the supremum is the limit q -> 0, T_2 = sqrt 2 (the spherical 2-spin's critical temperature in book units)
    assert abs(thermo.second_moment_temperature(2) - math.sqrt(2)) < 1e-6


def test_bad_arguments():
    with pytest.raises(ValueError, match="n"):
        thermo.log_second_moment(3, 1.0, 1)
    with pytest.raises(TypeError, match="n"):
        thermo.log_second_moment(3, 1.0, 4.0)
    with pytest.raises(ValueError, match="temperature"):
        thermo.log_second_moment(3, 0.0, 4)
    with pytest.raises(ValueError, match="temperature"):
        thermo.log_second_moment(3, 1e-160, 4)

"""Unit tests of landscape.thermo: paramagnet, the 1RSB Crisanti-Sommers solution, T_d and T_s, the configurational
entropy and its Kac-Rice meaning, the zero-temperature limit."""

import math

import numpy as np
import pytest
from scipy.optimize import brentq

import landscape as ls
import landscape.tap as tap
import landscape.thermo as th

S0 = 0.5 * (1.0 + math.log(2.0 * math.pi))
MIX = ls.fields.mixture({3: 0.5, 4: 0.5})


def _y_static(p):
    """Independent root of y^2/p = (1+y) log(1+y) - y (Crisanti & Sommers 1992, in the variable y = xq/(1-q))."""
    return brentq(lambda y: (1 + y) * math.log1p(y) - y - y * y / p, 1e-3, 1e3, xtol=1e-15)


def _cs_physics(p, t_phys, q, x):
    """The 1RSB Crisanti-Sommers free energy in physics units, xi(q) = q^p/2, written out independently."""
    b = 1.0 / t_phys
    return (-t_phys * S0 - b / 4 * (1 - (1 - x) * q**p) - t_phys / (2 * x) * math.log1p(x * q / (1 - q))
            - t_phys / 2 * math.log1p(-q))


# ------------------------------------------------------------------------------------------- temperatures


@pytest.mark.parametrize("p", [3, 4, 5, 8])
def test_dynamical_temperature_closed_form_and_marginality(p):
    t_d = th.dynamical_temperature(p)
    assert t_d == pytest.approx(math.sqrt(p * (p - 2) ** (p - 2) / (p - 1) ** (p - 1)), rel=1e-13)
    # at T_d the x = 1 solution appears at q_d = (p-2)/(p-1), where the replicon vanishes (marginal stability)
    sol = th.solve_1rsb(p, t_d)
    assert sol.x == 1.0 and sol.q == pytest.approx((p - 2) / (p - 1), abs=1e-6)
    assert tap.tap_plefka_parameter((p - 2) / (p - 1), p, t_d) == pytest.approx(1.0, abs=1e-13)
    assert th.solve_1rsb(p, t_d * (1 + 1e-6)).q == 0.0  # paramagnet just above


@pytest.mark.parametrize("p", [3, 4, 5, 8, 20])
def test_static_temperature_closed_form_and_order(p):
    y = _y_static(p)
    t_s = th.static_temperature(p)
    assert t_s == pytest.approx(math.sqrt(p * y ** (p - 2) / (1 + y) ** (p - 1)), rel=1e-11)
    assert t_s < th.dynamical_temperature(p)
    assert th.complexity_1rsb(p, t_s, 1.0) == pytest.approx(0.0, abs=1e-12)


def test_literature_values_in_physics_units():
    # The physics convention xi = q^p/2 is the mixture {p: 1/2}; the general code then returns literature numbers.
    phys = ls.fields.mixture({3: 0.5})
    # T_d = sqrt(p (p-2)^(p-2) / (2 (p-1)^(p-1))) = sqrt(3/8) for p = 3 (Crisanti, Horner & Sommers 1993;
    # Castellani & Cavagna 2005, cond-mat/0505032).
    assert th.dynamical_temperature(phys) == pytest.approx(math.sqrt(3 / 8), rel=1e-13)
    # T_s = 0.586 for p = 3 (Crisanti & Sommers 1992)
    assert th.static_temperature(phys) == pytest.approx(0.586, abs=5e-4)
    # threshold energy -sqrt(2 (p-1)/p) = -2/sqrt(3) (Cugliandolo & Kurchan 1993), ground state -1.172
    # (Crisanti & Sommers 1992)
    assert th.threshold_energy_1rsb(phys) == pytest.approx(-2 / math.sqrt(3), rel=1e-14)
    assert th.ground_state_energy_1rsb(phys) == pytest.approx(-1.172, abs=5e-4)
    # the book values are sqrt(2) times larger
    assert th.dynamical_temperature(3) == pytest.approx(math.sqrt(2) * th.dynamical_temperature(phys), rel=1e-13)
    assert th.static_temperature(3) == pytest.approx(math.sqrt(2) * th.static_temperature(phys), rel=1e-11)


@pytest.mark.parametrize("c", [0.5, 2.0, 7.3])
def test_general_xi_scaling_reduces_to_pure(c):
    # H -> sqrt(c) H is T -> T/sqrt(c): temperatures and energies scale by sqrt(c), (q, x) are unchanged
    scaled = ls.fields.mixture({4: c})
    r = math.sqrt(c)
    assert th.dynamical_temperature(scaled) == pytest.approx(r * th.dynamical_temperature(4), rel=1e-12)
    assert th.static_temperature(scaled) == pytest.approx(r * th.static_temperature(4), rel=1e-10)
    assert th.ground_state_energy_1rsb(scaled) == pytest.approx(r * th.ground_state_energy_1rsb(4), rel=1e-13)
    for t in (0.3, 0.74, 1.0):
        a, b = th.solve_1rsb(scaled, r * t), th.solve_1rsb(4, t)
        assert a.q == pytest.approx(b.q, abs=1e-10) and a.x == pytest.approx(b.x, abs=1e-10)
        assert a.free_energy == pytest.approx(r * b.free_energy, rel=1e-12)
        assert a.energy == pytest.approx(r * b.energy, rel=1e-10)
    assert th.solve_1rsb(4, 0.5) == th.solve_1rsb(ls.fields.pure(4), 0.5)


# ------------------------------------------------------------------------------------------- functionals


@pytest.mark.parametrize("xi", [3, 4, MIX])
def test_paramagnet(xi):
    c = float(ls.fields.xi(xi, 1.0))
    for t in (0.2, 1.0, 3.0):
        f = th.paramagnetic_free_energy(xi, t)
        assert f == pytest.approx(-c / (2 * t) - t * S0, rel=1e-15)
        assert th.paramagnetic_energy(xi, t) == pytest.approx(-c / t, rel=1e-15)
        # u = d(beta f)/d(beta), by a central difference in beta
        h = 1e-5
        bf = [b * th.paramagnetic_free_energy(xi, 1 / b) for b in (1 / t - h, 1 / t + h)]
        assert (bf[1] - bf[0]) / (2 * h) == pytest.approx(th.paramagnetic_energy(xi, t), rel=1e-8)
        # the CS functional at q = 0 (any x) or at x = 1 (any q) is the paramagnet
        for q in (0.0, 0.3, 0.9):
            assert th.crisanti_sommers_1rsb(xi, t, q, 1.0) == pytest.approx(f, rel=1e-14)
        for x in (0.1, 0.5, 1.0):
            assert th.crisanti_sommers_1rsb(xi, t, 0.0, x) == pytest.approx(f, rel=1e-14)


def test_sphere_entropy_constant():
    assert th.SPHERE_ENTROPY == S0
    # (1/N) log |S_N|, |S_N| = 2 pi^(N/2) N^((N-1)/2) / Gamma(N/2), converges to s0
    n = 1e8
    log_vol = math.log(2) + n / 2 * math.log(math.pi) + (n - 1) / 2 * math.log(n) - math.lgamma(n / 2)
    assert log_vol / n == pytest.approx(S0, abs=1e-6)


@pytest.mark.parametrize("p", [3, 5])
def test_crisanti_sommers_matches_physics_units(p):
    for t_phys, q, x in [(0.3, 0.7, 0.4), (0.55, 0.2, 0.9), (1.0, 0.95, 0.05)]:
        book = th.crisanti_sommers_1rsb(p, math.sqrt(2) * t_phys, q, x)
        assert book == pytest.approx(math.sqrt(2) * _cs_physics(p, t_phys, q, x), rel=1e-14)


@pytest.mark.parametrize("xi, t", [(3, 0.5), (3, 0.1), (4, 0.6), (MIX, 0.5)])
def test_solution_below_ts_is_stationary_and_maximal(xi, t):
    sol = th.solve_1rsb(xi, t)
    assert 0 < sol.x < 1 and 0 < sol.q < 1 and sol.complexity == 0.0
    f = lambda q, x: th.crisanti_sommers_1rsb(xi, t, q, x)  # noqa: E731
    h = 1e-6
    assert abs(f(sol.q + h, sol.x) - f(sol.q - h, sol.x)) / (2 * h) < 1e-7
    assert abs(f(sol.q, sol.x + h) - f(sol.q, sol.x - h)) / (2 * h) < 1e-7
    assert sol.free_energy == f(sol.q, sol.x) and sol.free_energy > th.paramagnetic_free_energy(xi, t)
    # Guerra's bound: the free energy is >= f(q, x) for all (q, x), so the solution is the maximum on a grid
    grid = [f(q, x) for q in np.linspace(0.0, 0.999, 120) for x in np.linspace(0.005, 1.0, 120)]
    assert max(grid) <= sol.free_energy + 1e-12
    assert max(grid) > sol.free_energy - 2e-3
    # internal energy = d(beta f)/d(beta)
    db = 1e-5
    bf = [b * th.solve_1rsb(xi, 1 / b).free_energy for b in (1 / t - db, 1 / t + db)]
    assert (bf[1] - bf[0]) / (2 * db) == pytest.approx(sol.energy, rel=1e-7)


@pytest.mark.parametrize("p", [3, 4])
def test_below_ts_y_is_temperature_independent(p):
    y = _y_static(p)
    for t in (0.05, 0.3, 0.6 * th.static_temperature(p), 0.99 * th.static_temperature(p)):
        sol = th.solve_1rsb(p, t)
        assert sol.x * sol.q / (1 - sol.q) == pytest.approx(y, rel=1e-9)
        # the q-equation beta^2 p q^(p-2) (1-q)^2 (1+y) = 1
        assert p * sol.q ** (p - 2) * (1 - sol.q) ** 2 * (1 + y) / t**2 == pytest.approx(1.0, rel=1e-11)


def test_solution_between_ts_and_td():
    p = 3
    t_s, t_d = th.static_temperature(p), th.dynamical_temperature(p)
    for t in np.linspace(t_s, t_d, 7)[1:-1]:
        sol = th.solve_1rsb(p, t)
        assert sol.x == 1.0 and sol.free_energy == th.paramagnetic_free_energy(p, t)
        assert sol.energy == pytest.approx(-1 / t, rel=1e-15)
        # the q-equation at x = 1, beta^2 xi'(q) (1-q) = q, with the stable (largest) root q > q_d = 1/2
        assert p * sol.q ** (p - 1) * (1 - sol.q) / t**2 == pytest.approx(sol.q, rel=1e-12) and sol.q > 0.5
        assert sol.complexity == pytest.approx(0.5 * (-math.log1p(-sol.q) - sol.q - sol.q**p / t**2), abs=1e-14)
        assert sol.state_free_energy == pytest.approx(sol.free_energy + t * sol.complexity, rel=1e-14)
    assert th.solve_1rsb(p, 1.5).q == 0.0


# ------------------------------------------------------------------------------- complexity and Kac-Rice


@pytest.mark.parametrize("p", [3, 4, 5])
def test_configurational_entropy_at_td_is_the_threshold_complexity(p):
    sigma_d = th.complexity_1rsb(p, th.dynamical_temperature(p), 1.0)
    u_th = ls.kac_rice.threshold_energy(p)
    expected = 0.5 * math.log(p - 1) - (p - 2) / p
    assert sigma_d == pytest.approx(expected, abs=1e-13)
    assert sigma_d == pytest.approx(float(ls.kac_rice.complexity_index(u_th, p, 0)), abs=1e-13)
    assert sigma_d == pytest.approx(float(ls.kac_rice.complexity(u_th, p)), abs=1e-13)
    assert th.equilibrium_complexity(p, th.dynamical_temperature(p)) == pytest.approx(expected, abs=1e-13)


@pytest.mark.parametrize("p", [3, 4])
def test_equilibrium_states_are_labelled_by_their_zero_temperature_minimum(p):
    t_s, t_d = th.static_temperature(p), th.dynamical_temperature(p)
    labels = []
    for t in np.linspace(t_s, t_d, 6):
        sol = th.solve_1rsb(p, t)
        u = tap.tap_label_energy(sol.q, p, t)  # the T = 0 energy of the minima under the equilibrium states
        labels.append(u)
        assert sol.complexity == pytest.approx(float(ls.kac_rice.complexity(u, p)), abs=1e-9)
        assert sol.state_free_energy == pytest.approx(tap.tap_state_free_energy(u, p, t), abs=1e-9)
        # what is NOT true: the complexity at the equilibrium energy -1/T (it lies above the threshold)
        assert abs(sol.complexity - float(ls.kac_rice.complexity(-1 / t, p))) > 0.1
    # from the ground states (u_0, at T_s) up to the threshold states (u_th, at T_d)
    assert labels[0] == pytest.approx(ls.kac_rice.ground_state_energy(p), abs=1e-7)
    assert labels[-1] == pytest.approx(ls.kac_rice.threshold_energy(p), abs=1e-6)
    assert np.all(np.diff(labels) > 0)


@pytest.mark.parametrize("t", [0.8, 0.5, 0.3])
def test_monasson_complexity_is_kac_rice_for_stable_states(t):
    # for x between the marginal value and 1, Sigma(T, x) is the Kac-Rice complexity at the states' label
    p = 3
    x_marg = th.threshold_1rsb(p, t).x
    grid = np.linspace(1e-6, 1 - 1e-9, 100001)
    for x in np.linspace(x_marg, 1.0, 5):
        # q: the largest root of the q-equation p q^(p-2) (1-q)(1-q+xq) = T^2, found independently
        g = lambda s: p * s ** (p - 2) * (1 - s) * (1 - s + x * s) - t * t  # noqa: E731
        last = np.nonzero(g(grid) > 0)[0][-1]
        q = brentq(g, grid[last], grid[last + 1], xtol=1e-16)
        y = x * q / (1 - q)
        assert y >= p - 2 - 1e-9  # Plefka-stable side of the marginal point
        w = math.sqrt(p * (1 + y))
        u = -(w + p * (p - 1) / w) / p
        assert th.complexity_1rsb(p, t, x) == pytest.approx(float(ls.kac_rice.complexity(u, p)), abs=1e-11)


def test_equilibrium_complexity_profile():
    p = 3
    t_s, t_d = th.static_temperature(p), th.dynamical_temperature(p)
    assert th.equilibrium_complexity(p, 1.01 * t_d) == 0.0
    assert th.equilibrium_complexity(p, 0.99 * t_s) == 0.0
    values = [th.equilibrium_complexity(p, t) for t in np.linspace(t_s * 1.0001, t_d, 20)]
    assert np.all(np.diff(values) > 0) and values[0] > 0
    # the Kauzmann crisis: the x = 1 configurational entropy continues below T_s as a negative number
    assert th.complexity_1rsb(p, 0.9 * t_s, 1.0) < 0
    # the mixture: same structure
    ms, md = th.static_temperature(MIX), th.dynamical_temperature(MIX)
    assert ms < md and th.complexity_1rsb(MIX, ms) == pytest.approx(0.0, abs=1e-12)
    assert th.equilibrium_complexity(MIX, md) > 0


# ------------------------------------------------------------------------------------------- threshold


@pytest.mark.parametrize("p", [3, 4])
def test_threshold_solution_is_the_tap_threshold_state(p):
    u_th = ls.kac_rice.threshold_energy(p)
    sigma_th = 0.5 * math.log(p - 1) - (p - 2) / p
    t_d = th.dynamical_temperature(p)
    for t in (0.01, 0.3, 0.6, 0.95 * t_d):
        m = th.threshold_1rsb(p, t)
        assert m.x * m.q / (1 - m.q) == pytest.approx(p - 2, rel=1e-9)  # y = p - 2: marginal
        assert tap.tap_plefka_parameter(m.q, p, t) == pytest.approx(1.0, rel=1e-12)
        assert m.complexity == pytest.approx(sigma_th, abs=1e-12)  # temperature independent
        assert m.q == pytest.approx(tap.tap_self_overlap(u_th, p, t), abs=1e-12)
        assert m.energy == pytest.approx(tap.tap_state_energy(u_th, p, t), abs=1e-10)
        assert m.state_free_energy == pytest.approx(tap.tap_state_free_energy(u_th, p, t), abs=1e-10)
        assert m.free_energy == th.crisanti_sommers_1rsb(p, t, m.q, m.x)
    at_td = th.threshold_1rsb(p, t_d)
    assert at_td.x == pytest.approx(1.0, abs=1e-7) and at_td.q == pytest.approx(th.solve_1rsb(p, t_d).q, abs=1e-6)
    # T -> 0: the aging energy tends to the threshold energy, linearly in T
    e = [th.threshold_1rsb(p, t).energy - u_th for t in (1e-3, 2e-3)]
    assert abs(e[0]) < 5e-3 and e[1] / e[0] == pytest.approx(2.0, rel=1e-2)
    assert th.threshold_energy_1rsb(p) == pytest.approx(u_th, rel=1e-15)


@pytest.mark.parametrize("xi", [MIX, ls.fields.mixture({2: 0.3, 3: 0.7}), ls.fields.mixture({3: 0.8, 6: 1.2})])
def test_threshold_energy_1rsb_is_the_mixed_kac_rice_threshold(xi):
    assert th.threshold_energy_1rsb(xi) == pytest.approx(ls.kac_rice.mixed_threshold_energy(xi), rel=1e-13)


# ------------------------------------------------------------------------------------------- zero temperature


@pytest.mark.parametrize("p, u0", [(3, -1.656998363527), (4, -1.794085028179), (5, None)])
def test_ground_state_energy_1rsb_is_the_kac_rice_ground_state(p, u0):
    value = th.ground_state_energy_1rsb(p)
    assert value == pytest.approx(ls.kac_rice.ground_state_energy(p), abs=1e-10)
    if u0 is not None:
        assert value == pytest.approx(u0, abs=1e-11)
    # and it is the T -> 0 limit of the 1RSB free energy and energy: f - u_0 = O(T log T), e - u_0 = O(T)
    for t in (1e-3, 1e-4):
        sol = th.solve_1rsb(p, t)
        assert abs(sol.free_energy - value) < 10 * t * math.log(1 / t)
        assert abs(sol.energy - value) < 10 * t


def test_ground_state_energy_1rsb_special_cases_and_mixtures():
    assert th.ground_state_energy_1rsb(2) == pytest.approx(-math.sqrt(2), rel=1e-15)  # top eigenvalue (RS)
    assert th.ground_state_energy_1rsb(2) == pytest.approx(ls.kac_rice.ground_state_energy(2), rel=1e-15)
    # only xi(1) and xi'(1) enter: {2: 1/2, 4: 1/2} has the same (1, 3) as the pure 3-spin
    assert th.ground_state_energy_1rsb(ls.fields.mixture({2: 0.5, 4: 0.5})) == pytest.approx(
        th.ground_state_energy_1rsb(3), rel=1e-14)
    # it coincides with the lower zero of the annealed Kac-Rice complexity of mixtures
    for xi in (MIX, ls.fields.mixture({3: 0.9, 4: 0.1}), ls.fields.mixture({2: 0.1, 3: 0.9}),
               ls.fields.mixture({3: 0.7, 10: 0.3})):
        zero = brentq(lambda u: float(ls.kac_rice.complexity_mixed(u, xi)), -5.0, -0.5, xtol=1e-14)
        assert th.ground_state_energy_1rsb(xi) == pytest.approx(zero, abs=1e-9)
        assert th.ground_state_energy_1rsb(xi) <= th.threshold_energy_1rsb(xi)


# ------------------------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("bad, exc", [(2.5, TypeError), ("3", TypeError), (True, TypeError), (3.0, TypeError),
                                      (1, ValueError)])
def test_bad_xi(bad, exc):
    for fn in (th.dynamical_temperature, th.static_temperature, th.ground_state_energy_1rsb,
               th.threshold_energy_1rsb):
        with pytest.raises(exc):
            fn(bad)
    with pytest.raises(exc):
        th.solve_1rsb(bad, 0.5)
    with pytest.raises(exc):
        th.paramagnetic_free_energy(bad, 0.5)


def test_continuous_transition_and_field_are_rejected():
    for xi in (2, ls.fields.mixture({2: 1.0, 3: 0.1})):
        with pytest.raises(ValueError, match="continuous"):
            th.dynamical_temperature(xi)
        with pytest.raises(ValueError, match="continuous"):
            th.static_temperature(xi)
        with pytest.raises(ValueError, match="continuous"):
            th.solve_1rsb(xi, 0.5)
    field = ls.fields.mixture({1: 0.1, 3: 1.0})
    for fn in (th.dynamical_temperature, th.ground_state_energy_1rsb, th.threshold_energy_1rsb):
        with pytest.raises(ValueError, match="degree-1"):
            fn(field)
    with pytest.raises(ValueError, match="degree-1"):
        th.complexity_1rsb(field, 0.5)
    assert th.paramagnetic_free_energy(field, 1.0) == pytest.approx(-1.1 / 2 - S0)  # the paramagnet is fine


@pytest.mark.parametrize("t", [0.0, -1.0, math.nan, math.inf])
def test_bad_temperature(t):
    for call in (lambda: th.paramagnetic_free_energy(3, t), lambda: th.paramagnetic_energy(3, t),
                 lambda: th.crisanti_sommers_1rsb(3, t, 0.5, 0.5), lambda: th.solve_1rsb(3, t),
                 lambda: th.threshold_1rsb(3, t), lambda: th.complexity_1rsb(3, t, 1.0),
                 lambda: th.equilibrium_complexity(3, t)):
        with pytest.raises(ValueError, match="temperature"):
            call()
    with pytest.raises(TypeError, match="temperature"):
        th.solve_1rsb(3, "0.5")


def test_bad_q_and_x():
    for q in (1.0, 1.2, -0.1, math.nan):
        with pytest.raises(ValueError, match="q"):
            th.crisanti_sommers_1rsb(3, 0.5, q, 0.5)
    for x in (0.0, -0.5, 1.1, math.nan):
        with pytest.raises(ValueError, match="x"):
            th.crisanti_sommers_1rsb(3, 0.5, 0.5, x)
        with pytest.raises(ValueError, match="x"):
            th.complexity_1rsb(3, 0.5, x)


def test_solutions_outside_their_range_raise():
    t_d = th.dynamical_temperature(3)
    with pytest.raises(ValueError, match="T_d"):
        th.threshold_1rsb(3, 1.01 * t_d)
    with pytest.raises(ValueError, match="T_d"):
        th.complexity_1rsb(3, 1.01 * t_d, 1.0)
    with pytest.raises(ValueError, match="no 1RSB solution"):
        th.complexity_1rsb(3, 0.8, 0.3)  # beyond the marginal x the q-equation has no root


def test_1rsb_solvers_refuse_temperatures_below_the_solver_minimum():
    for f in (th.solve_1rsb, th.threshold_1rsb, th.equilibrium_complexity, th.complexity_1rsb):
        with pytest.raises(ValueError, match=r"^temperature must be >= 1e-06"):
            f(3, 1e-8)
        with pytest.raises(ValueError, match="^temperature must be finite"):
            f(3, float("nan"))
        with pytest.raises(TypeError, match="^temperature must be a real number"):
            f(3, "0.5")
    assert th.solve_1rsb(3, th.MIN_SOLVER_TEMPERATURE).q > 0.999

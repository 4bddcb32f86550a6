"""Unit tests of landscape.dynamics.parallel_tempering and its diagnostics (integrated autocorrelation time,
round trips): exact Gibbs averages of a tiny system, the paramagnet at high temperature, the swap rule, and the
bookkeeping of replicas. About 20 s on a shared 2-core CPU, most of it compilation.
"""

import jax
import numpy as np
import pytest

import landscape as ls
import landscape.dynamics as dyn

KEY = jax.random.key(20261204)


def _mean_and_error(u):
    """Mean of each column of a (sweeps, M) series and its standard error from the autocorrelation time."""
    tau = dyn.integrated_autocorrelation_time(u)
    return u.mean(axis=0), np.sqrt(tau * u.var(axis=0) / u.shape[0])


def _exact_energy(field, temperatures, nodes=160):
    """<H>/N on S_3 by quadrature: Gauss-Legendre in cos(theta) times the trapezoid in phi (spectrally accurate for
    a smooth periodic integrand), energies from ls.fields.energy."""
    x, w = np.polynomial.legendre.leggauss(nodes)
    phi = np.linspace(0.0, 2 * np.pi, 2 * nodes, endpoint=False)
    c, f = np.meshgrid(x, phi, indexing="ij")
    s = np.sqrt(1 - c**2)
    points = np.sqrt(3.0) * np.stack([s * np.cos(f), s * np.sin(f), c], axis=-1).reshape(-1, 3)
    h = np.asarray(ls.fields.energy(field, points))
    weights = np.repeat(w, 2 * nodes)
    out = []
    for t in temperatures:
        b = np.exp(-(h - h.min()) / t) * weights
        out.append(np.sum(b * h) / np.sum(b) / 3.0)
    return np.array(out)


def test_tiny_system_matches_the_exact_gibbs_average():
    """N = 3, p = 2 (a quadratic form on S_2): detailed balance of moves and swaps w.r.t. e^{-H/T} dsigma gives the
    exact <u> at each temperature of the ladder, within 5 standard errors. The exact values at neighbouring
    temperatures (and the paramagnet, which is exact only as N -> infinity) differ by far more than that."""
    field = ls.fields.sample_pspin(KEY, 3, 2)
    temps = np.array([0.3, 0.5, 0.8, 1.3])
    run = dyn.parallel_tempering(jax.random.fold_in(KEY, 1), field, temps, 20000, moves_per_sweep=2, n_adapt=200)
    u = np.asarray(run.energy)
    mean, err = _mean_and_error(u)
    exact = _exact_energy(field, temps)
    assert np.all(err < 0.01), err
    assert np.all(np.abs(mean - exact) < 5 * err), (mean, exact, err)
    # test the test: the exact value at the next temperature and the paramagnet -1/T are both rejected
    assert np.all(np.abs(exact[1:] - exact[:-1]) > 5 * np.maximum(err[1:], err[:-1]))
    assert np.all(np.abs(mean + 1 / temps) > 5 * err)
    assert np.all(run.swap_acceptance > 0.05) and np.all(run.move_acceptance > 0.2)


def test_paramagnet_at_high_temperature():
    """p = 3, N = 12, T = 2.5 and 4: the mean over six samples of <u> equals the paramagnet -xi(1)/T
    (thermo.paramagnetic_energy) within 5 standard errors over samples; -xi(1)/(2T) and -xi'(1)/T are rejected."""
    temps = np.array([2.5, 4.0])
    means = []
    for k in jax.random.split(KEY, 6):
        kf, kr = jax.random.split(k)
        run = dyn.parallel_tempering(kr, ls.fields.sample_pspin(kf, 12, 3), temps, 1500, n_adapt=100)
        means.append(np.asarray(run.energy)[100:].mean(axis=0))
    means = np.array(means)
    mean, err = means.mean(axis=0), means.std(axis=0, ddof=1) / np.sqrt(len(means))
    para = np.array([ls.thermo.paramagnetic_energy(3, t) for t in temps])
    assert np.all(np.abs(mean - para) < 5 * err), (mean, para, err)
    assert np.all(np.abs(mean - para / 2) > 5 * err) and np.all(np.abs(mean - 3 * para) > 5 * err)


def test_swap_acceptance_is_the_exchange_metropolis_ratio():
    """At stationarity the swap rate of the pair (m, m+1) is E min(1, exp((b_m - b_{m+1})(H_m - H_{m+1}))), with the
    expectation over the recorded (stationary) energies. The opposite sign of the exponent is rejected."""
    n = 6
    field = ls.fields.sample_pspin(jax.random.fold_in(KEY, 2), n, 3)
    temps = np.array([0.5, 0.6, 0.75, 0.95])
    run = dyn.parallel_tempering(jax.random.fold_in(KEY, 3), field, temps, 20000, n_adapt=200)
    h = np.asarray(run.energy) * n
    b = 1 / temps
    log_ratio = (b[:-1] - b[1:]) * (h[:, :-1] - h[:, 1:])
    expected = np.minimum(1.0, np.exp(log_ratio))
    wrong = np.minimum(1.0, np.exp(-log_ratio))
    mean, err = _mean_and_error(expected)
    measured = np.asarray(run.swap_acceptance)
    # the measured rate averages about n_sweeps / 2 Bernoulli trials per pair: add their binomial error
    tol = 5 * np.sqrt(err**2 + mean * (1 - mean) / (h.shape[0] / 2))
    assert np.all(np.abs(measured - mean) < tol), (measured, mean, tol)
    assert np.all(np.abs(measured - wrong.mean(axis=0)) > tol)
    assert np.all((measured > 0.1) & (measured < 0.95))


def test_bookkeeping_and_determinism():
    n, m = 10, 5
    field = ls.fields.sample_pspin(KEY, n, 3)
    temps = np.geomspace(0.5, 2.0, m)
    run = dyn.parallel_tempering(KEY, field, temps, 300, n_adapt=100)
    again = dyn.parallel_tempering(KEY, field, temps, 300, n_adapt=100)
    np.testing.assert_array_equal(np.asarray(run.energy), np.asarray(again.energy))
    assert run.energy.shape == (300, m) and run.temperature_index.shape == (300, m)
    assert run.move_acceptance.shape == (m,) and run.swap_acceptance.shape == (m - 1,)
    idx = np.asarray(run.temperature_index)
    assert np.all(np.sort(idx, axis=1) == np.arange(m))  # each row a permutation of the slots
    assert np.any(idx[-1] != np.arange(m))  # replicas have moved
    final = np.asarray(run.final)
    np.testing.assert_allclose(np.sum(final**2, axis=1), n, rtol=1e-12)
    np.testing.assert_allclose(np.asarray(ls.fields.energy(field, final)) / n, np.asarray(run.energy)[-1],
                               rtol=1e-10, atol=1e-12)
    # the burn-in adapted the step sizes towards the target acceptance 0.4
    assert np.all(np.abs(np.asarray(run.move_acceptance) - 0.4) < 0.15), run.move_acceptance
    assert np.all(np.diff(np.asarray(run.step_size)) > -0.05)  # larger steps at higher temperature, roughly
    # a single temperature is plain Metropolis; a Landscape gives the same chain as its field
    single = dyn.parallel_tempering(KEY, field, temps[:1], 50, n_adapt=0)
    assert single.swap_acceptance.shape == (0,) and np.all(np.asarray(single.temperature_index) == 0)
    start = ls.sphere.random_points(jax.random.fold_in(KEY, 7), n, m)
    land = dyn.Landscape(ls.fields.prepare(field), ls.fields.derivatives)
    a = dyn.parallel_tempering(KEY, field, temps, 20, n_adapt=5, sigma0=start)
    b = dyn.parallel_tempering(KEY, land, temps, 20, n_adapt=5, sigma0=start)
    np.testing.assert_allclose(np.asarray(a.energy), np.asarray(b.energy), rtol=1e-10)


def test_integrated_autocorrelation_time_of_ar1():
    """AR(1) x_t = r x_{t-1} + noise has tau_int = (1 + r)/(1 - r): 9 for r = 0.8; white noise gives 1."""
    rng = np.random.default_rng(1)
    n, r = 200_000, 0.8
    noise = rng.standard_normal((n, 2))
    x = np.empty_like(noise)
    x[0] = noise[0] / np.sqrt(1 - r**2)
    for t in range(1, n):
        x[t] = r * x[t - 1] + noise[t]
    x[:, 1] = noise[:, 1]
    tau = dyn.integrated_autocorrelation_time(x)
    assert tau.shape == (2,)
    assert abs(tau[0] - 9.0) < 0.5 and abs(tau[1] - 1.0) < 0.05, tau
    assert abs(dyn.integrated_autocorrelation_time(x[:, 0]) - tau[0]) < 1e-12
    assert dyn.integrated_autocorrelation_time(np.ones(10)) == 1.0


def test_round_trips_counts_cold_hot_cold_cycles():
    idx = np.array([[0, 1, 2], [1, 0, 2], [2, 0, 1], [1, 0, 2], [0, 1, 2], [2, 1, 0]])
    # replica 0: 0 1 2 1 0 2 -> ends 0, 2, 0, 2: three half-trips, one round trip
    # replica 1: 1 0 0 0 1 1 -> ends 0, 0, 0: none; replica 2: 2 2 1 2 2 0 -> ends 2, 2, 2, 2, 0: one half-trip
    np.testing.assert_array_equal(dyn.round_trips(idx), [1, 0, 0])
    with pytest.raises(ValueError, match="temperature_index"):
        dyn.round_trips(np.array([[0, 3], [1, 0]]))

"""Tests of landscape.units: the converter between book units (xi(1) = 1) and literature units (c xi)."""

from __future__ import annotations

import math
import pathlib

import jax
import numpy as np
import pytest

import landscape as ls  # noqa: F401  (float64)
from landscape import dynamics, fields, sphere, thermo, units

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_factor_powers():
    c = 0.5
    assert units.factor("energy", c) == pytest.approx(math.sqrt(0.5), rel=1e-15)
    assert units.factor("temperature", c) == pytest.approx(1 / math.sqrt(2), rel=1e-15)
    assert units.factor("multiplier", c) == units.factor("energy", c)
    assert units.factor("time", c) == pytest.approx(math.sqrt(2), rel=1e-15)  # not 1/sqrt(2): t_lit = t/sqrt(c)
    assert units.factor("inverse_temperature", c) == pytest.approx(math.sqrt(2), rel=1e-15)
    assert units.factor("covariance", c) == 0.5
    assert units.factor("overlap", c) == 1.0 and units.factor("complexity", c) == 1.0
    for q in units.QUANTITIES:  # c = 1 (Auffinger-Ben Arous-Cerny units) is the identity
        assert units.factor(q, 1.0) == 1.0


def test_round_trip_and_arrays():
    x = np.array([-1.657, 0.0, 0.61, 3.0])
    for q in units.QUANTITIES:
        for c in (0.5, 2.0, 0.37):
            np.testing.assert_allclose(units.to_book(units.to_literature(x, q, c), q, c), x, rtol=1e-15)
    assert isinstance(units.to_literature(1.0, "energy"), float)
    assert units.to_book(0.6124, "temperature") == pytest.approx(0.6124 * math.sqrt(2), rel=1e-15)


def test_dynamical_temperature_of_the_3_spin_in_crisanti_sommers_units():
    # T_d^2 = p (p-2)^(p-2) / (p-1)^(p-1) = 3/4 in book units; sqrt(3/8) in units xi = q^3/2
    t_d = thermo.dynamical_temperature(3)
    assert abs(units.to_literature(t_d, "temperature") - math.sqrt(3 / 8)) < 1e-14
    # the wrong direction (multiplying by sqrt 2) gives 1.22, far away
    assert abs(units.to_book(t_d, "temperature") - math.sqrt(3 / 8)) > 0.5


def test_transition_temperatures_of_the_literature_model_are_the_converted_book_ones():
    # solve the model with xi = q^p/2 directly (a mixture of weight 1/2) and compare with the conversion
    for p in (3, 4):
        lit = fields.mixture({p: 0.5})
        for fn in (thermo.dynamical_temperature, thermo.static_temperature):
            assert abs(fn(lit) - units.to_literature(fn(p), "temperature")) < 1e-8, (p, fn.__name__)
        assert abs(thermo.threshold_energy_1rsb(lit) - units.to_literature(thermo.threshold_energy_1rsb(p), "energy")) < 1e-8


def test_paramagnetic_energy_is_covariant():
    # book: u = -xi(1)/T; literature (xi_lit = c xi): u_lit = -c xi(1)/T_lit. Converting one gives the other.
    for c in (0.5, 3.0):
        for t in (1.0, 2.5):
            u_book = thermo.paramagnetic_energy(3, t)
            t_lit = units.to_literature(t, "temperature", c)
            assert abs(units.to_literature(u_book, "energy", c) - (-c / t_lit)) < 1e-13


@pytest.mark.parametrize("temperature", [0.0, 0.7])
def test_langevin_in_literature_units_is_the_book_flow_in_rescaled_time(temperature):
    """Run the same Euler-Maruyama scheme on H_lit = sqrt(c) H_book (couplings times sqrt(c)) at T_lit = sqrt(c) T,
    dt_lit = dt/sqrt(c), with the same noise key: the steps coincide, so the recorded energies are u_lit = sqrt(c) u
    at t_lit = t/sqrt(c). A wrong time factor (dt_lit = sqrt(c) dt) takes different steps and fails."""
    c, n, p, dt, steps = 0.5, 16, 3, 0.02, 200
    j = fields.sample_pspin(jax.random.key(0), n, p)
    s0 = sphere.random_points(jax.random.key(1), n)
    key = jax.random.key(2)
    book = dynamics.langevin(key, j, s0, temperature, dt=dt, n_steps=steps, record_every=20)
    lit = dynamics.langevin(key, math.sqrt(c) * j, s0, units.to_literature(temperature, "temperature", c),
                            dt=units.to_literature(dt, "time", c), n_steps=steps, record_every=20)
    np.testing.assert_allclose(lit.times, units.to_literature(np.asarray(book.times), "time", c), rtol=1e-12)
    np.testing.assert_allclose(lit.energy, units.to_literature(np.asarray(book.energy), "energy", c), atol=1e-9)
    np.testing.assert_allclose(lit.mu, units.to_literature(np.asarray(book.mu), "multiplier", c), atol=1e-9)
    np.testing.assert_allclose(lit.correlation, book.correlation, atol=1e-9)  # overlaps unchanged
    # the plausible wrong conversion of time: steps of sqrt(c) dt end somewhere else
    wrong = dynamics.langevin(key, math.sqrt(c) * j, s0, units.to_literature(temperature, "temperature", c),
                              dt=math.sqrt(c) * dt, n_steps=steps, record_every=20)
    assert np.max(np.abs(np.asarray(wrong.energy[-1]) - np.asarray(lit.energy[-1]))) > 1e-3


@pytest.mark.parametrize("fn", [units.to_literature, units.to_book])
def test_bad_inputs_name_the_parameter(fn):
    for kwargs, name in ((dict(value=1.0, quantity="energies"), "quantity"), (dict(value=1.0, quantity=3), "quantity"),
                         (dict(value=float("nan"), quantity="energy"), "value"),
                         (dict(value=[1.0, float("inf")], quantity="energy"), "value"),
                         (dict(value="abc", quantity="energy"), "value"),
                         (dict(value=1.0, quantity="energy", scale=0.0), "scale"),
                         (dict(value=1.0, quantity="energy", scale=-1.0), "scale")):
        with pytest.raises((TypeError, ValueError), match=rf"\b{name}\b"):
            fn(**kwargs)
    with pytest.raises(ValueError, match="quantity"):
        units.factor("length")

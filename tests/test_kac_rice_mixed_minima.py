"""Complexity of minima of mixed spherical models and the energy of the most numerous minima."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.optimize import minimize_scalar

from landscape import fields, kac_rice, rmt

MIX = fields.mixture({2: 2 / 3, 4: 1 / 3})


def _brute_force(u: float, xi: fields.Mixture) -> float:
    """The restricted supremum over y <= -2 sqrt(xi'') by a bounded scalar optimiser (no closed form used)."""
    c, b, a = (float(fields.xi(xi, 1.0, d)) for d in range(3))
    s2 = a + b - b * b / c
    m = b * u / c

    def minus_objective(y):
        return -(float(rmt.semicircle_log_potential(y / math.sqrt(a))) - (y - m) ** 2 / (2 * s2))

    res = minimize_scalar(minus_objective, bounds=(-40.0, -2 * math.sqrt(a)), method="bounded",
                          options={"xatol": 1e-12})
    best = min(res.fun, minus_objective(-2 * math.sqrt(a)))  # the optimiser stops short of the end point
    return 0.5 + 0.5 * math.log(a / b) - u * u / (2 * c) - best


@pytest.mark.parametrize("xi", [MIX, fields.mixture({3: 0.5, 4: 0.5}), fields.mixture({2: 0.3, 3: 0.7}),
                                fields.mixture({1: 0.1, 2: 0.4, 3: 0.5})])
def test_closed_form_matches_restricted_supremum(xi):
    for u in np.linspace(-2.2, -1.2, 11):
        assert abs(float(kac_rice.complexity_mixed_minima(u, xi)) - _brute_force(u, xi)) < 1e-8, u


def test_referee_values_for_two_plus_four():
    # 0.0028 at the marginal energy of typical points, 0.0132 at the maximum (rounded literature values)
    assert abs(float(kac_rice.complexity_mixed_minima(kac_rice.mixed_threshold_energy(MIX), MIX)) - 0.0028) < 5e-5
    top = kac_rice.mixed_minima_top_energy(MIX)
    assert abs(float(kac_rice.complexity_mixed_minima(top, MIX)) - 0.0132) < 5e-5
    assert abs(top - (-2 * (8 / 3) * math.sqrt(16 / 3) / (16 / 3 + 8 / 3))) < 1e-14


def test_top_is_the_argmax_and_above_the_marginal_energy():
    for xi in (MIX, fields.mixture({3: 0.5, 4: 0.5}), fields.mixture({2: 0.1, 3: 0.9})):
        u = np.linspace(-2.5, -1.0, 150001)
        s = np.asarray(kac_rice.complexity_mixed_minima(u, xi))
        top = kac_rice.mixed_minima_top_energy(xi)
        assert abs(u[np.argmax(s)] - top) < 2e-5
        assert top > kac_rice.mixed_threshold_energy(xi)   # the other energy is not the maximiser


def test_below_the_marginal_energy_minima_are_all_critical_points():
    u = np.linspace(-2.5, kac_rice.mixed_threshold_energy(MIX), 50)
    np.testing.assert_allclose(kac_rice.complexity_mixed_minima(u, MIX), kac_rice.complexity_mixed(u, MIX),
                               atol=1e-13)
    above = np.linspace(kac_rice.mixed_threshold_energy(MIX) + 1e-3, 0.0, 50)
    assert np.all(np.asarray(kac_rice.complexity_mixed_minima(above, MIX))
                  < np.asarray(kac_rice.complexity_mixed(above, MIX)))


def test_pure_model_reduces():
    for p in (3, 4):
        u_th = kac_rice.threshold_energy(p)
        below = np.linspace(-2.2, u_th, 30)
        np.testing.assert_allclose(kac_rice.complexity_mixed_minima(below, p), kac_rice.complexity(below, p),
                                   atol=1e-12)
        assert np.all(np.isneginf(np.asarray(kac_rice.complexity_mixed_minima(np.linspace(u_th + 1e-6, 1, 9), p))))
        assert abs(kac_rice.mixed_minima_top_energy(p) - u_th) < 1e-14


def test_external_field_regime_is_refused():
    with pytest.raises(ValueError, match="xi"):
        kac_rice.mixed_minima_top_energy(fields.mixture({1: 0.8, 3: 0.2}))

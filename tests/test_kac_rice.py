"""Unit tests of landscape.kac_rice."""

import math

import numpy as np
import pytest

import landscape as ls


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

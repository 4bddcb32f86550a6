r"""Units: between the book's normalisation and a literature normalisation of the same landscape.

The book normalises the covariance of the field as :math:`\mathbb E[H(\sigma)H(\sigma')] = N\xi(q)` with
:math:`\xi(1) = 1` for the pure p-spin (:math:`\xi(q) = q^p`), energies per spin :math:`u = H/N`, the Gibbs weight
:math:`e^{-H/T}` and the Langevin equation :math:`d\sigma = (-\nabla H - \mu\sigma)\,dt + \sqrt{2T}\,dW`
(gradient flow at :math:`T = 0`). Much of the physics literature, Crisanti & Sommers (1992) and Cugliandolo &
Kurchan (1993) among it, writes the same model with the covariance :math:`N\,c\,\xi(q)`: their
:math:`\xi_{\rm lit}(q) = q^p/2` is :math:`c = 1/2`. A literature field is a book field times :math:`\sqrt c`,

.. math:: H_{\rm lit} = \sqrt c\, H_{\rm book},

and every quantity follows from three invariances:

* **energies** (per spin, extensive, free energies, the Hessian's eigenvalues, the multiplier :math:`\mu`, rates):
  :math:`u_{\rm lit} = \sqrt c\, u_{\rm book}`;
* **temperatures**: the Gibbs weight :math:`e^{-H/T}` is the same measure, so :math:`T_{\rm lit} = \sqrt c\,
  T_{\rm book}` (inverse temperatures scale by :math:`1/\sqrt c`);
* **times**: with :math:`t_{\rm book} = \sqrt c\, t_{\rm lit}` the literature Langevin equation
  :math:`d\sigma = -\nabla H_{\rm lit}\,dt_{\rm lit} + \sqrt{2T_{\rm lit}}\,dW(t_{\rm lit})` becomes the book's
  (drift :math:`\sqrt c\,\nabla H_{\rm book}\,dt_{\rm book}/\sqrt c`; noise variance
  :math:`2\sqrt c\,T_{\rm book}\,dt_{\rm book}/\sqrt c`), so :math:`t_{\rm lit} = t_{\rm book}/\sqrt c`;
* **unchanged**: overlaps and correlations :math:`q, C(t, t')`, complexities (log counts per spin), and pure
  numbers (indices, counts, exponents); covariance functions :math:`\xi, \xi', \xi''` scale by :math:`c`.

For :math:`c = 1/2`: energies and temperatures in Crisanti–Sommers units are the book's divided by
:math:`\sqrt 2`, times multiplied by :math:`\sqrt 2`. Auffinger, Ben Arous & Černý (2013) use the book's
normalisation (:math:`c = 1`).

Sources: A. Crisanti & H.-J. Sommers, Z. Phys. B 87, 341 (1992) (the model, :math:`\xi = q^p/2`);
L. F. Cugliandolo & J. Kurchan, Phys. Rev. Lett. 71, 173 (1993) (the dynamics in the same units);
A. Auffinger, G. Ben Arous & J. Černý, Comm. Pure Appl. Math. 66, 165 (2013) (:math:`\xi = q^p`).
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from . import _validate

__all__ = ["QUANTITIES", "CRISANTI_SOMMERS_SCALE", "factor", "to_literature", "to_book"]

#: The covariance scale c of Crisanti–Sommers / Cugliandolo–Kurchan units, whose ``xi(q) = q^p / 2``.
CRISANTI_SOMMERS_SCALE = 0.5

#: Each quantity and the power k with which it scales, ``value_lit = c**k * value_book``.
QUANTITIES: dict[str, float] = {
    "energy": 0.5,  # u = H/N, E = H, free energies, Hessian eigenvalues
    "multiplier": 0.5,  # mu = -sigma.grad H/N (+ T): an energy per spin, also a rate
    "temperature": 0.5,
    "inverse_temperature": -0.5,
    "time": -0.5,
    "covariance": 1.0,  # xi(q), xi'(q), xi''(q)
    "overlap": 0.0,  # q, C(t, t'), m
    "complexity": 0.0,  # (1/N) log counts
    "number": 0.0,  # counts, indices, exponents, random-matrix constants: pure numbers
}


def _quantity(quantity: Any) -> float:
    if not isinstance(quantity, str):
        raise TypeError(f"quantity must be a string, one of {sorted(QUANTITIES)}, got {quantity!r}")
    if quantity not in QUANTITIES:
        raise ValueError(f"quantity must be one of {sorted(QUANTITIES)}, got {quantity!r}")
    return QUANTITIES[quantity]


def factor(quantity: str, scale: float = CRISANTI_SOMMERS_SCALE) -> float:
    r"""The factor :math:`c^k` with :math:`x_{\rm lit} = c^k\, x_{\rm book}` for a literature covariance
    :math:`N c\,\xi_{\rm book}(q)`.

    :math:`k = 1/2` for energies, multipliers and temperatures, :math:`-1/2` for times and inverse temperatures,
    :math:`1` for covariance functions, :math:`0` for overlaps, complexities and pure numbers (the module docstring derives
    them from :math:`H_{\rm lit} = \sqrt c H_{\rm book}`; Crisanti & Sommers 1992, Cugliandolo & Kurchan 1993 use
    :math:`c = 1/2`).

    Args:
        quantity: one of :data:`QUANTITIES`.
        scale: the covariance scale :math:`c > 0` (``0.5`` for :math:`\xi = q^p/2`).
    """
    k = _quantity(quantity)
    c = _validate.real("scale", scale, minimum=0.0, strict_minimum=True)
    return float(c**k)


def _convert(value: Any, f: float) -> float | np.ndarray:
    if isinstance(value, (bool, np.bool_, str)):
        raise TypeError(f"value must be a real number or array, got {value!r} of type {type(value).__name__}")
    if isinstance(value, numbers.Real):
        return _validate.real("value", value) * f
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"value must be a real number or array, got {type(value).__name__}") from None
    _validate.finite_array("value", arr)
    return arr * f


def to_literature(value: Any, quantity: str, scale: float = CRISANTI_SOMMERS_SCALE) -> float | np.ndarray:
    r"""A book value in the units of a literature covariance :math:`N c\,\xi_{\rm book}(q)`:
    :math:`x_{\rm lit} = c^k x_{\rm book}` (:func:`factor`).

    With the default :math:`c = 1/2` (Crisanti & Sommers 1992; Cugliandolo & Kurchan 1993, :math:`\xi = q^p/2`):
    :math:`u_{\rm CS} = u/\sqrt2`, :math:`T_{\rm CS} = T/\sqrt2`, :math:`t_{\rm CK} = \sqrt2\,t`; e.g. the book's
    :math:`T_d = \sqrt{3/4}` of the 3-spin is :math:`\sqrt{3/8} = 0.612` there.

    Args:
        value: a finite real number or array in book units.
        quantity: one of :data:`QUANTITIES`.
        scale: the covariance scale :math:`c > 0`.
    """
    return _convert(value, factor(quantity, scale))


def to_book(value: Any, quantity: str, scale: float = CRISANTI_SOMMERS_SCALE) -> float | np.ndarray:
    r"""A literature value (covariance :math:`N c\,\xi_{\rm book}(q)`) in book units:
    :math:`x_{\rm book} = c^{-k} x_{\rm lit}`, the inverse of :func:`to_literature`.

    With the default :math:`c = 1/2` (Crisanti & Sommers 1992; Cugliandolo & Kurchan 1993):
    :math:`u = \sqrt2\,u_{\rm CS}`, :math:`T = \sqrt2\,T_{\rm CS}`, :math:`t = t_{\rm CK}/\sqrt2`.

    Args:
        value: a finite real number or array in literature units.
        quantity: one of :data:`QUANTITIES`.
        scale: the covariance scale :math:`c > 0`.
    """
    return _convert(value, 1.0 / factor(quantity, scale))

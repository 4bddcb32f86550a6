r"""The Thouless–Anderson–Palmer (TAP) free energy of spherical spin glasses, and its states.

Conventions (the book's): :math:`S_N = \{\sigma : |\sigma|^2 = N\}`, :math:`\mathbb E[H(\sigma)H(\sigma')] =
N\xi(\sigma\cdot\sigma'/N)`, Gibbs measure :math:`\propto e^{-H/T}` on the surface measure of :math:`S_N`,
quantities per spin. Physics papers with :math:`\xi = q^p/2` (Kurchan, Parisi & Virasoro 1993; Crisanti & Sommers
1995; Castellani & Cavagna 2005) have energies, free energies and temperatures smaller by :math:`\sqrt2`.

**The TAP free energy.** For a magnetisation :math:`m \in \mathbb R^N` with :math:`|m|^2 = Nq`, :math:`0 \le q < 1`,

.. math:: \frac{F_{\rm TAP}(m)}N = \frac{H(m)}N - Ts_0 - \frac T2\log(1-q)
    - \frac\beta2\Big[\xi(1) - \xi(q) - (1-q)\,\xi'(q)\Big],

with :math:`s_0 = \frac12(1 + \log 2\pi)` (:data:`landscape.thermo.SPHERE_ENTROPY`). The three terms are: the
energy of the centre :math:`m`; the entropy of the band :math:`\{\sigma \in S_N : \sigma\cdot m = Nq\}`, a
sphere of radius :math:`\sqrt{N(1-q)}` (:math:`s_0 + \frac12\log(1-q)` per spin); and the Onsager reaction term,
the annealed free energy :math:`-\frac{\beta}{2N}\mathrm{Var}` of what :math:`H` does on the band beyond its value
and gradient at :math:`m`. That conditional variance is exactly :math:`N[\xi(1) - \xi(q) - (1-q)\xi'(q)]`: of
:math:`\mathrm{Var}\,H(\sigma) = N\xi(1)`, the pair :math:`(H(m), \hat m\cdot\nabla H(m))` explains
:math:`N\xi(q)` and the tangential derivative towards :math:`\sigma` explains :math:`N(1-q)\xi'(q)`. At
:math:`q = 0` it is the paramagnet :math:`-\beta\xi(1)/2 - Ts_0`. For the pure p-spin this is the functional of
Kurchan, Parisi & Virasoro (1993) and Crisanti & Sommers (1995) (with :math:`\xi(1) - \xi(q) - (1-q)\xi'(q) =
1 - pq^{p-1} + (p-1)q^p`); for mixtures it is the generalized TAP free energy of Subag (2018) and Chen, Panchenko
& Subag (2018). It describes a state only where Plefka's condition holds,
:math:`\beta^2\xi''(q)(1-q)^2 \le 1` (:func:`tap_plefka_parameter`): equality is the marginal (replicon-zero)
condition of :func:`landscape.thermo.threshold_1rsb`.

**States of the pure p-spin.** :math:`H(m) = q^{p/2}H(\hat\sigma)` (homogeneity, :math:`m = \sqrt q\,\hat\sigma`,
:math:`\hat\sigma \in S_N`). The gradient is :math:`\nabla F = \nabla H(m) + [T/(1-q) + \beta(1-q)\xi''(q)]\,m`,
so a stationary point has :math:`\hat\sigma` a critical point of :math:`H` on the sphere (the tangent part) and
:math:`q` a stationary point of the reduced free energy (:func:`tap_free_energy_along`) at the label
:math:`u = H(\hat\sigma)/N` (the radial part, by Euler's identity :math:`\hat\sigma\cdot\nabla H = pH`):

.. math:: p\,q^{p/2-1}u + \frac T{1-q} + \beta p(p-1)q^{p-2}(1-q) = 0
    \iff w^2 + puw + p(p-1) = 0, \qquad w = \frac{T}{(1-q)q^{p/2-1}} .

Real roots need :math:`u \le -2\sqrt{(p-1)/p} = u_{\rm th}` (:func:`landscape.kac_rice.threshold_energy`): TAP
states sit on the critical points below the threshold, which are minima for large :math:`N`; the root obeying
Plefka's condition is :math:`w = (-pu + \sqrt{p^2u^2 - 4p(p-1)})/2 \ge \sqrt{p(p-1)}`, with equality (marginal
states) exactly at :math:`u_{\rm th}`. Then :math:`(1-q)q^{p/2-1} = T/w` has its stable root :math:`q \ge (p-2)/p`
(a local minimum of the reduced free energy in :math:`q`; the smaller root is a barrier towards :math:`q = 0`).
The two merge at the spinodal :math:`T_{\rm sp}(u) = w\,\frac2p\big(\frac{p-2}p\big)^{(p-2)/2}`, above which the
state no longer exists. The tangent Hessian of :math:`F_{\rm TAP}` at the state is
:math:`q^{p/2-1}\,\mathrm{Hess}\,H(\hat\sigma)`, so the state is stable in the tangent directions iff
:math:`\hat\sigma` is a minimum. As :math:`T \to 0`, :math:`1 - q \approx T/w` and :math:`F/N \to u`. The label
:math:`u` does not change with :math:`T`: states are followed from the minima of :math:`H` (Kurchan, Parisi &
Virasoro 1993), so the TAP complexity of states labelled :math:`u` is the Kac–Rice complexity of minima at
:math:`u` at every temperature, whatever their free energy.

Sources: D. J. Thouless, P. W. Anderson and R. G. Palmer, Phil. Mag. 35 (1977) 593; J. Kurchan, G. Parisi and
M. A. Virasoro, *Barriers and metastable states as saddle points in the replica approach*, J. Phys. I France 3
(1993) 1819; A. Crisanti and H.-J. Sommers, *Thouless–Anderson–Palmer approach to the spherical p-spin spin glass
model*, J. Phys. I France 5 (1995) 805; T. Plefka, J. Phys. A 15 (1982) 1971; A. Cavagna, I. Giardina and
G. Parisi, Phys. Rev. B 57 (1998) 11251; E. Subag, *Free energy landscapes in spherical spin glasses*,
arXiv:1804.10576; W.-K. Chen, D. Panchenko and E. Subag, *The generalized TAP free energy*, arXiv:1812.05066;
T. Castellani and A. Cavagna, J. Stat. Mech. (2005) P05012.

Argument checks (types, ranges, finiteness, shapes; sizes against :func:`landscape.max_bytes`) run on concrete
values. Under ``jax.jit``/``jax.vmap`` the arguments are tracers and only shapes are checked: call a function
once on concrete inputs before transforming it (the package docstring: errors and limits).
"""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from scipy.optimize import brentq

from . import _validate, fields, thermo

__all__ = [
    "tap_free_energy",
    "tap_free_energy_along",
    "tap_plefka_parameter",
    "tap_self_overlap",
    "tap_spinodal_temperature",
    "tap_state_free_energy",
    "tap_state_energy",
    "tap_label_energy",
]

Array = jax.Array

#: slack allowed when a label ``u`` is compared with the threshold energy (rounding of :math:`-2\sqrt{(p-1)/p}`)
_THRESHOLD_SLACK = 1e-12


def _degree(p: Any) -> int:
    return _validate.integer("p", p, minimum=2)


def _temperature(temperature: Any) -> Any:
    """A positive temperature; a JAX tracer passes unchecked (so ``temperature`` can be a ``jit`` argument)."""
    if _validate.is_traced(temperature):
        return temperature
    return thermo._temperature(temperature)


def _onsager(xi_1: Any, xi_q: Any, dxi_q: Any, q: Any) -> Any:
    r""":math:`\xi(1) - \xi(q) - (1-q)\xi'(q)`."""
    return xi_1 - xi_q - (1.0 - q) * dxi_q


def tap_free_energy(field: Array | fields.MixedField, m: Array, temperature: float) -> Array:
    r"""The TAP free energy per spin of a sampled field at magnetisation ``m`` (book units):

    .. math:: \frac{F_{\rm TAP}(m)}N = \frac{H(m)}N - Ts_0 - \frac T2\log(1-q)
        - \frac\beta2\Big[\xi(1) - \xi(q) - (1-q)\xi'(q)\Big], \qquad q = \frac{|m|^2}N,

    with :math:`H(m)` the homogeneous polynomial of :func:`landscape.fields.energy` evaluated off the sphere and
    :math:`\xi(q) = \sum_p a_p^2q^p` read from the field (a pure tensor of order ``p``: :math:`q^p`). Kurchan,
    Parisi & Virasoro (1993), Crisanti & Sommers (1995) for the pure model (their :math:`\xi = q^p/2`: divide by
    :math:`\sqrt2`); Chen, Panchenko & Subag (2018) and Subag (2018) for mixtures. Differentiable with ``jax.grad``
    (for stationarity checks); multiply by :math:`N` for the extensive functional.

    Args:
        field: a coupling tensor from :func:`landscape.fields.sample_pspin` or a
            :class:`landscape.fields.MixedField`.
        m: magnetisation(s), shape ``(..., N)``, with :math:`|m|^2/N < 1`.
        temperature: :math:`T > 0` (a concrete number is validated; inside ``jax.jit`` it may be traced).

    Returns:
        float64 array of shape ``m.shape[:-1]``.
    """
    couplings, weights = fields._check_field(field)  # also finite couplings and weights (once per array)
    n = couplings[0].shape[0]
    t = _temperature(temperature)
    if not _validate.is_traced(m):
        _validate.finite_array("m", m)
        if np.iscomplexobj(m):
            raise TypeError(f"m must be a real array, got dtype {np.asarray(m).dtype}")
        m = jnp.asarray(m, dtype=jnp.float64)
    if m.ndim == 0 or m.shape[-1] != n:
        raise ValueError(f"m must have a last axis of length N = {n} (the couplings' size), got shape {m.shape}")
    q = jnp.sum(m * m, axis=-1) / n
    if not _validate.is_traced(q) and np.any(np.asarray(q) >= 1.0):
        raise ValueError(f"m must satisfy |m|^2/N = q in [0, 1), got q = {float(np.max(np.asarray(q))):.6g}")
    degrees = [j.ndim for j in couplings]
    variances = [w * w for w in weights]
    xi_1 = sum(variances)
    xi_q = sum(c * q**p for p, c in zip(degrees, variances))
    dxi_q = sum(c * p * q ** (p - 1) for p, c in zip(degrees, variances))
    energy = fields.derivatives(field, m, 0, on_sphere=False)[0] / n
    return (energy - t * thermo.SPHERE_ENTROPY - 0.5 * t * jnp.log1p(-q)
            - 0.5 / t * _onsager(xi_1, xi_q, dxi_q, q))


def tap_free_energy_along(q: Any, u: float, p: int, temperature: float) -> float | np.ndarray:
    r"""The TAP free energy per spin of the pure p-spin along the ray :math:`m = \sqrt q\,\hat\sigma` through a point
    :math:`\hat\sigma \in S_N` of energy :math:`u = H(\hat\sigma)/N`:

    .. math:: f(q; u) = q^{p/2}u - Ts_0 - \frac T2\log(1-q) - \frac\beta2\big[1 - pq^{p-1} + (p-1)q^p\big].

    It is :func:`tap_free_energy` at :math:`\sqrt q\,\hat\sigma` (homogeneity :math:`H(\sqrt q\,\hat\sigma) =
    q^{p/2}H(\hat\sigma)`); Kurchan, Parisi & Virasoro (1993), Crisanti & Sommers (1995), in book units. At
    :math:`q = 0` it is :func:`landscape.thermo.paramagnetic_free_energy`.

    Args:
        q: self-overlap(s), a real scalar or array with values in :math:`[0, 1)`.
        u: the energy per spin of :math:`\hat\sigma` (any real number).
        p: integer ``>= 2``.
        temperature: :math:`T > 0`.

    Returns:
        a float for scalar ``q``, else a float64 NumPy array of the shape of ``q``.
    """
    p = _degree(p)
    u = _validate.real("u", u)
    t = _temperature(temperature)
    scalar = np.ndim(q) == 0
    if scalar:
        q = _validate.real("q", q, minimum=0.0)
    arr = np.asarray(q, dtype=float)
    _validate.finite_array("q", arr)
    if np.any(arr < 0.0) or np.any(arr >= 1.0):
        raise ValueError("q must lie in [0, 1)")
    value = (arr ** (p / 2) * u - t * thermo.SPHERE_ENTROPY - 0.5 * t * np.log1p(-arr)
             - 0.5 / t * _onsager(1.0, arr**p, p * arr ** (p - 1), arr))
    return float(value) if scalar else value


def tap_plefka_parameter(q: float, xi: Any, temperature: float) -> float:
    r"""Plefka's parameter :math:`\beta^2\xi''(q)(1-q)^2` at self-overlap :math:`q`.

    The TAP free energy (:func:`tap_free_energy`) describes a state only where it is :math:`\le 1` (Plefka 1982);
    it equals the replicon condition of 1RSB, so it is exactly 1 for marginal states: the threshold states of the
    pure p-spin (:func:`tap_self_overlap` at :math:`u_{\rm th}`), and :func:`landscape.thermo.threshold_1rsb`.
    For a pure-model state of label :math:`u`, it is :math:`p(p-1)/w^2` with :math:`w` of the module docstring.

    Args:
        q: self-overlap in :math:`[0, 1)`.
        xi: an integer ``p`` or a :class:`landscape.fields.Mixture`.
        temperature: :math:`T > 0`.
    """
    q = thermo._overlap(q)
    mix = thermo._Xi(fields._mixture("xi", xi))
    t = _temperature(temperature)
    return mix(q, 2) * (1.0 - q) ** 2 / (t * t)


def _w(u: Any, p: int) -> float:
    r"""The Plefka-stable root :math:`w = (-pu + \sqrt{p^2u^2 - 4p(p-1)})/2` for a label ``u <= u_th``."""
    u = _validate.real("u", u)
    u_th = -2.0 * math.sqrt((p - 1) / p)
    if u > u_th + _THRESHOLD_SLACK:
        raise ValueError(f"u must be <= the threshold energy -2 sqrt((p-1)/p) = {u_th:.12g} for p = {p}: above it "
                         f"the TAP equation has no real root (no state is built on such a critical point), got {u}")
    disc = p * p * u * u - 4.0 * p * (p - 1)
    if disc < 64 * np.finfo(float).eps * p * p * u * u:  # at the threshold up to rounding: the double root
        disc = 0.0
    return 0.5 * (-p * u + math.sqrt(disc))


def _spinodal_ratio(p: int) -> float:
    r""":math:`\max_q (1-q)q^{p/2-1} = \frac2p\big(\frac{p-2}p\big)^{(p-2)/2}` (attained at :math:`q = (p-2)/p`)."""
    return 2.0 / p * ((p - 2) / p) ** ((p - 2) / 2)


def tap_spinodal_temperature(u: float, p: int) -> float:
    r"""The temperature above which the TAP state built on a critical point of energy ``u`` ceases to exist:

    .. math:: T_{\rm sp}(u) = w(u)\,\frac2p\Big(\frac{p-2}p\Big)^{\frac{p-2}2}, \qquad
        w(u) = \frac{-pu + \sqrt{p^2u^2 - 4p(p-1)}}2 ,

    where the stable and unstable roots of the reduced :math:`q`-equation merge at :math:`q = (p-2)/p`
    (a saddle-node: :math:`q` stays finite, it does not go to 0 continuously). Derived from Kurchan, Parisi &
    Virasoro (1993) / Crisanti & Sommers (1995) in book units. It increases as ``u`` decreases: the deepest states
    survive longest. For every ``u <= u_th`` it exceeds the dynamical temperature (for :math:`p = 3`,
    :math:`T_{\rm sp}(u_{\rm th}) = \sqrt{8/9} = 0.9428 > T_d = 0.8660`): TAP states exist above :math:`T_d`
    without carrying the Gibbs measure.

    Args:
        u: label, a real ``<= -2 sqrt((p-1)/p)``.
        p: integer ``>= 2`` (for :math:`p = 2` the state merges with the paramagnet, :math:`q \to 0`).
    """
    p = _degree(p)
    return _w(u, p) * _spinodal_ratio(p)


def _self_overlap(u: float, p: int, t: float) -> float:
    w = _w(u, p)
    ratio = t / w
    top = _spinodal_ratio(p)
    if ratio > top * (1.0 + 1e-14):
        raise ValueError(f"temperature {t} is above the spinodal temperature {w * top:.12g} of the TAP state with "
                         f"u = {u}, p = {p}: the state does not exist there")
    if ratio >= top * (1.0 - 1e-13):  # the tangent point, up to rounding of T_sp
        return (p - 2) / p
    # solve s (1-s)^{p/2-1} = T/w for s = 1 - q in (0, 2/p]; the left side increases there
    return 1.0 - float(brentq(lambda s: s * (1.0 - s) ** (p / 2 - 1) - ratio, 0.0, 2.0 / p,
                              xtol=1e-300, rtol=4 * np.finfo(float).eps, maxiter=500))


def tap_self_overlap(u: float, p: int, temperature: float) -> float:
    r"""Self-overlap :math:`q(T; u)` of the TAP state built on a critical point of energy ``u`` (pure p-spin): the
    root :math:`q \ge (p-2)/p` of

    .. math:: (1-q)\,q^{p/2-1} = \frac Tw, \qquad w = \frac{-pu + \sqrt{p^2u^2 - 4p(p-1)}}2 ,

    the stationarity of :func:`tap_free_energy_along` in :math:`q` on the branch obeying Plefka's condition
    (module docstring; Kurchan, Parisi & Virasoro 1993; Crisanti & Sommers 1995). :math:`q \to 1` as
    :math:`T \to 0` (:math:`1 - q \approx T/w`), and :math:`q = (p-2)/p` at the spinodal
    (:func:`tap_spinodal_temperature`). At :math:`u = u_{\rm th}` the state is marginal for all :math:`T`
    (:func:`tap_plefka_parameter` = 1). Below :math:`T_s` the equilibrium Edwards–Anderson parameter of
    :func:`landscape.thermo.solve_1rsb` is this :math:`q` at :math:`u = u_0` (ground states).

    Args:
        u: label, real ``<= -2 sqrt((p-1)/p)``.
        p: integer ``>= 2``.
        temperature: :math:`0 < T \le T_{\rm sp}(u)`.
    """
    p = _degree(p)
    return _self_overlap(u, p, _temperature(temperature))


def tap_state_free_energy(u: float, p: int, temperature: float) -> float:
    r"""Free energy per spin of the TAP state of label ``u``: :func:`tap_free_energy_along` at
    :math:`q = ` :func:`tap_self_overlap`. It tends to ``u`` as :math:`T \to 0`. For
    :math:`T_s \le T \le T_d` the equilibrium states have the label :math:`u` with
    :math:`\Sigma_p(u) = \Sigma_c(T)` and free energy :math:`f_{\rm para} + T\Sigma_c(T)`
    (:func:`landscape.thermo.solve_1rsb`, ``state_free_energy``).

    Args:
        u: label, real ``<= -2 sqrt((p-1)/p)``.
        p: integer ``>= 2``.
        temperature: :math:`0 < T \le T_{\rm sp}(u)`.
    """
    p = _degree(p)
    t = _temperature(temperature)
    return tap_free_energy_along(_self_overlap(u, p, t), u, p, t)


def tap_state_energy(u: float, p: int, temperature: float) -> float:
    r"""Internal energy per spin of the TAP state of label ``u``, :math:`e = \partial(\beta f)/\partial\beta` at fixed
    label (the :math:`q`-derivative vanishes at the state):

    .. math:: e(T; u) = q^{p/2}u - \beta\big[1 - pq^{p-1} + (p-1)q^p\big], \qquad q = q(T; u).

    It tends to ``u`` as :math:`T \to 0`. For :math:`u = u_{\rm th}` it is the asymptotic energy of the aging
    Langevin dynamics (:func:`landscape.thermo.threshold_1rsb`, Cugliandolo & Kurchan 1993).

    Args:
        u: label, real ``<= -2 sqrt((p-1)/p)``.
        p: integer ``>= 2``.
        temperature: :math:`0 < T \le T_{\rm sp}(u)`.
    """
    p = _degree(p)
    t = _temperature(temperature)
    q = _self_overlap(u, p, t)
    return q ** (p / 2) * u - _onsager(1.0, q**p, p * q ** (p - 1), q) / t


def tap_label_energy(q: float, p: int, temperature: float) -> float:
    r"""Inverse of :func:`tap_self_overlap`: the label :math:`u` of the TAP state with self-overlap :math:`q` at
    temperature :math:`T`,

    .. math:: u = -\frac1p\Big(w + \frac{p(p-1)}w\Big), \qquad w = \frac{T}{(1-q)q^{p/2-1}} ,

    defined on the stable branch :math:`q \ge (p-2)/p` with Plefka's condition :math:`w \ge \sqrt{p(p-1)}`.
    With :math:`q` from :func:`landscape.thermo.solve_1rsb` it gives the zero-temperature energy of the minima
    whose TAP states carry the Gibbs measure (:math:`u_{\rm th}` at :math:`T_d`, :math:`u_0` at and below
    :math:`T_s`).

    Args:
        q: self-overlap in :math:`[(p-2)/p, 1)`.
        p: integer ``>= 2``.
        temperature: :math:`T > 0`.
    """
    p = _degree(p)
    t = _temperature(temperature)
    q = thermo._overlap(q)
    if q < (p - 2) / p or (p > 2 and q == 0.0):
        raise ValueError(f"q must be in [(p-2)/p, 1) = [{(p - 2) / p:.6g}, 1) (the stable branch), got {q}")
    w = t / ((1.0 - q) * q ** (p / 2 - 1))
    if w * w < p * (p - 1) * (1.0 - 1e-12):
        raise ValueError(f"q = {q} at temperature {t} violates Plefka's condition beta^2 xi''(q)(1-q)^2 <= 1 "
                         f"(= {p * (p - 1) / (w * w):.6g}): no TAP state of the pure p-spin has it")
    return -(w + p * (p - 1) / w) / p

r"""Isotropic Gaussian fields on :math:`S_N`: spherical p-spin models and their mixtures.

A centred Gaussian field with :math:`\mathbb{E}[H(\sigma)H(\sigma')] = N\,\xi(q)`, :math:`q = \sigma\cdot\sigma'/N`,
and mixture :math:`\xi(q) = \sum_p a_p^2 q^p`. The pure p-spin is realised by an i.i.d. standard Gaussian
tensor :math:`J`:

.. math::

    H(\sigma) = N^{-(p-1)/2} \sum_{i_1,\dots,i_p=1}^N J_{i_1\dots i_p}\,\sigma_{i_1}\cdots\sigma_{i_p},
    \qquad \mathbb{E}[H(\sigma)H(\sigma')] = N^{-(p-1)}(\sigma\cdot\sigma')^p = N q^p ,

and a mixture is an independent sum :math:`H = \sum_p a_p H_p`. The gradient and Hessian below are closed-form
tensor contractions (a sum over the slots of :math:`J`, so :math:`J` need not be symmetric); the unit tests check
them against ``jax.grad``/``jax.hessian``.

Sources: Crisanti & Sommers, Z. Phys. B 87 (1992) 341; Auffinger, Ben Arous & Černý, CPAM 66 (2013) 165;
Auffinger & Ben Arous, Ann. Probab. 41 (2013) 4214 (mixtures).
"""

from __future__ import annotations

import itertools
from functools import partial
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from . import _validate, sphere

Array = jax.Array

#: Largest number of tensor entries ``n**p`` that :func:`sample_pspin` will allocate (8 GB of float64).
MAX_TENSOR_ENTRIES = 10**9


class Mixture(NamedTuple):
    r"""A covariance function :math:`\xi(q) = \sum_p c_p q^p` with :math:`c_p = a_p^2 \ge 0`.

    Build it with :func:`pure` or :func:`mixture`, which validate. ``degrees`` are distinct integers
    :math:`p \ge 1` in increasing order; ``coefficients`` are the variances :math:`c_p = a_p^2`.
    """

    degrees: tuple[int, ...]
    coefficients: tuple[float, ...]


class MixedField(NamedTuple):
    r"""A sampled mixed field :math:`H = \sum_p a_p H_p`: one coupling tensor per degree, with weights :math:`a_p`."""

    couplings: tuple[Array, ...]
    weights: tuple[float, ...]


def pure(p: int) -> Mixture:
    r"""The pure p-spin covariance :math:`\xi(q) = q^p` (:math:`\xi(1)=1`, :math:`\xi'(1)=p`, :math:`\xi''(1)=p(p-1)`)."""
    p = _validate.integer("p", p, minimum=2)
    return Mixture((p,), (1.0,))


def mixture(coefficients: dict[int, float]) -> Mixture:
    r"""A mixture :math:`\xi(q) = \sum_p c_p q^p` from a mapping ``{p: c_p}`` with :math:`c_p = a_p^2 \ge 0`.

    Degrees must be integers :math:`\ge 1` and at least one coefficient must be positive. Zero coefficients are
    dropped. Example: ``mixture({2: 0.5, 4: 0.5})`` has :math:`\xi(1) = 1`.
    """
    if not isinstance(coefficients, dict) or not coefficients:
        raise TypeError(f"coefficients must be a non-empty dict {{p: a_p^2}}, got {coefficients!r}")
    items = []
    for p, c in coefficients.items():
        p = _validate.integer("degree p in coefficients", p, minimum=1)
        c = _validate.real(f"coefficient a_{p}^2", c, minimum=0.0)
        if c > 0:
            items.append((p, c))
    if not items:
        raise ValueError("coefficients must contain at least one positive a_p^2")
    items.sort()
    return Mixture(tuple(p for p, _ in items), tuple(c for _, c in items))


def _mixture(name: str, xi: Mixture | int) -> Mixture:
    """Accept a :class:`Mixture` or an integer ``p`` (meaning the pure p-spin)."""
    if isinstance(xi, Mixture):
        return xi
    if isinstance(xi, (int, np.integer)) and not isinstance(xi, bool):
        return pure(xi)
    raise TypeError(f"{name} must be a landscape.fields.Mixture or an integer p >= 2, got {type(xi).__name__}")


def xi(mix: Mixture | int, q: Array, derivative: int = 0) -> Array:
    r"""The covariance function or its derivative: :math:`\xi^{(d)}(q) = \sum_p c_p\, p^{\underline{d}}\, q^{p-d}`.

    ``mix`` is a :class:`Mixture` or an integer ``p``; ``q`` any real array (the field lives on :math:`[-1,1]`,
    but the polynomial is defined everywhere); ``derivative`` :math:`d \in \{0,1,2,3\}`.
    :math:`p^{\underline{d}} = p(p-1)\cdots(p-d+1)` is the falling factorial.
    """
    mix = _mixture("mix", mix)
    d = _validate.integer("derivative", derivative, minimum=0, maximum=3)
    _validate.finite_array("q", q)
    q = jnp.asarray(q, dtype=jnp.float64)
    total = jnp.zeros_like(q)
    for p, c in zip(mix.degrees, mix.coefficients):
        if p >= d:
            falling = float(np.prod(np.arange(p, p - d, -1))) if d else 1.0
            total = total + c * falling * q ** (p - d)
    return total


def covariance(mix: Mixture | int, sigma: Array, tau: Array) -> Array:
    r"""The field's covariance :math:`\mathbb{E}[H(\sigma)H(\tau)] = N\,\xi(\sigma\cdot\tau/N)`, batched."""
    q = sphere.overlap(sigma, tau)
    return jnp.shape(sigma)[-1] * xi(mix, q)


def sample_pspin(key: Array, n: int, p: int) -> Array:
    r"""Couplings of a pure p-spin on :math:`S_N`: a tensor of shape ``(n,)*p`` with i.i.d. :math:`N(0,1)` entries.

    The normalisation :math:`N^{-(p-1)/2}` is applied by :func:`energy`, so that
    :math:`\mathbb{E}[H(\sigma)H(\sigma')] = N q^p` exactly (Auffinger, Ben Arous & Černý 2013).
    The tensor is not symmetrised: symmetrising leaves :math:`H` unchanged.
    """
    return _sample_couplings(key, n, _validate.integer("p", p, minimum=2))


def _sample_couplings(key: Array, n: int, p: int) -> Array:
    """I.i.d. standard Gaussian tensor of shape ``(n,)*p``, ``p >= 1`` (mixtures may contain a linear term)."""
    _validate.prng_key("key", key)
    n = _validate.integer("n", n, minimum=2)
    if n**p > MAX_TENSOR_ENTRIES:
        raise ValueError(f"n**p = {n}**{p} exceeds MAX_TENSOR_ENTRIES = {MAX_TENSOR_ENTRIES}; lower n or p")
    # drawn flat and reshaped: the same law, and XLA compiles a one-dimensional sampler several times faster
    return jax.random.normal(key, (n**p,), dtype=jnp.float64).reshape((n,) * p)


def sample_mixture(key: Array, n: int, mix: Mixture | int) -> MixedField:
    r"""Sample :math:`H = \sum_p a_p H_p` with independent pure fields :math:`H_p` and :math:`a_p = \sqrt{c_p}`.

    Then :math:`\mathbb{E}[H(\sigma)H(\sigma')] = N\sum_p a_p^2 q^p = N\xi(q)` (Auffinger & Ben Arous 2013).
    """
    mix = _mixture("mix", mix)
    _validate.prng_key("key", key)
    keys = jax.random.split(key, len(mix.degrees))
    couplings = tuple(_sample_couplings(k, n, p) for k, p in zip(keys, mix.degrees))
    return MixedField(couplings, tuple(float(np.sqrt(c)) for c in mix.coefficients))


def _check_field(field: Array | MixedField) -> tuple[tuple[Array, ...], tuple[float, ...]]:
    """Return ``(couplings, weights)`` for a pure tensor or a :class:`MixedField`, validating shapes."""
    if isinstance(field, MixedField):
        couplings, weights = field.couplings, field.weights
    elif isinstance(field, (jax.Array, np.ndarray)):
        couplings, weights = (field,), (1.0,)
    else:
        raise TypeError(f"field must be a coupling tensor (jax array) or a MixedField, got {type(field).__name__}")
    n = None
    for j in couplings:
        if j.ndim < 1 or len(set(j.shape)) != 1:
            raise ValueError(f"each coupling tensor must have shape (n,)*p with p >= 1, got {j.shape}")
        if n is not None and j.shape[0] != n:
            raise ValueError(f"all coupling tensors must share n, got {n} and {j.shape[0]}")
        n = j.shape[0]
    return couplings, weights


def _check_sigma(sigma: Array, n: int) -> Array:
    sigma = sphere._point("sigma", sigma, batched=True)
    if sigma.shape[-1] != n:
        raise ValueError(f"sigma must have last axis of length n = {n} (the couplings' size), got {sigma.shape[-1]}")
    return sigma


def _slot_sums(field: Array | MixedField, order: int) -> tuple[tuple[Array, ...], int]:
    r"""Tensors :math:`G^{(p)} = a_p N^{-(p-1)/2}\sum_{k_1\neq\dots\neq k_d}J^{(p)}` with slots :math:`k_1..k_d` moved first.

    With them, the ``order``-th derivative of :math:`H` is one contraction of the last :math:`p-d` slots with
    :math:`\sigma` per degree: a matrix product, computed once per field and reused along a trajectory.
    """
    couplings, weights = _check_field(field)
    n = couplings[0].shape[0]
    sums = []
    for j, w in zip(couplings, weights):
        if j.ndim < order:
            continue
        scale = w * n ** (-(j.ndim - 1) / 2)
        slots = list(itertools.permutations(range(j.ndim), order))
        sums.append(scale * sum(jnp.moveaxis(j, s, tuple(range(order))) for s in slots))
    return tuple(sums), n


def _apply_slot_sums(sums: tuple[Array, ...], n: int, order: int, sigma: Array) -> Array:
    """Contract the trailing slots of each tensor from :func:`_slot_sums` with ``sigma`` (batched) and add up."""

    def one(s):
        total = jnp.zeros((n,) * order)
        for g in sums:
            for _ in range(g.ndim - order):
                g = g @ s
            total = total + g
        return total

    return jnp.vectorize(one, signature=f"(n)->({','.join('n' * order)})")(sigma)


def energy(field: Array | MixedField, sigma: Array) -> Array:
    r"""Extensive energy :math:`H(\sigma) = \sum_p a_p N^{-(p-1)/2}\sum J^{(p)}_{i_1\dots i_p}\sigma_{i_1}\cdots\sigma_{i_p}`.

    ``field`` is a coupling tensor from :func:`sample_pspin` or a :class:`MixedField`; ``sigma`` a point of
    :math:`S_N` or a batch of points (leading axes). Divide by :math:`N` for the intensive energy :math:`u`.
    """
    couplings, _ = _check_field(field)
    return _derivative(field, _check_sigma(sigma, couplings[0].shape[0]), 0)


@partial(jax.jit, static_argnames=("order",))
def _derivative(field: Array | MixedField, sigma: Array, order: int) -> Array:
    """The ``order``-th Euclidean derivative of the energy, compiled once per field structure and shape."""
    sums, n = _slot_sums(field, order)
    return _apply_slot_sums(sums, n, order, sigma)


def gradient(field: Array | MixedField, sigma: Array) -> Array:
    r"""Euclidean gradient in closed form: :math:`\partial_i H = \sum_p a_p N^{-(p-1)/2}\sum_{k=1}^p (J^{(p)}\text{ contracted with }\sigma\text{ in every slot but }k)_i`.

    For a symmetric tensor this is :math:`p\,N^{-(p-1)/2} J_{i\,i_2\dots i_p}\sigma_{i_2}\cdots\sigma_{i_p}`.
    Batched over leading axes of ``sigma``. Use :func:`landscape.sphere.project_gradient` for the Riemannian one.
    """
    couplings, _ = _check_field(field)
    return _derivative(field, _check_sigma(sigma, couplings[0].shape[0]), 1)


def hessian(field: Array | MixedField, sigma: Array) -> Array:
    r"""Euclidean Hessian in closed form: :math:`\partial_i\partial_j H = \sum_p a_p N^{-(p-1)/2}\sum_{k\neq l}(J^{(p)}\text{ with slots }k,l\text{ free})_{ij}`.

    For a symmetric tensor this is :math:`p(p-1)N^{-(p-1)/2}J_{ij\,i_3\dots i_p}\sigma_{i_3}\cdots\sigma_{i_p}`.
    Batched over leading axes of ``sigma``. Use :func:`landscape.sphere.project_hessian` for the Riemannian one.
    """
    couplings, _ = _check_field(field)
    return _derivative(field, _check_sigma(sigma, couplings[0].shape[0]), 2)


def _derivative_tensors(field: Array | MixedField) -> tuple[tuple[tuple[Array, ...], ...], int]:
    """The contraction tensors of the energy, gradient and Hessian (see :func:`_slot_sums`), built once."""
    return tuple(_slot_sums(field, order)[0] for order in range(3)), _check_field(field)[0][0].shape[0]


def _tangent_at(tensors: tuple[tuple[tuple[Array, ...], ...], int], sigma: Array) -> tuple[Array, Array, Array]:
    """Energy, gradient and Riemannian Hessian in the tangent basis at one point, from :func:`_derivative_tensors`."""
    sums, n = tensors
    energy_, grad, hess = (_apply_slot_sums(sums[d], n, d, sigma) for d in range(3))
    basis = sphere.tangent_basis(sigma)
    riemannian = sphere.project_hessian(sigma, grad, hess)
    return energy_, basis.T @ grad, basis.T @ riemannian @ basis


@jax.jit
def _tangent_batch(field: Array | MixedField, sigma: Array) -> tuple[Array, Array, Array]:
    tensors = _derivative_tensors(field)
    return jax.vmap(lambda s: _tangent_at(tensors, s))(sigma)


def tangent_derivatives(field: Array | MixedField, sigma: Array) -> tuple[Array, Array, Array]:
    r"""Energy, gradient and Hessian at ``sigma`` in the orthonormal tangent basis ``E = tangent_basis(sigma)``.

    Returns :math:`H(\sigma)`, :math:`g = E^\top\nabla H` (the Riemannian gradient in tangent coordinates, shape
    ``(N-1,)``) and :math:`h = E^\top P_\sigma[\nabla^2H - (\sigma\cdot\nabla H/N)I]P_\sigma E` (the Riemannian
    Hessian, shape ``(N-1, N-1)``), batched over leading axes of ``sigma``. For the pure p-spin at a fixed point,
    :math:`H \sim \mathcal N(0, N)`, :math:`g \sim \mathcal N(0, pI)` and
    :math:`h = \sqrt{p(p-1)(N-1)/N}\,W_{N-1} - (pH/N) I` with :math:`W` a GOE matrix, all three independent but for
    the shift (derived in chapter 2 of the book; Auffinger, Ben Arous & Černý 2013).
    """
    couplings, _ = _check_field(field)
    sigma = _check_sigma(sigma, couplings[0].shape[0])
    batch = sigma.shape[:-1]
    h, g, hess = _tangent_batch(field, sigma.reshape((-1, sigma.shape[-1])))
    n = sigma.shape[-1]
    return h.reshape(batch), g.reshape(batch + (n - 1,)), hess.reshape(batch + (n - 1, n - 1))


def symmetrize(couplings: Array) -> Array:
    r"""The symmetric tensor :math:`\tilde J = \frac{1}{p!}\sum_{\pi\in S_p} J_{i_{\pi(1)}\dots i_{\pi(p)}}`.

    It defines the same field as :math:`J` (the monomial :math:`\sigma_{i_1}\cdots\sigma_{i_p}` is symmetric), and
    makes the gradient a single contraction, :math:`\nabla H = pN^{-(p-1)/2}\tilde J[\cdot,\sigma,\dots,\sigma]`.
    """
    if not isinstance(couplings, (jax.Array, np.ndarray)) or couplings.ndim < 1 or len(set(couplings.shape)) != 1:
        raise ValueError(f"couplings must be an array of shape (n,)*p, got {getattr(couplings, 'shape', couplings)}")
    perms = list(itertools.permutations(range(couplings.ndim)))
    return sum(jnp.transpose(couplings, perm) for perm in perms) / len(perms)

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

**Cost.** A derivative streams the :math:`N^p` couplings from memory, so the best possible cost is one pass over
them, the cost of one matrix-vector product with :math:`J` reshaped to :math:`N^{p-1}\times N`. Raw couplings are
contracted slot by slot, never copied: two passes for the energy and gradient, three with the Hessian. A
:class:`PreparedField` (:func:`prepare`, done once per field by every iterative routine) stores the symmetrised
couplings, and energy, gradient and Hessian together cost one pass. ``benchmarks/bench_kernels.py`` measures both
against NumPy.

Sources: Crisanti & Sommers, Z. Phys. B 87 (1992) 341; Auffinger, Ben Arous & Černý, CPAM 66 (2013) 165;
Auffinger & Ben Arous, Ann. Probab. 41 (2013) 4214 (mixtures).

Argument checks (types, ranges, finiteness, shapes; sizes against :func:`landscape.max_bytes`) run on concrete
values. Under ``jax.jit``/``jax.vmap`` the arguments are tracers and only shapes are checked: call a function
once on concrete inputs before transforming it (the package docstring: errors and limits).
"""

from __future__ import annotations

import itertools
import weakref
from functools import partial
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from . import _validate, sphere

Array = jax.Array

__all__ = [
    "MAX_TENSOR_ENTRIES",
    "Field",
    "Mixture",
    "MixedField",
    "PreparedField",
    "pure",
    "mixture",
    "xi",
    "covariance",
    "sample_pspin",
    "sample_mixture",
    "prepare",
    "derivatives",
    "energy",
    "gradient",
    "hessian",
    "tangent_derivatives",
    "symmetrize",
]

#: Largest number of tensor entries ``n**p`` that :func:`sample_pspin` will allocate (8 GB of float64). A hard cap
#: on the shape, independent of the memory limit: with the default :func:`landscape.max_bytes` (4 GiB) the memory
#: check of :func:`sample_pspin` (``_SAMPLE_BYTES_PER_ENTRY`` bytes per entry while sampling) refuses smaller
#: tensors first; the cap binds only when the limit is raised above ~20 GB. Kept at ``10**9`` because
#: :mod:`landscape.spiked` derives its own cap from it.
MAX_TENSOR_ENTRIES = 10**9

#: Bytes per coupling entry while sampling: the float64 output (8) and the sampler's work array of random bits and
#: their transform (12, from XLA's memory analysis of ``jax.random.normal``).
_SAMPLE_BYTES_PER_ENTRY = 20


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
        c = _validate.real(f"coefficients[{p}] (a_{p}^2)", c, minimum=0.0)
        if c > 0:
            items.append((p, c))
    if not items:
        raise ValueError("coefficients must contain at least one positive a_p^2")
    items.sort()
    return Mixture(tuple(p for p, _ in items), tuple(c for _, c in items))


def _mixture(name: str, xi: Mixture | int) -> Mixture:
    """Accept a :class:`Mixture` or an integer ``p`` (meaning the pure p-spin), checked as :func:`mixture` and
    :func:`pure` check theirs (a hand-built ``Mixture`` too), with ``name`` in the messages."""
    if isinstance(xi, Mixture):
        degrees, coefficients = xi
        if not isinstance(degrees, tuple) or not isinstance(coefficients, tuple) or not degrees \
                or len(degrees) != len(coefficients):
            raise ValueError(f"{name} must be a Mixture of two non-empty tuples of equal length (degrees, "
                             f"coefficients), got {xi!r}")
        for k, (p, c) in enumerate(zip(degrees, coefficients)):
            _validate.integer(f"{name}.degrees[{k}]", p, minimum=1)
            if not _validate.is_traced(c):
                _validate.real(f"{name}.coefficients[{k}]", c, minimum=0.0)
        if not any(_validate.is_traced(c) or c > 0 for c in coefficients):
            raise ValueError(f"{name} must have at least one positive coefficient, got {xi!r}")
        return xi
    if isinstance(xi, (int, np.integer)) and not isinstance(xi, bool):
        return pure(_validate.integer(name, xi, minimum=2))
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
    _check_tensor_size(n, (p,))
    # drawn flat and reshaped: the same law, and XLA compiles a one-dimensional sampler several times faster
    return jax.random.normal(key, (n**p,), dtype=jnp.float64).reshape((n,) * p)


def _check_tensor_size(n: int, degrees: tuple[int, ...]) -> None:
    """Refuse coupling tensors of shapes ``(n,)*p`` above :data:`MAX_TENSOR_ENTRIES` or the memory limit, before
    sampling any of them (all degrees of a mixture together)."""
    for p in degrees:
        if n**p > MAX_TENSOR_ENTRIES:
            raise ValueError(f"n**p = {n}**{p} exceeds MAX_TENSOR_ENTRIES = {MAX_TENSOR_ENTRIES}; lower n or p")
    entries = sum(n**p for p in degrees)
    _validate.allocation(f"sampling couplings of n = {n}, degrees p = {degrees} ({entries} entries)",
                         entries * _SAMPLE_BYTES_PER_ENTRY)


def sample_mixture(key: Array, n: int, mix: Mixture | int) -> MixedField:
    r"""Sample :math:`H = \sum_p a_p H_p` with independent pure fields :math:`H_p` and :math:`a_p = \sqrt{c_p}`.

    Then :math:`\mathbb{E}[H(\sigma)H(\sigma')] = N\sum_p a_p^2 q^p = N\xi(q)` (Auffinger & Ben Arous 2013).
    """
    mix = _mixture("mix", mix)
    _validate.prng_key("key", key)
    _check_tensor_size(_validate.integer("n", n, minimum=2), mix.degrees)
    keys = jax.random.split(key, len(mix.degrees))
    couplings = tuple(_sample_couplings(k, n, p) for k, p in zip(keys, mix.degrees))
    return MixedField(couplings, tuple(float(np.sqrt(c)) for c in mix.coefficients))


class PreparedField(NamedTuple):
    r"""A field prepared once for many evaluations: per degree, the symmetrised and scaled couplings.

    ``tensors[k]`` is :math:`S^{(p)} = a_p N^{-(p-1)/2}\,\tilde J^{(p)}` with :math:`\tilde J` the symmetrisation of
    :math:`J^{(p)}` (see :func:`symmetrize`), so that

    .. math:: H(\sigma) = \sum_p S^{(p)}[\sigma,\dots,\sigma], \quad \nabla H = \sum_p p\,S^{(p)}[\cdot,\sigma,
        \dots,\sigma], \quad \nabla^2 H = \sum_p p(p-1)\,S^{(p)}[\cdot,\cdot,\sigma,\dots,\sigma]:

    energy, gradient and Hessian come from *one* pass over each tensor (its trailing slots contracted with
    :math:`\sigma`). ``weights`` are the :math:`a_p` (so :math:`\xi(q) = \sum_p a_p^2 q^p` can be read back).
    Build it with :func:`prepare`.
    """

    tensors: tuple[Array, ...]
    weights: tuple[float, ...]


#: What every function taking a field accepts, namely the coupling tensor of a pure p-spin (an array), a
#: :class:`MixedField` or a :class:`PreparedField`.
Field = Array | MixedField | PreparedField


# Concrete JAX arrays already found finite, by id (a weak reference drops the entry when the array dies; JAX
# arrays are immutable, so a check holds for the array's lifetime): a field is scanned once, not at every call.
_FINITE: dict[int, weakref.ref] = {}


def _finite_tensor(name: str, t: Any) -> None:
    """Raise ``ValueError`` naming ``name`` if a concrete coupling tensor holds NaN or infinity (no-op on tracers).

    One reduction over the tensor (a non-finite entry makes the sum non-finite; an overflowing sum of finite
    entries is told apart by the exact test), remembered for JAX arrays.
    """
    if _validate.is_traced(t):
        return
    ref = _FINITE.get(id(t))
    if ref is not None and ref() is t:
        return
    arr = np.asarray(t)  # on the host: a concrete array closed over inside a jit trace must not be staged
    with np.errstate(over="ignore", invalid="ignore"):
        finite = bool(np.isfinite(arr.sum())) or bool(np.all(np.isfinite(arr)))
    if not finite:
        raise ValueError(f"{name} must contain only finite values (found NaN or infinity)")
    _trust(t)


def _trust(t: Any) -> None:
    """Remember a concrete JAX array as finite."""
    if isinstance(t, jax.Array) and not _validate.is_traced(t):
        key = id(t)
        _FINITE[key] = weakref.ref(t, lambda _, key=key: _FINITE.pop(key, None))


def _check_field(field: Field) -> tuple[tuple[Array, ...], tuple[float, ...]]:
    """Return ``(couplings, weights)`` for a pure tensor, a :class:`MixedField` or a :class:`PreparedField`.

    Checks, naming ``field``: the form, real numeric dtypes, shapes ``(n,)*p`` with one ``n >= 2``, finite couplings
    and finite real weights, one weight per tensor. The finiteness of a concrete JAX array is checked once in its
    lifetime (see :func:`_finite_tensor`), so passing the same field to many calls scans it once; tracers (inside
    ``jit``) are checked for shapes only.
    """
    if isinstance(field, (MixedField, PreparedField)):
        couplings, weights = field
        label = "field.couplings" if isinstance(field, MixedField) else "field.tensors"
        if not isinstance(couplings, (tuple, list)) or not couplings:
            raise ValueError(f"{label} must be a non-empty tuple of coupling tensors, got {couplings!r}")
        if not isinstance(weights, (tuple, list)) or len(weights) != len(couplings):
            raise ValueError(f"field.weights must be a tuple with one weight per tensor ({len(couplings)}), "
                             f"got {weights!r}")
        for k, w in enumerate(weights):
            if _validate.is_traced(w):
                continue
            if isinstance(w, (bool, np.bool_)) or np.ndim(w) != 0 or not np.issubdtype(np.asarray(w).dtype, np.number) \
                    or np.iscomplexobj(w):
                raise TypeError(f"field.weights[{k}] must be a real number, got {w!r}")
            if not np.isfinite(float(w)):
                raise ValueError(f"field.weights[{k}] must be finite, got {w}")
        names = [f"{label}[{k}]" for k in range(len(couplings))]
    elif isinstance(field, (jax.Array, np.ndarray)):
        couplings, weights = (field,), (1.0,)
        names = ["field"]
    else:
        raise TypeError(f"field must be a coupling tensor (jax array), a MixedField or a PreparedField, "
                        f"got {type(field).__name__}")
    n = None
    for name, j in zip(names, couplings):
        if not isinstance(j, (jax.Array, np.ndarray)):
            raise TypeError(f"{name} must be a coupling tensor (jax or numpy array), got {type(j).__name__}")
        if not (jnp.issubdtype(j.dtype, jnp.floating) or jnp.issubdtype(j.dtype, jnp.integer)):
            raise TypeError(f"{name} must be a real numeric array, got dtype {j.dtype}")
        if j.ndim < 1 or len(set(j.shape)) != 1:
            raise ValueError(f"each coupling tensor must have shape (n,)*p with p >= 1, got {j.shape} for {name}")
        if j.shape[0] < 2:
            raise ValueError(f"{name} must have shape (n,)*p with n >= 2, got {j.shape}")
        if n is not None and j.shape[0] != n:
            raise ValueError(f"all coupling tensors must share n, got {n} and {j.shape[0]} ({name})")
        n = j.shape[0]
    for name, j in zip(names, couplings):
        _finite_tensor(name, j)
    return couplings, weights


def _check_sigma(sigma: Array, n: int, name: str = "sigma") -> Array:
    sigma = sphere._point(name, sigma, batched=True)
    if sigma.shape[-1] != n:
        raise ValueError(f"{name} must have last axis of length n = {n} (the couplings' size), got {sigma.shape[-1]}")
    return sigma


@jax.jit
def _prepare(couplings: tuple[Array, ...], weights: tuple[float, ...]) -> tuple[Array, ...]:
    n = couplings[0].shape[0]
    return tuple(w * n ** (-(j.ndim - 1) / 2) * _symmetrized(j) for j, w in zip(couplings, weights))


def prepare(field: Field) -> PreparedField:
    r"""Validate a field once and store its symmetrised, scaled couplings (:class:`PreparedField`).

    Every function of the package that evaluates a field many times (Newton, the census, gradient descent, the
    dynamics) prepares it once; pass a prepared field yourself to share the work across calls. Memory: one more
    array of the couplings' size per degree (the symmetrisation is one fused pass, with no further temporary).
    A :class:`PreparedField` is returned unchanged.
    """
    couplings, weights = _check_field(field)
    if isinstance(field, PreparedField):
        return field
    n = couplings[0].shape[0]
    entries = sum(j.size for j in couplings)
    _validate.allocation(f"preparing couplings of n = {n} ({entries} entries)", 8 * entries)
    tensors = _prepare(tuple(couplings), tuple(weights))
    for t in tensors:  # scanned once here (an overflow of huge couplings or weights), trusted from here on
        _finite_tensor("field (prepared)", t)
    return PreparedField(tensors, tuple(weights))


# The kernels below act on one point ``s`` (shape (n,)) and are batched with ``jax.vmap``: a batch turns each
# matrix-vector product with the couplings into a matrix product. No kernel copies or transposes a tensor.


def _contract_right(t: Array, s: Array, times: int) -> Array:
    """Contract the last ``times`` slots of ``t`` with ``s`` (each a matrix-vector product on a reshape)."""
    n = s.shape[0]
    for _ in range(times):
        t = (t.reshape(-1, n) @ s).reshape(t.shape[:-1])
    return t


def _contract_left(t: Array, s: Array, times: int) -> Array:
    """Contract the first ``times`` slots of ``t`` with ``s``."""
    n = s.shape[0]
    for _ in range(times):
        t = (s @ t.reshape(n, -1)).reshape(t.shape[1:])
    return t


def _free_slot(t: Array, s: Array, k: int) -> Array:
    """Contract every slot of ``t`` but slot ``k`` with ``s``: a vector."""
    return _contract_right(_contract_left(t, s, k), s, t.ndim - 1 - k)


def _free_pair(t: Array, s: Array, k: int, m: int) -> Array:
    """Contract every slot of ``t`` but slots ``k < m`` with ``s``: a matrix indexed by (slot k, slot m).

    The slots strictly between ``k`` and ``m`` are contracted row by row (``lax.map`` over the first free index),
    so that no transposed copy of ``t`` is made.
    """
    t = _contract_right(_contract_left(t, s, k), s, t.ndim - 1 - m)
    if t.ndim == 2:
        return t
    n = s.shape[0]
    outer = s
    for _ in range(t.ndim - 3):
        outer = jnp.outer(outer, s).reshape(-1)
    return jax.lax.map(lambda row: outer @ row.reshape(-1, n), t)


def _raw_jet(j: Array, scale: float, s: Array, order: int) -> tuple[Array, ...]:
    r"""Energy and derivatives of :math:`c\,J[\sigma,\dots,\sigma]` for a non-symmetric :math:`J`, slot by slot.

    Two passes over :math:`J` (the contractions of its last and of its first slot, :math:`R` and :math:`L`) give
    the energy, every gradient term and every Hessian term but one; the term with the first and last slot free is
    a third pass. Everything else acts on tensors :math:`N` times smaller.
    """
    p = j.ndim
    if p == 1:  # a vector is symmetric
        return _symmetric_jet(scale * j, s, order)
    right = _contract_right(j, s, 1)  # slots 0..p-2 free
    out = [scale * _contract_right(right, s, p - 1)]
    if order >= 1:
        left = _contract_left(j, s, 1)  # slots 1..p-1 free
        grad = sum(_free_slot(right, s, k) for k in range(p - 1)) + _free_slot(left, s, p - 2)
        out.append(scale * grad)
    if order >= 2:
        pairs = [_free_pair(right, s, k, m) for k in range(p - 1) for m in range(k + 1, p - 1)]
        pairs += [_free_pair(left, s, k, p - 2) for k in range(p - 2)]
        pairs.append(_free_pair(j, s, 0, p - 1))
        total = sum(pairs)
        out.append(scale * (total + total.T))
    return tuple(out)


def _symmetric_jet(t: Array, s: Array, order: int) -> tuple[Array, ...]:
    """Energy and derivatives of :math:`S[\\sigma,\\dots,\\sigma]` for a symmetric :math:`S`: one pass."""
    p = t.ndim
    if p == 1:
        out = (jnp.dot(t, s), t, jnp.zeros((s.shape[0],) * 2, s.dtype))
        return out[: order + 1]
    # contract the leading slots: a vector-matrix product streams the rows of the tensor, which XLA runs faster
    # than a matrix-vector product while the tensor fits in the cache (for a symmetric tensor both are the same)
    m = _contract_left(t, s, p - 2)  # the Hessian's matrix, up to p(p-1)
    g = s @ m
    out = (jnp.dot(g, s), p * g, p * (p - 1) * m)
    return out[: order + 1]


def _jet(field: Field, s: Array, order: int) -> tuple[Array, ...]:
    """Energy, gradient, Hessian (up to ``order``) of a field at one point: the sum over degrees."""
    if isinstance(field, PreparedField):
        parts = [_symmetric_jet(t, s, order) for t in field.tensors]
    else:
        couplings, weights = _check_field(field)
        n = couplings[0].shape[0]
        parts = [_raw_jet(j, w * n ** (-(j.ndim - 1) / 2), s, order) for j, w in zip(couplings, weights)]
    return tuple(sum(terms) for terms in zip(*parts))


@partial(jax.jit, static_argnames=("order",))
def _jet_batch(field: Field, sigma: Array, order: int) -> tuple[Array, ...]:
    return jax.vmap(lambda s: _jet(field, s, order))(sigma)


def derivatives(field: Field, sigma: Array, order: int = 2, *, on_sphere: bool = True) -> tuple[Array, ...]:
    r"""The energy :math:`H(\sigma)` and its Euclidean derivatives up to ``order`` (0, 1 or 2), batched.

    Returns ``(H,)``, ``(H, grad)`` or ``(H, grad, hess)`` with shapes ``batch``, ``batch + (N,)`` and
    ``batch + (N, N)`` for ``sigma`` of shape ``batch + (N,)``. All come from the same contractions: for a
    :class:`PreparedField` one pass over each tensor (see :class:`PreparedField`); for raw couplings two passes
    (three with the Hessian), contracting slot by slot without copying the tensor. Works inside ``jax.jit``.
    :math:`H` is a polynomial on all of :math:`\mathbb R^N`: with ``on_sphere=False`` any finite point is
    accepted (e.g. a TAP magnetisation inside the ball), otherwise ``sigma`` must lie on :math:`S_N`.
    """
    couplings, _ = _check_field(field)
    order = _validate.integer("order", order, minimum=0, maximum=2)
    if not isinstance(on_sphere, bool):
        raise TypeError(f"on_sphere must be True or False, got {on_sphere!r}")
    if on_sphere:
        sigma = _check_sigma(sigma, couplings[0].shape[0])
    else:
        if not _validate.is_traced(sigma):
            _validate.finite_array("sigma", sigma)
            sigma = jnp.asarray(sigma, dtype=jnp.float64)
        if sigma.ndim == 0 or sigma.shape[-1] != couplings[0].shape[0]:
            raise ValueError(f"sigma must have a last axis of length n = {couplings[0].shape[0]} (the couplings' "
                             f"size), got shape {sigma.shape}")
    n = sigma.shape[-1]
    batch = sigma.shape[:-1]
    out = _jet_batch(field, sigma.reshape((-1, n)), order)
    return tuple(a.reshape(batch + a.shape[1:]) for a in out)


def energy(field: Field, sigma: Array) -> Array:
    r"""Extensive energy :math:`H(\sigma) = \sum_p a_p N^{-(p-1)/2}\sum J^{(p)}_{i_1\dots i_p}\sigma_{i_1}\cdots\sigma_{i_p}`.

    ``field`` is a coupling tensor from :func:`sample_pspin`, a :class:`MixedField` or a :class:`PreparedField`;
    ``sigma`` a point of :math:`S_N` or a batch of points (leading axes). Divide by :math:`N` for the intensive
    energy :math:`u`.
    """
    return derivatives(field, sigma, 0)[0]


def gradient(field: Field, sigma: Array) -> Array:
    r"""Euclidean gradient in closed form: :math:`\partial_i H = \sum_p a_p N^{-(p-1)/2}\sum_{k=1}^p (J^{(p)}\text{ contracted with }\sigma\text{ in every slot but }k)_i`.

    For a symmetric tensor this is :math:`p\,N^{-(p-1)/2} J_{i\,i_2\dots i_p}\sigma_{i_2}\cdots\sigma_{i_p}`.
    Batched over leading axes of ``sigma``. Use :func:`landscape.sphere.project_gradient` for the Riemannian one.
    """
    return derivatives(field, sigma, 1)[1]


def hessian(field: Field, sigma: Array) -> Array:
    r"""Euclidean Hessian in closed form: :math:`\partial_i\partial_j H = \sum_p a_p N^{-(p-1)/2}\sum_{k\neq l}(J^{(p)}\text{ with slots }k,l\text{ free})_{ij}`.

    For a symmetric tensor this is :math:`p(p-1)N^{-(p-1)/2}J_{ij\,i_3\dots i_p}\sigma_{i_3}\cdots\sigma_{i_p}`.
    Batched over leading axes of ``sigma``. Use :func:`landscape.sphere.project_hessian` for the Riemannian one.
    """
    return derivatives(field, sigma, 2)[2]


def _tangent_at(field: Field, sigma: Array) -> tuple[Array, Array, Array]:
    """Energy, tangent gradient and tangent Riemannian Hessian at one point (one pass for a prepared field)."""
    h, grad, hess = _jet(field, sigma, 2)
    shift = jnp.dot(sigma, grad) / sigma.shape[0]
    tangent = sphere.tangent_hessian(sigma, hess) - shift * jnp.eye(sigma.shape[0] - 1)
    return h, sphere.to_tangent(sigma, grad), tangent


@jax.jit
def _tangent_batch(field: Field, sigma: Array) -> tuple[Array, Array, Array]:
    return jax.vmap(lambda s: _tangent_at(field, s))(sigma)


def tangent_derivatives(field: Field, sigma: Array) -> tuple[Array, Array, Array]:
    r"""Energy, gradient and Hessian at ``sigma`` in the orthonormal tangent basis ``E = tangent_basis(sigma)``.

    Returns :math:`H(\sigma)`, :math:`g = E^\top\nabla H` (the Riemannian gradient in tangent coordinates, shape
    ``(N-1,)``) and :math:`h = E^\top P_\sigma[\nabla^2H - (\sigma\cdot\nabla H/N)I]P_\sigma E =
    E^\top\nabla^2H\,E - (\sigma\cdot\nabla H/N)I` (the Riemannian Hessian, shape ``(N-1, N-1)``), batched over
    leading axes of ``sigma``. For the pure p-spin at a fixed point, :math:`H \sim \mathcal N(0, N)`,
    :math:`g \sim \mathcal N(0, pI)` and :math:`h = \sqrt{p(p-1)(N-1)/N}\,W_{N-1} - (pH/N) I` with :math:`W` a
    GOE matrix, all three independent but for the shift (derived in chapter 2 of the book; Auffinger, Ben Arous &
    Černý 2013). Works inside ``jax.jit``; the basis is applied as a Householder reflection, never formed.
    """
    couplings, _ = _check_field(field)
    sigma = _check_sigma(sigma, couplings[0].shape[0])
    batch = sigma.shape[:-1]
    h, g, hess = _tangent_batch(field, sigma.reshape((-1, sigma.shape[-1])))
    n = sigma.shape[-1]
    return h.reshape(batch), g.reshape(batch + (n - 1,)), hess.reshape(batch + (n - 1, n - 1))


def _symmetrized(couplings: Array) -> Array:
    perms = list(itertools.permutations(range(couplings.ndim)))
    return sum(jnp.transpose(couplings, perm) for perm in perms) / len(perms)


_symmetrized_jit = jax.jit(_symmetrized)


def symmetrize(couplings: Array) -> Array:
    r"""The symmetric tensor :math:`\tilde J = \frac{1}{p!}\sum_{\pi\in S_p} J_{i_{\pi(1)}\dots i_{\pi(p)}}`.

    It defines the same field as :math:`J` (the monomial :math:`\sigma_{i_1}\cdots\sigma_{i_p}` is symmetric), and
    makes the gradient a single contraction, :math:`\nabla H = pN^{-(p-1)/2}\tilde J[\cdot,\sigma,\dots,\sigma]`.
    """
    if not isinstance(couplings, (jax.Array, np.ndarray)):
        raise TypeError(f"couplings must be a jax or numpy array of shape (n,)*p, got {type(couplings).__name__}")
    if not (jnp.issubdtype(couplings.dtype, jnp.floating) or jnp.issubdtype(couplings.dtype, jnp.integer)):
        raise TypeError(f"couplings must be a real numeric array, got dtype {couplings.dtype}")
    if couplings.ndim < 1 or len(set(couplings.shape)) != 1:
        raise ValueError(f"couplings must be an array of shape (n,)*p, got {getattr(couplings, 'shape', couplings)}")
    _finite_tensor("couplings", couplings)
    return _symmetrized_jit(couplings)

r"""The spiked matrix–tensor model: a planted signal in a random landscape (chapter 9).

**Data.** A signal :math:`x^*` uniform on :math:`S_N` is observed through a noisy matrix and a noisy order-:math:`p`
tensor, one observation per *ordered* index set:

.. math::

    Y_{ij} = \frac{x^*_i x^*_j}{\sqrt N} + \sqrt{\Delta_2}\,Z_{ij}\quad(i<j), \qquad
    T_{i_1\dots i_p} = \frac{\sqrt{(p-1)!}}{N^{(p-1)/2}}\,x^*_{i_1}\cdots x^*_{i_p}
        + \sqrt{\Delta_p}\,Z_{i_1\dots i_p}\quad(i_1<\dots<i_p),

with all :math:`Z` i.i.d. :math:`\mathcal N(0,1)`. :class:`SpikedInstance` stores :math:`Y` as a symmetric matrix
with zero diagonal and :math:`T` as the symmetric tensor that is zero wherever two indices coincide, so that a sum
over :math:`i<j` is half the full sum and a sum over :math:`i_1<\dots<i_p` is :math:`1/p!` of it.

**Loss.** Minus the log-likelihood of :math:`x \in S_N`, less the terms that do not depend on :math:`x` and the
:math:`\sum_{i<j}x_i^2x_j^2/(2\Delta_2N)`-type terms that are constant on :math:`S_N` up to :math:`O(1)`, is

.. math::

    L(x) = -\frac{1}{\Delta_2\sqrt N}\sum_{i<j}Y_{ij}x_ix_j
        - \frac{\sqrt{(p-1)!}}{\Delta_p N^{(p-1)/2}}\sum_{i_1<\dots<i_p}T_{i_1\dots i_p}x_{i_1}\cdots x_{i_p}
        = S^{(2)}[x,x] + S^{(p)}[x,\dots,x],

    S^{(2)} = -\frac{Y}{2\Delta_2\sqrt N}, \qquad
    S^{(p)} = -\frac{\sqrt{(p-1)!}}{p!\,\Delta_p N^{(p-1)/2}}\,T .

These two symmetric tensors are a :class:`~landscape.fields.PreparedField` (:func:`loss_field`), so
:func:`landscape.fields.derivatives` gives :math:`L`, :math:`\nabla L`, :math:`\nabla^2L` with the package's one
contraction kernel, and :func:`landscape.dynamics.gradient_flow` runs on it unchanged. Averaging over the noise,

.. math:: L(x) = -N\xi(m) + H(x) + O(1), \qquad m = \frac{x\cdot x^*}{N}, \qquad
    \mathbb E[H(x)H(y)] = N\xi\Big(\frac{x\cdot y}{N}\Big), \qquad
    \xi(q) = \frac{q^2}{2\Delta_2} + \frac{q^p}{p\Delta_p},

the book's mixed field with a deterministic pull :math:`-N\xi(m)` towards the signal (:func:`expected_loss` and
:func:`loss_covariance` give the exact finite-:math:`N` forms, :math:`O(1)` terms included).

**Algorithms.** Gradient flow (:func:`gradient_flow`, a thin wrapper of :func:`landscape.dynamics.gradient_flow`),
maximum-likelihood AMP (:func:`ml_amp`) and Bayes-optimal AMP (:func:`bayes_amp`) at finite :math:`N`, their
:math:`N\to\infty` state evolutions, and the thresholds in :math:`1/\Delta_2` at which each starts to find the
signal from an uninformed start.

Conventions (the book's, NOTATION "Spiked models"): on :math:`S_N = \{|\sigma|^2 = N\}` the loss is
:math:`L(\sigma) = -N\xi(m) + H(\sigma)`, :math:`m = \sigma\cdot x^*/N`, with :math:`H` a centred Gaussian field,
:math:`\mathbb E[H(\sigma)H(\sigma')] = N\xi(\sigma\cdot\sigma'/N)` and the same
:math:`\xi(q) = q^2/(2\Delta_2) + q^p/(p\Delta_p)`; energies :math:`u = L/N`. Below :math:`\xi, \xi', \xi''`
without argument are at :math:`q = 1`, and :math:`h = \xi'(m)`.

**Kac–Rice with the signal .** At a point with overlap :math:`m`, let :math:`e` be the unit tangent
vector along the projection :math:`Px^*` of the signal (:math:`|Px^*|^2 = N(1-m^2)`). Exactly as for the pure noise
(:func:`landscape.kac_rice.complexity_mixed`): the tangent gradient of :math:`H` has i.i.d.
:math:`\mathcal N(0, \xi')` components and is independent of :math:`(X, Y) = (H/N, \sigma\cdot\nabla H/N)` and of
the tangent Euclidean Hessian :math:`\sqrt{\xi''}\,W`; :math:`(X, Y)` has covariance
:math:`\frac1N\begin{pmatrix}\xi & \xi'\\ \xi' & \xi''+\xi'\end{pmatrix}`. The signal :math:`-N\xi(m)` adds
:math:`-h\,Px^*` to the tangent gradient, :math:`-mh` to :math:`\sigma\cdot\nabla L/N` and
:math:`-\theta(m)\,ee^\top`, :math:`\theta(m) = \xi''(m)(1-m^2)`, to the tangent Hessian. With the Lagrange
multiplier :math:`\mu = -\sigma\cdot\nabla L/N = mh - Y` the Riemannian Hessian is
:math:`\sqrt{\xi''}\,W + \mu I - \theta(m)\,ee^\top`, a critical point is :math:`\nabla_T H = h\,Px^*` (Gaussian
density at this value: :math:`(2\pi\xi')^{-(N-1)/2}e^{-N(1-m^2)h^2/(2\xi')}`), the slab of the sphere at overlap
:math:`m` has area :math:`\propto (1-m^2)^{(N-3)/2}`, and the rank-one term does not change the exponential rate
:math:`\frac1N\log|\det| \to \Omega(\mu/\sqrt{\xi''}) + \frac12\log\xi''`. With :math:`x = u + \xi(m)` the noise
energy, Laplace's method gives :func:`complexity`; the same bookkeeping (Gaussian :math:`(X, Y)`, GOE shifted by the
multiplier, one spike :math:`\theta(m)`) is that of Ros, Ben Arous, Biroli & Cammarota, PRX 9, 011003 (2019)
(arXiv:1804.02686) for the spiked tensor and of Sarao Mannelli, Krzakala, Urbani & Zdeborová, ICML 2019
(arXiv:1902.00139) for this model, in the book's units (the derivation here is self-contained, and it reduces exactly to
:func:`landscape.kac_rice.complexity_mixed` at :math:`m = 0`).

**The good minimum is an ML-AMP fixed point .** Optimising over the energy,
:math:`\sup_u \Sigma(m, u)` vanishes, with zero derivative in :math:`m`, at every solution of
:math:`m = \xi'(m)/\sqrt{\xi'(m)^2 + \xi'}` (the state-evolution fixed points of ML-AMP) where
:math:`R^2 = \xi'(m)^2 + \xi' > \xi''`; there :math:`\mu = R + \xi''/R` and :math:`u = -\xi(m) - \xi'/R` (see
:func:`good_minimum`). So the annealed count of critical points there is sub-exponential, and
:func:`complexity_minima` touches 0 from below at the informative fixed point.

Everything here is annealed (:math:`\frac1N\log\mathbb E`), an upper bound on the typical count.

Sources: S. Sarao Mannelli, F. Krzakala, P. Urbani and L. Zdeborová, *Passed & Spurious: descent algorithms and
local minima in spiked matrix-tensor models*, ICML 2019, arXiv:1902.00139 (the model, the loss, ML-AMP);
S. Sarao Mannelli, G. Biroli, C. Cammarota, F. Krzakala and L. Zdeborová, *Who is afraid of big bad minima?
Analysis of gradient-flow in a spiked matrix-tensor model*, NeurIPS 2019, arXiv:1907.08226 (the gradient-flow
threshold); S. Sarao Mannelli, G. Biroli, C. Cammarota, F. Krzakala, P. Urbani and L. Zdeborová, *Marvels and
pitfalls of the Langevin algorithm in noisy high-dimensional inference*, Phys. Rev. X 10 (2020) 011057,
arXiv:1812.09066 (Bayes-optimal AMP); T. Lesieur, L. Miolane, M. Lelarge, F. Krzakala and L. Zdeborová,
*Statistical and computational phase transitions in spiked tensor estimation*, ISIT 2017, arXiv:1701.08010
(AMP for tensors, its Onsager term).

Argument checks (types, ranges, finiteness, shapes; sizes against :func:`landscape.max_bytes`) run on concrete
values. Under ``jax.jit``/``jax.vmap`` the arguments are tracers and only shapes are checked: call a function
once on concrete inputs before transforming it (the package docstring: errors and limits).
"""

from __future__ import annotations

import dataclasses
import math
from functools import partial, reduce
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from scipy.optimize import brentq

from . import _validate, dynamics, fields, rmt, sphere

Array = jax.Array

__all__ = [
    "MAX_INSTANCE_ENTRIES",
    "SpikedMatrixTensor",
    "SpikedInstance",
    "sample",
    "loss_field",
    "loss",
    "riemannian_gradient",
    "riemannian_hessian",
    "expected_loss",
    "loss_covariance",
    "bayes_amp_threshold",
    "ml_amp_threshold",
    "gradient_flow_threshold",
    "MAX_AMP_ITERATIONS",
    "AMPResult",
    "ml_amp",
    "ml_amp_state_evolution",
    "bayes_amp",
    "bayes_amp_state_evolution",
    "gradient_flow",
    "GradientFlowDMFT",
    "gradient_flow_dmft",
    "complexity",
    "complexity_minima",
    "hessian_bottom",
    "good_minimum",
    "trivialization_threshold",
]

#: Largest ``n**p`` that :func:`sample` accepts: a quarter of :data:`landscape.fields.MAX_TENSOR_ENTRIES`, because
#: sampling holds up to three tensors of ``n**p`` float64 entries at once (the noise, the masked tensor and the
#: symmetrised :math:`T`) and :func:`loss_field` adds a fourth (the scaled :math:`S^{(p)}`).
MAX_INSTANCE_ENTRIES = fields.MAX_TENSOR_ENTRIES // 4


@dataclasses.dataclass(frozen=True)
class SpikedMatrixTensor:
    r"""Parameters of the spiked matrix–tensor model: the tensor order :math:`p \ge 3` and the noise variances
    :math:`\Delta_2 > 0` (matrix) and :math:`\Delta_p > 0` (tensor).

    Immutable and hashable (a static argument under ``jax.jit`` and ``jax.vmap``); the constructor validates and
    stores ``p`` as ``int`` and the variances as ``float``. The signal-to-noise ratio of the matrix channel is
    :math:`1/\Delta_2`, the axis on which the literature (and the book) draws the phase diagram.
    """

    p: int
    delta2: float
    deltap: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "p", _validate.integer("p", self.p, minimum=3))
        object.__setattr__(self, "delta2", _validate.real("delta2", self.delta2, minimum=0.0, strict_minimum=True))
        object.__setattr__(self, "deltap", _validate.real("deltap", self.deltap, minimum=0.0, strict_minimum=True))

    @property
    def xi(self) -> fields.Mixture:
        r"""The covariance function :math:`\xi(q) = q^2/(2\Delta_2) + q^p/(p\Delta_p)` as a
        :class:`~landscape.fields.Mixture` (evaluate it and its derivatives with :func:`landscape.fields.xi`).

        It plays two roles: :math:`\mathbb E[H(x)H(y)] = N\xi(q)` for the noise part of the loss, and
        :math:`-N\xi(m)` is the mean of the loss at overlap :math:`m` with the signal.
        """
        return fields.mixture({2: 1.0 / (2.0 * self.delta2), self.p: 1.0 / (self.p * self.deltap)})


# a pytree with no leaves: jit and vmap treat the model as static (it is hashable)
jax.tree_util.register_pytree_node(SpikedMatrixTensor, lambda model: ((), model), lambda model, _: model)


class SpikedInstance(NamedTuple):
    r"""One sample of the model: the signal and the two observations (see the module docstring).

    A pytree whose leaves are the three arrays (``model`` is static), so a batch of instances can be built and
    used with ``jax.vmap``.
    """

    signal: Array  #: x*, uniform on S_N, shape (n,)
    Y: Array  #: symmetric, zero diagonal; Y_ij for i < j as in the module docstring, shape (n, n)
    T: Array  #: symmetric, zero where two indices coincide; T_{i1..ip} for i1 < .. < ip, shape (n,)*p
    model: SpikedMatrixTensor


def _model(name: str, model: Any) -> SpikedMatrixTensor:
    if not isinstance(model, SpikedMatrixTensor):
        raise TypeError(f"{name} must be a landscape.spiked.SpikedMatrixTensor, got {type(model).__name__}")
    return model


def _check_instance(instance: Any) -> SpikedInstance:
    """Validate shapes (always) and finiteness (for concrete arrays) of an instance; return it."""
    if not isinstance(instance, SpikedInstance):
        raise TypeError(f"instance must be a landscape.spiked.SpikedInstance (from sample), got "
                        f"{type(instance).__name__}")
    model = _model("instance.model", instance.model)
    signal, y, t = instance.signal, instance.Y, instance.T
    if getattr(signal, "ndim", None) != 1 or signal.shape[0] < model.p:
        raise ValueError(f"instance.signal must have shape (n,) with n >= p = {model.p}, got "
                         f"{getattr(signal, 'shape', signal)}")
    n = signal.shape[0]
    if getattr(y, "shape", None) != (n, n):
        raise ValueError(f"instance.Y must have shape ({n}, {n}), got {getattr(y, 'shape', y)}")
    if getattr(t, "shape", None) != (n,) * model.p:
        raise ValueError(f"instance.T must have shape (n,)*p = {(n,) * model.p}, got {getattr(t, 'shape', t)}")
    for name, a in (("instance.signal", signal), ("instance.Y", y), ("instance.T", t)):
        if not _validate.is_traced(a) and not bool(jnp.all(jnp.isfinite(jnp.asarray(a)))):
            raise ValueError(f"{name} must contain only finite values (found NaN or infinity)")
    return instance


def _check_points(name: str, x: Any, n: int, *, on_sphere: bool) -> Array:
    """A point or a batch of points (last axis of length ``n``), finite, optionally on :math:`S_N`."""
    traced = _validate.is_traced(x)
    if not traced:
        _validate.finite_array(name, x)
    x = x if traced else jnp.asarray(x, dtype=jnp.float64)
    if x.ndim == 0 or x.shape[-1] != n:
        raise ValueError(f"{name} must have a last axis of length n = {n} (the instance's size), got shape {x.shape}")
    if on_sphere and not traced:
        radius2 = np.sum(np.asarray(x) ** 2, axis=-1) / n
        if np.any(np.abs(radius2 - 1.0) > sphere.ON_SPHERE_RTOL):
            raise ValueError(f"{name} must lie on the sphere |x|^2 = N = {n} (relative tolerance "
                             f"{sphere.ON_SPHERE_RTOL}); use landscape.sphere.normalize first")
    return x


def _iterations(n_iter: Any) -> int:
    return _validate.integer("n_iter", n_iter, minimum=1, maximum=100_000)


# ---------------------------------------------------------------------------------------------- sampling


def _outer_power(x: Array, p: int) -> Array:
    """The tensor :math:`x^{\\otimes p}`, shape ``(n,)*p``."""
    return reduce(lambda a, _: a[..., None] * x, range(p - 1), x)


def _increasing_mask(n: int, p: int) -> Array:
    """1 where :math:`i_1 < i_2 < \\dots < i_p`, else 0 (a float64 tensor of shape ``(n,)*p``)."""
    shape = (n,) * p
    index = [jax.lax.broadcasted_iota(jnp.int32, shape, k) for k in range(p)]
    return reduce(jnp.logical_and, [index[k] < index[k + 1] for k in range(p - 1)]).astype(jnp.float64)


@partial(jax.jit, static_argnames=("n", "model"))
def _sample(key: Array, n: int, model: SpikedMatrixTensor) -> SpikedInstance:
    p = model.p
    k_signal, k_matrix, k_tensor = jax.random.split(key, 3)
    signal = sphere.random_points(k_signal, n)
    # matrix: one Gaussian per pair i < j, mirrored; the diagonal is not observed
    g = jax.random.normal(k_matrix, (n * n,), dtype=jnp.float64).reshape(n, n)
    upper = jnp.triu(jnp.outer(signal, signal) / math.sqrt(n) + math.sqrt(model.delta2) * g, 1)
    y = upper + upper.T
    # tensor: observations on i1 < .. < ip, then symmetrised. symmetrize averages over the p! orderings, and exactly
    # one ordering of a set of distinct indices is increasing, so p! * symmetrize(masked) copies each observation
    # to all orderings of its index set and leaves zeros where indices coincide.
    g = jax.random.normal(k_tensor, (n**p,), dtype=jnp.float64).reshape((n,) * p)
    mean = math.sqrt(math.factorial(p - 1)) * n ** (-(p - 1) / 2) * _outer_power(signal, p)
    t = math.factorial(p) * fields.symmetrize(_increasing_mask(n, p) * (mean + math.sqrt(model.deltap) * g))
    return SpikedInstance(signal, y, t, model)


def sample(key: Array, n: int, model: SpikedMatrixTensor) -> SpikedInstance:
    r"""Sample an instance: :math:`x^*` uniform on :math:`S_N` and the observations :math:`Y`, :math:`T`.

    .. math:: Y_{ij} = \frac{x^*_ix^*_j}{\sqrt N} + \sqrt{\Delta_2}Z_{ij}\ (i<j), \qquad
        T_{i_1\dots i_p} = \frac{\sqrt{(p-1)!}}{N^{(p-1)/2}}x^*_{i_1}\cdots x^*_{i_p} + \sqrt{\Delta_p}
        Z_{i_1\dots i_p}\ (i_1<\dots<i_p)

    (Sarao Mannelli et al. 2019, arXiv:1902.00139), stored symmetrically with zeros on coinciding indices
    (:class:`SpikedInstance`). The noise is drawn for all :math:`n^p` entries, masked to the increasing ones and
    symmetrised with :func:`landscape.fields.symmetrize`. Refuses ``n**p > MAX_INSTANCE_ENTRIES``
    (:data:`MAX_INSTANCE_ENTRIES`) before allocating anything. ``n >= p`` (else no tensor entry is observed).
    Under ``jax.vmap`` over keys it samples a batch of instances.
    """
    _validate.prng_key("key", key)
    model = _model("model", model)
    n = _validate.integer("n", n, minimum=model.p)
    if n**model.p > MAX_INSTANCE_ENTRIES:
        raise ValueError(f"n**p = {n}**{model.p} exceeds MAX_INSTANCE_ENTRIES = {MAX_INSTANCE_ENTRIES} (a quarter "
                         f"of fields.MAX_TENSOR_ENTRIES: sampling and the loss hold four such tensors); lower n")
    return _sample(key, n, model)


# ------------------------------------------------------------------------------------------------- loss


@jax.jit
def _loss_tensors(instance: SpikedInstance) -> tuple[Array, Array]:
    model = instance.model
    p, n = model.p, instance.signal.shape[0]
    s2 = -instance.Y / (2.0 * model.delta2 * math.sqrt(n))
    sp = -math.sqrt(math.factorial(p - 1)) / (math.factorial(p) * model.deltap * n ** ((p - 1) / 2)) * instance.T
    return s2, sp


def _loss_field(instance: SpikedInstance) -> fields.PreparedField:
    model = instance.model
    weights = (math.sqrt(1.0 / (2.0 * model.delta2)), math.sqrt(1.0 / (model.p * model.deltap)))
    tensors = _loss_tensors(instance)
    for t in tensors:  # scaled copies of an instance every caller has checked: not scanned again by fields
        fields._trust(t)
    return fields.PreparedField(tensors, weights)


def loss_field(instance: SpikedInstance) -> fields.PreparedField:
    r"""The loss :math:`L` as a :class:`~landscape.fields.PreparedField` with tensors
    :math:`S^{(2)} = -Y/(2\Delta_2\sqrt N)` and :math:`S^{(p)} = -\sqrt{(p-1)!}\,T/(p!\,\Delta_pN^{(p-1)/2})`.

    Then :math:`L(x) = S^{(2)}[x,x] + S^{(p)}[x,\dots,x]`: because :math:`Y` and :math:`T` are symmetric and vanish
    on coinciding indices, :math:`\sum_{i<j}Y_{ij}x_ix_j = \frac12 Y[x,x]` and
    :math:`\sum_{i_1<\dots<i_p}T_{i_1\dots i_p}x_{i_1}\cdots x_{i_p} = \frac1{p!}T[x,\dots,x]`, which turns the
    prefactors of the module docstring into these. Pass the result to :func:`landscape.fields.derivatives`,
    :func:`landscape.fields.tangent_derivatives`, :mod:`landscape.critical` or :mod:`landscape.dynamics` (prepare
    once, evaluate many times). ``weights`` are :math:`a_2 = (2\Delta_2)^{-1/2}`, :math:`a_p = (p\Delta_p)^{-1/2}`,
    the weights of the noise part :math:`H` (:math:`\xi = a_2^2q^2 + a_p^2q^p`); the tensors also carry the signal,
    so they are not :math:`a_pN^{-(p-1)/2}` times a symmetrised i.i.d. tensor.
    """
    return _loss_field(_check_instance(instance))


def loss(instance: SpikedInstance, x: Array) -> Array:
    r"""The extensive loss :math:`L(x)` (**not** :math:`u = L/N`), batched over the leading axes of ``x``.

    .. math:: L(x) = -\frac{1}{\Delta_2\sqrt N}\sum_{i<j}Y_{ij}x_ix_j
        - \frac{\sqrt{(p-1)!}}{\Delta_pN^{(p-1)/2}}\sum_{i_1<\dots<i_p}T_{i_1\dots i_p}x_{i_1}\cdots x_{i_p},

    minus the log-likelihood up to terms constant on :math:`S_N` to :math:`O(1)` (Sarao Mannelli et al. 2019,
    arXiv:1902.00139). ``x`` has shape ``batch + (N,)`` and lies on :math:`S_N`. Each call rebuilds the
    scaled tensors: to evaluate many times, prepare once with :func:`loss_field`.
    """
    instance = _check_instance(instance)
    x = _check_points("x", x, instance.signal.shape[0], on_sphere=True)
    return fields.derivatives(_loss_field(instance), x, 0)[0]


def riemannian_gradient(instance: SpikedInstance, x: Array) -> Array:
    r"""Riemannian gradient :math:`P_x\nabla L(x)` on :math:`S_N`, batched over the leading axes of ``x``.

    :math:`\nabla L = 2S^{(2)}x + pS^{(p)}[\cdot,x,\dots,x]` from :func:`landscape.fields.derivatives`, projected with
    :func:`landscape.sphere.project_gradient` (Absil, Mahony & Sepulchre 2008, ch. 3).
    """
    instance = _check_instance(instance)
    x = _check_points("x", x, instance.signal.shape[0], on_sphere=True)
    grad = fields.derivatives(_loss_field(instance), x, 1)[1]
    return sphere.project_gradient(x, grad)


def riemannian_hessian(instance: SpikedInstance, x: Array) -> Array:
    r"""Riemannian Hessian :math:`P_x[\nabla^2L - (x\cdot\nabla L/N)I]P_x` as an :math:`N\times N` matrix with
    :math:`x` in its kernel, batched over the leading axes of ``x`` (shape ``batch + (N, N)``).

    Euclidean derivatives from :func:`landscape.fields.derivatives`, projected with
    :func:`landscape.sphere.project_hessian` (Absil, Mahony & Sepulchre 2008, §5.5). For the
    :math:`(N-1)\times(N-1)` tangent matrix use :func:`landscape.fields.tangent_derivatives` on
    :func:`loss_field`. At overlap :math:`m`, the signal enters as the rank-one term
    :math:`-\xi''(m)\,P_xx^*x^{*\top}P_x/N` of strength :math:`\theta(m) = \xi''(m)(1-m^2)`.
    """
    instance = _check_instance(instance)
    n = instance.signal.shape[0]
    x = _check_points("x", x, n, on_sphere=True)
    _, grad, hess = fields.derivatives(_loss_field(instance), x, 2)
    batch = x.shape[:-1]
    flat = jax.vmap(sphere.project_hessian)(x.reshape(-1, n), grad.reshape(-1, n), hess.reshape(-1, n, n))
    return flat.reshape(batch + (n, n))


# --------------------------------------------------------------------------- exact two-point functions


def _kernel(model: SpikedMatrixTensor, v: Array) -> Array:
    r""":math:`K = e_2(v)/(\Delta_2N) + (p-1)!\,e_p(v)/(\Delta_pN^{p-1})` over the last axis, with the elementary
    symmetric polynomials from the power sums (Newton's identities, :math:`ke_k = \sum_{i=1}^k(-1)^{i-1}e_{k-i}P_i`)."""
    n, p = v.shape[-1], model.p
    powers = [None] + [jnp.sum(v**k, axis=-1) for k in range(1, p + 1)]
    e = [jnp.ones_like(powers[1])]
    for k in range(1, p + 1):
        e.append(sum((-1) ** (i - 1) * e[k - i] * powers[i] for i in range(1, k + 1)) / k)
    return e[2] / (model.delta2 * n) + math.factorial(p - 1) * e[p] / (model.deltap * n ** (p - 1))


def _pair(model: Any, x: Any, y: Any, names: tuple[str, str]) -> tuple[SpikedMatrixTensor, Array]:
    model = _model("model", model)
    for name, a in zip(names, (x, y)):
        _validate.finite_array(name, a)
    x, y = jnp.asarray(x, dtype=jnp.float64), jnp.asarray(y, dtype=jnp.float64)
    if x.ndim == 0 or y.ndim == 0 or x.shape[-1] != y.shape[-1] or x.shape[-1] < model.p:
        raise ValueError(f"{names[0]} and {names[1]} must have the same last axis, of length N >= p = {model.p}, "
                         f"got shapes {x.shape} and {y.shape}")
    try:
        v = x * y
    except (TypeError, ValueError):
        raise ValueError(f"{names[0]} and {names[1]} must have broadcastable leading axes, got shapes {x.shape} and "
                         f"{y.shape}") from None
    return model, v


def expected_loss(model: SpikedMatrixTensor, signal: Array, x: Array) -> Array:
    r"""The exact mean of the loss over the noise, :math:`\mathbb E[L(x)\mid x^*] = -K(x^*, x)`, where

    .. math:: K(x, y) = \frac{e_2(v)}{\Delta_2N} + \frac{(p-1)!\,e_p(v)}{\Delta_pN^{p-1}}, \qquad v_i = x_iy_i,

    and :math:`e_k(v) = \sum_{i_1<\dots<i_k}v_{i_1}\cdots v_{i_k}` (the sums over ordered index sets of the loss,
    with :math:`\mathbb E[Y_{ij}] = x^*_ix^*_j/\sqrt N` and :math:`\mathbb E[T] = \sqrt{(p-1)!}\,x^{*\otimes p}/
    N^{(p-1)/2}`). Expanding :math:`e_k` in power sums :math:`P_k = \sum_iv_i^k` (Newton's identities),

    .. math:: K(x, y) = N\xi(q) - \frac{\xi''(q)}{2N}\sum_i x_i^2y_i^2 + O(N^{-1}), \qquad q = \frac{x\cdot y}{N},

    so :math:`\mathbb E L(x) = -N\xi(m) + \frac{\xi''(m)}{2N}\sum_i x^{*2}_ix_i^2 + O(N^{-1})`: the :math:`O(1)`
    term is the diagonal :math:`i_k = i_l` missing from the ordered sums. Batched: the leading axes of ``signal``
    and ``x`` broadcast; both are points of :math:`\mathbb R^N` (the identity holds off the sphere too).
    """
    model, v = _pair(model, signal, x, ("signal", "x"))
    return -_kernel(model, v)


def loss_covariance(model: SpikedMatrixTensor, x: Array, y: Array) -> Array:
    r"""The exact covariance of the loss over the noise, :math:`\operatorname{Cov}(L(x), L(y)\mid x^*) = K(x, y)`.

    :math:`L` is linear in the independent unit Gaussians :math:`Z`: the coefficient of :math:`Z_{ij}` is
    :math:`-x_ix_j/(\sqrt{\Delta_2N})` and that of :math:`Z_{i_1\dots i_p}` is
    :math:`-\sqrt{(p-1)!/(\Delta_pN^{p-1})}\,x_{i_1}\cdots x_{i_p}`, so the covariance is the sum of the products of
    coefficients, :math:`K(x,y)` of :func:`expected_loss`. On :math:`S_N`,
    :math:`K(x, y) = N\xi(q) - \xi''(q)\sum_ix_i^2y_i^2/(2N) + O(N^{-1})`; for :math:`x = y` with delocalised
    coordinates (:math:`\sum_ix_i^4 \approx 3N`) the variance is :math:`N\xi(1) - \tfrac32\xi''(1) + O(N^{-1})`.
    Batched like :func:`expected_loss`.
    """
    model, v = _pair(model, x, y, ("x", "y"))
    return _kernel(model, v)


# ----------------------------------------------------------------------------------------------- thresholds


def _deltap(deltap: Any) -> np.ndarray:
    if isinstance(deltap, (bool, np.bool_)):
        raise TypeError(f"deltap must be a real number or array, got {deltap!r}")
    _validate.finite_array("deltap", deltap)
    d = np.asarray(deltap, dtype=np.float64)
    if np.any(d <= 0):
        raise ValueError(f"deltap must be > 0, got values down to {float(np.min(d))}")
    return d


def _scalar_or_array(x: np.ndarray) -> float | np.ndarray:
    return float(x) if x.ndim == 0 else x


def bayes_amp_threshold(p: int, deltap: Any) -> float | np.ndarray:
    r"""The signal-to-noise ratio :math:`1/\Delta_2` above which Bayes-optimal AMP leaves :math:`m = 0`: **1**.

    The state evolution of Bayes-optimal AMP (:func:`bayes_amp_state_evolution`) is
    :math:`m_{t+1} = \xi'(m_t)/(1+\xi'(m_t))` with :math:`\xi'(m) = m/\Delta_2 + m^{p-1}/\Delta_p`. Its slope at
    the uninformative fixed point :math:`m = 0` is :math:`\xi''(0) = 1/\Delta_2` (the tensor term is of order
    :math:`m^{p-1}`, :math:`p \ge 3`), so :math:`m = 0` turns unstable at :math:`1/\Delta_2 = 1` whatever
    :math:`\Delta_p`: the BBP threshold of the matrix alone (Sarao Mannelli et al., PRX 10 (2020) 011057,
    arXiv:1812.09066, where AMP's algorithmic line is :math:`\Delta_2 = 1`). Vectorised over ``deltap > 0``.
    """
    _validate.integer("p", p, minimum=3)
    return _scalar_or_array(np.ones_like(_deltap(deltap)))


def ml_amp_threshold(p: int, deltap: Any) -> float | np.ndarray:
    r"""The signal-to-noise ratio :math:`1/\Delta_2` above which ML-AMP leaves :math:`m = 0`:
    :math:`\big(1 + \sqrt{1 + 4/\Delta_p}\big)/2`.

    ML-AMP's state evolution (:func:`ml_amp_state_evolution`) is
    :math:`m_{t+1} = \xi'(m_t)/\sqrt{\xi'(m_t)^2 + \xi'(1)}`. Its slope at :math:`m = 0` is
    :math:`\xi''(0)/\sqrt{\xi'(1)}`, with :math:`\xi''(0) = 1/\Delta_2` and :math:`\xi'(1) = 1/\Delta_2 + 1/\Delta_p`.
    Slope one is :math:`1/\Delta_2 = \sqrt{\xi'(1)}`, i.e. :math:`\theta^2 - \theta - 1/\Delta_p = 0` for
    :math:`\theta = 1/\Delta_2`, whose positive root is the formula; in the variables of Sarao Mannelli et al.
    (ICML 2019, arXiv:1902.00139, the ML-AMP line of their figure 1),
    :math:`\Delta_2 = \big(\sqrt{\Delta_p^2 + 4\Delta_p} - \Delta_p\big)/2`. It tends to 1 as
    :math:`\Delta_p \to \infty`. ``p`` is validated but does not enter. Vectorised over ``deltap > 0``.
    """
    _validate.integer("p", p, minimum=3)
    d = _deltap(deltap)
    return _scalar_or_array((1.0 + np.sqrt(1.0 + 4.0 / d)) / 2.0)


def gradient_flow_threshold(p: int, deltap: Any) -> float | np.ndarray:
    r"""The signal-to-noise ratio :math:`1/\Delta_2` above which gradient flow from a random start finds the signal:
    :math:`\big(1 + \sqrt{1 + 4(p-1)/\Delta_p}\big)/2`.

    From a random start gradient flow descends to the *threshold states*, the marginal critical points where the
    bulk of the tangent Hessian, a semicircle of radius :math:`2\sqrt{\xi''(1)}` (conditioned on the critical point,
    as for any mixture), just touches zero. At overlap :math:`m = 0` the signal adds the rank-one term
    :math:`-\theta\,vv^\top` with :math:`\theta = \xi''(0) = 1/\Delta_2` and :math:`v = x^*/\sqrt N`. By BBP
    (:func:`landscape.rmt.bbp_outlier`, applied to :math:`W/\sqrt{\xi''(1)}`) an eigenvalue leaves the bottom of
    the bulk, giving the threshold states a descending direction towards the signal, iff
    :math:`\theta > \sqrt{\xi''(1)} = \sqrt{1/\Delta_2 + (p-1)/\Delta_p}`, i.e.
    :math:`\theta^2 - \theta - (p-1)/\Delta_p > 0`. Sarao Mannelli et al. (NeurIPS 2019, arXiv:1907.08226) derive
    this threshold from the BBP transition of the threshold states; in their variables
    :math:`\Delta_2^{\rm GF} = \big(\sqrt{\Delta_p^2 + 4(p-1)\Delta_p} - \Delta_p\big)/(2(p-1))`. It exceeds
    :func:`ml_amp_threshold` for every :math:`p \ge 3` and tends to 1 as :math:`\Delta_p\to\infty`. Vectorised over
    ``deltap > 0``.
    """
    p = _validate.integer("p", p, minimum=3)
    d = _deltap(deltap)
    return _scalar_or_array((1.0 + np.sqrt(1.0 + 4.0 * (p - 1) / d)) / 2.0)


# ------------------------------------------------------------------------------------------------------ AMP


#: Largest ``n_iter`` accepted by :func:`ml_amp` and :func:`bayes_amp`, which keep every iterate to return the
#: two-time correlations (:math:`(n_{\rm iter}+1)^2` numbers per start; AMP converges in tens of iterations).
MAX_AMP_ITERATIONS = 1000


class AMPResult(NamedTuple):
    r"""An AMP run: overlaps and two-time correlations of the iterates, and the final estimate (``batch``: the
    leading axes of ``x0``).

    In the :math:`N\to\infty` limit the correlations obey a two-time state evolution: for ML-AMP,
    :math:`C_{t+1,s+1} = [\xi'(m_t)\xi'(m_s) + \xi'(C_{t,s})]/(D_tD_s)` and :math:`C_{t+1,0} = \xi'(m_t)m_0/D_t`
    with :math:`D_t = \sqrt{\xi'(m_t)^2 + \xi'(1)}`, because the Onsager-corrected noises of :math:`B^t` and
    :math:`B^s` are jointly Gaussian with covariance :math:`\xi'(C_{t,s})` and independent of the start. Without the
    Onsager term :math:`C_{2,0}` is off by a quantity of order one: a sharp check of that term.
    """

    overlap: Array  #: ``m_t = xhat^t . x*/N`` for t = 0..n_iter, shape ``(n_iter + 1, *batch)``
    self_overlap: Array  #: ``q_t = |xhat^t|^2/N``, shape ``(n_iter + 1, *batch)`` (1 for ML-AMP)
    correlation: Array  #: C[t, s] = xhat^t . xhat^s/N, shape ``(n_iter + 1, n_iter + 1, *batch)``
    estimate: Array  #: xhat^{n_iter}, shape ``(*batch, N)``


def _xi1(model: SpikedMatrixTensor, q: Array) -> Array:
    r""":math:`\xi'(q) = q/\Delta_2 + q^{p-1}/\Delta_p` (inside ``jit``; :func:`landscape.fields.xi` validates)."""
    return q / model.delta2 + q ** (model.p - 1) / model.deltap


@partial(jax.jit, static_argnames=("n_iter", "bayes"))
def _amp(instance: SpikedInstance, x0: Array, n_iter: int, bayes: bool) -> tuple[Array, Array, Array]:
    model = instance.model
    field = _loss_field(instance)
    n = x0.shape[-1]

    def onsager_weight(x, x_prev):  # 1/Delta_2 + (p-1)(x.x_prev/N)^{p-2}/Delta_p
        q = jnp.sum(x * x_prev, axis=-1) / n
        return 1.0 / model.delta2 + (model.p - 1) * q ** (model.p - 2) / model.deltap

    def step(carry, _):
        x, x_prev, r = carry
        minus_grad = -fields.derivatives(field, x, 1, on_sphere=False)[1]
        b = minus_grad - (r * onsager_weight(x, x_prev))[:, None] * x_prev
        if bayes:  # posterior mean for the prior N(0, 1) in the channel B = A x* + sqrt(A) z
            a = _xi1(model, jnp.sum(x * x, axis=-1) / n)
            x_next, r_next = b / (1.0 + a)[:, None], 1.0 / (1.0 + a)
        else:  # projection on S_N; d xhat_i/d B_i = sqrt(N)/|B| (1 - B_i^2/|B|^2), averaged over i
            norm = jnp.linalg.norm(b, axis=-1)
            x_next, r_next = math.sqrt(n) * b / norm[:, None], math.sqrt(n) / norm * (1.0 - 1.0 / n)
        return (x_next, x, r_next), x_next

    carry0 = (x0, jnp.zeros_like(x0), jnp.zeros(x0.shape[0], x0.dtype))
    (final, _, _), xs = jax.lax.scan(step, carry0, None, length=n_iter)
    xs = jnp.concatenate([x0[None], xs])  # (n_iter + 1, batch, n)
    m = xs @ instance.signal / n
    corr = jnp.einsum("tbn,sbn->tsb", xs, xs) / n
    return m, jnp.diagonal(corr).T, corr, final


def _run_amp(instance: SpikedInstance, x0: Array, n_iter: int, bayes: bool) -> AMPResult:
    instance = _check_instance(instance)
    n = instance.signal.shape[0]
    x0 = _check_points("x0", x0, n, on_sphere=not bayes)
    n_iter = _validate.integer("n_iter", n_iter, minimum=1, maximum=MAX_AMP_ITERATIONS)
    batch = x0.shape[:-1]
    m, q, corr, final = _amp(instance, x0.reshape(-1, n), n_iter, bayes)
    r = n_iter + 1
    return AMPResult(m.reshape((r,) + batch), q.reshape((r,) + batch), corr.reshape((r, r) + batch),
                     final.reshape(x0.shape))


def ml_amp(instance: SpikedInstance, x0: Array, n_iter: int) -> AMPResult:
    r"""Maximum-likelihood AMP on one instance from ``x0`` (a point or a batch of points of :math:`S_N`).

    .. math::

        B^t = -\nabla L(\hat x^t) - r_t\Big[\frac1{\Delta_2}
            + \frac{p-1}{\Delta_p}\Big(\frac{\hat x^t\cdot\hat x^{t-1}}{N}\Big)^{p-2}\Big]\hat x^{t-1},
        \qquad \hat x^{t+1} = \sqrt N\,\frac{B^t}{|B^t|}, \qquad
        r_{t+1} = \frac1N\sum_i\frac{\partial\hat x^{t+1}_i}{\partial B^t_i} = \frac{\sqrt N}{|B^t|}\Big(1-\frac1N\Big),

    with :math:`\hat x^0 =` ``x0``, :math:`\hat x^{-1} = 0`. :math:`-\nabla L = Yx/(\Delta_2\sqrt N) +
    T[\cdot,x,\dots,x]/(\sqrt{(p-1)!}\,\Delta_pN^{(p-1)/2})` comes from :func:`landscape.fields.derivatives` on
    :func:`loss_field`. The Onsager term is the one of tensor AMP (Lesieur et al. 2017) for the two channels: the
    noise of :math:`-\nabla L` has variance :math:`1/(\Delta_2N)` per matrix entry and enters each of the
    :math:`p-1` free slots of the tensor, hence :math:`r_t\,\partial_q\xi'(q)` at :math:`q = \hat x^t\cdot
    \hat x^{t-1}/N`. A fixed point has :math:`\hat x \propto -\nabla L(\hat x)`: a critical point of :math:`L` on
    :math:`S_N` (Sarao Mannelli et al. 2019, arXiv:1902.00139). ``jit``-compiled, one pass over the
    tensors per iteration; map over instances with ``jax.vmap``. The overlaps follow
    :func:`ml_amp_state_evolution` as :math:`N\to\infty`.
    """
    return _run_amp(instance, x0, n_iter, bayes=False)


def bayes_amp(instance: SpikedInstance, x0: Array, n_iter: int) -> AMPResult:
    r"""Bayes-optimal AMP on one instance from ``x0`` (any finite point or batch of points of :math:`\mathbb R^N`).

    .. math::

        B^t = -\nabla L(\hat x^t) - r_t\Big[\frac1{\Delta_2}
            + \frac{p-1}{\Delta_p}\Big(\frac{\hat x^t\cdot\hat x^{t-1}}{N}\Big)^{p-2}\Big]\hat x^{t-1}, \qquad
        A^t = \xi'\Big(\frac{|\hat x^t|^2}{N}\Big), \qquad
        \hat x^{t+1} = \frac{B^t}{1+A^t}, \qquad r_{t+1} = \frac1{1+A^t}.

    The effective channel is :math:`B^t \approx \xi'(m_t)\,x^* + \sqrt{\xi'(q_t)}\,z` with :math:`q_t =
    |\hat x^t|^2/N`: the matrix part of :math:`-\nabla L` carries :math:`m/\Delta_2` of signal and variance
    :math:`q/\Delta_2`, the tensor part :math:`m^{p-1}/\Delta_p` and :math:`q^{p-1}/\Delta_p`. On the Nishimori line
    :math:`q = m`, signal and variance are both :math:`A = \xi'(m)`, and the posterior mean of a coordinate under
    the spherical prior (for large :math:`N`, a standard Gaussian prior) is :math:`B/(1+A)`, with derivative
    :math:`1/(1+A)` (Sarao Mannelli et al., PRX 10 (2020) 011057, arXiv:1812.09066; Lesieur et al.
    2017). Start on the Nishimori line, :math:`|\hat x^0|^2/N = \hat x^0\cdot x^*/N`, for the state evolution
    :math:`m_{t+1} = \xi'(m_t)/(1+\xi'(m_t))` to hold from the first step (:func:`bayes_amp_state_evolution`
    follows any start). ``self_overlap`` records :math:`q_t`.
    """
    return _run_amp(instance, x0, n_iter, bayes=True)


def _overlap_start(name: str, m0: Any) -> np.ndarray:
    _validate.finite_array(name, m0)
    m0 = np.asarray(m0, dtype=np.float64)
    if np.any(np.abs(m0) > 1):
        raise ValueError(f"{name} must lie in [-1, 1], got values up to {float(np.max(np.abs(m0)))}")
    return m0


@partial(jax.jit, static_argnames=("model", "n_iter", "bayes"))
def _state_evolution(model: SpikedMatrixTensor, m0: Array, q0: Array, n_iter: int, bayes: bool) -> Array:
    def step(carry, _):
        m, q = carry
        if bayes:
            a = _xi1(model, q)
            m, q = _xi1(model, m) / (1.0 + a), (_xi1(model, m) ** 2 + a) / (1.0 + a) ** 2
        else:
            m = _xi1(model, m) / jnp.sqrt(_xi1(model, m) ** 2 + _xi1(model, 1.0))
        return (m, q), m

    _, ms = jax.lax.scan(step, (m0, q0), None, length=n_iter)
    return jnp.concatenate([m0[None], ms])


def ml_amp_state_evolution(model: SpikedMatrixTensor, m0: Any, n_iter: int) -> Array:
    r"""The :math:`N\to\infty` overlaps of :func:`ml_amp`: :math:`m_{t+1} = \xi'(m_t)/\sqrt{\xi'(m_t)^2 + \xi'(1)}`.

    Derivation: with :math:`|\hat x^t|^2 = N` the Onsager-corrected field is :math:`B^t = \xi'(m_t)x^* +
    \sqrt{\xi'(1)}\,z` with :math:`z` a standard Gaussian vector independent of :math:`x^*` (the matrix and tensor
    noise contribute variances :math:`1/\Delta_2` and :math:`1/\Delta_p`), so :math:`|B^t|^2/N \to \xi'(m_t)^2 +
    \xi'(1)` and :math:`\hat x^{t+1}\cdot x^*/N = \sqrt N\,B^t\cdot x^*/(N|B^t|)` is the formula (Sarao Mannelli
    et al. 2019, arXiv:1902.00139). ``m0`` is an overlap or an array of them in :math:`[-1, 1]`; returns
    :math:`m_0,\dots,m_{n\_iter}`, shape ``(n_iter + 1,) + m0.shape``.
    """
    model = _model("model", model)
    m0 = _overlap_start("m0", m0)
    n_iter = _iterations(n_iter)
    return _state_evolution(model, jnp.asarray(m0), jnp.ones_like(jnp.asarray(m0)), n_iter, False)


def bayes_amp_state_evolution(model: SpikedMatrixTensor, m0: Any, n_iter: int, q0: Any = None) -> Array:
    r"""The :math:`N\to\infty` overlaps of :func:`bayes_amp`: on the Nishimori line (``q0 = m0``, the default)

    .. math:: m_{t+1} = \frac{\xi'(m_t)}{1 + \xi'(m_t)},

    the scalar Gaussian channel :math:`B = A x^* + \sqrt A z`, :math:`A = \xi'(m)`, denoised by the posterior mean
    :math:`B/(1+A)` of a unit Gaussian prior (Sarao Mannelli et al., PRX 10 (2020) 011057, arXiv:1812.09066;
    Lesieur et al. 2017). From a start off the line, :math:`q_0 = |\hat x^0|^2/N \ne m_0`, the pair evolves as
    :math:`m_{t+1} = \xi'(m_t)/(1+\xi'(q_t))`, :math:`q_{t+1} = (\xi'(m_t)^2 + \xi'(q_t))/(1+\xi'(q_t))^2`, which
    maps :math:`q = m` to itself. Returns :math:`m_0,\dots,m_{n\_iter}`, shape ``(n_iter + 1,) + m0.shape``;
    ``q0 >= 0`` broadcasts against ``m0``.
    """
    model = _model("model", model)
    m0 = _overlap_start("m0", m0)
    if q0 is None:
        q0 = m0
    else:
        _validate.finite_array("q0", q0)
        q0 = np.asarray(q0, dtype=np.float64)
        if np.any(q0 < 0):
            raise ValueError(f"q0 = |x0|^2/N must be >= 0, got values down to {float(np.min(q0))}")
    if np.any(m0**2 > q0 * 1.0000001 + 1e-15):
        raise ValueError("m0 and q0 must satisfy m0^2 <= q0 (Cauchy-Schwarz, |x*|^2 = N)")
    m0, q0 = np.broadcast_arrays(m0, q0)
    n_iter = _iterations(n_iter)
    return _state_evolution(model, jnp.asarray(m0), jnp.asarray(q0), n_iter, True)


# ------------------------------------------------------------------------------------------- gradient flow


def gradient_flow(instance: SpikedInstance, x0: Array, dt: float = 0.05, n_steps: int = 2000,
                  record_every: int = 10, hessian: bool = False, method: str = "euler") -> dynamics.Trajectory:
    r"""Gradient flow :math:`\dot x = -\operatorname{grad}L(x)` on :math:`S_N` for one instance, observed.

    Runs :func:`landscape.dynamics.gradient_flow` on :func:`loss_field` with ``reference = instance.signal``, so the
    :class:`~landscape.dynamics.Trajectory` also records the overlap :math:`m(t) = x(t)\cdot x^*/N` (``overlap``)
    and, with ``hessian=True``, the lowest tangent-Hessian eigenvalue and the squared overlap of its eigenvector
    with the tangent direction of the signal (``hessian_overlap``). ``energy`` is :math:`u = L/N`. ``x0`` is a
    point or a batch of points of :math:`S_N`; ``dt``, ``n_steps``, ``record_every``, ``method`` as there
    (:math:`\Delta t \le 0.1` is stable while :math:`\Delta t(2\sqrt{\xi''(1)} + \xi'(1)) \lesssim 1`). Above
    :func:`gradient_flow_threshold` the overlap grows from a small start to that of the minimum near the signal
    (Sarao Mannelli et al. 2019, arXiv:1907.08226).
    """
    instance = _check_instance(instance)
    x0 = _check_points("x0", x0, instance.signal.shape[0], on_sphere=True)
    n_steps_ = _validate.integer("n_steps", n_steps)
    record_every_ = _validate.integer("record_every", record_every)
    if n_steps_ > 0 and record_every_ > 0:  # their ranges are checked by dynamics.gradient_flow
        _validate.allocation(f"n_steps = {n_steps_} with record_every = {record_every_} ({math.prod(x0.shape[:-1])} "
                             f"starts)", 16 * 8 * (n_steps_ // record_every_ + 1) * math.prod(x0.shape[:-1]))
    return dynamics.gradient_flow(_loss_field(instance), x0, dt=dt, n_steps=n_steps, record_every=record_every,
                                  method=method, hessian=hessian, reference=instance.signal)


# ------------------------------------------------------------------------- N = infinity gradient flow


class GradientFlowDMFT(NamedTuple):
    r"""The :math:`N\to\infty` gradient flow of the spiked model (:func:`gradient_flow_dmft`), NumPy arrays.

    On the uniform grid ``times`` is :math:`t_k = k\,\Delta t` and ``C``, ``R`` are the two-time functions there; on
    the adaptive grid ``times`` are the (non-uniform) times stepped to, ``C`` is on the final coarse grid ``grid``
    and ``R`` is None (only its integrals over grid intervals are resolved there; ``chi`` holds them).
    """

    times: np.ndarray  #: shape (K,)
    energy: np.ndarray  #: u(t) = L/N, shape (K,)
    mu: np.ndarray  #: the Lagrange multiplier mu(t), shape (K,)
    m: np.ndarray  #: the overlap m(t) with the signal, shape (K,)
    C: np.ndarray  #: C(t, t'), on ``times`` (uniform) or on ``grid`` (adaptive)
    R: np.ndarray | None  #: R(t, t') for t' <= t on the uniform grid; None on the adaptive grid
    grid: np.ndarray | None = None  #: the adaptive grid's final times (None on the uniform grid)
    chi: np.ndarray | None = None  #: the integrated response on ``grid`` (adaptive grid only)


def gradient_flow_dmft(model: SpikedMatrixTensor, t_max: float, dt: float = 0.1, m0: float = 1e-3, *,
                       adaptive: bool = False, points: int = 256) -> GradientFlowDMFT:
    r"""Gradient flow of the spiked matrix–tensor loss as :math:`N\to\infty`, from a random start with overlap
    ``m0``: the Cugliandolo–Kurchan equations with a planted direction.

    With :math:`L = -N\xi(m) + H` (module docstring), gradient flow :math:`\dot x = -\nabla L - \mu x` on
    :math:`S_N` closes, as :math:`N\to\infty`, on :math:`C(t,t')`, :math:`R(t,t')`, :math:`\mu(t)` and
    :math:`m(t)` (Sarao Mannelli, Krzakala, Urbani & Zdeborová, arXiv:1902.00139; Sarao Mannelli et al.,
    arXiv:1907.08226), at :math:`T = 0`:

    .. math::
        \dot m(t) &= -\mu(t)m(t) + \xi'(m(t)) + \int_0^t\xi''(C(t,s))R(t,s)m(s)\,ds, \\
        \partial_tC(t,t') &= -\mu(t)C(t,t') + \xi'(m(t))m(t') + \int_0^{t'}\xi'(C(t,s))R(t',s)\,ds
            + \int_0^t\xi''(C(t,s))R(t,s)C(s,t')\,ds, \\
        \partial_tR(t,t') &= -\mu(t)R(t,t') + \int_{t'}^t\xi''(C(t,s))R(t,s)R(s,t')\,ds, \\
        \mu(t) &= m\xi'(m) + \int_0^t\big[\xi'(C) + C\xi''(C)\big]R\,ds, \qquad
        u(t) = -\xi(m(t)) - \int_0^t\xi'(C(t,s))R(t,s)\,ds .

    The same :math:`\xi` enters as the noise's covariance and as the pull :math:`-N\xi(m)`. This is
    :func:`landscape.dynamics.cugliandolo_kurchan` with ``signal = model.xi`` (the uniform fourth-order grid, step
    ``dt``; with ``m0 = 0`` it is, bit for bit, the flow on the mixed model without a signal), or with
    ``adaptive=True`` :func:`landscape.dynamics.cugliandolo_kurchan_adaptive` (``points`` grid points, ``dt``
    unused): fixed work per decade of time, :math:`t = 400` in about a second on two CPU cores, with errors
    :math:`\propto 1/` ``points`` (:math:`10^{-2}` in :math:`m` on the steep rise at 256 points, :math:`10^{-4}` on
    the plateaus). **Caveat of the adaptive grid:** its step at time :math:`t` is about :math:`2t/` ``points``, and a
    fast event late in the run (the escape from a long plateau, followed by a relaxation of rate
    :math:`\sim\lambda_{\min}` into the good minimum) is resolved only while that step is small against
    :math:`1/\lambda_{\min}`. Measured for :math:`p = 3`, :math:`1/\Delta_2 = 2.3`, :math:`\Delta_3 = 1`: from
    :math:`m_0 = 10^{-8}` (escape at :math:`t \approx 270`) the end point is right to :math:`10^{-4}` with 256 points;
    from :math:`m_0 = 10^{-10}` (escape at :math:`t \approx 450`) it ends at :math:`m = 0.795` with 256 points and
    0.812 (correct) with 512. Check late escapes by doubling ``points``. The uniform grid costs
    :math:`O((t_{\max}/\Delta t)^3)`: :math:`t_{\max} = 100` at
    :math:`\Delta t = 0.1` takes a few seconds. A start uniform on :math:`S_N` has :math:`m_0 \approx N^{-1/2}`.
    """
    model = _model("model", model)
    if not isinstance(adaptive, bool):
        raise TypeError(f"adaptive must be True or False, got {adaptive!r}")
    _validate.integer("points", points, minimum=32, maximum=4096)  # the range of cugliandolo_kurchan_adaptive
    _validate.real("dt", dt, minimum=0.0, strict_minimum=True)
    if adaptive:
        sol = dynamics.cugliandolo_kurchan_adaptive(model.xi, 0.0, t_max, points=points, signal=model.xi, m0=m0)
        return GradientFlowDMFT(sol.times, sol.energy, sol.mu, sol.m, sol.C, None, sol.grid, sol.chi)
    sol = dynamics.cugliandolo_kurchan(model.xi, 0.0, t_max, dt, signal=model.xi, m0=m0)
    return GradientFlowDMFT(sol.times, sol.energy, sol.mu, sol.m, sol.C, sol.R)


# ------------------------------------------------------------------------------- Kac–Rice with the signal


def _inverse_noises(model: Any) -> tuple[int, float, float]:
    """``(p, 1/Δ₂, 1/Δ_p)`` of a validated model."""
    model = _model("model", model)
    return model.p, 1.0 / model.delta2, 1.0 / model.deltap


def _overlaps(m: Any) -> jax.Array:
    """``m`` as a float64 array after checking it is real, finite and (when concrete) in the open (-1, 1)."""
    m = rmt._real_array("m", m)
    if not _validate.is_traced(m) and bool(jnp.any(jnp.abs(m) >= 1.0)):
        raise ValueError(f"m must lie in the open interval (-1, 1) (at |m| = 1 the slab of the sphere is a point and "
                         f"the complexity is -inf), got {float(jnp.max(jnp.abs(m)))} in absolute value")
    return m


# ------------------------------------------------------------------------------------------------ kernels


def _derivatives(q: jax.Array, p: int, inv2: jax.Array, invp: jax.Array) -> tuple[jax.Array, ...]:
    r""":math:`\xi(q), \xi'(q), \xi''(q)` for :math:`\xi = q^2/(2\Delta_2) + q^p/(p\Delta_p)` (``p`` a Python int, so
    the powers are integer powers and negative ``q`` is fine); equal to :func:`landscape.fields.xi` of :func:`_xi`."""
    return (0.5 * inv2 * q**2 + invp * q**p / p, inv2 * q + invp * q ** (p - 1), inv2 + (p - 1) * invp * q ** (p - 2))


def _sup_free(c: jax.Array, s2: jax.Array, a: jax.Array) -> tuple[jax.Array, jax.Array]:
    r"""``(value, argmax)`` of :math:`\mu \mapsto \Omega(\mu/\sqrt a) - (\mu - c)^2/(2s^2)` over the real line, for
    :math:`s^2 < 2a` (strict concavity); the closed form of :func:`landscape.kac_rice.complexity_mixed` with its
    centre :math:`\xi' u/\xi` replaced by ``c``, and the argmax made explicit."""
    sa = jnp.sqrt(a)
    d = a - s2
    edge = (2.0 * a - s2) / sa
    ac = jnp.abs(c)
    inside = ac <= edge
    value_in = c**2 / (2.0 * (2.0 * a - s2)) - 0.5
    mu_in = 2.0 * a * c / (2.0 * a - s2)
    co = jnp.where(inside, edge + 1.0, ac)
    g = 2.0 * sa / (co + jnp.sqrt(jnp.maximum(co**2 - 4.0 * d, 0.0)))  # G(x*) in (0, 1)
    x_out = g + 1.0 / g
    value_out = rmt._log_potential(x_out) - s2 * g**2 / (2.0 * a)
    mu_out = jnp.sign(c) * sa * x_out
    return jnp.where(inside, value_in, value_out), jnp.where(inside, mu_in, mu_out)


def _sup_above(c: jax.Array, s2: jax.Array, a: jax.Array, lo: jax.Array) -> tuple[jax.Array, jax.Array]:
    r"""``(value, active)``: the same supremum restricted to :math:`\mu \ge` ``lo``; by concavity it is the free one
    when its argmax is :math:`\ge` ``lo``, else the value at ``lo`` (``active``: the constraint binds)."""
    free, mu = _sup_free(c, s2, a)
    active = mu < lo
    at_lo = rmt._log_potential(lo / jnp.sqrt(a)) - (lo - c) ** 2 / (2.0 * s2)
    return jnp.where(active, at_lo, free), active


def _minima_bound(m: jax.Array, p: int, inv2: jax.Array, invp: jax.Array) -> jax.Array:
    r""":math:`\mu_{\min}(m) = \sqrt{\xi''}\,\lambda_{\rm BBP}(\theta(m)/\sqrt{\xi''})`: the smallest multiplier with
    a positive semidefinite typical Hessian (bulk edge :math:`2\sqrt{\xi''}`, or the BBP outlier when
    :math:`\theta > \sqrt{\xi''}`; a negative :math:`\theta`, possible for odd ``p`` at :math:`m < 0`, only moves an
    eigenvalue up)."""
    sa = jnp.sqrt(inv2 + (p - 1) * invp)
    theta = _derivatives(m, p, inv2, invp)[2] * (1.0 - m**2)
    return sa * rmt._bbp_outlier(theta / sa)


def hessian_bottom(model: SpikedMatrixTensor, mu: Any, m: Any) -> tuple[np.ndarray, np.ndarray]:
    r"""The bottom of the typical tangent Hessian :math:`\sqrt{\xi''(1)}\,W + \mu I - \theta(m)\,ee^\top` at a point
    with multiplier ``mu`` and overlap ``m``: its lowest eigenvalue :math:`\mu - \mu_{\min}(m)` and the squared
    overlap of its eigenvector with the signal's tangent direction :math:`e`, :math:`1 - \xi''(1)/\theta(m)^2` when
    the BBP outlier exists (:math:`\theta(m) > \sqrt{\xi''(1)}`), else 0 (:func:`landscape.rmt.bbp_overlap`).
    :math:`\theta(m) = \xi''(m)(1-m^2)`. Vectorised over broadcast ``mu`` and ``m`` (NumPy arrays)."""
    p, inv2, invp = _inverse_noises(model)
    _validate.finite_array("mu", mu)
    m = _overlaps(m)
    sa = np.sqrt(inv2 + (p - 1) * invp)
    lowest = np.asarray(mu) - np.asarray(_minima_bound(m, p, jnp.float64(inv2), jnp.float64(invp)))
    theta = np.asarray(_derivatives(m, p, inv2, invp)[2] * (1.0 - m**2))
    return lowest, np.asarray(rmt.bbp_overlap(np.maximum(theta, 0.0) / sa))


@partial(jax.jit, static_argnames=("p", "minima", "over_u"))
def _sigma(m: jax.Array, u: jax.Array, p: int, inv2: jax.Array, invp: jax.Array, minima: bool,
           over_u: bool) -> tuple[jax.Array, jax.Array]:
    """``(Σ, active)`` at overlap ``m`` (and energy ``u`` unless ``over_u``), of all critical points or of minima."""
    c0, b, a = 0.5 * inv2 + invp / p, inv2 + invp, inv2 + (p - 1) * invp
    xm, h, _ = _derivatives(m, p, inv2, invp)
    one_m2 = 1.0 - m**2
    base = 0.5 + 0.5 * jnp.log(a / b) + 0.5 * jnp.log1p(-(m**2)) - one_m2 * h**2 / (2.0 * b)
    if over_u:
        centre, s2, gauss = m * h, a + b, 0.0
    else:
        x = u + xm
        centre, s2, gauss = m * h - b * x / c0, a + b - b * b / c0, x**2 / (2.0 * c0)
    if minima:
        value, active = _sup_above(centre, s2, a, _minima_bound(m, p, inv2, invp))
    else:
        value, active = _sup_free(centre, s2, a)[0], jnp.zeros(jnp.shape(centre), dtype=bool)
    return base - gauss + value, active


# ------------------------------------------------------------------------------------------------ public


def _complexity(m: Any, u: Any, model: Any, minima: bool) -> jax.Array:
    """Validate, broadcast and evaluate :func:`_sigma` (``u`` None: the supremum over the energy)."""
    p, inv2, invp = _inverse_noises(model)
    m = _overlaps(m)
    if u is None:
        return _sigma(m, m, p, jnp.float64(inv2), jnp.float64(invp), minima, True)[0]
    m, u = jnp.broadcast_arrays(m, rmt._real_array("u", u))
    return _sigma(m, u, p, jnp.float64(inv2), jnp.float64(invp), minima, False)[0]


def complexity(m: Any, u: Any, model: Any) -> jax.Array:
    r"""Annealed complexity (density in :math:`m` and :math:`u`) of critical points of any index of the spiked
    matrix–tensor loss :math:`L = -N\xi(m) + H` at overlap ``m`` and energy ``u = L/N``:

    .. math:: \Sigma(m, u) = \frac12 + \frac12\log\frac{\xi''}{\xi'} + \frac12\log(1-m^2)
        - \frac{(1-m^2)\,\xi'(m)^2}{2\xi'} - \frac{x^2}{2\xi}
        + \sup_{\mu\in\mathbb R}\Big[\Omega\Big(\frac{\mu}{\sqrt{\xi''}}\Big) - \frac{(\mu - c)^2}{2s^2}\Big],

    :math:`x = u + \xi(m)` (the energy of the noise), :math:`c = m\xi'(m) - \xi' x/\xi`,
    :math:`s^2 = \xi'' + \xi' - \xi'^2/\xi`, :math:`\xi^{(k)} = \xi^{(k)}(1)`. The terms: volume of the slab at
    overlap ``m`` with the density of the tangent gradient at the value :math:`\xi'(m)Px^*` it must cancel; the
    Gaussian density of :math:`X = x` and of :math:`Y = m\xi'(m) - \mu` given :math:`X`; :math:`\Omega` the
    semicircle log-potential (:func:`landscape.rmt.semicircle_log_potential`), the rate of
    :math:`\mathbb E|\det(\sqrt{\xi''}W + \mu - \theta ee^\top)|` (derivation in the module docstring; cf. Ros et al.
    2019 and Sarao Mannelli et al. 2019). The supremum is in closed form, as in
    :func:`landscape.kac_rice.complexity_mixed` (strictly concave since :math:`s^2 < 2\xi''`), and at :math:`m = 0`
    (where :math:`\xi'(0) = 0`) :math:`\Sigma(0, u)` *is* ``complexity_mixed(u, xi)``: the signal only shifts the
    energy by :math:`-\xi(0) = 0` there.

    With ``u=None`` it returns :math:`\sup_u\Sigma(m, u)`, the same formula with :math:`x` integrated out:
    :math:`c = m\xi'(m)`, :math:`s^2 = \xi''+\xi'` and no :math:`x^2` term. This vanishes (a sub-exponential count)
    exactly at the ML-AMP fixed points with :math:`\xi'(m)^2+\xi' > \xi''` (module docstring, :func:`good_minimum`).

    Args:
        m: overlaps with the signal, real, in the open interval ``(-1, 1)``.
        u: energies per spin, real and finite, broadcast against ``m``; or ``None`` (supremum over the energy).
        model: a :class:`SpikedMatrixTensor`.

    Returns:
        float64 array of the broadcast shape of ``m`` and ``u``.
    """
    return _complexity(m, u, model, minima=False)


def complexity_minima(m: Any, model: Any, u: Any = None) -> jax.Array:
    r"""Annealed complexity of local minima at overlap ``m`` (and energy ``u``, or the supremum over the energy).

    The formula of :func:`complexity` with the supremum restricted to the multipliers for which the typical Hessian
    :math:`\sqrt{\xi''}W + \mu - \theta(m)ee^\top`, :math:`\theta(m) = \xi''(m)(1-m^2)`, is positive semidefinite:

    .. math:: \mu \ge \mu_{\min}(m) = \begin{cases} 2\sqrt{\xi''}, & \theta(m) \le \sqrt{\xi''},\\
        \theta(m) + \xi''/\theta(m), & \theta(m) > \sqrt{\xi''}, \end{cases}

    the edge of the bulk or, above the BBP transition, the outlier :math:`\mu - \theta - \xi''/\theta`
    (:func:`landscape.rmt.bbp_outlier` in units of :math:`\sqrt{\xi''}`). This is a hard constraint on the *typical*
    spectrum, the convention of the literature (Ros et al. 2019; Sarao Mannelli et al. 2019): a large deviation of
    the bulk costs :math:`O(N^2)` and is rightly ignored, but a large deviation of the single outlier (rate
    :math:`O(N)`) that would make a point with :math:`\mu < \mu_{\min}` a minimum is *not* counted. By concavity the
    restricted supremum is the free one when its argmax is :math:`\ge \mu_{\min}`, else the value at
    :math:`\mu_{\min}` (marginal minima, whose lowest eigenvalue touches 0). Hence ``complexity_minima <=
    complexity`` with equality where typical critical points are minima.

    Args:
        m: overlaps, real, in ``(-1, 1)``.
        model: a :class:`SpikedMatrixTensor`.
        u: energies per spin (finite, broadcast against ``m``), or ``None`` for :math:`\sup_u`, the total number of
            minima at overlap ``m``.

    Returns:
        float64 array of the broadcast shape.
    """
    return _complexity(m, u, model, minima=True)


# --------------------------------------------------------------------------------------- the good minimum


def _fixed_points(p: int, inv2: float, invp: float, positive: bool) -> list[float]:
    r"""Nonzero solutions in :math:`(0, 1)` (``positive``) or :math:`(-1, 0)` of the ML-AMP state-evolution equation
    :math:`m\sqrt{\xi'(m)^2 + \xi'(1)} = \xi'(m)`: sign changes on a grid of 4000 points, each refined by
    :func:`scipy.optimize.brentq` to :math:`10^{-15}` (a tangential double root, a measure-zero case, is missed)."""
    b = inv2 + invp

    def phi(m: float) -> float:
        h = inv2 * m + invp * m ** (p - 1)
        return m * math.sqrt(h * h + b) - h

    grid = np.linspace(1e-4, 1.0 - 1e-12, 4000) * (1.0 if positive else -1.0)
    values = [phi(float(m)) for m in grid]
    return [float(brentq(phi, grid[i], grid[i + 1], xtol=1e-15, rtol=4 * np.finfo(float).eps))
            for i in range(len(grid) - 1) if values[i] == 0.0 or values[i] * values[i + 1] < 0]


def _isolated(m: float, p: int, inv2: float, invp: float) -> tuple[bool, float, float]:
    """For a state-evolution fixed point ``m``: (is it an isolated minimum, R, mu_min) with R² = ξ'(m)² + ξ'(1)."""
    a = inv2 + (p - 1) * invp
    h = inv2 * m + invp * m ** (p - 1)
    r = math.sqrt(h * h + inv2 + invp)
    mu_min = float(_minima_bound(jnp.float64(m), p, jnp.float64(inv2), jnp.float64(invp)))
    return r * r > a and r + a / r >= mu_min, r, mu_min


def good_minimum(model: Any) -> tuple[float, float]:
    r"""Overlap and energy :math:`(m^*, u^*)` of the good (informative) local minimum.

    **Characterisation (exact).** With :math:`R(m)^2 = \xi'(m)^2 + \xi'(1)` and :math:`a = \xi''(1)`,
    :math:`b = \xi'(1)`, every solution of the ML-AMP state-evolution equation

    .. math:: m = \frac{\xi'(m)}{\sqrt{\xi'(m)^2 + \xi'(1)}}

    with :math:`R > \sqrt a` is a critical point of :math:`m \mapsto \sup_u\Sigma(m, u)` with value exactly 0: the
    optimal multiplier is :math:`\mu = R + a/R` (Stieltjes transform :math:`g = \sqrt a/R` of the semicircle at
    :math:`\mu/\sqrt a`), and with :math:`1 - m^2 = b/R^2` all terms of :func:`complexity` cancel,
    :math:`\frac12 - \frac{m^2}2 - \frac{b}{2R^2} = 0`; the derivative in :math:`m` is
    :math:`\xi'(m)(h^2 + b - R^2)/(Rb) = 0`. The optimal noise energy is :math:`x = \mathbb E[X|Y]`, so

    .. math:: u^* = -\xi(m^*) - \frac{\xi'(1)}{\sqrt{\xi'(m^*)^2 + \xi'(1)}} .

    So the Kac–Rice route and the ML-AMP state evolution give the *same* :math:`m^*`, not only numerically (Sarao
    Mannelli et al. 2019 state that gradient flow and ML-AMP reach the same error). :math:`m^*` is the largest
    fixed point in :math:`(0, 1)` (the one the iteration reaches from :math:`m = 1`); it is returned when it is a
    local minimum with an isolated annealed count: :math:`R > \sqrt a` and :math:`\mu \ge \mu_{\min}(m^*)` (see
    :func:`complexity_minima`). Then :func:`complexity_minima` (sup over ``u``) is :math:`\le 0` near :math:`m^*`
    and touches 0 at :math:`m^*`. Values (``p=3``, :math:`\Delta_p = 1`): :math:`1/\Delta_2 = 1.5, 2, 3` give
    :math:`m^* = 0.692912, 0.782665, 0.854882` and :math:`u^* = -1.611027, -1.850479, -2.342136`.

    Args:
        model: a :class:`SpikedMatrixTensor`.

    Returns:
        ``(m_star, u_star)`` as floats.

    Raises:
        ValueError: when there is no informative fixed point, or when it is not an isolated local minimum (it then
            sits inside a band of marginal states, or is a saddle).
    """
    p, inv2, invp = _inverse_noises(model)
    roots = _fixed_points(p, inv2, invp, positive=True)
    if not roots:
        raise ValueError(f"no informative minimum: m = xi'(m)/sqrt(xi'(m)^2 + xi'(1)) has no solution in (0, 1) for "
                         f"p={p}, delta2={model.delta2}, deltap={model.deltap} (raise 1/delta2)")
    m = max(roots)
    ok, r, mu_min = _isolated(m, p, inv2, invp)
    if not ok:
        a = inv2 + (p - 1) * invp
        why = (f"R^2 = xi'(m)^2 + xi'(1) = {r * r:.6g} <= xi''(1) = {a:.6g}: it lies inside a band of marginal "
               f"states" if r * r <= a else f"mu = {r + a / r:.6g} < mu_min = {mu_min:.6g}: it is a saddle")
        raise ValueError(f"the informative fixed point m = {m:.6g} is not an isolated local minimum for p={p}, "
                         f"delta2={model.delta2}, deltap={model.deltap}: {why}")
    u = -(0.5 * inv2 * m * m + invp * m**p / p) - (inv2 + invp) / r
    return m, u


# ---------------------------------------------------------------------------------------- trivialization


_REGIONS = ("all", "positive", "equator")
_GRID = 4001
_ZOOM = 201
_CANDIDATES = 4
_EDGE = 1e-4  # the grid of overlaps stops at |m| = 1 - _EDGE, where Sigma ~ log(1 - m^2)/2 is far below 0


def _gradient_flow_line(p: int, invp: float) -> float:
    r""":math:`1/\Delta_2` at which :math:`\theta(0) = 1/\Delta_2 = \sqrt{\xi''(1)}`: the BBP transition of the
    Hessian at the equator, :math:`(1 + \sqrt{1 + 4(p-1)/\Delta_p})/2`."""
    return 0.5 * (1.0 + math.sqrt(1.0 + 4.0 * (p - 1) * invp))


def _equator_minima_complexity(inv2: float, p: int, invp: float) -> float:
    r""":math:`\Sigma_{\min}(0)` in closed form (see :func:`trivialization_threshold`, ``region="equator"``)."""
    a, b = inv2 + (p - 1) * invp, inv2 + invp
    if inv2 * inv2 <= a:  # no outlier at m = 0: the bulk edge binds
        return 1.0 + 0.5 * math.log(a / b) - 2.0 * a / (a + b)
    return 0.5 + math.log(inv2 / math.sqrt(b)) + a / (2.0 * inv2**2) - (inv2**2 + a) ** 2 / (2.0 * inv2**2 * (a + b))


def _spurious(inv2: float, p: int, invp: float, region: str) -> tuple[float, float]:
    r"""``(value, m)``: the largest :math:`\Sigma_{\min}(m)` over the overlaps of ``region`` where the minima
    constraint binds (marginal minima), and where it is attained. Grid of ``_GRID`` points, then the
    ``_CANDIDATES`` best local maxima refined by three zooms of ``_ZOOM`` points (factor 50 each). Returns
    ``(-1.0, nan)`` when the constraint binds nowhere."""
    lo = 0.0 if region == "positive" else -1.0 + _EDGE
    hi = 1.0 - _EDGE
    args = (p, jnp.float64(inv2), jnp.float64(invp), True, True)
    grid = np.linspace(lo, hi, _GRID)
    s, active = (np.asarray(v) for v in _sigma(jnp.asarray(grid), jnp.asarray(grid), *args))
    s = np.where(active, s, -np.inf)
    if not np.isfinite(s).any():
        return -1.0, math.nan
    padded = np.concatenate([[-np.inf], s, [-np.inf]])
    peaks = np.flatnonzero((s >= padded[:-2]) & (s >= padded[2:]) & np.isfinite(s))
    centres = grid[peaks[np.argsort(s[peaks])[::-1][:_CANDIDATES]]]
    centres = np.resize(centres, _CANDIDATES)  # a fixed shape: one compilation
    width = np.full(_CANDIDATES, grid[1] - grid[0])
    offsets = np.linspace(-1.0, 1.0, _ZOOM)
    for _ in range(3):
        sub = np.clip(centres[:, None] + width[:, None] * offsets, lo, hi)
        v, act = (np.asarray(x) for x in _sigma(jnp.asarray(sub), jnp.asarray(sub), *args))
        v = np.where(act, v, -np.inf)
        best = np.argmax(v, axis=1)
        centres = sub[np.arange(_CANDIDATES), best]
        values = v[np.arange(_CANDIDATES), best]
        width = width / 50.0
    k = int(np.argmax(values))
    return float(values[k]), float(centres[k])


def _births(p: int, invp: float, region: str) -> list[tuple[float, float]]:
    r"""``(1/Δ₂, m)`` where a state-evolution fixed point in ``region`` leaves the bulk, :math:`R(m)^2 = \xi''(1)`:
    then :math:`\xi'(m) = \pm\sqrt{(p-2)/\Delta_p}` and :math:`m = \xi'(m)/\sqrt{\xi''(1)}`, one equation in
    :math:`1/\Delta_2` (sign changes on a log grid over :math:`[10^{-3}, 10^4]`, then brentq)."""
    s = math.sqrt((p - 2) * invp)
    out = []
    for sign in ((1.0,) if region == "positive" else (1.0, -1.0)):
        def f(inv2: float, sign: float = sign) -> float:
            m = sign * s / math.sqrt(inv2 + (p - 1) * invp)
            return inv2 * m + invp * m ** (p - 1) - sign * s
        grid = np.geomspace(1e-3, 1e4, 3000)
        values = [f(x) for x in grid]
        for i in range(len(grid) - 1):
            if values[i] * values[i + 1] < 0:
                inv2 = float(brentq(f, grid[i], grid[i + 1], xtol=1e-14, rtol=4 * np.finfo(float).eps))
                out.append((inv2, sign * s / math.sqrt(inv2 + (p - 1) * invp)))
    return out


def trivialization_threshold(p: int, deltap: float, region: str = "all") -> float:
    r"""The signal strength :math:`1/\Delta_2^{\rm triv}` above which the annealed count of *spurious* local minima
    is no longer exponential: :math:`\Sigma_{\min}(m) < 0` (:func:`complexity_minima`, sup over ``u``) at every
    overlap of ``region``, except at the isolated minima (state-evolution fixed points with
    :math:`\xi'(m)^2 + \xi'(1) > \xi''(1)`, where :math:`\Sigma_{\min} = 0` exactly: see :func:`good_minimum`).

    **How the last spurious minima disappear (found numerically, proved where stated).** Where the minima
    constraint :math:`\mu \ge \mu_{\min}(m)` does not bind, :math:`\Sigma_{\min} = \sup_u\Sigma \le 0` (checked on
    :math:`p \le 6`, :math:`\Delta_p \in [0.05, 50]`, :math:`1/\Delta_2 \in [0.2, 20]`), zero only at the isolated
    fixed points; so exponentially many minima are *marginal* (lowest eigenvalue at 0) and form bands in ``m``. A
    band disappears either by crossing 0 (a simple root in :math:`1/\Delta_2`) or by shrinking onto a fixed point
    as it leaves the bulk (:math:`R(m)^2 = \xi''(1)`, a "birth" in closed form, where the band's maximum vanishes to
    high order). At the equator :math:`\theta(0) = 1/\Delta_2`; at and below the gradient-flow line
    :math:`1/\Delta_2 = (1 + \sqrt{1 + 4(p-1)/\Delta_p})/2` (where :math:`\theta(0) = \sqrt{\xi''(1)}`),
    :math:`\Sigma_{\min}(0) = 1 + \frac12\log\frac{\xi''}{\xi'} - \frac{2\xi''}{\xi''+\xi'} > 0` (it increases from 0
    in :math:`\xi''/\xi' \ge 1`), so the threshold always lies above the gradient-flow line (proved), hence above the
    ML-AMP line too. Above it the outlier binds, and at :math:`m = 0` (:math:`a = \xi''(1)`, :math:`b = \xi'(1)`)

    .. math:: \Sigma_{\min}(0) = \frac12 + \log\frac{1/\Delta_2}{\sqrt{b}} + \frac{a\Delta_2^2}{2}
        - \frac{(1/\Delta_2^2 + a)^2\,\Delta_2^2}{2(a + b)} .

    * ``p = 4, 6`` (even, checked for :math:`\Delta_p \in [0.01, 100]`): the last spurious minima sit at the
      equator, and the threshold is the root of this closed form (``region="equator"``).
    * ``p = 3``: :math:`\theta'(0) = 2/\Delta_p \ne 0`, so above the gradient-flow line
      :math:`\partial_m\Sigma_{\min}(0) < 0` and the equator band's maximum moves to :math:`m < 0`. Restricted to
      :math:`m \ge 0` (``region="positive"``) the maximum stays at :math:`m = 0` and the threshold is again the
      closed form. Over all overlaps (``region="all"``) a second band sits near the *mirror* fixed point at
      :math:`m < 0` (the loss is even up to the tensor term) and collapses onto it when it leaves the bulk; this
      birth is the threshold for :math:`\Delta_p \lesssim 4`, the equator band (its maximum at
      :math:`-0.1 < m < 0`) above.
      ``p = 5`` (:math:`\theta'(0) = 0`): the equator for :math:`\Delta_p \gtrsim 0.6`, the mirror birth below.
      Past its birth the mirror point of an odd ``p`` stays an isolated *bad* local minimum,
      :math:`\Sigma_{\min} = 0` (a sub-exponential, not an exponential, count): for odd ``p`` the landscape never
      becomes free of bad minima altogether.

    Values of :math:`1/\Delta_2^{\rm triv}` (``region="all"`` / ``"positive"``): ``p = 3``:
    :math:`\Delta_p = 0.5`: 3.80631 / 2.85296; 1: 2.61347 / 2.19138; 2: 1.91421 / 1.74100; 5: 1.41579 / 1.37139.
    ``p = 4`` (all regions): 3.53400, 2.64995, 2.04499, 1.54067. Sarao Mannelli et al. (2019), Fig. 1, place the
    Kac–Rice line above the gradient-flow and ML-AMP lines, all three tending to 1 as :math:`\Delta_p \to \infty`,
    as here; which overlaps their line counts is not stated in the part of the paper we could consult (the closed
    form of ``region="equator"`` is the natural candidate for their closed-form line). Chapter 9 uses ``"all"``.

    Method: ``"equator"``: brentq on the closed form from the gradient-flow line. Otherwise the largest
    :math:`\Sigma_{\min}` over the marginal overlaps of the region (``_spurious``) is scanned in steps of 1% from
    the gradient-flow line past every birth, its last sign change refined by brentq (:math:`x_{\rm tol} = 10^{-12}`);
    a root within :math:`10^{-2}` of a birth whose band it is (maximum within 0.02 in ``m``) is replaced by the
    birth's closed-form value (the band vanishes to high order there, so its numerical root is only good to
    :math:`\sim 10^{-4}`). About a second.

    Args:
        p: the tensor order, an integer ``>= 3``.
        deltap: :math:`\Delta_p`, a real in ``[0.01, 100]``.
        region: ``"all"`` (:math:`m \in (-1, 1)`), ``"positive"`` (:math:`m \in [0, 1)`) or ``"equator"``
            (:math:`m = 0`, closed form).

    Returns:
        :math:`1/\Delta_2^{\rm triv}` as a float.
    """
    p = _validate.integer("p", p, minimum=3)
    deltap = _validate.real("deltap", deltap, minimum=0.01, maximum=100.0)
    if region not in _REGIONS:
        raise ValueError(f"region must be one of {_REGIONS}, got {region!r}")
    invp = 1.0 / deltap
    start = _gradient_flow_line(p, invp)
    if region == "equator":
        stop = 2.0 * start
        while _equator_minima_complexity(stop, p, invp) >= 0.0:
            stop *= 2.0
        return float(brentq(_equator_minima_complexity, start, stop, args=(p, invp), xtol=1e-12,
                            rtol=4 * np.finfo(float).eps))
    births = _births(p, invp, region)
    end = 1.05 * max([start] + [inv2 for inv2, _ in births])
    levels, values = [start], [_spurious(start, p, invp, region)[0]]
    while levels[-1] < end or values[-1] >= 0.0:
        if len(levels) > 2000:  # a factor e^20 above the gradient-flow line: never reached for deltap in range
            raise RuntimeError(f"no trivialization found below 1/delta2 = {levels[-1]:.6g} for p={p}, "
                               f"deltap={deltap}")
        levels.append(levels[-1] * 1.01)
        values.append(_spurious(levels[-1], p, invp, region)[0])
    last = max(i for i in range(1, len(levels)) if values[i - 1] >= 0.0 > values[i])
    root = float(brentq(lambda x: _spurious(x, p, invp, region)[0], levels[last - 1], levels[last], xtol=1e-12))
    where = _spurious(root - 1e-6, p, invp, region)[1]
    for inv2, m in births:
        if abs(root - inv2) < 1e-2 and abs(where - m) < 0.02:
            return inv2
    return root

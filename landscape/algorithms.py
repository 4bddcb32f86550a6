r"""Optimisation algorithms as objects of the theory: Subag's incremental walk and the algorithmic energy.

* :func:`subag` — the walk from the centre of the ball to the sphere :math:`S_N` along the lowest eigenvector of
  the Hessian restricted to the orthogonal complement of the current point, in ``n_steps`` equal increments of
  :math:`q = |x|^2/N` (Subag 2021).
* :func:`algorithmic_energy` — its limit :math:`E_{\mathrm{ALG}} = -\int_0^1\sqrt{\xi''(q)}\,dq` (energy per
  spin, in the book's sign: the book minimises :math:`H`), for mixtures without a 1-spin term.

Why the walk reaches :math:`E_{\mathrm{ALG}}`. At a point :math:`x` with :math:`|x|^2 = qN`, the Euclidean Hessian
:math:`\nabla^2 H(x)` restricted to :math:`x^\perp` is distributed as :math:`\sqrt{\xi''(q)}\,W_{N-1}` (a GOE in the
book's normalisation, up to :math:`\sqrt{(N-1)/N}`), whose lowest eigenvalue tends to :math:`-2\sqrt{\xi''(q)}`. A
step :math:`x \to x + \sqrt{N\delta q}\,v` with :math:`v \perp x` a unit lowest eigenvector raises :math:`|x|^2` by
exactly :math:`N\delta q` and, by Taylor's formula, changes the energy by
:math:`\sqrt{N\delta q}\,\nabla H\cdot v + \tfrac12 N\delta q\,v^\top\nabla^2H\,v + O(N\delta q^{3/2})`; the sign of
:math:`v` is chosen so that the step does not raise :math:`H` (the first term is then :math:`\le 0` to leading
order), and the second is :math:`\approx -N\sqrt{\xi''(q)}\,\delta q`. Summed over the steps,
:math:`H/N \to -\int_0^1\sqrt{\xi''(q)}\,dq` when :math:`\delta q \to 0` and :math:`N\delta q \to \infty`.

Sources: E. Subag, *Following the ground states of full-RSB spherical spin glasses*, Comm. Pure Appl. Math. 74
(2021) 1021–1044, doi:10.1002/cpa.21922, arXiv:1812.04588 (the algorithm; its abstract states it as here, for the
ground state, i.e. the minimum: paths from the origin to the sphere that follow "a direction corresponding to the
most negative eigenvalues of the Hessian", reaching :math:`-E_\infty` for pure models); B. Huang & M. Sellke,
*Tight Lipschitz hardness for optimizing mean field spin glasses*, FOCS 2022 (the 63rd FOCS), pp. 312–322,
arXiv:2110.07847 (for even mixtures, no algorithm with suitably Lipschitz dependence on the couplings beats the
algorithmic value with non-negligible probability; abstract), extended to all single-species spherical mixtures,
odd degrees included, by B. Huang & M. Sellke, *Algorithmic threshold for multi-species spherical spin glasses*,
arXiv:2303.12172 (abstract); A. Montanari, *Optimization of the Sherrington–Kirkpatrick Hamiltonian*, FOCS 2019,
arXiv:1812.10897 (the Ising analogue).
"""

from __future__ import annotations

from functools import partial

import jax
import jax.numpy as jnp
import numpy as np
from scipy import integrate

from . import _validate, fields

Array = jax.Array

__all__ = ["subag", "algorithmic_energy", "MAX_WALK_STEPS"]

#: Most steps :func:`subag` takes (each costs one Hessian, :math:`O(N^p)`, and one symmetric eigendecomposition,
#: :math:`O(N^3)`; the book uses a few hundred).
MAX_WALK_STEPS = 10**6


def _mixture_arg(xi) -> fields.Mixture:
    """A validated :class:`landscape.fields.Mixture` (or pure degree) with some degree ``>= 2``."""
    xi = fields._mixture("xi", xi)  # the package's mixture check, as kac_rice uses it, naming ``xi``
    if not any(p >= 2 and c > 0 for p, c in zip(xi.degrees, xi.coefficients)):
        raise ValueError("xi must contain a degree p >= 2 with a positive coefficient (xi'' > 0)")
    c1 = sum(c for p, c in zip(xi.degrees, xi.coefficients) if p == 1)
    if c1 > 0:
        raise ValueError(f"xi has a 1-spin (external field) term, xi.coefficients for degree 1 = {c1!r}; "
                         "-integral of sqrt(xi'') ignores it and is not the algorithmic energy of such a mixture "
                         "(pass a mixture of degrees p >= 2 only)")
    return xi


def algorithmic_energy(xi: fields.Mixture | int) -> float:
    r"""The energy per spin reached by Subag's walk as :math:`N\to\infty`, then ``n_steps`` :math:`\to\infty`:

    .. math:: E_{\mathrm{ALG}}(\xi) = -\int_0^1 \sqrt{\xi''(q)}\,dq .

    For the pure p-spin, :math:`\xi''(q) = p(p-1)q^{p-2}` and
    :math:`E_{\mathrm{ALG}} = -\sqrt{p(p-1)}\cdot\frac2p = -2\sqrt{(p-1)/p}`, the threshold energy
    :func:`landscape.kac_rice.threshold_energy` (:math:`-E_\infty`, the value Subag's abstract, arXiv:1812.04588,
    states for pure models; Sellke, arXiv:2504.04632, abstract, writes :math:`\mathsf{ALG}(p) = 2\sqrt{(p-1)/p}` in
    the maximisation sign). For a mixture it differs in general from the threshold of the Kac–Rice count
    (:func:`landscape.kac_rice.mixed_threshold_energy`). For models "whose Parisi distribution has support of the
    form :math:`[0, q]`" (full RSB) Subag's walk finds points with the ground-state energy (abstract of
    arXiv:1812.04588). Huang & Sellke (arXiv:2110.07847, abstract) prove, for even mixtures, that no
    algorithm with suitably Lipschitz dependence on the couplings reaches an energy below the algorithmic value
    with non-negligible probability, and extend this to every single-species spherical mixture in
    arXiv:2303.12172 (abstract). That their algorithmic value equals this integral for mixtures of degrees
    :math:`p \ge 2` is stated here from the literature, not checked with the sources' text.

    **1-spin terms are refused.** A degree-1 term :math:`c_1 q` (an external field of strength
    :math:`\sqrt{c_1}`) drops out of :math:`\xi''`, so the integral would not depend on :math:`c_1`; yet the point
    :math:`x = -\sqrt N\,g/|g|` along the field (:math:`g` its couplings) already has
    :math:`H/N \to -\sqrt{c_1}`, below the integral when :math:`c_1 > (\int_0^1\sqrt{\xi''})^2`. The algorithmic
    value of spherical mixtures with a field (reached by a two-phase message-passing algorithm, Sellke,
    arXiv:2105.03506, abstract) is not implemented: its formula could not be checked against the papers' text.

    Computed by quadrature in :math:`q = t^2` (``scipy.integrate.quad``), which removes the :math:`\sqrt q`
    singularity of :math:`p = 3` at :math:`q = 0`; absolute error below :math:`10^{-12}`.

    Parameters
    ----------
    xi : landscape.fields.Mixture or int
        The covariance function (a :class:`landscape.fields.Mixture`) or a degree :math:`p \ge 2` (pure model);
        it must contain a degree :math:`\ge 2` and no degree-1 (external field) term.

    Returns
    -------
    float
        :math:`E_{\mathrm{ALG}} < 0`.
    """
    mix = _mixture_arg(xi)
    degrees = np.array(mix.degrees, dtype=float)
    coefficients = np.array(mix.coefficients, dtype=float)

    def integrand(t):
        q = t * t
        second = np.sum(coefficients * degrees * (degrees - 1) * q ** np.maximum(degrees - 2, 0) * (degrees >= 2))
        return 2.0 * t * np.sqrt(second)

    value, _ = integrate.quad(integrand, 0.0, 1.0, epsabs=1e-13, epsrel=1e-13, limit=200)
    return -float(value)


@partial(jax.jit, static_argnames=("n_steps",))
def _walk(key: Array, field: fields.PreparedField, n_steps: int) -> tuple[Array, Array]:
    n = field.tensors[0].shape[0]
    dq = 1.0 / n_steps
    length = jnp.sqrt(n * dq)  # every step raises |x|^2 by exactly N dq
    k_dir, k_sign = jax.random.split(key)
    random_dir = jax.random.normal(k_dir, (n,), dtype=jnp.float64)
    random_dir = random_dir / jnp.linalg.norm(random_dir)
    signs = jnp.where(jax.random.bernoulli(k_sign, 0.5, (n_steps,)), 1.0, -1.0)

    def step(x, sign):
        hess = fields.derivatives(field, x, 2, on_sphere=False)[2]
        r = jnp.linalg.norm(x)
        e = jnp.where(r > 0, x / jnp.where(r > 0, r, 1.0), 0.0)  # unit radial direction (0 at the centre)
        # P A P + c e e^T with P = I - e e^T, in O(N^2): c = sum |A_ij| + 1 exceeds every eigenvalue of A, so the
        # radial direction is never the lowest
        he = hess @ e
        big = jnp.sum(jnp.abs(hess)) + 1.0
        restricted = hess - jnp.outer(he, e) - jnp.outer(e, he) + (jnp.dot(e, he) + big) * jnp.outer(e, e)
        lam, vecs = jnp.linalg.eigh(restricted)
        v = vecs[:, 0]
        # at the centre of a field with no 2-spin part the Hessian vanishes: any direction is a lowest one
        v = jnp.where(jnp.max(jnp.abs(hess)) > 0, v, random_dir)
        # of the two points x +- length v (both at |x|^2 + N dq) keep the lower: downhill to first order, and the
        # right choice at the centre too, where the gradient of a field without 1-spin part vanishes
        h_plus, h_minus = fields.derivatives(field, jnp.stack([x + length * v, x - length * v]), 0,
                                             on_sphere=False)[0]
        down = jnp.where(h_plus == h_minus, sign, jnp.where(h_plus < h_minus, 1.0, -1.0))
        return x + down * length * v, jnp.minimum(h_plus, h_minus) / n

    x_end, u = jax.lax.scan(step, jnp.zeros(n, dtype=jnp.float64), signs)
    return x_end, u


def subag(key: Array, field: fields.Field, n_steps: int,
          return_trajectory: bool = False) -> tuple[Array, float] | tuple[Array, float, np.ndarray, np.ndarray]:
    r"""Subag's incremental walk to low energy: from the centre of the ball to :math:`S_N` along Hessian eigenvectors.

    Start at :math:`x_0 = 0`. At step :math:`k = 0, \dots, K-1` (:math:`K` = ``n_steps``, :math:`\delta q = 1/K`),
    let :math:`v_k` be a unit eigenvector for the *lowest* eigenvalue of the Euclidean Hessian :math:`\nabla^2H(x_k)`
    restricted to the orthogonal complement of :math:`x_k` (all of :math:`\mathbb R^N` at :math:`k = 0`), with the
    sign for which :math:`H(x_k + \sqrt{N\delta q}\,v_k) \le H(x_k - \sqrt{N\delta q}\,v_k)` (to first order,
    :math:`\nabla H(x_k)\cdot v_k \le 0`; the comparison also covers the first step from the centre, where the
    gradient of a field without 1-spin part vanishes), and set

    .. math:: x_{k+1} = x_k + \sqrt{N\,\delta q}\;v_k, \qquad |x_{k+1}|^2 = |x_k|^2 + N\delta q = (k+1)\,N\delta q .

    **Stopping rule**: after exactly ``n_steps`` steps, when :math:`|x|^2 = N` (the point lies on :math:`S_N`; it is
    rescaled once to :math:`\sqrt N` to remove round-off). Subag (2021, arXiv:1812.04588, abstract) states the walk
    in the book's sign: paths from the origin towards the ground state (the minimum) that follow "a direction
    corresponding to the most negative eigenvalues of the Hessian"; here that direction is the lowest eigenvector.
    His step sizes and the exact choice of direction within the bottom of the spectrum were not checked against
    the paper's text. As :math:`N\to\infty` and then ``n_steps`` :math:`\to\infty` the final energy per spin tends
    to :func:`algorithmic_energy`, :math:`-\int_0^1\sqrt{\xi''}` (the module docstring has the Taylor argument),
    for fields without a 1-spin part (:func:`algorithmic_energy` refuses those; the walk still runs on them). At
    finite :math:`N` the error has three parts: the lowest eigenvalue sits above :math:`-2\sqrt{\xi''}` by
    :math:`O(N^{-2/3})`; the third-order Taylor terms add :math:`O(\sqrt{\delta q})`; the first-order terms, all
    :math:`\le 0`, lower the energy by :math:`O(1/\sqrt{N\delta q})`. Use ``n_steps`` of order :math:`N`.

    Ties are broken with ``key``: at the centre of a field whose Hessian vanishes there (no 2-spin part) the first
    direction is uniform on the unit sphere, and a sign is random where the two candidate energies are equal. Cost:
    per step one Hessian from the prepared field (:math:`O(N^p)`) and one dense eigendecomposition
    (:math:`O(N^3)`); compiled once per :math:`(N, \text{degrees}, K)`.

    Parameters
    ----------
    key : jax.Array
        A JAX PRNG key (tie-breaking only).
    field : jax.Array
        A field: the couplings of a pure p-spin, a :class:`landscape.fields.MixedField` or a
        :class:`landscape.fields.PreparedField`.
    n_steps : int
        Number of equal increments of :math:`q`, in ``[1, MAX_WALK_STEPS]``.
    return_trajectory : bool
        Also return :math:`q_k = k/K` and :math:`u_k = H(x_k)/N` for :math:`k = 0, \dots, K`.

    Returns
    -------
    tuple
        ``(x, u)``: the final point on :math:`S_N` (a ``jax.Array`` of shape ``(N,)``) and its energy per spin
        :math:`u = H(x)/N` (a float); with ``return_trajectory`` also ``q`` and ``u_k`` (NumPy arrays of length
        ``n_steps + 1``).
    """
    _validate.prng_key("key", key)
    prepared = fields.prepare(field)
    n_steps = _validate.integer("n_steps", n_steps, minimum=1, maximum=MAX_WALK_STEPS)
    if not isinstance(return_trajectory, bool):
        raise TypeError(f"return_trajectory must be True or False, got {return_trajectory!r}")
    n = prepared.tensors[0].shape[0]
    _validate.allocation(f"n_steps = {n_steps} recorded energies and N = {n} Hessians", 8.0 * (n_steps + 6 * n * n))
    x, u = _walk(key, prepared, n_steps)
    x = x * jnp.sqrt(n) / jnp.linalg.norm(x)  # |x|^2 = N up to round-off already; the energy moves by ~1e-15
    u_end = float(u[-1])
    if not return_trajectory:
        return x, u_end
    q = np.arange(n_steps + 1) / n_steps
    traj = np.concatenate([[0.0], np.asarray(u)])  # H(0) = 0: every degree is >= 1
    return x, u_end, q, traj

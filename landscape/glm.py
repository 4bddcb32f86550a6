r"""Gaussian single-index models and phase retrieval (chapter 10): data, losses, empirical risk and its derivatives.

**Data.** :math:`n` Gaussian inputs :math:`x_i \sim \mathcal N(0, I_d)`, sample ratio :math:`\alpha = n/d`, and a
teacher :math:`\theta^*` uniform on :math:`S_d = \{|\theta|^2 = d\}`. A student :math:`\theta \in S_d` has
pre-activations and the teacher labels

.. math:: z_i = \frac{x_i\cdot\theta}{\sqrt d}, \qquad y_i = \frac{x_i\cdot\theta^*}{\sqrt d}, \qquad
    m = \frac{\theta\cdot\theta^*}{d},

so that :math:`(z_i, y_i)` are standard Gaussians with correlation :math:`m` for :math:`\theta` independent of the
inputs. Phase retrieval observes only :math:`y_i^2`: :func:`sample` stores :math:`y_i` itself, and a loss used for
phase retrieval must depend on it through :math:`y_i^2` only (the package cannot check this for you).
Maillard, Bonnaire & Biroli write :math:`q` for the overlap :math:`m`.

**Risk.** :math:`R(\theta) = \frac1n\sum_i \ell(z_i, y_i)` for a :class:`Loss` :math:`\ell(z, y)`; the book's main
loss is :math:`\ell_a(z, y) = (z^2 - y^2)^2/(a + y^2)`, :math:`a > 0` (:func:`phase_retrieval_loss`). With
:math:`\ell' = \partial_z\ell`, :math:`\ell'' = \partial_z^2\ell` (by ``jax.grad`` of the scalar loss, never by hand),

.. math::

    \nabla R = \frac1n\sum_i \ell'(z_i, y_i)\,\frac{x_i}{\sqrt d}, \qquad
    \nabla^2 R = \frac1n\sum_i \ell''(z_i, y_i)\,\frac{x_ix_i^\top}{d}, \qquad
    \operatorname{Hess} R = P\nabla^2RP - \frac{\theta\cdot\nabla R}{d}P, \qquad P = I - \frac{\theta\theta^\top}{d}.

The Riemannian Hessian has :math:`O(1/d)` eigenvalues; :func:`scaled_hessian` returns :math:`d` times it,

.. math:: d\operatorname{Hess}R = \frac1n\sum_i \ell''(z_i, y_i)\,Px_ix_i^\top P - rP, \qquad
    r = \frac1n\sum_i \ell'(z_i, y_i)\,z_i = \theta\cdot\nabla R,

a sample covariance with data-dependent weights minus the radial derivative :math:`r` (:func:`multiplier`; in the
book's sign convention the Lagrange multiplier of the sphere is :math:`\mu = -r`, which enters as :math:`+\mu P`): the
matrix whose spectrum chapter 10 compares with a Marchenko–Pastur-type law, with the teacher direction as a
possible BBP outlier.

**The Hessian at a random start** (:func:`hessian_spectrum_at_random`, :func:`init_bbp_threshold`)
and the spectral method of phase retrieval, as weighted Marchenko–Pastur laws with a rank-one BBP outlier.

Setting (the book's notation sheet, chapter 10): ``x_i ~ N(0, I_d)``, ``i = 1..n``, ``α = n/d``; teacher ``θ*``
and student ``θ`` on the sphere of radius ``√d``, ``y_i = x_i·θ*/√d``, ``z_i = x_i·θ/√d``. At a random start
(``θ ⟂ θ*``, overlap ``m = 0``) ``z_i`` and ``y_i`` are independent ``N(0, 1)``. The ``O(1)``-scaled Riemannian
Hessian of ``R(θ) = (1/n) Σ ℓ(z_i, y_i)`` is

.. math:: H = \frac1n \sum_i t_i P x_i x_i^\top P - \mu P, \qquad t_i = \partial_z^2 \ell(z_i, y_i), \qquad
    \mu = \frac1n\sum_i \partial_z\ell(z_i, y_i) z_i \to \mathbb E[\partial_z \ell\, z] = \mathbb E[t]

(the last equality is Stein's lemma, ``z`` independent of ``y``). On ``θ^⟂`` (dimension ``d - 1``) ``Px_i`` is a
standard Gaussian independent of ``z_i``, so ``H + μ`` is the spectral-method matrix
``D = (1/n) Σ t_i x̃_i x̃_iᵀ`` with the *randomised* preprocessing ``t = T(y, z)``. Everything below is stated
for ``D`` with i.i.d. weights ``t`` (law of ``T(y, z)``) that depend on the data only through ``y_i = x̃_i·e``,
``e = θ*/√d``.

**Bulk (Silverstein equation).** With ``m(λ) = ∫ ρ(x) dx/(x − λ)`` (Stieltjes transform of the limiting
spectral law of ``D``), leave-one-out (Sherman–Morrison) gives ``x_iᵀ G x_i ≈ d m/(1 + t_i m/α)`` and hence

.. math:: m = \Big(-\lambda + \mathbb E\Big[\frac{t}{1 + t m/\alpha}\Big]\Big)^{-1}
    \iff \lambda(m) = -\frac1m + \mathbb E\Big[\frac{t}{1 + t m/\alpha}\Big].

(Silverstein & Bai 1995, with their ratio ``c = d/n = 1/α``; ``t ≡ 1`` gives Marchenko–Pastur with edges
``(1 ± α^{-1/2})²``.) Below the bulk ``m > 0`` and ``λ(m)`` increases from ``−∞`` (``m → 0⁺``); the lower edge
is ``λ(m_e)`` at the first zero ``m_e`` of ``λ'(m) = m^{-2} − α^{-1} E[t²/(1 + tm/α)²]`` in
``(0, m_b)``, ``m_b = α/|t_min|`` (``t_min`` the essential infimum of ``t``, when negative), or, if
``λ' > 0`` on all of ``(0, m_b)``, the edge sits *at the bound*: ``λ_- = λ(m_b^-)`` (Silverstein & Choi 1995:
the complement of the support is ``{λ(m) : λ'(m) > 0}``). The upper edge is minus the lower edge for
weights ``−t``; it is ``+∞`` when ``t`` is unbounded above (then the law has an unbounded tail).

**Outlier.** Write ``x̃_i = y_i e + w_i`` (``w_i ⟂ e``). A Schur complement on ``e`` gives, for an eigenvalue
``λ`` outside the bulk, ``λ = c − bᵀ(A − λ)^{-1} b`` with ``c = (1/n) Σ t_i y_i²``, ``b = (1/n) Σ t_i y_i w_i``,
``A = (1/n) Σ t_i w_i w_iᵀ``; only the diagonal of ``W(A − λ)^{-1}Wᵀ/n`` survives (the off-diagonal part is odd
under ``w_i → −w_i``), so ``λ = E[t y²/(1 + t m/α)]``. Subtracting the bulk equation, the outlier below the
bulk is ``λ(m*)`` at the smallest root ``m* ∈ (0, m_e)`` of

.. math:: F(m) = 1 + m\,\mathbb E\Big[\frac{t\,(y^2 - 1)}{1 + t m/\alpha}\Big] = 0,

and its eigenvector ``u`` has squared overlap with ``e``

.. math:: \langle u, e\rangle^2 = \Big(1 + \frac{\mathbb E[t^2 y^2/(1 + t m^*/\alpha)^2]}{\alpha\,\lambda'(m^*)}\Big)^{-1}.

Conversion: Lu & Li (arXiv:1702.06435) and Mondelli & Montanari (arXiv:1708.05932, Lemma 2) state the same
result for the *top* eigenvalue with sensing vectors ``a_i ~ N(0, I_d/d)``, ``δ = n/d = α`` and a deterministic
preprocessing ``T(y)`` of the measurement ``y = (a·x)²``, through ``ψ_δ(λ) = λ(1/δ + E[T/(λ − T)])`` and
``φ(λ) = λ E[T y/(λ − T)]``; their ``λ`` (a spectral parameter, not the eigenvalue) is ``−α/m`` for weights
``−T`` here, their measurement ``y`` is our ``y²``, and their conditions ``ψ_δ(λ) = φ(λ)`` and
``ψ_δ'(λ) = 0`` are our ``F(m) = 0`` and ``λ'(m) = 0`` (a direct substitution; the formulas above were derived
independently and are checked against diagonalised matrices in the tests). Here ``T`` may also depend on an
independent ``z``: nothing changes, since only ``y`` correlates with the spike.

**The essential bound.** When ``t_min`` is not attained and the density of ``t`` near it is thin (for
``ℓ_a``, ``t + 4 = (12z² + 4a)/(a + y²)``, so ``P(t < −4 + ε) ~ e^{-c/ε}``), ``E[t²/(1 + tm/α)²]`` stays finite
at ``m_b`` and two regimes exist: (i) the edge is a critical point (square-root edge, outlier born continuously
with zero overlap, finite-``d`` fluctuations ``~ d^{-2/3}``); (ii) the edge sits at the bound ``λ(m_b)``: it is
reached only by single samples with ``t_i`` close to ``t_min`` (``t_i → t_min`` like ``1/log n``, so finite ``d``
converges logarithmically), and the outlier, when ``F(m_b) < 0``, is born at the bound with a *positive*
overlap (the overlap jumps).

Expectations over ``(z, y)`` use a tensor-product Gauss–Hermite rule (probabilists' nodes, ``num_nodes`` per
axis, default 160); integrands are rational in ``(z, y)`` with poles off the real plane, so the rule converges
geometrically: for ``ℓ_{1/2}`` at ``α = 4`` the edge, outlier and ``μ`` move by ``≤ 2e-6`` (relative ``2e-7``)
from 160 to 240 nodes, and by ``3e-4`` from 80 to 160. Near-singular preprocessings (``1 − 1/y²``) converge
slower inside the bulk; their thresholds at the bound are polynomial moments and exact.

Sources: J. W. Silverstein and Z. D. Bai, J. Multivariate Anal. 54 (1995) 175; J. W. Silverstein and S.-I. Choi,
J. Multivariate Anal. 54 (1995) 295; Y. M. Lu and G. Li, Inf. Inference 9 (2020) 507 (arXiv:1702.06435);
M. Mondelli and A. Montanari, Found. Comput. Math. 19 (2019) 703 (arXiv:1708.05932); W. Luo, W. Alghamdi and
Y. M. Lu, IEEE Trans. Signal Process. 67 (2019) 2347 (arXiv:1811.04420).

Sources: A. Maillard, T. Bonnaire and G. Biroli, *Topological exploration of high-dimensional empirical risk
landscapes: general approach, and applications to phase retrieval*, arXiv:2602.17779 (2026) (the landscape of phase
retrieval; the overlap written :math:`q` there); Annesi, Bocchi & Cammarota, arXiv:2510.18435 (the loss :math:`\ell_a`
and gradient descent on it); S. Sarao Mannelli, G. Biroli, C. Cammarota, F. Krzakala, P. Urbani and
L. Zdeborová, *Complex dynamics in simple neural networks: understanding gradient flow in phase retrieval*,
NeurIPS 2020, arXiv:2006.06997 (the square-intensity loss, the spectrum of the Hessian as a weighted sample
covariance); Absil, Mahony & Sepulchre, *Optimization Algorithms on Matrix Manifolds* (2008), §5.5 (the Riemannian
Hessian on the sphere).

**Counting critical points** (:func:`complexity`, :func:`minima_phase`, :func:`minima_thresholds`). Kac–Rice for
the empirical risk: given the empirical law ``ν`` of the pairs ``(z_i, y_i)``, the gradient is Gaussian and the
Hessian a weighted Wishart matrix, so the annealed complexity is a large-deviation problem over ``ν`` (Maillard,
Ben Arous & Biroli, PMLR 107 (2020) 287, arXiv:1912.02143). Linearising the log-determinant (Silverstein), the
gradient density and the constraints turns it into a stationary point in five scalars, solved by Newton on a
quadrature grid; the same solution gives the law of the labels at the critical points and, through a Schur
complement, the BBP outlier of their Hessian towards ``θ*`` (chapter 10 derives all three). With
``branch="all"`` the stability constraint is dropped: the log-determinant is the real part of the same functional
at a complex Silverstein root, whose imaginary part gives the index (fraction of negative Hessian eigenvalues).

**Gradient descent from a random start** (:func:`descent_experiment`).

:func:`descent_experiment` runs the gradient flow :math:`\dot\theta = -d\,\operatorname{grad}R(\theta)` on
:math:`S_d` (:func:`landscape.glm.gradient_flow`, i.e. :func:`landscape.dynamics.gradient_flow` on the risk) from a
uniformly random start, for ``n_samples`` independent problems (fresh inputs, teacher and start) at each sample
ratio :math:`\alpha` of a list, and reports where each run ends: the overlap :math:`m = \theta\cdot\theta^*/d`, the
risk, the multiplier :math:`\mu`, the bottom of the scaled Hessian and its eigenvector's overlap with the teacher,
the trajectories :math:`m(t)`, :math:`R(t)`, and the pre-activations and labels :math:`(z_i, y_i)` at the end.
A run *succeeds* when :math:`|m| > 0.9` at the end (phase retrieval recovers :math:`\theta^*` up to its sign).

**Batching.** The samples of one :math:`\alpha` are one ``jax.vmap`` of :func:`landscape.glm.gradient_flow` over
the sampled :class:`~landscape.glm.GLMData` and starts (the ``Landscape`` operand is the data, so vmapping the
flow over data is vmapping over fields, as :func:`landscape.dynamics.gradient_flow` describes). The compiled
integrator takes the step ``dt`` as an argument, so only the shapes ``(n, d)`` and the step counts cause a
compilation. With ``pad=True`` every :math:`\alpha` at one ``d`` shares one shape: the inputs are padded with zero
rows up to the largest :math:`n`. A zero row has :math:`z_i = y_i = 0`, and a loss with
:math:`\ell = \partial_z\ell = \partial_z^2\ell = 0` at :math:`(0, 0)` (all of the package's losses) gives it no
value, gradient or Hessian: the padded risk is :math:`(n/n_{\rm pad})R`, so the flow on it with the step
:math:`\Delta t\,n_{\rm pad}/n` makes exactly the same steps, and the recorded risk, multiplier and Hessian are
rescaled by :math:`n_{\rm pad}/n` (exact up to the order of floating-point sums). Padding saves compilations at
the price of work on the zero rows; ``pad=k`` pads to ``k`` sizes instead of one, the middle way (measured on
two cores, :math:`\ell_1`, :math:`d = 400`, :math:`\alpha = 2, 3, 4, 7`, 16 problems each, :math:`T = 24`: one size
11.2 s from an empty compilation cache and 8.2 s warm, two sizes 9.6 s and 5.5 s, with identical success flags).

**Step size.** A stable explicit step needs :math:`\Delta t\,\lambda_{\max} < 2` (Euler and Heun alike, on a
real spectrum), with :math:`\lambda_{\max}` the top of the scaled Hessian
:math:`\frac1n\sum_i\ell''(z_i,y_i)Px_ix_i^\top P - \mu P`. At a random start it is set by the single sample with
the largest weight, :math:`\lambda_{\max} \approx \max_i\ell''(z_i, y_i)|x_i|^2/n`; for :math:`\ell_a`,
:math:`\ell'' = 4(3z^2-y^2)/(a+y^2)` makes this :math:`\approx 12\max_iz_i^2/(a\alpha) \approx 24\log n/(a\alpha)`
(measured at :math:`d = 400`, :math:`a = 1`: 138, 70, 44, 24 at :math:`\alpha = 1, 2, 4, 8`). Those samples are
fitted within :math:`t \approx 0.1`, after which :math:`\lambda_{\max} \lesssim 16` for the rest of the run
(:math:`\approx 8(1+\alpha^{-1/2})^2` near the signal, where :math:`\ell'' = 8y^2/(a+y^2)`). So each run starts
with ``n_warmup`` steps of

.. math:: \Delta t_0 = \min\Big(\Delta t,\ \frac{c}{\hat\lambda_0}\Big), \qquad
    \hat\lambda_0 = \frac dn\max_{|z|, |y| \le u_n}\ell''(z, y) + \Big(1 + \sqrt{d/n}\Big)^2\,
    \mathbb E\big[\ell''(z, y)^+\big], \qquad u_n^2 = 2\log n + 5,

(``c = warmup_courant``; :math:`u_n` bounds :math:`\max_i|z_i|` and :math:`\max_i|y_i|` with probability about
:math:`0.97` for one problem, the second term is a Marchenko–Pastur bound for the rest of the bulk at independent
:math:`z, y \sim \mathcal N(0,1)`, by Gauss–Hermite quadrature). For :math:`\ell_1` at :math:`d = 400` it gives
232, 131, 75, 45 at :math:`\alpha = 1, 2, 4, 8` against the measured 138, 70, 44, 24. It depends on the loss,
:math:`n` and :math:`d` only, so each run is the same whatever else is in the batch. Then the flow continues with
``n_steps`` steps of ``dt``. Both phases are calls of :func:`landscape.glm.gradient_flow`; ``dt_warmup`` in the
result says which warm-up step was used.

**Reproducibility.** Problem ``s`` at :math:`(\alpha, d)` is drawn from
``fold_in(fold_in(fold_in(key, d), n), s)`` with :math:`n = \mathrm{round}(\alpha d)`
(:func:`descent_problem` returns it): adding :math:`\alpha` values or problems, or padding, changes no problem, and
the runs only by rounding (the batched, padded runs agree with single unpadded ones to :math:`10^{-14}`).

Sources: S. Sarao Mannelli, G. Biroli, C. Cammarota, F. Krzakala, P. Urbani and L. Zdeborová, NeurIPS 2020,
arXiv:2006.06997 (gradient flow in phase retrieval from a random start, its success against :math:`\alpha`);
Annesi, Bocchi & Cammarota, arXiv:2510.18435 (the loss :math:`\ell_a`); E. Hairer, S. P. Nørsett and G. Wanner,
*Solving Ordinary Differential Equations I* (1993), §IV.2 (stability of explicit Runge–Kutta methods).

Argument checks (types, ranges, finiteness, shapes; sizes against :func:`landscape.max_bytes`) run on concrete
values. Under ``jax.jit``/``jax.vmap`` the arguments are tracers and only shapes are checked: call a function
once on concrete inputs before transforming it (the package docstring: errors and limits).
"""

from __future__ import annotations

import dataclasses
import math
from functools import partial
from typing import Any, Callable, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from scipy.optimize import brentq
from scipy.special import roots_hermitenorm

from . import _validate, dynamics, sphere
from ._validate import integer, real

Array = jax.Array

__all__ = [
    "MAX_DATA_ENTRIES",
    "MAX_HESSIAN_DIMENSION",
    "Loss",
    "phase_retrieval_loss",
    "correlation_loss",
    "square_intensity_loss",
    "derivatives",
    "GLMData",
    "sample",
    "empirical_risk",
    "euclidean_gradient",
    "euclidean_hessian",
    "riemannian_gradient",
    "riemannian_hessian",
    "multiplier",
    "scaled_hessian",
    "overlap",
    "gradient_flow",
    "HessianSpectrum",
    "hessian_spectrum_at_random",
    "init_bbp_threshold",
    "weighted_mp_density",
    "spectral_method_spectrum",
    "spectral_threshold",
    "optimal_preprocessing",
    "KR_GRID_STEP",
    "KR_GRID_EXTENT",
    "KacRiceSolution",
    "complexity",
    "MinimaPhase",
    "minima_phase",
    "minima_thresholds",
    "SUCCESS_OVERLAP",
    "DescentResult",
    "descent_problem",
    "descent_experiment",
]

#: Largest ``n * d`` that :func:`sample` accepts: the inputs take ``8 * n * d`` bytes (128 MiB at the limit), and a
#: batch of students evaluates an ``(batch, n)`` array of pre-activations on top.
MAX_DATA_ENTRIES = 2**24

#: Largest ``d`` for which the Hessians (``d x d`` float64 matrices, per student) are formed.
MAX_HESSIAN_DIMENSION = 4096

#: Points ``(z, y)`` at which :class:`Loss` checks that the loss and its first two z-derivatives are finite scalars.
_TEST_POINTS = ((0.3, -0.7), (1.2, 0.5), (-2.0, 1.5))


# ------------------------------------------------------------------------------------------------- losses


@dataclasses.dataclass(frozen=True)
class Loss:
    r"""A validated loss :math:`\ell(z, y)` of a pre-activation :math:`z` and a teacher label :math:`y`.

    Build it directly: ``Loss(f, name="my loss")`` with ``f(z, y)`` a JAX function of two scalars returning a scalar,
    or ``Loss(f, name, params)`` with ``f(z, y, *params)`` (``params`` a tuple of floats: the package's own losses
    use a module-level ``f`` and their parameters here, so two equal losses compare and hash equal and ``jax.jit``
    compiles once for them). Immutable and hashable (a static argument under ``jax.jit``; a pytree with no leaves).

    The constructor checks that ``f`` is callable and that :math:`\ell`, :math:`\partial_z\ell` and
    :math:`\partial_z^2\ell` (``jax.grad`` twice) are finite real scalars at a few points; otherwise it raises a
    ``TypeError`` (not callable, wrong number of arguments, non-scalar output, not differentiable) or a
    ``ValueError`` (non-finite values) naming ``loss``. For phase retrieval the loss must depend on :math:`y` only
    through :math:`y^2`; that is your responsibility (:func:`correlation_loss` does not, it is meant for a linear
    teacher).
    """

    f: Callable[..., Array]
    name: str = "custom loss"
    params: tuple = ()

    def __post_init__(self) -> None:
        if not callable(self.f):
            raise TypeError(f"loss must be built from a callable f(z, y) -> scalar, got {type(self.f).__name__}")
        if not isinstance(self.name, str):
            raise TypeError(f"loss name must be a string, got {type(self.name).__name__}")
        if not isinstance(self.params, tuple):
            raise TypeError(f"loss params must be a tuple of reals, got {type(self.params).__name__}")
        object.__setattr__(self, "params", tuple(_validate.real(f"loss params[{k}]", p)
                                                 for k, p in enumerate(self.params)))
        first = jax.grad(self._call, argnums=0)
        second = jax.grad(first, argnums=0)
        for z0, y0 in _TEST_POINTS:
            z, y = jnp.float64(z0), jnp.float64(y0)
            try:
                value = jnp.asarray(self._call(z, y))
            except Exception as err:  # noqa: BLE001 - any failure means f is not a loss of (z, y)
                raise TypeError(f"loss f must accept two scalars (z, y) and return a scalar; calling it at "
                                f"(z, y) = ({z0}, {y0}) raised {type(err).__name__}: {err}") from err
            if value.shape != ():
                raise TypeError(f"loss f(z, y) must return a scalar, got shape {value.shape} at (z, y) = ({z0}, {y0})")
            if not jnp.issubdtype(value.dtype, jnp.floating):
                raise TypeError(f"loss f(z, y) must return a real floating-point scalar, got dtype {value.dtype}")
            try:
                d1, d2 = first(z, y), second(z, y)
            except Exception as err:  # noqa: BLE001
                raise TypeError(f"loss f must be twice differentiable in z with jax.grad; at (z, y) = ({z0}, {y0}) "
                                f"it raised {type(err).__name__}: {err}") from err
            values = np.array([float(value), float(d1), float(d2)])
            if not np.all(np.isfinite(values)):
                raise ValueError(f"loss f and its first two z-derivatives must be finite; at (z, y) = ({z0}, {y0}) "
                                 f"got (l, l', l'') = {tuple(values)}")

    def _call(self, z: Array, y: Array) -> Array:
        return self.f(z, y, *self.params)

    def __call__(self, z: Array, y: Array) -> Array:
        """:math:`\\ell(z, y)` for scalar ``z``, ``y`` (use :func:`derivatives` for arrays)."""
        return self._call(z, y)

    def _jet(self, data: GLMData, theta: Array, order: int) -> tuple[Array, ...]:
        """The jet of :math:`dR` for :class:`landscape.dynamics.Landscape`: value, gradient and (``order = 2``)
        Hessian of :math:`d\\,R(\\theta)`, batched; a bound method of a hashable loss, so it compiles once."""
        d = data.x.shape[1]
        out = _risk_derivatives(self, data, theta, order)
        jet = (d * out[0], d * out[1])
        return jet + (d * out[3],) if order == 2 else jet


jax.tree_util.register_pytree_node(Loss, lambda loss: ((), loss), lambda loss, _: loss)


def _phase_retrieval(z: Array, y: Array, a: float) -> Array:
    return (z**2 - y**2) ** 2 / (a + y**2)


def _correlation(z: Array, y: Array) -> Array:
    return -y * z


def _square_intensity(z: Array, y: Array) -> Array:
    return (z**2 - y**2) ** 2


def phase_retrieval_loss(a: float) -> Loss:
    r"""The book's phase-retrieval loss :math:`\ell_a(z, y) = \dfrac{(z^2 - y^2)^2}{a + y^2}`, :math:`a > 0`.

    Depends on :math:`y` through :math:`y^2` only. :math:`a\,\ell_a \to (z^2-y^2)^2` as :math:`a\to\infty`
    (:func:`square_intensity_loss`); small :math:`a` weights the samples with small :math:`|y|` more (Maillard,
    Bonnaire & Biroli, arXiv:2602.17779; Annesi, Bocchi & Cammarota, arXiv:2510.18435).
    """
    a = _validate.real("a", a, minimum=0.0, strict_minimum=True)
    return Loss(_phase_retrieval, f"phase retrieval (a = {a:g})", (a,))


def correlation_loss() -> Loss:
    r"""The correlation loss :math:`\ell(z, y) = -yz`, for a *linear* teacher (it uses the sign of :math:`y`).

    Its risk :math:`R(\theta) = -\theta\cdot X^\top X\theta^*/(nd)` is linear in :math:`\theta`, so on :math:`S_d` it
    has exactly two critical points, :math:`\theta = \pm\sqrt d\, v/|v|` with :math:`v = X^\top X\theta^*`: a check
    of the Riemannian machinery with a known answer.
    """
    return Loss(_correlation, "correlation")


def square_intensity_loss() -> Loss:
    r"""The square intensity loss :math:`\ell(z, y) = (z^2 - y^2)^2`, the :math:`a\to\infty` limit of
    :math:`a\,\ell_a` (Sarao Mannelli et al., NeurIPS 2020, arXiv:2006.06997)."""
    return Loss(_square_intensity, "square intensity")


def _loss(loss: Any) -> Loss:
    if not isinstance(loss, Loss):
        raise TypeError(f"loss must be a landscape.glm.Loss (e.g. phase_retrieval_loss(a)), got {type(loss).__name__}")
    return loss


@partial(jax.jit, static_argnums=0)
def _derivatives(loss: Loss, z: Array, y: Array) -> tuple[Array, Array, Array]:
    """:math:`\\ell, \\ell', \\ell''` elementwise for arrays ``z``, ``y`` of one shape (vmap of jax.grad)."""
    first = jax.grad(loss._call, argnums=0)
    second = jax.grad(first, argnums=0)
    shape = z.shape
    zf, yf = z.reshape(-1), y.reshape(-1)
    out = [jax.vmap(g)(zf, yf).reshape(shape) for g in (loss._call, first, second)]
    return out[0], out[1], out[2]


def derivatives(loss: Loss, z: Array, y: Array) -> tuple[Array, Array, Array]:
    r"""The loss and its first two derivatives in :math:`z`: :math:`(\ell, \partial_z\ell, \partial_z^2\ell)`.

    ``z`` and ``y`` are broadcast against each other; each output has the broadcast shape. Computed with
    ``jax.vmap`` of ``jax.grad`` of the scalar loss (exact, no hand-written derivatives).
    """
    loss = _loss(loss)
    for name, v in (("z", z), ("y", y)):
        if not _validate.is_traced(v):
            _validate.finite_array(name, v)
    z, y = jnp.asarray(z, dtype=jnp.float64), jnp.asarray(y, dtype=jnp.float64)
    try:
        z, y = jnp.broadcast_arrays(z, y)
    except ValueError:
        raise ValueError(f"z and y must broadcast against each other, got shapes z: {z.shape}, y: {y.shape}") from None
    return _derivatives(loss, z, y)


# ------------------------------------------------------------------------------------------------- data


class GLMData(NamedTuple):
    r"""A sample of a Gaussian single-index model: inputs, teacher labels and the teacher itself.

    A pytree of three arrays (use it with ``jax.jit``/``jax.vmap``). For phase retrieval only ``y**2`` is observed:
    ``y`` is stored with its sign, and the loss must not use it.
    """

    x: Array  #: inputs x_i ~ N(0, I_d), shape (n, d)
    y: Array  #: labels y_i = x_i . theta* / sqrt(d), shape (n,)
    teacher: Array  #: theta*, uniform on S_d, shape (d,)


_TEACHERS = ("phase", "linear")


@partial(jax.jit, static_argnums=(1, 2))
def _sample(key: Array, n: int, d: int) -> GLMData:
    k_teacher, k_x = jax.random.split(key)
    teacher = sphere.random_points(k_teacher, d)
    x = jax.random.normal(k_x, (n * d,), dtype=jnp.float64).reshape(n, d)
    return GLMData(x, x @ teacher / math.sqrt(d), teacher)


def sample(key: Array, n: int, d: int, teacher: str = "phase") -> GLMData:
    r"""Sample :math:`x_i \sim \mathcal N(0, I_d)` (:math:`i = 1..n`), :math:`\theta^*` uniform on :math:`S_d` and
    :math:`y_i = x_i\cdot\theta^*/\sqrt d`.

    ``teacher`` names the observation model and does not change the arrays: ``"phase"`` (phase retrieval: only
    :math:`y_i^2` is observed, so the loss must depend on :math:`y` through :math:`y^2`, as
    :func:`phase_retrieval_loss` and :func:`square_intensity_loss` do) or ``"linear"`` (the labels with their sign,
    which losses such as :func:`correlation_loss` may use). Requires ``n >= 1``, ``d >= 2`` and refuses
    ``n * d > MAX_DATA_ENTRIES`` (:data:`MAX_DATA_ENTRIES`, 128 MiB of inputs) before allocating.
    """
    _validate.prng_key("key", key)
    n = _validate.integer("n", n, minimum=1)
    d = _validate.integer("d", d, minimum=2)
    if not isinstance(teacher, str) or teacher not in _TEACHERS:
        raise ValueError(f"teacher must be one of {_TEACHERS}, got {teacher!r}")
    if n * d > MAX_DATA_ENTRIES:
        raise ValueError(f"n * d = {n} * {d} = {n * d} exceeds MAX_DATA_ENTRIES = {MAX_DATA_ENTRIES} "
                         f"({8 * MAX_DATA_ENTRIES // 2**20} MiB of float64 inputs); lower n or d")
    return _sample(key, n, d)


def _check_data(data: Any) -> GLMData:
    if not isinstance(data, GLMData):
        raise TypeError(f"data must be a landscape.glm.GLMData (from sample), got {type(data).__name__}")
    x, y, teacher = data
    if getattr(x, "ndim", None) != 2 or x.shape[0] < 1 or x.shape[1] < 2:
        raise ValueError(f"data.x must have shape (n, d) with n >= 1, d >= 2, got {getattr(x, 'shape', x)}")
    n, d = x.shape
    if getattr(y, "shape", None) != (n,):
        raise ValueError(f"data.y must have shape (n,) = ({n},), got {getattr(y, 'shape', y)}")
    if getattr(teacher, "shape", None) != (d,):
        raise ValueError(f"data.teacher must have shape (d,) = ({d},), got {getattr(teacher, 'shape', teacher)}")
    for name, a in (("data.x", x), ("data.y", y), ("data.teacher", teacher)):
        if not _validate.is_traced(a):
            _validate.finite_array(name, a)
    return data


def _check_theta(theta: Any, d: int, *, on_sphere: bool, hessian: bool = False, name: str = "theta") -> Array:
    """A student or a batch of students (last axis of length ``d``), finite, optionally on :math:`S_d`."""
    traced = _validate.is_traced(theta)
    if not traced:
        _validate.finite_array(name, theta)
        theta = jnp.asarray(theta, dtype=jnp.float64)
    if theta.ndim == 0 or theta.shape[-1] != d:
        raise ValueError(f"{name} must have a last axis of length d = {d} (the data's dimension), "
                         f"got shape {theta.shape}")
    if on_sphere and not traced:
        radius2 = np.sum(np.asarray(theta) ** 2, axis=-1) / d
        if np.any(np.abs(radius2 - 1.0) > sphere.ON_SPHERE_RTOL):
            raise ValueError(f"{name} must lie on the sphere |{name}|^2 = d = {d} (relative tolerance "
                             f"{sphere.ON_SPHERE_RTOL}); use landscape.sphere.normalize first")
    if hessian and d > MAX_HESSIAN_DIMENSION:
        raise ValueError(f"d = {d} exceeds MAX_HESSIAN_DIMENSION = {MAX_HESSIAN_DIMENSION} for a d x d Hessian")
    return theta


# ------------------------------------------------------------------------------------------ risk and derivatives


def _preactivations(data: GLMData, theta: Array) -> tuple[Array, Array]:
    """:math:`z = \\theta X^\\top/\\sqrt d` (shape ``batch + (n,)``) and ``y`` broadcast to it."""
    d = data.x.shape[1]
    z = theta @ data.x.T / math.sqrt(d)
    return z, jnp.broadcast_to(data.y, z.shape)


@partial(jax.jit, static_argnums=(0, 3))
def _risk_derivatives(loss: Loss, data: GLMData, theta: Array, order: int) -> tuple[Array, ...]:
    """Risk, Euclidean gradient and Hessian up to ``order`` (0, 1, 2), batched over leading axes of theta."""
    n, d = data.x.shape
    z, y = _preactivations(data, theta)
    value, d1, d2 = _derivatives(loss, z, y)
    out: tuple[Array, ...] = (jnp.mean(value, axis=-1),)
    if order >= 1:
        out += (d1 @ data.x / (n * math.sqrt(d)), jnp.mean(d1 * z, axis=-1))
    if order >= 2:
        out += (jnp.einsum("...i,ij,ik->...jk", d2, data.x, data.x) / (n * d),)
    return out


def empirical_risk(loss: Loss, data: GLMData, theta: Array) -> Array:
    r"""The empirical risk :math:`R(\theta) = \frac1n\sum_i \ell(z_i, y_i)`, :math:`z_i = x_i\cdot\theta/\sqrt d`,
    batched over the leading axes of ``theta`` (shape ``batch + (d,)``, result ``batch``).

    Defined for any finite :math:`\theta \in \mathbb R^d` (so that ``jax.grad`` of it is the Euclidean gradient);
    the book evaluates it on :math:`S_d`.
    """
    loss, data = _loss(loss), _check_data(data)
    theta = _check_theta(theta, data.x.shape[1], on_sphere=False)
    return _risk_derivatives(loss, data, theta, 0)[0]


def euclidean_gradient(loss: Loss, data: GLMData, theta: Array) -> Array:
    r"""The Euclidean gradient :math:`\nabla R = \frac1n\sum_i \ell'(z_i, y_i)\,x_i/\sqrt d`, any finite
    :math:`\theta`, batched over leading axes (:math:`\ell' = \partial_z\ell` by ``jax.grad``)."""
    loss, data = _loss(loss), _check_data(data)
    theta = _check_theta(theta, data.x.shape[1], on_sphere=False)
    return _risk_derivatives(loss, data, theta, 1)[1]


def euclidean_hessian(loss: Loss, data: GLMData, theta: Array) -> Array:
    r"""The Euclidean Hessian :math:`\nabla^2 R = \frac1n\sum_i \ell''(z_i, y_i)\,x_ix_i^\top/d`, any finite
    :math:`\theta`, batched over leading axes (shape ``batch + (d, d)``)."""
    loss, data = _loss(loss), _check_data(data)
    theta = _check_theta(theta, data.x.shape[1], on_sphere=False, hessian=True)
    return _risk_derivatives(loss, data, theta, 2)[3]


def multiplier(loss: Loss, data: GLMData, theta: Array) -> Array:
    r"""The radial derivative :math:`r = \frac1n\sum_i\ell'(z_i, y_i)\,z_i = \theta\cdot\nabla R` at
    :math:`\theta \in S_d`, batched over leading axes; :math:`-rP` is the curvature term of
    :func:`scaled_hessian`, and at a critical point :math:`\nabla R = r\theta/d`. In the book's sign convention
    (the notation page) the Lagrange multiplier of the sphere is :math:`\mu = -r`."""
    loss, data = _loss(loss), _check_data(data)
    theta = _check_theta(theta, data.x.shape[1], on_sphere=True)
    return _risk_derivatives(loss, data, theta, 1)[2]


def riemannian_gradient(loss: Loss, data: GLMData, theta: Array) -> Array:
    r"""Riemannian gradient :math:`P\nabla R = \nabla R - (\theta\cdot\nabla R/d)\,\theta` on :math:`S_d`, with
    :math:`\nabla R = \frac1n\sum_i \ell'(z_i, y_i)\,x_i/\sqrt d`; batched over leading axes of ``theta``.

    Projected with :func:`landscape.sphere.project_gradient` (Absil, Mahony & Sepulchre 2008, ch. 3).
    """
    loss, data = _loss(loss), _check_data(data)
    theta = _check_theta(theta, data.x.shape[1], on_sphere=True)
    return sphere.project_gradient(theta, _risk_derivatives(loss, data, theta, 1)[1])


@partial(jax.jit, static_argnums=0)
def _riemannian_hessian(loss: Loss, data: GLMData, theta: Array) -> Array:
    d = data.x.shape[1]
    _, grad, _, hess = _risk_derivatives(loss, data, theta, 2)
    batch = theta.shape[:-1]
    flat = jax.vmap(sphere.project_hessian)(theta.reshape(-1, d), grad.reshape(-1, d), hess.reshape(-1, d, d))
    return flat.reshape(batch + (d, d))


def riemannian_hessian(loss: Loss, data: GLMData, theta: Array) -> Array:
    r"""Riemannian Hessian on :math:`S_d` (radius :math:`\sqrt d`) as a :math:`d\times d` matrix with :math:`\theta`
    in its kernel, batched over leading axes of ``theta`` (shape ``batch + (d, d)``):

    .. math:: \operatorname{Hess}R = P\nabla^2RP - \frac{\theta\cdot\nabla R}{d}P, \qquad
        \nabla^2 R = \frac1n\sum_i\ell''(z_i, y_i)\frac{x_ix_i^\top}{d}, \qquad P = I - \frac{\theta\theta^\top}{d}.

    Projected with :func:`landscape.sphere.project_hessian` (Absil, Mahony & Sepulchre 2008, §5.5). Its
    eigenvalues are :math:`O(1/d)`; :func:`scaled_hessian` is the :math:`O(1)` version.
    """
    loss, data = _loss(loss), _check_data(data)
    theta = _check_theta(theta, data.x.shape[1], on_sphere=True, hessian=True)
    return _riemannian_hessian(loss, data, theta)


def scaled_hessian(loss: Loss, data: GLMData, theta: Array) -> Array:
    r""":math:`d` times the Riemannian Hessian, the matrix with an :math:`O(1)` spectrum:

    .. math:: d\operatorname{Hess}R(\theta) = \frac1n\sum_i \ell''(z_i, y_i)\,Px_ix_i^\top P - \mu P, \qquad
        \mu = \frac1n\sum_i \ell'(z_i, y_i)\,z_i,

    a sample covariance of the projected inputs with weights :math:`\ell''` minus the multiplier :math:`\mu`
    (:func:`multiplier`). Chapter 10 compares its spectrum with a Marchenko–Pastur-type law (Sarao Mannelli et al.,
    NeurIPS 2020, arXiv:2006.06997). Shape ``batch + (d, d)``, :math:`\theta` in the kernel; for the
    :math:`d-1` tangent eigenvalues alone use ``landscape.sphere.tangent_hessian(theta, scaled_hessian(...))``.
    """
    loss, data = _loss(loss), _check_data(data)
    theta = _check_theta(theta, data.x.shape[1], on_sphere=True, hessian=True)
    return data.x.shape[1] * _riemannian_hessian(loss, data, theta)


def overlap(data: GLMData, theta: Array) -> Array:
    r"""The overlap with the teacher :math:`m = \theta\cdot\theta^*/d \in [-1, 1]` (Maillard, Bonnaire & Biroli's
    :math:`q`), for :math:`\theta` on :math:`S_d`, batched over leading axes of ``theta``."""
    data = _check_data(data)
    d = data.x.shape[1]
    theta = _check_theta(theta, d, on_sphere=True)
    return theta @ data.teacher / d


# ------------------------------------------------------------------------------------------- gradient flow


def gradient_flow(loss: Loss, data: GLMData, theta0: Array, dt: float = 0.05, n_steps: int = 2000,
                  record_every: int = 10, hessian: bool = False, method: str = "euler") -> dynamics.Trajectory:
    r"""Gradient flow :math:`\dot\theta = -d\,\operatorname{grad}R(\theta)` on :math:`S_d` for a sampled problem.

    Runs :func:`landscape.dynamics.gradient_flow` (its integrators, its retraction onto the sphere, no new scheme)
    on :math:`dR` given by its jet (:class:`landscape.dynamics.Landscape`): the time is measured in units in which
    the per-coordinate drift is :math:`O(1)`, the scale of :func:`scaled_hessian`. The
    :class:`~landscape.dynamics.Trajectory` records the risk :math:`R` as ``energy``, the overlap
    :math:`m(t) = \theta(t)\cdot\theta^*/d` as ``overlap``, and ``mu`` :math:`= -\theta\cdot\nabla(dR)/d =`
    ``-multiplier``; with ``hessian=True`` also the lowest eigenvalue of the tangent :func:`scaled_hessian` and the
    squared overlap of its eigenvector with the tangent direction of :math:`\theta^*` (``hessian_overlap``).
    ``theta0`` is a point or a batch of points of :math:`S_d`; a stable Euler step needs ``dt`` times the largest
    eigenvalue of the scaled Hessian below 1 (the weights :math:`\ell''` of :math:`\ell_a` grow like
    :math:`12z^2/a`: take ``dt`` :math:`\lesssim a/(12\max_i z_i^2)`).
    """
    loss = _loss(loss)
    data = _check_data(data)
    theta0 = _check_theta(theta0, data.x.shape[1], on_sphere=True, name="theta0")
    _check_records(theta0, n_steps, record_every)
    return dynamics.gradient_flow(dynamics.Landscape(data, loss._jet), theta0, dt=dt, n_steps=n_steps,
                                  record_every=record_every, method=method, hessian=hessian,
                                  reference=data.teacher)


def _check_records(theta0: Array, n_steps: Any, record_every: Any) -> None:
    """Refuse a flow whose records (about 16 floats per recorded time and student) would exceed the memory limit;
    the ranges of ``n_steps`` and ``record_every`` are checked by :func:`landscape.dynamics.gradient_flow`."""
    n_steps = _validate.integer("n_steps", n_steps)
    record_every = _validate.integer("record_every", record_every)
    if n_steps > 0 and record_every > 0:
        batch = math.prod(theta0.shape[:-1])
        _validate.allocation(f"n_steps = {n_steps} with record_every = {record_every} ({batch} students)",
                             16 * 8 * (n_steps // record_every + 1) * batch)


# ------------------------------------------------------------------------------- the Hessian at a random start


_SCAN = 600           # grid points for locating the first sign change on (0, m_b)


class HessianSpectrum(NamedTuple):
    """Limits (``d → ∞`` at fixed ``α``) of the spectrum of ``H = D − μ`` on ``θ^⟂``.

    ``lower_edge``/``upper_edge``: bulk edges of ``H`` (``upper_edge = inf`` for weights unbounded above);
    ``edge_at_bound``: the lower edge sits at the essential bound (regime (ii), logarithmic finite-``d``
    convergence); ``mu``: the multiplier; ``outlier``: eigenvalue of ``H`` toward ``θ*`` below the bulk (NaN if
    none); ``overlap``: squared overlap of its eigenvector with ``θ*/√d`` (0 if none); ``m_edge``, ``m_outlier``:
    the Stieltjes parameters; ``density``: ``λ ↦ ρ_H(λ)`` (callable on arrays).
    """

    lower_edge: float
    upper_edge: float
    edge_at_bound: bool
    mu: float
    outlier: float
    overlap: float
    m_edge: float
    m_outlier: float
    alpha: float
    density: Callable[[Any], np.ndarray]


# ------------------------------------------------------------------------------------------------ losses


def optimal_preprocessing(y: Any) -> Any:
    r"""Luo–Alghamdi–Lu optimal preprocessing for noiseless real phase retrieval, in the book's variables:
    :math:`T^*(y) = 1 - 1/y^2` (their measurement ``y = (a·x)²`` with ``E y = 1`` is our ``y²``). The top
    eigenvector of ``(1/n) Σ T*(y_i) x_i x_iᵀ`` correlates with ``θ*`` iff ``α > 1/2`` (Mondelli & Montanari's
    weak-recovery threshold; their ``T*_δ(y) = (y − 1)/(y + √δ − 1)`` is a Möbius transform of this one)."""
    _validate.finite_array("y", y)
    return 1.0 - 1.0 / y**2


# ------------------------------------------------------------------------------------------- quadrature


def _nodes(num_nodes: int):
    x, w = roots_hermitenorm(num_nodes)
    w = w / np.sqrt(2.0 * np.pi)
    return x, w


def _check_bool(name: str, flag: Any) -> None:
    if not isinstance(flag, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {flag!r}")


def _check_callable(name: str, f: Any) -> None:
    if not callable(f):
        raise TypeError(f"{name} must be a callable, got {type(f).__name__}")



def _hessian_atoms(loss, num_nodes: int):
    """Quadrature atoms ``(t, y, weight)`` of ``t = ℓ''(z, y)`` and ``μ = E[ℓ'(z, y) z]``."""
    x, w = _nodes(num_nodes)
    z, y = np.meshgrid(x, x, indexing="ij")
    wt = np.outer(w, w).ravel()
    keep = wt > 1e-300
    z, y, wt = z.ravel()[keep], y.ravel()[keep], wt[keep]
    d1 = jax.grad(loss, argnums=0)
    d2 = jax.grad(d1, argnums=0)
    zz, yy = jnp.asarray(z), jnp.asarray(y)
    t = np.asarray(jax.vmap(d2)(zz, yy), dtype=float)
    g = np.asarray(jax.vmap(d1)(zz, yy), dtype=float)
    if not (np.all(np.isfinite(t)) and np.all(np.isfinite(g))):
        raise ValueError("loss must have finite first and second z-derivatives at the quadrature nodes")
    mu = float(np.sum(wt * g * z))
    return t, y, wt, mu


def _spectral_atoms(preprocessing, num_nodes: int):
    x, w = _nodes(num_nodes)
    keep = w > 1e-300
    x, w = x[keep], w[keep]
    t = np.asarray(preprocessing(jnp.asarray(x)), dtype=float)
    if t.shape != x.shape or not np.all(np.isfinite(t)):
        raise ValueError("preprocessing must map an array of y to a finite array of the same shape")
    return t, x, w


# ------------------------------------------------------------------------------------------- the core


def _lam(m, t, w, alpha):
    return -1.0 / m + np.sum(w * t / (1.0 + t * m / alpha))


def _dlam(m, t, w, alpha):
    return 1.0 / m**2 - np.sum(w * t**2 / (1.0 + t * m / alpha) ** 2) / alpha


def _first_root(f, hi, fv=None):
    """Smallest root of ``f`` on ``(0, hi)``, located on a geometric-then-linear grid (``fv``: ``f`` vectorised
    over the grid) and refined by Brent's method; ``None`` if there is no sign change."""
    grid = np.unique(np.concatenate([hi * np.geomspace(1e-8, 1.0, _SCAN // 2),
                                     hi * np.linspace(0.0, 1.0, _SCAN // 2)[1:]]))
    grid = grid[grid < hi]
    grid = np.append(grid, hi * (1.0 - 1e-12))
    vals = fv(grid) if fv is not None else np.array([f(g) for g in grid])
    sign = np.nonzero(np.sign(vals[1:]) != np.sign(vals[:-1]))[0]
    if sign.size == 0:
        return None
    k = sign[0]
    return brentq(f, grid[k], grid[k + 1], xtol=1e-14, rtol=1e-13)


def _expect(g, m, t, w, alpha, chunk=64):
    """``E[g(t) / (1 + t m/α)^p]`` vectorised over an array of ``m``: ``g`` maps ``den`` to the integrand."""
    m = np.asarray(m, dtype=float)
    out = np.empty(m.shape)
    for k in range(0, m.size, chunk):
        den = 1.0 + np.outer(m[k:k + chunk], t) / alpha
        out[k:k + chunk] = g(den) @ w
    return out


def _edge(t, w, alpha, t_min):
    """Lower bulk edge of ``D`` (weights ``t``, probabilities ``w``), whether it sits at the bound, and its
    Stieltjes parameter ``m_e``."""
    if t_min < 0.0:
        m_b = alpha / -t_min
    else:  # no pole on m > 0: search far out (λ' → 1/m² (1 − α P(t≠0)) as m → ∞)
        m_b = 1e8

    def crit_eq(m):  # m² λ'(m) = 1 − E[(mt/(1 + tm/α))²]/α
        return 1.0 - np.dot(w, (m * t / (1.0 + t * m / alpha)) ** 2) / alpha

    # each m t/(1 + tm/α) has derivative t/(1 + tm/α)², of the sign of t, so (m t/(1 + tm/α))² increases on
    # (0, m_b) where every 1 + tm/α > 0: crit_eq decreases from 1 and has at most one root there
    hi = m_b * (1.0 - 1e-12)
    crit = brentq(crit_eq, 0.0, hi, xtol=1e-14, rtol=1e-13) if crit_eq(hi) < 0.0 else None
    at_bound = crit is None
    m_e = m_b * (1.0 - 1e-12) if at_bound else crit
    if at_bound and t_min >= 0.0:  # no edge: an atom at 0 (α < 1) — the continuous part starts at 0
        return 0.0, at_bound, m_e
    return _lam(m_e, t, w, alpha), at_bound, m_e


def _lower(t, y, w, alpha, t_min):
    """Lower edge, bound flag, outlier, overlap and Stieltjes parameters of ``D`` (weights ``t``)."""
    lower, at_bound, m_e = _edge(t, w, alpha, t_min)

    def F(m):
        return 1.0 + m * np.sum(w * t * (y**2 - 1.0) / (1.0 + t * m / alpha))

    ty = t * (y**2 - 1.0)
    m_star = _first_root(F, m_e, lambda ms: 1.0 + ms * _expect(lambda den: ty / den, ms, t, w, alpha)) \
        if F(m_e) < 0 else None
    if m_star is None:
        return lower, at_bound, np.nan, 0.0, m_e, np.nan
    lam_star = _lam(m_star, t, w, alpha)
    h = np.sum(w * t**2 * y**2 / (1.0 + t * m_star / alpha) ** 2)
    overlap = 1.0 / (1.0 + h / (alpha * _dlam(m_star, t, w, alpha)))
    return lower, at_bound, lam_star, overlap, m_e, m_star


def _stieltjes_newton(lam, t, w, alpha, etas=(1.0, 0.3, 0.1, 0.03, 0.01, 3e-3, 1e-3)):
    """Solve ``m(−λ' + E[t/(1 + tm/α)]) = 1`` for ``λ' = λ + iη`` by vectorised Newton, ``η`` decreasing.

    Compiled once per bucket of sizes: ``lam`` is padded (with its last value) to a multiple of 64 points and the
    atoms (with zero-probability atoms ``t = 0``, which add nothing) to a multiple of 1024."""
    lam = np.atleast_1d(np.asarray(lam, dtype=float))
    t, w = np.asarray(t, dtype=float), np.asarray(w, dtype=float)
    n_lam, n_t = lam.size, t.size
    lam = np.pad(lam, (0, -n_lam % 64), mode="edge")
    t, w = np.pad(t, (0, -n_t % 1024)), np.pad(w, (0, -n_t % 1024))
    return np.asarray(_stieltjes_newton_jit(lam, t, w, float(alpha), tuple(etas)))[:n_lam]


@partial(jax.jit, static_argnums=4)
def _stieltjes_newton_jit(lam, t, w, alpha, etas):
    m = jnp.full(lam.shape, 1j, dtype=jnp.complex128)

    def body(state):
        k, m, _, zc = state
        tr = t / (1.0 + jnp.outer(m, t) / alpha)  # one complex division per atom and point
        e1 = tr @ w
        e2 = (tr * tr) @ w
        f = m * (-zc + e1) - 1.0
        fp = -zc + e1 - m * e2 / alpha
        m_new = m - f / fp
        m_new = jnp.where(m_new.imag > 0, m_new, m.real + 0.5j * jnp.abs(m.imag))
        return k + 1, m_new, jnp.max(jnp.abs(m_new - m)) < 1e-13, zc

    for eta in etas:  # at most 60 Newton steps per eta
        m = jax.lax.while_loop(lambda s: (s[0] < 60) & ~s[2], body, (0, m, False, lam + 1j * eta))[1]
    return m


def weighted_mp_density(lam: Any, weights: Any, probabilities: Any, alpha: float) -> np.ndarray:
    r"""Density of the limiting spectral law of ``(1/n) Σ t_i x_i x_iᵀ`` (``n = αd``, ``t_i`` i.i.d. from the
    discrete law ``P(t = weights[k]) = probabilities[k]``): :math:`\rho(\lambda) = \operatorname{Im} m(\lambda
    + i0)/\pi` from the Silverstein equation :math:`m = (-\lambda + E[t/(1 + tm/\alpha)])^{-1}`, solved by Newton
    at ``λ + iη`` with ``η`` lowered to ``1e-3`` (the density is smoothed on that scale)."""
    alpha = real("alpha", alpha, minimum=0.0, strict_minimum=True)
    for name, v in (("lam", lam), ("weights", weights), ("probabilities", probabilities)):
        _validate.finite_array(name, v)
    t = np.asarray(weights, dtype=float).ravel()
    p = np.asarray(probabilities, dtype=float).ravel()
    if t.shape != p.shape or np.any(p < 0) or not np.isclose(p.sum(), 1.0):
        raise ValueError("probabilities must be nonnegative, sum to 1 and match weights in shape")
    lam = np.atleast_1d(np.asarray(lam, dtype=float))
    return np.clip(_stieltjes_newton(lam, t, p, alpha).imag / np.pi, 0.0, None)


def _density_atoms(t, w, cap=4000):
    """Thin the quadrature law to at most ``cap`` heaviest atoms (renormalised) for the density solver."""
    if t.size > cap:
        idx = np.argsort(w)[-cap:]
        t, w = t[idx], w[idx]
    return t, w / w.sum()


# -------------------------------------------------------------------------------------------- public API


def hessian_spectrum_at_random(loss: Loss, alpha: float, *,
                               weight_bounds: tuple[float, float] | None = None,
                               num_nodes: int = 160) -> HessianSpectrum:
    r"""Limiting spectrum of the ``O(1)`` Riemannian Hessian :math:`H = \frac1n\sum_i \ell''(z_i,y_i) P x_i
    x_i^\top P - \mu P` of ``R(θ) = (1/n) Σ ℓ(z_i, y_i)`` at a random start (``θ ⟂ θ*``), as ``d → ∞`` with
    ``n = αd``: bulk edges and density (Silverstein equation for weights ``t = ℓ''(z, y)``, ``z, y`` i.i.d.
    ``N(0,1)``), shift :math:`\mu = E[\ell'(z,y) z] = E[t]`, and the BBP outlier toward ``θ*``, solving

    .. math:: 1 + m\,E\Big[\frac{t(y^2-1)}{1+tm/\alpha}\Big] = 0,\quad
        \lambda_{\rm out} = -\frac1m + E\Big[\frac{t}{1+tm/\alpha}\Big] - \mu,\quad
        \langle u, \theta^*\rangle^2/d = \Big(1 + \frac{E[t^2y^2/(1+tm/\alpha)^2]}{\alpha\lambda'(m)}\Big)^{-1}

    (module docstring: derivation and conversion from Lu–Li and Mondelli–Montanari). ``weight_bounds``: the
    essential infimum and supremum of ``t`` (default: their values over the quadrature nodes; pass the exact
    ones when known, e.g. ``(−4, inf)`` for ``ℓ_a``). Expectations by ``num_nodes²``-point Gauss–Hermite.
    """
    loss = _loss(loss)
    alpha = real("alpha", alpha, minimum=0.0, strict_minimum=True)
    num_nodes = integer("num_nodes", num_nodes, minimum=20, maximum=400)
    t, y, w, mu = _hessian_atoms(loss, num_nodes)
    t_min, t_max = _bounds(weight_bounds, t)
    lower, at_bound, out, ov, m_e, m_s = _lower(t, y, w, alpha, t_min)
    if np.isinf(t_max):
        upper = np.inf
    else:
        upper = -_lower(-t, y, w, alpha, -t_max)[0]
    td, wd = _density_atoms(t, w)

    def density(lam):
        return weighted_mp_density(np.asarray(lam, dtype=float) + mu, td, wd, alpha)

    return HessianSpectrum(lower - mu, upper - mu, at_bound, mu, out - mu, ov, m_e, m_s, alpha, density)


def _bounds(weight_bounds, t):
    if weight_bounds is None:
        return float(np.min(t)), float(np.max(t))
    if not isinstance(weight_bounds, (tuple, list)) or len(weight_bounds) != 2:
        raise TypeError("weight_bounds must be a pair (t_min, t_max)")
    lo, hi = (float(v) for v in weight_bounds)
    if np.isnan(lo) or np.isnan(hi) or lo > np.min(t) + 1e-9 or hi < np.max(t) - 1e-9:
        raise ValueError(f"weight_bounds must enclose the weights at the quadrature nodes "
                         f"[{np.min(t):.6g}, {np.max(t):.6g}], got {weight_bounds!r}")
    return lo, hi


def init_bbp_threshold(loss: Loss, *, weight_bounds: tuple[float, float] | None = None,
                       num_nodes: int = 160, alpha_max: float = 200.0) -> tuple[float, float]:
    r"""Sample ratios at which a random start first sees the signal in its Hessian, as ``(α_BBP, α_neg)``.

    ``α_BBP``: the outlier toward ``θ*`` separates from the lower bulk edge of ``H`` (root in ``α`` of
    ``F(m_e(α)) = 0``, with ``F`` and ``m_e`` as in the module docstring). ``α_neg``: the smallest ``α ≥ α_BBP``
    at which the outlier eigenvalue is negative, i.e. ``θ*`` is a direction of negative curvature (gradient flow
    from a random start escapes toward the signal exponentially); equal to ``α_BBP`` when the outlier is
    born negative. Either is ``inf`` if it does not happen for ``α ≤ alpha_max``. The book's notion of the
    "init BBP threshold" is ``α_BBP``; ``α_neg`` is reported alongside because a positive outlier does not help
    descent.
    """
    loss = _loss(loss)
    num_nodes = integer("num_nodes", num_nodes, minimum=20, maximum=400)
    alpha_max = real("alpha_max", alpha_max, minimum=0.0, strict_minimum=True)
    t, y, w, mu = _hessian_atoms(loss, num_nodes)
    t_min, _ = _bounds(weight_bounds, t)
    return _thresholds(t, y, w, mu, t_min, alpha_max)


def _thresholds(t, y, w, mu, t_min, alpha_max):
    def margin(alpha):  # F(m_e): negative once the outlier has left the bulk
        _, _, _, _, m_e, _ = _lower(t, y, w, alpha, t_min)
        return 1.0 + m_e * np.sum(w * t * (y**2 - 1.0) / (1.0 + t * m_e / alpha))

    alphas = np.geomspace(1e-2, alpha_max, 30)
    a_bbp = _first_alpha(margin, alphas)
    if not np.isfinite(a_bbp):
        return np.inf, np.inf

    def out(alpha):
        val = _lower(t, y, w, alpha, t_min)[2]
        return val - mu if np.isfinite(val) else 1.0

    if out(a_bbp * (1 + 1e-9)) < 0:
        return a_bbp, a_bbp
    grid = np.geomspace(a_bbp * (1 + 1e-6), alpha_max, 30)
    return a_bbp, _first_alpha(out, grid)


def _first_alpha(f, grid):
    vals = np.array([f(a) for a in grid])
    idx = np.nonzero(vals < 0)[0]
    if idx.size == 0:
        return np.inf
    k = idx[0]
    if k == 0:
        return float(grid[0])
    return brentq(f, grid[k - 1], grid[k], xtol=1e-12, rtol=1e-11)


def spectral_method_spectrum(preprocessing: Callable[[Any], Any], alpha: float, *, top: bool = True,
                             weight_bounds: tuple[float, float] | None = None,
                             num_nodes: int = 400) -> HessianSpectrum:
    r"""Limiting spectrum of the spectral-method matrix ``D = (1/n) Σ T(y_i) x_i x_iᵀ`` (``μ = 0``): same
    formulas with ``t = T(y)``. ``top=True`` (the usual spectral method) studies the top outlier through the
    weights ``−T`` and reports eigenvalues and edges of ``D`` itself (then ``lower_edge`` is the edge next to the
    outlier, i.e. the *upper* edge of ``D``, and ``upper_edge`` the other one, sign-flipped back)."""
    _check_callable("preprocessing", preprocessing)
    _check_bool("top", top)
    alpha = real("alpha", alpha, minimum=0.0, strict_minimum=True)
    num_nodes = integer("num_nodes", num_nodes, minimum=20, maximum=1000)
    t, y, w = _spectral_atoms(preprocessing, num_nodes)
    t_min, t_max = _bounds(weight_bounds, t)
    s = -1.0 if top else 1.0
    ts = s * t
    lo_b, hi_b = (-t_max, -t_min) if top else (t_min, t_max)
    lower, at_bound, out, ov, m_e, m_s = _lower(ts, y, w, alpha, lo_b)
    other = np.inf if np.isinf(hi_b) else -_lower(-ts, y, w, alpha, -hi_b)[0]
    td, wd = _density_atoms(t, w)

    def density(lam):
        return weighted_mp_density(lam, td, wd, alpha)

    return HessianSpectrum(s * lower, s * other, at_bound, 0.0, s * out, ov, m_e, m_s, alpha, density)


def spectral_threshold(preprocessing: Callable[[Any], Any], *, top: bool = True,
                       weight_bounds: tuple[float, float] | None = None, num_nodes: int = 400,
                       alpha_max: float = 200.0) -> float:
    """Weak-recovery threshold of the spectral method with preprocessing ``T(y)``: the ``α`` above which the
    top (``top=True``) eigenvalue of ``D`` separates from the bulk (``inf`` if not for ``α ≤ alpha_max``, e.g.
    for ``T(y) = y²``, whose bulk is unbounded above)."""
    _check_callable("preprocessing", preprocessing)
    _check_bool("top", top)
    num_nodes = integer("num_nodes", num_nodes, minimum=20, maximum=1000)
    alpha_max = real("alpha_max", alpha_max, minimum=0.0, strict_minimum=True)
    t, y, w = _spectral_atoms(preprocessing, num_nodes)
    t_min, t_max = _bounds(weight_bounds, t)
    if top:
        t, t_min = -t, -t_max
    if np.isinf(t_min):
        return np.inf
    return _thresholds(t, y, w, 0.0, t_min, alpha_max)[0]


# ------------------------------------------------------------------- Kac–Rice: the scalar variational principle


#: Default quadrature of the label law, a uniform, cell-centred grid of step ``KR_GRID_STEP`` on
#: ``[-KR_GRID_EXTENT, KR_GRID_EXTENT]²`` in ``(z, ξ)``, ``y = m z + √(1 − m²) ξ`` (78 400 cells). A uniform grid,
#: not Gauss–Hermite: the tilted laws concentrate near ``ℓ' = 0`` (width ``~ √(α/s)``) and a 96² Hermite rule
#: misses that by 20 % where this grid agrees with a grid twice as fine to 1e-3 (chapter 10 shows the check).
KR_GRID_STEP = 0.05

#: Half-width of the square on which the label law is integrated (see ``KR_GRID_STEP``): seven standard deviations.
KR_GRID_EXTENT = 7.0


class KacRiceSolution(NamedTuple):
    r"""Stationary point of the scalar variational principle of :func:`complexity`.

    ``sigma``: annealed complexity :math:`\Sigma = \lim \frac1d\log E\,\#` of the critical points counted;
    ``energy``: their risk :math:`e`; ``multiplier``: :math:`\mu = E_\nu[\ell' z]`; ``lower_edge``: lower edge of
    the bulk of their scaled Hessian (0 on the marginal branch); ``outlier``: the eigenvalue of the scaled Hessian
    toward :math:`\theta^*` below the bulk (NaN if none); ``bbp_margin``: :math:`g\Phi(g)` (below), negative
    exactly when that eigenvalue is negative; ``bbp_unstable``: ``bbp_margin < 0`` (the critical points are
    index-1 saddles whose descent direction points to the signal, not minima); ``marginal``: 0 if the bulk
    lies strictly above 0, 1 if the stability constraint is active with a square-root bulk edge at 0, 2 if it is
    active with the edge at the essential bound of :math:`\ell''` (:math:`g = \alpha/|t_{\min}|`), and -1 for
    ``branch="all"`` (no stability constraint: critical points of any index); ``params``:
    :math:`(g, \log s, \lambda_v, \lambda_e, \lambda_b)`, or :math:`(g_r, \log s, \lambda_v, \lambda_e, g_i)` for
    ``branch="all"`` (:math:`g = g_r + ig_i` the complex Silverstein root); ``residual``: norm of the
    stationarity equations; ``label_density``: :math:`(z, y) \mapsto` density of the limiting empirical law
    :math:`\nu` of :math:`(z_i, y_i)` at those critical points; ``index``: the fraction of negative eigenvalues
    of their scaled Hessian, :math:`-\frac1\pi\operatorname{Im}\Psi(g)` (:func:`complexity`; 0.0 on the
    bulk-stable branches, whose bulk lies at or above 0). For ``branch="all"`` the bulk may straddle 0, so
    ``lower_edge``, ``outlier`` and ``bbp_margin`` are NaN and ``bbp_unstable`` is False (an outlier inside a
    bulk is not defined).
    """

    sigma: float
    alpha: float
    m: float
    energy: float
    multiplier: float
    lower_edge: float
    outlier: float
    bbp_margin: float
    bbp_unstable: bool
    marginal: int
    params: tuple
    residual: float
    label_density: Callable[[Any, Any], np.ndarray]
    index: float = 0.0


@partial(jax.jit, static_argnums=(0, 2))
def _kr_atoms(loss: Loss, m: Array, shape: tuple[float, float]) -> Array:
    extent, step = shape
    x = jnp.arange(-extent + step / 2, extent, step)
    z, xi = (v.ravel() for v in jnp.meshgrid(x, x, indexing="ij"))
    lw = -0.5 * (z**2 + xi**2) + math.log(step * step / (2.0 * math.pi))
    y = m * z + jnp.sqrt(1.0 - m * m) * xi
    l0, l1, l2 = _derivatives(loss, z, y)
    return jnp.stack([z, y, lw, l0, l1, l2])


def _kr_psi(z, y, l0, l1, g, ls, lv, le, m, e, fix_e):
    """The tilt ``ψ = −(s/2)ℓ'² − gℓ'z + λ_vℓ'(y − mz) + λ_e(ℓ − e)`` (the last term only at fixed energy), without
    the bulk-stability term; ``g`` real (``g_r`` for ``branch="all"``). Works on JAX and NumPy arrays."""
    psi = -0.5 * jnp.exp(ls) * l1**2 - g * l1 * z + lv * l1 * (y - m * z)
    return psi + jnp.where(fix_e, le * (l0 - e), 0.0)


def _kr_tilt(x, at, alpha, m, e, g_b, fix_e, marginal):
    """Tilted label law ``ν ∝ P_m |1 + g ℓ''/α| exp(ψ/α)`` on the grid (normalised weights, log Z, 1 + gℓ''/α)."""
    z, y, lw, l0, l1, l2 = at
    g, ls, lv, le, lb = x
    den = 1.0 + g * l2 / alpha
    psi = _kr_psi(z, y, l0, l1, g, ls, lv, le, m, e, fix_e)
    psi = psi + jnp.where(marginal > 0, lb * (l2 / den - l1 * z), 0.0)
    lwt = lw + jnp.log(jnp.abs(den)) + psi / alpha
    lz = jax.scipy.special.logsumexp(lwt)
    return jnp.exp(lwt - lz), lz, den


def _kr_residual(x, at, alpha, m, e, g_b, fix_e, marginal):
    z, y, lw, l0, l1, l2 = at
    g, ls, lv, le, lb = x
    nu, _, den = _kr_tilt(x, at, alpha, m, e, g_b, fix_e, marginal)
    mu = nu @ (l1 * z)
    return jnp.stack([
        -1.0 + g * (nu @ (l2 / den)) - g * mu,                                      # Silverstein at z = μ
        ls + jnp.log(nu @ l1**2),                                                    # s E[ℓ'²] = 1
        nu @ (l1 * (y - m * z)),                                                     # gradient along θ*
        jnp.where(fix_e, nu @ l0 - e, le),                                           # energy
        _kr_edge_equation(marginal, g, lb, nu, l2, den, alpha, g_b),                      # bulk edge at 0
    ])


def _kr_edge_equation(marginal, g, lb, nu, l2, den, alpha, g_b):
    # 1: square-root edge (the Silverstein map is stationary at g); 2: edge at the essential bound, g = α/|t_min|
    return jnp.select([marginal == 1, marginal == 2],
                      [1.0 - g * g / alpha * (nu @ (l2**2 / den**2)), g - g_b], lb)


@jax.jit
def _kr_newton_step(x, at, alpha, m, e, g_b, fix_e, marginal):
    r = _kr_residual(x, at, alpha, m, e, g_b, fix_e, marginal)
    jac = jax.jacfwd(_kr_residual)(x, at, alpha, m, e, g_b, fix_e, marginal)
    return r, jnp.linalg.solve(jac, r)


_kr_residual_jit = jax.jit(_kr_residual)
_kr_tilt_jit = jax.jit(_kr_tilt)


@jax.jit
def _kr_summary(x, at, alpha, m, e, g_b, fix_e, marginal):
    """Σ, energy, μ, edge gap ``1 − g²/α E[t²/den²]`` and log Z at a stationary point."""
    z, y, lw, l0, l1, l2 = at
    g, ls, lv, le, lb = x
    nu, lz, den = _kr_tilt(x, at, alpha, m, e, g_b, fix_e, marginal)
    sigma = 0.5 * jnp.log1p(-m * m) + 0.5 * jnp.log(alpha) + 0.5 * ls - jnp.log(g) + alpha * lz
    sigma = sigma - jnp.where(marginal > 0, lb / g, 0.0)
    gap = 1.0 - g * g / alpha * (nu @ (l2**2 / den**2))
    return sigma, nu @ l0, nu @ (l1 * z), gap, lz


def _kr_flags(e, marginal):
    """Traced flags (one compilation for every branch and for fixed or free energy)."""
    return (jnp.float64(0.0 if e is None else e), jnp.asarray(e is not None), jnp.asarray(marginal, dtype=jnp.int32))


def _damped_newton(newton_step, residual, x0, admissible, tol, max_iter):
    """Damped Newton: ``newton_step(x) -> (r, dx)``, ``residual(x) -> r``; a trial point ``x - step dx`` is passed
    through ``admissible(trial, x)`` (the point to test, or None to halve the step) and accepted once the residual
    norm falls by a quarter of the step. Returns ``(x, |r|)`` at the last accepted point (one host transfer per
    iteration)."""
    x = np.asarray(x0, dtype=float)
    r = np.inf
    for _ in range(max_iter):
        res, dx = (np.asarray(v) for v in newton_step(jnp.asarray(x)))
        r = float(np.linalg.norm(res))
        if not np.isfinite(r) or r < tol:
            break
        step, accepted = 1.0, False
        while step > 1e-4:
            xn = admissible(x - step * dx, x)
            if xn is not None:
                rn = float(np.linalg.norm(residual(jnp.asarray(xn))))
                if np.isfinite(rn) and rn < (1.0 - 0.25 * step) * r:
                    accepted = True
                    break
            step /= 2.0
        if not accepted:
            break
        x = xn
    return jnp.asarray(x), r


def _kr_solve(x0, at, alpha, m, e, marginal, g_b, tol=1e-11, max_iter=40):
    g_b = float(g_b)
    ev, fix_e, flag = _kr_flags(e, marginal)

    def admissible(xn, x):  # 0 < g < g_b (g = g_b on the branch with the edge at the bound)
        return xn if 0.0 < xn[0] < g_b or (marginal == 2 and xn[0] == g_b) else None

    return _damped_newton(lambda x: _kr_newton_step(x, at, alpha, m, ev, g_b, fix_e, flag),
                          lambda x: _kr_residual_jit(x, at, alpha, m, ev, g_b, fix_e, flag),
                          x0, admissible, tol, max_iter)


@jax.jit
def _kr_outlier_margin(x, at, alpha, m, e, g_b, fix_e, marginal):
    """For :func:`_kr_outlier`, in one compiled pass over the atoms: ``Φ(g)``, the tilted weights with those
    below ``1e-18`` of the largest set to 0, and ``μ``."""
    z, y, lw, l0, l1, l2 = at
    nu = _kr_tilt(x, at, alpha, m, e, g_b, fix_e, marginal)[0]
    mu = nu @ (l1 * z)
    nu = jnp.where(nu > 1e-18 * nu.max(), nu, 0.0)
    zh = (y - m * z) / jnp.sqrt(1.0 - m * m)
    g = x[0]
    den = 1.0 + g * l2 / alpha
    phi = ((l2 * zh**2 - l2) / den) @ nu + 1.0 / g + ((zh * l1 / den) @ nu) ** 2 / (g / alpha * ((l1**2 / den) @ nu))
    return phi, nu, mu


def _kr_outlier(x, at, alpha, m, e, g_b, fix_e, marginal):
    """Lowest eigenvalue of the scaled Hessian toward θ* (NaN if none below the bulk): the smallest root
    ``g' ∈ (0, g)`` of Φ (module docstring of chapter 10's derivation, :func:`complexity`)."""
    phi_g, nu, mu = (np.asarray(v) for v in _kr_outlier_margin(x, at, alpha, m, e, g_b, fix_e, marginal))
    g = float(x[0])
    margin = float(g * phi_g)
    if margin >= 0.0:
        # Φ(g) is the Schur complement of the bulk block at eigenvalue 0; the bulk block is positive
        # (semi)definite there, so by Haynsworth's inertia formula the Hessian has a negative eigenvalue
        # iff Φ(g) < 0: none here, and any outlier lies above 0.
        return np.nan, margin
    z, y, lw, l0, l1, l2 = np.asarray(at)
    keep = nu > 0.0
    nu, l1, l2, zh = nu[keep], l1[keep], l2[keep], ((y - m * z) / math.sqrt(1.0 - m * m))[keep]

    def phi(gp):  # Silverstein's map λ(g) is _lam
        den = 1.0 + gp * l2 / alpha
        return (nu @ (l2 * zh**2 / den) + (nu @ (zh * l1 / den)) ** 2 / (gp / alpha * (nu @ (l1**2 / den)))
                - _lam(gp, l2, nu, alpha))

    grid = g * np.geomspace(1e-4, 1.0, 60)
    den = 1.0 + np.outer(grid, l2) / alpha
    vals = ((l2 * zh**2 - l2) / den) @ nu + 1.0 / grid + ((zh * l1 / den) @ nu) ** 2 / (
        grid / alpha * ((l1**2 / den) @ nu))
    neg = np.nonzero(vals < 0)[0]  # the last grid point is g, where Φ < 0 (up to rounding: none is unresolved)
    k = neg[0] if neg.size else 0
    if k == 0:
        return np.nan, margin  # not resolved: report none rather than a wrong root
    gs = brentq(phi, grid[k - 1], grid[k], xtol=1e-14, rtol=1e-13)
    return float(_lam(gs, l2, nu, alpha) - mu), margin


@jax.jit
def _kr_start_scan(at, alpha, top):
    """Untilted law ``w`` of the grid atoms, and on ``g = top · geomspace(1e-4, 0.995, 300)`` the edge gap
    ``1 − g²/α E_w[ℓ''²/den²]`` and the Silverstein residual ``−1 + g E_w[ℓ''/den] − g E_w[ℓ'z]`` (``den = 1 +
    gℓ''/α``), with ``log s = −log E_w[ℓ'²]`` (one fused pass instead of a 300 × atoms NumPy array)."""
    z, y, lw, l0, l1, l2 = at
    w = jnp.exp(lw - lw.max())
    w = w / w.sum()
    gs = top * jnp.geomspace(1e-4, 0.995, 300)
    den = 1.0 + gs[:, None] * l2 / alpha
    gap = 1.0 - gs**2 / alpha * ((l2**2 / den**2) @ w)
    sil = -1.0 + gs * ((l2 / den) @ w) - gs * (w @ (l1 * z))
    return gs, gap, sil, -jnp.log(w @ l1**2)


def _kr_start(at, alpha, m, marginal, g_b):
    """Untilted guess: ``s = 1/E_P[ℓ'²]``, and ``g`` on a scan of the untilted law: the bulk edge (marginal) or
    the Silverstein root at ``z = E_P[ℓ'z]`` (interior)."""
    gs, gap, sil, ls = (np.asarray(v) for v in _kr_start_scan(at, alpha, min(g_b, 50.0 * alpha)))
    ls = float(ls)
    bad = np.nonzero(gap <= 0)[0]
    stop = bad[0] if bad.size else gs.size
    if marginal == 2:
        return [g_b, ls, 0.0, 0.0, 0.0]
    if marginal:
        g0 = gs[max(stop - 1, 0)]
    else:
        sign = np.nonzero(np.sign(sil[1:stop]) != np.sign(sil[:stop - 1]))[0]
        g0 = gs[sign[0]] if sign.size else gs[max(stop // 2, 0)]
    return [g0, ls, 0.0, 0.0, 0.0]


def complexity(loss: Loss, alpha: float, m: float, e: float | None = None, *, branch: str = "auto",
               start: KacRiceSolution | None = None, weight_bound: float | None = None,
               grid_step: float = KR_GRID_STEP, grid_extent: float = KR_GRID_EXTENT) -> KacRiceSolution:
    r"""Annealed Kac–Rice complexity of the bulk-stable critical points (local minima and saddles of index
    :math:`o(d)`), or with ``branch="all"`` of all critical points (any index), of
    :math:`R(\theta) = \frac1n\sum_i\ell(z_i, y_i)` at overlap ``m`` with the teacher and risk
    ``e`` (``e=None``: the most numerous ones, i.e. the supremum over ``e``), as the **scalar variational
    principle** derived in chapter 10:

    .. math::

        \Sigma(m, e) = \operatorname*{extr}_{g, s, \lambda_v, \lambda_e, \lambda_b}\Big\{\tfrac12\log(1-m^2)
        + \tfrac12\log(\alpha s) - \log g - \tfrac{\lambda_b}{g} + \alpha\log E_{P_m}\Big[\Big|1 + \frac{g\ell''}
        {\alpha}\Big| e^{\psi/\alpha}\Big]\Big\},

        \psi = -\tfrac s2\ell'^2 - g\ell'z + \lambda_v\ell'(y - mz) + \lambda_e(\ell - e)
        + \lambda_b\Big(\frac{\ell''}{1 + g\ell''/\alpha} - \ell'z\Big),

    :math:`(z, y) \sim P_m` standard Gaussians of correlation ``m``. Each parameter linearises one non-linear
    functional of the label law :math:`\nu` in the variational formula of Maillard, Ben Arous & Biroli (2020):
    :math:`g` the log-determinant of the Hessian (Silverstein), :math:`s` the Gaussian density of the gradient,
    :math:`\lambda_v` the gradient along :math:`\theta^*`, :math:`\lambda_e` the energy, :math:`\lambda_b` the
    stability of the bulk. ``branch``: ``"interior"`` (``λ_b = 0``, bulk strictly above 0), ``"marginal"``
    (bulk edge at 0, ``λ_b ≥ 0``), ``"auto"`` (the interior solution if it is bulk-stable, else the marginal one),
    ``"all"`` (every critical point, of any index: below).
    ``start``: a previous solution to continue from (recommended along a curve; ``"all"`` uses only a previous
    ``branch="all"`` solution, and the other branches ignore one); ``weight_bound``: the essential
    infimum of :math:`\ell''` when negative (``-4`` for :math:`\ell_a`), which caps ``g < α/|bound|``.
    Stationarity is solved by damped Newton (``jax.jacfwd`` of the five equations) on a uniform quadrature grid.
    Raises ``RuntimeError`` if no stationary point is found (pass a ``start``).

    **All critical points** (``branch="all"``). Without the stability constraint the bulk of the Hessian may
    straddle 0; then :math:`\frac1d\log|\det(D - \mu)| = \operatorname{Re}\Psi(g) - 1` with the holomorphic
    :math:`\Psi(g) = -\log g + \alpha E_\nu\log(1 + g\ell''/\alpha) - g\mu` at the root :math:`g = g_r + ig_i`,
    :math:`g_i > 0`, of the complex Silverstein equation :math:`-1/g + E_\nu[\ell''/(1 + g\ell''/\alpha)] = \mu`
    (the Stieltjes transform of the Hessian law at :math:`\mu + i0`). Stationarity of :math:`\operatorname{Re}\Psi`
    in :math:`(g_r, g_i)` is that equation, and

    .. math::

        \Sigma_{\rm all}(m, e) = \operatorname*{extr}_{g_r, g_i, s, \lambda_v, \lambda_e}\Big\{\tfrac12\log(1-m^2)
        + \tfrac12\log(\alpha s) - \log|g| + \alpha\log E_{P_m}\Big[\Big|1 + \frac{g\ell''}{\alpha}\Big|
        e^{\psi/\alpha}\Big]\Big\}, \qquad \psi = -\tfrac s2\ell'^2 - g_r\ell'z + \lambda_v\ell'(y - mz)
        + \lambda_e(\ell - e),

    solved by damped Newton with :math:`g_i \ge 0` (the ``-1`` above: :math:`\Psi \to \log(-z) + 1` as the spectral
    parameter :math:`z \to -\infty`, where :math:`\int\log(x - z)\,d\rho \to \log(-z)`; it cancels against
    the Gaussian constants as on the other branches). The fraction of negative Hessian eigenvalues is ``index``
    :math:`= -\frac1\pi\operatorname{Im}\Psi(g)` (principal logarithms). If the root is real (:math:`g_i \to 0`)
    :math:`\mu` lies outside the bulk: below it (:math:`g_r > 0`, index 0) the solution is the interior
    bulk-stable one; above it (:math:`g_r < 0`) it counts maxima-like points of index 1. Without ``start``, the
    largest :math:`\Sigma` among the valid stationary points reached from the complex Silverstein root of the
    untilted law and from the two real-root branches is returned (for the square loss there is no complex one:
    its index-0 and index-1 real roots compete). Where the index falls to 0 with the bulk edge at the essential
    bound of :math:`\ell''` (:math:`\ell_1` at :math:`\alpha = 4`, :math:`m = 0`, :math:`0.06 \lesssim e \lesssim
    0.115`), the
    root approaches the real axis beyond the pole :math:`\alpha/|t_{\min}|` of the discretised law and no
    stationary point is found.

    Source: the reduction of the variational formula to scalars follows A. Maillard, T. Bonnaire and G. Biroli,
    arXiv:2602.17779 (2026); the formula over measures is A. Maillard, G. Ben Arous and G. Biroli, PMLR 107 (2020)
    287, arXiv:1912.02143. The parametrisation and derivation here are the book's (chapter 10).
    """
    loss = _loss(loss)
    alpha = real("alpha", alpha, minimum=0.0, strict_minimum=True)
    m = real("m", m, minimum=-1.0, maximum=1.0)
    if abs(m) >= 1.0:
        raise ValueError(f"m must lie in (-1, 1), got {m}")
    if e is not None:
        e = real("e", e)
    if branch not in ("auto", "interior", "marginal", "all"):
        raise ValueError(f"branch must be 'auto', 'interior', 'marginal' or 'all', got {branch!r}")
    grid_step = real("grid_step", grid_step, minimum=1e-3, maximum=0.5)
    grid_extent = real("grid_extent", grid_extent, minimum=3.0, maximum=20.0)
    if (2 * grid_extent / grid_step) ** 2 > MAX_DATA_ENTRIES:
        raise ValueError(f"grid_extent/grid_step too fine: {(2 * grid_extent / grid_step) ** 2:.3g} cells "
                         f"(at most {MAX_DATA_ENTRIES})")
    if start is not None and not isinstance(start, KacRiceSolution):
        raise TypeError(f"start must be a KacRiceSolution, got {type(start).__name__}")
    at = _kr_atoms(loss, jnp.float64(m), (grid_extent, grid_step))
    t_low = float(jnp.min(at[5]))
    if weight_bound is not None:
        weight_bound = real("weight_bound", weight_bound, maximum=0.0)
        if weight_bound > t_low + 1e-9:
            raise ValueError(f"weight_bound must lie below the smallest ℓ'' on the grid ({t_low:.6g}), "
                             f"got {weight_bound}")
        t_low = weight_bound
    g_b = alpha / -t_low if t_low < 0 else np.inf
    if branch == "all":
        return _kr_all(loss, at, alpha, m, e, start, g_b)
    if start is not None and start.marginal == -1:  # a branch="all" solution: no guide to a bulk-stable one
        start = None
    branches = {"auto": (0, 1, 2), "interior": (0,), "marginal": (1, 2)}[branch]
    if start is not None and start.marginal:
        branches = tuple(sorted(branches, key=lambda b: (b == 0, b != start.marginal)))
    if not np.isfinite(g_b):
        branches = tuple(b for b in branches if b != 2)
    best = None
    for marginal in branches:
        if start is not None:
            x0 = list(start.params)
            if marginal and x0[4] == 0.0:
                x0[4] = 1e-3
            if marginal == 2:
                x0[0] = g_b
        else:
            x0 = _kr_start(at, alpha, m, marginal, g_b)
        x, r = _kr_solve(x0, at, alpha, m, e, marginal, g_b)
        if not r < 1e-8:
            continue
        sol = _kr_solution(loss, x, r, at, alpha, m, e, marginal, g_b)
        if marginal == 0:
            ok = sol.lower_edge >= 0.0
        elif marginal == 1:
            ok = sol.params[4] >= -1e-10 and sol.params[0] < g_b
        else:
            ok = sol.params[4] >= -1e-10 and sol.lower_edge >= -1e-12
        if ok:
            best = sol
            break
    if best is None:
        raise RuntimeError(f"no stationary point found at alpha = {alpha}, m = {m}, e = {e} "
                           f"(branch {branch!r}); pass start= a nearby solution")
    return best


def _kr_solution(loss, x, r, at, alpha, m, e, marginal, g_b):
    ev, fe, flag = _kr_flags(e, marginal)
    sigma, energy, mu, gap, lz = (float(v) for v in _kr_summary(x, at, alpha, m, ev, g_b, fe, flag))
    # the lower bulk edge of H = D − μ: 0 on the marginal branch; else the Silverstein map's maximum over g' < g*
    if marginal == 1:
        edge = 0.0
    elif marginal == 2:
        edge = 0.0 if gap >= -1e-12 else -np.inf
    else:
        edge = _kr_edge(x, at, alpha, m, ev, g_b, fe, flag) - mu if gap > 0 else -np.inf
    out, margin = _kr_outlier(x, at, alpha, m, ev, g_b, fe, flag)
    params = tuple(float(v) for v in x)
    g, ls, lv, le, lb = params
    density = _kr_label_density(loss, alpha, m, e, lz, g, 0.0, ls, lv, le, lb if marginal else 0.0)
    return KacRiceSolution(sigma, alpha, m, energy, mu, edge, out, margin, margin < 0.0,
                           int(marginal), params, r, density)


def _kr_label_density(loss, alpha, m, e, lz, g, gi, ls, lv, le, lb):
    """``(z, y) ↦`` density of ν ∝ P_m |1 + (g + i g_i)ℓ''/α| exp(ψ/α) (normalised by ``lz`` from the grid), the
    ``label_density`` of a :class:`KacRiceSolution`; ``lb``: the bulk-stability multiplier (0 off the marginal
    branches, and for ``branch="all"``, where ``gi`` is the imaginary part of the Silverstein root)."""
    fix_e = e is not None

    def density(zq, yq):
        zq, yq = np.broadcast_arrays(np.asarray(zq, dtype=float), np.asarray(yq, dtype=float))
        l0, l1, l2 = (np.asarray(v) for v in _derivatives(loss, jnp.asarray(zq), jnp.asarray(yq)))
        dr, di = 1.0 + g * l2 / alpha, gi * l2 / alpha
        psi = np.asarray(_kr_psi(zq, yq, l0, l1, g, ls, lv, le, m, e if fix_e else 0.0, fix_e))
        if lb:
            psi = psi + lb * (l2 / dr - l1 * zq)
        quad = (zq**2 - 2 * m * zq * yq + yq**2) / (1 - m * m)
        logp = -0.5 * quad - math.log(2 * math.pi * math.sqrt(1 - m * m))
        return np.exp(logp + 0.5 * np.log(dr * dr + di * di) + psi / alpha - lz)

    return density


def _kr_edge(x, at, alpha, m, e, g_b, fix_e, marginal):
    """Lower edge of the bulk of ``D`` (weights ``ℓ''`` under the tilted label law ν)."""
    l2 = np.asarray(at[5])
    nu = np.asarray(_kr_tilt_jit(x, at, alpha, m, e, g_b, fix_e, marginal)[0])
    keep = nu > 1e-16 * nu.max()
    t = l2[keep]
    return _edge(t, nu[keep], alpha, float(np.min(t)))[0]


# ------------------------------------------------- Kac–Rice: all critical points (any index), branch="all"
#
# When μ lies inside the bulk of D, (1/d) log|det(D − μ)| is Re Ψ(g) − 1 with
# Ψ(g) = −log g + α E_ν log(1 + gℓ''/α) − gμ evaluated at the root g = g_r + i g_i, g_i > 0, of the complex
# Silverstein equation (the Stieltjes transform of the law of D at μ + i0). Ψ is holomorphic, so Re Ψ is
# stationary in (g_r, g_i) exactly at that root, and the variation over ν at fixed g gives the tilt
# ν ∝ P_m |1 + gℓ''/α| exp(ψ/α), ψ = −(s/2)ℓ'² − g_r ℓ'z + λ_v ℓ'(y − mz) + λ_e(ℓ − e) (no λ_b: no bulk
# constraint). Separate jitted functions keep the one-compilation bulk-stable path unchanged.


def _kr_tilt_all(x, at, alpha, m, e, fix_e):
    """Tilted label law at complex ``g = g_r + i g_i`` (normalised weights, log Z, Re and Im of 1 + gℓ''/α)."""
    z, y, lw, l0, l1, l2 = at
    gr, ls, lv, le, gi = x
    dr = 1.0 + gr * l2 / alpha
    di = gi * l2 / alpha
    psi = _kr_psi(z, y, l0, l1, gr, ls, lv, le, m, e, fix_e)
    lwt = lw + 0.5 * jnp.log(dr * dr + di * di) + psi / alpha
    lz = jax.scipy.special.logsumexp(lwt)
    return jnp.exp(lwt - lz), lz, dr, di


def _kr_residual_all(x, at, alpha, m, e, fix_e):
    z, y, lw, l0, l1, l2 = at
    gr, ls, lv, le, gi = x
    nu, _, dr, di = _kr_tilt_all(x, at, alpha, m, e, fix_e)
    q = dr * dr + di * di
    ar = nu @ (l2 * dr / q) - nu @ (l1 * z)  # Re (E[t/(1 + gt/α)] − μ)
    ai = -(nu @ (l2 * di / q))               # Im
    return jnp.stack([
        -1.0 + gr * ar - gi * ai,                                                    # Re g·(Silverstein at z = μ)
        ls + jnp.log(nu @ l1**2),                                                    # s E[ℓ'²] = 1
        nu @ (l1 * (y - m * z)),                                                     # gradient along θ*
        jnp.where(fix_e, nu @ l0 - e, le),                                           # energy
        gr * ai + gi * ar,                                                           # Im g·(Silverstein)
    ])


@jax.jit
def _kr_newton_step_all(x, at, alpha, m, e, fix_e):
    r = _kr_residual_all(x, at, alpha, m, e, fix_e)
    jac = jax.jacfwd(_kr_residual_all)(x, at, alpha, m, e, fix_e)
    return r, jnp.linalg.solve(jac, r)


_kr_residual_all_jit = jax.jit(_kr_residual_all)


@jax.jit
def _kr_summary_all(x, at, alpha, m, e, fix_e):
    """Σ, energy, μ, Re Ψ, Im Ψ, the real-root edge gap ``1 − g_r²/α E[t²/den²]``, the smallest ``Re(1 + gt/α)``
    on the support and log Z at a stationary point.

    Im Ψ uses principal arguments, and they are the continuous branch: for Im z > 0 the Stieltjes root has
    g_i > 0, so g never meets the cut of log g (the negative real axis), and Im(1 + gt/α) = g_i t/α has the sign
    of t and vanishes only at t = 0, where 1 + gt/α = 1: 1 + gt/α never crosses the negative real axis either.
    Both Ψ(m(z), z) and ∫ log(x − z) dρ(x) + 1 are then continuous on the upper half-plane, differ by a
    multiple of 2πi and agree as z → −∞, so they are equal; at z = μ + i0, Im ∫ log(x − μ − i0) dρ(x) =
    −π ρ((−∞, μ)), minus π times the fraction of negative eigenvalues of D − μ."""
    z, y, lw, l0, l1, l2 = at
    gr, ls, lv, le, gi = x
    nu, lz, dr, di = _kr_tilt_all(x, at, alpha, m, e, fix_e)
    mu = nu @ (l1 * z)
    ag2 = gr * gr + gi * gi
    sigma = 0.5 * jnp.log1p(-m * m) + 0.5 * jnp.log(alpha) + 0.5 * ls - 0.5 * jnp.log(ag2) + alpha * lz
    re_psi = -0.5 * jnp.log(ag2) + 0.5 * alpha * (nu @ jnp.log(dr * dr + di * di)) - gr * mu
    im_psi = -jnp.arctan2(gi, gr) + alpha * (nu @ jnp.arctan2(di, dr)) - gi * mu
    gap = 1.0 - ag2 / alpha * (nu @ (l2**2 / (dr * dr + di * di)))
    return sigma, nu @ l0, mu, re_psi, im_psi, gap, jnp.min(jnp.where(nu > 0.0, dr, jnp.inf)), lz


def _kr_start_all(at, alpha, m):
    """Untilted guess: ``s = 1/E_P[ℓ'²]`` and the (complex) Stieltjes root of the Hessian law at a random point
    of overlap ``m``, at ``z = E_P[ℓ'z]`` (:func:`_stieltjes_newton`, ``η`` lowered to 1e-3)."""
    z, y, lw, l0, l1, l2 = (np.asarray(v) for v in at)
    w = np.exp(lw - lw.max())
    w /= w.sum()
    keep = w > 1e-16
    g = complex(_stieltjes_newton(np.array([w @ (l1 * z)]), l2[keep], w[keep] / w[keep].sum(), alpha)[0])
    return [g.real, -math.log(w @ l1**2), 0.0, 0.0, max(g.imag, 1e-3)]


def _kr_solve_all(x0, at, alpha, m, e, tol=1e-11, max_iter=80):
    """Damped Newton on the five equations of ``branch="all"``, ``g_i ≥ 0``: a step that would make ``g_i``
    negative divides it by 10 instead, so a real root (``g_i → 0``) is approached geometrically and never
    crossed."""
    ev, fix_e, _ = _kr_flags(e, 0)

    def admissible(xn, x):  # g_i >= 0: a step that would cross the real axis divides g_i by 10 instead
        if xn[4] < 0.0:
            xn = xn.copy()
            xn[4] = 0.1 * x[4]
        return xn

    return _damped_newton(lambda x: _kr_newton_step_all(x, at, alpha, m, ev, fix_e),
                          lambda x: _kr_residual_all_jit(x, at, alpha, m, ev, fix_e),
                          x0, admissible, tol, max_iter)


_KR_REAL_ROOT = 1e-9  # g_i below this: a real Silverstein root (μ outside the bulk)


def _kr_all(loss, at, alpha, m, e, start, g_b):
    """``branch="all"`` of :func:`complexity`: continue from a ``branch="all"`` ``start`` if it converges, else the
    largest Σ among the stationary points reached from the untilted complex start, from the interior bulk-stable
    solution (a real root g > 0, μ below the bulk, index 0) and from the interior bulk-stable solution of the
    loss −ℓ at risk −e (its minima are the maxima of R: a real root g < 0, μ above the bulk, index 1; the map
    is g → −g, λ_v → −λ_v, λ_e → −λ_e). Several stationary points can coexist, and the complex Newton need not
    reach the real ones: for the square loss (t ≡ 1, whose log-potential is convex inside the bulk) none has μ
    in the bulk, and the index-0 and index-1 real roots compete."""
    if start is not None and start.marginal == -1:
        x0 = list(start.params)
        if x0[4] <= _KR_REAL_ROOT:  # a real root does not move off the real axis: restart slightly above it
            x0[4] = 1e-3
        sol = _kr_all_solution(loss, _kr_solve_all(x0, at, alpha, m, e), at, alpha, m, e, g_b)
        if sol is not None:
            return sol
    x0 = _kr_start_all(at, alpha, m)
    found = [_kr_all_solution(loss, _kr_solve_all(x0, at, alpha, m, e), at, alpha, m, e, g_b)]
    found.append(_kr_all_real(loss, at, 1.0, alpha, m, e, g_b, g_b))
    t_high = float(jnp.max(at[5]))
    if t_high > 0.0:
        found.append(_kr_all_real(loss, at, -1.0, alpha, m, e, alpha / t_high, g_b))
    found = [s for s in found if s is not None]
    if not found:
        raise RuntimeError(f"no stationary point found at alpha = {alpha}, m = {m}, e = {e} (branch 'all'); "
                           "pass start= a nearby branch='all' solution")
    return max(found, key=lambda s: s.sigma)


def _kr_all_real(loss, at, sign, alpha, m, e, g_sign, g_b):
    """A real-root candidate of ``branch="all"``: the interior bulk-stable solution of ``sign·ℓ`` at risk
    ``sign·e`` (its Silverstein parameter below ``g_sign``), mapped back to ℓ (``g, λ_v, λ_e`` times ``sign``),
    started from the untilted Silverstein root or else from just below the untilted bulk edge; None if neither
    gives a valid solution (``g_b``: as in :func:`_kr_all_solution`)."""
    atoms = at if sign > 0 else jnp.concatenate([at[:3], -at[3:]])
    es = None if e is None else sign * e
    for start in (0, 1):
        x, r = _kr_solve(_kr_start(atoms, alpha, m, start, g_sign), atoms, alpha, m, es, 0, g_sign)
        if r < 1e-8:
            x0 = [sign * float(x[0]), float(x[1]), sign * float(x[2]), sign * float(x[3]), 0.0]
            sol = _kr_all_solution(loss, _kr_solve_all(x0, at, alpha, m, e), at, alpha, m, e, g_b)
            if sol is not None:
                return sol
    return None


def _kr_all_solution(loss, xr, at, alpha, m, e, g_b):
    """The :class:`KacRiceSolution` of a ``branch="all"`` Newton result ``(x, residual)``, or None if it did not
    converge or converged to a real Silverstein root that is not the Stieltjes transform of the Hessian law
    (``g_b``: the pole ``α/|t_min|`` of the essential bound of ℓ'', which a real root g > 0 must stay below)."""
    x, r = xr
    if not r < 1e-8:
        return None
    real_root = float(x[4]) < _KR_REAL_ROOT
    if real_root:
        x = x.at[4].set(0.0)
    ev, fix_e, _ = _kr_flags(e, 0)
    sigma, energy, mu, re_psi, im_psi, gap, den_min, lz = (
        float(v) for v in _kr_summary_all(x, at, alpha, m, ev, fix_e))
    if real_root:
        # μ outside the bulk: the root must be the Stieltjes transform there, on the branch of Silverstein's map
        # through g = 0 (1 + gt/α > 0 on the support, and the map increasing: gap > 0; g²λ'(g) decreases in g
        # on that branch, so gap > 0 is the whole condition); g > 0 below the bulk (index 0), g < 0 above it
        # (index 1)
        if not (den_min > 0.0 and gap > -1e-10 and float(x[0]) < g_b):  # gap = 0: μ at the edge
            return None
        index = 0.0 if float(x[0]) > 0.0 else 1.0
    else:
        index = -im_psi / math.pi
    params = tuple(float(v) for v in x)
    gr, ls, lv, le, gi = params
    density = _kr_label_density(loss, alpha, m, e, lz, gr, gi, ls, lv, le, 0.0)
    return KacRiceSolution(sigma, alpha, m, energy, mu, np.nan, np.nan, np.nan, False, -1, params, r, density,
                           index)


class MinimaPhase(NamedTuple):
    r"""What the annealed Kac–Rice count says about spurious minima at overlap ``m`` and sample ratio ``α``.

    ``top``: the most numerous bulk-stable critical points (:func:`complexity` with ``e=None``);
    ``stable``: the most numerous of them whose Hessian has no negative outlier toward :math:`\theta^*` — ``top``
    itself if it is BBP-stable, else the solution at the energy :math:`e_{\rm BBP} < e_{\rm top}` where the outlier
    reaches 0 (the count of BBP-stable minima is largest there); ``None`` if no such energy is found above
    ``e_floor``. ``sigma_minima``: ``stable.sigma`` (``-inf`` if ``stable`` is None); spurious minima exist at
    ``(α, m)`` (annealed) iff it is positive.
    """

    alpha: float
    m: float
    top: KacRiceSolution
    stable: KacRiceSolution | None
    sigma_minima: float


def minima_phase(loss: Loss, alpha: float, m: float, *, start: KacRiceSolution | None = None,
                 weight_bound: float | None = None, e_step: float = 0.02, e_floor: float | None = None,
                 e_guess: KacRiceSolution | None = None, grid_step: float = KR_GRID_STEP,
                 grid_extent: float = KR_GRID_EXTENT) -> MinimaPhase:
    r"""Spurious minima at ``(α, m)``: the most numerous bulk-stable critical points and the most numerous
    BBP-stable ones (:class:`MinimaPhase`). Going down in energy from the top of the band, the outlier toward
    :math:`\theta^*` rises (the multiplier falls); :math:`e_{\rm BBP}` is bracketed by steps of ``e_step`` (each
    solve continued from the previous one) down to ``e_floor`` (default: ``e_top − 1``) and refined by Brent's
    method on ``bbp_margin``; with ``e_guess`` (the BBP-stable solution at a nearby ``(α, m)``) a secant search
    starts from its energy instead, falling back to the scan. Annealed: a positive ``sigma_minima`` says minima are expected, not that a typical
    instance has them (chapter 10)."""
    kw = dict(weight_bound=weight_bound, grid_step=grid_step, grid_extent=grid_extent)
    e_step = real("e_step", e_step, minimum=1e-4, maximum=1.0)
    if e_floor is not None:
        real("e_floor", e_floor)
    if e_guess is not None and not isinstance(e_guess, KacRiceSolution):
        raise TypeError(f"e_guess must be a KacRiceSolution, got {type(e_guess).__name__}")
    top = complexity(loss, alpha, m, start=start, **kw)
    if not top.bbp_unstable:
        return MinimaPhase(top.alpha, top.m, top, top, top.sigma)
    floor = top.energy - 1.0 if e_floor is None else real("e_floor", e_floor, maximum=top.energy)
    if e_guess is not None:
        found = _bbp_secant(loss, alpha, m, top, e_guess, floor, kw)
        if found is not None:
            return MinimaPhase(top.alpha, top.m, top, found, found.sigma)
    prev, e_hi, hi = top, top.energy, top
    sols = {}
    e = top.energy
    while True:
        e = e - e_step
        if e < floor:
            return MinimaPhase(top.alpha, top.m, top, None, -np.inf)
        try:
            cur = complexity(loss, alpha, m, e, start=prev, **kw)
        except RuntimeError:
            return MinimaPhase(top.alpha, top.m, top, None, -np.inf)
        if not cur.bbp_unstable:
            break
        prev, e_hi, hi = cur, e, cur
    lo_e, lo = e, cur

    def margin(ev):
        s = complexity(loss, alpha, m, ev, start=sols.get("last", hi), **kw)
        sols["last"] = s
        sols[ev] = s
        return s.bbp_margin

    e_bbp = brentq(margin, lo_e, e_hi, xtol=1e-6, rtol=1e-9)
    stable = sols.get(e_bbp) or complexity(loss, alpha, m, e_bbp, start=lo, **kw)
    return MinimaPhase(top.alpha, top.m, top, stable, stable.sigma)


def _bbp_secant(loss, alpha, m, top, guess, floor, kw):
    """Secant search for the energy where ``bbp_margin`` vanishes, from a nearby solution; None if it fails."""
    state = {"last": guess}

    def f(e):
        state["last"] = complexity(loss, alpha, m, e, start=state["last"], **kw)
        return state["last"].bbp_margin

    e0 = min(guess.energy, top.energy - 1e-4)
    try:
        e0, e1 = e0, e0 - 0.005
        f0, f1 = f(e0), f(e1)
        for _ in range(30):
            if f1 == f0:
                return None
            e0, e1, f0 = e1, e1 - f1 * (e1 - e0) / (f1 - f0), f1
            if not floor < e1 < top.energy:
                return None
            f1 = f(e1)
            if abs(f1) < 1e-9 and abs(e1 - e0) < 1e-6:
                return state["last"]
    except RuntimeError:
        return None
    return None


def minima_thresholds(loss: Loss, m: float = 0.0, *, alphas: Any = (3.0, 4.0, 5.0, 6.0, 8.0, 11.0, 16.0),
                      weight_bound: float | None = None, grid_step: float = KR_GRID_STEP,
                      grid_extent: float = KR_GRID_EXTENT) -> tuple[float, float]:
    r"""Two sample ratios at overlap ``m`` (``m = 0``: the equator, where a random start lands), as
    ``(α_BBP, α_triv)``: above ``α_BBP`` the most numerous bulk-stable critical points have a negative outlier toward
    :math:`\theta^*` (they stop being minima: gradient descent can leave them); above ``α_triv`` the BBP-stable
    ones have negative annealed complexity (no spurious minima are expected at ``m``). Located on the increasing
    grid ``alphas`` (solutions continued along it) and refined by Brent's method; ``inf`` if no sign change on it.
    Raises ``ValueError`` if the most numerous bulk-stable critical points have complexity ``<= 0`` where
    their outlier reaches 0: nothing at ``m`` is then there to turn unstable (for :math:`\ell_a` at the
    equator, from ``a`` of about 6 on; chapter 10)."""
    kw = dict(weight_bound=weight_bound, grid_step=grid_step, grid_extent=grid_extent)
    _validate.finite_array("alphas", alphas)
    grid = np.asarray(alphas, dtype=float)
    if grid.ndim != 1 or grid.size < 2 or not np.all(np.isfinite(grid)) or np.any(grid <= 0) \
            or np.any(np.diff(grid) <= 0):
        raise ValueError("alphas must be an increasing 1-D sequence of at least two positive sample ratios")
    tops, prev = [], None
    for a in grid:
        prev = complexity(loss, float(a), m, start=prev, **kw)
        tops.append(prev)
    margins = np.array([s.bbp_margin for s in tops])
    neg = np.nonzero(margins < 0)[0]
    if neg.size == 0:
        return np.inf, np.inf
    k = int(neg[0])
    if k == 0:
        raise ValueError(f"the most numerous critical points are already BBP-unstable at alphas[0] = {grid[0]}; "
                         "start the grid lower")
    cache = {"last": tops[k - 1]}

    def margin(a):
        cache["last"] = complexity(loss, a, m, start=cache["last"], **kw)
        return cache["last"].bbp_margin

    a_bbp = brentq(margin, grid[k - 1], grid[k], xtol=1e-6, rtol=1e-9)
    top_sigma = complexity(loss, a_bbp, m, start=cache["last"], **kw).sigma
    if top_sigma <= 0:
        raise ValueError(
            f"at m = {m} the most numerous bulk-stable critical points have complexity {top_sigma:.4f} <= 0 where "
            f"their outlier reaches 0 (alpha = {a_bbp:.4f}): none are expected there, and the thresholds are not "
            "defined for this loss (chapter 10: large a)")
    phases = {"last": None}

    def sigma_min(a, start):
        ph = minima_phase(loss, a, m, start=start, e_guess=phases["last"], **kw)
        phases["last"] = ph.stable
        return max(ph.sigma_minima, -1.0)  # -inf (no BBP-stable solution found) as a finite negative value

    prev_a, prev_s = a_bbp, tops[k - 1].sigma
    for j in range(k, grid.size):
        val = sigma_min(float(grid[j]), tops[j])
        if val < 0:
            start = tops[j]
            return a_bbp, brentq(lambda a: sigma_min(a, start), prev_a, float(grid[j]), xtol=1e-5,
                                 rtol=1e-8) if prev_s > 0 else prev_a
        prev_a, prev_s = float(grid[j]), val
    return a_bbp, np.inf

# ------------------------------------------------------------- gradient descent from random starts (chapter 10)



#: On a CPU a batch of problems holds at most this many input entries (8 MiB): a step streams the inputs twice
#: (two matrix-vector products) and is memory-bound, and batches that stay in the last-level cache run 2-3 times
#: faster per problem (measured on a 2-core EPYC with a 32 MiB L3).
_CPU_BATCH_ENTRIES = 2**20

#: A run succeeds when the final overlap satisfies ``|m| > SUCCESS_OVERLAP``.
SUCCESS_OVERLAP = 0.9


class DescentResult(NamedTuple):
    r"""Where gradient flow from a random start ends, for ``S`` problems at each of ``A`` sample ratios
    (NumPy arrays; axis 0 is :math:`\alpha`, axis 1 the problem, axis 2 the record).

    Use :meth:`success_probability` for the fraction of successes and its standard error.
    """

    alphas: np.ndarray  #: the sample ratios as given, shape (A,)
    n: np.ndarray  #: the sample sizes round(alpha d), shape (A,)
    d: int  #: the dimension
    times: np.ndarray  #: recorded times, shape (A, R), namely 0, the end of the warm-up, then every ``record_every * dt``
    overlap: np.ndarray  #: final overlap m = theta . theta* / d, shape (A, S)
    risk: np.ndarray  #: final risk R(theta), shape (A, S)
    multiplier: np.ndarray  #: final multiplier mu = (1/n) sum l'(z_i, y_i) z_i (glm.multiplier), shape (A, S)
    #: lowest eigenvalue of the tangent scaled Hessian d Hess R at the end point, shape (A, S); NaN without hessian
    min_eigenvalue: np.ndarray
    #: squared overlap of its eigenvector with the unit tangent direction of theta*, in [0, 1], shape (A, S); NaN
    #: without hessian and where 1 - m^2 < 1e-10 (the end point is +-theta*, which has no tangent direction)
    eigenvector_overlap: np.ndarray
    overlap_trajectory: np.ndarray  #: m(t) at the recorded times, shape (A, S, R)
    risk_trajectory: np.ndarray  #: R(theta(t)) at the recorded times, shape (A, S, R)
    success: np.ndarray  #: ``|m| > SUCCESS_OVERLAP`` at the end, bool, shape (A, S)
    final: np.ndarray  #: the end points theta(T) on S_d, shape (A, S, d)
    z: tuple  #: per alpha, the final pre-activations z_i = x_i . theta(T) / sqrt d, shape (S, n)
    y: tuple  #: per alpha, the labels y_i = x_i . theta* / sqrt d, shape (S, n)
    dt_warmup: np.ndarray  #: the warm-up step used at each alpha, shape (A,)

    def success_probability(self) -> tuple[np.ndarray, np.ndarray]:
        """Fraction of successful runs at each ``α`` and its binomial standard error ``sqrt(p(1-p)/S)``."""
        p = self.success.mean(axis=1)
        return p, np.sqrt(p * (1.0 - p) / self.success.shape[1])

    def escape_time(self, level: float = 0.5) -> np.ndarray:
        r"""First recorded time at which :math:`|m(t)| > ` ``level`` for each run, ``inf`` if never by the
        horizon; shape (A, S). Resolution: the recording interval (``record_every * dt``). At finite :math:`d` a
        random start has :math:`|m_0| \approx d^{-1/2}`: where the overlap grows exponentially at a rate
        :math:`\kappa` this time grows like :math:`\log d / (2\kappa)`, where it does not, faster (chapter 10)."""
        level = real("level", level, minimum=0.0, maximum=1.0)
        hit = np.abs(self.overlap_trajectory) > level
        first = np.argmax(hit, axis=-1)
        return np.where(hit.any(axis=-1), self.times[np.arange(self.times.shape[0])[:, None], first], np.inf)


# ------------------------------------------------------------------------------------------------ problems


def _problem_key(key: Array, n: int, d: int) -> Array:
    return jax.random.fold_in(jax.random.fold_in(key, d), n)


def _draw(key: Array, n: Array, d: int, n_pad: int) -> tuple[GLMData, Array]:
    """One problem, its data padded with zero rows to ``n_pad`` (``n`` may be traced), and a uniform start.

    The first ``n`` rows are those of ``glm.sample(k_data, n, d)``: the same key split, and JAX's counter-based
    generator draws the first ``n d`` normals of a longer array exactly as an array of ``n d`` (checked in the
    tests); the zero rows let one compiled sampler serve every ``n`` at one ``d``.
    """
    k_data, k_start = jax.random.split(key)
    k_teacher, k_x = jax.random.split(k_data)
    teacher = sphere.random_points(k_teacher, d)
    x = jax.random.normal(k_x, (n_pad * d,), dtype=jnp.float64).reshape(n_pad, d)
    x = jnp.where(jnp.arange(n_pad)[:, None] < n, x, 0.0)
    return GLMData(x, x @ teacher / math.sqrt(d), teacher), sphere.random_points(k_start, d)


@partial(jax.jit, static_argnums=(3, 4))
def _problems(key: Array, indices: Array, n: Array, d: int, n_pad: int) -> tuple[GLMData, Array]:
    return jax.vmap(lambda s: _draw(jax.random.fold_in(key, s), n, d, n_pad))(indices)


def _alpha_size(name: str, alpha: Any, d: int) -> int:
    alpha = _validate.real(name, alpha, minimum=0.0, strict_minimum=True)
    n = round(alpha * d)
    if n < 1:
        raise ValueError(f"{name} = {alpha:g} gives n = round(alpha d) = 0 samples at d = {d}; need n >= 1")
    if n * d > MAX_DATA_ENTRIES:
        raise ValueError(f"{name} = {alpha:g} gives n * d = {n} * {d} = {n * d}, above MAX_DATA_ENTRIES = "
                         f"{MAX_DATA_ENTRIES} ({8 * MAX_DATA_ENTRIES // 2**20} MiB of float64 inputs); "
                         f"lower alpha or d")
    return n


def descent_problem(key: Array, alpha: float, d: int, index: int) -> tuple[GLMData, Array]:
    r"""Problem number ``index`` of :func:`descent_experiment` at :math:`(\alpha, d)`: the sampled
    :class:`~landscape.glm.GLMData` (unpadded, :math:`n = \mathrm{round}(\alpha d)` rows) and the uniform start
    :math:`\theta_0 \in S_d`, drawn from ``fold_in(fold_in(fold_in(key, d), n), index)``."""
    _validate.prng_key("key", key)
    d = _validate.integer("d", d, minimum=2)
    n = _alpha_size("alpha", alpha, d)
    index = _validate.integer("index", index, minimum=0)
    data, theta0 = _problems(_problem_key(key, n, d), jnp.array([index]), jnp.asarray(n), d, n)
    return jax.tree_util.tree_map(lambda a: a[0], (data, theta0))


# ------------------------------------------------------------------------------------------------ the runs


_TANGENT_FLOOR = 1e-10  # below this 1 - m^2 the end point is the teacher (or its negative): no tangent direction
_GRID = 201  # points per axis of the grid on which max l'' is taken
_QUAD = 40  # Gauss-Hermite nodes per axis for E[l''^+]


def _stiffness(loss: Loss, n: int, d: int) -> float:
    r""":math:`\hat\lambda_0(n, d)` of the module docstring: an estimate from above of the top of the scaled
    Hessian at a random start, from the loss alone."""
    u = math.sqrt(2.0 * math.log(n) + 5.0)
    z, y = jnp.meshgrid(jnp.linspace(-u, u, _GRID), jnp.linspace(-u, u, _GRID), indexing="ij")
    top = float(jnp.max(_derivatives(loss, z, y)[2]))
    x, w = np.polynomial.hermite_e.hermegauss(_QUAD)
    w = w / w.sum()
    z, y = jnp.meshgrid(jnp.asarray(x), jnp.asarray(x), indexing="ij")
    t = np.asarray(_derivatives(loss, z, y)[2])
    mean = float(w @ np.maximum(t, 0.0) @ w)
    return max(top, 0.0) * d / n + (1.0 + math.sqrt(d / n)) ** 2 * mean


@partial(jax.jit, static_argnums=(0, 3))
def _end(loss: Loss, data: GLMData, theta: Array, hessian: bool) -> tuple[Array, Array, Array]:
    """Pre-activations at the end points, and (``hessian``) the lowest eigenvalue of the tangent
    :math:`d\\operatorname{Hess}R` of the data as given and the squared overlap of its eigenvector with the unit
    tangent direction of the teacher (as :func:`landscape.dynamics.gradient_flow` records them); batched."""
    def one(data, theta):
        d = theta.shape[-1]
        z = data.x @ theta / math.sqrt(d)
        if not hessian:
            return z, jnp.nan, jnp.nan
        tangent = sphere.tangent_hessian(theta, d * _riemannian_hessian(loss, data, theta))
        values, vectors = jnp.linalg.eigh(tangent)
        e = sphere.to_tangent(theta, data.teacher)
        e2 = jnp.dot(e, e)  # = d (1 - m^2)
        return z, values[0], jnp.where(e2 > _TANGENT_FLOOR * d, jnp.dot(vectors[:, 0], e) ** 2 / e2, jnp.nan)

    return jax.vmap(one)(data, theta)


def _flow(loss: Loss, data: GLMData, theta0: Array, dt: float, n_steps: int, record_every: int, method: str):
    """:func:`landscape.glm.gradient_flow` mapped over problems (data and start) with ``jax.vmap``."""
    return jax.vmap(lambda data, theta: gradient_flow(loss, data, theta, dt, n_steps, record_every,
                                                      method=method))(data, theta0)


def _vanishes_at_origin(loss: Loss) -> bool:
    zero = jnp.zeros((1,))
    return all(float(v[0]) == 0.0 for v in _derivatives(loss, zero, zero))


def _check_alphas(alphas: Any, d: int) -> tuple[np.ndarray, list[int]]:
    if isinstance(alphas, (str, bytes)) or not hasattr(alphas, "__len__") or np.ndim(alphas) != 1:
        raise TypeError(f"alphas must be a 1-d sequence of sample ratios, got {alphas!r}")
    if len(alphas) == 0:
        raise ValueError("alphas must contain at least one sample ratio")
    sizes = [_alpha_size(f"alphas[{k}]", a, d) for k, a in enumerate(alphas)]
    return np.array([float(a) for a in alphas]), sizes


def descent_experiment(key: Array, loss: Loss, alphas: Any, d: int, n_samples: int, *, dt: float = 0.05,
                       n_steps: int = 1200, record_every: int = 40, method: str = "heun", n_warmup: int = 100,
                       warmup_courant: float = 0.5, hessian: bool = True, pad: bool | int = False,
                       batch_size: int | None = None) -> DescentResult:
    r"""Gradient flow on :math:`S_d` from a uniform random start, for ``n_samples`` independent problems at each
    :math:`\alpha` in ``alphas``: success probability of phase retrieval by descent, and where the runs end.

    Each problem (:func:`descent_problem`) has :math:`n = \mathrm{round}(\alpha d)` inputs
    :math:`x_i\sim\mathcal N(0, I_d)`, a teacher :math:`\theta^*` and a start :math:`\theta_0` uniform on :math:`S_d`;
    the flow :math:`\dot\theta = -d\operatorname{grad}R(\theta)`, :math:`R = \frac1n\sum_i\ell(z_i, y_i)`, is
    :func:`landscape.glm.gradient_flow` (``method``: ``"heun"``, second order, or ``"euler"``), vmapped over the
    problems of one :math:`\alpha`: ``n_warmup`` steps of :math:`\Delta t_0 = \min(\Delta t, c/\hat\lambda_0)`, then
    ``n_steps`` steps of ``dt``, to the time :math:`T = n_{\rm warmup}\Delta t_0 + n_{\rm steps}\Delta t`, with
    :math:`\hat\lambda_0` an estimate of the top of the scaled Hessian at the starts and ``c = warmup_courant``
    (module docstring: why the stiffness is confined to :math:`t \lesssim 0.1`). It records :math:`m(t)` and
    :math:`R(t)` at :math:`t = 0`, at the end of the warm-up and every ``record_every`` steps of ``dt``, and at the
    end point the overlap, risk, multiplier :math:`\mu` (:func:`landscape.glm.multiplier`), and (``hessian``) the
    lowest eigenvalue of the tangent :func:`~landscape.glm.scaled_hessian` with the squared overlap of its
    eigenvector with the tangent direction of :math:`\theta^*` (a dense ``eigh`` per run), and the final
    :math:`(z_i, y_i)`. ``success`` is :math:`|m(T)| > 0.9` (:data:`SUCCESS_OVERLAP`).

    **The horizon matters near the transition.** Runs that end up at the signal can first drift for a long time
    at small overlap along almost flat directions (the bottom of the Hessian near 0), then jump; the fraction
    found by time :math:`T` keeps growing there, more so at larger :math:`d`. Measured for :math:`\ell_1`, 16
    problems: at :math:`d = 400`, :math:`\alpha = 3` it is 0.06, 0.19, 0.25, 0.44 at :math:`T = 40, 60, 100, 200`;
    at :math:`d = 100` 0.38 from :math:`T = 30` on. Away from it (:math:`\alpha \le 2`, :math:`\alpha \ge 5`) the
    counts at :math:`T = 40` and :math:`T = 200` differed by at most one run in 16 (:math:`a = 1/2, 1`,
    :math:`d = 100, 200, 400`). Report the success probability *by time* :math:`T`.

    **Steps.** The defaults (Heun, ``dt = 0.05``, :math:`T \approx 60`) were checked against half the step and half
    the warm-up step: for :math:`\ell_a`, :math:`a = 1/2, 1`, :math:`d = 100`, :math:`\alpha` from 1 to 8, 32
    problems each, :math:`T = 100`, no success flag changed (640 runs) and :math:`|m(T)|` moved by at most
    :math:`10^{-3}`; at :math:`d = 400`, :math:`\alpha = 2.5` to 4, :math:`T = 60`, Heun with ``dt`` = 0.1, 0.05 and
    0.025 gave the same flags and :math:`|m(t)|` within :math:`10^{-2}`. Heun with ``dt = 0.1`` (half the cost)
    kept every flag in both checks but moved :math:`|m|` of one failed run by 0.15; Euler with ``dt = 0.05``
    changed one flag in 320 (:math:`a = 1/2`). The tests repeat the check at :math:`d = 60`.

    **Compilation and memory.** ``pad=True``: one compiled program per ``d`` instead of one per
    :math:`(\alpha, d)` (module docstring; needs :math:`\ell = \ell' = \ell'' = 0` at :math:`(0, 0)`): every
    problem is padded to the largest :math:`n`, so the work of a small :math:`\alpha` is that of the largest.
    ``pad=k`` (an integer) allows ``k`` padded sizes: the sorted sizes are split into ``k`` consecutive groups
    with the fewest padded rows in all (each padded to its largest), ``k`` programs per ``d``; where a
    compilation costs less than the padded work it saves (large ``d``), ``pad=2`` or ``3`` is faster.
    ``pad=1`` is ``pad=True``. The
    problems of one :math:`\alpha` are split into equal vmapped chunks of at most ``batch_size`` problems (default:
    on a CPU as many as fit in 8 MiB of inputs, so that a chunk stays in the cache; elsewhere all of them), and
    never more than :data:`~landscape.glm.MAX_DATA_ENTRIES` input entries per chunk (when the chunks do not divide
    ``n_samples`` the last one is filled with extra problems, run and dropped). Sizes with ``n * d`` above
    ``MAX_DATA_ENTRIES`` are refused before anything is drawn. Arrays in the result are NumPy arrays.
    """
    _validate.prng_key("key", key)
    loss = _loss(loss)
    d = _validate.integer("d", d, minimum=2)
    n_samples = _validate.integer("n_samples", n_samples, minimum=1)
    alphas, sizes = _check_alphas(alphas, d)
    dt = _validate.real("dt", dt, minimum=0.0, strict_minimum=True)
    n_steps = _validate.integer("n_steps", n_steps, minimum=1)
    record_every = _validate.integer("record_every", record_every, minimum=1, maximum=n_steps)
    if n_steps % record_every:
        raise ValueError(f"record_every must divide n_steps, got n_steps = {n_steps}, record_every = {record_every}")
    records = n_steps // record_every + 1
    _validate.allocation(f"n_samples = {n_samples} problems at {len(sizes)} sample ratios (d = {d}, n_steps = "
                         f"{n_steps}, record_every = {record_every})",
                         8 * n_samples * sum(2 * n + d + 4 * records + 16 for n in sizes))
    if method not in ("euler", "heun"):
        raise ValueError(f"method must be 'euler' or 'heun', got {method!r}")
    n_warmup = _validate.integer("n_warmup", n_warmup, minimum=0)
    warmup_courant = _validate.real("warmup_courant", warmup_courant, minimum=0.0, strict_minimum=True)
    if not isinstance(hessian, bool):
        raise TypeError(f"hessian must be True or False, got {hessian!r}")
    if not isinstance(pad, (bool, int, np.integer)):
        raise TypeError(f"pad must be True, False or a number of padded sizes >= 1, got {pad!r}")
    if not isinstance(pad, bool):
        pad = _validate.integer("pad", pad, minimum=1)
    if hessian and d > MAX_HESSIAN_DIMENSION:
        raise ValueError(f"d = {d} exceeds MAX_HESSIAN_DIMENSION = {MAX_HESSIAN_DIMENSION}; use hessian=False")
    if pad and not _vanishes_at_origin(loss):
        raise ValueError(f"pad=True needs a loss with l = l' = l'' = 0 at (z, y) = (0, 0); {loss.name} is not; "
                         f"use pad=False")

    if batch_size is not None:
        batch_size = _validate.integer("batch_size", batch_size, minimum=1)
    cpu = jax.default_backend() == "cpu"
    padded = _padded_sizes(sizes, int(pad)) if pad else list(sizes)
    rows = []
    for n, n_pad in zip(sizes, padded):
        if batch_size is None:
            cap = max(1, (_CPU_BATCH_ENTRIES if cpu else MAX_DATA_ENTRIES) // (n_pad * d))
        else:
            cap = min(batch_size, MAX_DATA_ENTRIES // (n_pad * d))
        chunks = -(-n_samples // cap)  # equal chunks of at most cap problems: one compiled shape
        per_chunk = -(-n_samples // chunks)
        pieces = [_one_batch(loss, _problem_key(key, n, d), np.arange(c * per_chunk, (c + 1) * per_chunk), n, d,
                             n_pad, dt, n_steps, record_every, method, n_warmup, warmup_courant, hessian)
                  for c in range(chunks)]
        rows.append({k: np.concatenate([p[k] for p in pieces])[:n_samples] if k not in ("times", "dt_warmup")
                     else pieces[0][k] for k in pieces[0]})
    stack = {k: np.stack([r[k] for r in rows]) for k in rows[0] if k not in ("z", "y")}
    m = stack["overlap_trajectory"][:, :, -1]
    return DescentResult(
        alphas=alphas, n=np.array(sizes), d=d, times=stack["times"], overlap=m,
        risk=stack["risk_trajectory"][:, :, -1], multiplier=stack["multiplier"],
        min_eigenvalue=stack["min_eigenvalue"], eigenvector_overlap=stack["eigenvector_overlap"],
        overlap_trajectory=stack["overlap_trajectory"], risk_trajectory=stack["risk_trajectory"],
        success=np.abs(m) > SUCCESS_OVERLAP, final=stack["final"], z=tuple(r["z"] for r in rows),
        y=tuple(r["y"] for r in rows), dt_warmup=stack["dt_warmup"])


def _padded_sizes(sizes: list[int], k: int) -> list[int]:
    """Each size padded to the largest of its group, for the split of the sorted distinct sizes into at most
    ``k`` consecutive groups with the fewest padded rows in all (dynamic programming; ties: fewer groups)."""
    u = sorted(set(sizes))
    count = [sizes.count(v) for v in u]
    k = min(k, len(u))
    inf = float("inf")
    # cost[j][i]: fewest rows for the first i distinct sizes in j groups; the group u[h:i] pads to u[i-1]
    cost = [[0.0] + [inf] * len(u)] + [[inf] * (len(u) + 1) for _ in range(k)]
    cut = [[0] * (len(u) + 1) for _ in range(k + 1)]
    for j in range(1, k + 1):
        for i in range(1, len(u) + 1):
            for h in range(i):
                c = cost[j - 1][h] + sum(count[h:i]) * u[i - 1]
                if c < cost[j][i]:
                    cost[j][i], cut[j][i] = c, h
    j = min(range(1, k + 1), key=lambda j: (cost[j][len(u)], j))
    top, i = {}, len(u)
    while i > 0:
        h = cut[j][i]
        top.update({v: u[i - 1] for v in u[h:i]})
        i, j = h, j - 1
    return [top[n] for n in sizes]


def _one_batch(loss, key, indices, n, d, n_pad, dt, n_steps, record_every, method, n_warmup, courant, hessian):
    """Runs for the problems ``indices`` at one ``(n, d)``: a dict of NumPy arrays with a leading problem axis."""
    data, theta0 = _problems(key, jnp.asarray(indices), jnp.asarray(n), d, n_pad)
    scale = n_pad / n  # padded risk = R n / n_pad: steps of dt * scale on it are steps of dt on R
    times, overlaps, energies = [], [], []
    start, theta, dt0 = 0.0, theta0, dt
    if n_warmup:
        dt0 = min(dt, courant / _stiffness(loss, n, d))
        warm = _flow(loss, data, theta0, dt0 * scale, n_warmup, n_warmup, method)
        times.append(np.zeros(1))
        overlaps.append(np.asarray(warm.overlap)[:, :1])
        energies.append(np.asarray(warm.energy)[:, :1])
        start, theta = n_warmup * dt0, warm.final
    traj = _flow(loss, data, theta, dt * scale, n_steps, record_every, method)
    times.append(start + np.arange(n_steps // record_every + 1) * record_every * dt)
    overlaps.append(np.asarray(traj.overlap))
    energies.append(np.asarray(traj.energy))
    z, low, low_overlap = (np.asarray(a) for a in _end(loss, data, traj.final, hessian))
    return {
        "times": np.concatenate(times),
        "overlap_trajectory": np.concatenate(overlaps, axis=1),
        "risk_trajectory": np.concatenate(energies, axis=1) * scale,
        "multiplier": -np.asarray(traj.mu)[:, -1] * scale,
        "min_eigenvalue": low * scale, "eigenvector_overlap": low_overlap,
        "final": np.asarray(traj.final), "z": z[:, :n], "y": np.asarray(data.y)[:, :n], "dt_warmup": dt0,
    }

r"""Reference values: the literature constants the book reproduces, each with its source and its computation.

One record per constant: what it is, the model, the source (a key of the book's ``references.bib``) and where in
it, the value *as printed* there (in the source's units and with the digits it prints), the conversion to book
units (:mod:`landscape.units`), a tolerance argued from the printed digits plus the error of the book's own
computation, a zero-argument function that computes the value with the package, and the chapter (file name) and
the glue name or check that asserts it in the book. The book's page *Reference values* and
``tests/test_reference.py`` read the same records, so the page cannot drift from the checks.

Tolerances: a value printed with ``d`` decimals is known to half a unit of its last digit, :math:`\tfrac12
10^{-d}`, converted to book units; a value printed as a closed formula or an exact number is known exactly. To
that is added the error bound of the book's computation (root-finding and quadrature tolerances, finite-:math:`N`
corrections), stated in each record.

Where the location in the source could not be checked against the text, the record says so (``"not verified"``)
rather than giving an equation number.

Sources: the keys of ``references.bib`` named in each record (Auffinger, Ben Arous & Černý 2013; Crisanti &
Sommers 1992; Crisanti, Horner & Sommers 1993; Cugliandolo & Kurchan 1993; Bornemann 2010; Wigner 1955; Féral &
Péché 2007; Benaych-Georges & Nadakuditi 2011; Mondelli & Montanari 2019).
"""

from __future__ import annotations

import functools
import math
from typing import Any, Callable, NamedTuple

import numpy as np

from . import _validate, dynamics, glm, kac_rice, rmt, thermo, units

__all__ = ["Reference", "Row", "values", "book_value", "table"]


class Reference(NamedTuple):
    """One literature constant, its source, and the book's computation of it."""

    key: str  #: short identifier
    quantity: str  #: in words
    latex: str  #: the symbol, LaTeX (inline math, without dollars)
    model: str  #: model and parameters
    source: str  #: key in references.bib
    location: str  #: where in the source (equation, table, section), or "not verified"
    printed: str  #: the value as printed in the source (its units, its digits)
    literature: float  #: the printed value as a number, in the source's units
    digits: int | None  #: decimals printed (None for a closed formula or an exact number)
    kind: str  #: the quantity's kind for landscape.units (energy, temperature, time, overlap, complexity, ...)
    scale: float  #: the source's covariance scale c (its xi is c times the book's; 1.0 for the book's units)
    numerical_error: float  #: bound on the error of the book's computation, book units
    error_note: str  #: where that bound comes from
    compute: Callable[[], float]  #: zero-argument computation via the package, book units
    chapter: str  #: chapter file name (under chapters/)
    check: str  #: glue name or a string of the check cell that asserts it

    @property
    def literature_book(self) -> float:
        """The printed value converted to book units (:func:`landscape.units.to_book`)."""
        return float(units.to_book(self.literature, self.kind, self.scale))

    @property
    def tolerance(self) -> float:
        """Half a unit of the last printed digit, in book units, plus :attr:`numerical_error`."""
        half = 0.0 if self.digits is None else 0.5 * 10.0 ** (-self.digits)
        return abs(float(units.to_book(half, self.kind, self.scale))) + self.numerical_error


class Row(NamedTuple):
    """One row of :func:`table`: the literature value and the book's, both in book units."""

    key: str
    quantity: str
    latex: str
    model: str
    source: str
    location: str
    printed: str
    literature_book: float
    book: float
    difference: float  #: book - literature_book
    tolerance: float
    agrees: bool  #: ``|difference| <= tolerance``
    chapter: str
    check: str


# ------------------------------------------------------------------------------------------- computations


def _complexity_prefactor(p: int) -> float:
    """lim E Crit_N / (sqrt(N) (p-1)^(N/2)) from the exact finite-N count at N = 500 and 1000, Richardson-
    extrapolated in 1/N (the correction to the log of the ratio is O(1/N); what is left is O(1/N^2): measured
    for p = 3 at 2.4e-4, 5.9e-5, 9.3e-6 for the pairs (100, 200), (200, 400), (500, 1000))."""

    def log_ratio(n: int) -> float:
        return kac_rice.expected_critical_points(n, p, log=True) - 0.5 * n * math.log(p - 1) - 0.5 * math.log(n)

    return math.exp(2 * log_ratio(1000) - log_ratio(500))


@functools.cache
def _tracy_widom_moments() -> tuple[float, float]:
    """Mean and variance of F_1 by the trapezoid rule on [-10, 10] (401 nodes), as in chapter 3."""
    s = np.linspace(-10.0, 10.0, 401)
    f = rmt.tracy_widom_goe_pdf(s)
    mean = float(np.trapezoid(s * f, s))
    return mean, float(np.trapezoid((s - mean) ** 2 * f, s))


def _semicircle_moment_by_quadrature(k: int) -> float:
    """The k-th moment of the package's semicircle density, x = 2 sin(t): a smooth periodic integrand, so the
    trapezoid rule converges geometrically."""
    t = np.linspace(-np.pi / 2, np.pi / 2, 2001)
    x = 2 * np.sin(t)
    return float(np.trapezoid(x**k * np.asarray(rmt.semicircle_density(x)) * 2 * np.cos(t), t))


_ABC = "auffinger2013random"
_NOT_VERIFIED = "not verified"

_RECORDS: tuple[Reference, ...] = (
    Reference(
        "threshold_p3", "threshold energy (the energy below which the Hessian bulk is positive)", r"u_{\rm th} = -E_\infty",
        "pure 3-spin", _ABC, f"main results, E_∞ = 2√((p−1)/p) (equation number {_NOT_VERIFIED})",
        "E_∞ = 2√((p−1)/p), book units", -2 * math.sqrt(2 / 3), None, "energy", 1.0,
        1e-12, "closed form, rounding", lambda: kac_rice.threshold_energy(3), "05_threshold.ipynb", "ch05_u_th"),
    Reference(
        "ground_state_p3", "ground-state energy (zero of the index-0 complexity)", r"u_0 = -E_0",
        "pure 3-spin", _ABC, f"text, p = 3 example ({_NOT_VERIFIED})", "E_0 ≈ 1.657, book units",
        -1.657, 3, "energy", 1.0, 1e-10, "root of Θ_0 to 1e-10 (chapter 4 check)",
        lambda: kac_rice.ground_state_energy(3), "05_threshold.ipynb", "ch05_u_0"),
    Reference(
        "ground_state_p3_replicas", "ground-state energy from the 1RSB (replica) solution at T = 0", r"u_0",
        "pure 3-spin", _ABC, f"text, p = 3 example ({_NOT_VERIFIED})", "E_0 ≈ 1.657, book units",
        -1.657, 3, "energy", 1.0, 1e-10, "1RSB solver tolerance (chapter 6 check against Kac–Rice: 1e-10)",
        lambda: thermo.ground_state_energy_1rsb(3), "06_thermodynamics.ipynb", "ch06_u0_replicas"),
    Reference(
        "total_complexity_p3", "total complexity of critical points", r"\Sigma(0) = \tfrac12\log(p-1)",
        "pure 3-spin", _ABC, f"main results, limit of (1/N) log E Crt_N ({_NOT_VERIFIED})", "½ log(p−1)",
        0.5 * math.log(2), None, "complexity", 1.0, 1e-12,
        "the Kac–Rice density formula with Ω, evaluated at u = 0", lambda: float(kac_rice.complexity(0.0, 3)),
        "04_kac_rice.ipynb", "ch04_sigma0"),
    Reference(
        "threshold_complexity_p3", "complexity of index-k points at and above the threshold",
        r"\Theta_k(u_{\rm th}) = \tfrac12\log(p-1) - \tfrac{p-2}{p}", "pure 3-spin, any k", _ABC,
        f"main results, Θ_k for u ≥ −E_∞ ({_NOT_VERIFIED})", "½ log(p−1) − (p−2)/p",
        0.5 * math.log(2) - 1 / 3, None, "complexity", 1.0, 1e-12, "closed form of Θ_k, rounding",
        lambda: float(kac_rice.complexity_index(kac_rice.threshold_energy(3), 3, 0)), "04_kac_rice.ipynb",
        "ch04_theta_flat"),
    Reference(
        "count_prefactor_p3", "prefactor of the mean number of critical points",
        r"\lim \mathbb E\,{\rm Crt}_N / (\sqrt N (p-1)^{N/2}) = 4\sqrt{2/(\pi(p-2))}", "pure 3-spin", _ABC,
        f"text, asymptotics of E Crt_N ({_NOT_VERIFIED})", "4√2/√(π(p−2))", 4 * math.sqrt(2 / math.pi), None,
        "number", 1.0, 2e-5, "exact finite-N count at N = 500, 1000, Richardson-extrapolated in 1/N; the O(1/N²) "
        "remainder falls 4× per doubling of N and is ~1e-5 here",
        lambda: _complexity_prefactor(3), "04_kac_rice.ipynb", "c_p = math.log(4 * math.sqrt(2 / (math.pi * (p - 2))))"),
    Reference(
        "count_prefactor_p4", "prefactor of the mean number of critical points",
        r"\lim \mathbb E\,{\rm Crt}_N / (\sqrt N (p-1)^{N/2}) = 4\sqrt{2/(\pi(p-2))}", "pure 4-spin", _ABC,
        f"text, asymptotics of E Crt_N ({_NOT_VERIFIED})", "4√2/√(π(p−2))", 4 * math.sqrt(1 / math.pi), None,
        "number", 1.0, 2e-5, "exact finite-N count at N = 500, 1000, Richardson-extrapolated in 1/N; the O(1/N²) "
        "remainder falls 4× per doubling of N and is ~1e-5 here",
        lambda: _complexity_prefactor(4), "04_kac_rice.ipynb", "c_p = math.log(4 * math.sqrt(2 / (math.pi * (p - 2))))"),
    Reference(
        "dynamical_temperature_p3", "dynamical (mode-coupling) transition temperature", r"T_d",
        "pure 3-spin", "crisanti1993spherical", f"text ({_NOT_VERIFIED})",
        "T_d ≈ 0.612, units ξ = q^p/2", 0.612, 3, "temperature", units.CRISANTI_SOMMERS_SCALE, 1e-12,
        "closed form T_d² = p(p−2)^(p−2)/(p−1)^(p−1), rounding", lambda: thermo.dynamical_temperature(3),
        "06_thermodynamics.ipynb", "ch06_T_d_phys"),
    Reference(
        "static_temperature_p3", "static (1RSB) transition temperature", r"T_s",
        "pure 3-spin", "crisanti1992spherical", f"text ({_NOT_VERIFIED})",
        "T_s ≈ 0.586, units ξ = q^p/2", 0.586, 3, "temperature", units.CRISANTI_SOMMERS_SCALE, 1e-8,
        "root of the 1RSB equations (solver tolerance)", lambda: thermo.static_temperature(3),
        "06_thermodynamics.ipynb", "ch06_T_s_phys"),
    Reference(
        "threshold_p3_physics_units", "threshold energy in physics units: the T = 0 marginal 1RSB energy, the "
        "asymptotic energy of gradient flow", r"u_{\rm th}", "pure 3-spin", "cugliandolo1993analytical",
        f"text ({_NOT_VERIFIED})", "−√(2(p−1)/p), units ξ = q^p/2", -math.sqrt(4 / 3), None, "energy",
        units.CRISANTI_SOMMERS_SCALE, 1e-10, "marginal 1RSB solution at T = 0 (chapter 6 check: 1e-12 from Kac–Rice)",
        lambda: thermo.threshold_energy_1rsb(3), "06_thermodynamics.ipynb", "ls.thermo.threshold_energy_1rsb(P)"),
    Reference(
        "mct_lambda_p3", "mode-coupling exponent parameter at T_d", r"\lambda", "pure p-spin (any p ≥ 3)",
        "crisanti1993spherical", f"text ({_NOT_VERIFIED})", "λ = 1/2", 0.5, None, "number", 1.0, 1e-9,
        "closed form ξ'''(q_d)(1−q_d)³/(2T_d²) at the root of the plateau equation", lambda: dynamics.mct_exponents(3)
        .exponent_parameter, "07_dynamics.ipynb", "abs(mct.exponent_parameter - 0.5)"),
    Reference(
        "mct_a_p3", "critical-decay exponent, C(τ) − q_d ∼ τ^(−a) at T_d", "a", "pure p-spin (any p ≥ 3)",
        "crisanti1993spherical", f"text ({_NOT_VERIFIED})", "a ≈ 0.395", 0.395, 3, "number", 1.0, 1e-12,
        "root of Γ(1−a)²/Γ(1−2a) = λ (brentq, xtol 1e-15)", lambda: dynamics.mct_exponents(3).a,
        "07_dynamics.ipynb", "mct_a"),
    Reference(
        "mct_b_p3", "von Schweidler exponent, q_d − C(τ) ∼ τ^b", "b", "pure p-spin (any p ≥ 3)",
        "crisanti1993spherical", f"text ({_NOT_VERIFIED})", "b = 1", 1.0, None, "number", 1.0, 1e-9,
        "root of Γ(1+b)²/Γ(1+2b) = λ", lambda: dynamics.mct_exponents(3).b, "07_dynamics.ipynb", "abs(mct.b - 1)"),
    Reference(
        "mct_gamma_p3", "relaxation-time exponent, τ_α ∼ (T − T_d)^(−γ)", r"\gamma = \tfrac1{2a} + \tfrac1{2b}",
        "pure p-spin (any p ≥ 3)", "crisanti1993spherical", f"text ({_NOT_VERIFIED})", "γ ≈ 1.765", 1.765, 3,
        "number", 1.0, 1e-11, "from a and b", lambda: dynamics.mct_exponents(3).gamma, "07_dynamics.ipynb",
        "mct_gamma"),
    Reference(
        "tracy_widom_goe_mean", "mean of the GOE Tracy–Widom law", r"\mathbb E\,F_1", "largest GOE eigenvalue, "
        "edge scaling", "bornemann2010numerical", f"table of the moments of F_1 (table number {_NOT_VERIFIED})",
        "−1.2065335745820", -1.2065335745820, 13, "number", 1.0, 1e-8,
        "trapezoid rule on [−10, 10], 401 nodes (chapter 3 check: 1e-8)", lambda: _tracy_widom_moments()[0],
        "03_random_matrices.ipynb", "abs(tw_mean - ls.rmt.TRACY_WIDOM_GOE_MEAN)"),
    Reference(
        "tracy_widom_goe_variance", "variance of the GOE Tracy–Widom law", r"\operatorname{Var} F_1",
        "largest GOE eigenvalue, edge scaling", "bornemann2010numerical",
        f"table of the moments of F_1 (table number {_NOT_VERIFIED})", "1.607781034581", 1.607781034581, 12,
        "number", 1.0, 1e-7, "trapezoid rule on [−10, 10], 401 nodes (chapter 3 check: 1e-7)",
        lambda: _tracy_widom_moments()[1], "03_random_matrices.ipynb",
        "abs(tw_sd ** 2 - ls.rmt.TRACY_WIDOM_GOE_VARIANCE)"),
    Reference(
        "semicircle_sixth_moment", "sixth moment of the semicircle law (Catalan number C_3)", r"\int x^6\rho = C_3",
        "GOE, book normalisation (support [−2, 2])", "wigner1955characteristic", f"text ({_NOT_VERIFIED})",
        "C_3 = 5", 5.0, None, "number", 1.0, 1e-10, "trapezoid rule in x = 2 sin t, 2001 nodes",
        lambda: _semicircle_moment_by_quadrature(6), "03_random_matrices.ipynb", "ls.rmt.catalan(k // 2)"),
    Reference(
        "bbp_outlier_theta2", "top eigenvalue of a rank-one spiked GOE, θ = 2", r"\theta + 1/\theta",
        "W + θvvᵀ, θ = 2", "feral2007largest", f"main theorem ({_NOT_VERIFIED})", "θ + 1/θ", 2.5, None, "number",
        1.0, 1e-12, "closed form, rounding", lambda: float(rmt.bbp_outlier(2.0)), "03_random_matrices.ipynb",
        "ch03_top_at2"),
    Reference(
        "bbp_overlap_theta2", "squared overlap of the top eigenvector with the spike, θ = 2", r"1 - 1/\theta^2",
        "W + θvvᵀ, θ = 2", "benaychgeorges2011eigenvalues", f"rank-one example ({_NOT_VERIFIED})", "1 − 1/θ²", 0.75,
        None, "number", 1.0, 1e-12, "closed form, rounding", lambda: float(rmt.bbp_overlap(2.0)),
        "03_random_matrices.ipynb", "ch03_ov_at2"),
    Reference(
        "phase_retrieval_weak_recovery", "weak-recovery threshold of phase retrieval (optimal spectral method)",
        r"\alpha_c = 1/2", "real Gaussian phase retrieval, n/d = α", "mondelli2019fundamental",
        f"main theorem for phase retrieval ({_NOT_VERIFIED})", "α = 1/2", 0.5, None, "number", 1.0, 1e-6,
        "root-finding of the spectral threshold on a 400-node quadrature (chapter 10 check: 1e-6)",
        lambda: glm.spectral_threshold(glm.optimal_preprocessing, weight_bounds=(-np.inf, 1.0)),
        "10_phase_retrieval.ipynb", "abs(alpha_spectral - 0.5)"),
)

_BY_KEY = {r.key: r for r in _RECORDS}
assert len(_BY_KEY) == len(_RECORDS), "duplicate reference keys"


# ------------------------------------------------------------------------------------------- the interface


def values() -> tuple[Reference, ...]:
    r"""The records: every literature constant the book reproduces, with its source, the value as printed, the
    conversion to book units (:math:`x_{\rm book} = c^{-k}x_{\rm lit}`, :func:`landscape.units.to_book`) and the
    book's computation.

    Sources: the bib key of each record (module docstring).
    """
    return _RECORDS


def _key(key: Any) -> Reference:
    if not isinstance(key, str):
        raise TypeError(f"key must be a string naming a reference value, got {key!r}")
    if key not in _BY_KEY:
        raise ValueError(f"key must be one of {sorted(_BY_KEY)}, got {key!r}")
    return _BY_KEY[key]


@functools.cache
def _computed(key: str) -> float:
    return float(_BY_KEY[key].compute())


def book_value(key: str) -> float:
    r"""The book's value of the reference constant ``key``, in book units (:math:`\xi(1) = 1`, :math:`u = H/N`),
    computed with the package (cached after the first call).

    Args:
        key: a record's key (:func:`values`).
    """
    return _computed(_key(key).key)


def table(keys: Any = None) -> list[Row]:
    r"""The rows of the *Reference values* page: literature value in book units, the book's value, the
    difference :math:`x_{\rm book} - x_{\rm lit}` and whether :math:`|x_{\rm book} - x_{\rm lit}| \le`
    tolerance (half a unit of the last printed digit, converted, plus the book's numerical error).

    Args:
        keys: ``None`` for every record, or a sequence of record keys.
    """
    if keys is None:
        records = _RECORDS
    else:
        if isinstance(keys, str) or not hasattr(keys, "__iter__"):
            raise TypeError(f"keys must be None or a sequence of strings, got {keys!r}")
        records = []
        for k in keys:
            if not isinstance(k, str) or k not in _BY_KEY:
                raise ValueError(f"keys must name reference values, one of {sorted(_BY_KEY)}; got {k!r}")
            records.append(_BY_KEY[k])
    rows = []
    for r in records:
        lit, book = r.literature_book, book_value(r.key)
        _validate.real("book value of " + r.key, book)  # a NaN from a solver must not pass as a row
        diff = book - lit
        rows.append(Row(r.key, r.quantity, r.latex, r.model, r.source, r.location, r.printed, lit, book, diff,
                        r.tolerance, abs(diff) <= r.tolerance, r.chapter, r.check))
    return rows

"""The notation page (notation.md) against the package and the chapters.

Each normalisation the page states is computed from the package and compared: the covariance N xi(q) from sampled
couplings, mu = -pu at a real critical point, the Riemannian Hessian, the GOE's variances and semicircle radius,
Catalan moments, the log-potential, BBP, the threshold and ground-state numbers, the units of T and time, the
spiked model's xi. The chapters are searched for the alternatives the page rules out, beyond what
tests/test_book.py::test_one_sign_and_one_letter_for_each_object already checks (the multiplier's sign, E(t), the
spike's letter).
"""

from __future__ import annotations

import inspect
import json
import math
import pathlib
import re

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import integrate

import landscape as ls

ROOT = pathlib.Path(__file__).resolve().parents[1]
PAGE = (ROOT / "notation.md").read_text()
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_the_page_states_the_conventions_checked_here():
    compact = _compact(PAGE)
    for piece in (r"\mathbbE[H(\sigma)H(\sigma')]=N\xi(q(\sigma,\sigma'))", r"u=H/N", r"\mu=-pu",
                  r"W=(G+G^\top)/\sqrt{2n}", r"semicircleon$[-2,2]$", r"\propto e^{-H/T}",
                  r"\xi(q)=q^2/(2\Delta_2)+q^p/(p\Delta_p)", r"m=\sigma\cdotx^*/N", r"m=\theta\cdot\theta^*/d"):
        assert _compact(piece) in compact, f"notation.md does not state {piece!r}"


# --- fields: E[H(sigma)H(tau)] = N xi(sigma.tau/N), from sampled couplings ---------------------------------------

N_COV, SAMPLES = 6, 20_000


def _pair_at_overlap(key, q):
    k1, k2 = jax.random.split(key)
    sigma = ls.sphere.random_points(k1, N_COV)
    tau = ls.sphere.points_at_overlap(k2, sigma, jnp.asarray(q))
    return sigma, tau


def _mean_product(fields, sigma, tau):
    energy = jax.vmap(ls.fields.energy, in_axes=(0, None))
    prod = np.asarray(energy(fields, sigma) * energy(fields, tau))
    return prod.mean(), prod.std(ddof=1) / math.sqrt(prod.size)


@pytest.mark.parametrize("q", [1.0, 0.7, -0.4])
def test_pure_covariance_is_n_q_to_the_p(q):
    p = 3
    keys = jax.random.split(jax.random.key(19), SAMPLES)
    couplings = jax.vmap(ls.fields.sample_pspin, in_axes=(0, None, None))(keys, N_COV, p)
    sigma, tau = _pair_at_overlap(jax.random.key(1), q)
    assert float(sigma @ tau) / N_COV == pytest.approx(q, abs=1e-12)
    mean, se = _mean_product(couplings, sigma, tau)
    book = N_COV * q**p
    assert abs(mean - book) < 5 * se, f"E[HH'] = {mean:.4f} ± {se:.4f}, page says N q^p = {book:.4f}"
    # the literature's xi = q^p/2 (half the covariance) is excluded where the sample can tell (half of N q^p
    # above 10 standard errors: q = 1 and q = 0.7; at q = -0.4 only the agreement is checked)
    if abs(book) / 2 > 10 * se:
        assert abs(mean - book / 2) > 5 * se
    else:
        assert q == -0.4


def test_mixture_covariance_is_n_xi_with_squared_weights():
    mix = ls.fields.mixture({1: 0.3, 2: 0.2, 3: 0.5})  # c_p = a_p^2, xi(1) = 1
    keys = jax.random.split(jax.random.key(20), SAMPLES)
    fields = jax.vmap(lambda k: ls.fields.sample_mixture(k, N_COV, mix))(keys)
    q = 0.5
    sigma, tau = _pair_at_overlap(jax.random.key(2), q)
    mean, se = _mean_product(fields, sigma, tau)
    book = N_COV * (0.3 * q + 0.2 * q**2 + 0.5 * q**3)
    assert float(ls.fields.xi(mix, jnp.asarray(q))) == pytest.approx(book / N_COV, rel=1e-12)
    assert abs(mean - book) < 5 * se
    # reading the mixture's numbers as a_p instead of a_p^2 gives another covariance, which the sample excludes
    wrong = N_COV * (math.sqrt(0.3) * q + math.sqrt(0.2) * q**2 + math.sqrt(0.5) * q**3)
    assert abs(mean - wrong) > 5 * se


# --- geometry: u = H/N, mu = -pu at a critical point, the Riemannian Hessian --------------------------------------

def _critical_point(p=3, n=8, seed=3):
    field = ls.fields.sample_pspin(jax.random.key(seed), n, p)
    starts = ls.sphere.random_points(jax.random.key(seed + 1), n, 16)
    points = ls.critical.newton(field, starts, n_iter=60)
    grads = jax.vmap(lambda s: ls.sphere.project_gradient(s, ls.fields.gradient(field, s)))(points)
    best = int(jnp.argmin(jnp.linalg.norm(grads, axis=1)))
    return field, points[best]


def test_euler_identity_and_the_multiplier_at_a_critical_point():
    p, n = 3, 8
    field, sigma = _critical_point(p, n)
    grad = ls.fields.gradient(field, sigma)
    u = float(ls.fields.energy(field, sigma)) / n
    assert float(sigma @ sigma) == pytest.approx(n, rel=1e-12)
    assert float(jnp.linalg.norm(ls.sphere.project_gradient(sigma, grad))) < 1e-8, "not a critical point"
    # Euler: sigma . grad H = p H, so mu = -sigma . grad H / N = -p u
    mu = -float(sigma @ grad) / n
    assert mu == pytest.approx(-p * u, rel=1e-10)
    # at a critical point grad H = -mu sigma; the other sign is wrong by 2|mu| |sigma|
    assert float(jnp.linalg.norm(grad + mu * sigma)) < 1e-8
    assert float(jnp.linalg.norm(grad - mu * sigma)) > 1.0
    assert abs(u) > 0.1


def test_riemannian_hessian_is_projected_hessian_plus_mu():
    p, n = 3, 8
    field, sigma = _critical_point(p, n)
    mu = -float(sigma @ ls.fields.gradient(field, sigma)) / n
    proj = ls.sphere.tangent_projector(sigma)
    book = proj @ (ls.fields.hessian(field, sigma) + mu * jnp.eye(n)) @ proj
    auto = ls.sphere.riemannian_hessian(lambda s: ls.fields.energy(field, s), sigma)
    np.testing.assert_allclose(np.asarray(auto), np.asarray(book), atol=1e-10)
    wrong = proj @ (ls.fields.hessian(field, sigma) - mu * jnp.eye(n)) @ proj
    assert float(jnp.max(jnp.abs(auto - wrong))) > 1.0


# --- random matrices -----------------------------------------------------------------------------------------------

def test_goe_variances_and_semicircle_radius():
    n, num = 200, 40
    w = np.asarray(ls.rmt.sample_goe(jax.random.key(4), n, num))
    assert np.allclose(w, np.swapaxes(w, -1, -2))
    iu = np.triu_indices(n, 1)
    off = w[:, iu[0], iu[1]].ravel()
    diag = np.diagonal(w, axis1=1, axis2=2).ravel()
    # variance of a sample variance of Gaussians: 2 s^4 / m
    for values, var in ((off, 1 / n), (diag, 2 / n)):
        se = var * math.sqrt(2 / values.size)
        assert abs(values.var() - var) < 5 * se, (values.var(), var)
    top = np.linalg.eigvalsh(w)[:, -1]
    # radius 2 (the edge); (G + G^T)/sqrt(n) would put it at 2 sqrt(2)
    assert abs(top.mean() - 2) < 0.05 and abs(top.mean() - 2 * math.sqrt(2)) > 0.5


@pytest.mark.parametrize("k", range(6))
def test_semicircle_moments_are_catalan_numbers(k):
    c = math.comb(2 * k, k) // (k + 1)
    assert ls.rmt.catalan(k) == c and ls.rmt.semicircle_moment(2 * k) == c
    assert ls.rmt.semicircle_moment(2 * k + 1) == 0
    numeric, _ = integrate.quad(lambda x: x ** (2 * k) * float(ls.rmt.semicircle_density(x)), -2, 2)
    assert numeric == pytest.approx(c, rel=1e-7)


def _omega_page(x):
    if abs(x) <= 2:
        return x * x / 4 - 0.5
    r = math.sqrt(x * x - 4)
    return x * x / 4 - 0.5 - abs(x) / 4 * r + math.log((abs(x) + r) / 2)


@pytest.mark.parametrize("x", [0.0, 1.0, -1.9, 2.5, -3.0, 6.0])
def test_log_potential_closed_form(x):
    quad, _ = integrate.quad(lambda lam: math.log(abs(lam - x)) * math.sqrt(4 - lam * lam) / (2 * math.pi), -2, 2,
                             points=[x] if abs(x) < 2 else None, limit=200)
    assert _omega_page(x) == pytest.approx(quad, abs=1e-7)
    assert float(ls.rmt.semicircle_log_potential(x)) == pytest.approx(_omega_page(x), abs=1e-12)


@pytest.mark.parametrize("theta", [0.5, 1.0, 1.5, 3.0])
def test_bbp_location_and_overlap(theta):
    outlier = theta + 1 / theta if theta > 1 else 2.0
    overlap = 1 - 1 / theta**2 if theta > 1 else 0.0
    assert float(ls.rmt.bbp_outlier(theta)) == pytest.approx(outlier, abs=1e-12)
    assert float(ls.rmt.bbp_overlap(theta)) == pytest.approx(overlap, abs=1e-12)


# --- complexity: the page's numbers ---------------------------------------------------------------------------------

def _page_number(pattern: str) -> float:
    m = re.search(pattern, PAGE)
    assert m, f"notation.md has no {pattern!r}"
    return float(m.group(1))


def test_threshold_and_ground_state_numbers():
    u_th = _page_number(r"for \$p = 3\$, \$u_\{\\mathrm\{th\}\} = (-\d\.\d+)\$")
    assert u_th == pytest.approx(-2 * math.sqrt(2 / 3), abs=1e-6)
    assert ls.kac_rice.threshold_energy(3) == pytest.approx(u_th, abs=1e-6)
    assert ls.kac_rice.e_infinity(3) == pytest.approx(-u_th, abs=1e-6)
    for p in (3, 4):
        u0 = _page_number(rf"\$u_0\({p}\) = (-\d\.\d+)\$")
        assert ls.kac_rice.ground_state_energy(p) == pytest.approx(u0, abs=1e-5)
        assert float(ls.kac_rice.complexity_index(u0, p, 0)) == pytest.approx(0, abs=1e-4)
        assert ls.kac_rice.ground_state_energy(p) < ls.kac_rice.threshold_energy(p)


@pytest.mark.parametrize("p", [3, 4])
@pytest.mark.parametrize("u", [-1.75, -1.2, 0.0, 0.8])
def test_complexity_is_the_pages_closed_form(p, u):
    page = 0.5 + 0.5 * math.log(p - 1) - u * u / 2 + _omega_page(u * math.sqrt(p / (p - 1)))
    assert float(ls.kac_rice.complexity(u, p)) == pytest.approx(page, abs=1e-10)


@pytest.mark.parametrize("p", [3, 4, 5])
def test_total_complexity_is_the_maximum_at_zero(p):
    u = jnp.linspace(-1.5, 1.5, 301)
    sigma = np.asarray(ls.kac_rice.complexity(u, p))
    assert abs(float(u[np.argmax(sigma)])) < 1e-9
    assert sigma.max() == pytest.approx(0.5 * math.log(p - 1), abs=1e-12)


# --- temperature and units -------------------------------------------------------------------------------------------

def test_units_of_temperature_energy_and_time():
    assert "divided by $\\sqrt 2$" in PAGE and "multiplied by $\\sqrt 2$" in PAGE
    for quantity in ("energy", "temperature", "multiplier"):
        assert ls.units.factor(quantity) == pytest.approx(1 / math.sqrt(2), rel=1e-15)
    assert ls.units.factor("time") == pytest.approx(math.sqrt(2), rel=1e-15)
    # the paramagnet's energy per spin is -xi(1)/T in book units
    assert ls.thermo.paramagnetic_energy(ls.fields.pure(3), 2.0) == pytest.approx(-0.5)
    assert ls.thermo.paramagnetic_energy(ls.fields.mixture({2: 1.0, 3: 1.0}), 2.0) == pytest.approx(-1.0)


def test_spiked_model_uses_the_pages_xi():
    model = ls.spiked.SpikedMatrixTensor(3, 0.7, 1.3)
    assert model.xi.degrees == (2, 3)
    np.testing.assert_allclose(model.xi.coefficients, (1 / (2 * 0.7), 1 / (3 * 1.3)), rtol=1e-15)


def test_code_conventions():
    assert jnp.zeros(()).dtype == jnp.float64
    for module in (ls.fields, ls.rmt, ls.sphere):
        for name in module.__all__:
            obj = getattr(module, name)
            if callable(obj) and name.startswith(("sample", "random")):
                first = next(iter(inspect.signature(obj).parameters))
                assert first == "key", f"{module.__name__}.{name}: the key is the first argument"


# --- the chapters do not use the alternatives the page rules out ------------------------------------------------------

# compact (whitespace-free) patterns of conventions the book does not use
FORBIDDEN = {
    "a GOE normalised by sqrt(n), whose semicircle is on [-2 sqrt 2, 2 sqrt 2]":
        r"\(G\+G\^(?:\\top|T)\)/\\sqrt\{?n\}?(?![\w}])|\\frac\{G\+G\^(?:\\top|T)\}\{\\sqrt\{?n\}?\}",
    "the unit sphere as state space (the book's sphere has radius sqrt N)":
        r"(?:\|\\sigma\||\\lvert\\sigma\\rvert)(?:\^2)?=1(?![\d.])",
    "the Riemannian Hessian with -mu (it is P(grad^2 H + mu I)P)": r"\\nabla\^2H(?:\(\\sigma\))?-\\mu(?:I|\\,I)",
    "q for the overlap with the signal (it is m)": r"(?<![\w\\])q=(?:x|\\sigma|\\theta)\\cdot(?:x|\\theta)\^\{?\*",
    "e or E for the energy per spin (it is u = H/N)": r"(?<![\w\\])[eE]=H/N",
    "the Gibbs weight with the wrong sign": r"e\^\{\+?\\beta\\?,?H|e\^\{H/T\}",
}


def _chapter_text(nb: pathlib.Path) -> str:
    return "\n".join("".join(c["source"]) for c in json.loads(nb.read_text())["cells"])


@pytest.mark.parametrize("nb", CHAPTERS, ids=lambda p: p.name)
def test_chapters_use_no_ruled_out_alternative(nb):
    compact = _compact(_chapter_text(nb))
    for what, pattern in FORBIDDEN.items():
        m = re.search(pattern, compact)
        assert not m, f"{nb.name}: {what}: {compact[max(0, m.start() - 40):m.end() + 20]!r}"


@pytest.mark.parametrize(("what", "bad", "good"), [
    ("GOE", r"$W = (G + G^\top)/\sqrt{n}$", r"$W = (G + G^\top)/\sqrt{2n}$"),
    ("GOE", r"$W = \frac{G + G^\top}{\sqrt{n}}$", r"$W = \frac{G + G^\top}{\sqrt{2n}}$"),
    ("unit sphere", r"$|\sigma|^2 = 1$", r"$|\sigma|^2 = N$"),
    ("Hessian", r"$P(\nabla^2 H - \mu I)P$", r"$P(\nabla^2 H + \mu I)P$"),
    ("signal", r"$q = \sigma\cdot x^*/N$", r"$m = \sigma\cdot x^*/N$"),
    ("energy", r"$e = H/N$", r"$u = H/N$"),
    ("Gibbs", r"$e^{\beta H}$", r"$e^{-\beta H}$"),
])
def test_the_search_catches_the_alternative_and_passes_the_convention(what, bad, good):
    hits = lambda s: [k for k, p in FORBIDDEN.items() if re.search(p, _compact(s))]  # noqa: E731
    assert hits(bad), f"{what}: the pattern misses {bad!r}"
    assert not hits(good), f"{what}: the pattern flags the book's own {good!r}"

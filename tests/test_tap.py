"""Unit tests of landscape.tap: the TAP free energy of sampled fields, its stationary points at real critical points,
the reduced one-dimensional form, the self-overlap, the spinodal and the zero-temperature limit."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import landscape as ls
import landscape.tap as tap
import landscape.thermo as th

S0 = 0.5 * (1.0 + math.log(2.0 * math.pi))
KEY = jax.random.key(7)


def _reduced(q, u, p, t):
    """The reduced TAP free energy, written out independently (book units)."""
    return q ** (p / 2) * u - t * S0 - t / 2 * math.log1p(-q) - (1 - p * q ** (p - 1) + (p - 1) * q**p) / (2 * t)


def _low_critical_points(p=3, n=8, seeds=range(12)):
    """Critical points of real samples with energy below the threshold (so that they carry a TAP state)."""
    u_th = ls.kac_rice.threshold_energy(p)
    for seed in seeds:
        k1, k2 = jax.random.split(jax.random.key(100 + seed))
        j = ls.fields.sample_pspin(k1, n, p)
        c = ls.critical.census(k2, j, n_starts=200, antipodes=True)
        low = c.energies <= u_th
        if low.any():
            return j, c.points[low], c.energies[low], c.hessian_eigenvalues[low], c.indices[low]
    raise AssertionError("no critical point below the threshold in the samples tried")  # pragma: no cover


# -------------------------------------------------------------------------------------- the functional


@pytest.mark.parametrize("p", [3, 4])
def test_tap_free_energy_of_a_sample_reduces_along_rays(p):
    n = 9
    k1, k2 = jax.random.split(KEY)
    j = ls.fields.sample_pspin(k1, n, p)
    sigma = ls.sphere.random_points(k2, n, 4)
    u = np.asarray(ls.fields.energy(j, sigma)) / n
    for t in (0.3, 1.7):
        for q in (0.0, 0.2, 0.75, 0.999):
            f = np.asarray(tap.tap_free_energy(j, math.sqrt(q) * sigma, t))
            assert f.shape == (4,)
            expected = [_reduced(q, ui, p, t) for ui in u]
            np.testing.assert_allclose(f, expected, rtol=1e-13, atol=1e-13)
            np.testing.assert_allclose([tap.tap_free_energy_along(q, ui, p, t) for ui in u], expected, rtol=1e-14)
    # m = 0 is the paramagnet
    assert float(tap.tap_free_energy(j, jnp.zeros(n), 0.6)) == pytest.approx(th.paramagnetic_free_energy(p, 0.6))


def test_tap_free_energy_of_a_mixed_field():
    n = 7
    mix = ls.fields.mixture({2: 0.3, 3: 0.5, 4: 0.2})
    k1, k2 = jax.random.split(jax.random.key(3))
    field = ls.fields.sample_mixture(k1, n, mix)
    m = 0.8 * ls.sphere.random_points(k2, n, 3)
    q = 0.64
    t = 0.7
    xi = lambda s, d=0: float(ls.fields.xi(mix, s, d))  # noqa: E731
    onsager = xi(1.0) - xi(q) - (1 - q) * xi(q, 1)
    h = np.asarray(ls.fields.derivatives(field, m, 0, on_sphere=False)[0]) / n
    expected = h - t * S0 - t / 2 * math.log1p(-q) - onsager / (2 * t)
    np.testing.assert_allclose(tap.tap_free_energy(field, m, t), expected, rtol=1e-14)
    # at q = 0: the paramagnet of the mixture
    assert float(tap.tap_free_energy(field, jnp.zeros(n), t)) == pytest.approx(th.paramagnetic_free_energy(mix, t))


def test_tap_stationary_points_are_critical_points_of_h():
    p, n, t = 3, 8, 0.4
    j, points, energies, hess_eigs, indices = _low_critical_points(p, n)
    grad_f = jax.grad(lambda m: n * tap.tap_free_energy(j, m, t))
    hess_f = jax.hessian(lambda m: n * tap.tap_free_energy(j, m, t))
    for sigma, u, eigs in zip(points, energies, hess_eigs):
        q = tap.tap_self_overlap(float(u), p, t)
        m = math.sqrt(q) * sigma
        # the full gradient in R^N vanishes: tangent part (sigma critical) and radial part (the q-equation)
        assert float(jnp.linalg.norm(grad_f(m))) < 1e-10 * math.sqrt(n)
        # the tangent Hessian of F_TAP is q^(p/2-1) times the Riemannian Hessian of H at sigma
        basis = np.asarray(ls.sphere.tangent_basis(jnp.asarray(sigma)))
        tangent = np.linalg.eigvalsh(basis.T @ np.asarray(hess_f(m)) @ basis)
        np.testing.assert_allclose(tangent, q ** (p / 2 - 1) * eigs, rtol=1e-9, atol=1e-9)
        # the radial direction: a minimum of the reduced free energy in q (stable branch)
        h = 1e-4
        curvature = (tap.tap_free_energy_along(q + h, u, p, t) - 2 * tap.tap_free_energy_along(q, u, p, t)
                     + tap.tap_free_energy_along(q - h, u, p, t)) / h**2
        assert curvature > 0
    # away from critical points the tangent gradient cannot vanish, whatever q
    sigma = ls.sphere.random_points(jax.random.key(5), n, 1)[0]
    tangent_grad = np.asarray(ls.sphere.project_gradient(sigma, grad_f(0.9 * sigma)))
    assert np.linalg.norm(tangent_grad) > 1e-2


# ----------------------------------------------------------------------------------- the pure-model state


@pytest.mark.parametrize("p", [2, 3, 4, 6])
def test_self_overlap_solves_the_reduced_equation(p):
    u_th = ls.kac_rice.threshold_energy(p)
    for u in (u_th, u_th - 0.05, -2.5):
        for frac in (0.01, 0.3, 0.8, 0.999):
            t = frac * tap.tap_spinodal_temperature(u, p)
            q = tap.tap_self_overlap(u, p, t)
            assert q >= (p - 2) / p
            # p q^(p/2-1) u + T/(1-q) + beta p (p-1) q^(p-2) (1-q) = 0
            residual = p * q ** (p / 2 - 1) * u + t / (1 - q) + p * (p - 1) * q ** (p - 2) * (1 - q) / t
            assert abs(residual) < 1e-9 * (t / (1 - q))
            # the derivative of the reduced free energy vanishes
            h = 1e-6 * (1 - q)
            d = (tap.tap_free_energy_along(q + h, u, p, t) - tap.tap_free_energy_along(q - h, u, p, t)) / (2 * h)
            assert abs(d) < 1e-6 * (t / (1 - q))
            # Plefka's condition, with equality exactly at the threshold
            plefka = tap.tap_plefka_parameter(q, p, t)
            assert plefka <= 1 + 1e-10
            if u == u_th:
                assert plefka == pytest.approx(1.0, rel=1e-9)
            assert tap.tap_label_energy(q, p, t) == pytest.approx(u, rel=1e-9)


@pytest.mark.parametrize("p", [3, 4])
def test_zero_temperature_limit(p):
    u0 = ls.kac_rice.ground_state_energy(p)
    for u in (u0, ls.kac_rice.threshold_energy(p), -2.2):
        w = (-p * u + math.sqrt(max(p * p * u * u - 4 * p * (p - 1), 0.0))) / 2
        for t in (1e-3, 1e-5, 1e-7):
            q = tap.tap_self_overlap(u, p, t)
            assert (1 - q) == pytest.approx(t / w, rel=5 * t)  # 1 - q = T/w + O(T^2)
            assert abs(tap.tap_state_free_energy(u, p, t) - u) < 5 * t * math.log(1 / t)
            assert abs(tap.tap_state_energy(u, p, t) - u) < 5 * t


@pytest.mark.parametrize("p", [3, 4, 5])
def test_spinodal(p):
    u_th = ls.kac_rice.threshold_energy(p)
    for u in (u_th, ls.kac_rice.ground_state_energy(p), -3.0):
        t_sp = tap.tap_spinodal_temperature(u, p)
        # at the spinodal the stable and unstable roots merge at q = (p-2)/p: q does NOT go to zero
        assert tap.tap_self_overlap(u, p, t_sp) == pytest.approx((p - 2) / p, abs=1e-12)
        q_near = tap.tap_self_overlap(u, p, t_sp * (1 - 1e-8))
        assert q_near - (p - 2) / p == pytest.approx(0, abs=1e-3) and q_near > (p - 2) / p
        # there the reduced free energy has a flat inflection point (saddle-node)
        q, h = (p - 2) / p, 1e-4
        f = [tap.tap_free_energy_along(q + k * h, u, p, t_sp) for k in (-1, 0, 1)]
        assert abs((f[2] - 2 * f[1] + f[0]) / h**2) < 1e-5
        with pytest.raises(ValueError, match="spinodal"):
            tap.tap_self_overlap(u, p, t_sp * (1 + 1e-6))
        # every state outlives the dynamical transition; deeper states live longer
        assert t_sp > th.dynamical_temperature(p)
    assert tap.tap_spinodal_temperature(-2.0, p) > tap.tap_spinodal_temperature(u_th, p)
    # p = 3, threshold: T_sp = sqrt(6) (2/3) (1/3)^(1/2) = sqrt(8/9)
    if p == 3:
        assert tap.tap_spinodal_temperature(u_th, p) == pytest.approx(math.sqrt(8 / 9), rel=1e-14)


def test_p2_state_merges_with_the_paramagnet():
    u = -1.6
    t_sp = tap.tap_spinodal_temperature(u, 2)
    assert tap.tap_self_overlap(u, 2, t_sp) == pytest.approx(0.0, abs=1e-14)
    assert tap.tap_self_overlap(u, 2, 0.5 * t_sp) == pytest.approx(0.5, abs=1e-14)  # q = 1 - T/w


def test_equilibrium_below_ts_is_the_tap_state_of_the_ground_states():
    p = 3
    u0 = ls.kac_rice.ground_state_energy(p)
    for t in (0.05, 0.4, 0.8):
        sol = th.solve_1rsb(p, t)
        assert sol.q == pytest.approx(tap.tap_self_overlap(u0, p, t), abs=1e-12)
        assert sol.free_energy == pytest.approx(tap.tap_state_free_energy(u0, p, t), abs=1e-12)
        assert sol.energy == pytest.approx(tap.tap_state_energy(u0, p, t), abs=1e-11)


# ------------------------------------------------------------------------------------------- bad input


def test_bad_labels_and_degrees():
    u_th = ls.kac_rice.threshold_energy(3)
    for fn in (lambda u: tap.tap_self_overlap(u, 3, 0.5), lambda u: tap.tap_spinodal_temperature(u, 3),
               lambda u: tap.tap_state_free_energy(u, 3, 0.5), lambda u: tap.tap_state_energy(u, 3, 0.5)):
        with pytest.raises(ValueError, match="threshold"):
            fn(u_th + 1e-6)
        with pytest.raises(ValueError, match="u"):
            fn(math.nan)
    for bad, exc in [(1, ValueError), (2.5, TypeError), ("3", TypeError), (True, TypeError)]:
        with pytest.raises(exc, match="p"):
            tap.tap_spinodal_temperature(-2.0, bad)
        with pytest.raises(exc, match="p"):
            tap.tap_free_energy_along(0.5, -2.0, bad, 0.5)
        with pytest.raises(exc, match="p"):
            tap.tap_label_energy(0.9, bad, 0.5)


@pytest.mark.parametrize("t", [0.0, -0.3, math.inf, math.nan])
def test_bad_temperature(t):
    j = ls.fields.sample_pspin(KEY, 4, 3)
    for call in (lambda: tap.tap_free_energy(j, jnp.zeros(4), t), lambda: tap.tap_free_energy_along(0.5, -2, 3, t),
                 lambda: tap.tap_self_overlap(-2.0, 3, t), lambda: tap.tap_state_free_energy(-2.0, 3, t),
                 lambda: tap.tap_state_energy(-2.0, 3, t), lambda: tap.tap_label_energy(0.9, 3, t),
                 lambda: tap.tap_plefka_parameter(0.5, 3, t)):
        with pytest.raises(ValueError, match="temperature"):
            call()


def test_bad_overlaps_and_magnetisations():
    for q in (1.0, -0.1, 1.5):
        with pytest.raises(ValueError, match="q"):
            tap.tap_free_energy_along(q, -2.0, 3, 0.5)
        with pytest.raises(ValueError, match="q"):
            tap.tap_plefka_parameter(q, 3, 0.5)
    with pytest.raises(ValueError, match="q"):
        tap.tap_free_energy_along(np.array([0.2, 1.0]), -2.0, 3, 0.5)
    np.testing.assert_allclose(tap.tap_free_energy_along(np.array([0.2, 0.5]), -2.0, 3, 0.5),
                               [_reduced(0.2, -2.0, 3, 0.5), _reduced(0.5, -2.0, 3, 0.5)], rtol=1e-14)
    # the inverse map: below the stable branch, or violating Plefka's condition
    with pytest.raises(ValueError, match="stable branch"):
        tap.tap_label_energy(0.2, 3, 0.5)
    with pytest.raises(ValueError, match="Plefka"):
        tap.tap_label_energy(0.5, 3, 0.1)
    j = ls.fields.sample_pspin(KEY, 4, 3)
    with pytest.raises(ValueError, match="q in"):
        tap.tap_free_energy(j, jnp.full(4, 1.0), 0.5)  # |m|^2 = N: on the sphere, q = 1
    with pytest.raises(ValueError, match="length"):
        tap.tap_free_energy(j, jnp.zeros(5), 0.5)
    with pytest.raises(ValueError, match="finite"):
        tap.tap_free_energy(j, jnp.array([0.1, math.nan, 0.0, 0.0]), 0.5)
    with pytest.raises(TypeError, match="field"):
        tap.tap_free_energy([1.0, 2.0], jnp.zeros(2), 0.5)


def test_tap_free_energy_accepts_a_traced_temperature_and_agrees_with_the_concrete_one():
    j = ls.fields.sample_pspin(jax.random.key(3), 5, 3)
    m = 0.7 * ls.sphere.random_points(jax.random.key(4), 5)
    jitted = jax.jit(lambda field, mm, t: ls.tap.tap_free_energy(field, mm, t))
    for t in (0.3, 1.7):
        assert float(jitted(j, m, t)) == pytest.approx(float(ls.tap.tap_free_energy(j, m, t)), rel=1e-13)


def test_tap_free_energy_rejects_non_finite_fields_and_bad_magnetisations():
    j = ls.fields.sample_pspin(KEY, 4, 3)
    m = 0.3 * jnp.ones(4)
    with pytest.raises(ValueError, match="^field must contain only finite"):
        tap.tap_free_energy(j.at[0, 1, 2].set(jnp.nan), m, 1.0)
    with pytest.raises(ValueError, match="^field must contain only finite"):
        tap.tap_free_energy(j.at[0, 0, 0].set(jnp.inf), m, 1.0)
    with pytest.raises(ValueError, match=r"^field\.weights\[0\] must be finite"):
        tap.tap_free_energy(ls.fields.MixedField((j,), (float("nan"),)), m, 1.0)
    with pytest.raises(TypeError, match="^field must be"):
        tap.tap_free_energy("abc", m, 1.0)
    with pytest.raises(TypeError, match="^m must be a numeric array"):
        tap.tap_free_energy(j, "abcd", 1.0)
    with pytest.raises(TypeError, match="^m must be a real array"):
        tap.tap_free_energy(j, m + 1j, 1.0)
    with pytest.raises(ValueError, match="^m must contain only finite"):
        tap.tap_free_energy(j, m.at[0].set(jnp.nan), 1.0)
    with pytest.raises(ValueError, match="^m must have a last axis of length N = 4"):
        tap.tap_free_energy(j, jnp.ones(3) * 0.3, 1.0)
    assert np.isfinite(float(tap.tap_free_energy(j, m, 1.0)))

"""Unit tests of landscape.fields: closed forms against autodiff, covariance by Monte Carlo, validation."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import landscape as ls

KEY = jax.random.key(0)


@pytest.mark.parametrize("p", [2, 3, 4])
def test_closed_form_derivatives_match_autodiff(p):
    n = 5
    j = ls.fields.sample_pspin(KEY, n, p)
    s = ls.sphere.random_points(jax.random.key(1), n)
    def f(x):
        return ls.fields.energy(j, x)
    np.testing.assert_allclose(ls.fields.gradient(j, s), jax.grad(f)(s), atol=1e-12)
    np.testing.assert_allclose(ls.fields.hessian(j, s), jax.hessian(f)(s), atol=1e-12)
    # Euler's identity for a homogeneous polynomial of degree p: sigma . grad H = p H
    assert abs(float(s @ ls.fields.gradient(j, s) - p * f(s))) < 1e-12 * max(1, abs(float(f(s))))


def test_energy_matches_explicit_sum_and_is_batched():
    n, p = 4, 3
    j = np.asarray(ls.fields.sample_pspin(KEY, n, p))
    s = np.asarray(ls.sphere.random_points(jax.random.key(2), n, 6))
    explicit = np.einsum("abc,ma,mb,mc->m", j, s, s, s) / n
    np.testing.assert_allclose(ls.fields.energy(jnp.asarray(j), s), explicit, rtol=1e-13)
    assert ls.fields.energy(jnp.asarray(j), s.reshape(2, 3, n)).shape == (2, 3)
    assert ls.fields.gradient(jnp.asarray(j), s.reshape(2, 3, n)).shape == (2, 3, n)


def test_symmetrize_leaves_field_unchanged():
    j = ls.fields.sample_pspin(KEY, 4, 3)
    js = ls.fields.symmetrize(j)
    np.testing.assert_allclose(js, jnp.transpose(js, (1, 0, 2)), atol=1e-15)
    s = ls.sphere.random_points(jax.random.key(3), 4, 5)
    np.testing.assert_allclose(ls.fields.energy(js, s), ls.fields.energy(j, s), atol=1e-13)
    np.testing.assert_allclose(ls.fields.gradient(js, s), 3 * jnp.einsum("ijk,mj,mk->mi", js, s, s) / 4, atol=1e-13)


@pytest.mark.parametrize("mix", [ls.fields.pure(3), ls.fields.mixture({2: 0.5, 3: 0.3, 4: 0.2})])
def test_covariance_by_monte_carlo(mix):
    # E[H(s)H(t)] = N xi(q): sample many independent fields at two fixed points with overlap q.
    n, m = 6, 6000
    s = ls.sphere.random_points(jax.random.key(4), n, 3)
    pairs = [(0, 0), (0, 1), (1, 2)]
    keys = jax.random.split(KEY, m)
    values = jax.vmap(lambda k: ls.fields.energy(ls.fields.sample_mixture(k, n, mix), s))(keys)
    values = np.asarray(values)
    for a, b in pairs:
        prod = values[:, a] * values[:, b]
        expected = float(ls.fields.covariance(mix, s[a], s[b]))
        assert abs(prod.mean() - expected) < 5 * prod.std(ddof=1) / np.sqrt(m), (a, b)
    variance = n * float(ls.fields.xi(mix, 1.0))
    assert np.all(np.abs(values.mean(axis=0)) < 5 * np.sqrt(variance / m))  # centred, to 5 standard errors


def test_xi_and_its_derivatives():
    mix = ls.fields.mixture({1: 0.1, 2: 0.4, 4: 0.5})
    q = jnp.linspace(-1, 1, 7)
    np.testing.assert_allclose(ls.fields.xi(mix, q), 0.1 * q + 0.4 * q**2 + 0.5 * q**4, atol=1e-15)
    for d in (1, 2, 3):
        auto = jax.vmap(lambda x: _nth_grad(lambda y: ls.fields.xi(mix, y), d)(x))(q)
        np.testing.assert_allclose(ls.fields.xi(mix, q, derivative=d), auto, atol=1e-13)
    pure = ls.fields.pure(3)
    assert ls.fields.xi(pure, 1.0) == 1 and ls.fields.xi(pure, 1.0, 1) == 3 and ls.fields.xi(pure, 1.0, 2) == 6
    assert ls.fields.xi(3, 0.5) == 0.125  # an integer p means the pure model


def _nth_grad(f, d):
    for _ in range(d):
        f = jax.grad(f)
    return f


def test_mixed_field_derivatives_match_autodiff():
    mix = ls.fields.mixture({2: 0.5, 3: 0.5})
    field = ls.fields.sample_mixture(KEY, 5, mix)
    s = ls.sphere.random_points(jax.random.key(9), 5)
    def f(x):
        return ls.fields.energy(field, x)
    np.testing.assert_allclose(ls.fields.gradient(field, s), jax.grad(f)(s), atol=1e-12)
    np.testing.assert_allclose(ls.fields.hessian(field, s), jax.hessian(f)(s), atol=1e-12)
    # field = sum_p a_p H_p
    manual = sum(w * ls.fields.energy(j, s) for j, w in zip(field.couplings, field.weights))
    assert abs(float(f(s) - manual)) < 1e-13


def test_mixture_constructor():
    mix = ls.fields.mixture({4: 0.25, 2: 0.75, 3: 0.0})
    assert mix.degrees == (2, 4) and mix.coefficients == (0.75, 0.25)
    # a linear term (p = 1) is allowed in a mixture: H = a_1 J.sigma + ...
    field = ls.fields.sample_mixture(KEY, 4, ls.fields.mixture({1: 0.5, 3: 0.5}))
    assert [j.ndim for j in field.couplings] == [1, 3]


@pytest.mark.parametrize("call, exc, match", [
    (lambda: ls.fields.pure(1), ValueError, "p"),
    (lambda: ls.fields.pure(2.0), TypeError, "p"),
    (lambda: ls.fields.pure(True), TypeError, "p"),
    (lambda: ls.fields.mixture({}), TypeError, "coefficients"),
    (lambda: ls.fields.mixture({2: -0.1}), ValueError, "a_2"),
    (lambda: ls.fields.mixture({0: 1.0}), ValueError, "degree"),
    (lambda: ls.fields.mixture({2: 0.0}), ValueError, "positive"),
    (lambda: ls.fields.sample_pspin(KEY, 1, 3), ValueError, "n"),
    (lambda: ls.fields.sample_pspin(KEY, 3, 2.5), TypeError, "p"),
    (lambda: ls.fields.sample_pspin(KEY, 3, 1), ValueError, "p must be an integer >= 2"),
    (lambda: ls.fields.sample_pspin(KEY, 10**4, 3), ValueError, "MAX_TENSOR_ENTRIES"),
    (lambda: ls.fields.xi(3, 0.5, derivative=4), ValueError, "derivative"),
    (lambda: ls.fields.xi("x", 0.5), TypeError, "mix"),
    (lambda: ls.fields.xi(3, jnp.array([np.nan])), ValueError, "q"),
    (lambda: ls.fields.energy(ls.fields.sample_pspin(KEY, 3, 3), jnp.ones(4)), ValueError, "n = 3"),
    (lambda: ls.fields.energy([1, 2], jnp.ones(2)), TypeError, "field"),
    (lambda: ls.fields.energy(jnp.ones((3, 4)), jnp.ones(3)), ValueError, "shape"),
])
def test_bad_inputs_raise_clear_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_tangent_derivatives_match_autodiff_and_batch():
    n, p = 5, 3
    j = ls.fields.sample_pspin(KEY, n, p)
    s = ls.sphere.random_points(jax.random.key(11), n, 3)
    h, g, hess = ls.fields.tangent_derivatives(j, s)
    assert h.shape == (3,) and g.shape == (3, n - 1) and hess.shape == (3, n - 1, n - 1)
    for b in range(3):
        def f(x):
            return ls.fields.energy(j, x)
        e = ls.sphere.tangent_basis(s[b])
        np.testing.assert_allclose(h[b], f(s[b]), atol=1e-13)
        np.testing.assert_allclose(g[b], e.T @ ls.sphere.riemannian_gradient(f, s[b]), atol=1e-12)
        np.testing.assert_allclose(hess[b], e.T @ ls.sphere.riemannian_hessian(f, s[b]) @ e, atol=1e-12)
    one = ls.fields.tangent_derivatives(j, s[0])
    assert one[1].shape == (n - 1,) and np.allclose(one[2], hess[0])


def test_tangent_derivatives_joint_law_at_a_point():
    # Pure p-spin at a fixed point: Var H = N, Var g_i = p, Var h_ij = p(p-1)/N (i != j), E[h_ii | u] = -p u.
    n, p, m = 6, 3, 8000
    s = ls.sphere.random_points(jax.random.key(12), n)
    keys = jax.random.split(jax.random.key(13), m)
    h, g, hess = jax.vmap(lambda k: ls.fields.tangent_derivatives(ls.fields.sample_pspin(k, n, p), s))(keys)
    h, g, hess = np.asarray(h), np.asarray(g), np.asarray(hess)
    def check_mean(x, expected):
        assert abs(x.mean() - expected) < 5 * x.std(ddof=1) / np.sqrt(x.size), (x.mean(), expected)
    check_mean(h**2, n)
    check_mean(g[:, 0] ** 2, p)
    check_mean(h * g[:, 1], 0.0)
    check_mean(hess[:, 0, 1] ** 2, p * (p - 1) / n)
    euclidean_diag = hess[:, 2, 2] + p * h / n  # remove the curvature shift -p u
    check_mean(euclidean_diag**2, 2 * p * (p - 1) / n)
    check_mean(euclidean_diag * h, 0.0)


# ------------------------------------------------------------------ kernels: raw and prepared couplings

MIXED = ls.fields.mixture({1: 0.1, 2: 0.3, 3: 0.4, 4: 0.2})


@pytest.mark.parametrize("kind", ["p2", "p3", "p4", "mixed"])
def test_raw_and_prepared_kernels_match_autodiff(kind):
    n = 5
    field = (ls.fields.sample_mixture(KEY, n, MIXED) if kind == "mixed"
             else ls.fields.sample_pspin(KEY, n, int(kind[1])))
    prepared = ls.fields.prepare(field)
    s = ls.sphere.random_points(jax.random.key(21), n, 4)
    f = lambda x: ls.fields.energy(field, x)  # noqa: E731  (raw path)
    auto = (jax.vmap(f)(s), jax.vmap(jax.grad(f))(s), jax.vmap(jax.hessian(f))(s))
    # an independent route for the energy: the explicit sum over all index tuples
    couplings, weights = (field.couplings, field.weights) if kind == "mixed" else ((field,), (1.0,))
    explicit = 0.0
    for j, w in zip(couplings, weights):
        letters = "abcd"[: j.ndim]
        operands = ",".join(["".join(letters)] + [f"m{c}" for c in letters])
        explicit = explicit + w * n ** (-(j.ndim - 1) / 2) * np.einsum(f"{operands}->m", j, *([s] * j.ndim))
    np.testing.assert_allclose(auto[0], explicit, rtol=1e-12, atol=1e-12)
    for fld in (field, prepared):
        out = ls.fields.derivatives(fld, s, 2)
        for got, want in zip(out, auto):
            np.testing.assert_allclose(got, want, atol=1e-12)
        for order in (0, 1):
            assert len(ls.fields.derivatives(fld, s, order)) == order + 1
        np.testing.assert_allclose(ls.fields.derivatives(fld, s[0], 1)[1], auto[1][0], atol=1e-12)


def test_prepare_symmetrises_and_scales_once():
    n = 4
    field = ls.fields.sample_mixture(KEY, n, ls.fields.mixture({2: 0.25, 3: 0.75}))
    prepared = ls.fields.prepare(field)
    assert isinstance(prepared, ls.fields.PreparedField) and prepared.weights == field.weights
    s2, s3 = prepared.tensors
    np.testing.assert_allclose(s2, 0.5 * n**-0.5 * ls.fields.symmetrize(field.couplings[0]), atol=1e-15)
    np.testing.assert_allclose(s3, np.sqrt(0.75) / n * ls.fields.symmetrize(field.couplings[1]), atol=1e-15)
    for perm in [(1, 0, 2), (2, 1, 0), (0, 2, 1)]:
        np.testing.assert_allclose(s3, jnp.transpose(s3, perm), atol=1e-15)
    assert ls.fields.prepare(prepared) is prepared
    with pytest.raises(TypeError, match="field"):
        ls.fields.prepare([1.0, 2.0])


@pytest.mark.parametrize("n, p, batch", [(48, 3, 2), (32, 4, 1)])
def test_kernels_allocate_no_temporary_of_the_tensor_size(n, p, batch):
    # XLA's own accounting of the compiled kernels. The largest intermediate of a contraction is one slot
    # contracted, batch * N^(p-1) entries; a few of them may be live. A copy of the couplings (N^p) would not fit.
    couplings = ls.fields.sample_pspin(KEY, n, p)
    sigma = ls.sphere.random_points(jax.random.key(22), n, batch)
    prepared = ls.fields.prepare(couplings)
    bound = 8 * batch * n ** (p - 1) * 8  # bytes: eight slot-contracted intermediates
    assert bound <= couplings.nbytes / 3  # so that the bound excludes any tensor-sized temporary
    for field in (couplings, prepared):
        for order in (0, 1, 2):
            temp = ls.fields._jet_batch.lower(field, sigma, order).compile().memory_analysis().temp_size_in_bytes
            assert temp <= bound, (order, temp, bound)
        temp = ls.fields._tangent_batch.lower(field, sigma).compile().memory_analysis().temp_size_in_bytes
        assert temp <= bound, ("tangent", temp, bound)
    temp = ls.fields._prepare.lower((couplings,), (1.0,)).compile().memory_analysis().temp_size_in_bytes
    assert temp <= bound  # the symmetrisation is one fused pass into its output


def test_derivatives_off_the_sphere_and_bad_arguments():
    n = 4
    j = ls.fields.sample_pspin(KEY, n, 3)
    s = ls.sphere.random_points(jax.random.key(23), n)
    # homogeneity of degree p: H(c s) = c^p H(s), grad(c s) = c^(p-1) grad(s)
    h, g = ls.fields.derivatives(j, 0.5 * s, 1, on_sphere=False)
    np.testing.assert_allclose(h, 0.125 * ls.fields.energy(j, s), rtol=1e-13)
    np.testing.assert_allclose(g, 0.25 * ls.fields.gradient(j, s), rtol=1e-12)
    with pytest.raises(ValueError, match="sphere"):
        ls.fields.derivatives(j, 0.5 * s)
    with pytest.raises(ValueError, match="order"):
        ls.fields.derivatives(j, s, 3)
    with pytest.raises(TypeError, match="on_sphere"):
        ls.fields.derivatives(j, s, 1, on_sphere=1)
    with pytest.raises(ValueError, match="sigma"):
        ls.fields.derivatives(j, jnp.array([np.nan, 0, 0, 0]), 0, on_sphere=False)
    with pytest.raises(ValueError, match="n = 4"):
        ls.fields.derivatives(j, jnp.ones(5), 0, on_sphere=False)


def test_iterative_routines_accept_a_prepared_field():
    n = 6
    j = ls.fields.sample_pspin(KEY, n, 3)
    prepared = ls.fields.prepare(j)
    s = ls.sphere.random_points(jax.random.key(24), n, 3)
    for fn in (lambda f: ls.critical.newton(f, s, n_iter=5),
               lambda f: ls.critical.gradient_descent(f, s, 0.05, 20, 10)[0],
               lambda f: ls.dynamics.gradient_flow(f, s, 0.05, 20, 10).final,
               lambda f: ls.critical.classify(f, s).hessian_eigenvalues):
        np.testing.assert_allclose(fn(prepared), fn(j), atol=1e-10)


J3 = ls.fields.sample_pspin(jax.random.key(60), 4, 3)
S4 = ls.sphere.random_points(jax.random.key(61), 4)
NAN_J = J3.at[1, 2, 3].set(np.nan)
INF_J = J3.at[0, 0, 0].set(-np.inf)


@pytest.mark.parametrize("field, exc, match", [
    (NAN_J, ValueError, "field must contain only finite"),
    (INF_J, ValueError, "field must contain only finite"),
    (np.asarray(NAN_J), ValueError, "field must contain only finite"),
    (ls.fields.MixedField((J3[0], NAN_J), (1.0, 1.0)), ValueError, r"field.couplings\[1\] must contain only finite"),
    (ls.fields.PreparedField((INF_J,), (1.0,)), ValueError, r"field.tensors\[0\] must contain only finite"),
    (ls.fields.MixedField((J3,), (np.nan,)), ValueError, r"field.weights\[0\] must be finite"),
    (ls.fields.MixedField((J3,), ("a",)), TypeError, r"field.weights\[0\] must be a real number"),
    (ls.fields.MixedField((J3,), (1.0, 2.0)), ValueError, "one weight per tensor"),
    (ls.fields.MixedField((), ()), ValueError, "field.couplings must be a non-empty"),
    (ls.fields.MixedField(("abc",), (1.0,)), TypeError, r"field.couplings\[0\] must be a coupling tensor"),
    (ls.fields.MixedField((J3, jnp.ones((5, 5))), (1.0, 1.0)), ValueError, "share n"),
    (np.array([["a", "b"], ["c", "d"]]), TypeError, "field must be a real numeric array"),
    (jnp.ones((2, 2), dtype=bool), TypeError, "field must be a real numeric array"),
    ("couplings", TypeError, "field must be a coupling tensor"),
])
@pytest.mark.parametrize("fn", [
    lambda f: ls.fields.energy(f, S4),
    lambda f: ls.fields.gradient(f, S4),
    lambda f: ls.fields.hessian(f, S4),
    lambda f: ls.fields.derivatives(f, 0.5 * S4, 1, on_sphere=False),
    lambda f: ls.fields.tangent_derivatives(f, S4),
    ls.fields.prepare,
])
def test_bad_fields_are_refused_at_every_entry_point(fn, field, exc, match):
    with pytest.raises(exc, match=match):
        fn(field)


def test_bad_couplings_to_symmetrize_and_huge_samples_are_refused():
    with pytest.raises(ValueError, match="couplings must contain only finite"):
        ls.fields.symmetrize(NAN_J)
    with pytest.raises(TypeError, match="couplings must be a jax or numpy array"):
        ls.fields.symmetrize("J")
    with pytest.raises(TypeError, match="couplings must be a real numeric"):
        ls.fields.symmetrize(np.array(["a", "b"]))
    # 900**3 entries are under MAX_TENSOR_ENTRIES but need ~14 GiB to sample: refused before allocating
    with pytest.raises(ValueError, match="sampling couplings of n = 900"):
        ls.fields.sample_pspin(KEY, 900, 3)
    with pytest.raises(ValueError, match=r"degrees p = \(2, 3\)"):
        ls.fields.sample_mixture(KEY, 900, ls.fields.mixture({2: 0.5, 3: 0.5}))
    with pytest.raises(ValueError, match="n"):
        ls.fields.sample_mixture(KEY, 1, 3)
    previous = ls.set_max_bytes(5000)  # sampling costs 20 bytes an entry: 6^3 fits, 8^3 does not
    try:
        with pytest.raises(ValueError, match="sampling couplings"):
            ls.fields.sample_pspin(KEY, 8, 3)
        j = ls.fields.sample_pspin(KEY, 6, 3)  # 216 entries x 20 bytes: allowed
        with pytest.raises(ValueError, match="preparing couplings of n = 6"):
            ls.fields.prepare(ls.fields.MixedField((j, j, j), (1.0, 1.0, 1.0)))  # 3 x 216 x 8 = 5184 bytes
    finally:
        ls.set_max_bytes(previous)


def test_a_valid_field_is_unchanged_by_the_checks_and_scanned_once():
    j = np.asarray(J3)
    # numpy, jax, mixed and prepared forms give the same numbers as before (the checks only read)
    e = ls.fields.energy(J3, S4)
    np.testing.assert_array_equal(ls.fields.energy(j, S4), e)
    np.testing.assert_allclose(ls.fields.energy(ls.fields.prepare(J3), S4), e, rtol=1e-13)
    np.testing.assert_array_equal(ls.fields.energy(ls.fields.MixedField((J3,), (np.float64(1.0),)), S4), e)
    # a JAX array is remembered as finite after its first check; a new (bad) array is scanned again
    assert ls.fields._FINITE[id(J3)]() is J3
    with pytest.raises(ValueError, match="field"):
        ls.fields.energy(J3.at[0, 0, 0].set(np.nan), S4)


def test_a_concrete_field_closed_over_inside_jit_is_checked_on_the_host():
    # chapter 1 differentiates lambda s: fields.energy(J, s) under jit: the check of J must not be staged
    j = ls.fields.sample_pspin(jax.random.key(7), 6, 3)
    sigma = ls.sphere.normalize(jnp.arange(1.0, 7.0))
    value = jax.jit(lambda s: ls.fields.energy(j, s))(sigma)
    assert float(value) == pytest.approx(float(ls.fields.energy(j, sigma)), rel=1e-13)
    bad = np.array(j)
    bad[0, 1, 2] = np.nan
    bad = jnp.asarray(bad)  # concrete, closed over: checked at trace time
    with pytest.raises(ValueError, match="field"):
        jax.jit(lambda s: ls.fields.energy(bad, s))(sigma)

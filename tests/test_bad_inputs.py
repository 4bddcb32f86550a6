"""Package-wide table of bad inputs: every public callable of landscape refuses them with a named parameter.

For each public function there is one small valid baseline call and bad variants of its arguments (NaN and
infinity in arrays, wrong shapes, wrong types, out-of-range scalars, huge sizes). Each bad variant must raise
``ValueError`` or ``TypeError`` whose message names the parameter; a bad call that returns normally (a silent
NaN or number) fails. Every entry passes: none is marked expected-to-fail.
"""

from __future__ import annotations

import functools
import inspect
import math
import re
from typing import Any, Callable

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import landscape as ls
from landscape import algorithms, critical, dynamics, fields, glm, kac_rice, networks, notebook, plotting, reference, rmt, sphere, spiked, tap, thermo, topology, units

NAN, INF = math.nan, math.inf
HUGE = 10**12

# ------------------------------------------------------------------------------------------- shared baselines


@functools.cache
def _b() -> dict[str, Any]:
    """Valid inputs shared by the baselines (tiny sizes: N = 4, p = 3)."""
    key = jax.random.key(0)
    j = fields.sample_pspin(key, 4, 3)
    sigma = sphere.random_points(jax.random.key(1), 4)
    mix = fields.mixture({2: 0.5, 3: 0.5})
    data = glm.sample(jax.random.key(2), 12, 4)
    theta = sphere.random_points(jax.random.key(3), 4)
    model = spiked.SpikedMatrixTensor(3, 0.5, 1.0)
    inst = spiked.sample(jax.random.key(4), 5, model)
    x5 = sphere.random_points(jax.random.key(5), 5)
    mesh = topology.icosphere(1)
    values = np.asarray(mesh.vertices[:, 0] + 0.3 * mesh.vertices[:, 1] ** 2)
    return dict(key=key, j=j, sigma=sigma, mix=mix, mf=fields.sample_mixture(key, 4, mix), data=data, theta=theta,
                model=model, inst=inst, x5=x5, mesh=mesh, values=values,
                cp=critical.classify(j, jnp.stack([sigma, -sigma])), loss=glm.phase_retrieval_loss(1.0),
                pairing=((0, 1), (2, 3)), y5=sphere.random_points(jax.random.key(6), 5))


def _cube(x):
    return jnp.sum(x**3)


# ------------------------------------------------------------------------------------------- bad variants


def _poison(value: Any, bad: float) -> Any:
    """``value`` with its first entry (of its first floating leaf, for a pytree) replaced by ``bad``."""
    done = [False]

    def leaf(x):
        if done[0] or not hasattr(x, "dtype") or not jnp.issubdtype(x.dtype, jnp.inexact) or jnp.ndim(x) == 0:
            return x
        done[0] = True
        arr = np.array(x, dtype=np.result_type(x.dtype, np.float64), copy=True)  # complex stays complex
        arr.reshape(-1)[0] = bad
        return jnp.asarray(arr) if isinstance(x, jax.Array) else arr

    if value is None or isinstance(value, (float, int)) and not isinstance(value, bool):
        return bad
    if isinstance(value, (tuple, list)) and value and all(isinstance(v, (int, float)) for v in value):
        return type(value)([bad, *value[1:]])
    out = jax.tree_util.tree_map(leaf, value)
    if not done[0]:
        arr = np.array(value, dtype=np.float64, copy=True)
        arr.reshape(-1)[0] = bad
        return arr
    return out


def A(shape: Any = None, *extra):
    """Array argument: NaN, inf, a string, optionally a wrong shape and extra ``(label, value)`` variants."""
    out = [("nan", lambda v: _poison(v, NAN)), ("inf", lambda v: _poison(v, INF)), ("str", "abc")]
    if shape is not None:
        out.append(("shape", shape))
    return out + list(extra)


def R(*extra):
    """Real scalar: a string, NaN, inf, plus out-of-range ``(label, value)`` variants."""
    return [("str", "abc"), ("nan", NAN), ("inf", INF), *extra]


def I(*extra):  # noqa: E743
    """Integer: a string, a non-integral float, plus out-of-range variants."""
    return [("str", "abc"), ("float", 2.5), *extra]


KEYV = [("str", "abc"), ("int", 3)]
BOOL = [("str", "yes")]
CHOICE = [("bogus", "bogus"), ("int", 3)]
FN = [("str", "abc")]
NEG, ZERO, P1 = ("neg", -1), ("zero", 0), ("p=1", 1)
NEGF, ZEROF = ("neg", -1.0), ("zero", 0.0)
HUGEV = ("huge", HUGE)


def FIELD(shape_ok=True):
    """A field argument (couplings array or mixed field): NaN / inf in the couplings, a string."""
    out = [("nan", lambda v: _poison(v, NAN)), ("inf", lambda v: _poison(v, INF)), ("str", "abc")]
    if shape_ok:
        out.append(("shape", lambda v: jnp.ones((4, 3, 4))))
    return out


def XI():
    """A mixture argument (``Mixture`` or a degree): a string, p < 2, a non-integral degree."""
    return [("str", "abc"), ("p=1", 1), ("float", 2.5), ("nan", fields.Mixture((2,), (NAN,))),
            ("neg", fields.Mixture((2, 3), (-1.0, 1.0))), ("p=0", fields.Mixture((0,), (1.0,))),
            ("len", fields.Mixture((2, 3), (1.0,))), ("zero", fields.Mixture((2,), (0.0,)))]


# ------------------------------------------------------------------------------------------- the table


class Entry:
    def __init__(self, fn: Callable, kwargs: Callable[[dict], dict], bad: dict[str, list]):
        self.fn, self.kwargs, self.bad = fn, kwargs, bad
        module = fn.__module__.rsplit(".", 1)[-1]
        self.name = f"{module}.{fn.__name__}"


T: list[Entry] = []


def e(fn, kwargs, **bad):
    T.append(Entry(fn, kwargs, bad))


# sphere
e(sphere.normalize, lambda b: dict(x=b["sigma"]), x=A(None, ("zero", jnp.zeros(4))))
e(sphere.random_points, lambda b: dict(key=b["key"], n=4, num=2), key=KEYV, n=I(ZERO, HUGEV), num=I(NEG, HUGEV))
e(sphere.points_at_overlap, lambda b: dict(key=b["key"], sigma=b["sigma"], q=0.5), key=KEYV, sigma=A(),
  q=R(("gt1", 1.5)))
e(sphere.overlap, lambda b: dict(sigma=b["sigma"], tau=b["sigma"]), sigma=A(), tau=A(jnp.ones(5)))
e(sphere.tangent_projector, lambda b: dict(sigma=b["sigma"]), sigma=A())
e(sphere.project_gradient, lambda b: dict(sigma=b["sigma"], euclidean_gradient=jnp.ones(4)), sigma=A(),
  euclidean_gradient=A(jnp.ones(5)))
e(sphere.project_hessian, lambda b: dict(sigma=b["sigma"], euclidean_gradient=jnp.ones(4), euclidean_hessian=jnp.eye(4)),
  sigma=A(), euclidean_gradient=A(jnp.ones(5)), euclidean_hessian=A(jnp.eye(3)))
e(sphere.riemannian_gradient, lambda b: dict(f=_cube, sigma=b["sigma"]), f=FN, sigma=A())
e(sphere.riemannian_hessian, lambda b: dict(f=_cube, sigma=b["sigma"]), f=FN, sigma=A())
e(sphere.tangent_basis, lambda b: dict(sigma=b["sigma"]), sigma=A())
e(sphere.to_tangent, lambda b: dict(sigma=b["sigma"], v=jnp.ones(4)), sigma=A(), v=A(jnp.ones(5)))
e(sphere.from_tangent, lambda b: dict(sigma=b["sigma"], x=jnp.ones(3)), sigma=A(), x=A(jnp.ones(5)))
e(sphere.tangent_hessian, lambda b: dict(sigma=b["sigma"], riemannian_hessian_matrix=jnp.eye(4)), sigma=A(),
  riemannian_hessian_matrix=A(jnp.eye(3)))
e(sphere.retract, lambda b: dict(sigma=b["sigma"], v=jnp.ones(4)), sigma=A(), v=A(jnp.ones(5)))

# fields
e(fields.pure, lambda b: dict(p=3), p=I(P1))
e(fields.mixture, lambda b: dict(coefficients={2: 0.5, 3: 0.5}),
  coefficients=[("str", "abc"), ("nan", {2: NAN}), ("inf", {2: INF}), ("neg", {2: -1.0}), ("p=0", {0: 1.0}),
                ("empty", {})])
e(fields.xi, lambda b: dict(mix=b["mix"], q=0.5, derivative=0), mix=XI(), q=A(), derivative=I(NEG))
e(fields.covariance, lambda b: dict(mix=b["mix"], sigma=b["sigma"], tau=b["sigma"]), mix=XI(), sigma=A(),
  tau=A(jnp.ones(5)))
e(fields.sample_pspin, lambda b: dict(key=b["key"], n=4, p=3), key=KEYV, n=I(ZERO, HUGEV), p=I(P1))
e(fields.sample_mixture, lambda b: dict(key=b["key"], n=4, mix=b["mix"]), key=KEYV, n=I(ZERO, HUGEV), mix=XI())
e(fields.prepare, lambda b: dict(field=b["j"]), field=FIELD())
e(fields.derivatives, lambda b: dict(field=b["j"], sigma=b["sigma"], order=2, on_sphere=True), field=FIELD(),
  sigma=A(jnp.ones(5)), order=I(NEG), on_sphere=BOOL)
for _f in (fields.energy, fields.gradient, fields.hessian, fields.tangent_derivatives):
    e(_f, lambda b: dict(field=b["j"], sigma=b["sigma"]), field=FIELD(), sigma=A(jnp.ones(5)))
e(fields.symmetrize, lambda b: dict(couplings=b["j"]), couplings=FIELD())

# algorithms
e(algorithms.subag, lambda b: dict(key=b["key"], field=b["j"], n_steps=3, return_trajectory=False), key=KEYV,
  field=FIELD(), n_steps=I(ZERO, NEG, HUGEV), return_trajectory=BOOL)
e(algorithms.algorithmic_energy, lambda b: dict(xi=b["mix"]), xi=XI())

# critical
e(critical.newton, lambda b: dict(field=b["j"], sigma=b["sigma"], n_iter=3, max_step=0.5, tol=0.0,
                                  return_iterations=False), field=FIELD(),
  sigma=A(jnp.ones(5)), n_iter=I(NEG, HUGEV), max_step=R(NEGF), tol=R(NEGF), return_iterations=BOOL)
e(critical.saddle_free_newton, lambda b: dict(field=b["j"], sigma0=b["sigma"], n_iter=3, damping=0.05, max_step=0.5,
                                              tol=1e-10, return_iterations=False),
  field=FIELD(), sigma0=A(jnp.ones(5)), n_iter=I(NEG, ZERO, HUGEV), damping=R(ZEROF, NEGF), max_step=R(ZEROF, NEGF),
  tol=R(NEGF), return_iterations=BOOL)
e(critical.classify, lambda b: dict(field=b["j"], sigma=b["sigma"]), field=FIELD(), sigma=A(jnp.ones(5)))
e(critical.census, lambda b: dict(key=b["key"], field=b["j"], n_starts=8, tol=1e-9, n_iter=5, antipodes=False),
  key=KEYV, field=FIELD(), n_starts=I(ZERO, HUGEV), tol=R(NEGF), n_iter=I(NEG), antipodes=BOOL)
e(critical.deduplicate, lambda b: dict(points=b["cp"], atol=1e-6), points=A(), atol=R(NEGF))
e(critical.gradient_descent, lambda b: dict(field=b["j"], sigma0=b["sigma"], step_size=0.05, n_steps=10,
                                            record_every=5),
  field=FIELD(), sigma0=A(jnp.ones(5)), step_size=R(NEGF), n_steps=I(NEG, HUGEV), record_every=I(ZERO))
e(critical.morse_sum, lambda b: dict(indices=np.array([0, 1, 1, 2])),
  indices=[("str", "abc"), ("neg", np.array([-1, 0])), ("float", np.array([0.5, 1.0])), ("nan", np.array([NAN]))])
e(critical.census_convergence, lambda b: dict(key=b["key"], field=b["j"], n_starts=(4, 8), tol=1e-9, n_iter=5),
  key=KEYV, field=FIELD(), n_starts=[("str", "abc"), ("empty", ()), ("neg", (-1,)), ("huge", (HUGE,))], tol=R(NEGF),
  n_iter=I(NEG))
e(critical.saddle_search, lambda b: dict(field=b["j"], sigma0=b["sigma"], index=1, step_size=0.05, n_steps=5,
                                         polish=1),
  field=FIELD(), sigma0=A(jnp.ones(5)), index=I(NEG, ("big", 4)), step_size=R(NEGF), n_steps=I(NEG, HUGEV),
  polish=I(NEG))

# dynamics
e(dynamics.gradient_flow, lambda b: dict(field=b["j"], sigma0=b["sigma"], dt=0.05, n_steps=10, record_every=5),
  field=FIELD(), sigma0=A(jnp.ones(5)), dt=R(ZEROF, NEGF), n_steps=I(NEG, HUGEV), record_every=I(ZERO),
  waiting_times=[("str", "abc"), ("nan", (NAN,)), ("neg", (-1.0,))], method=CHOICE, hessian=BOOL,
  reference=A(jnp.ones(5)))
e(dynamics.langevin, lambda b: dict(key=b["key"], field=b["j"], sigma0=b["sigma"], temperature=0.5, dt=0.01,
                                    n_steps=10, record_every=5),
  key=KEYV, field=FIELD(), sigma0=A(jnp.ones(5)), temperature=R(NEGF), dt=R(ZEROF, NEGF), n_steps=I(NEG, HUGEV),
  record_every=I(ZERO), waiting_times=[("str", "abc"), ("nan", (NAN,))], hessian=BOOL, reference=A(jnp.ones(5)))
e(dynamics.cugliandolo_kurchan, lambda b: dict(xi=3, temperature=0.5, t_max=1.0, dt=0.1), xi=XI(),
  temperature=R(NEGF), t_max=R(NEGF, ("huge", 1e12)), dt=R(ZEROF, NEGF), signal=XI(), m0=R(("gt1", 2.0)))
e(dynamics.cugliandolo_kurchan_adaptive, lambda b: dict(xi=3, temperature=0.5, t_max=1.0, points=64), xi=XI(),
  temperature=R(NEGF), t_max=R(NEGF), waiting_times=[("str", "abc"), ("nan", (NAN,)), ("neg", (-1.0,))],
  points=I(ZERO, HUGEV), t_start=R(ZEROF, NEGF), signal=XI(), m0=R(("gt1", 2.0)))
e(dynamics.spherical_sk_gradient_flow, lambda b: dict(times=np.linspace(0.0, 1.0, 5)),
  times=A(None, ("neg", np.array([-1.0, 0.0]))))
e(dynamics.equilibrium_dynamics, lambda b: dict(xi=3, temperature=1.0, t_max=1.0, dt=0.1), xi=XI(),
  temperature=R(ZEROF, NEGF), t_max=R(NEGF, ("huge", 1e12)), dt=R(ZEROF, NEGF))
e(dynamics.mct_exponents, lambda b: dict(xi=3), xi=XI())
e(dynamics.parallel_tempering, lambda b: dict(key=b["key"], field=b["j"], temperatures=np.array([0.5, 1.0]),
                                              n_sweeps=3, n_adapt=2),
  key=KEYV, field=FIELD(), temperatures=A(None, ("neg", np.array([-1.0, 1.0])), ("zero", np.array([0.0, 1.0])),
                                          ("decreasing", np.array([1.0, 0.5])), ("empty", np.array([])),
                                          ("2d", np.ones((2, 2)))),
  n_sweeps=I(ZERO, HUGEV), moves_per_sweep=I(ZERO), n_adapt=I(NEG), step_size=R(NEGF, ZEROF, ("shape", np.ones(3))),
  target_acceptance=R(ZEROF, ("one", 1.0), NEGF), sigma0=A(jnp.ones((2, 5))))
e(dynamics.integrated_autocorrelation_time, lambda b: dict(series=np.arange(8.0), c=5.0),
  series=A(np.ones(3), ("3d", np.ones((4, 2, 2)))), c=R(ZEROF, NEGF))
e(dynamics.round_trips, lambda b: dict(temperature_index=np.array([[0, 1], [1, 0]])),
  temperature_index=[("str", "abc"), ("float", np.array([[0.5, 1.0]])), ("neg", np.array([[-1, 0]])),
                     ("big", np.array([[0, 2]])), ("shape", np.array([0, 1]))])

# rmt
e(rmt.sample_goe, lambda b: dict(key=b["key"], n=4, num=2), key=KEYV, n=I(ZERO, HUGEV), num=I(NEG, HUGEV))
for _f in (rmt.semicircle_density, rmt.semicircle_cdf, rmt.semicircle_log_potential):
    e(_f, lambda b: dict(x=np.array([0.5, 1.0])), x=A())
e(rmt.stieltjes_transform, lambda b: dict(z=np.array([3.0, 1.0 + 1.0j])), z=A())
for _f in (rmt.semicircle_moment, rmt.catalan, rmt.goe_genus_expansion):
    e(_f, lambda b: dict(k=4), k=I(NEG))
for _f in (rmt.pair_partitions, rmt.noncrossing_pair_partitions):
    e(_f, lambda b: dict(m=4), m=I(NEG, ("huge", 200)))
for _f in (rmt.is_noncrossing, rmt.pairing_genus, rmt.pairing_gluings):
    e(_f, lambda b: dict(pairing=b["pairing"]), pairing=[("str", "abc"), ("repeat", ((0, 0),)), ("neg", ((-1, 0),))])
e(rmt.bbp_outlier, lambda b: dict(theta=2.0), theta=A())
e(rmt.bbp_overlap, lambda b: dict(theta=2.0), theta=A())
e(rmt.empirical_moment, lambda b: dict(eigenvalues=np.array([-1.0, 0.5, 1.0]), k=2), eigenvalues=A(), k=I(NEG))
e(rmt.finite_n_goe_moment, lambda b: dict(n=4, k=2), n=I(ZERO), k=I(NEG))
e(rmt.sample_wigner, lambda b: dict(key=b["key"], n=4, entries="gaussian", num=2), key=KEYV, n=I(ZERO, HUGEV),
  entries=CHOICE, num=I(NEG, HUGEV))
e(rmt.wigner_fourth_moment, lambda b: dict(n=4, entry_fourth_moment=3), n=I(ZERO),
  entry_fourth_moment=[("str", "abc"), ("nan", NAN), ("inf", INF), ("neg", -1.0)])
e(rmt.semicircle_kolmogorov_distance, lambda b: dict(eigenvalues=np.array([-1.0, 0.5, 1.0]), center=0.0, radius=2.0),
  eigenvalues=A(), center=R(), radius=R(ZEROF, NEGF))
e(rmt.sample_spiked_goe, lambda b: dict(key=b["key"], n=4, theta=1.0, num=2), key=KEYV, n=I(ZERO, HUGEV), theta=R(),
  num=I(NEG, HUGEV))
for _f in (rmt.tracy_widom_goe_cdf, rmt.tracy_widom_goe_pdf):
    e(_f, lambda b: dict(s=np.array([-2.0, 0.0]), num_nodes=16), s=A(), num_nodes=I(ZERO, HUGEV))
e(rmt.finite_n_goe_density, lambda b: dict(x=np.array([0.0, 0.5]), n=4), x=A(), n=I(ZERO, HUGEV))

# kac_rice
for _f in (kac_rice.e_infinity, kac_rice.threshold_energy, kac_rice.ground_state_energy):
    e(_f, lambda b: dict(p=3), p=I(P1))
e(kac_rice.complexity, lambda b: dict(u=-1.6, p=3), u=A(), p=I(P1))
e(kac_rice.complexity_index, lambda b: dict(u=-1.6, p=3, k=0), u=A(), p=I(P1), k=I(NEG))
e(kac_rice.index_energy, lambda b: dict(p=3, k=0), p=I(P1), k=I(NEG))
e(kac_rice.typical_index, lambda b: dict(u=np.array([-1.6, 0.0]), n=4, p=3), u=A(), n=I(ZERO, P1), p=I(P1))
e(kac_rice.expected_critical_points, lambda b: dict(n=4, p=3), n=I(ZERO), p=I(P1), log=BOOL)
e(kac_rice.critical_point_density, lambda b: dict(u=np.array([-1.6, -1.0]), n=4, p=3), u=A(), n=I(ZERO), p=I(P1),
  log=BOOL)
e(kac_rice.fraction_of_minima, lambda b: dict(u=np.array([-1.6, -1.0]), n=4, p=3, law="typical"), u=A(),
  n=I(ZERO), p=I(P1), law=CHOICE)
e(kac_rice.expected_critical_points_by_index, lambda b: dict(n=4, p=3, k=0), n=I(ZERO), p=I(P1), k=I(NEG))
e(kac_rice.expected_critical_points_above, lambda b: dict(u=np.array([-1.6]), n=4, xi=3, side="above"), u=A(),
  n=I(ZERO), xi=XI(), side=CHOICE)
e(kac_rice.complexity_mixed, lambda b: dict(u=-1.6, xi=b["mix"]), u=A(), xi=XI())
e(kac_rice.expected_critical_points_mixed, lambda b: dict(n=4, xi=b["mix"]), n=I(ZERO), xi=XI(), log=BOOL)
e(kac_rice.mixed_threshold_energy, lambda b: dict(xi=b["mix"]), xi=XI())
e(kac_rice.complexity_mixed_minima, lambda b: dict(u=-1.6, xi=b["mix"]), u=A(), xi=XI())
e(kac_rice.mixed_minima_top_energy, lambda b: dict(xi=b["mix"]), xi=[*XI(), ("trivial", fields.Mixture((1, 3), (0.8, 0.2)))])

# tap
e(tap.tap_free_energy, lambda b: dict(field=b["j"], m=0.3 * b["sigma"], temperature=0.5), field=FIELD(),
  m=A(jnp.zeros(5)), temperature=R(ZEROF, NEGF))
e(tap.tap_free_energy_along, lambda b: dict(q=0.5, u=-2.0, p=3, temperature=0.5), q=A(None, ("gt1", 1.5)), u=R(),
  p=I(P1), temperature=R(ZEROF, NEGF))
e(tap.tap_plefka_parameter, lambda b: dict(q=0.5, xi=3, temperature=0.5), q=R(("gt1", 1.5)), xi=XI(),
  temperature=R(ZEROF, NEGF))
for _f in (tap.tap_self_overlap, tap.tap_state_free_energy, tap.tap_state_energy):
    e(_f, lambda b: dict(u=-2.0, p=3, temperature=0.5), u=R(), p=I(P1), temperature=R(ZEROF, NEGF))
e(tap.tap_spinodal_temperature, lambda b: dict(u=-2.0, p=3), u=R(), p=I(P1))
e(tap.tap_label_energy, lambda b: dict(q=0.9, p=3, temperature=0.5), q=R(("gt1", 1.5)), p=I(P1),
  temperature=R(ZEROF, NEGF))

# thermo
for _f in (thermo.paramagnetic_free_energy, thermo.paramagnetic_energy, thermo.equilibrium_complexity,
           thermo.solve_1rsb, thermo.threshold_1rsb):
    e(_f, lambda b: dict(xi=3, temperature=0.5), xi=XI(), temperature=R(ZEROF, NEGF))
e(thermo.crisanti_sommers_1rsb, lambda b: dict(xi=3, temperature=0.5, q=0.5, x=0.5), xi=XI(),
  temperature=R(ZEROF, NEGF), q=R(("gt1", 1.5)), x=R(("gt1", 1.5), NEGF))
e(thermo.complexity_1rsb, lambda b: dict(xi=3, temperature=0.5, x=1.0), xi=XI(), temperature=R(ZEROF, NEGF),
  x=R(NEGF))
for _f in (thermo.dynamical_temperature, thermo.static_temperature, thermo.ground_state_energy_1rsb,
           thermo.threshold_energy_1rsb):
    e(_f, lambda b: dict(xi=3), xi=XI())
e(thermo.log_second_moment, lambda b: dict(xi=3, temperature=1.0, n=8), xi=XI(), temperature=R(ZEROF, NEGF),
  n=I(P1, ZERO, HUGEV))
e(thermo.second_moment_temperature, lambda b: dict(xi=3), xi=XI())

# topology
e(topology.sphere_lipschitz_killing, lambda b: dict(dim=2, radius=1.0), dim=I(NEG, HUGEV), radius=R(ZEROF, NEGF))
e(topology.ec_densities, lambda b: dict(t=np.array([0.5, 1.0]), j_max=2), t=A(), j_max=I(NEG, HUGEV))
e(topology.expected_euler_characteristic, lambda b: dict(u=np.array([-1.0]), n=4, xi=3, method="gkf"), u=A(),
  n=I(ZERO, HUGEV), xi=XI(), method=CHOICE)
e(topology.log_expected_euler_characteristic, lambda b: dict(u=np.array([-1.0]), n=4, xi=3), u=A(), n=I(ZERO),
  xi=XI())
e(topology.morse_euler_characteristic,
  lambda b: dict(energies=np.array([-1.0, 0.0]), indices=np.array([0, 1]), n=4, levels=np.array([0.5])),
  energies=A(np.array([-1.0])), indices=[("str", "abc"), ("neg", np.array([-1, 0])), ("shape", np.array([0]))],
  n=I(ZERO), levels=A())
e(topology.morse_quotient, lambda b: dict(counts=np.array([2, 2, 2]), betti=np.array([1, 0, 1])),
  counts=[("str", "abc"), ("neg", np.array([-2, 2, 2])), ("float", np.array([0.5, 2, 2]))],
  betti=[("str", "abc"), ("neg", np.array([-1, 0, 1]))])
e(topology.icosphere, lambda b: dict(subdivisions=1), subdivisions=I(NEG, ("huge", 100)))
for _f in (topology.mesh_euler_characteristic, topology.excursion_betti_numbers):
    e(_f, lambda b: dict(values=b["values"], mesh=b["mesh"], levels=np.array([0.0])), values=A(np.zeros(3)),
      mesh=[("str", "abc")], levels=A())
e(topology.sublevel_persistence, lambda b: dict(values=b["values"], mesh=b["mesh"], min_persistence=0.0),
  values=A(np.zeros(3)), mesh=[("str", "abc")], min_persistence=R(NEGF))

# glm
_DATA_BAD = A(lambda v: v._replace(y=v.y[:-1]), ("teacher", lambda v: v._replace(teacher=v.teacher[:-1])))
_INST_BAD = A(lambda v: v._replace(Y=v.Y[:-1]), ("T", lambda v: v._replace(T=v.T[:-1])))
e(glm.Loss, lambda b: dict(f=_cube2, name="c"), f=FN, name=[("int", 3)], params=[("str", "abc")])
e(glm.phase_retrieval_loss, lambda b: dict(a=1.0), a=R(ZEROF, NEGF))
e(glm.correlation_loss, lambda b: dict())
e(glm.square_intensity_loss, lambda b: dict())
e(glm.derivatives, lambda b: dict(loss=b["loss"], z=jnp.ones(3), y=jnp.ones(3)), loss=FN, z=A(jnp.ones(2)),
  y=A(jnp.ones(2)))
e(glm.sample, lambda b: dict(key=b["key"], n=12, d=4, teacher="phase"), key=KEYV, n=I(ZERO, HUGEV),
  d=I(ZERO, HUGEV), teacher=CHOICE)
for _f in (glm.empirical_risk, glm.euclidean_gradient, glm.euclidean_hessian, glm.riemannian_gradient,
           glm.riemannian_hessian, glm.multiplier, glm.scaled_hessian):
    e(_f, lambda b: dict(loss=b["loss"], data=b["data"], theta=b["theta"]), loss=FN, data=_DATA_BAD, theta=A(jnp.ones(5)))
e(glm.overlap, lambda b: dict(data=b["data"], theta=b["theta"]), data=_DATA_BAD, theta=A(jnp.ones(5)))
e(glm.gradient_flow, lambda b: dict(loss=b["loss"], data=b["data"], theta0=b["theta"], dt=0.05, n_steps=10,
                                    record_every=5),
  loss=FN, data=_DATA_BAD, theta0=A(jnp.ones(5)), dt=R(ZEROF, NEGF), n_steps=I(NEG, HUGEV), record_every=I(ZERO),
  hessian=BOOL, method=CHOICE)
_WB = [("str", "abc"), ("nan", (NAN, 1.0)), ("inf", (INF, INF)), ("order", (1.0, -1.0)), ("len", (1.0,))]
e(glm.hessian_spectrum_at_random, lambda b: dict(loss=b["loss"], alpha=4.0, num_nodes=40), loss=FN,
  alpha=R(ZEROF, NEGF), weight_bounds=_WB, num_nodes=I(ZERO, HUGEV))
e(glm.init_bbp_threshold, lambda b: dict(loss=b["loss"], num_nodes=40), loss=FN, weight_bounds=_WB,
  num_nodes=I(ZERO, HUGEV), alpha_max=R(ZEROF, NEGF))
e(glm.weighted_mp_density, lambda b: dict(lam=np.array([0.5, 1.0]), weights=np.array([1.0, 2.0]),
                                          probabilities=np.array([0.5, 0.5]), alpha=2.0),
  lam=A(), weights=A(np.array([1.0])), probabilities=A(np.array([1.0]), ("neg", np.array([-0.5, 1.5]))),
  alpha=R(ZEROF, NEGF))
e(glm.spectral_method_spectrum, lambda b: dict(preprocessing=glm.optimal_preprocessing, alpha=2.0, num_nodes=40),
  preprocessing=FN, alpha=R(ZEROF, NEGF), top=BOOL, weight_bounds=_WB, num_nodes=I(ZERO, HUGEV))
e(glm.spectral_threshold, lambda b: dict(preprocessing=glm.optimal_preprocessing, num_nodes=40),
  preprocessing=FN, top=BOOL, weight_bounds=_WB, num_nodes=I(ZERO, HUGEV), alpha_max=R(ZEROF, NEGF))
e(glm.optimal_preprocessing, lambda b: dict(y=np.array([0.5, 1.0])), y=A())
_KR = dict(grid_step=0.1)
e(glm.complexity, lambda b: dict(loss=b["loss"], alpha=4.0, m=0.0, weight_bound=-4.0, **_KR), loss=FN,
  alpha=R(ZEROF, NEGF), m=R(("gt1", 1.5)), e=R(), branch=CHOICE, start=[("str", "abc")], weight_bound=R(),
  grid_step=R(ZEROF, NEGF), grid_extent=R(ZEROF, NEGF))
e(glm.minima_phase, lambda b: dict(loss=b["loss"], alpha=4.0, m=0.0, weight_bound=-4.0, **_KR), loss=FN,
  alpha=R(ZEROF, NEGF), m=R(("gt1", 1.5)), start=[("str", "abc")], weight_bound=R(), e_step=R(ZEROF, NEGF),
  e_floor=R(), e_guess=[("str", "abc")], grid_step=R(ZEROF, NEGF), grid_extent=R(ZEROF, NEGF))
e(glm.minima_thresholds, lambda b: dict(loss=b["loss"], m=0.0, alphas=(4.0, 5.0), weight_bound=-4.0, **_KR),
  loss=FN, m=R(("gt1", 1.5)), alphas=A(None, ("neg", (-1.0, 4.0)), ("empty", ())), weight_bound=R(),
  grid_step=R(ZEROF, NEGF), grid_extent=R(ZEROF, NEGF))
e(glm.descent_problem, lambda b: dict(key=b["key"], alpha=3.0, d=4, index=0), key=KEYV, alpha=R(ZEROF, NEGF),
  d=I(ZERO, HUGEV), index=I(NEG))
e(glm.descent_experiment, lambda b: dict(key=b["key"], loss=b["loss"], alphas=np.array([3.0]), d=4, n_samples=1,
                                         n_steps=4, record_every=2, n_warmup=2, hessian=False),
  key=KEYV, loss=FN, alphas=A(None, ("neg", np.array([-1.0])), ("empty", np.array([]))), d=I(ZERO, HUGEV),
  n_samples=I(ZERO, HUGEV), dt=R(ZEROF, NEGF), n_steps=I(NEG, HUGEV), record_every=I(ZERO), method=CHOICE,
  n_warmup=I(NEG), warmup_courant=R(ZEROF, NEGF), hessian=BOOL, pad=[("str", "abc"), NEG],
  batch_size=I(ZERO))

# spiked
e(spiked.SpikedMatrixTensor, lambda b: dict(p=3, delta2=0.5, deltap=1.0), p=I(P1), delta2=R(ZEROF, NEGF),
  deltap=R(ZEROF, NEGF))
e(spiked.sample, lambda b: dict(key=b["key"], n=5, model=b["model"]), key=KEYV, n=I(ZERO, HUGEV),
  model=[("str", "abc")])
e(spiked.loss_field, lambda b: dict(instance=b["inst"]), instance=_INST_BAD)
for _f in (spiked.loss, spiked.riemannian_gradient, spiked.riemannian_hessian):
    e(_f, lambda b: dict(instance=b["inst"], x=b["x5"]), instance=_INST_BAD, x=A(jnp.ones(4)))
e(spiked.expected_loss, lambda b: dict(model=b["model"], signal=b["x5"], x=b["y5"]), model=[("str", "abc")],
  signal=A(jnp.ones(4)), x=A(jnp.ones(4)))
e(spiked.loss_covariance, lambda b: dict(model=b["model"], x=b["x5"], y=b["y5"]), model=[("str", "abc")],
  x=A(jnp.ones(4)), y=A(jnp.ones(4)))
for _f in (spiked.bayes_amp_threshold, spiked.ml_amp_threshold, spiked.gradient_flow_threshold):
    e(_f, lambda b: dict(p=3, deltap=1.0), p=I(P1), deltap=A(None, ZEROF, NEGF))
for _f in (spiked.ml_amp, spiked.bayes_amp):
    e(_f, lambda b: dict(instance=b["inst"], x0=b["y5"], n_iter=3), instance=_INST_BAD, x0=A(jnp.ones(4)),
      n_iter=I(NEG, HUGEV))
e(spiked.ml_amp_state_evolution, lambda b: dict(model=b["model"], m0=0.1, n_iter=3), model=[("str", "abc")],
  m0=A(None, ("gt1", 1.5)), n_iter=I(NEG, HUGEV))
e(spiked.bayes_amp_state_evolution, lambda b: dict(model=b["model"], m0=0.1, n_iter=3, q0=0.2),
  model=[("str", "abc")], m0=A(None, ("gt1", 1.5)), n_iter=I(NEG, HUGEV), q0=A(None, ("neg", -0.5)))
e(spiked.gradient_flow, lambda b: dict(instance=b["inst"], x0=b["y5"], dt=0.05, n_steps=10, record_every=5),
  instance=_INST_BAD, x0=A(jnp.ones(4)), dt=R(ZEROF, NEGF), n_steps=I(NEG, HUGEV), record_every=I(ZERO), hessian=BOOL,
  method=CHOICE)
e(spiked.gradient_flow_dmft, lambda b: dict(model=b["model"], t_max=1.0, dt=0.1, m0=1e-3),
  model=[("str", "abc")], t_max=R(NEGF, ("huge", 1e12)), dt=R(ZEROF, NEGF), m0=R(("gt1", 1.5)), adaptive=BOOL,
  points=I(ZERO, HUGEV))
e(spiked.complexity, lambda b: dict(m=0.5, u=-1.0, model=b["model"]), m=A(None, ("gt1", 1.5)), u=A(),
  model=[("str", "abc")])
e(spiked.complexity_minima, lambda b: dict(m=0.5, model=b["model"]), m=A(None, ("gt1", 1.5)), model=[("str", "abc")],
  u=A(None))
e(spiked.hessian_bottom, lambda b: dict(model=b["model"], mu=3.0, m=0.5), model=[("str", "abc")], mu=A(),
  m=A(None, ("gt1", 1.5)))
e(spiked.good_minimum, lambda b: dict(model=b["model"]), model=[("str", "abc")])
e(spiked.trivialization_threshold, lambda b: dict(p=3, deltap=1.0, region="all"), p=I(P1), deltap=R(ZEROF, NEGF),
  region=CHOICE)

# networks (chapter 11) and the Lanczos routines of rmt


@functools.cache
def _nb() -> dict[str, Any]:
    """A tiny network (K = 3) and a slice of the digits."""
    d = networks.digits()
    small = networks.Dataset(d.x_train[:40], d.y_train[:40], d.x_test[:10], d.y_test[:10])
    p = networks.init_mlp(jax.random.key(0), d.x_train.shape[1], 3, 10)
    q = networks.init_mlp(jax.random.key(1), d.x_train.shape[1], 3, 10)
    return dict(data=small, p=p, q=q, x=small.x_train, y=small.y_train, P=networks.n_params(p))


_PARAMS = [("nan", lambda v: _poison(v, NAN)), ("inf", lambda v: _poison(v, INF)), ("str", "abc"),
           ("shape", lambda v: networks.MLP(v.w1, v.b1[:2], v.w2, v.b2))]
_Y = [("str", "abc"), ("float", np.full(40, 0.5)), ("range", np.full(40, 10, dtype=np.int32)),
      ("shape", np.zeros(3, dtype=np.int32))]
_X = A(np.ones((40, 2)))
_DATA = [("str", "abc"), ("nan", lambda v: _poison(v, NAN))]
_TS = A(np.ones((2, 2)), ("out", np.array([0.0, 2.0])))
_WD = R(NEGF)
_OPT = dict(learning_rate=R(ZEROF, NEGF), momentum=R(NEGF, ("one", 1.0)), activation=CHOICE, weight_decay=_WD)
e(networks.digits, lambda b: dict(seed=0, test_fraction=0.25), seed=I(NEG), test_fraction=R(ZEROF, ("one", 1.0)))
e(networks.init_mlp, lambda b: dict(key=b["key"], n_in=4, width=3, n_out=10), key=KEYV, n_in=I(ZERO, HUGEV),
  width=I(ZERO, HUGEV), n_out=I(P1, HUGEV))
e(networks.apply, lambda b: dict(params=_nb()["p"], x=_nb()["x"], activation="tanh"), params=_PARAMS, x=_X,
  activation=CHOICE)
e(networks.loss, lambda b: dict(params=_nb()["p"], x=_nb()["x"], y=_nb()["y"], activation="relu", weight_decay=0.1),
  params=_PARAMS, x=_X, y=_Y, activation=CHOICE, weight_decay=_WD)
e(networks.accuracy, lambda b: dict(params=_nb()["p"], x=_nb()["x"], y=_nb()["y"], activation="relu"),
  params=_PARAMS, x=_X, y=_Y, activation=CHOICE)
e(networks.n_params, lambda b: dict(params=_nb()["p"]), params=_PARAMS)
e(networks.flatten, lambda b: dict(params=_nb()["p"]), params=_PARAMS)
e(networks.unflatten, lambda b: dict(theta=jnp.ones(_nb()["P"]), like=_nb()["p"]), theta=A(np.ones(3)),
  like=[("str", "abc")])
_TRAIN = dict(key=KEYV, data=_DATA, width=I(ZERO, HUGEV), n_steps=I(ZERO), batch_size=I(ZERO, HUGEV),
              record_every=I(ZERO, ("nodiv", 3)), checkpoints=BOOL, **_OPT)
e(networks.train, lambda b: dict(key=b["key"], data=_nb()["data"], width=2, n_steps=4, batch_size=8, record_every=2),
  **_TRAIN)
e(networks.train_seeds, lambda b: dict(key=b["key"], data=_nb()["data"], width=2, n_seeds=2, n_steps=4,
                                       batch_size=8, record_every=2), n_seeds=I(ZERO, HUGEV), **_TRAIN)
e(networks.permute_hidden, lambda b: dict(params=_nb()["p"], perm=np.array([2, 0, 1])), params=_PARAMS,
  perm=[("str", "abc"), ("dup", np.array([0, 0, 1])), ("float", np.array([0.5, 1.5, 2.0])), ("len", np.array([0, 1]))])
e(networks.align_hidden, lambda b: dict(params_a=_nb()["p"], params_b=_nb()["q"]), params_a=_PARAMS,
  params_b=_PARAMS)
e(networks.line_losses, lambda b: dict(params_a=_nb()["p"], params_b=_nb()["q"], x=_nb()["x"], y=_nb()["y"],
                                       ts=np.linspace(0, 1, 3)),
  params_a=_PARAMS, params_b=_PARAMS, x=_X, y=_Y, ts=_TS, activation=CHOICE, weight_decay=_WD)
e(networks.bezier_losses, lambda b: dict(params_a=_nb()["p"], bend=_nb()["q"], params_b=_nb()["q"], x=_nb()["x"],
                                         y=_nb()["y"], ts=np.linspace(0, 1, 3)),
  params_a=_PARAMS, bend=_PARAMS, params_b=_PARAMS, x=_X, y=_Y, ts=_TS, activation=CHOICE, weight_decay=_WD)
e(networks.fit_bezier, lambda b: dict(key=b["key"], params_a=_nb()["p"], params_b=_nb()["q"], data=_nb()["data"],
                                      n_steps=2, batch_size=8),
  key=KEYV, params_a=_PARAMS, params_b=_PARAMS, data=_DATA, n_steps=I(ZERO), batch_size=I(ZERO, HUGEV), **_OPT)
e(networks.barrier, lambda b: dict(ts=np.linspace(0, 1, 3), losses=np.array([1.0, 2.0, 1.0])), ts=_TS,
  losses=A(np.ones(2)))
_HESS = dict(params=_PARAMS, x=_X, y=_Y, activation=CHOICE, weight_decay=_WD)
e(networks.hvp, lambda b: dict(params=_nb()["p"], x=_nb()["x"], y=_nb()["y"], v=jnp.ones(_nb()["P"])),
  v=A(np.ones(3)), **_HESS)
e(networks.hessian_operator, lambda b: dict(params=_nb()["p"], x=_nb()["x"], y=_nb()["y"]), **_HESS)
e(networks.hessian, lambda b: dict(params=_nb()["p"], x=_nb()["x"], y=_nb()["y"]), **_HESS)
e(networks.index, lambda b: dict(eigenvalues=np.array([-1.0, 1.0]), tol=0.0), eigenvalues=A(np.ones((2, 2))),
  tol=R(NEGF))


def _eye4(v):
    return jnp.arange(1.0, 5.0) * v


e(rmt.lanczos, lambda b: dict(matvec=_eye4, v0=jnp.ones(4), n_steps=3), matvec=FN,
  v0=A(None, ("zero", np.zeros(4)), ("2d", np.ones((2, 2)))), n_steps=I(ZERO, ("big", 5)))
e(rmt.slq, lambda b: dict(key=b["key"], matvec=_eye4, dim=4, n_steps=3, n_vectors=2), key=KEYV, matvec=FN,
  dim=I(ZERO, HUGEV, ("wrong", 5)), n_steps=I(ZERO, ("big", 5)), n_vectors=I(ZERO, HUGEV))
e(rmt.slq_density, lambda b: dict(quadrature=rmt.slq(b["key"], _eye4, 4, 3, 2), grid=np.linspace(0, 5, 11),
                                  width=0.1), quadrature=[("str", "abc")], grid=A(), width=R(ZEROF, NEGF))
e(rmt.slq_moment, lambda b: dict(quadrature=rmt.slq(b["key"], _eye4, 4, 3, 2), k=2), quadrature=[("str", "abc")],
  k=I(NEG))

# plotting
e(plotting.use_book_style, lambda b: dict())
e(plotting.index_style, lambda b: dict(k=0), k=I(NEG))
e(plotting.index_label, lambda b: dict(k=0, n=4), k=I(NEG, ("big", 4)), n=I(ZERO))
e(plotting.sphere_grid, lambda b: dict(n_lat=6, n_lon=8, radius=1.0), n_lat=I(ZERO, HUGEV), n_lon=I(ZERO, HUGEV),
  radius=R(ZEROF, NEGF))
e(plotting.to_lat_lon, lambda b: dict(points=np.array([[1.0, 0.0, 0.0], [0.0, 0.6, 0.8]])),
  points=A(np.ones((2, 2)), ("zero", np.zeros((1, 3)))))


# units
e(units.factor, lambda b: dict(quantity="energy", scale=0.5), quantity=CHOICE, scale=R(ZEROF, NEGF))
for _f in (units.to_literature, units.to_book):
    e(_f, lambda b: dict(value=1.0, quantity="temperature", scale=0.5), value=A(), quantity=CHOICE,
      scale=R(ZEROF, NEGF))

# reference
e(reference.values, lambda b: dict())
e(reference.book_value, lambda b: dict(key="threshold_p3"), key=CHOICE)
e(reference.table, lambda b: dict(keys=["threshold_p3"]), keys=[("bogus", ["bogus"]), ("str", "abc"), ("int", 3)])

# notebook
e(notebook.glue, lambda b: dict(name="bad-inputs-baseline", value=1.0), name=[("int", 3), ("empty", ""), ("blank", " ")],
  display=BOOL)

def _cube2(z, y):
    return (z**2 - y) ** 2


# Public callables with no entry, each with the reason.
EXEMPT = {
    "plotting.draw_sphere",  # draws on a matplotlib Axes (its checks are tested in test_plotting.py)
    "plotting.legend_for_indices",  # draws on a matplotlib Axes
}

# ------------------------------------------------------------------------------------------- tests


def _cases():
    for entry in T:
        for param, variants in entry.bad.items():
            for label, value in variants:
                yield pytest.param(entry, param, value, id=f"{entry.name}[{param}={label}]")


def _defined_functions(module) -> set[str]:
    return {n for n, o in vars(module).items() if not n.startswith("_") and inspect.isfunction(o)
            and o.__module__ == module.__name__}


def _public(module) -> list[str]:
    short = module.__name__.rsplit(".", 1)[-1]
    names = getattr(module, "__all__", None)
    assert names is not None, f"{short} has no __all__"
    assert _defined_functions(module) <= set(names), f"{short}: a public function missing from __all__"
    return [n for n in names if callable(getattr(module, n))
            and not (inspect.isclass(getattr(module, n)) and _is_result_type(getattr(module, n)))]


def _is_result_type(cls) -> bool:
    """NamedTuples (result types) and dataclasses without a validating ``__post_init__`` need no entry."""
    if issubclass(cls, tuple) and hasattr(cls, "_fields"):
        return True
    return hasattr(cls, "__dataclass_fields__") and "__post_init__" not in vars(cls)


def test_every_public_callable_has_an_entry():
    covered = {entry.name for entry in T}
    missing = []
    for mod_name in ls.__all__:
        module = getattr(ls, mod_name)
        if not inspect.ismodule(module):
            continue
        for name in _public(module):
            full = f"{mod_name}.{name}"
            if full not in covered and full not in EXEMPT:
                missing.append(full)
    assert not missing, f"public callables without a bad-input entry: {missing}"





def test_modules_outside_the_package_namespace_have_entries():
    """units and reference are imported as submodules (landscape.units, landscape.reference) until the package's
    __all__ lists them; their public callables need entries too."""
    covered = {entry.name for entry in T}
    missing = [f"{m.__name__.rsplit('.', 1)[-1]}.{n}" for m in (units, reference) for n in _public(m)
               if f"{m.__name__.rsplit('.', 1)[-1]}.{n}" not in covered | EXEMPT]
    assert not missing, f"public callables without a bad-input entry: {missing}"

def _call(entry: Entry, kwargs: dict):
    return entry.fn(**kwargs)


@pytest.mark.parametrize("entry", T, ids=[entry.name for entry in T])
def test_baseline(entry):
    _call(entry, entry.kwargs(_b()))


@pytest.mark.parametrize("entry, param, bad", list(_cases()))
def test_bad_input(entry, param, bad):
    kwargs = entry.kwargs(_b())
    if callable(bad) and not isinstance(bad, str):
        bad = bad(kwargs.get(param, inspect.signature(entry.fn).parameters[param].default))
    kwargs[param] = bad
    with pytest.raises((ValueError, TypeError)) as info:
        _call(entry, kwargs)
    assert re.search(rf"\b{param}\b", str(info.value)), f"the message does not name {param!r}: {info.value}"

"""landscape: the mathematics and numerics of the *Landscapes* book, in JAX.

Random high-dimensional landscapes on the sphere ``S_N = {σ ∈ R^N : |σ|² = N}``: isotropic Gaussian fields
(spherical p-spin models), their Riemannian derivatives, random matrices, and the tools to find and classify
critical points. Conventions are those of the book's notation sheet: ``E[H(σ)H(σ')] = N ξ(σ·σ'/N)``, GOE
spectra on ``[-2, 2]``, intensive energies ``u = H/N``.

Importing the package changes two JAX settings for the whole process, before any array is created:

* it switches JAX to 64-bit floats (``jax_enable_x64``), for every array of the process, not only the
  package's: a ``jnp.ones(3)`` made after ``import landscape`` is float64 (the book's numbers need it; set
  ``jax.config.update("jax_enable_x64", False)`` after the import to undo it, at the price of wrong digits in
  the package's results);
* it switches on JAX's persistent compilation cache, so that a chapter run a second time (in Jupyter, in
  another process) loads its compiled programs from disk instead of compiling them again. The cache goes to
  ``$XDG_CACHE_HOME/landscapes/jax`` (by default ``~/.cache/landscapes/jax``), and only if you have not chosen
  a cache yourself (``JAX_COMPILATION_CACHE_DIR`` or ``jax.config.jax_compilation_cache_dir``). Set
  ``LANDSCAPES_JAX_CACHE=0`` to leave it off. The book's scripts set ``JAX_COMPILATION_CACHE_DIR`` to
  ``.jax_cache/`` in the repository instead.

Errors and limits: every public function checks its arguments when they are concrete values and raises
``TypeError``/``ValueError`` naming the parameter; under ``jax.jit``/``jax.vmap`` the arguments are tracers and
value checks (finiteness, ranges, on-sphere) cannot run, so validate outside the transformation (call the function
once on concrete inputs, or prepare a field with :func:`landscape.fields.prepare`, which checks it). Sizes that
would allocate more than :func:`max_bytes` (4 GiB by default; :func:`set_max_bytes`) are refused before
allocating.
"""

import os

import jax

jax.config.update("jax_enable_x64", True)

if os.environ.get("LANDSCAPES_JAX_CACHE", "1") != "0" and not jax.config.jax_compilation_cache_dir:
    _cache_home = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    jax.config.update("jax_compilation_cache_dir", os.path.join(_cache_home, "landscapes", "jax"))
    if "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS" not in os.environ:
        jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.1)

from . import (  # noqa: E402
    algorithms, critical, dynamics, fields, glm, kac_rice, networks, notebook, plotting, reference, rmt, sphere, spiked, tap, thermo,
    topology, units,
)
from ._validate import max_bytes, set_max_bytes  # noqa: E402

__all__ = ["algorithms", "critical", "dynamics", "fields", "glm", "kac_rice", "networks", "notebook", "plotting", "reference", "rmt", "sphere",
           "spiked", "tap", "thermo", "topology", "units", "max_bytes", "set_max_bytes"]
__version__ = "0.1.0"

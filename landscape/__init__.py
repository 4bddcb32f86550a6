"""landscape: the mathematics and numerics of the *Landscapes* book, in JAX.

Random high-dimensional landscapes on the sphere ``S_N = {σ ∈ R^N : |σ|² = N}``: isotropic Gaussian fields
(spherical p-spin models), their Riemannian derivatives, random matrices, and the tools to find and classify
critical points. Conventions are those of the book's notation sheet: ``E[H(σ)H(σ')] = N ξ(σ·σ'/N)``, GOE
spectra on ``[-2, 2]``, intensive energies ``u = H/N``.

Importing the package switches JAX to 64-bit floats, once, before any array is created.
"""

import jax

jax.config.update("jax_enable_x64", True)

from . import critical, dynamics, fields, kac_rice, plotting, rmt, sphere, tap, thermo, topology  # noqa: E402

__all__ = ["critical", "dynamics", "fields", "kac_rice", "plotting", "rmt", "sphere", "tap", "thermo", "topology"]
__version__ = "0.1.0"

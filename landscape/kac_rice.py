r"""The Kac–Rice picture of the pure spherical p-spin model: threshold and (later) complexities.

For the pure p-spin with :math:`\xi(q) = q^p`, the Hessian on the tangent space at a critical point of energy
:math:`u = H/N` is :math:`\sqrt{(N-1)/N}\sqrt{p(p-1)}\,W_{N-1} - pu\,I` with :math:`W` a GOE matrix whose spectrum
fills :math:`[-2, 2]`. Its bulk is therefore a semicircle of radius :math:`2\sqrt{p(p-1)}` centred at
:math:`-pu`, which lies in :math:`(0,\infty)` exactly when :math:`u < -E_\infty` with

.. math:: E_\infty(p) = 2\sqrt{\frac{p-1}{p}} .

Source: Auffinger, Ben Arous & Černý, *Random matrices and complexity of spin glasses*, CPAM 66 (2013) 165,
where the threshold is introduced. (A lecture note in circulation writes the threshold as
:math:`-E_\infty\sqrt{(p-2)/(p-1)}`; that is wrong.)
"""

from __future__ import annotations

import math

from . import _validate


def e_infinity(p: int) -> float:
    r""":math:`E_\infty(p) = 2\sqrt{(p-1)/p}`, the energy scale at which the Hessian bulk touches zero.

    Auffinger, Ben Arous & Černý (2013). For :math:`p = 3`, :math:`E_\infty = 1.632993\ldots`.
    """
    p = _validate.integer("p", p, minimum=2)
    return 2.0 * math.sqrt((p - 1) / p)


def threshold_energy(p: int) -> float:
    r"""The threshold energy :math:`u_{\mathrm{th}} = -E_\infty(p) = -2\sqrt{(p-1)/p}` (energy per spin).

    Below it the semicircle :math:`-pu + 2\sqrt{p(p-1)}\,[-1, 1]` of Hessian eigenvalues lies in
    :math:`(0, \infty)`: typical critical points are minima (Auffinger, Ben Arous & Černý 2013).
    """
    return -e_infinity(p)

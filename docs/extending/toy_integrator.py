"""A new flow integrator: Heun's method with an embedded Euler step, from its Butcher
tableau. The tableau checks its own order conditions when it is built; the explicit
Runge-Kutta stepper supplies the stages, the error estimate and the step-size control."""

from fractions import Fraction

import numpy as np

from momentrnn import init_student, integrate_flow, named_teacher
from momentrnn.dynamics import flow_methods, register_integrator
from momentrnn.dynamics.integrators import ButcherTableau, ExplicitRungeKutta
from momentrnn.errors import InputError

HALF = Fraction(1, 2)
HEUN = ButcherTableau(name="Heun-Euler", c=(0, 1), a=((), (1,)), b=(HALF, HALF),
                      b_hat=(1, 0), order=2, embedded_order=1)


@register_integrator
class Heun(ExplicitRungeKutta):
    """Explicit Heun (order 2) with the Euler step as its error estimate (order 1)."""

    name = "heun"
    tableau = HEUN


# The integrator is a name like the others: integrate_flow(method=...), momentrnn flow --method.
assert "heun" in flow_methods()
student, teacher = init_student(4, scale=0.1, seed=0), named_teacher("decaying")
run = integrate_flow(student, teacher, k=3, method="heun", t_max=3.0, rtol=1e-7, atol=1e-11)
reference = integrate_flow(student, teacher, k=3, method="rosenbrock", t_max=3.0,
                           rtol=1e-10, atol=1e-14)
gap = np.max(np.abs(run.parameters[-1] - reference.parameters[-1]))
assert run.method == "heun" and run.status == "t_max" and gap < 1e-6
print(f"heun: {run.steps} steps, largest difference from RODAS4 {gap:.1e}")

# A tableau that does not have the order it claims is refused when it is built.
try:
    ButcherTableau(name="wrong", c=(0, 1), a=((), (1,)), b=(Fraction(1, 3), Fraction(2, 3)),
                   b_hat=(1, 0), order=2, embedded_order=1)
except InputError as exc:
    print("refused:", str(exc)[:80])
else:
    raise AssertionError("a tableau without its order was accepted")

"""A new flow integrator: classical RK4, from its Butcher tableau, with the midpoint stage as
its (first-order) error estimate. The tableau checks its own order conditions when it is
built; the explicit Runge-Kutta stepper supplies the stages and the error estimate, the
driver the loop (step-size control, events, recording, the status). In the package this
module would be ``momentrnn/dynamics/integrators/rk4.py`` plus one import line in that
package's ``__init__.py``."""

from fractions import Fraction

import numpy as np

from momentrnn import init_student, integrate_flow, named_teacher
from momentrnn.dynamics import flow_methods
from momentrnn.dynamics.integrators import ButcherTableau, ExplicitRungeKutta
from momentrnn.dynamics.integrators.registry import register_integrator
from momentrnn.errors import InputError

HALF, SIXTH, THIRD = Fraction(1, 2), Fraction(1, 6), Fraction(1, 3)
RK4 = ButcherTableau(name="RK4", c=(0, HALF, HALF, 1), a=((), (HALF,), (0, HALF), (0, 0, 1)),
                     b=(SIXTH, THIRD, THIRD, SIXTH), b_hat=(0, 0, 1, 0), order=4,
                     embedded_order=1)


@register_integrator
class ClassicalRK4(ExplicitRungeKutta):
    """Classical Runge-Kutta (order 4), its step controlled by the midpoint stage (order 1)."""

    name = "rk4"
    tableau = RK4


# The integrator is a name like the others: integrate_flow(method=...), momentrnn flow --method.
assert "rk4" in flow_methods()
student, teacher = init_student(4, scale=0.1, seed=0), named_teacher("decaying")
run = integrate_flow(student, teacher, k=3, method="rk4", t_max=3.0, rtol=1e-7, atol=1e-11)
reference = integrate_flow(student, teacher, k=3, method="rosenbrock", t_max=3.0,
                           rtol=1e-10, atol=1e-14)
gap = np.max(np.abs(run.parameters[-1] - reference.parameters[-1]))
assert run.method == "rk4" and run.status == "t_max" and gap < 1e-6
print(f"rk4: {run.steps} steps, largest difference from RODAS4 {gap:.1e}")

# A tableau that does not have the order it claims is refused when it is built.
try:
    ButcherTableau(name="wrong", c=(0, 1), a=((), (1,)), b=(Fraction(1, 3), Fraction(2, 3)),
                   b_hat=(1, 0), order=2, embedded_order=1)
except InputError as exc:
    print("refused:", str(exc)[:80])
else:
    raise AssertionError("a tableau without its order was accepted")

"""Tests that catch one-line mutants of ``momentrnn.rnn.models`` that the rest of the suite let
through (found by ``benchmarks/bench_mutation_procedural.py``)."""

import numpy as np
import pytest

from momentrnn import LinearRNN


@pytest.mark.parametrize("r", [0.5, 0.39, 1 / 3])
def test_measure_of_a_rotation_keeps_its_complex_atoms(r):
    """A = r * rotation by 90 degrees has the atoms +-i r; with B = C = e_1 the weights are
    1/2 and 1/2, real. Real weights must not make the atoms real: dropping their imaginary
    parts would merge them into one atom at 0 (a wrong measure)."""
    A = np.array([[0.0, -r], [r, 0.0]])
    m = LinearRNN(A, np.array([1.0, 0.0]), np.array([1.0, 0.0])).measure()
    atoms = sorted((complex(a) for a in m.atoms), key=lambda z: z.imag)
    assert len(atoms) == 2
    assert atoms[0] == pytest.approx(-1j * r, abs=1e-15)
    assert atoms[1] == pytest.approx(1j * r, abs=1e-15)
    assert [complex(w) for w in m.weights] == pytest.approx([0.5, 0.5], abs=1e-15)
    h = m.moments(8)
    assert [complex(v) for v in h] == pytest.approx(
        [complex(v) for v in LinearRNN(A, np.array([1.0, 0.0]),
                                       np.array([1.0, 0.0])).impulse_response(8)], abs=1e-15)


def test_measure_of_a_real_spectrum_has_real_atoms():
    """Real eigenvalues and weights give a real measure (float atoms, not complex with 0j)."""
    A = np.array([[0.39, 0.1], [0.0, -0.5]])
    m = LinearRNN(A, np.array([1.0, 1 / 3]), np.array([0.25, -1.5])).measure()
    assert all(isinstance(v, float) for v in m.atoms + m.weights)
    assert m.is_real

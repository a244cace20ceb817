from fractions import Fraction

import numpy as np
import pytest

from momentrnn import (
    MP,
    DiagonalRNN,
    DiscreteMeasure,
    Exact,
    LinearRNN,
    SymmetricRNN,
    effective_dimension,
    extrapolation_error,
    init_student,
    moment_loss,
    moment_loss_gradient,
    moment_loss_hessian,
    named_teacher,
    random_teacher,
    teacher_from_measure,
)
from momentrnn.errors import InputError


def _flat(g):
    if isinstance(g, DiagonalRNN):
        return np.stack([g.a, g.b, g.c], axis=1).ravel()
    return np.concatenate([g.A.ravel(), g.B, g.C])


def _model_like(model, theta):
    if isinstance(model, DiagonalRNN):
        t = theta.reshape(-1, 3)
        return DiagonalRNN(t[:, 0], t[:, 1], t[:, 2])
    d = model.dim
    return LinearRNN(theta[: d * d].reshape(d, d), theta[d * d : d * d + d], theta[d * d + d :])


@pytest.mark.parametrize("full", [False, True])
@pytest.mark.parametrize("lag_weights", [None, "all_outputs"])
def test_gradient_and_hessian_against_finite_differences(full, lag_weights):
    teacher = named_teacher("several")
    model = init_student(5, scale=0.4, seed=3, diagonal=not full)
    k = 7
    theta = _flat(model)
    g = _flat(moment_loss_gradient(model, teacher, k=k, lag_weights=lag_weights))
    H = moment_loss_hessian(model, teacher, k=k, lag_weights=lag_weights)
    eps = 1e-6
    for i in range(theta.size):
        e = np.zeros(theta.size)
        e[i] = eps
        lp = moment_loss(_model_like(model, theta + e), teacher, k=k, lag_weights=lag_weights)
        lm = moment_loss(_model_like(model, theta - e), teacher, k=k, lag_weights=lag_weights)
        assert abs((lp - lm) / (2 * eps) - g[i]) < 1e-7 * (1 + abs(g[i]))
        gp = _flat(moment_loss_gradient(_model_like(model, theta + e), teacher, k=k,
                                        lag_weights=lag_weights))
        gm = _flat(moment_loss_gradient(_model_like(model, theta - e), teacher, k=k,
                                        lag_weights=lag_weights))
        assert np.allclose((gp - gm) / (2 * eps), H[:, i], atol=1e-6, rtol=1e-6)


@pytest.mark.parametrize("full", [False, True])
def test_gradient_and_hessian_against_torch_autograd(full):
    torch = pytest.importorskip("torch")
    teacher = named_teacher("two_pole")
    model = init_student(4, scale=0.5, seed=1, diagonal=not full)
    k = 6
    target = torch.tensor(teacher.impulse_response(k), dtype=torch.float64)
    d = model.dim

    def loss(theta):
        if not full:
            t = theta.reshape(d, 3)
            powers = t[:, 0].unsqueeze(1) ** torch.arange(k, dtype=torch.float64)
            h = (t[:, 1] * t[:, 2]) @ powers
        else:
            A = theta[: d * d].reshape(d, d)
            x, C = theta[d * d : d * d + d], theta[d * d + d :]
            hs = []
            for _ in range(k):
                hs.append(C @ x)
                x = A @ x
            h = torch.stack(hs)
        return ((h - target) ** 2).sum()

    theta = torch.tensor(_flat(model), dtype=torch.float64, requires_grad=True)
    g = torch.autograd.grad(loss(theta), theta)[0].numpy()
    H = torch.autograd.functional.hessian(loss, theta.detach()).numpy()
    assert np.allclose(_flat(moment_loss_gradient(model, teacher, k=k)), g, rtol=1e-12,
                       atol=1e-13)
    assert np.allclose(moment_loss_hessian(model, teacher, k=k), H, rtol=1e-10, atol=1e-12)


def test_impulse_response_and_measure():
    m = DiagonalRNN([0.5, -0.25], [2.0, 1.0], [1.0, 4.0])
    h = m.impulse_response(6)
    mu = m.measure()
    assert np.allclose(h, mu.moments(6))
    # h_j = 2 (1/2)^j + 4 (-1/4)^j, exactly
    assert m.impulse_response(4, precision=Exact()) == [6, 0, Fraction(3, 4), Fraction(3, 16)]
    full = m.to_full()
    assert np.allclose(full.impulse_response(6), h)
    assert np.allclose([float(v) for v in full.impulse_response(6, precision=MP(30))], h)
    assert full.impulse_response(3, precision=Exact())[0] == 6
    mu_full = full.measure()
    assert sorted(np.real(mu_full.to_numpy()[0])) == [-0.25, 0.5]


def test_similarity_invariance_and_symmetric_model():
    rng = np.random.default_rng(0)
    A = rng.normal(size=(4, 4)) * 0.3
    B, C = rng.normal(size=4), rng.normal(size=4)
    S = rng.normal(size=(4, 4)) + 3 * np.eye(4)
    Si = np.linalg.inv(S)
    h1 = LinearRNN(A, B, C).impulse_response(8)
    h2 = LinearRNN(S @ A @ Si, S @ B, C @ Si).impulse_response(8)
    assert np.allclose(h1, h2, rtol=1e-10)
    As = A + A.T
    sym = SymmetricRNN(As, B, B)
    assert sym.is_balanced
    diag = sym.to_diagonal()
    assert np.allclose(diag.impulse_response(8), sym.impulse_response(8))
    assert np.all(diag.weights >= -1e-15)  # balanced symmetric => non-negative measure
    with pytest.raises(InputError, match="symmetric"):
        SymmetricRNN(A, B, C)


def test_output_is_the_convolution_with_the_impulse_response():
    m = init_student(6, scale=0.5, seed=2)
    x = np.random.default_rng(1).normal(size=(3, 5))
    s = np.zeros((3, 6))
    for t in range(5):
        s = s * m.a + np.outer(x[:, t], m.b)
    assert np.allclose(m.output(x), s @ m.c)


def test_loss_is_output_mse_under_white_inputs():
    # claim R1 by Monte Carlo: E[(y - y_hat)^2] = sum_j (h_j - h_hat_j)^2
    m, t = init_student(5, scale=0.5, seed=4), named_teacher("two_pole")
    k = 6
    x = np.random.default_rng(0).normal(size=(200_000, k))
    mse = np.mean((m.output(x) - t.output(x)) ** 2)
    assert abs(mse - moment_loss(m, t, k=k)) < 0.02 * moment_loss(m, t, k=k)


def test_teachers_and_students():
    t = teacher_from_measure(DiscreteMeasure([0.9, -0.5], [1.0, 2.0]))
    assert t.is_balanced and np.allclose(t.impulse_response(3), [3, -0.1, 0.81 + 0.5])
    neg = named_teacher("negative_weight")
    assert not neg.is_balanced and neg.measure().negative_mass == pytest.approx(0.5)
    assert random_teacher(3, seed=1).measure().is_positive
    s = init_student(10, scale=1e-3, mode="balanced", seed=0)
    assert s.is_balanced
    assert init_student(10, scale=1e-3, mode="zero_output").c.max() == 0
    for mode in ("random", "unbalanced", "grid"):
        assert init_student(8, scale=0.1, mode=mode).dim == 8
    assert isinstance(init_student(4, scale=0.1, diagonal=False), LinearRNN)
    with pytest.raises(InputError, match="mode="):
        init_student(4, scale=0.1, mode="magic")
    with pytest.raises(InputError, match="scale="):
        init_student(4, scale=-1)
    with pytest.raises(InputError, match="teacher"):
        named_teacher("nope")


def test_bad_models():
    with pytest.raises(InputError, match="length 2, expected 3"):
        DiagonalRNN([1, 2, 3], [1, 2], [1, 2, 3])
    with pytest.raises(InputError, match="non-finite"):
        DiagonalRNN([np.nan], [1], [1])
    with pytest.raises(InputError, match="square"):
        LinearRNN(np.ones((2, 3)), [1, 1], [1, 1])
    with pytest.raises(InputError, match="k="):
        moment_loss(DiagonalRNN([0.5], [1], [1]), named_teacher("decaying"), k=0)


def test_effective_dimension_counts_poles_not_units():
    t = named_teacher("two_pole")
    # many units clustered at the teacher's poles with tiny spread: two poles
    a = np.concatenate([0.9 + 1e-9 * np.arange(10), -0.5 + 1e-9 * np.arange(10)])
    w = np.full(20, 0.1)
    m = DiagonalRNN(a, np.sqrt(w), np.sqrt(w))
    r = effective_dimension(m, tolerance=1e-6)
    assert r.rank == 2 and r.verdict == "clear"
    assert effective_dimension(t).rank == 2


def test_extrapolation_error():
    t = named_teacher("long_memory")
    assert extrapolation_error(t, t, length=100) == (0.0, 0.0)
    e = extrapolation_error(DiagonalRNN([1.01], [1], [1]), t, length=100_000)
    assert e == (float("inf"), float("inf"))

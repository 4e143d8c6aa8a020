"""Forward operators, checked as DeepInverse checks its physics: adjointness, ``||A||²`` and ``A†``.

Every operator is also written out as a dense matrix on a small image (by applying it to the basis
images), so the power-iteration norm and the conjugate-gradient pseudo-inverse are compared with
NumPy's SVD and ``pinv`` of that matrix. Tensors are checked in float64 on the CPU and, when a GPU is
present, on CUDA; arrays through the NumPy layer; batches and float32 against single float64 images.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy.ndimage import convolve

import restore_core as rc
from restore_core.operators import (
    BicubicDownsample,
    Blur,
    Decimate,
    Identity,
    Mask,
    pad_symmetric,
    pad_symmetric_adjoint,
)

DEVICES = ["cpu", pytest.param("cuda", marks=pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA"))]
KERNELS = {"gauss": rc.gaussian_kernel(1.2), "motion": rc.motion_kernel(6, 20), "even": np.ones((4, 6))}
SMALL = (12, 15)


def operators(shape: tuple[int, ...]) -> dict[str, rc.operators.LinearOperator]:
    """One of every operator (and boundary) for images of ``shape``."""
    mask = np.random.default_rng(1).random(shape[:2]) > 0.4
    found = {f"blur-{boundary}-{name}": Blur(kernel, boundary) for boundary in rc.BOUNDARIES
             for name, kernel in KERNELS.items()}  # fmt: skip
    found.update({f"decimate-{boundary}": Decimate(2, rc.gaussian_kernel(0.8), shape, boundary)
                  for boundary in rc.BOUNDARIES})  # fmt: skip
    found.update({"bicubic-x3": BicubicDownsample(3, shape), "mask": Mask(mask), "identity": Identity()})
    return found


def dense(operator, shape: tuple[int, int]) -> np.ndarray:
    """The operator as a matrix acting on flattened ``shape`` images."""
    basis = torch.eye(shape[0] * shape[1], dtype=torch.float64).reshape(-1, *shape)
    return operator.apply(basis).reshape(basis.shape[0], -1).T.numpy()


def _inner(a, b) -> float:
    return float((a * b).sum())


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("name", list(operators((32, 40))))
def test_adjointness_in_float64(name, device):
    shape = (32, 40)
    operator = operators(shape)[name]
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(2, 3, *shape, generator=generator, dtype=torch.float64).to(device)
    y = torch.randn(2, 3, *operator.output_shape(shape), generator=generator, dtype=torch.float64).to(device)
    lhs, rhs = _inner(operator.forward(x), y), _inner(x, operator.adjoint(y))
    assert abs(lhs - rhs) < 1e-6 * max(abs(lhs), 1.0)


@pytest.mark.parametrize("name", list(operators((32, 40, 3))))
def test_arrays_go_through_the_same_maths(name):
    shape = (32, 40, 3)
    operator = operators(shape)[name]
    rng = np.random.default_rng(2)
    x, y = rng.standard_normal(shape), rng.standard_normal(operator.output_shape(shape))
    forward, adjoint = operator.forward(x), operator.adjoint(y)
    assert forward.shape == operator.output_shape(shape) and forward.dtype == np.float64
    assert _inner(forward, y) == pytest.approx(_inner(x, adjoint), rel=1e-9, abs=1e-9)
    planes = torch.from_numpy(np.moveaxis(x, -1, 0).copy())
    assert np.allclose(np.moveaxis(operator.forward(planes).numpy(), 0, -1), forward, atol=1e-12)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("name", list(operators(SMALL)))
def test_norm_by_power_iteration_is_the_largest_singular_value_squared(name, device):
    """Within 1e-3: decimation has two top eigenvalues 2e-4 apart, which power iteration cannot split quickly."""
    operator = operators(SMALL)[name]
    expected = np.linalg.norm(dense(operator, SMALL), 2) ** 2
    found = operator.compute_norm(SMALL, device=device)
    assert found <= expected * (1 + 1e-9) and found == pytest.approx(expected, rel=1e-3)


def well_posed(shape: tuple[int, int]) -> dict[str, rc.operators.LinearOperator]:
    """Operators whose nonzero singular values are within a factor 3 (a pseudo-inverse CG can reach to 1e-9)."""
    mild = rc.gaussian_kernel(0.5)
    found = {f"blur-{boundary}": Blur(mild, boundary) for boundary in rc.BOUNDARIES}
    found.update({f"decimate-{boundary}": Decimate(2, mild, shape, boundary) for boundary in rc.BOUNDARIES})
    found.update({"bicubic-x3": BicubicDownsample(3, shape), "mask": operators(shape)["mask"], "identity": Identity()})
    return found


@pytest.mark.parametrize("name", list(well_posed(SMALL)))
def test_pseudo_inverse_is_the_minimum_norm_least_squares_solution(name):
    """Wide operators (decimation, valid blur) get the minimum-norm solution, masks zero where unobserved."""
    operator = well_posed(SMALL)[name]
    matrix = dense(operator, SMALL)
    y = np.random.default_rng(3).standard_normal(operator.output_shape(SMALL))
    expected = (np.linalg.pinv(matrix) @ y.ravel()).reshape(SMALL)
    assert np.abs(operator.pinv(y, tol=1e-12) - expected).max() < 1e-8 * np.abs(expected).max()


def test_float32_batches_match_float64_images():
    shape = (40, 36)
    operator = Blur(KERNELS["motion"], "reflect")
    batch = torch.rand(4, 3, *shape, generator=torch.Generator().manual_seed(4), dtype=torch.float64)
    one = operator.forward(batch[2, 1])
    assert torch.allclose(operator.forward(batch)[2, 1], one, atol=1e-12)
    assert torch.allclose(operator.forward(batch.float())[2, 1].double(), one, atol=1e-5)


def test_operators_are_differentiable():
    """The gradient of ``<A x, y>`` with respect to ``x`` is ``Aᵀ y`` (autograd through the FFTs and pads)."""
    shape = (20, 24)
    for name, operator in operators(shape).items():
        x = torch.randn(*shape, dtype=torch.float64, requires_grad=True)
        y = torch.randn(*operator.output_shape(shape), dtype=torch.float64)
        (operator.apply(x) * y).sum().backward()
        assert torch.allclose(x.grad, operator.apply_adjoint(y), atol=1e-10), name


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("name", list(operators((32, 40))))
def test_the_normal_product_is_the_adjoint_of_the_forward(name, device):
    shape = (32, 40)
    operator = operators(shape)[name]
    x = torch.randn(2, 3, *shape, generator=torch.Generator().manual_seed(4), dtype=torch.float64).to(device)
    assert torch.allclose(operator.normal(x), operator.apply_adjoint(operator.apply(x)), atol=1e-12), name


@pytest.mark.parametrize("pads", [((20, 10), (2, 3)), ((3, 2), (1, 4)), ((10, 0), (0, 12))], ids=str)
def test_padding_adjoint(pads):
    """Both ways of folding back: scatters for pads beyond the image, slices for one reflection."""
    generator = torch.Generator().manual_seed(2)
    x = torch.randn(2, 10, 12, generator=generator, dtype=torch.float64)
    y = torch.randn(2, 10 + sum(pads[0]), 12 + sum(pads[1]), generator=generator, dtype=torch.float64)
    lhs = _inner(pad_symmetric(x, *pads), y)
    rhs = _inner(x, pad_symmetric_adjoint(y, x.shape[-2:], *pads))
    assert lhs == pytest.approx(rhs, rel=1e-12)


def test_padding_shapes():
    x = torch.randn(10, 12, generator=torch.Generator().manual_seed(2))
    for pads in [((3, 2), (1, 4)), ((10, 0), (12, 12)), ((25, 11), (0, 30))]:  # one reflection, and several
        assert np.array_equal(pad_symmetric(x, *pads).numpy(), np.pad(x.numpy(), pads, "symmetric")), pads


@pytest.mark.parametrize("kernel", [KERNELS["gauss"], KERNELS["motion"]], ids=["gauss", "motion"])
def test_blur_matches_direct_convolution(kernel):
    x = np.random.default_rng(3).random((30, 30))
    expected_wrap = convolve(x, kernel, mode="wrap")
    expected_reflect = convolve(x, kernel, mode="reflect")
    assert np.allclose(Blur(kernel, "circular").forward(x), expected_wrap)
    assert np.allclose(Blur(kernel, "reflect").forward(x), expected_reflect)
    half = kernel.shape[0] // 2, kernel.shape[1] // 2
    valid = Blur(kernel, "valid").forward(x)
    assert np.allclose(valid, expected_wrap[half[0] : half[0] + valid.shape[0], half[1] : half[1] + valid.shape[1]])


def test_bicubic_operator_matches_imresize():
    x = np.random.default_rng(4).random((24, 30, 3)).astype(np.float32)
    assert np.allclose(BicubicDownsample(3, x.shape).forward(x), rc.imresize(x, 1 / 3), atol=1e-6)

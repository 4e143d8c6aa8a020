"""Property-based fuzzing of the public API: a well-formed result or a RestoreError, never anything else.

Every property draws inputs a user or the app could pass (odd shapes, dtypes, value ranges, NaN and
infinities, bad kernels, masks, seeds and parameters) and asserts that the call either returns what
its contract says (shape, dtype, finite values) or raises :class:`restore_core.RestoreError`; any
other exception fails the property. Methods backed by native code that gets raw pointers (the
``bm3d`` package's ctypes library) or is C++ (OpenCV) run in a child process, so that a crash fails
a test instead of killing pytest.

The examples are derandomised, so CI runs the same ones every time; ``HYPOTHESIS_PROFILE=thorough``
runs 25 times as many, fresh ones (``python -m pytest tests/test_fuzz.py`` then takes minutes).
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tempfile
import warnings
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, event, example, given, reject, settings
from hypothesis import strategies as st
from PIL import Image

import restore_core as rc
from restore_core.costs import iteration_param
from restore_core.observation import MAX_OBSERVED_MEDIAN
from restore_core.registry import NON_FINITE_RESULT

ROOT = Path(__file__).resolve().parent.parent
settings.register_profile(
    "ci",
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
settings.register_profile("thorough", settings.get_profile("ci"), derandomize=False)
PROFILE = "thorough" if os.environ.get("HYPOTHESIS_PROFILE") == "thorough" else "ci"
#: How many times more examples the profile runs than CI.
EXAMPLES_FACTOR = 25 if PROFILE == "thorough" else 1
#: Methods fuzzed in a child process: their native code could crash the interpreter.
NATIVE = ("bm3d", "bm3d_deblock", "pnp_bm3d", "telea", "navier_stokes")


def fuzz(examples: int) -> settings:
    """Settings of a property: the profile's, with ``examples`` examples (times :data:`EXAMPLES_FACTOR`)."""
    return settings(settings.get_profile(PROFILE), max_examples=examples * EXAMPLES_FACTOR)


def outcome(function, *args: Any, **kwargs: Any) -> Any:
    """The call's result, or None when it raised RestoreError; any other exception propagates.

    Each call is counted as an event (``--hypothesis-show-statistics`` shows how many were refused).
    """
    name = getattr(function, "__name__", "call")
    try:
        result = function(*args, **kwargs)
    except rc.RestoreError:
        event(f"{name}: refused")
        return None
    event(f"{name}: returned")
    return result


# --------------------------------------------------------------------------------------------------
# Strategies
# --------------------------------------------------------------------------------------------------

#: Anything a careless caller could pass where a number is expected.
ODD_VALUES = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(10**20), 10**20),
    st.sampled_from([None, True, "3", [1], np.float32(np.nan), np.int64(-1), 10**400]),
)


def numbers(low: float, high: float) -> st.SearchStrategy:
    """Mostly numbers in ``[low, high]``, sometimes anything (:data:`ODD_VALUES`)."""
    return st.one_of(st.floats(low, high), st.integers(int(np.ceil(low)), int(high)), ODD_VALUES)


#: Drawn from often, so that most arrays are valid images and each defect (one per array, mostly) gets its share.
COMMON_DTYPES = (np.float32, np.float32, np.float64, np.uint8, np.uint8)
RARE_DTYPES = (np.uint16, np.int32, np.int64, np.bool_, np.float16)


@st.composite
def arrays(draw, min_side: int = 1, max_side: int = 64, channels=(None, 3, 1, 2, 4)) -> np.ndarray:
    """Image-like arrays: mostly valid images, else one of a wrong dtype, shape, side, value range or NaN/inf."""
    defect = draw(st.sampled_from(["none", "none", "none", "dtype", "shape", "side", "range", "nonfinite"]))
    low = min(max(min_side, 8), max_side)
    height, width = draw(st.integers(low, max_side)), draw(st.integers(low, max_side))
    if draw(st.integers(0, 3)) == 0:  # thin or tall
        height, width = (low, width) if draw(st.booleans()) else (height, low)
    if defect == "side":
        height = draw(st.integers(min_side, max(min_side, low - 1)))
    channel = draw(st.sampled_from(channels[2:] if defect == "shape" and len(channels) > 2 else channels[:2]))
    shape = (height, width) if channel is None else (height, width, channel)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    scale = draw(st.sampled_from(["bytes", "negative", "huge"] if defect == "range" else ["unit", "black", "constant"]))
    values = {
        "unit": lambda: rng.random(shape),
        "bytes": lambda: np.round(rng.random(shape) * 255),
        "negative": lambda: rng.random(shape) * 4 - 2,
        "huge": lambda: rng.random(shape) * draw(st.sampled_from([1e30, 1e300, 1.7e308])),
        "black": lambda: np.zeros(shape),
        "constant": lambda: np.full(shape, draw(st.sampled_from([1.0, 0.5]))),
    }[scale]()
    dtype = np.dtype(draw(st.sampled_from(RARE_DTYPES if defect == "dtype" else COMMON_DTYPES)))
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        if scale in ("unit", "black", "constant"):  # a full-range integer image
            values = values * (255 if dtype == np.uint8 else info.max)
        return np.clip(np.round(values), info.min, info.max).astype(dtype)
    with np.errstate(over="ignore"):
        array = values.astype(dtype)
    if dtype.kind == "f" and defect == "nonfinite":
        array.flat[draw(st.integers(0, array.size - 1))] = draw(st.sampled_from([np.nan, np.inf, -np.inf]))
    return array


#: Kernels that are refused or need care: zero, negative, huge (the sum overflows), NaN, 1-D, too large, complex.
BROKEN_KERNELS = (np.full((3, 3), 1e308), np.zeros((3, 3)), -np.ones((3, 3)), np.full((3, 3), np.nan), np.ones(5),
                  np.ones((300, 1)), np.ones((3, 3), complex))  # fmt: skip
#: Kernels: generated ones, random non-negative arrays, image-like arrays and the broken ones.
KERNELS = st.one_of(
    st.builds(rc.gaussian_kernel, st.floats(0.3, 3.0)),
    st.builds(rc.motion_kernel, st.floats(1.0, 9.0), st.floats(0.0, 180.0)),
    st.builds(lambda shape, seed: np.random.default_rng(seed).random(shape),
              st.tuples(st.integers(1, 9), st.integers(1, 9)), st.integers(0, 2**16)),
    arrays(max_side=9, channels=(None,)),
    st.sampled_from(BROKEN_KERNELS),
)  # fmt: skip


@dataclass(frozen=True)
class Spec:
    """A valid observation to build for a task (drawn once, used for any task)."""

    height: int
    width: int
    colour: bool
    content: str
    seed: int
    sigma: float
    peak: float | None
    clip: bool
    kernel_side: int
    kernel: str
    boundary: str
    scale: int
    quality: int
    mask_type: str
    ratio: float
    unknown_sigma: bool

    def clean(self, scale: int = 1) -> np.ndarray:
        """The clean image (``scale`` times the spec's size): noise, black, a constant, a ramp or a checkerboard.

        The checkerboard's squares are ``kernel_side`` pixels wide: MATLAB bicubic downscaling overshoots
        ``[0, 1]`` at their edges.
        """
        height, width = self.height * scale, self.width * scale
        rng = np.random.default_rng(self.seed)
        if self.content == "noise":
            return rng.random((height, width, 3) if self.colour else (height, width)).astype(np.float32)
        rows, cols = np.indices((height, width))
        plane = {
            "black": np.zeros((height, width)),
            "constant": np.full((height, width), rng.choice([0.5, 1.0])),
            "ramp": (rows + cols) / (height + width),
            "checker": ((rows // self.kernel_side + cols // self.kernel_side) % 2).astype(float),
        }[self.content]
        return np.repeat(plane[..., None], 3, axis=2).astype(np.float32) if self.colour else plane.astype(np.float32)

    def arguments(self, task: str, shape: tuple[int, ...]) -> dict[str, Any]:
        """The degradation arguments of ``task`` for a clean image of ``shape``."""
        arguments: dict[str, Any] = {"sigma": self.sigma, "peak": self.peak, "clip": self.clip, "seed": self.seed}
        side = max(1, min(self.kernel_side, min(shape[:2]) - (7 if self.boundary == "valid" else 0)))
        kernel = rc.gaussian_kernel(max(side / 4, 0.25), size=side)
        if self.kernel == "motion" and max(rc.motion_kernel(side, 30).shape) <= side:
            kernel = rc.motion_kernel(side, 30)
        if task == "deblur":
            arguments |= {"kernel": kernel, "boundary": self.boundary}
        elif task == "sr":
            arguments |= {"scale": self.scale} | ({"kernel": kernel} if self.kernel == "gaussian" else {})
        elif task == "jpeg":
            arguments["quality"] = self.quality
        elif task == "inpaint":
            arguments |= {"mask_type": self.mask_type, "ratio": self.ratio}
        return arguments


SPECS = st.builds(
    Spec,
    height=st.integers(8, 24),
    width=st.integers(8, 40),
    colour=st.booleans(),
    content=st.sampled_from(["noise", "black", "constant", "ramp", "checker"]),
    seed=st.integers(0, 2**32 - 1),
    sigma=st.sampled_from([0.0, 0.0, 2.55, 25.0, 255.0]),
    peak=st.sampled_from([None, None, None, 0.05, 1.0, 30.0]),
    clip=st.booleans(),
    kernel_side=st.integers(1, 15),
    kernel=st.sampled_from(["gaussian", "motion"]),
    boundary=st.sampled_from(rc.BOUNDARIES),
    scale=st.sampled_from(rc.SCALES),
    quality=st.integers(1, 100),
    mask_type=st.sampled_from(rc.MASK_TYPES),
    ratio=st.sampled_from([0.05, 0.5, 0.95]),
    unknown_sigma=st.booleans(),
)
#: The smallest observation: 8x8, the image size that crashed bm3d 4.0.3's native code.
TINY = Spec(8, 8, False, "noise", 0, 25.0, None, False, 3, "gaussian", "circular", 2, 10, "random", 0.5, False)
#: A black, noise-free photo of unknown noise level: scikit-image's noise estimate of it was NaN.
BLACK = replace(TINY, height=16, width=16, content="black", sigma=0.0, unknown_sigma=True)
#: Squares whose edges MATLAB bicubic downscaling by 2 takes to 1.048, with no noise to hide it.
OVERSHOOT = replace(TINY, height=12, width=12, content="checker", kernel_side=6, kernel="motion", sigma=0.0)


def forward_model(observation: rc.Observation) -> dict[str, Any]:
    """The forward-model fields of an observation, to build it again around its image."""
    fields = ("kernel", "boundary", "scale", "quality", "mask", "peak")
    return {name: getattr(observation, name) for name in fields}


def observe(task: str, spec: Spec) -> rc.Observation:
    """The observation ``spec`` describes for ``task``, as simulated or as a real photo (noise level unknown)."""
    clean = spec.clean(spec.scale if task == "sr" else 1)
    observation = outcome(rc.degrade, clean, task, **spec.arguments(task, clean.shape))
    if observation is None:
        reject()
    if not spec.unknown_sigma:
        return observation
    return rc.Observation(observation.image, task, observation.clean_shape, sigma=None, **forward_model(observation))


def method_cases(native: bool) -> list[tuple[str, str]]:
    """(method, task) for every registered method and task it declares, native ones or the others."""
    return [(m.name, task) for m in rc.list_methods() for task in m.tasks if (m.name in NATIVE) == native]


def check_method(name: str, task: str, spec: Spec) -> None:
    """Restore ``spec``'s observation with ``name``: a finite float32 image of the clean shape, or RestoreError."""
    observation = observe(task, spec)
    method = rc.get_method(name)
    counter = iteration_param(method)  # a short run (at least its lower bound) keeps the fuzzing fast
    short = {} if counter is None else {counter.name: max(int(counter.low), 2)}
    try:
        result = rc.restore(observation, name, **short)
    except rc.RestoreError as error:
        assert NON_FINITE_RESULT not in str(error), f"{name} broke down on {spec}: {error}"
        return
    assert result.shape == observation.clean_shape and result.dtype == np.float32
    assert np.all(np.isfinite(result))


# --------------------------------------------------------------------------------------------------
# Conversions, observations, metrics
# --------------------------------------------------------------------------------------------------


@fuzz(150)
@given(image=arrays())
def test_conversions_give_unit_float_images_or_refuse(image):
    for convert in (rc.to_float, rc.validate_image):
        result = outcome(convert, image)
        if result is not None:
            assert result.dtype == np.float32 and result.shape[:2] == image.shape[:2]
            assert result.ndim == 2 or result.shape[2] == 3
            assert np.all(np.isfinite(result)) and result.min() >= 0 and result.max() <= 1
    for convert in (rc.to_uint8, rc.quantize, rc.rgb_to_y, rc.rgb_to_ycbcr):
        result = outcome(convert, image)
        if result is not None and np.all(np.isfinite(image)) and np.abs(image.astype(float)).max() < 1e6:
            assert result.shape[:2] == image.shape[:2] and np.all(np.isfinite(result))


@fuzz(150)
@given(image=arrays(), sigma=st.one_of(st.none(), numbers(0, 255)), peak=st.one_of(st.none(), numbers(0, 100)))
def test_observations_hold_finite_unit_scale_images_or_refuse(image, sigma, peak):
    observation = outcome(rc.Observation, image, "denoise", image.shape, sigma=sigma, peak=peak)
    if observation is not None:
        assert observation.image.dtype == np.float32 and np.all(np.isfinite(observation.image))
        assert np.median(observation.image) <= MAX_OBSERVED_MEDIAN
        assert np.isfinite(observation.noise_sigma()) and observation.noise_sigma() >= 0


@fuzz(100)
@given(spec=SPECS, task=st.sampled_from(rc.TASKS))
@example(spec=OVERSHOOT, task="sr")
@example(spec=replace(TINY, content="constant", seed=1, peak=0.05, sigma=255.0), task="denoise")
def test_simulated_observations_are_accepted_as_real_photos(spec, task):
    spec = replace(spec, mask_type="random", ratio=0.5)  # a generated mask with pixels both missing and observed
    clean = spec.clean(spec.scale if task == "sr" else 1)
    observation = rc.degrade(clean, task, **spec.arguments(task, clean.shape))  # raises if its scale check refuses it
    image, shape, model = observation.image, observation.clean_shape, forward_model(observation)
    for sigma in (None, observation.sigma):
        assert np.array_equal(rc.Observation(image, task, shape, sigma=sigma, **model).image, image)


@st.composite
def degrade_arguments(draw) -> tuple[np.ndarray, str, dict[str, Any]]:
    """degrade() arguments: mostly those the task needs, sometimes wrong, missing or malformed ones."""
    clean = draw(st.one_of(arrays(min_side=4), st.builds(Spec.clean, SPECS)))
    task = draw(st.sampled_from([*rc.TASKS, "colorize", None]))
    arguments = {
        "sigma": draw(st.one_of(st.sampled_from([0, 2.55, 25, 255]), numbers(0, 255))),
        "peak": draw(st.one_of(st.none(), numbers(0, 1e6))),
        "seed": draw(st.one_of(st.integers(0, 2**64), ODD_VALUES)),
        "clip": draw(st.one_of(st.booleans(), ODD_VALUES)),
    }
    needed = {
        "deblur": {"kernel": KERNELS, "boundary": st.sampled_from([*rc.BOUNDARIES, "wrap"])},
        "sr": {"scale": st.one_of(st.sampled_from(rc.SCALES), ODD_VALUES)},
        "jpeg": {"quality": st.one_of(st.integers(-5, 105), ODD_VALUES)},
        "inpaint": {"mask_type": st.sampled_from([*rc.MASK_TYPES, "blob"]), "ratio": numbers(0, 1)},
    }.get(task, {})
    for name, strategy in needed.items():
        if draw(st.integers(0, 9)):  # usually given
            arguments[name] = draw(strategy)
    if task == "inpaint" and draw(st.booleans()):
        arguments["mask"] = draw(arrays(min_side=4, channels=(None,)))
    if draw(st.integers(0, 9)) == 0:  # a parameter the task does not use
        arguments |= draw(st.sampled_from([{"kernel": np.ones((3, 3))}, {"scale": 2}, {"quality": 50}, {"ratio": 0.5}]))
    return clean, task, arguments


@fuzz(150)
@given(case=degrade_arguments())
def test_degrade_gives_consistent_observations_or_refuses(case):
    clean, task, arguments = case
    observation = outcome(rc.degrade, clean, task, **arguments)
    if observation is not None:
        assert observation.image.dtype == np.float32 and np.all(np.isfinite(observation.image))
        assert observation.image.shape == observation.operator.output_shape(observation.clean_shape)


@fuzz(80)
@given(reference=arrays(), noise=arrays(), y_channel=st.booleans(), crop=st.one_of(st.integers(0, 6), ODD_VALUES))
def test_metrics_are_numbers_or_refuse(reference, noise, y_channel, crop):
    for estimate in (noise, reference, np.asarray(noise[: reference.shape[0], : reference.shape[1]])):
        score = outcome(rc.psnr, reference, estimate, y_channel=y_channel, crop=crop)
        assert score is None or (isinstance(score, float) and not np.isnan(score))
        score = outcome(rc.ssim, reference, estimate, y_channel=y_channel, crop=crop)
        assert score is None or (isinstance(score, float) and -1 - 1e-6 <= score <= 1 + 1e-6)


# --------------------------------------------------------------------------------------------------
# Kernels, masks, resizing, JPEG, files
# --------------------------------------------------------------------------------------------------


def assert_kernel(kernel: np.ndarray | None) -> None:
    if kernel is not None:
        assert kernel.ndim == 2 and kernel.dtype == np.float64 and np.all(np.isfinite(kernel))
        assert kernel.min() >= 0 and kernel.sum() == pytest.approx(1.0)


@fuzz(100)
@given(
    generator=st.sampled_from(["gaussian", "disk", "motion", "shake"]),
    first=st.one_of(numbers(-1, 60), st.integers(-5, 300)),
    second=st.one_of(st.none(), numbers(-400, 400)),
    seed=st.one_of(st.integers(0, 2**64), ODD_VALUES),
)
def test_kernel_generators_give_normalised_kernels_or_refuse(generator, first, second, seed):
    make = {
        "gaussian": lambda: rc.gaussian_kernel(first, second),
        "disk": lambda: rc.disk_kernel(first),
        "motion": lambda: rc.motion_kernel(first, 0.0 if second is None else second),
        "shake": lambda: rc.shake_kernel(first, seed=seed, anxiety=0.05 if second is None else second),
    }[generator]
    assert_kernel(outcome(make))


@fuzz(100)
@given(
    kernel=KERNELS,
    picture=arrays(max_side=24),
    grid=st.one_of(st.tuples(st.integers(-2, 80), st.integers(1, 80)), ODD_VALUES),
)
@example(kernel=BROKEN_KERNELS[0], picture=np.full((3, 3), 255, np.uint8), grid=(16, 16))
def test_kernels_from_arrays_and_pictures_are_normalised_or_refused(kernel, picture, grid):
    assert_kernel(outcome(rc.validate_kernel, kernel))
    assert_kernel(outcome(rc.center_kernel, kernel))
    assert_kernel(outcome(rc.kernel_from_image, picture))
    response = outcome(rc.frequency_response, kernel, grid)
    if response is not None:
        assert response.shape == tuple(grid) and np.all(np.isfinite(response)) and response.max() <= 1 + 1e-9


@fuzz(80)
@given(
    kind=st.sampled_from([*rc.MASK_TYPES, "blob", None]),
    shape=st.one_of(
        st.tuples(st.integers(-1, 64), st.integers(-1, 64)),
        st.tuples(st.integers(1, 40), st.integers(1, 40), st.just(3)),
        ODD_VALUES,
    ),
    ratio=numbers(0, 1),
    seed=st.one_of(st.integers(0, 2**64), ODD_VALUES),
)
def test_masks_are_boolean_images_or_refused(kind, shape, ratio, seed):
    mask = outcome(rc.make_mask, kind, shape, ratio, seed)
    if mask is not None:
        assert mask.dtype == np.bool_ and mask.shape == tuple(shape[:2])


@fuzz(100)
@given(
    image=arrays(),
    scale=st.one_of(st.floats(0.01, 5.0), ODD_VALUES),
    quality=st.one_of(st.integers(1, 100), ODD_VALUES),
)
@example(image=np.zeros((16, 16), np.float32), scale=0.5, quality=50)
def test_resizing_jpeg_and_noise_estimation_give_finite_results_or_refuse(image, scale, quality):
    resized = outcome(rc.imresize, image, scale)
    assert resized is None or (resized.dtype == np.float32 and np.all(np.isfinite(resized)))
    compressed = outcome(rc.jpeg_compress, image, quality)
    if compressed is not None:
        assert compressed.shape == image.shape and compressed.min() >= 0 and compressed.max() <= 1
    sigma = outcome(rc.estimate_noise_sigma, image)
    assert sigma is None or (np.isfinite(sigma) and sigma >= 0)
    estimate = outcome(rc.estimate_jpeg_quality, image if compressed is None else compressed)
    assert estimate is None or (isinstance(estimate, int) and 1 <= estimate <= 100)


def encoded(image: np.ndarray, file_format: str, frames: int) -> bytes:
    """An image file in memory, with ``frames`` frames."""
    pictures = [Image.fromarray(image) for _ in range(frames)]
    buffer = io.BytesIO()
    pictures[0].save(buffer, format=file_format, save_all=frames > 1, append_images=pictures[1:])
    return buffer.getvalue()


@fuzz(80)
@given(
    image=st.builds(
        lambda shape, seed: np.random.default_rng(seed).integers(0, 256, shape, np.uint8),
        st.tuples(st.integers(1, 24), st.integers(1, 24)).flatmap(lambda side: st.sampled_from([side, (*side, 3)])),
        st.integers(0, 2**32 - 1),
    ),
    file_format=st.sampled_from(["PNG", "GIF", "TIFF", "JPEG", "WEBP", "BMP"]),
    frames=st.sampled_from([1, 1, 2, 3]),
    damage=st.sampled_from(["none", "truncate", "flip", "garbage"]),
    where=st.floats(0, 1),
)
def test_image_files_load_or_are_refused(image, file_format, frames, damage, where):
    data = bytearray(encoded(image, file_format, frames if file_format in ("GIF", "TIFF", "PNG", "WEBP") else 1))
    position = int(where * (len(data) - 1))
    if damage == "truncate":
        data = data[:position]
    elif damage == "flip":
        data[position] ^= 0xFF
    elif damage == "garbage":
        data[position:] = np.random.default_rng(position).integers(0, 256, len(data) - position, np.uint8).tobytes()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", rc.FirstFrameWarning)
        loaded = outcome(rc.load_image, bytes(data))
    if loaded is not None:
        assert loaded.dtype == np.float32 and np.all(np.isfinite(loaded)) and loaded.min() >= 0 and loaded.max() <= 1
        assert damage != "none" or loaded.shape[:2] == image.shape[:2]
    quality = outcome(rc.read_jpeg_quality, bytes(data))
    assert quality is None or (isinstance(quality, int) and 1 <= quality <= 100)
    with tempfile.TemporaryDirectory() as folder:
        assert outcome(rc.save_image, image, Path(folder) / f"out.{file_format.lower()}") is None


@fuzz(100)
@given(data=st.data())
def test_method_parameters_are_checked(data):
    method = data.draw(st.sampled_from(rc.list_methods()))
    names = [param.name for param in method.params] + ["bogus"]
    overrides = data.draw(
        st.dictionaries(st.sampled_from(names), st.one_of(ODD_VALUES, st.text(max_size=8)), max_size=3)
    )
    values = outcome(method.resolve, overrides)
    if values is not None:
        for param in method.params:
            value = values[param.name]
            if param.kind in ("float", "int") and value is not None:
                assert param.low <= value <= param.high and np.isfinite(value)


# --------------------------------------------------------------------------------------------------
# Every method on every task it declares
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "task"), method_cases(native=False))
@fuzz(3)
@given(spec=SPECS)
@example(spec=TINY)
@example(spec=BLACK)
def test_methods_restore_or_refuse(name, task, spec):
    check_method(name, task, spec)


def with_edge_examples(test):
    """Add the smallest observation, gray and colour, and a black one for every native method as explicit examples."""
    for case in method_cases(native=True):
        for spec in (TINY, replace(TINY, colour=True), BLACK):
            test = example(case=case, spec=spec)(test)
    return test


@fuzz(2 * len(NATIVE))
@given(case=st.sampled_from(method_cases(native=True)), spec=SPECS)
@with_edge_examples
def native_methods_restore_or_refuse(case, spec):
    """The method property for :data:`NATIVE` methods; run by :func:`test_native_methods_never_crash` in a child."""
    print(f"{case[0]} on {case[1]}: {spec}", flush=True)  # the last line names the input of a crash
    check_method(*case, spec)


def test_native_methods_are_registered():
    assert set(NATIVE) <= {method.name for method in rc.list_methods()}


def test_native_methods_never_crash():
    paths = [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
    child = subprocess.run(
        [sys.executable, "-X", "faulthandler", __file__], capture_output=True, text=True, env=environment, timeout=600
    )
    assert child.returncode == 0, (
        f"the child exited with {child.returncode}:\n{child.stdout[-4000:]}\n{child.stderr[-8000:]}"
    )


if __name__ == "__main__":
    native_methods_restore_or_refuse()

"""restore_core — the restoration library of Deconv Arena.

Degradation models with their forward operators, classical and learned
restoration methods behind one registry, and the literature's metrics.

Examples
--------
>>> import restore_core as rc
>>> from skimage.data import camera
>>> clean = rc.to_float(camera())
>>> obs = rc.degrade(clean, "deblur", kernel=rc.gaussian_kernel(1.6), sigma=2.55, seed=0)
>>> out = rc.restore(obs, "wiener", balance=0.01)
>>> out.shape == clean.shape
True
"""

from . import methods as _methods  # noqa: F401  (registers every method)
from .blind import KERNEL_ESTIMATORS, KernelEstimator, estimate_kernel, kernel_similarity, with_estimated_kernel
from .blur_fit import BlurFit, fit_blur
from .camera_noise import CAMERA_LEVELS, add_camera_noise
from .codecs import Codec, compress, decompress, get_codec, list_codecs
from .convert import load_image, quantize, rgb_to_y, rgb_to_ycbcr, save_image, to_float, to_uint8, validate_image
from .costs import expected_seconds
from .device import get_device
from .errors import FirstFrameWarning, RestoreError
from .imresize import imresize
from .jpeg import jpeg_compress
from .jpeg_quality import estimate_jpeg_quality, quality_from_tables, read_jpeg_quality, with_estimated_quality
from .kernels import (
    KERNEL_KINDS,
    LEVIN_KERNELS,
    NAMED_KERNELS,
    center_kernel,
    disk_kernel,
    gaussian_kernel,
    kernel_from_image,
    levin_kernels,
    load_kernels,
    make_kernel,
    motion_kernel,
    named_kernel,
    shake_kernel,
    validate_kernel,
)
from .masks import MASK_TYPES, make_mask, mask_from_image
from .metrics import ms_ssim, psnr, score, ssim
from .noise import estimate_noise_sigma
from .noise_function import NOISE_MAP_SHIPPED, NoiseFunction, estimate_noise_function, estimate_noise_map
from .observation import Observation, degrade, photo_observation
from .operators import BOUNDARIES, frequency_response
from .registry import FAMILIES, Method, Param, get_method, list_methods, register, restore
from .samples import SAMPLE_PHOTOS, sample_image
from .tasks import SCALES, TASKS, Task, get_task

__all__ = [
    "BOUNDARIES",
    "CAMERA_LEVELS",
    "FAMILIES",
    "KERNEL_ESTIMATORS",
    "KERNEL_KINDS",
    "LEVIN_KERNELS",
    "MASK_TYPES",
    "NAMED_KERNELS",
    "NOISE_MAP_SHIPPED",
    "SAMPLE_PHOTOS",
    "SCALES",
    "TASKS",
    "BlurFit",
    "Codec",
    "FirstFrameWarning",
    "KernelEstimator",
    "Method",
    "NoiseFunction",
    "Observation",
    "Param",
    "RestoreError",
    "Task",
    "add_camera_noise",
    "center_kernel",
    "compress",
    "decompress",
    "degrade",
    "disk_kernel",
    "estimate_jpeg_quality",
    "estimate_kernel",
    "estimate_noise_function",
    "estimate_noise_map",
    "estimate_noise_sigma",
    "expected_seconds",
    "fit_blur",
    "frequency_response",
    "gaussian_kernel",
    "get_codec",
    "get_device",
    "get_method",
    "get_task",
    "imresize",
    "jpeg_compress",
    "kernel_from_image",
    "kernel_similarity",
    "levin_kernels",
    "list_codecs",
    "list_methods",
    "load_image",
    "load_kernels",
    "make_kernel",
    "make_mask",
    "mask_from_image",
    "motion_kernel",
    "ms_ssim",
    "named_kernel",
    "photo_observation",
    "psnr",
    "quality_from_tables",
    "quantize",
    "read_jpeg_quality",
    "register",
    "restore",
    "rgb_to_y",
    "rgb_to_ycbcr",
    "sample_image",
    "save_image",
    "score",
    "shake_kernel",
    "ssim",
    "to_float",
    "to_uint8",
    "validate_image",
    "validate_kernel",
    "with_estimated_kernel",
    "with_estimated_quality",
]

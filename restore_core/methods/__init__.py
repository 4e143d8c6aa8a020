"""Method implementations; importing this package registers every method in :mod:`restore_core.registry`."""

from . import baseline, deblocking, deconvolution, denoising, inpainting, interpolation, learned, plugandplay  # noqa: F401

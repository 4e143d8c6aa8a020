"""A learned image codec: strided-convolution analysis, transposed-convolution synthesis, hyperprior.

The mean–scale hyperprior model of Ballé et al. 2018 / Minnen et al. 2018 (without the
autoregressive context), made variable-rate with gain vectors (Cui et al. 2021): one network covers
every ``quality`` from 1 to 100, its latent multiplied by a per-channel gain before rounding and
divided by an inverse gain after, both interpolated geometrically between :data:`LEVELS` trained
anchor vectors. The training objective at quality ``q`` is ``bits per pixel + λ(q) · 255² · MSE``.

The entropy coding itself (range coding of the rounded latents with tables exported from this
network) lives in :mod:`restore_core.codecs.learned`; this module holds the transforms and the
probability models in torch.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

#: Lowest and highest rate–distortion trade-off λ (quality 1 and 100), on the 0–1 MSE scale × 255².
LAMBDA_RANGE = (0.0018, 0.13)
#: Trained gain vectors, spread evenly over the qualities (the others interpolate between them).
LEVELS = 8
#: Scales of the Gaussian conditional model's tables (log-spaced, as in CompressAI).
SCALE_BOUNDS = (0.11, 256.0)
SCALE_LEVELS = 64
#: Half-widths of the coding tables: hyper-latent symbols in [-HYPER_RANGE, HYPER_RANGE], latent
#: symbols (rounded distance to the mean) in [-LATENT_RANGE, LATENT_RANGE]; rarer ones are escaped.
HYPER_RANGE, LATENT_RANGE = 127, 1600
#: Probability mass a latent table may leave in its tails (the rest of its row is zero).
TAIL_MASS = 1e-9
_LIKELIHOOD_FLOOR = 1e-9


def quality_lambda(quality: torch.Tensor) -> torch.Tensor:
    """λ of ``quality`` (1–100, any float): geometric between :data:`LAMBDA_RANGE`."""
    low, high = LAMBDA_RANGE
    return low * (high / low) ** ((quality - 1) / 99)


def scale_table() -> torch.Tensor:
    """The :data:`SCALE_LEVELS` Gaussian scales the coded latents are quantized to."""
    return torch.exp(torch.linspace(math.log(SCALE_BOUNDS[0]), math.log(SCALE_BOUNDS[1]), SCALE_LEVELS))


class GDN(nn.Module):
    """Generalized divisive normalization (Ballé et al. 2016), or its inverse.

    ``y_i = x_i / sqrt(β_i + Σ_j γ_ij x_j²)`` (``inverse``: times the square root); β and γ are
    kept non-negative by squaring their parameters.
    """

    def __init__(self, channels: int, inverse: bool = False) -> None:
        super().__init__()
        self.inverse = inverse
        self.beta = nn.Parameter(torch.ones(channels))
        self.gamma = nn.Parameter(math.sqrt(0.1) * torch.eye(channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        channels = x.shape[1]
        weight = (self.gamma**2).view(channels, channels, 1, 1)
        norm = torch.sqrt(F.conv2d(x * x, weight, self.beta**2 + 1e-6))
        return x * norm if self.inverse else x / norm


def _down(inputs: int, outputs: int, kernel: int = 5) -> nn.Conv2d:
    return nn.Conv2d(inputs, outputs, kernel, stride=2, padding=kernel // 2)


def _up(inputs: int, outputs: int, kernel: int = 5) -> nn.ConvTranspose2d:
    return nn.ConvTranspose2d(inputs, outputs, kernel, stride=2, padding=kernel // 2, output_padding=1)


class FactorizedDensity(nn.Module):
    """A learned univariate density per channel (Ballé et al. 2018, appendix 6.1), convolved with a unit box.

    Its cumulative is a small monotone network; :meth:`likelihood` gives the probability of the
    unit interval around each value, :meth:`pmf` the probabilities of integers (the coding tables).
    """

    def __init__(self, channels: int, filters: tuple[int, ...] = (3, 3, 3), init_scale: float = 10.0) -> None:
        super().__init__()
        widths = (1, *filters, 1)
        scale = init_scale ** (1 / (len(widths) - 1))
        self.matrices = nn.ParameterList()
        self.biases = nn.ParameterList()
        self.factors = nn.ParameterList()
        for index in range(len(widths) - 1):
            init = math.log(math.expm1(1 / scale / widths[index + 1]))
            self.matrices.append(nn.Parameter(torch.full((channels, widths[index + 1], widths[index]), init)))
            self.biases.append(nn.Parameter(torch.rand(channels, widths[index + 1], 1) - 0.5))
            if index < len(widths) - 2:
                self.factors.append(nn.Parameter(torch.zeros(channels, widths[index + 1], 1)))

    def _logits(self, values: torch.Tensor) -> torch.Tensor:
        """Logit of the cumulative at ``values`` of shape (channels, 1, n)."""
        logits = values
        for index, matrix in enumerate(self.matrices):
            logits = torch.matmul(F.softplus(matrix), logits) + self.biases[index]
            if index < len(self.factors):
                logits = logits + torch.tanh(self.factors[index]) * torch.tanh(logits)
        return logits

    def likelihood(self, values: torch.Tensor) -> torch.Tensor:
        """Probability of ``[v - 1/2, v + 1/2]`` for each value of an (N, C, H, W) tensor."""
        batch, channels, height, width = values.shape
        flat = values.permute(1, 0, 2, 3).reshape(channels, 1, -1)
        lower, upper = self._logits(flat - 0.5), self._logits(flat + 0.5)
        sign = -torch.sign(lower + upper).detach()
        probability = torch.abs(torch.sigmoid(sign * upper) - torch.sigmoid(sign * lower))
        return probability.reshape(channels, batch, height, width).permute(1, 0, 2, 3)

    def pmf(self, support: torch.Tensor) -> torch.Tensor:
        """Probabilities of the integers ``support`` for each channel: (channels, len(support))."""
        channels = self.matrices[0].shape[0]
        grid = support.to(torch.float32).expand(channels, 1, -1)
        lower, upper = self._logits(grid - 0.5), self._logits(grid + 0.5)
        sign = -torch.sign(lower + upper)
        return torch.abs(torch.sigmoid(sign * upper) - torch.sigmoid(sign * lower))[:, 0]


def gaussian_likelihood(values: torch.Tensor, scales: torch.Tensor) -> torch.Tensor:
    """Probability of ``[v - 1/2, v + 1/2]`` under a zero-mean Gaussian of ``scales``."""
    spread = scales.clamp_min(SCALE_BOUNDS[0]) * math.sqrt(2)
    values = values.abs()
    return 0.5 * (torch.erfc((values - 0.5) / spread) - torch.erfc((values + 0.5) / spread))


def _bits(likelihood: torch.Tensor) -> torch.Tensor:
    """Information content in bits of each image of an (N, C, H, W) likelihood tensor."""
    return -torch.log2(likelihood.clamp_min(_LIKELIHOOD_FLOOR)).sum((1, 2, 3))


class DeconvCodec(nn.Module):
    """Variable-rate mean–scale hyperprior codec with a transposed-convolution decoder.

    Parameters
    ----------
    channels : int
        Image channels (3: RGB).
    width : int
        Channels of the hidden layers of the analysis and synthesis transforms (N).
    latent : int
        Channels of the latent ``y`` (M), at 1/16 of the image size.
    hyper : int
        Channels of the hyper-latent ``z``, at 1/64 of the image size.

    Notes
    -----
    Images are in ``[0, 1]``; height and width must be multiples of :attr:`multiple` (the codec
    pads).
    """

    multiple = 64
    objective = (
        "bits per pixel + λ(q) · 255² · MSE at a random quality q per image (λ from 0.0018 to 0.13), gradient norm "
        "clipped at 1"
    )
    #: The training loop clips the gradient norm at this (as CompressAI's training example does).
    max_grad_norm = 1.0

    def __init__(self, channels: int = 3, width: int = 96, latent: int = 160, hyper: int = 96) -> None:
        super().__init__()
        self.analysis = nn.Sequential(
            _down(channels, width), GDN(width), _down(width, width), GDN(width), _down(width, width), GDN(width),
            _down(width, latent),
        )  # fmt: skip
        self.synthesis = nn.Sequential(
            _up(latent, width), GDN(width, inverse=True), _up(width, width), GDN(width, inverse=True),
            _up(width, width), GDN(width, inverse=True), _up(width, channels),
        )  # fmt: skip
        self.hyper_analysis = nn.Sequential(
            nn.Conv2d(latent, hyper, 3, padding=1), nn.LeakyReLU(inplace=True), _down(hyper, hyper),
            nn.LeakyReLU(inplace=True), _down(hyper, hyper),
        )  # fmt: skip
        self.hyper_synthesis = nn.Sequential(
            _up(hyper, hyper), nn.LeakyReLU(inplace=True), _up(hyper, hyper * 3 // 2), nn.LeakyReLU(inplace=True),
            nn.Conv2d(hyper * 3 // 2, 2 * latent, 3, padding=1),
        )  # fmt: skip
        self.hyper_density = FactorizedDensity(hyper)
        # Log-gains start at the high-rate rule (quantization step ∝ 1/sqrt(λ)) around the middle quality.
        anchors = quality_lambda(torch.linspace(1, 100, LEVELS))
        start = 0.5 * torch.log(anchors / quality_lambda(torch.tensor(50.5)))[:, None].expand(LEVELS, latent)
        self.log_gains = nn.Parameter(start.clone())
        self.log_inverse_gains = nn.Parameter(-start.clone())
        # Coding tables, filled by update_tables() when the weights are exported and stored with them,
        # so that every machine codes with the same probabilities.
        self.register_buffer("hyper_pmf", torch.zeros(hyper, 2 * HYPER_RANGE + 1))
        self.register_buffer("scale_values", scale_table())
        self.register_buffer("latent_pmf", torch.zeros(SCALE_LEVELS, 2 * LATENT_RANGE + 1))

    @torch.no_grad()
    def update_tables(self) -> None:
        """Fill the coding tables: the hyper-latent's pmf per channel, the latent's per scale of :attr:`scale_values`.

        A latent row is zero from the value on where a Gaussian has less than :data:`TAIL_MASS` left.
        """
        support = torch.arange(-HYPER_RANGE, HYPER_RANGE + 1, device=self.hyper_pmf.device)
        self.hyper_pmf.copy_(self.hyper_density.pmf(support))
        values = torch.arange(-LATENT_RANGE, LATENT_RANGE + 1, dtype=torch.float64, device=self.latent_pmf.device)
        scales = self.scale_values.double()[:, None]
        pmf = gaussian_likelihood(values[None], scales)
        tail = 0.5 * torch.erfc((values.abs()[None] - 0.5) / (scales * math.sqrt(2)))
        self.latent_pmf.copy_(torch.where(tail < TAIL_MASS / 2, 0.0, pmf).float())

    def gain(self, quality: torch.Tensor, inverse: bool = False) -> torch.Tensor:
        """The (N, latent, 1, 1) gain (or inverse gain) of each quality in ``quality`` (1–100, float).

        Geometric interpolation between the two nearest trained anchors (linear in the log-gains).
        """
        anchors = self.log_inverse_gains if inverse else self.log_gains
        position = ((quality.reshape(-1).float() - 1) / 99 * (LEVELS - 1)).clamp(0, LEVELS - 1)
        low = position.floor().long().clamp(max=LEVELS - 2)
        weight = (position - low)[:, None]
        return ((1 - weight) * anchors[low] + weight * anchors[low + 1]).exp()[:, :, None, None]

    def encode_latents(self, image: torch.Tensor, quality: torch.Tensor) -> torch.Tensor:
        """The gained latent ``y`` of an (N, 3, H, W) batch, before rounding."""
        return self.analysis(image) * self.gain(quality)

    def hyper_parameters(self, z_hat: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Means and scales of the latent's Gaussian model from the rounded hyper-latent."""
        means, scales = self.hyper_synthesis(z_hat).chunk(2, dim=1)
        return means, F.softplus(scales)

    def decode_latents(self, y_hat: torch.Tensor, quality: torch.Tensor) -> torch.Tensor:
        """The image (not clipped) from the rounded latent."""
        return self.synthesis(y_hat * self.gain(quality, inverse=True))

    def forward(self, image: torch.Tensor, quality: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Training pass: reconstruction (latent rounded, gradient straight through) and bits per pixel per image.

        ``quality`` holds one quality per image (shape (N,) or (N, 1)). In training mode the rate is
        measured with additive uniform noise in place of rounding (Ballé et al. 2017); in evaluation
        mode with the rounded latents.
        """
        quality = quality.reshape(-1)
        y = self.encode_latents(image, quality)
        z = self.hyper_analysis(y)
        z_noisy = z + torch.empty_like(z).uniform_(-0.5, 0.5) if self.training else torch.round(z)
        z_hat = z + (torch.round(z) - z).detach()
        means, scales = self.hyper_parameters(z_hat)
        centred = y - means
        y_noisy = centred + torch.empty_like(y).uniform_(-0.5, 0.5) if self.training else torch.round(centred)
        y_hat = means + centred + (torch.round(centred) - centred).detach()
        with torch.autocast(image.device.type, enabled=False):  # probabilities in float32 under mixed precision
            bits = _bits(gaussian_likelihood(y_noisy.float(), scales.float()))
            bits = bits + _bits(self.hyper_density.likelihood(z_noisy.float()))
        pixels = image.shape[-2] * image.shape[-1]
        return self.decode_latents(y_hat, quality), bits / pixels

    def loss(self, image: torch.Tensor, quality: torch.Tensor, target: torch.Tensor | None = None) -> torch.Tensor:
        """The rate–distortion objective of a batch, each image at its own quality (``target``: the image)."""
        restored, bpp = self(image, quality)
        target = image if target is None else target
        mse = ((restored.float() - target) ** 2).mean((1, 2, 3))
        return (bpp.float() + quality_lambda(quality.reshape(-1).float()) * 255**2 * mse).mean()

"""Published Kodak rate–distortion points of learned codecs, shown beside the measured ones (never run here).

Ballé et al. 2018, "Variational image compression with a scale hyperprior" (ICLR): the factorized-prior
and the hyperprior models optimised for MSE, as re-trained and measured by CompressAI
(``results/kodak/compressai-bmshj2018-*_mse_*.json`` of github.com/InterDigitalInc/CompressAI, eight
qualities each), and the hyperprior's own published points (``paper-bmshj2018-hyperprior.json`` there).
All are means over the 24 Kodak images, PSNR on RGB, bits per pixel of the actual streams — the
protocol of :mod:`eval.codecs`, so their BD-rates against the JPEG anchor measured here are comparable.
"""

from __future__ import annotations

#: The dataset these points were measured on (the codec report compares them only there).
DATASET = "Kodak24"

#: Name -> ``{"bpp": [...], "psnr": [...], "ms_ssim": [...]}`` (``ms_ssim`` absent when unpublished).
PUBLISHED: dict[str, dict[str, list[float]]] = {
    "Ballé 2018 factorized (CompressAI)": {
        "bpp": [0.1226, 0.1885, 0.2878, 0.4404, 0.6481, 0.9670, 1.3512, 1.8333],
        "psnr": [26.909, 28.218, 29.617, 31.277, 32.956, 35.381, 37.397, 39.621],
        "ms_ssim": [0.90999, 0.93605, 0.95547, 0.97036, 0.98064, 0.98788, 0.99220, 0.99510],
    },
    "Ballé 2018 hyperprior (CompressAI)": {
        "bpp": [0.1313, 0.2089, 0.3199, 0.4784, 0.6687, 0.9388, 1.2592, 1.6602],
        "psnr": [27.582, 29.197, 30.972, 32.838, 34.526, 36.743, 38.584, 40.557],
        "ms_ssim": [0.91737, 0.94206, 0.96106, 0.97487, 0.98356, 0.98925, 0.99287, 0.99549],
    },
    "Ballé 2018 hyperprior (paper)": {
        "bpp": [0.1152, 0.1857, 0.3018, 0.4690, 0.6864, 0.9669, 1.3074, 1.7275],
        "psnr": [27.106, 28.679, 30.617, 32.555, 34.581, 36.720, 38.808, 40.795],
    },
}

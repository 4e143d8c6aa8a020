"""Constants fitted on training images, read from ``restore_core/tuned.json``.

The file is written only by the tuning commands, never by hand: the automatic-strength rules
of the classical methods by ``python -m tools.tune_classical --write`` (the library and the tool
read the same constants and clip ranges), the defaults of the learned solvers by
``python -m tools.tune_pnp --write``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

#: The data file of the fitted rules.
TUNED_FILE = Path(__file__).with_name("tuned.json")


@dataclass(frozen=True)
class Rule:
    """A fitted power law ``a * (level / reference) ** b``, clipped to ``clip`` and rounded when ``integer``.

    Attributes
    ----------
    a, b, reference : float
        The law's constants (``b = 0``: a constant factor ``a``).
    clip : tuple of float or None
        Range the value is clipped to.
    integer : bool
        Whether the value is rounded to an integer.
    """

    a: float
    b: float
    reference: float
    clip: tuple[float, float] | None = None
    integer: bool = False

    def __call__(self, level: float) -> float:
        """The rule's value at a noise level (0–255) or JPEG quality.

        Examples
        --------
        >>> Rule(9.5, -1.32, 2.55, clip=(1, 500), integer=True)(7.65)
        2
        """
        value = self.a * (level / self.reference) ** self.b
        if self.clip is not None:
            value = min(max(value, self.clip[0]), self.clip[1])
        return round(value) if self.integer else value


@cache
def _document() -> dict[str, Any]:
    return json.loads(TUNED_FILE.read_text(encoding="utf-8"))


@cache
def tuned_rule(name: str) -> Rule:
    """The fitted rule ``name`` of :data:`TUNED_FILE` (e.g. ``'auto_balance'``)."""
    entry = _document()["rules"][name]
    clip = entry.get("clip")
    return Rule(entry["a"], entry["b"], entry["reference"], None if clip is None else tuple(clip),
                entry.get("integer", False))  # fmt: skip


def tuned_setting(method: str, name: str) -> Any:
    """The tuned default of a learned solver's setting (a dict by task for per-task settings).

    Examples
    --------
    >>> tuned_setting("pnp_unet", "sigma_end")["inpaint"]
    3.0
    """
    return _document()["settings"][method][name]["value"]


def _write(update: Any) -> None:
    document = json.loads(TUNED_FILE.read_text(encoding="utf-8"))
    update(document)
    TUNED_FILE.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def write_rules(entries: dict[str, dict]) -> None:
    """Replace the entries of fitted rules in :data:`TUNED_FILE`, keeping the others (``tools.tune_classical``).

    Values already read stay cached in a running process.
    """
    _write(lambda document: document["rules"].update(entries))


def write_settings(method: str, entries: dict[str, dict]) -> None:
    """Replace tuned settings of a learned solver in :data:`TUNED_FILE`, keeping the others (``tools.tune_pnp``)."""
    _write(lambda document: document["settings"].setdefault(method, {}).update(entries))

"""Synthetic lists with planted problems, for benchmarks and recall/precision checks.

``generate`` builds a government tree and its lists in memory, ``plant`` adds
problems at known rates and records each in the ground truth, ``write`` saves
the lists in the published layout with ``truth.json`` beside them.
"""

from quanze.synth.generate import PRESETS, Synthetic, generate
from quanze.synth.plant import PLANTERS, plant
from quanze.synth.score import score
from quanze.synth.write import write

__all__ = ["PRESETS", "PLANTERS", "Synthetic", "generate", "plant", "score", "write", "synthesise"]


def synthesise(preset: str, seed: int, out, fmt: str | None = None, progress=None, provinces: int | None = None) -> dict:
    """Generate, plant and write one preset (a nation of ``provinces``); returns what was written (see ``write``)."""
    return write(plant(generate(preset, seed, provinces)), out, fmt=fmt, progress=progress)

"""Reforms: transfer scenarios simulated over the graph (the base graph is never changed)."""

from quanze.reform.scenario import TransferScenario, read_scenario
from quanze.reform.simulate import SimulationResult, simulate

__all__ = ["SimulationResult", "TransferScenario", "read_scenario", "simulate"]

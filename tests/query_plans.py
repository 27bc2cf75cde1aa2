"""Reading MongoDB's ``explain`` output: did the winning plan use an index, and sort in memory?

The classic engine puts the plan tree in ``queryPlanner.winningPlan``; the slot-based
engine (MongoDB 7 by default for many queries) in ``winningPlan.queryPlan``. A stage has
one ``inputStage`` or several ``inputStages`` (``OR``, ``SORT_MERGE``). An aggregation's
explain nests the find layer under ``stages[0].$cursor`` when it is not pushed down.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

# Stages that read an index (IDHACK: an _id equality; EXPRESS_*: MongoDB 8's fast paths).
INDEX_STAGES = frozenset(
    {
        "IXSCAN",
        "IDHACK",
        "COUNT_SCAN",
        "DISTINCT_SCAN",
        "EXPRESS_IXSCAN",
        "EXPRESS_CLUSTERED_IXSCAN",
    }
)
# A blocking sort: every matching document is read and sorted in memory.
MEMORY_SORT_STAGES = frozenset({"SORT", "SORT_KEY_GENERATOR"})
COLLECTION_SCAN = "COLLSCAN"


@dataclass(frozen=True)
class PlanVerdict:
    stages: tuple[str, ...]

    @property
    def uses_index(self) -> bool:
        return bool(INDEX_STAGES & set(self.stages)) and COLLECTION_SCAN not in self.stages

    @property
    def sorts_in_memory(self) -> bool:
        return bool(MEMORY_SORT_STAGES & set(self.stages))

    @property
    def acceptable(self) -> bool:
        return self.uses_index and not self.sorts_in_memory

    def describe(self) -> str:
        return " <- ".join(self.stages) or "(no plan)"


def winning_plan(explain: Mapping[str, Any]) -> Mapping[str, Any]:
    """The winning plan's root stage, whatever the engine or command that was explained."""
    planner = explain.get("queryPlanner")
    if planner is None:
        for stage in explain.get("stages", []):
            if "$cursor" in stage:
                planner = stage["$cursor"]["queryPlanner"]
                break
    if planner is None:
        raise ValueError(f"no queryPlanner in the explain output: {sorted(explain)}")
    plan: Mapping[str, Any] = planner["winningPlan"]
    root: Mapping[str, Any] = plan.get("queryPlan", plan)
    return root


def _stages(stage: Mapping[str, Any]) -> Iterator[str]:
    yield str(stage["stage"])
    if "inputStage" in stage:
        yield from _stages(stage["inputStage"])
    for child in stage.get("inputStages", []):
        yield from _stages(child)


def verdict(explain: Mapping[str, Any]) -> PlanVerdict:
    """Every stage of the winning plan, root first (depth first through the inputs)."""
    return PlanVerdict(tuple(_stages(winning_plan(explain))))

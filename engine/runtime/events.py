"""Which event definitions an element really waits on.

SpiffWorkflow moves the events of an event-based gateway onto the gateway itself (a
MultipleEventDefinition whose i-th definition belongs to the gateway's i-th output) and leaves the
catch events after it with a NoneEventDefinition. Qingwei's metadata (period, basis) lives on those
catch events, so this module maps each definition back to the element the designer drew.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import EventBasedGateway


def event_pairs(task_spec: Any) -> list[tuple[Any, Any]]:
    """(element spec, event definition) for every event `task_spec` waits on."""
    definition = getattr(task_spec, "event_definition", None)
    if definition is None:
        return []
    if isinstance(task_spec, EventBasedGateway):
        return list(zip(task_spec.outputs, definition.event_definitions, strict=False))
    if isinstance(definition, MultipleEventDefinition):
        return [(task_spec, d) for d in definition.event_definitions]
    return [(task_spec, definition)]


def timer_elements(task_spec: Any) -> list[tuple[Any, TimerEventDefinition]]:
    return [(el, d) for el, d in event_pairs(task_spec) if isinstance(d, TimerEventDefinition)]

"""Converters from other engines' BPMN to files Qingwei runs (`qingwei convert`)."""

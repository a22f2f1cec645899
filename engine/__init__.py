"""Qingwei (清违): a BPMN case engine for illegal-construction enforcement."""

"""What every validation message must look like, checked the same way in every test."""

from __future__ import annotations

import re

CJK = re.compile(r"[\u4e00-\u9fff]")
ELEMENT = re.compile(r"元素 element \S+")
RULE = re.compile(r"\[规则 rule [a-z-]+ [^\]]+\]")
FIX = re.compile(r"处理 Fix: \S")
# What SpiffWorkflow and lxml used to leak: Python reprs, raw namespaces, "-:" locations, and
# sentences cut off before their noun ("... not supported for tasks of type.").
REPR = re.compile(
    r"<Element\b|<[\w.]+ object\b| at 0x[0-9a-fA-F]+|\{http://|\b\w+(Error|Exception)\(['\"]|cython"
)
DASH_LOCATION = re.compile(r"(^|\s)-:")
CUT_OFF = re.compile(r"\b(of|for|the|a|an|to|with|type|of type)\s*[.。]\s*(/|处理|$)", re.I)


def message_problems(line: str) -> list[str]:
    """Why `line` is not a teaching message (empty when it is one)."""
    problems = []
    if not ELEMENT.search(line):
        problems.append("names no element")
    if not RULE.search(line):
        problems.append("names no rule")
    if not FIX.search(line):
        problems.append("says nothing to do")
    if not CJK.search(line):
        problems.append("has no Chinese")
    if not re.search(r"[A-Za-z]{3,} [A-Za-z]{3,}", line):
        problems.append("has no English")
    if REPR.search(line):
        problems.append("leaks a Python repr or a raw namespace")
    if DASH_LOCATION.search(line):
        problems.append('has a "-:" location')
    if CUT_OFF.search(line):
        problems.append("is cut off before its noun")
    return problems

"""The memory budget of a `qingwei serve` or `qingwei worker` process (issue 14: resource bombs).

Scripts run in-process (engine.runtime.scripting) with interpreter-level limits: a time budget,
a cap on integer size and on one repetition or range. Those caps bound each operation, not their
product: `[[0] * 10**6 for i in range(10**6)]` passes every one of them and asks for 8 TB. Without
an operating-system limit such a script makes the kernel's OOM killer end the whole process (every
request, the timer worker) instead of failing one step.

`limits.memory_mib` (QINGWEI_LIMITS__MEMORY_MIB, default 2048, 0 = off) caps the process's data
segment with RLIMIT_DATA. RLIMIT_DATA, not RLIMIT_AS: since Linux 4.7 it counts the private
writable mappings a process actually asks for (the heap, Python's arenas, thread stacks), while
RLIMIT_AS also counts address space merely reserved (glibc keeps 64 MiB per malloc arena and
thread, shared libraries, the font cache), which varies with the thread count and would refuse
memory long before the process uses any. Past the limit an allocation fails and Python raises
MemoryError in the code that allocated: in a script that is a failed step (rolled back, an
incident for a timer, 422 for a request), and the process lives on.

A limit is inherited by child processes (`serve --workers N`): each gets the same budget.
"""

from __future__ import annotations

import logging
import sys

log = logging.getLogger("qingwei.limits")

MIB = 1024 * 1024


def apply_memory_limit(mib: int) -> int | None:
    """Lower this process's RLIMIT_DATA soft limit to `mib` MiB (never above the hard limit an
    administrator set); 0 leaves it as it is. Returns the soft limit in bytes now in force, or
    None when there is none (0, or a platform without RLIMIT_DATA)."""
    if mib <= 0 or sys.platform == "win32":
        return None
    import resource

    if not hasattr(resource, "RLIMIT_DATA"):
        return None
    wanted = mib * MIB
    soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    if soft == resource.RLIM_INFINITY or wanted < soft:
        resource.setrlimit(resource.RLIMIT_DATA, (wanted, hard))
        soft = wanted
    log.info(
        "进程内存上限 %d MiB (process memory limit, RLIMIT_DATA; QINGWEI_LIMITS__MEMORY_MIB)",
        soft // MIB,
    )
    return int(soft)

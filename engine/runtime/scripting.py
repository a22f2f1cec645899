"""The restricted environment in which BPMN scripts, conditions and timer expressions run.

Stock SpiffWorkflow hands expressions to `eval`, so a process designer's upload could run
`__import__('os').system(...)` as the server user. Here every expression is compiled with
RestrictedPython (no underscore names, guarded attribute/item/iteration/write access) and runs with
a small set of safe builtins plus the whitelisted helpers below. The same checks run at deploy
time, so an unsafe script is refused before it is stored.
"""

from __future__ import annotations

import ast
import copy
import operator
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from functools import lru_cache
from types import CodeType
from typing import Any

from RestrictedPython import (  # type: ignore[attr-defined]
    compile_restricted_eval,
    compile_restricted_exec,
    safe_builtins,
)
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safer_getattr,
)
from RestrictedPython.transformer import RestrictingNodeTransformer
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from engine.calendar import TZ, StatutoryCalendar, parse_instant

# Names that must never appear in a script even though RestrictedPython would compile them: they
# either reach outside the sandbox or defeat the attribute guards.
FORBIDDEN_NAMES = frozenset(
    {
        "open",
        "getattr",
        "setattr",
        "delattr",
        "eval",
        "exec",
        "compile",
        "globals",
        "locals",
        "vars",
        "dir",
        "input",
        "breakpoint",
        "help",
        "type",
        "object",
        "super",
        "memoryview",
        "classmethod",
        "staticmethod",
        "property",
        "exit",
        "quit",
        "id",
        "hash",
    }
)

_SAFE_BUILTINS: dict[str, Any] = {
    k: v for k, v in safe_builtins.items() if k not in FORBIDDEN_NAMES and not k.startswith("_")
}
_SAFE_BUILTINS.update(
    {
        "min": min,
        "max": max,
        "sum": sum,
        "any": any,
        "all": all,
        "sorted": sorted,
        "enumerate": enumerate,
        "zip": zip,
        "list": list,
        "dict": dict,
        "tuple": tuple,
        "set": set,
        "reversed": reversed,
        "map": map,
        "filter": filter,
    }
)

# The runtime sets this for the length of one step so that `now()` in a script reads the
# injected clock, never the wall clock.
current_now: ContextVar[datetime | None] = ContextVar("qingwei_current_now", default=None)

# While a timer expression is evaluated, every deadline(start, period) call is logged here as
# (start, period, result), so the timer can keep what its date was computed from: a holiday
# schedule loaded later recomputes it from that record, never from data changed since.
_deadline_log: ContextVar[list[tuple[str, str, str]] | None] = ContextVar(
    "qingwei_deadline_log", default=None
)
DEADLINE_RECORD = "qw_deadline"

# The names each script task assigned during the current step (task id -> names): a value a
# script writes is a change even when it equals what its parent token held (e.g. a flag reset
# to False that a parallel branch had set to True in the case data).
script_writes: ContextVar[dict[Any, frozenset[str]] | None] = ContextVar(
    "qingwei_script_writes", default=None
)


@lru_cache(maxsize=4096)
def assigned_names(script: str) -> frozenset[str]:
    """The top-level names a script assigns (x = ..., x += ..., for x in ...)."""
    try:
        tree = ast.parse(script, mode="exec")
    except SyntaxError:
        return frozenset()
    return frozenset(
        node.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)
    )


CalendarSource = StatutoryCalendar | Callable[[], StatutoryCalendar]

# ---- budgets -------------------------------------------------------------------------------
# A script may not freeze the server: the operators that can allocate without bound (`**`, `*`,
# `<<` and `range`) are checked before they run, and every loop iteration (while bodies and every
# `for`/comprehension iterator) ticks a deadline. The limits are per evaluation.
MAX_INT_BITS = 10_000  # about 3,000 decimal digits
MAX_SEQUENCE = 1_000_000  # items or characters from one repetition or range
TICK_EVERY = 256  # iterator items between two deadline checks

_deadline: ContextVar[float | None] = ContextVar("qingwei_script_deadline", default=None)


class ScriptBudgetExceeded(BaseException):
    """Raised inside a script when it runs past its time budget. A BaseException, and scripts may
    not catch BaseException (see check_source), so `except Exception` cannot swallow it."""


def _tick() -> None:
    limit = _deadline.get()
    if limit is not None and time.monotonic() > limit:
        raise ScriptBudgetExceeded("脚本运行超出时间限制 (script exceeded its time budget)")


def _int_bits(value: Any) -> int:
    return value.bit_length() if isinstance(value, int) else 0


def _too_big(what: str) -> ScriptError:
    return ScriptError(f"脚本计算结果超出大小限制：{what} (result too large for a script)")


def _guarded_pow(base: Any, exp: Any, mod: Any = None) -> Any:
    big = isinstance(base, int) and isinstance(exp, int) and exp > 0 and abs(base) > 1
    if mod is None and big and max(_int_bits(base) - 1, 1) * exp > MAX_INT_BITS:
        raise _too_big(f"{MAX_INT_BITS} 位整数")
    return pow(base, exp) if mod is None else pow(base, exp, mod)


def _repeat_length(seq: Any, times: Any) -> int:
    if isinstance(times, int) and hasattr(seq, "__len__") and not isinstance(seq, dict):
        return len(seq) * times
    return 0


def _guarded_mul(left: Any, right: Any) -> Any:
    if isinstance(left, int) and isinstance(right, int):
        if _int_bits(left) + _int_bits(right) > MAX_INT_BITS:
            raise _too_big(f"{MAX_INT_BITS} 位整数")
    elif max(_repeat_length(left, right), _repeat_length(right, left)) > MAX_SEQUENCE:
        raise _too_big(f"{MAX_SEQUENCE} 项")
    return left * right


def _guarded_lshift(left: Any, right: Any) -> Any:
    if isinstance(left, int) and isinstance(right, int) and _int_bits(left) + right > MAX_INT_BITS:
        raise _too_big(f"{MAX_INT_BITS} 位整数")
    return left << right


def _guarded_range(*args: int) -> range:
    result = range(*args)
    if len(result) > MAX_SEQUENCE:
        raise _too_big(f"range 超过 {MAX_SEQUENCE} 项")
    return result


_SAFE_BUILTINS.update({"pow": _guarded_pow, "range": _guarded_range})


def _ticking(iterable: Iterable[Any]) -> Iterable[Any]:
    for count, item in enumerate(iterable, 1):
        if count % TICK_EVERY == 0:
            _tick()
        yield item


def _guarded_iter(ob: Any) -> Any:
    _tick()
    if isinstance(ob, (list, tuple, dict, str, set, frozenset)) and len(ob) <= TICK_EVERY:
        return iter(ob)  # small containers: no per-item cost
    return _ticking(ob)


_BINOP_GUARDS = {ast.Pow: "_qw_pow_", ast.Mult: "_qw_mul_", ast.LShift: "_qw_lshift_"}
# Handlers that would catch the budget exception and let a loop run on.
_CATCH_ALL = frozenset({"BaseException", "SystemExit", "KeyboardInterrupt", "GeneratorExit"})


class BudgetTransformer(RestrictingNodeTransformer):
    """RestrictedPython's policy plus calls that bound big operations and tick the deadline."""

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        node = self.node_contents_visit(node)
        guard = _BINOP_GUARDS.get(type(node.op))
        if guard is None:
            return node
        call = ast.Call(
            func=ast.Name(id=guard, ctx=ast.Load()), args=[node.left, node.right], keywords=[]
        )
        ast.copy_location(call, node)
        call.func = ast.copy_location(call.func, node)
        return call

    def visit_While(self, node: ast.While) -> ast.AST:
        node = self.node_contents_visit(node)
        tick = ast.Expr(
            value=ast.Call(func=ast.Name(id="_qw_tick_", ctx=ast.Load()), args=[], keywords=[])
        )
        node.body.insert(0, tick)
        for part in ast.walk(tick):
            ast.copy_location(part, node)
        return node


class ScriptError(ValueError):
    """A script or expression that must not be deployed or that failed under restriction."""


def _guarded_getitem(ob: Any, index: Any) -> Any:
    return ob[index]


def _inplacevar(op: str, x: Any, y: Any) -> Any:
    ops: dict[str, Callable[[Any, Any], Any]] = {
        "+=": operator.add,
        "-=": operator.sub,
        "*=": _guarded_mul,
        "/=": operator.truediv,
        "//=": operator.floordiv,
        "%=": operator.mod,
        "|=": operator.or_,
        "&=": operator.and_,
    }
    if op not in ops:
        raise ScriptError(f"operator {op} is not allowed")
    return ops[op](x, y)


def check_source(source: str, *, mode: str) -> list[str]:
    """Every reason `source` may not run here; empty when it is acceptable.

    `mode` is "eval" for conditions and timer expressions, "exec" for scripts.
    """
    try:
        tree = ast.parse(source, mode=mode)
    except SyntaxError as exc:
        return [f"syntax error: {exc.msg} (line {exc.lineno})"]
    problems: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in FORBIDDEN_NAMES:
            problems.append(f'"{node.id}" is not allowed in a script')
        elif isinstance(node, ast.ExceptHandler) and (
            node.type is None
            or any(isinstance(n, ast.Name) and n.id in _CATCH_ALL for n in ast.walk(node.type))
        ):
            problems.append(
                "脚本不得使用空 except 或捕获 BaseException/SystemExit/KeyboardInterrupt"
                " (catch-all handlers are not allowed in a script)"
            )
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            problems.append("imports are not allowed in a script")
    result = _restricted(source, mode)
    problems.extend(str(e) for e in result.errors)
    return problems


def _restricted(source: str, mode: str) -> Any:
    if mode == "eval":
        return compile_restricted_eval(source, policy=BudgetTransformer)
    return compile_restricted_exec(source, policy=BudgetTransformer)


@lru_cache(maxsize=4096)
def _compile(source: str, mode: str) -> CodeType:
    problems = check_source(source, mode=mode)
    if problems:
        raise ScriptError("; ".join(problems))
    result = _restricted(source, mode)
    code: CodeType | None = result.code
    assert code is not None
    return code


def make_helpers(
    calendar: CalendarSource, parameters: Mapping[str, Any] | None = None
) -> dict[str, Callable[..., Any]]:
    """The whitelisted functions a BPMN script may call; pure except `now()` (injected clock).

    `calendar` may be a callable returning the calendar in force, so that a holiday schedule
    loaded while the server runs takes effect without rebuilding the script engine.
    """
    params = dict(parameters or {})
    current: Callable[[], StatutoryCalendar] = (
        calendar if callable(calendar) else (lambda: calendar)
    )

    def local(name: str) -> Any:
        if name not in params:
            raise ScriptError(f"unknown local parameter '{name}'")
        return params[name]

    def deadline(start: date | datetime | str, period: str) -> str:
        result = current().deadline(start, period).isoformat()
        log = _deadline_log.get()
        if log is not None:
            log.append((parse_instant(start).isoformat(), str(period).strip(), result))
        return result

    def last_day(start: date | datetime | str, period: str) -> str:
        return current().last_day(start, period).isoformat()

    def today() -> str:
        at = current_now.get()
        if at is None:
            raise ScriptError("today() called outside a workflow step")
        return at.astimezone(TZ).date().isoformat()

    def now() -> str:
        at = current_now.get()
        if at is None:
            raise ScriptError("now() called outside a workflow step")
        return at.astimezone(TZ).isoformat()

    def days_between(a: date | datetime | str, b: date | datetime | str) -> int:
        return (parse_instant(b).date() - parse_instant(a).date()).days

    def is_before(a: date | datetime | str, b: date | datetime | str) -> bool:
        return parse_instant(a) < parse_instant(b)

    return {
        "deadline": deadline,
        "now": now,
        "today": today,
        "last_day": last_day,
        "days_between": days_between,
        "is_before": is_before,
        "local": local,
    }


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):  # type: ignore[misc]
    """A SpiffWorkflow script environment that runs everything through RestrictedPython."""

    def __init__(self, helpers: Mapping[str, Callable[..., Any]], time_budget: float = 1.0) -> None:
        super().__init__({})
        self.helpers = dict(helpers)
        self.time_budget = time_budget
        self._base_globals: dict[str, Any] = {
            "__builtins__": _SAFE_BUILTINS,
            "_getattr_": safer_getattr,
            "_getitem_": _guarded_getitem,
            "_getiter_": _guarded_iter,
            "_qw_tick_": _tick,
            "_qw_pow_": _guarded_pow,
            "_qw_mul_": _guarded_mul,
            "_qw_lshift_": _guarded_lshift,
            "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
            "_unpack_sequence_": guarded_unpack_sequence,
            "_write_": full_write_guard,
            "_inplacevar_": _inplacevar,
            **self.helpers,
        }

    def evaluate(
        self, expression: str, context: dict[str, Any], external_context: Any = None
    ) -> Any:
        code = _compile(expression.strip(), "eval")
        scope = dict(self._base_globals)
        scope.update(external_context or {})
        scope.update(context)
        scope.update(self.helpers)  # task data may not shadow a helper in a condition
        with self._budget():
            return eval(code, scope)  # noqa: S307 - restricted bytecode, guarded globals

    def execute(self, script: str, context: dict[str, Any], external_context: Any = None) -> bool:
        clash = set(self.helpers).intersection(context)
        if clash:
            raise ScriptError(f"task data overwrites helper function(s): {sorted(clash)}")
        code = _compile(script, "exec")
        scope = dict(self._base_globals)
        scope.update(external_context or {})
        scope.update(copy.copy(context))
        with self._budget():
            exec(code, scope)  # noqa: S102 - restricted bytecode, guarded globals
        _copy_back(scope, context, skip=self._base_globals.keys())
        return True

    @contextmanager
    def _budget(self) -> Iterator[None]:
        """Run under the time budget (nested calls keep the outer, earlier deadline), and turn
        anything a script raises that is not an Exception (SystemExit, KeyboardInterrupt,
        GeneratorExit, the budget itself) into a ScriptError: a process fault, never an exit."""
        limit = time.monotonic() + self.time_budget
        outer = _deadline.get()
        token = _deadline.set(limit if outer is None else min(outer, limit))
        try:
            yield
        except ScriptBudgetExceeded as exc:
            raise ScriptError(
                f"脚本运行超过 {self.time_budget:g} 秒的时间限制 (script exceeded its time budget)"
            ) from exc
        except Exception:
            raise
        except BaseException as exc:
            raise ScriptError(
                f"脚本引发了不允许的异常 {type(exc).__name__} (a script raised {exc!r})"
            ) from exc
        finally:
            _deadline.reset(token)

    def call_service(self, context: dict[str, Any], **kwargs: Any) -> Any:
        raise ScriptError("service tasks are not supported")


def _copy_back(scope: dict[str, Any], context: dict[str, Any], skip: Iterable[str]) -> None:
    """Write the script's plain-data results back into the task data, dropping helpers."""
    skipped = set(skip)
    for key in list(context):
        if key not in scope:
            del context[key]
    for key, value in scope.items():
        if key in skipped or key.startswith("_") or callable(value):
            continue
        context[key] = value


class RestrictedScriptEngine(PythonScriptEngine):  # type: ignore[misc]
    """The script engine every workflow in Qingwei runs with."""

    def __init__(
        self,
        calendar: CalendarSource,
        parameters: Mapping[str, Any] | None = None,
        time_budget: float = 1.0,
    ) -> None:
        super().__init__(
            environment=RestrictedEnvironment(make_helpers(calendar, parameters), time_budget)
        )

    def execute(self, task: Any, script: str, external_context: Any = None) -> Any:
        writes = script_writes.get()
        if writes is not None:
            writes[task.id] = assigned_names(script)
        return super().execute(task, script, external_context)

    def evaluate(self, task: Any, expression: str, external_context: Any = None) -> Any:
        """Evaluate, and when the result is a date that deadline() computed, record on the task
        the start and period it came from (SpiffWorkflow evaluates a timer's expression once,
        through here, and keeps only the resulting date)."""
        token = _deadline_log.set([])
        try:
            result = super().evaluate(task, expression, external_context)
            log = _deadline_log.get() or []
        finally:
            _deadline_log.reset(token)
        if isinstance(result, str) and log:
            for start, period, value in reversed(log):
                if value == result:
                    task._set_internal_data(**{DEADLINE_RECORD: {"start": start, "period": period}})
                    break
        return result

    def validate(self, expression: str) -> None:
        problems = check_source(expression, mode="eval")
        if problems:
            raise ScriptError("; ".join(problems))

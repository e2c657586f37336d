"""Sandboxed Python for BPMN scripts, gateway conditions and timer expressions.

Diagrams are uploaded by staff, so their Python is untrusted, and SpiffWorkflow's default
``TaskDataEnvironment`` runs it with plain ``eval``/``exec`` (``import os`` works). Here it runs
under RestrictedPython, plus what RestrictedPython lacks for a web worker: step and time budgets
that work in any thread (``signal.alarm`` is main-thread only; ``sys.settrace`` never sees a
one-line ``while True: pass``) and guards for C-level work no budget can interrupt
(``9 ** 9 ** 7``, ``sum(range(10**12))``). Measurements: /work/shared/engine-facts.md, section 2.
"""

from __future__ import annotations

import ast
import operator
import time
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from functools import lru_cache
from types import CodeType
from typing import Any, NamedTuple

from RestrictedPython import compile_restricted_eval, compile_restricted_exec, safe_builtins
from RestrictedPython.Eval import default_guarded_getitem, default_guarded_getiter
from RestrictedPython.Guards import full_write_guard, guarded_iter_unpack_sequence
from RestrictedPython.Guards import guarded_unpack_sequence, safer_getattr_raise
from RestrictedPython.PrintCollector import PrintCollector
from RestrictedPython.transformer import RestrictingNodeTransformer
from SpiffWorkflow.bpmn.script_engine.python_environment import TaskDataEnvironment

MAX_RANGE = 100_000  # elements one range() may have: sum(range(n)) is a C loop
MAX_POW_EXPONENT = 1000  # int ** int beyond this exponent is refused
MAX_BITS = 100_000  # ~30,000 digits; bignum arithmetic runs in C, out of the budget's reach
MAX_REPEAT = 1_000_000  # elements of a repeated str/list/tuple ("x" * n)
_TIME_CHECK_EVERY = 1000  # ticks between clock reads, so a tick stays cheap
_FILENAME = "<string>"  # SpiffWorkflow finds the failing line by this frame file name
_Data = dict[str, Any]


class ScriptLimitExceeded(Exception):
    """A script ran out of its step/time budget or asked for an oversized value.

    A plain ``Exception`` on purpose: ``PythonScriptEngine.evaluate`` re-raises a
    ``SpiffWorkflowException`` without naming the task, whereas a plain one is wrapped in a
    ``WorkflowTaskException`` that does. The first argument is always a ``str`` because
    ``PythonScriptEngine.create_task_exec_exception`` does ``":" + err.args[0]``.
    """


_GUARDED_BINOPS = {ast.Pow: "_pow_", ast.Mult: "_mul_", ast.LShift: "_lshift_"}


def _located(new: Any, ref: ast.AST) -> Any:
    """Position an injected node at ``ref``: ``compile`` needs positions, and the engine shows
    the failing line of the script, so it must be a line that exists there."""
    ast.copy_location(new, ref)
    return ast.fix_missing_locations(new)


def _tick(ref: ast.AST) -> ast.expr:
    return _located(ast.Call(func=ast.Name("_tick_", ast.Load()), args=[], keywords=[]), ref)


class _SandboxPolicy(RestrictingNodeTransformer):
    """RestrictedPython's policy, plus: no imports, ``a ** b`` / ``a * b`` / ``a << b`` routed
    through size guards, and a ``_tick_()`` call wherever code repeats (loop, function and lambda
    bodies, comprehensions), giving every evaluation a deterministic step budget. Nodes are
    injected after the parent's checks, which would reject the ``_``-prefixed helper names."""

    def visit_Import(self, node: ast.AST) -> Any:
        # RestrictedPython accepts imports and fails only at run time ("__import__ not found");
        # rejecting them here lets check_source refuse the diagram at upload.
        self.not_allowed(node)
        return node

    visit_ImportFrom = visit_Import

    def _tick_body(self, node: Any) -> Any:
        node.body.insert(0, _located(ast.Expr(_tick(node.body[0])), node.body[0]))
        return node

    def visit_While(self, node: ast.While) -> Any:
        return self._tick_body(super().visit_While(node))

    def visit_For(self, node: ast.For) -> Any:
        return self._tick_body(super().visit_For(node))

    def visit_FunctionDef(self, node: ast.FunctionDef) -> Any:
        return self._tick_body(super().visit_FunctionDef(node))

    def visit_Lambda(self, node: ast.Lambda) -> Any:
        node = super().visit_Lambda(node)
        # `_tick_()` returns True, so `_tick_() and body` is body.
        node.body = _located(ast.BoolOp(ast.And(), [_tick(node.body), node.body]), node.body)
        return node

    def visit_comprehension(self, node: ast.comprehension) -> Any:
        node = super().visit_comprehension(node)
        node.ifs.insert(0, _tick(node.iter))  # first, so items a later `if` drops count too
        return node

    def visit_BinOp(self, node: ast.BinOp) -> Any:
        node = super().visit_BinOp(node)
        guard = _GUARDED_BINOPS.get(type(node.op))  # type: ignore[call-overload]
        if guard is None:
            return node
        call = ast.Call(func=ast.Name(guard, ast.Load()), args=[node.left, node.right], keywords=[])
        return _located(call, node)


class _Compiled(NamedTuple):
    code: CodeType | None
    errors: tuple[tuple[int, str], ...]  # (line, message); empty when code is set


def _parse_error(error: str) -> tuple[int, str]:
    """RestrictedPython reports 'Line 3: message' (line 'None' for a few nodes)."""
    head, _, message = error.partition(": ")
    line = head.removeprefix("Line ")
    return (int(line) if line.isdigit() else 1), message


@lru_cache(maxsize=2048)
def _compile(source: str, mode: str) -> _Compiled:
    """Compile once per (source, mode): a restricted compile costs 15-60 µs and a diagram runs
    the same few scripts and conditions for every petition."""
    if mode not in ("eval", "exec"):
        raise ValueError(f"mode must be 'eval' or 'exec', not {mode!r}")
    compiler = compile_restricted_eval if mode == "eval" else compile_restricted_exec
    try:
        result = compiler(source, _FILENAME, policy=_SandboxPolicy)
    except SyntaxError as err:  # raised by compile() itself, e.g. 'return' outside function
        return _Compiled(None, ((err.lineno or 1, err.msg),))
    if result.errors:
        return _Compiled(None, tuple(_parse_error(e) for e in result.errors))
    return _Compiled(result.code, ())


def _code(source: str, mode: str) -> CodeType:
    """The compiled code, or a SyntaxError built by hand: RestrictedPython's own has
    ``lineno=None``, and SpiffWorkflow's error report then dies with a TypeError."""
    compiled = _compile(source, mode)
    if compiled.code is not None:
        return compiled.code
    line, message = compiled.errors[0]
    lines = source.splitlines()
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    raise SyntaxError(message, (_FILENAME, line, 1, text))


def check_source(source: str, mode: str) -> str | None:
    """Compile ``source`` ('eval' for conditions/expressions, 'exec' for scripts) under the
    sandbox policy; return None if fine, else e.g. 'line 1: Import statements are not allowed.'
    (all problems, joined by '; '). Diagram validation uses it so that a forbidden script is
    refused at upload rather than leaving a petition's task in ERROR."""
    compiled = _compile(source, mode)
    if compiled.code is not None:
        return None
    return "; ".join(f"line {line}: {message}" for line, message in compiled.errors)


def _make_tick(max_steps: int, time_limit: float) -> Callable[[], bool]:
    """A fresh counter per evaluation, so concurrent requests never share a budget. Once spent
    it raises on every call: a script catching the error is stopped at its next loop turn."""
    steps = 0
    deadline = time.monotonic() + time_limit

    def _tick_() -> bool:
        nonlocal steps
        steps += 1
        if steps > max_steps:
            raise ScriptLimitExceeded(f"script exceeded {max_steps} steps")
        if steps % _TIME_CHECK_EVERY == 0 and time.monotonic() > deadline:
            raise ScriptLimitExceeded(f"script exceeded the time limit of {time_limit:g}s")
        return True

    return _tick_


def _capped_range(*args: int) -> range:
    """``range`` refusing sizes the step budget cannot see (``sum(range(n))`` loops in C)."""
    result = range(*args)
    if len(result[: MAX_RANGE + 1]) > MAX_RANGE:  # slicing first: len() overflows past maxsize
        raise ScriptLimitExceeded(f"range() of more than {MAX_RANGE} elements is not allowed")
    return result


def _guarded_pow(base: Any, exp: Any, mod: Any = None) -> Any:
    """``**`` and ``pow()``: a big integer power is one C call nothing can interrupt
    (9 ** 9 ** 7 takes ~2 s). The message names no values, as their repr can be huge."""
    if mod is None and isinstance(base, int) and isinstance(exp, int):
        if abs(exp) > MAX_POW_EXPONENT or base.bit_length() * exp > MAX_BITS:
            raise ScriptLimitExceeded(f"integer power too large (exponent > {MAX_POW_EXPONENT} "
                                      f"or result > {MAX_BITS} bits)")  # fmt: skip
    return pow(base, exp) if mod is None else pow(base, exp, mod)


def _guarded_mul(left: Any, right: Any) -> Any:
    """``*``: repeated squaring or ``"x" * 10**10`` allocates without bound inside C."""
    if isinstance(left, int) and isinstance(right, int):
        if left.bit_length() + right.bit_length() > MAX_BITS:
            raise ScriptLimitExceeded(f"integer product larger than {MAX_BITS} bits")
    else:
        seq, count = (left, right) if isinstance(right, int) else (right, left)
        if isinstance(count, int) and isinstance(seq, (str, bytes, list, tuple)):
            if len(seq) * count > MAX_REPEAT:
                raise ScriptLimitExceeded(f"repetition of more than {MAX_REPEAT} elements")
    return left * right


def _guarded_lshift(value: Any, shift: Any) -> Any:
    """``<<``: ``1 << 10**10`` builds a 1.25 GB integer in one C call."""
    if isinstance(value, int) and isinstance(shift, int) and value.bit_length() + shift > MAX_BITS:
        raise ScriptLimitExceeded(f"shift result larger than {MAX_BITS} bits")
    return value << shift


# Not in-place on purpose: a task's data dict is a one-level copy of its parent's, so
# list.__iadd__ in `items += [x]` would also change the list held by earlier tasks.
_INPLACE_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "+=": operator.add, "-=": operator.sub, "*=": _guarded_mul, "/=": operator.truediv,
    "//=": operator.floordiv, "%=": operator.mod, "**=": _guarded_pow, "<<=": _guarded_lshift,
    ">>=": operator.rshift, "|=": operator.or_, "&=": operator.and_, "^=": operator.xor,
}  # fmt: skip


def _inplacevar(op: str, target: Any, value: Any) -> Any:
    """RestrictedPython turns ``x += y`` into ``x = _inplacevar_('+=', x, y)`` but ships none."""
    if op not in _INPLACE_OPS:
        raise TypeError(f"'{op}' is not supported in scripts")
    return _INPLACE_OPS[op](target, value)


# Classes, never modules: `datetime.sys.modules['os']` is reachable from the datetime *module*.
_EXTRA_BUILTINS = (len, sum, min, max, sorted, list, dict, set, tuple, zip, enumerate, map, filter,
                   any, all, abs, round, str, int, float, bool, isinstance,
                   datetime, date, timedelta, timezone, Decimal)  # fmt: skip
_BUILTINS: dict[str, Any] = {**safe_builtins, **{f.__name__: f for f in _EXTRA_BUILTINS},
                             "range": _capped_range, "pow": _guarded_pow}  # fmt: skip

# Names the compiled code calls. They go in the scope itself, not __builtins__, so they override
# task data (and check_for_overwrite fails loudly if data uses one).
_GUARDS: dict[str, Any] = {
    "_getattr_": safer_getattr_raise,  # plain safer_getattr returns None for a missing attribute
    "_getitem_": default_guarded_getitem,
    "_getiter_": default_guarded_getiter,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_unpack_sequence_": guarded_unpack_sequence,
    "_write_": full_write_guard,
    "_inplacevar_": _inplacevar,
    "_pow_": _guarded_pow,
    "_mul_": _guarded_mul,
    "_lshift_": _guarded_lshift,
    "_print_": PrintCollector,  # print() output goes to `printed`, never to the worker's stdout
}


class RestrictedEnvironment(TaskDataEnvironment):
    """A ``TaskDataEnvironment`` running diagram code under RestrictedPython with budgets.

    ``functions`` are the app's helpers for diagrams (e.g. ``working_days(n)``). The mapping is
    read at each call, so helpers registered after the engine was built are seen. Like
    ``TaskDataEnvironment.globals`` they reach scripts, conditions and timer expressions and are
    stripped from task data after a script. Builtins (``len``, ``date``...) live in
    ``__builtins__`` instead, so a form field named ``date`` merely shadows the class.
    """

    def __init__(self, functions: Mapping[str, Callable[..., Any]] | None = None,
                 max_steps: int = 100_000, time_limit: float = 1.0) -> None:  # fmt: skip
        super().__init__(dict(_GUARDS))
        self.functions = functions if functions is not None else {}
        self.max_steps = max_steps
        self.time_limit = time_limit

    def _runtime(self) -> dict[str, Any]:
        """Names that must win over data and external context, with a fresh step budget."""
        tick = _make_tick(self.max_steps, self.time_limit)
        return {**_GUARDS, "_tick_": tick, "__builtins__": _BUILTINS}

    def evaluate(self, expression: str, context: _Data,
                 external_context: _Data | None = None) -> Any:  # fmt: skip
        code = _code(expression, "eval")
        self._prepare_context(context)
        # A new dict: the data is read, never written, and later evaluations stay clean.
        scope = {**self.functions, **self.globals, **(external_context or {}), **context, **self._runtime()}
        return eval(code, scope)

    def execute(self, script: str, context: _Data, external_context: _Data | None = None) -> bool:
        code = _code(script, "exec")
        self.check_for_overwrite(context, external_context or {})
        self._prepare_context(context)
        # `context` is task.data itself: the script's assignments must land there.
        context.update({**self.functions, **self.globals, **(external_context or {}), **self._runtime()})
        try:
            exec(code, context)
        finally:
            # Drops __builtins__, every callable (guards, _tick_, functions, functions the script
            # defined, the print collector) and self.globals names: data keeps plain values.
            self._remove_globals_and_functions_from_context(context, external_context)
        return True

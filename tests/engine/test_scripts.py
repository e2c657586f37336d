"""The sandbox for diagram code: app.engine.scripts, directly and through SpiffWorkflow."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

import pytest
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

from app.engine.scripts import RestrictedEnvironment, ScriptLimitExceeded, check_source

# start -> scriptTask "calc" -> exclusive gateway "gw" -> end_urgent (condition) / end_normal
ROUTING_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="defs"
    targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="routing" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="calc"/>
    <bpmn:scriptTask id="calc" name="Calculate">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:script>{script}</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="calc" targetRef="gw"/>
    <bpmn:exclusiveGateway id="gw" name="Urgent?" default="to_normal">
      <bpmn:incoming>f2</bpmn:incoming>
      <bpmn:outgoing>to_urgent</bpmn:outgoing><bpmn:outgoing>to_normal</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:sequenceFlow id="to_urgent" sourceRef="gw" targetRef="end_urgent">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{condition}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="to_normal" sourceRef="gw" targetRef="end_normal"/>
    <bpmn:endEvent id="end_urgent"><bpmn:incoming>to_urgent</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="end_normal"><bpmn:incoming>to_normal</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""

# start -> intermediate timer whose duration is computed by an app function -> end
TIMER_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="defs"
    targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="sla" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait"/>
    <bpmn:intermediateCatchEvent id="wait" name="SLA">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:timerEventDefinition id="sla_timer">
        <bpmn:timeDuration xsi:type="bpmn:tFormalExpression">sla_duration("high")</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="end"/>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""


def working_days(n: int) -> int:
    """Stands in for an app helper exposed to diagrams."""
    return n + 2 * (n // 5)


def _workflow(bpmn: str, process_id: str, env: RestrictedEnvironment) -> BpmnWorkflow:
    parser = SpiffBpmnParser()
    parser.add_bpmn_str(bpmn.encode(), filename=f"{process_id}.bpmn")
    spec = parser.get_spec(process_id)
    subprocess_specs = parser.get_subprocess_specs(process_id)
    engine = PythonScriptEngine(environment=env)
    return BpmnWorkflow(spec, subprocess_specs, script_engine=engine)


def _routing(script: str, condition: str, env: RestrictedEnvironment | None = None) -> BpmnWorkflow:
    bpmn = ROUTING_BPMN.format(script=escape(script), condition=escape(condition))
    return _workflow(bpmn, "routing", env or RestrictedEnvironment())


def _task(wf: BpmnWorkflow, spec_name: str) -> Any:
    tasks = wf.get_tasks(spec_name=spec_name)
    assert len(tasks) == 1
    return tasks[0]


def _completed(wf: BpmnWorkflow, spec_name: str) -> bool:
    return bool(wf.get_tasks(spec_name=spec_name, state=TaskState.COMPLETED))


@contextmanager
def _within(seconds: float) -> Iterator[None]:
    start = time.monotonic()
    yield
    assert time.monotonic() - start < seconds


def _run(script: str, data: dict[str, Any] | None = None, **kw: Any) -> dict[str, Any]:
    context = dict(data or {})
    assert RestrictedEnvironment(**kw).execute(script, context) is True
    return context


# --- allowed code, directly -----------------------------------------------------------------


def test_arithmetic_script_writes_plain_values_to_task_data() -> None:
    script = "total = amount * 2 + fee\nshare = total / 4\nrest = total % 3"
    data = _run(script, {"amount": 10, "fee": 1})
    assert data == {"amount": 10, "fee": 1, "total": 21, "share": 5.25, "rest": 0}


def test_comprehension_and_builtins_work() -> None:
    data = _run(
        "squares = [i * i for i in range(6) if i % 2 == 0]\n"
        "by_name = {name: len(name) for name in sorted(names)}\n"
        "best = max(scores)\nany_zero = any(s == 0 for s in scores)\n"
        "pairs = list(zip(names, scores))",
        {"names": ["b", "aa"], "scores": [3, 0]},
    )
    assert data["squares"] == [0, 4, 16]
    assert data["by_name"] == {"aa": 2, "b": 1}
    assert (data["best"], data["any_zero"]) == (3, True)
    assert data["pairs"] == [("b", 3), ("aa", 0)]


def test_augmented_assignment_loop_works_for_numbers_strings_and_lists() -> None:
    data = _run(
        "total = 0\nlabel = ''\nfor i in range(1, 5):\n    total += i\n    total -= 1\n"
        "    label += str(i)\nitems += [total]\nx = 100\nx *= 2\nx //= 3\nx %= 7\nx /= 2\n"
        "for a, b in pairs:\n    total += a * b",
        {"items": [1], "pairs": [(2, 3)]},
    )
    assert (data["total"], data["label"], data["x"]) == (12, "1234", 1.5)
    assert data["items"] == [1, 6]


def test_augmented_list_assignment_does_not_mutate_the_original_list() -> None:
    # Task data is copied one level deep per task: in-place += would rewrite earlier tasks.
    shared = [1]
    data = _run("items += [2]", {"items": shared})
    assert data["items"] == [1, 2] and shared == [1]


def test_datetime_timedelta_and_decimal_classes_are_available() -> None:
    data = _run(
        "due = date(2025, 3, 1) + timedelta(days=10)\n"
        "at = datetime(2025, 3, 1, 9, 30, tzinfo=timezone.utc)\n"
        "late = at > datetime(2025, 1, 1, tzinfo=timezone.utc)\n"
        "fee = Decimal('12.10') * 3\nfee_text = str(fee)\nweekday = due.weekday()",
    )
    assert data["due"] == date(2025, 3, 11)
    assert data["at"] == datetime(2025, 3, 1, 9, 30, tzinfo=timezone.utc)
    assert data["late"] is True and data["fee"] == Decimal("36.30") and data["fee_text"] == "36.30"
    assert data["weekday"] == 1


def test_small_powers_and_modular_pow_still_work() -> None:
    data = _run("a = 2 ** 10\nb = 2.0 ** 0.5\nc = pow(3, 10**20, 7)\nd = 10 ** -2\ne = 7\ne **= 2")
    assert (data["a"], round(data["b"], 3), data["c"]) == (1024, 1.414, 4)
    assert (data["d"], data["e"]) == (0.01, 49)


def test_extra_function_is_callable_and_not_left_in_task_data() -> None:
    env = RestrictedEnvironment(functions={"working_days": working_days})
    data: dict[str, Any] = {"n": 7}
    script = (
        "days = working_days(n)\nhelper = lambda x: x + 1\n"
        "def twice(x):\n    return 2 * x\nlater = twice(helper(days))"
    )
    env.execute(script, data)
    assert data == {"n": 7, "days": 9, "later": 20}
    assert env.evaluate("working_days(n) > 8", data) is True


def test_script_functions_guards_and_builtins_do_not_stay_in_task_data() -> None:
    data = _run("def f(x):\n    return x\nprint('hello')\ny = f(1)\nz = len([1])")
    assert data == {"y": 1, "z": 1}


def test_evaluate_reads_task_data_without_changing_it() -> None:
    env = RestrictedEnvironment()
    data = {"route": "urgent", "amount": 3}
    assert env.evaluate("route == 'urgent' and amount * 2 > 5", data) is True
    assert data == {"route": "urgent", "amount": 3}


def test_task_data_named_like_a_builtin_shadows_it() -> None:
    assert RestrictedEnvironment().evaluate("date", {"date": "2025-03-01"}) == "2025-03-01"


def test_missing_attribute_raises_attribute_error_not_none() -> None:
    with pytest.raises(AttributeError, match="uper"):
        _run("x = 'abc'.uper()")


def test_step_budget_is_per_evaluation() -> None:
    env = RestrictedEnvironment(max_steps=1000)
    for _ in range(3):  # each run needs 600 steps: a shared counter would trip on the 2nd
        env.execute("t = 0\nfor i in range(600):\n    t += i", {})


# --- rejected code, directly ------------------------------------------------------------------


def test_import_os_is_rejected_with_line_number() -> None:
    with pytest.raises(SyntaxError) as err:
        _run("x = 1\nimport os")
    assert (err.value.msg, err.value.lineno, err.value.text) == (
        "Import statements are not allowed.", 2, "import os")


def test_open_is_not_available() -> None:
    with pytest.raises(NameError, match="open"):
        _run("data = open('/etc/passwd').read()")


def test_dunder_attribute_walk_to_subclasses_is_rejected() -> None:
    with pytest.raises(SyntaxError, match="starts with \"_\"") as err:
        _run("x = ().__class__.__bases__[0].__subclasses__()")
    assert err.value.lineno == 1


def test_getattr_builtin_is_not_available() -> None:
    with pytest.raises(NameError, match="getattr"):
        _run("x = getattr((), '__class__')")


def test_str_format_is_refused() -> None:
    with pytest.raises(NotImplementedError):
        _run("x = '{0.__class__}'.format(1)")


def test_dunder_import_in_condition_is_rejected() -> None:
    with pytest.raises(SyntaxError, match="__import__"):
        RestrictedEnvironment().evaluate("__import__('os').getcwd() == ''", {})


def test_one_line_while_true_is_stopped_by_the_step_budget() -> None:
    with _within(0.5), pytest.raises(ScriptLimitExceeded, match="exceeded 100000 steps"):
        _run("while True: pass")


def test_catching_the_limit_does_not_let_a_loop_continue() -> None:
    script = "while True:\n    try:\n        while True: pass\n    except Exception:\n        pass"
    with _within(0.5), pytest.raises(ScriptLimitExceeded):
        _run(script)


def test_slow_loop_is_stopped_by_the_time_limit() -> None:
    with _within(0.5), pytest.raises(ScriptLimitExceeded, match="time limit of 0.05s"):
        _run("while True: pass", max_steps=10**12, time_limit=0.05)


def test_exponential_recursion_is_stopped() -> None:
    with _within(0.5), pytest.raises(ScriptLimitExceeded):
        _run("def f(n):\n    return 1 if n == 0 else f(n - 1) + f(n - 1)\nx = f(40)")


def test_ten_billion_nested_comprehension_in_a_condition_is_stopped() -> None:
    expression = "len([1 for a in range(100000) for b in range(100000)]) > 0"
    with _within(0.5), pytest.raises(ScriptLimitExceeded, match="steps"):
        RestrictedEnvironment().evaluate(expression, {})


def test_tower_of_powers_is_refused_by_the_pow_guard() -> None:
    with _within(0.2), pytest.raises(ScriptLimitExceeded, match="integer power too large"):
        _run("x = 9 ** 9 ** 7")
    with pytest.raises(ScriptLimitExceeded):
        _run("x = pow(10 ** 100, 1000)")  # small exponent, huge result


def test_sum_of_huge_range_is_refused() -> None:
    with _within(0.2), pytest.raises(ScriptLimitExceeded, match="range"):
        _run("x = sum(range(10**12))")


def test_huge_repetition_and_shift_are_refused() -> None:
    with pytest.raises(ScriptLimitExceeded, match="repetition"):
        _run("x = 'a' * 10**10")
    with pytest.raises(ScriptLimitExceeded, match="shift"):
        _run("x = 1 << 10**10")


def test_limit_error_is_a_plain_exception_with_a_str_message() -> None:
    # SpiffWorkflow drops the task from SpiffWorkflowExceptions and does ":" + args[0].
    err = ScriptLimitExceeded("script exceeded 1 steps")
    assert not isinstance(err, SpiffWorkflowException)
    assert isinstance(err.args[0], str)


# --- check_source ---------------------------------------------------------------------------


def test_check_source_accepts_good_scripts_and_conditions() -> None:
    script = "total = sum(x * 2 for x in items)\nlate = due < date.today()"
    assert check_source(script, "exec") is None
    assert check_source("route == 'urgent' and len(items) > 2", "eval") is None


def test_check_source_reports_forbidden_code_with_its_line() -> None:
    assert check_source("import os", "exec") == "line 1: Import statements are not allowed."
    assert check_source("x = 1\nfrom os import path", "exec") == (
        "line 2: ImportFrom statements are not allowed.")
    message = check_source("__import__('os')", "eval")
    assert message is not None and message.startswith("line 1: ") and "__import__" in message


def test_check_source_reports_python_syntax_errors() -> None:
    message = check_source("x = 1\nx = = 2", "exec")
    assert message is not None and message.startswith("line 2: SyntaxError")
    assert check_source("return 1", "exec") == "line 1: 'return' outside function"
    assert check_source("x = 1", "eval") is not None  # an assignment is not a condition


# --- through SpiffWorkflow ------------------------------------------------------------------


def test_workflow_runs_the_script_and_routes_on_the_condition() -> None:
    env = RestrictedEnvironment(functions={"working_days": working_days})
    wf = _routing(
        "score = 0\nfor w in ['fire', 'flood']:\n    score += 10\ndue = working_days(score)",
        "score >= 20 and working_days(1) == 1",
        env,
    )
    wf.do_engine_steps()
    assert wf.completed
    assert _completed(wf, "end_urgent") and not _completed(wf, "end_normal")
    assert wf.data == {"score": 20, "w": "flood", "due": 28}


def test_workflow_takes_the_default_flow_when_the_condition_is_false() -> None:
    wf = _routing("score = 1", "score > 10")
    wf.do_engine_steps()
    assert _completed(wf, "end_normal") and not _completed(wf, "end_urgent")


def test_forbidden_script_fails_naming_the_task_and_line() -> None:
    wf = _routing("x = 1\nimport os", "True")
    with pytest.raises(WorkflowTaskException) as err:
        wf.do_engine_steps()
    assert err.value.task_spec.name == "calc"
    assert (err.value.error_type, err.value.line_number, err.value.error_line) == (
        "SyntaxError", 2, "import os")
    assert "Import statements are not allowed." in str(err.value)
    assert _task(wf, "calc").state == TaskState.ERROR


def test_runtime_name_error_in_script_reports_the_line() -> None:
    wf = _routing("x = 1\nsecret = open('/etc/passwd').read()", "True")
    with pytest.raises(WorkflowTaskException) as err:
        wf.do_engine_steps()
    assert (err.value.task_spec.name, err.value.error_type) == ("calc", "NameError")
    assert err.value.line_number == 2
    assert err.value.error_line == "secret = open('/etc/passwd').read()"


def test_dunder_import_in_gateway_condition_fails_naming_the_gateway() -> None:
    wf = _routing("x = 1", "__import__('os').system('true') == 0")
    with pytest.raises(WorkflowTaskException) as err:
        wf.do_engine_steps()
    assert err.value.task_spec.name == "gw"
    assert err.value.task_spec.bpmn_name == "Urgent?"
    assert err.value.error_type == "SyntaxError"
    assert isinstance(err.value.__context__, SyntaxError)
    assert _task(wf, "gw").state == TaskState.ERROR


def test_runaway_script_in_workflow_fails_quickly_naming_the_task() -> None:
    wf = _routing("x = 1\nwhile True: pass", "True")
    with _within(0.5), pytest.raises(WorkflowTaskException) as err:
        wf.do_engine_steps()
    assert err.value.task_spec.name == "calc"
    assert err.value.error_type == "ScriptLimitExceeded"
    assert str(err.value).startswith("ScriptLimitExceeded:script exceeded 100000 steps")
    assert err.value.line_number == 2


def test_runaway_condition_fails_naming_the_gateway() -> None:
    wf = _routing("x = 1", "sum([1 for a in range(100000) for b in range(100000)]) > 0")
    with _within(0.5), pytest.raises(WorkflowTaskException) as err:
        wf.do_engine_steps()
    assert (err.value.task_spec.name, err.value.error_type) == ("gw", "ScriptLimitExceeded")


def test_app_function_is_callable_from_a_timer_expression() -> None:
    env = RestrictedEnvironment(functions={"sla_duration": lambda level: "PT2H"})
    wf = _workflow(TIMER_BPMN, "sla", env)
    before = datetime.now(timezone.utc)
    wf.do_engine_steps()
    (event,) = wf.waiting_events()
    due = datetime.fromisoformat(event.value)
    assert timedelta(hours=2) <= due - before < timedelta(hours=2, minutes=1)
    assert "sla_duration" not in _task(wf, "wait").data

"""gradetool.hiding and the assignment's declaration: which modules a student kernel loses."""

import importlib.util
import types

import pytest

from gradetool import course, hiding


def test_an_answer_module_and_every_library_module_that_exposes_it_are_blocked():
    plan = hiding.plan(["mlpbook.perceptron"])
    # demo imports train_perceptron; widgets' playground uses the perceptron too
    assert {"mlpbook.perceptron", "mlpbook.demo"} <= set(plan.blocked)
    assert not {"mlpbook", "mlpbook.data", "mlpbook.grading", "mlpbook.layers"} & set(plan.blocked)
    stubbed = {p.name for p in plan.replaced}
    assert {"perceptron.py", "demo.py"} <= stubbed and "__init__.py" not in stubbed
    code = plan.replaced[next(p for p in plan.replaced if p.name == "perceptron.py")]
    with pytest.raises(ImportError, match="holds the answers of this assignment"):
        exec(compile(code, "perceptron.py", "exec"), {})


def test_a_package_init_that_re_exports_answers_is_rewritten_not_blocked():
    plan = hiding.plan(["mlpbook.layers"])
    assert "mlpbook" not in plan.blocked and "mlpbook.model" in plan.blocked
    init = next(p for p in plan.replaced if p.name == "__init__.py")
    text = plan.replaced[init]
    assert "from .layers import" not in text and "from .optim import" in text
    module = types.ModuleType("mlpbook")
    module.__spec__ = importlib.util.find_spec("mlpbook")
    module.__package__, module.__path__ = "mlpbook", [str(init.parent)]
    exec(compile(text, "<rewritten __init__>", "exec"), module.__dict__)
    assert module.SGD.__name__ == "SGD"  # what does not come from the answers stays
    with pytest.raises(ImportError, match="Dense comes from a module that holds the answers"):
        module.__getattr__("Dense")
    with pytest.raises(AttributeError):
        module.__getattr__("nothing_of_the_kind")


def test_installed_packages_are_blocked_by_name_only():
    plan = hiding.plan(["scipy.special", "a_package_that_does_not_exist"])
    assert plan.blocked == ["a_package_that_does_not_exist", "scipy.special"]
    assert plan.replaced == {} and plan.folders == []
    assert not hiding.plan([])


def test_the_assignment_declares_its_answer_modules_once_in_a_set_up_cell():
    def cell(text, **meta):
        return {"cell_type": "code", "source": text, "metadata": {"nbgrader": meta} if meta else {}}

    source = {
        "cells": [
            cell(
                "import numpy as np\nfrom mlpbook import grading\n"
                'grading.answer_modules("mlpbook.perceptron", "mlpbook.demo")'
            ),
            cell('answer_modules("mlpbook.x")', solution=True, grade=False, grade_id="a"),
            cell('grading.answer_modules("mlpbook.y")', grade=True, grade_id="t", points=1),
            cell("%%capture\nnot python"),
        ]
    }
    assert course.declared_answer_modules(source) == ("mlpbook.perceptron", "mlpbook.demo")


def test_the_case_seed_is_the_same_for_the_same_submission_and_secret_only():
    a = course.Assignment("a", "nb", {}, None, {}, {}, {}, "h", secret=b"s" * 32)
    b = course.Assignment("a", "nb", {}, None, {}, {}, {}, "h", secret=b"t" * 32)
    assert a.case_seed("text") == a.case_seed("text")
    assert a.case_seed("text") != a.case_seed("text ")
    assert a.case_seed("text") != b.case_seed("text")
    assert 0 <= a.case_seed("") < 2**64


def test_the_course_secret_is_made_once_and_kept(tmp_path):
    fake = types.SimpleNamespace(state_dir=tmp_path / "state", root=tmp_path)
    first = course.course_secret(fake)
    assert len(first) == 32 and course.course_secret(fake) == first
    assert (tmp_path / "state" / "case-secret").stat().st_mode & 0o077 == 0

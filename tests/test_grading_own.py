"""Tests for mlpbook.grading's own-work checks: declared answer modules, the modules that
expose them, and the ways around the checks that they close."""

import sys
import textwrap

import pytest

from mlpbook import grading
from mlpbook.grading import own

SEP = "\n# -- next cell --\n"
ANSWERS = ["mlpbook.perceptron"]


def message(check, *args, **kwargs) -> str:
    with pytest.raises(AssertionError) as info:
        check(*args, **kwargs)
    return " ".join(str(info.value).split("\n"))


def define(code: str, name: str, module: str = "student_notebook"):
    namespace = {"__name__": module}
    exec(textwrap.dedent(code), namespace)
    return namespace[name]


@pytest.fixture
def declared(monkeypatch):
    """A fresh declaration list, as in a new notebook kernel."""
    monkeypatch.setattr(own, "_declared", [])
    return own._declared


# ---------------------------------------------------------------------------- declaring


def test_answer_modules_are_declared_once_and_used_by_default(declared):
    func = define("from mlpbook.perceptron import step\ndef f(z):\n    return step(z)", "f")
    text = message(grading.assert_own_implementation, func)
    assert text.startswith("No module holds this assignment's answers: run the set-up cell")
    assert grading.answer_modules("mlpbook.perceptron") is None
    assert grading.declared_answer_modules() == ("mlpbook.perceptron",)
    text = message(grading.assert_own_implementation, func)
    assert "f → mlpbook.perceptron.step" in text
    assert "while it uses mlpbook.perceptron (or a module that imports it: mlpbook.demo" in text
    # a later declaration adds, it cannot take a module back
    grading.answer_modules("mlpbook.losses")
    assert grading.declared_answer_modules() == ("mlpbook.perceptron", "mlpbook.losses")
    message(grading.assert_own_implementation, func)
    # forbidden= still works, and wins over the declaration
    grading.assert_own_implementation(func, forbidden=["mlpbook.losses"])
    with pytest.raises(TypeError):
        grading.answer_modules("not a module name")


def test_the_declaration_is_read_from_the_source():
    code = (
        "import numpy as np\nfrom mlpbook import grading\n\n"
        'grading.answer_modules("mlpbook.perceptron")  # the answers'
        + SEP
        + "_here = %pwd\nanswer_modules('mlpbook.layers', 'mlpbook.model')"
    )
    assert grading.answer_modules_in(code) == (
        "mlpbook.perceptron",
        "mlpbook.layers",
        "mlpbook.model",
    )
    assert grading.answer_modules_in("x = 1") == ()


def test_modules_exposing_the_answers():
    exposing = grading.modules_exposing(["mlpbook.perceptron"])
    assert {"mlpbook.perceptron", "mlpbook.demo", "mlpbook.widgets"} <= exposing
    assert not exposing & {"mlpbook", "mlpbook.activations", "mlpbook.layers", "mlpbook.grading"}


def test_modules_exposing_is_transitive_and_imports_nothing(tmp_path, monkeypatch):
    lib = tmp_path / "fakelib"
    (lib / "sub").mkdir(parents=True)
    files = {
        "__init__.py": "",
        "answers.py": "def solve():\n    return 1\n",
        "direct.py": "from .answers import solve\n",
        "via_package.py": "from fakelib import direct\n",
        "sub/__init__.py": "",
        "sub/deep.py": "from ..via_package import direct\n",
        "lazy.py": "def f():\n    import fakelib.answers\n",
        "clean.py": "import fakelib\nfrom . import sub\n",
        "broken.py": "def (:\n",
    }
    for name, text in files.items():
        (lib / name).write_text(text)
    monkeypatch.syspath_prepend(str(tmp_path))
    exposing = grading.modules_exposing(["fakelib.answers"])
    assert exposing == {
        "fakelib.answers",
        "fakelib.direct",
        "fakelib.via_package",
        "fakelib.sub.deep",
        "fakelib.lazy",
    }
    assert "fakelib" not in sys.modules


def test_a_module_of_an_installed_package_stands_alone_and_its_ufuncs_are_caught():
    # scipy is installed, not a source package: it is not read (that takes seconds)
    exposing = grading.modules_exposing(["mlpbook.activations", "scipy.special", "torch"])
    assert {"scipy.special", "torch", "mlpbook.layers"} <= exposing
    assert not any(m.startswith("scipy.") and m != "scipy.special" for m in exposing)
    # a ufunc has no __module__: scipy.special's own are known by identity, numpy's are not
    expit = define("from scipy.special import expit\ndef f(x):\n    return expit(x)", "f")
    text = message(grading.assert_own_implementation, expit, forbidden=["scipy.special"])
    assert "f → scipy.special.expit" in text
    numpy_only = define("import numpy as np\ndef f(x):\n    return np.exp(np.log1p(x))", "f")
    grading.assert_own_implementation(numpy_only, forbidden=["scipy.special"])
    via_module = define("import scipy.special\ndef f(x):\n    return scipy.special.expit(x)", "f")
    assert "scipy.special" in message(
        grading.assert_own_implementation, via_module, forbidden=["scipy.special"]
    )


# ---------------------------------------------------------------------------- static reading


ESCAPES = {
    "import-inside-if": """
        import numpy as np
        if True:
            import mlpbook.perceptron as p
        def perceptron_predict(x, w, b):
            return p.perceptron_predict(x, w, b)
        """,
    "defs-inside-if-true": """
        from mlpbook.perceptron import step
        if True:
            def helper(z):
                return step(z)
            def perceptron_predict(x, w, b):
                return helper(x @ w + b)
        """,
    "defs-inside-try-for-with": """
        import contextlib
        try:
            from mlpbook import perceptron as answers
        except ImportError:
            answers = None
        with contextlib.suppress(Exception):
            for _ in range(1):
                def perceptron_predict(x, w, b):
                    return answers.perceptron_predict(x, w, b)
        """,
    "magic-line-in-the-same-cell": """
        _here = %pwd
        !ls
        from mlpbook.perceptron import perceptron_predict as library
        def perceptron_predict(x, w, b):
            return library(x, w, b)
        """,
    "cell-magic": """
        %%time
        from mlpbook.perceptron import perceptron_predict as library
        def perceptron_predict(x, w, b):
            return library(x, w, b)
        """,
    "exec-getsource": """
        import inspect
        import mlpbook.perceptron
        exec(inspect.getsource(mlpbook.perceptron))
        """,
    "getattr-demo-globals": """
        import mlpbook.demo
        def perceptron_predict(x, w, b):
            g = getattr(mlpbook.demo, "train_perceptron").__globals__
            return g["perceptron_predict"](x, w, b)
        """,
    "getattr-strings-only": """
        import mlpbook
        def perceptron_predict(x, w, b):
            module = getattr(getattr(mlpbook, "demo"), "train_perceptron")
            return module.__globals__["perceptron_predict"](x, w, b)
        """,
    "dunder-import-attribute": """
        def perceptron_predict(x, w, b):
            return __import__("mlpbook.widgets").widgets.perceptron_predict(x, w, b)
        """,
    "from-the-exposing-module": """
        from mlpbook.widgets import perceptron_predict as library
        def perceptron_predict(x, w, b):
            return library(x, w, b)
        """,
    "global-in-a-function": """
        def setup():
            global perceptron_predict
            from mlpbook.perceptron import perceptron_predict
        def setup2():
            global perceptron_predict
            import mlpbook.perceptron as p
            perceptron_predict = p.perceptron_predict
        setup2()
        """,
    "for-loop-binding": """
        import mlpbook.perceptron as p
        for perceptron_predict in [p.perceptron_predict]:
            pass
        """,
    "code-in-a-string": """
        def perceptron_predict(x, w, b):
            exec("from mlpbook import perceptron as q")
            return 0
        """,
    "globals-assignment": """
        import mlpbook.perceptron as p
        globals()["perceptron_predict"] = p.perceptron_predict
        """,
    "unreadable": """
        import base64
        exec(base64.b64decode(b"cGFzcw=="))
        """,
}


@pytest.mark.parametrize("case", list(ESCAPES))
def test_static_reading_closes_the_escape(case):
    code = textwrap.dedent(ESCAPES[case]).strip()
    found = grading.find_forbidden_in_source(code, "perceptron_predict", ANSWERS)
    assert found is not None and found[0] == "perceptron_predict", found


def test_static_reading_names_what_it_found():
    code = textwrap.dedent(ESCAPES["getattr-demo-globals"]).strip()
    found = grading.find_forbidden_in_source(code, "perceptron_predict", ANSWERS)
    assert found[0] == "perceptron_predict" and found[1].startswith("mlpbook.demo.")
    code = textwrap.dedent(ESCAPES["unreadable"]).strip()
    found = grading.find_forbidden_in_source(code, "perceptron_predict", ANSWERS)
    assert "cannot read" in found[1]


def test_a_pasted_copy_of_the_library_is_caught_statically():
    import inspect

    import mlpbook.perceptron

    source = inspect.getsource(mlpbook.perceptron.perceptron_predict)
    found = grading.find_forbidden_in_source(source, "perceptron_predict", ANSWERS)
    assert found == ("perceptron_predict", "a copy of mlpbook.perceptron.perceptron_predict")


OWN_CODE = {
    "magic-and-if": """
        _here = %pwd
        import numpy as np
        if True:
            def perceptron_predict(x, w, b):
                return (np.asarray(x) @ w + b >= 0).astype(int)
        """,
    "other-library-in-if": """
        import numpy as np
        if np.__version__:
            from mlpbook.activations import step
        def perceptron_predict(x, w, b):
            return step(x @ w + b)
        """,
    "time-cell-magic": """
        %%time
        import numpy as np
        def perceptron_predict(x, w, b):
            return (np.asarray(x) @ w + b >= 0) * 1
        """,
    "the-answers-imported-but-not-used": """
        import mlpbook.perceptron
        def perceptron_predict(x, w, b):
            return (x @ w + b >= 0) * 1
        """,
}


@pytest.mark.parametrize("case", list(OWN_CODE))
def test_static_reading_passes_own_code(case):
    code = textwrap.dedent(OWN_CODE[case]).strip()
    assert grading.find_forbidden_in_source(code, "perceptron_predict", ANSWERS) is None


def test_without_ipython_magic_lines_are_dropped(monkeypatch):
    monkeypatch.setitem(sys.modules, "IPython.core.inputtransformer2", None)
    code = textwrap.dedent(ESCAPES["magic-line-in-the-same-cell"]).strip()
    assert grading.find_forbidden_in_source(code, "perceptron_predict", ANSWERS) is not None
    code = textwrap.dedent(OWN_CODE["magic-and-if"]).strip()
    assert grading.find_forbidden_in_source(code, "perceptron_predict", ANSWERS) is None


# ---------------------------------------------------------------------------- live objects


def test_exec_of_the_library_source_is_caught_on_live_objects():
    code = """
        import inspect
        import mlpbook.perceptron
        source = inspect.getsource(mlpbook.perceptron)
        source = source.replace("from . import", "from mlpbook import")
        exec(source.replace("from ._checks", "from mlpbook._checks"))
        del mlpbook
        """
    func = define(code, "perceptron_predict", module="__main__")  # dataclasses need a module
    assert func.__module__ == "__main__"
    assert grading.find_forbidden(func, ANSWERS) == (
        "perceptron_predict",
        "a copy of mlpbook.perceptron.perceptron_predict",
    )


def test_getattr_strings_on_live_objects():
    import mlpbook.demo  # noqa: F401 (loaded, as the student's import would)

    code = textwrap.dedent(ESCAPES["getattr-strings-only"])
    func = define(code, "perceptron_predict")
    forbidden = own._forbidden_names(ANSWERS)
    found = grading.find_forbidden(func, forbidden)
    assert found is not None and found[-1] == "the module mlpbook.demo"
    text = message(grading.assert_own_implementation, func, forbidden=ANSWERS)
    assert "perceptron_predict → mlpbook → the module mlpbook.demo" in text


def test_a_submodule_imported_inside_the_function_is_caught_before_it_is_loaded(
    tmp_path, monkeypatch
):
    """`from pkg import answers` in the function's body: the check must not depend on
    whether the answer module was imported yet (a visible test runs before any call)."""
    lib = tmp_path / "fakelib2"
    lib.mkdir()
    (lib / "__init__.py").write_text("")
    (lib / "answers.py").write_text("def solve():\n    return 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import fakelib2  # the package is loaded, its answers module is not

    monkeypatch.delitem(sys.modules, "fakelib2.answers", raising=False)
    assert "fakelib2.answers" not in sys.modules and fakelib2
    func = define(
        """
        def solve():
            from fakelib2 import answers

            return answers.solve()
        """,
        "solve",
    )
    text = message(grading.assert_own_implementation, func, forbidden=["fakelib2.answers"])
    assert "solve → fakelib2 → the module fakelib2.answers" in text
    assert "fakelib2.answers" not in sys.modules  # found by reading, nothing imported
    clean = define("def solve():\n    from fakelib2 import other\n    return other\n", "solve")
    grading.assert_own_implementation(clean, forbidden=["fakelib2.answers"])
    monkeypatch.delitem(sys.modules, "fakelib2")

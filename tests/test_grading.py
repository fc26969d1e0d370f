"""Tests for mlpbook.grading: the checks behind the graded notebooks' test cells."""

import functools
import textwrap

import numpy as np
import pytest

from mlpbook import grading


def define(code: str, name: str):
    """Run ``code`` as a notebook would (its own global namespace) and return ``name``."""
    namespace = {"__name__": "student_notebook"}
    exec(textwrap.dedent(code), namespace)
    return namespace[name]


def message(check, *args, **kwargs) -> str:
    """The message ``check`` fails with, its lines joined back into one."""
    with pytest.raises(AssertionError) as info:
        check(*args, **kwargs)
    return " ".join(str(info.value).split("\n"))


# ---------------------------------------------------------------------------- fmt


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "None"),
        (True, "True"),
        (np.bool_(False), "False"),
        (3, "3"),
        (np.int64(-2), "-2"),
        (2.0, "2"),
        (-0.3125, "-0.3125"),
        (np.float32(0.1), "0.1"),
        ([1, 2], "[1, 2]"),
        (np.array([[0.0, 1.5], [2.0, -1.0]]), "[[0, 1.5], [2, -1]]"),
        (np.array([1.0, 2.0], dtype=np.float32), "[1, 2] (float32)"),
        (np.array([True, False]), "[True, False]"),
        ((np.zeros(2), 1.0), "([0, 0], 1)"),
        ("text", "'text'"),
    ],
)
def test_fmt(value, text):
    assert grading.fmt(value) == text


def test_fmt_summarises_long_arrays():
    assert grading.fmt(np.arange(20)) == "[0, 1, 2, …, 17, 18, 19] (shape (20,))"
    text = grading.fmt(np.ones((30, 2), dtype=np.float32))
    assert text.startswith("[[1, 1], [1, 1], [1, 1], …, [1, 1]")
    assert text.endswith("(shape (30, 2), float32)")


def test_fmt_summarises_long_lists_of_other_things():
    graph = [("input", "x"), *[("mul", k, k) for k in range(9_999)]]
    text = grading.fmt(graph)
    assert text.startswith("[('input', 'x'), ('mul', 0, 0), ('mul', 1, 1), …, ")
    assert text.endswith("('mul', 9998, 9998)] (10000 items)") and len(text) < 200
    call = grading.describe_call("backprop_graph", {"nodes": tuple(graph[:100])})
    assert "(100 items)" not in call and "('mul', 50, 50)" in call  # whole up to 100 items
    assert "(101 items)" in grading.describe_call("f", {"nodes": graph[:101]})


# ---------------------------------------------------------------------------- run


def test_run_passes_arguments_by_position_and_describes_the_call():
    def predict(inputs, weights, bias):  # other names than the call's: fine
        return inputs @ weights + bias

    got, call = grading.run(predict, x=np.array([[1.0, 2.0]]), w=np.array([1.0, 1.0]), b=0.5)
    assert got.tolist() == [3.5]
    assert call == "predict(x=[[1, 2]], w=[1, 1], b=0.5)"


def test_run_describes_a_call_as_told():
    def backward(dout, cache):
        cache[0][0] = 1.0  # modifies its argument
        return dout

    cache = [np.zeros((30, 30)), np.zeros(30)]
    got, call = grading.run(np.negative, describe="negative(x)", x=np.ones((30, 30)))
    assert call == "negative(x)" and got.sum() == -900
    text = message(grading.run, backward, describe="backward(dout, cache)", dout=1.0, cache=cache)
    assert text.startswith("backward(dout, cache) modified its argument cache")


def test_run_explains_not_implemented():
    def perceptron_predict(x, w, b):
        raise NotImplementedError()

    text = message(grading.run, perceptron_predict, x=[[0.0]], w=[1.0], b=0.0)
    assert text == (
        "perceptron_predict is not implemented yet: perceptron_predict(x=[[0]], w=[1], b=0) "
        "raised NotImplementedError. Replace `raise NotImplementedError()` in "
        "perceptron_predict with your code."
    )


def test_run_names_the_function_that_is_not_implemented():
    def update(w):
        raise NotImplementedError()

    def train(w):
        return update(w)

    text = message(grading.run, train, w=0)
    assert text == (
        "update is not implemented yet: train(w=0) raised NotImplementedError in update. "
        "Replace `raise NotImplementedError()` in update with your code."
    )


def test_run_reports_an_exception_with_the_call():
    def f(x):
        return x @ np.ones(3)

    text = message(grading.run, f, x=np.ones(2))
    assert text.startswith("f(x=[1, 1]) raised ValueError")


def test_run_catches_a_modified_graph_of_plain_tuples():
    graph = [("input", "x"), *[("mul", k, 0.5) for k in range(9_999)]]

    def reads(nodes):
        return len(nodes)

    def relabels(nodes):
        nodes[5000] = ("add", 4999, 0.5)
        return len(nodes)

    def stores_an_array(nodes):
        nodes[1] = np.array([0.0, 0.5])
        return len(nodes)

    assert grading.run(reads, nodes=graph)[0] == 10_000
    text = message(grading.run, relabels, nodes=graph)
    assert "modified its argument nodes" in text and graph[5000] == ("add", 4999, 0.5)
    text = message(grading.run, stores_an_array, nodes=[("input", "x"), ("mul", 0, 0)])
    assert "modified its argument nodes" in text
    assert grading.run(reads, nodes=[0.0, -0.0, float("nan"), "a", None, (1, [2.5])])[0] == 6


def test_run_catches_modified_arguments():
    def update(w, x):
        w += x
        return w

    text = message(grading.run, update, w=np.zeros(2), x=np.ones(2))
    assert "modified its argument w: it held [0, 0] before the call and [1, 1] after it" in text
    assert "not w += …" in text


def test_run_stops_an_endless_loop():
    def forever(x):
        while True:
            x = x + 1

    text = message(grading.run, forever, x=0, timeout=0.2, timeout_hint="Is max_epochs used?")
    assert text == "forever(x=0) did not return within 0.2 s. Is max_epochs used?"


def test_run_restores_the_previous_alarm_handler():
    import signal

    before = signal.getsignal(signal.SIGALRM)
    grading.run(lambda x: x, x=1, timeout=0.5)
    assert signal.getsignal(signal.SIGALRM) is before
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_unpack():
    assert grading.unpack((1, 2), ["w", "b"], call="f()") == (1, 2)
    assert grading.unpack([1, 2], ["w", "b"], call="f()") == (1, 2)
    text = message(grading.unpack, np.array([1.0, 2.0]), ["w_new", "b_new"], call="f()")
    assert text == (
        "f() returned a ndarray, [1, 2]: expected a tuple of 2 values (w_new, b_new), "
        "e.g. `return w_new, b_new`."
    )
    assert "a tuple of 3 values" in message(grading.unpack, (1, 2, 3), ["w", "b"], call="f()")


# ---------------------------------------------------------------------------- check_close


@pytest.mark.parametrize(
    "got",
    [
        [0, 1, 1],
        (0, 1, 1),
        np.array([0, 1, 1]),
        np.array([False, True, True]),
        np.array([0.0, 1.0, 1.0], dtype=np.float32),
        np.array([0.0, 1.0 + 1e-9, 1.0]),
    ],
)
def test_check_close_accepts_any_dtype_and_container(got):
    grading.check_close(got, np.array([0, 1, 1]), call="f()")


def test_check_close_accepts_numbers_of_any_type():
    for got in (2, 2.0, np.float32(2.0), np.int64(2), np.array(2.0)):
        grading.check_close(got, 2.0, call="f()")


def test_check_close_names_the_call_the_answer_and_the_mistake():
    text = message(
        grading.check_close,
        np.array([1.0, 1.0]),
        [-1.0, -1.0],
        call="perceptron_update(w=[0, 0], b=0, x_i=[1, 1], y_i=0)",
        what="w_new",
        mistakes={"A hint that does not apply.": [5.0, 5.0], "Wrong sign.": [1.0, 1.0]},
    )
    assert text == (
        "Wrong sign. perceptron_update(w=[0, 0], b=0, x_i=[1, 1], y_i=0) returned "
        "w_new = [1, 1]: expected [-1, -1]."
    )


def test_check_close_rejects_a_wrong_shape():
    text = message(grading.check_close, [[0], [1]], [0, 1], call="f()")
    assert text == (
        "f() returned [[0], [1]], an array of shape (2, 1): expected an array of shape (2,), "
        "[0, 1]."
    )
    text = message(grading.check_close, [1.0], 1.0, call="f()", what="b_new")
    assert "an array of shape (1,): expected a number" in text


def test_check_close_spots_a_missing_return_and_non_numbers():
    assert "Did you forget a `return`?" in message(grading.check_close, None, [1], call="f()")
    text = message(grading.check_close, "abc", [1], call="f()")
    assert text == "f() returned 'abc' (a str): expected numbers, [1]."
    assert "expected numbers" in message(grading.check_close, [[1], [2, 3]], [1, 2], call="f()")


def test_check_close_tolerance():
    grading.check_close(1.0 + 1e-7, 1.0, call="f()")
    message(grading.check_close, 1.001, 1.0, call="f()")
    grading.check_close(1.001, 1.0, call="f()", rtol=1e-2)


def test_check_close_locates_the_first_difference_in_long_arrays():
    got = np.zeros(20)
    got[[4, 7]] = 1
    text = message(grading.check_close, got, np.zeros(20), call="f()")
    assert "2 of 20 entries differ, the first at index 4: 1 instead of 0." in text


def test_check_bool():
    grading.check_bool(True, True, call="f()")
    grading.check_bool(np.bool_(False), False, call="f()")
    text = message(grading.check_bool, 1, True, call="f()", what="converged")
    assert text == "f() returned converged = 1 (a int): expected True, a bool (True or False)."
    text = message(
        grading.check_bool, True, False, call="f()", what="converged", mistakes={"Hint.": True}
    )
    assert text == "Hint. f() returned converged = True: expected False."


def test_check_int():
    for got in (6, np.int64(6), 6.0):
        grading.check_int(got, 6, call="f()")
    assert "expected the whole number 6" in message(grading.check_int, True, 6, call="f()")
    assert "expected the whole number 6" in message(grading.check_int, 6.5, 6, call="f()")
    text = message(grading.check_int, 5, 6, call="f()", what="epochs", mistakes={"Off by 1.": 5})
    assert text == "Off by 1. f() returned epochs = 5: expected 6."


def test_check_shape():
    grading.check_shape([[1, 2], [3, 4]], (2, 2), what="W1")
    grading.check_shape(-1.5, (), what="B2")
    text = message(grading.check_shape, np.ones((2, 1)), (2,), what="W2")
    assert text == "W2 = [[1], [1]] is an array of shape (2, 1): expected an array of shape (2,)."
    text = message(grading.check_shape, [-1.5], (), what="B2", where="the XOR network")
    assert text == ("the XOR network: B2 = [-1.5] is an array of shape (1,): expected a number.")
    assert "expected numbers" in message(grading.check_shape, None, (2,), what="B1")


# ---------------------------------------------------------------------------- own work

FORBIDDEN = ["mlpbook.perceptron"]

USES_THE_LIBRARY = {
    "a from-import": """
        from mlpbook.perceptron import perceptron_predict as p

        def f(x, w, b):
            return p(x, w, b)
        """,
    "the module under another name": """
        import mlpbook.perceptron as answers

        def f(x, w, b):
            return answers.perceptron_predict(x, w, b)
        """,
    "an attribute chain from the package": """
        import mlpbook
        import mlpbook.perceptron

        def f(x, w, b):
            return mlpbook.perceptron.step(x @ w + b)
        """,
    "an import inside the function": """
        def f(x, w, b):
            from mlpbook.perceptron import perceptron_predict
            return perceptron_predict(x, w, b)
        """,
    "a helper two calls away": """
        from mlpbook.perceptron import step

        def fire(z):
            return step(z)

        def net(x, w, b):
            return fire(x @ w + b)

        def f(x, w, b):
            return net(x, w, b)
        """,
    "a nested function": """
        from mlpbook.perceptron import step

        def f(x, w, b):
            def inner(z):
                return step(z)
            return inner(x @ w + b)
        """,
    "a lambda": """
        from mlpbook.perceptron import step

        def f(x, w, b):
            g = lambda z: step(z)
            return g(x @ w + b)
        """,
    "a closure": """
        def make():
            from mlpbook.perceptron import step
            def f(x, w, b):
                return step(x @ w + b)
            return f

        f = make()
        """,
    "a default argument": """
        from mlpbook.perceptron import step

        def f(x, w, b, fire=step):
            return fire(x @ w + b)
        """,
    "a partial": """
        import functools
        from mlpbook.perceptron import train_perceptron

        train = functools.partial(train_perceptron, lr=1.0)

        def f(x, y):
            return train(x, y)
        """,
    "a method of the student's class": """
        from mlpbook.perceptron import Perceptron

        class Model:
            def fit(self, x, y):
                return Perceptron().fit(x, y)

        def f(x, y):
            return Model().fit(x, y)
        """,
    "an attribute of the student's object": """
        from mlpbook.perceptron import Perceptron

        class Model:
            def __init__(self):
                self.inner = Perceptron()

            def fit(self, x, y):
                return self.inner.fit(x, y)

        model = Model()

        def f(x, y):
            return model.fit(x, y)
        """,
    "an instance of a library class": """
        from mlpbook.perceptron import Perceptron

        model = Perceptron()

        def f(x, y):
            return model.fit(x, y)
        """,
    "the name of the module in a string": """
        import importlib

        def f(x, w, b):
            return importlib.import_module("mlpbook.perceptron").perceptron_predict(x, w, b)
        """,
    "the library's function itself": """
        from mlpbook.perceptron import perceptron_predict as f
        """,
}


@pytest.mark.parametrize("case", list(USES_THE_LIBRARY))
def test_own_implementation_catches(case):
    func = define(USES_THE_LIBRARY[case], "f")
    assert grading.find_forbidden(func, FORBIDDEN) is not None
    text = message(grading.assert_own_implementation, func, forbidden=FORBIDDEN)
    assert "uses the library's answer" in text
    assert "scores 0 while it uses mlpbook.perceptron" in text


def test_own_implementation_names_the_chain():
    func = define(USES_THE_LIBRARY["a helper two calls away"], "f")
    path = grading.find_forbidden(func, FORBIDDEN)
    assert path == ("f", "net", "fire", "mlpbook.perceptron.step")


OWN_WORK = {
    "numpy only": """
        def f(x, w, b):
            return (np.asarray(x) @ w + b >= 0).astype(int)
        """,
    "the rest of the library": """
        import mlpbook
        import mlpbook.activations
        from mlpbook.activations import step

        def f(x, w, b):
            return step(x @ w + b) + 0 * mlpbook.activations.step(x @ w + b)
        """,
    "helpers and a recursive function": """
        def fire(z):
            return (z >= 0) * 1

        def depth(n):
            return 0 if n == 0 else 1 + depth(n - 1)

        def f(x, w, b):
            return fire(x @ w + b) + 0 * depth(2)
        """,
    "a built-in whose name numpy deprecates": """
        def f(x, w, b):
            key = "w" + str(1)  # reading np.str warns (FutureWarning): the check must not
            return (np.asarray(x) @ w + b >= 0).astype(int) + 0 * len(key)
        """,
    "their own class": """
        class Unit:
            def __init__(self, w, b):
                self.w, self.b = w, b

            def __call__(self, x):
                return (x @ self.w + self.b >= 0) * 1

        def f(x, w, b):
            return Unit(w, b)(x)
        """,
}


@pytest.mark.parametrize("case", list(OWN_WORK))
def test_own_implementation_allows(case):
    code = "import numpy as np\n" + textwrap.dedent(OWN_WORK[case])
    func = define(code, "f")
    assert grading.find_forbidden(func, FORBIDDEN) is None
    grading.assert_own_implementation(func, forbidden=FORBIDDEN)
    x = np.array([[0.0, 1.0], [1.0, 1.0]])
    assert np.asarray(func(x, np.array([1.0, 1.0]), -1.5)).tolist() == [0, 1]


def test_trusted_functions_are_not_followed_but_library_objects_are_caught():
    namespace = {"__name__": "student_notebook"}
    exec(
        textwrap.dedent(
            """
            from mlpbook.perceptron import perceptron_predict as library_predict

            def perceptron_predict(x, w, b):
                return library_predict(x, w, b)

            def perceptron_update(w, b, x_i, y_i, lr=1.0):
                error = y_i - perceptron_predict(x_i[None], w, b)[0]
                return w + lr * error * x_i, b + lr * error
            """
        ),
        namespace,
    )
    update = namespace["perceptron_update"]
    # part 1 loses its points for using the library; part 2 is not charged for it again
    grading.assert_own_implementation(update, forbidden=FORBIDDEN, trusted=["perceptron_predict"])
    assert grading.find_forbidden(update, FORBIDDEN) is not None
    # a "trusted" name that is the library's own function is still caught
    from mlpbook.perceptron import perceptron_predict as library

    namespace["perceptron_predict"] = library
    assert grading.find_forbidden(update, FORBIDDEN, trusted=["perceptron_predict"]) == (
        "perceptron_update",
        "mlpbook.perceptron.perceptron_predict",
    )


def test_forbidden_single_objects():
    from mlpbook.activations import step

    func = define("from mlpbook.activations import step\ndef f(z):\n    return step(z)\n", "f")
    assert grading.find_forbidden(func, [step]) == ("f", "mlpbook.activations.step")
    assert grading.find_forbidden(func, ["mlpbook.activations.step"]) == (
        "f",
        "mlpbook.activations.step",
    )
    assert grading.find_forbidden(func, ["mlpbook.losses"]) is None
    assert grading.find_forbidden(functools.partial(func), ["mlpbook.losses"]) is None


# ------------------------------------------------------- find_forbidden_in_source (static)

SEP = "\n# -- next cell --\n"


@pytest.mark.parametrize(
    "code",
    [
        "import mlpbook.perceptron\ndef f(x):\n    return mlpbook.perceptron.perceptron_predict(x)",
        "from mlpbook import perceptron as p\ndef f(x):\n    return p.train_perceptron(x)",
        "from mlpbook.perceptron import perceptron_update as u"
        + SEP
        + "def f(x):\n    return u(x)",
        "def f(x):\n    from mlpbook.perceptron import step\n    return step(x)",
        "def f(x):\n    import mlpbook.perceptron as q\n    return q",
        "import mlpbook\nP = mlpbook.perceptron\ndef helper(x):\n    return P\ndef f(x):\n"
        "    return helper(x)",
        "def f(x):\n    return __import__('mlpbook.perceptron')",
        "import mlpbook.perceptron as p\ndef f(x, g=p.step):\n    return g(x)",
        "%time 1\nimport mlpbook.perceptron as p\nclass F:\n    def __call__(self, x):\n"
        "        return p.step(x)\nf = F()",
    ],
    ids=[
        "import-module",
        "from-import-module",
        "from-import-function-other-cell",
        "import-inside",
        "import-as-inside",
        "module-alias-via-helper",
        "string-constant",
        "default-argument",
        "method-of-instance",
    ],
)
def test_static_finder_sees_the_library_answer_in_the_code(code):
    found = grading.find_forbidden_in_source(code, "f", ["mlpbook.perceptron"])
    assert found is not None and found[0] == "f"


@pytest.mark.parametrize(
    "code",
    [
        "import numpy as np\ndef f(x):\n    return np.maximum(x, 0)",
        "from mlpbook import grading, perceptron\ndef f(x):\n    return grading.fmt(x)",
        "import mlpbook.perceptron as p\ndef g(x):\n    return p.step(x)\n"
        "def f(x):\n    return g(x)",
        "def f(x):\n    return 'perceptron'",
    ],
    ids=["numpy", "imported-not-used", "trusted-helper", "harmless-string"],
)
def test_static_finder_passes_own_code(code):
    assert grading.find_forbidden_in_source(code, "f", ["mlpbook.perceptron"], ["g"]) is None

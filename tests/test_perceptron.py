"""Tests for mlpbook.perceptron: Rosenblatt's rule, its convergence and its limits (XOR)."""

import numpy as np
import pytest

from mlpbook.perceptron import (
    NonConvergenceWarning,
    Perceptron,
    PerceptronResult,
    mcculloch_pitts,
    novikoff_bound,
    perceptron_predict,
    perceptron_update,
    step,
    train_perceptron,
)

X4 = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
GATES = {
    "AND": np.array([0, 0, 0, 1]),
    "OR": np.array([0, 1, 1, 1]),
    "NAND": np.array([1, 1, 1, 0]),
}
XOR = np.array([0, 1, 1, 0])


def separable_points(n=200, seed=0, min_margin=0.05):
    """n points in [-1, 1]² labelled by a known line, none closer to it than min_margin."""
    rng = np.random.default_rng(seed)
    w_true, b_true = np.array([1.5, -2.0]), 0.3
    x = rng.uniform(-1, 1, size=(4 * n, 2))
    z = (x @ w_true + b_true) / np.linalg.norm(w_true)
    x = x[np.abs(z) >= min_margin][:n]
    return x, (x @ w_true + b_true >= 0).astype(np.int64), w_true, b_true


def test_step_fires_at_zero_and_returns_int64_of_the_same_shape():
    z = np.array([[-2.0, -1e-12, 0.0], [1e-12, 3.0, -0.0]])
    out = step(z)
    assert out.dtype == np.int64
    assert out.shape == z.shape
    np.testing.assert_array_equal(out, [[0, 0, 1], [1, 1, 1]])
    assert step(0) == 1
    assert step(0).shape == ()


@pytest.mark.parametrize("gate", ["AND", "OR", "NAND"])
def test_linearly_separable_gates_converge_and_then_predict_right(gate):
    y = GATES[gate]
    res = train_perceptron(X4, y)
    assert isinstance(res, PerceptronResult)
    assert res.converged
    assert res.mistakes[-1] == 0
    assert all(m > 0 for m in res.mistakes[:-1]), "training must stop at the first clean epoch"
    assert res.epochs == len(res.mistakes) == len(res.history)
    np.testing.assert_array_equal(perceptron_predict(X4, res.w, res.b), y)


def test_and_matches_a_hand_traced_run():
    """Traced by hand from w = (0, 0), b = 0, lr = 1, samples in order, step(0) = 1."""
    res = train_perceptron(X4, GATES["AND"])
    assert res.mistakes == [2, 3, 3, 2, 1, 0]
    assert res.epochs == 6, "the mistake-free epoch counts"
    np.testing.assert_array_equal(res.w, [2.0, 1.0])
    assert res.b == -3.0
    assert isinstance(res.b, float)
    w1, b1 = res.history[0]  # after epoch 1: (0,0) false positive, (1,1) false negative
    np.testing.assert_array_equal(w1, [1.0, 1.0])
    assert b1 == 0.0
    np.testing.assert_array_equal(res.history[-1][0], res.w)
    assert res.history[-1][1] == res.b


def test_xor_does_not_converge_and_warns():
    with pytest.warns(NonConvergenceWarning, match=r"did not converge in 1000 epochs") as rec:
        res = train_perceptron(X4, XOR, max_epochs=1000)
    assert "linearly separable" in str(rec[0].message)
    assert not res.converged
    assert res.epochs == 1000
    assert len(res.mistakes) == len(res.history) == 1000
    assert min(res.mistakes) > 0
    assert np.any(perceptron_predict(X4, res.w, res.b) != XOR)


def test_random_separable_set_converges_within_novikoffs_bound():
    x, y, w_true, b_true = separable_points()
    assert x.shape == (200, 2)
    assert 0 < y.sum() < 200
    bound = novikoff_bound(x, y, w_true, b_true)
    for kw in ({}, {"lr": 0.1}, {"shuffle": True, "rng": np.random.default_rng(1)}):
        res = train_perceptron(x, y, max_epochs=1000, **kw)
        assert res.converged
        assert sum(res.mistakes) <= bound
        np.testing.assert_array_equal(perceptron_predict(x, res.w, res.b), y)


def test_novikoff_bound_on_a_hand_computed_example():
    # augmented points (2, 1), (-2, 1): R² = 5; (w*, b*) = (1, 0): γ = 2; bound 5/4
    x, y = np.array([[2.0], [-2.0]]), np.array([1, 0])
    assert novikoff_bound(x, y, np.array([1.0]), 0.0) == pytest.approx(1.25, rel=1e-15)
    assert novikoff_bound(x, y, np.array([3.0]), 0.0) == pytest.approx(1.25, rel=1e-15)
    # a bias tilts the augmented normal: γ = min(2.5, 1.5)/‖(1, 0.5)‖ = 1.5/√1.25
    assert novikoff_bound(x, y, np.array([1.0]), 0.5) == pytest.approx(5 * 1.25 / 2.25)


@pytest.mark.parametrize(("w_star", "b_star"), [([-1.0], 0.0), ([0.0], 0.0), ([1.0], -2.0)])
def test_novikoff_bound_rejects_a_non_separating_plane(w_star, b_star):
    x, y = np.array([[2.0], [-2.0]]), np.array([1, 0])
    with pytest.raises(ValueError, match="does not separate"):
        novikoff_bound(x, y, np.array(w_star), b_star)


W, B = np.array([1.0, -1.0]), 0.5


def test_update_leaves_a_correct_prediction_alone():
    w_new, b_new = perceptron_update(W, B, np.array([2.0, 1.0]), 1, lr=0.5)  # z = 1.5
    np.testing.assert_array_equal(w_new, W)
    assert b_new == B
    assert w_new is not W


def test_update_on_a_false_positive_subtracts():
    w_new, b_new = perceptron_update(W, B, np.array([2.0, 1.0]), 0, lr=0.5)  # z = 1.5, ŷ = 1
    np.testing.assert_array_equal(w_new, [0.0, -1.5])
    assert b_new == 0.0


def test_update_on_a_false_negative_adds():
    w_new, b_new = perceptron_update(W, B, np.array([1.0, 3.0]), 1, lr=0.5)  # z = -1.5, ŷ = 0
    np.testing.assert_array_equal(w_new, [1.5, 0.5])
    assert b_new == 1.0


def test_update_treats_z_equal_zero_as_firing():
    w_new, b_new = perceptron_update(W, B, np.array([0.5, 1.0]), 0)  # z = 0, ŷ = 1: wrong
    np.testing.assert_array_equal(w_new, [0.5, -2.0])
    assert b_new == -0.5
    w_new, b_new = perceptron_update(W, B, np.array([0.5, 1.0]), 1)  # z = 0, ŷ = 1: right
    np.testing.assert_array_equal(w_new, W)
    assert b_new == B


def test_inputs_are_not_modified():
    x, y, w0 = X4.copy(), GATES["AND"].copy(), np.array([0.5, -0.5])
    res = train_perceptron(x, y, w0=w0, b0=0.25)
    np.testing.assert_array_equal(x, X4)
    np.testing.assert_array_equal(y, GATES["AND"])
    np.testing.assert_array_equal(w0, [0.5, -0.5])
    assert res.w is not w0
    w, x_i = W.copy(), np.array([2.0, 1.0])
    perceptron_update(w, B, x_i, 0)
    np.testing.assert_array_equal(w, W)
    np.testing.assert_array_equal(x_i, [2.0, 1.0])


def test_a_start_that_already_separates_converges_in_one_epoch():
    w0 = np.array([1.0, 1.0])
    res = train_perceptron(X4, GATES["AND"], w0=w0, b0=-1.5)
    assert (res.converged, res.epochs, res.mistakes) == (True, 1, [0])
    np.testing.assert_array_equal(res.w, w0)
    assert res.b == -1.5
    assert res.w is not w0, "the result must not alias the caller's w0"


def test_history_keeps_copies_per_epoch():
    res = train_perceptron(X4, GATES["AND"])
    assert not np.array_equal(res.history[0][0], res.history[1][0])
    assert [b for _, b in res.history] == [0.0, -1.0, -2.0, -2.0, -3.0, -3.0]


def test_shuffle_is_reproducible_and_needs_an_explicit_rng():
    x, y, _, _ = separable_points()
    a = train_perceptron(x, y, shuffle=True, rng=np.random.default_rng(7))
    b = train_perceptron(x, y, shuffle=True, rng=7)
    in_order = train_perceptron(x, y)
    assert a.converged
    assert a.mistakes == b.mistakes
    np.testing.assert_array_equal(a.w, b.w)
    assert not np.array_equal(a.w, in_order.w), "shuffle=True must change the visiting order"
    with pytest.raises(TypeError, match="Generator"):
        train_perceptron(X4, GATES["OR"], shuffle=True)


def test_shape_errors_name_expected_and_got():
    with pytest.raises(ValueError, match=r"w: expected shape \(D,\) with D=2, got \(3,\)"):
        perceptron_predict(X4, np.zeros(3), 0.0)
    with pytest.raises(ValueError, match=r"x: expected a 2-D array of shape \(N, D\), got a 1-D"):
        perceptron_predict(np.zeros(2), np.zeros(2), 0.0)
    with pytest.raises(ValueError, match=r"y: expected shape \(4,\), got \(3,\)"):
        train_perceptron(X4, [0, 1, 1])
    with pytest.raises(ValueError, match=r"x_i: expected shape \(D,\) with D=2, got \(3,\)"):
        perceptron_update(W, B, np.zeros(3), 1)
    with pytest.raises(ValueError, match=r"w0: expected shape \(D,\) with D=2, got \(1,\)"):
        train_perceptron(X4, GATES["AND"], w0=[1.0])


@pytest.mark.parametrize("bad", [[-1, 1, 1, -1], [0, 1, 2, 1], [0.0, 0.5, 1.0, 1.0]])
def test_labels_must_be_zero_or_one(bad):
    with pytest.raises(ValueError, match=r"\{0, 1\}.*\{-1, \+1\}"):
        train_perceptron(X4, bad)


def test_other_bad_arguments():
    with pytest.raises(ValueError, match="y_i"):
        perceptron_update(W, B, np.array([1.0, 1.0]), -1)
    with pytest.raises(ValueError, match="lr"):
        train_perceptron(X4, GATES["AND"], lr=0.0)
    with pytest.raises(ValueError, match="max_epochs"):
        train_perceptron(X4, GATES["AND"], max_epochs=0)


def test_float_and_bool_labels_are_accepted():
    for y in (GATES["OR"].astype(float), GATES["OR"].astype(bool)):
        assert train_perceptron(X4, y).converged


def test_perceptron_object_wraps_train_perceptron():
    model = Perceptron(max_epochs=50)
    with pytest.raises(RuntimeError, match="fit"):
        model.predict(X4)
    assert model.fit(X4, GATES["NAND"]) is model
    assert model.result_.converged
    np.testing.assert_array_equal(model.predict(X4), GATES["NAND"])
    np.testing.assert_allclose(model.decision_function(X4), X4 @ model.w_ + model.b_)
    np.testing.assert_array_equal(step(model.decision_function(X4)), model.predict(X4))
    with pytest.warns(NonConvergenceWarning, match="did not converge in 3 epochs"):
        assert not model.fit(X4, XOR, max_epochs=3).result_.converged


def test_mcculloch_pitts_truth_tables():
    x = X4.astype(int)
    np.testing.assert_array_equal(mcculloch_pitts(x, [1, 1], 2), GATES["AND"])
    np.testing.assert_array_equal(mcculloch_pitts(x, [1, 1], 1), GATES["OR"])
    np.testing.assert_array_equal(mcculloch_pitts(x, [-1, -1], -1), GATES["NAND"])
    assert [mcculloch_pitts([v], [-1], 0) for v in (0, 1)] == [1, 0]  # NOT
    assert mcculloch_pitts([1, 1], [1, 1], 2) == 1
    assert isinstance(mcculloch_pitts([1, 0], [1, 1], 2), int)

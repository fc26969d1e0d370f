"""Training: train_step, evaluate, fit, and MLPs that learn XOR and the moons."""

import numpy as np
import pytest

from mlpbook import SGD, Adam, fit, mlp
from mlpbook.data import make_moons, train_val_test_split, xor
from mlpbook.training import accuracy, evaluate, train_step


def test_an_mlp_solves_xor():
    x, y = xor()
    model = mlp([2, 4, 2], "tanh", rng=0)
    history = fit(
        model,
        x,
        y,
        loss="softmax_cross_entropy",
        optimizer=Adam(0.05),
        epochs=300,
        batch_size=4,
        rng=0,
        progress=False,
    )
    np.testing.assert_array_equal(model.predict(x).argmax(axis=1), y)
    assert history.accuracy[-1] == 1.0
    assert history.loss[-1] < 0.05


def test_an_mlp_with_one_sigmoid_output_solves_xor():
    x, y = xor()
    model = mlp([2, 3, 1], "sigmoid", rng=1)
    fit(
        model,
        x,
        y.reshape(-1, 1),
        loss="sigmoid_cross_entropy",
        optimizer=SGD(2.0, 0.9),
        epochs=500,
        batch_size=4,
        rng=0,
        progress=False,
    )
    np.testing.assert_array_equal((model.predict(x) > 0).ravel(), y.astype(bool))


def test_an_mlp_fits_the_moons():
    rng = np.random.default_rng(0)
    x, y = make_moons(600, noise=0.2, rng=rng)
    (xt, yt), (xv, yv), (xs, ys) = train_val_test_split(x, y, rng=rng)
    model = mlp([2, 32, 32, 2], rng=rng)
    history = fit(
        model,
        xt,
        yt,
        loss="softmax_cross_entropy",
        optimizer=Adam(0.01),
        epochs=100,
        batch_size=32,
        rng=rng,
        validation_data=(xv, yv),
        progress=False,
    )
    _, test_acc = evaluate(model, xs, ys, "softmax_cross_entropy")
    assert test_acc > 0.93  # a linear model gets about 0.85 on these moons
    assert history.val_accuracy[-1] > 0.93


def test_a_linear_model_cannot_fit_the_moons_as_well():
    rng = np.random.default_rng(0)
    x, y = make_moons(600, noise=0.2, rng=rng)
    model = mlp([2, 2], rng=rng)
    hist = fit(
        model,
        x,
        y,
        loss="softmax_cross_entropy",
        optimizer=Adam(0.05),
        epochs=60,
        rng=rng,
        progress=False,
    )
    assert hist.accuracy[-1] < 0.9


def test_history_has_one_entry_per_epoch():
    x, y = xor()
    hist = fit(
        mlp([2, 3, 2], rng=0),
        x,
        y,
        loss="softmax_cross_entropy",
        optimizer=SGD(0.1),
        epochs=7,
        batch_size=2,
        rng=0,
        validation_data=(x, y),
        progress=False,
    )
    assert hist.epochs == 7
    assert len(hist.loss) == len(hist.accuracy) == len(hist.val_loss) == 7
    assert len(hist.val_accuracy) == 7 and not hist.stopped_early
    assert hist.best_epoch == int(np.argmin(hist.val_loss))


def test_regression_history_has_no_accuracy(rng):
    x = rng.uniform(-1, 1, (64, 1))
    y = np.sin(3 * x)
    hist = fit(
        mlp([1, 16, 1], "tanh", rng=0),
        x,
        y,
        loss="mse",
        optimizer=Adam(0.02),
        epochs=5,
        rng=0,
        progress=False,
    )
    assert hist.accuracy == [] and len(hist.loss) == 5


def test_early_stopping_stops_and_restores_the_best_parameters():
    rng = np.random.default_rng(3)
    x, y = make_moons(80, noise=0.45, rng=rng)
    xv, yv = make_moons(200, noise=0.45, rng=rng)
    model = mlp([2, 128, 128, 2], rng=rng)  # big and noisy: it overfits
    hist = fit(
        model,
        x,
        y,
        loss="softmax_cross_entropy",
        optimizer=Adam(0.01),
        epochs=400,
        batch_size=16,
        rng=rng,
        validation_data=(xv, yv),
        patience=15,
        progress=False,
    )
    assert hist.stopped_early and hist.epochs < 400
    assert hist.epochs == hist.best_epoch + 1 + 15
    restored, _ = evaluate(model, xv, yv, "softmax_cross_entropy")
    assert restored == pytest.approx(hist.val_loss[hist.best_epoch])
    assert restored < hist.val_loss[-1]


def test_train_step_lowers_the_loss_and_returns_the_penalised_value(rng):
    x, y = rng.standard_normal((32, 3)), rng.integers(0, 2, 32)
    model = mlp([3, 8, 2], rng=0)
    opt = SGD(0.1)
    first = train_step(model, x, y, "softmax_cross_entropy", opt)
    for _ in range(20):
        last = train_step(model, x, y, "softmax_cross_entropy", opt)
    assert last < first
    data_loss, _ = evaluate(model, x, y, "softmax_cross_entropy")
    penalised = train_step(model, x, y, "softmax_cross_entropy", SGD(0.0), weight_decay=0.5)
    w2 = sum(float(np.sum(w**2)) for w in model.decay_params().values())
    assert penalised == pytest.approx(data_loss + 0.25 * w2)


def test_weight_decay_shrinks_the_weights(rng):
    x, y = rng.standard_normal((64, 4)), rng.integers(0, 3, 64)
    norms = {}
    for lam in (0.0, 0.1):
        model = mlp([4, 16, 3], rng=0)
        fit(
            model,
            x,
            y,
            loss="softmax_cross_entropy",
            optimizer=SGD(0.1),
            epochs=30,
            rng=0,
            weight_decay=lam,
            progress=False,
        )
        norms[lam] = sum(float(np.sum(w**2)) for w in model.decay_params().values())
    assert norms[0.1] < 0.5 * norms[0.0]


def test_progress_bar_is_shown_and_can_be_switched_off(capsys):
    x, y = xor()
    fit(
        mlp([2, 3, 2], rng=0),
        x,
        y,
        loss="softmax_cross_entropy",
        optimizer=SGD(0.1),
        epochs=3,
        rng=0,
        progress=True,
    )
    assert "epochs" in capsys.readouterr().err
    fit(
        mlp([2, 3, 2], rng=0),
        x,
        y,
        loss="softmax_cross_entropy",
        optimizer=SGD(0.1),
        epochs=3,
        rng=0,
        progress=False,
    )
    assert capsys.readouterr().err == ""


def test_fit_is_reproducible():
    x, y = xor()
    runs = [
        fit(
            mlp([2, 3, 2], rng=0, dropout=0.2),
            x,
            y,
            loss="softmax_cross_entropy",
            optimizer=SGD(0.5),
            epochs=5,
            batch_size=2,
            rng=9,
            progress=False,
        ).loss
        for _ in range(2)
    ]
    assert runs[0] == runs[1]


def test_accuracy_for_each_kind_of_score():
    assert accuracy(np.array([[2.0, 1.0], [0.0, 3.0]]), np.array([0, 0])) == 0.5
    assert accuracy(np.array([[0.3], [-1.0]]), np.array([1, 0])) == 1.0
    assert accuracy(np.array([0.7, 0.4]), np.array([1, 1]), threshold=0.5) == 0.5
    assert accuracy(np.eye(3), np.eye(3)) == 1.0
    with pytest.raises(ValueError, match="expected shape"):
        accuracy(np.zeros((3, 2)), np.zeros(4))


def test_fit_rejects_bad_arguments():
    x, y = xor()
    common = dict(loss="softmax_cross_entropy", optimizer=SGD(0.1), rng=0, progress=False)
    with pytest.raises(ValueError, match="early stopping needs validation_data"):
        fit(mlp([2, 2], rng=0), x, y, epochs=3, patience=2, **common)
    with pytest.raises(ValueError, match="epochs: expected an integer >= 1"):
        fit(mlp([2, 2], rng=0), x, y, epochs=0, **common)
    with pytest.raises(ValueError, match="y: expected 4 rows"):
        fit(mlp([2, 2], rng=0), x, y[:3], epochs=1, **common)
    with pytest.raises(ValueError, match="loss: expected one of"):
        fit(mlp([2, 2], rng=0), x, y, epochs=1, loss="hinge", optimizer=SGD(0.1), rng=0)
    with pytest.raises(ValueError, match=r"x: expected shape \(N, 2\)"):
        fit(mlp([2, 2], rng=0), np.zeros((4, 3)), y, epochs=1, **common)

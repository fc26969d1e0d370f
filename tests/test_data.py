"""Tests for mlpbook.data: toy data sets, splits, k-fold, standardisation, minibatches."""

import sys

import numpy as np
import pytest

from mlpbook import data
from mlpbook.data import (
    LOGIC_GATES,
    TARGET_FUNCTIONS,
    Standardizer,
    kfold_indices,
    load_digits,
    logic_gate,
    make_circles,
    make_moons,
    make_regression_1d,
    make_spirals,
    make_xor,
    minibatches,
    one_hot,
    target_function,
    train_test_split,
    train_val_test_split,
    xor,
)

MAKERS = [make_xor, make_moons, make_circles, make_spirals]


def _rows_sorted(a):
    return a[np.lexsort(a.T[::-1])]


# --- logic gates -----------------------------------------------------------------------


def test_xor_points_and_labels():
    x, y = xor()
    assert x.shape == (4, 2) and x.dtype == np.float64
    assert y.shape == (4,) and y.dtype == np.int64
    np.testing.assert_array_equal(y, np.logical_xor(x[:, 0], x[:, 1]).astype(int))
    assert xor(np.float32)[0].dtype == np.float32


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("and", np.logical_and),
        ("or", np.logical_or),
        ("nand", lambda a, b: ~np.logical_and(a, b)),
        ("nor", lambda a, b: ~np.logical_or(a, b)),
        ("xor", np.logical_xor),
        ("xnor", lambda a, b: ~np.logical_xor(a, b)),
    ],
)
def test_logic_gate_truth_tables(name, rule):
    x, y = logic_gate(name.upper())
    expected = rule(x[:, 0].astype(bool), x[:, 1].astype(bool)).astype(int)
    np.testing.assert_array_equal(y, expected)
    assert name in LOGIC_GATES


def test_logic_gate_unknown_name_lists_valid_ones():
    with pytest.raises(ValueError, match=r"unknown logic gate 'implies'.*and, or, nand"):
        logic_gate("implies")


# --- generated 2-D data sets -----------------------------------------------------------


@pytest.mark.parametrize("maker", MAKERS)
def test_generators_shapes_dtypes_and_reproducibility(maker):
    x, y = maker(101, rng=0)
    assert x.shape == (101, 2) and x.dtype == np.float64
    assert y.shape == (101,) and y.dtype == np.int64
    x2, y2 = maker(101, rng=np.random.default_rng(0))
    np.testing.assert_array_equal(x, x2)
    np.testing.assert_array_equal(y, y2)
    assert not np.allclose(x, maker(101, rng=1)[0])


@pytest.mark.parametrize("maker", [make_xor, make_moons, make_circles])
@pytest.mark.parametrize(("n", "counts"), [(100, [50, 50]), (101, [51, 50])])
def test_two_class_generators_are_balanced(maker, n, counts):
    _, y = maker(n, rng=3)
    assert np.bincount(y).tolist() == counts


@pytest.mark.parametrize("maker", MAKERS)
def test_generators_shuffle(maker):
    _, y = maker(60, rng=0)
    assert not np.all(np.diff(y) >= 0), "labels came back sorted, not shuffled"


@pytest.mark.parametrize("maker", MAKERS)
def test_generators_reject_bad_arguments(maker):
    with pytest.raises(ValueError, match="n: expected an integer >= 1"):
        maker(0, rng=0)
    with pytest.raises(ValueError, match="noise: expected a standard deviation >= 0"):
        maker(10, noise=-1.0, rng=0)
    with pytest.raises(TypeError, match=r"numpy\.random\.Generator"):
        maker(10, rng="seed")


def test_make_xor_noiseless_points_sit_on_corners_with_xor_labels():
    x, y = make_xor(40, noise=0.0, rng=0)
    np.testing.assert_array_equal(y, np.logical_xor(x[:, 0], x[:, 1]).astype(int))
    assert len(np.unique(x, axis=0)) == 4


def test_make_moons_noiseless_points_lie_on_the_half_circles():
    x, y = make_moons(200, noise=0.0, rng=0)
    upper, lower = x[y == 0], x[y == 1]
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0)
    assert np.all(upper[:, 1] >= -1e-12)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1.0)
    assert np.all(lower[:, 1] <= 0.5 + 1e-12)


@pytest.mark.parametrize("factor", [0.3, 0.5, 0.8])
def test_make_circles_radius_ratio_is_factor(factor):
    x, y = make_circles(100, noise=0.0, factor=factor, rng=0)
    r = np.hypot(x[:, 0], x[:, 1])
    np.testing.assert_allclose(r[y == 0], 1.0)
    np.testing.assert_allclose(r[y == 1], factor)


@pytest.mark.parametrize(
    ("ours", "name"), [(make_moons, "make_moons"), (make_circles, "make_circles")]
)
def test_noiseless_geometry_matches_scikit_learn(ours, name):
    sk_datasets = pytest.importorskip("sklearn.datasets")
    kwargs = {"factor": 0.5} if name == "make_circles" else {}
    x, y = ours(100, noise=0.0, rng=0, **kwargs)
    xs, ys = getattr(sk_datasets, name)(100, shuffle=False, noise=None, **kwargs)
    for c in (0, 1):
        np.testing.assert_allclose(_rows_sorted(x[y == c]), _rows_sorted(xs[ys == c]), atol=1e-12)


def test_make_spirals_splits_n_in_total_across_classes():
    x, y = make_spirals(10, classes=3, rng=0)
    assert np.bincount(y).tolist() == [4, 3, 3]
    assert np.all(np.hypot(x[:, 0], x[:, 1]) <= 1.0 + 1e-12)
    with pytest.raises(ValueError, match="classes: expected an integer >= 2"):
        make_spirals(10, classes=1, rng=0)


# --- 1-D regression targets ------------------------------------------------------------


def test_target_functions_values():
    x = np.array([-1.0, -0.5, -1e-9, 0.0, 0.5, 1.0])
    np.testing.assert_allclose(target_function("sine")(x), np.sin(np.pi * x))
    np.testing.assert_allclose(target_function("cubic")(x), x**3 - x)
    np.testing.assert_array_equal(target_function("step")(x), [0, 0, 0, 1, 1, 1])
    np.testing.assert_allclose(target_function("abs")(x), np.abs(x))
    assert set(TARGET_FUNCTIONS) == {"sine", "cubic", "step", "abs"}


def test_target_function_unknown_name_lists_valid_ones():
    with pytest.raises(ValueError, match=r"unknown target function 'cos'.*sine, cubic, step, abs"):
        target_function("cos")


def test_make_regression_1d_shapes_sorted_and_noiseless_values():
    x, y = make_regression_1d("cubic", 50, low=-2, high=3, rng=0)
    assert x.shape == (50, 1) and y.shape == (50, 1)
    assert np.all(np.diff(x[:, 0]) >= 0) and x.min() >= -2 and x.max() <= 3
    np.testing.assert_allclose(y, x**3 - x)
    grid, _ = make_regression_1d("sine", 5)
    np.testing.assert_allclose(grid[:, 0], np.linspace(-1, 1, 5))


def test_make_regression_1d_noise_is_seeded():
    _, y1 = make_regression_1d("sine", 30, noise=0.1, rng=5)
    _, y2 = make_regression_1d("sine", 30, noise=0.1, rng=5)
    _, y0 = make_regression_1d("sine", 30, rng=5)
    np.testing.assert_array_equal(y1, y2)
    assert 0 < np.abs(y1 - y0).max() < 1.0
    with pytest.raises(ValueError, match="noise > 0 needs an rng"):
        make_regression_1d("sine", 30, noise=0.1)
    with pytest.raises(ValueError, match="low < high"):
        make_regression_1d("sine", 30, low=1, high=1, rng=0)


# --- digits ----------------------------------------------------------------------------


def test_load_digits_shapes_range_and_class_counts():
    pytest.importorskip("sklearn")
    x, y = load_digits()
    assert x.shape == (1797, 64) and x.dtype == np.float64
    assert y.shape == (1797,) and y.dtype == np.int64
    assert x.min() == 0.0 and x.max() == 1.0
    assert np.bincount(y).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    assert x[0].sum() == pytest.approx(294 / 16)  # first image's pixel sum, 0..16 scale
    assert load_digits(dtype=np.float32)[0].dtype == np.float32


def test_load_digits_returns_copies_not_the_cache():
    pytest.importorskip("sklearn")
    x, y = load_digits()
    x[:] = -1
    y[:] = -1
    x2, y2 = load_digits()
    assert x2.min() == 0.0 and y2.min() == 0


def test_load_digits_without_sklearn_says_how_to_install(monkeypatch):
    data._digits_arrays.cache_clear()
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    try:
        with pytest.raises(ImportError, match="pip install scikit-learn"):
            load_digits()
    finally:
        data._digits_arrays.cache_clear()


# --- one-hot ---------------------------------------------------------------------------


def test_one_hot():
    out = one_hot(np.array([2, 0, 1, 2]))
    np.testing.assert_array_equal(out, np.eye(3)[[2, 0, 1, 2]])
    assert one_hot([0, 1], num_classes=4).shape == (2, 4)
    with pytest.raises(ValueError, match=r"expected labels in 0\.\.1"):
        one_hot([0, 2], num_classes=2)
    with pytest.raises(ValueError, match=r"expected a 1-D array of shape \(N,\)"):
        one_hot(np.zeros((3, 1), dtype=int))


# --- splits ----------------------------------------------------------------------------


def _labelled_ids(counts):
    y = np.repeat(np.arange(len(counts)), counts)
    x = np.column_stack([np.arange(len(y)), np.zeros(len(y))])  # column 0 is the sample id
    return x, y


def test_train_val_test_split_is_disjoint_exhaustive_and_sized():
    x, y = _labelled_ids([60, 30, 10])
    (xtr, ytr), (xva, yva), (xte, yte) = train_val_test_split(x, y, val=0.2, test=0.1, rng=0)
    ids = [s[:, 0].astype(int) for s in (xtr, xva, xte)]
    assert [len(i) for i in ids] == [70, 20, 10]
    np.testing.assert_array_equal(np.sort(np.concatenate(ids)), np.arange(100))
    for part_x, part_y in ((xtr, ytr), (xva, yva), (xte, yte)):
        np.testing.assert_array_equal(part_y, y[part_x[:, 0].astype(int)])


@pytest.mark.parametrize("seed", range(5))
def test_train_val_test_split_keeps_class_proportions(seed):
    x, y = _labelled_ids([53, 29, 11, 7])
    splits = train_val_test_split(x, y, val=0.15, test=0.25, rng=seed)
    for (_, part), frac in zip(splits, (0.6, 0.15, 0.25), strict=True):
        expected = frac * np.bincount(y)
        assert np.all(np.abs(np.bincount(part, minlength=4) - expected) <= 1), (part, expected)


def test_split_is_seeded_and_shuffled():
    x, y = _labelled_ids([50, 50])
    a = train_val_test_split(x, y, rng=1)
    b = train_val_test_split(x, y, rng=1)
    c = train_val_test_split(x, y, rng=2)
    np.testing.assert_array_equal(a[0][0], b[0][0])
    assert not np.array_equal(a[0][0], c[0][0])


def test_zero_fraction_gives_empty_split_with_trailing_shape():
    x = np.zeros((20, 3))
    y = np.zeros((20, 1))  # regression targets: no stratification
    (xtr, ytr), (xva, yva), (xte, yte) = train_val_test_split(x, y, val=0.0, test=0.25, rng=0)
    assert xva.shape == (0, 3) and yva.shape == (0, 1)
    assert xtr.shape == (15, 3) and ytr.shape == (15, 1)
    assert xte.shape == (5, 3) and yte.shape == (5, 1)


def test_train_test_split_sizes():
    x, y = _labelled_ids([40, 40])
    (xtr, _), (xte, yte) = train_test_split(x, y, test=0.25, rng=0)
    assert len(xtr) == 60 and len(xte) == 20
    assert np.bincount(yte).tolist() == [10, 10]


def test_split_errors():
    x, y = _labelled_ids([5, 5])
    with pytest.raises(ValueError, match="val \\+ test < 1"):
        train_val_test_split(x, y, val=0.5, test=0.5, rng=0)
    with pytest.raises(ValueError, match=r"val: expected a number in \[0, 1\)"):
        train_val_test_split(x, y, val=-0.1, rng=0)
    with pytest.raises(ValueError, match=r"y: expected shape \(N,\) with N=10, got \(9,\)"):
        train_val_test_split(x, y[:9], rng=0)


# --- k-fold ----------------------------------------------------------------------------


@pytest.mark.parametrize(("n", "k"), [(10, 2), (10, 3), (7, 7), (103, 5)])
def test_kfold_folds_partition_the_indices(n, k):
    folds = kfold_indices(n, k, rng=0)
    assert len(folds) == k
    vals = [v for _, v in folds]
    np.testing.assert_array_equal(np.sort(np.concatenate(vals)), np.arange(n))
    sizes = [len(v) for v in vals]
    assert max(sizes) - min(sizes) <= 1
    for train, val in folds:
        assert len(np.intersect1d(train, val)) == 0
        np.testing.assert_array_equal(np.sort(np.concatenate([train, val])), np.arange(n))


def test_kfold_shuffle_and_seed():
    a, b = kfold_indices(20, 4, rng=0), kfold_indices(20, 4, rng=0)
    np.testing.assert_array_equal(a[0][1], b[0][1])
    assert not np.array_equal(a[0][1], np.arange(5))
    np.testing.assert_array_equal(kfold_indices(20, 4, shuffle=False)[1][1], np.arange(5, 10))


def test_kfold_errors():
    with pytest.raises(ValueError, match="k: expected an integer >= 2"):
        kfold_indices(10, 1, rng=0)
    with pytest.raises(ValueError, match="k: expected 2 <= k <= n = 3, got 4"):
        kfold_indices(3, 4, rng=0)
    with pytest.raises(ValueError, match="needs an rng"):
        kfold_indices(10, 2)
    with pytest.raises(ValueError, match=r"labels: expected shape \(10,\)"):
        kfold_indices(10, 2, rng=0, labels=[0, 1])


@pytest.mark.parametrize(
    ("counts", "k"), [((50, 30, 20), 5), ((7, 3), 3), ((1, 1, 9), 4), ((4,), 2)]
)
@pytest.mark.parametrize("shuffle", [True, False])
def test_kfold_stratified_keeps_the_class_counts(counts, k, shuffle):
    labels = np.random.default_rng(1).permutation(np.repeat(np.arange(len(counts)), counts))
    n = len(labels)
    folds = kfold_indices(n, k, rng=2, shuffle=shuffle, labels=labels)
    vals = [v for _, v in folds]
    np.testing.assert_array_equal(np.sort(np.concatenate(vals)), np.arange(n))
    assert max(map(len, vals)) - min(map(len, vals)) <= 1
    for c in range(len(counts)):
        per_fold = [int(np.sum(labels[v] == c)) for v in vals]
        assert sum(per_fold) == counts[c] and max(per_fold) - min(per_fold) <= 1
    for train, val in folds:
        np.testing.assert_array_equal(np.sort(np.concatenate([train, val])), np.arange(n))


def test_kfold_stratified_shuffles_within_each_class():
    labels = np.repeat([0, 1], 20)
    a = kfold_indices(40, 4, rng=0, labels=labels)
    b = kfold_indices(40, 4, rng=1, labels=labels)
    assert not all(np.array_equal(x[1], y[1]) for x, y in zip(a, b, strict=True))
    plain = kfold_indices(40, 4, shuffle=False, labels=labels)
    np.testing.assert_array_equal(plain[0][1], [0, 4, 8, 12, 16, 20, 24, 28, 32, 36])
    # unstratified folds of sorted labels would put one class in each half
    assert {int(np.sum(labels[v])) for _, v in plain} == {5}


# --- Standardizer ----------------------------------------------------------------------


def test_standardizer_fitted_on_train_does_not_standardise_test():
    rng = np.random.default_rng(0)
    x_train = rng.normal([5.0, -3.0], [2.0, 0.5], size=(200, 2))
    x_test = rng.normal([6.0, -3.5], [2.0, 0.5], size=(100, 2))  # shifted, as real test data may be
    scaler = Standardizer().fit(x_train)
    z_train, z_test = scaler.transform(x_train), scaler.transform(x_test)
    np.testing.assert_allclose(z_train.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(z_train.std(axis=0), 1.0)
    # the test set keeps its own shift: its statistics did not leak into the scaler
    assert np.all(np.abs(z_test.mean(axis=0)) > 0.3)
    np.testing.assert_allclose(scaler.inverse_transform(z_test), x_test)


def test_standardizer_constant_feature_gets_scale_one():
    # 0.1 is not exact in binary, so its computed std is ~1e-17 rather than 0
    x = np.column_stack([np.full(10, 0.1), np.arange(10.0)])
    scaler = Standardizer()
    z = scaler.fit_transform(x)
    assert scaler.scale_[0] == 1.0
    np.testing.assert_allclose(z[:, 0], 0.0, atol=1e-12)


def test_standardizer_keeps_float32():
    x = np.random.default_rng(0).normal(size=(10, 3)).astype(np.float32)
    assert Standardizer().fit_transform(x).dtype == np.float32


def test_standardizer_errors():
    with pytest.raises(RuntimeError, match="not fitted yet"):
        Standardizer().transform(np.zeros((2, 3)))
    scaler = Standardizer().fit(np.random.default_rng(0).normal(size=(10, 3)))
    with pytest.raises(ValueError, match=r"x: expected shape \(N, 3\), got \(5, 4\)"):
        scaler.transform(np.zeros((5, 4)))
    with pytest.raises(ValueError, match="expected a 2-D array"):
        Standardizer().fit(np.zeros(5))


# --- minibatches -----------------------------------------------------------------------


def test_minibatches_cover_every_index_once():
    batches = list(minibatches(10, 4))
    assert [len(b) for b in batches] == [4, 4, 2]
    np.testing.assert_array_equal(np.concatenate(batches), np.arange(10))
    shuffled = np.concatenate(list(minibatches(10, 4, rng=0)))
    np.testing.assert_array_equal(np.sort(shuffled), np.arange(10))
    assert not np.array_equal(shuffled, np.arange(10))
    assert list(minibatches(0, 4)) == []


def test_minibatches_errors():
    with pytest.raises(ValueError, match="batch_size: expected an integer >= 1"):
        next(minibatches(10, 0))

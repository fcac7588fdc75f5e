"""metevo.cn.loess: R's loess (direct surface) on cases whose answer is known exactly."""

from __future__ import annotations

import math

import numpy as np
import pytest

from metevo.cn.loess import loess


def _grid(n_side=12):
    g, m = np.meshgrid(np.linspace(30, 60, n_side), np.linspace(5, 100, n_side))
    return np.column_stack([g.ravel(), m.ravel()])


def _quadratic(x):
    return 3.0 + 0.5 * x[:, 0] - 0.02 * x[:, 1] + 0.01 * x[:, 0] ** 2 - 0.003 * x[:, 0] * x[:, 1] + 0.001 * x[:, 1] ** 2


def test_local_quadratic_reproduces_a_quadratic_surface():
    # a local quadratic fit is exact for data on a quadratic, whatever the weights
    x = _grid()
    y = _quadratic(x)
    fit = loess(x, y, span=0.3, family="gaussian")
    assert np.allclose(fit.fitted, y, rtol=0, atol=1e-9)
    inside = np.array([[41.3, 57.7], [33.0, 90.0]])
    assert np.allclose(fit.predict(inside), _quadratic(inside), atol=1e-9)


def test_symmetric_family_ignores_an_outlier():
    x = _grid()
    y = _quadratic(x)
    y_out = y.copy()
    y_out[40] += 500.0
    plain = loess(x, y_out, span=0.5, family="gaussian")
    robust = loess(x, y_out, span=0.5, family="symmetric")
    others = np.arange(len(y)) != 40
    assert np.abs(plain.fitted - y)[others].max() > 1.0  # least squares is pulled by the outlier
    assert np.abs(robust.fitted - y)[others].max() < 1e-6  # the biweight gives it weight 0
    assert robust.robustness[40] == 0.0
    assert robust.iterations == 4


def test_predictors_normalised_by_trimmed_sd():
    x = _grid(10)
    fit = loess(x, _quadratic(x), span=0.5)
    for j in range(2):
        values = np.sort(x[:, j])
        trim = math.ceil(0.1 * len(values))
        expected = np.std(values[trim:len(values) - trim], ddof=1)
        assert fit.divisor[j] == pytest.approx(expected, rel=1e-15)


def test_no_prediction_outside_the_data_unless_extrapolating():
    x = _grid(8)
    fit = loess(x, _quadratic(x), span=0.6)
    outside = np.array([[29.0, 50.0], [45.0, 101.0], [45.0, 50.0]])
    pred = fit.predict(outside)
    assert np.isnan(pred[:2]).all() and np.isfinite(pred[2])
    assert np.isfinite(fit.predict(outside, extrapolate=True)).all()


def test_one_predictor_and_degree_one():
    x = np.linspace(0, 10, 40)
    y = 2.0 - 0.3 * x
    fit = loess(x, y, span=0.4, degree=1, family="symmetric")
    assert np.allclose(fit.fitted, y, atol=1e-10)
    assert fit.divisor.tolist() == [1.0]  # one predictor: not normalised (R)


def test_span_too_small():
    x = _grid(4)
    with pytest.raises(ValueError, match="span too small"):
        loess(x, _quadratic(x), span=0.2)

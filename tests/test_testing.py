"""retra_model.testing.assert_results_equal: equal results pass, one changed cell is named."""

import pytest

from retra_model import run
from retra_model.testing import assert_results_equal


@pytest.fixture(scope="module")
def results(toy, toy_baseline):
    return run(toy_baseline, region=toy)


def test_equal_results_pass(results, toy, toy_baseline):
    assert_results_equal(results, run(toy_baseline, region=toy))
    assert_results_equal(results, results.copy(deep=True))


def test_one_changed_cell_is_named(results):
    other = results.copy(deep=True)
    cell = {"district": str(other["district"].values[1]), "sector": str(other["sector"].values[0]), "year": 2030}
    other["gva"].loc[cell] = other["gva"].loc[cell] + 1e-9
    with pytest.raises(AssertionError) as info:
        assert_results_equal(results, other)
    msg = str(info.value)
    assert "'gva'" in msg and cell["district"] in msg and cell["sector"] in msg and "2030" in msg
    assert "1 cells differ" in msg


def test_a_changed_attribute_is_named(results):
    other = results.copy()
    other.attrs = {**results.attrs, "seed": 99}
    with pytest.raises(AssertionError, match="attribute 'seed'"):
        assert_results_equal(results, other)

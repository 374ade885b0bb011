import json

import numpy as np
import pytest

from qdkit import recipe as rc
from qdkit.dataset import Meta, Spectrum
from qdkit.errors import QdkitError, RecipeError


@rc.step
def _scale_for_test(spec, *, factor):
    return spec.replace(data=spec.data * factor)


def _spec():
    return Spectrum(np.ones(4, complex), np.arange(4.0), Meta(reference_mhz=100.0))


def test_a_step_records_itself_and_the_recipe_replays_to_the_same_result():
    out = _scale_for_test(_spec(), factor=3.0)
    assert out.recipe == ({"step": "_scale_for_test", "factor": 3.0},)
    with pytest.raises(RecipeError, match="unknown step '_scale_for_test'"):
        rc.apply(_spec(), out.recipe)  # a step of one's own is not in qdkit's table ...
    replay = rc.apply(_spec(), rc.from_json(rc.to_json(out.recipe)), extra_steps={"_scale_for_test": _scale_for_test})
    np.testing.assert_array_equal(replay.data, out.data)  # ... until it is passed in


def test_parameters_a_step_does_not_take_are_a_recipe_error_and_bugs_inside_steps_keep_their_type():
    with pytest.raises(RecipeError, match="does not take"):
        rc.apply(_spec(), [{"step": "_scale_for_test", "factr": 2}], extra_steps={"_scale_for_test": _scale_for_test})

    @rc.step
    def broken(spec):
        return spec.data.no_such_attribute

    with pytest.raises(AttributeError):
        rc.apply(_spec(), [{"step": "broken"}], extra_steps={"broken": broken})


def test_unknown_step_and_bad_json_are_recipe_errors():
    with pytest.raises(RecipeError, match="unknown step 'nope'"):
        rc.apply(_spec(), [{"step": "nope"}])
    with pytest.raises(QdkitError):
        rc.from_json("[not json")
    assert json.loads(rc.to_json([{"step": "x", "a": 1}])) == [{"step": "x", "a": 1}]


def test_every_step_module_is_known_to_a_replayed_recipe():
    names = rc.registered_steps()
    for step_name in ("ft", "phase", "reference_to_standard", "coadd_echoes", "transform_indirect"):
        assert step_name in names

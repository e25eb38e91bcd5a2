"""CheckConfig options are parsed by pydantic: every bad option named with what was given."""

from __future__ import annotations

import pytest

from gis.checks import CheckConfig
from gis.errors import ConfigError


@pytest.mark.parametrize(
    ("options", "fragments"),
    [
        ({"tolerance_m": -1}, ["'tolerance_m'", "greater than or equal to 0", "got -1"]),
        ({"tolerance_m": float("nan")}, ["'tolerance_m'", "finite number"]),
        ({"aux_iou_min": 1.5}, ["'aux_iou_min'", "less than 1", "got 1.5"]),
        ({"staffing_via": "beat"}, ["'staffing_via'", "'grid' or 'grid_or_beat'", "got 'beat'"]),
        ({"severities": {"gap": "fatal"}}, ["'severities.gap'", "got 'fatal'"]),
        ({"rules": frozenset({"nope"})}, ["'rules'", "unknown rule(s) ['nope']"]),
        ({"precision_m": 5.0}, ["precision_m must be in [0, tolerance_m]"]),
        ({"tolerance_m": "wide"}, ["'tolerance_m'", "valid number", "got 'wide'"]),
    ],
)
def test_bad_option_is_named(options: dict[str, object], fragments: list[str]) -> None:
    with pytest.raises(ConfigError) as err:
        CheckConfig(**options)  # type: ignore[arg-type]
    for fragment in fragments:
        assert fragment in str(err.value)


def test_every_bad_option_at_once() -> None:
    with pytest.raises(ConfigError) as err:
        CheckConfig(tolerance_m=-1, sliver_area_m2=-2)
    assert "'tolerance_m'" in str(err.value) and "'sliver_area_m2'" in str(err.value)


def test_untrusted_options_refuse_unknown_names_and_coerce_numbers() -> None:
    with pytest.raises(ConfigError, match="'tolerence_m': unknown option"):
        CheckConfig.from_options({"tolerence_m": 2})
    config = CheckConfig.from_options({"tolerance_m": "3", "rules": ["gap", "overlap"]})
    assert config.tolerance_m == 3.0 and config.rules == frozenset({"gap", "overlap"})
    assert config.enabled("gap") and not config.enabled("orphan")


@pytest.mark.parametrize(
    ("given", "strip", "width", "case"),
    [
        ("zeros", True, None, "keep"),
        ("strip-zeros", True, None, "keep"),
        ("width=2,upper", False, 2, "upper"),
        ({"width": 4}, False, 4, "keep"),
        ("exact", False, None, "keep"),
    ],
)
def test_parent_ids_given_as_text_like_the_cli_option(
    given: object, strip: bool, width: int | None, case: str
) -> None:
    config = CheckConfig.from_options({"parent_ids": given})
    normalisation = config.parent_ids
    assert (normalisation.strip_zeros, normalisation.width, normalisation.case) == (
        strip,
        width,
        case,
    )
    assert normalisation.one("07") == ("7" if strip else "07".zfill(width or 0))


def test_bad_parent_ids_text_is_named() -> None:
    with pytest.raises(ConfigError, match=r"'parent_ids'.*unknown normalisation 'sideways'"):
        CheckConfig.from_options({"parent_ids": "sideways"})


def test_service_check_options_take_the_same_parent_ids_text() -> None:
    from pydantic import ValidationError

    from api.schemas import CheckOptions

    config = CheckOptions(parent_ids="zeros", codes="off").config()
    assert config.parent_ids.strip_zeros and config.codes == "off"
    with pytest.raises(ValidationError, match="unknown normalisation"):
        CheckOptions(parent_ids="sideways")

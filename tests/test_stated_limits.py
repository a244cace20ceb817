"""The limits table and the shared argument checks, stated as documented.

Each cap of ``momentrnn._limits`` is written in words in the comment that gives its reason
(and some in the guides: "k above 10 000 lags, more than a million runs" in
``docs/guide/experiments.md``, "at most 64: the SDP order limit" in ``docs/guide/bounds.md``);
the values below are those words, not the module's constants, so a cap that moves is seen.
Where a cap is checked by ``check_count``/``positive_int``, its largest accepted value and its
smallest refused one are both tried.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from momentrnn import _limits
from momentrnn._limits import LIMITS, check_count, check_lag_work, check_memory, format_bytes
from momentrnn._validate import nonnegative_int, positive_int, shown
from momentrnn.errors import InputError

MIB, GIB = 2**20, 2**30

# name in the table -> (module constant, the value its comment states)
STATED = {
    "decimal exponent": ("MAX_DECIMAL_EXPONENT", 100_000),  # "1e100000 ... 100 000 digits"
    "binary exponent": ("MAX_BINARY_EXPONENT", 400_000),  # "the same bound ... (log2 10 < 4)"
    "digits of a number": ("MAX_DIGITS_TEXT", 1_000_000),  # "a million digits"
    "moments file bytes": ("MAX_INPUT_BYTES", 256 * MIB),  # "256 MiB" (tests/test_mutants_sample2)
    "moments": ("MAX_MOMENTS", 20_000),  # "20 000 moments"
    "lags": ("MAX_LAGS", 10_000),  # experiments guide: "k above 10 000 lags"
    "dps": ("MAX_DPS", 100_000),  # "100 000 digits"
    "recovery digits": ("MAX_RECOVERY_DIGITS", 10_000),
    "lags x dimension": ("MAX_LAG_WORK", 10_000_000),  # "10**7 is 80 MB an array"
    "length": ("MAX_LENGTH", 1000),  # "1000 (the default extrapolation length ...)"
    "order": ("MAX_STABILITY_ORDER", 600),  # "the order is capped at 600"
    "stability work": ("MAX_STABILITY_WORK", 600**3 * (120 + 160)),  # "600**3 (120 + 160)"
    "SDP order": ("MAX_SDP_ORDER", 64),  # bounds guide: "at most 64"
    "singular values": ("MAX_SINGULAR_VALUES", 100),
    "certify bits": ("MAX_CERTIFY_BITS", 120_000_000),
    "support end bits": ("MAX_SUPPORT_BITS", 10_000),
    "moment index": ("MAX_MOMENT_INDEX", 100_000),  # "q = 10**5 took 4.5 s"
    "exact Hankel size": ("MAX_EXACT_HANKEL", 1500),  # "(1500 rows) take 13 s"
    "count": ("MAX_COUNT", 1_000_000),  # "a million doubles"
    "exact response bytes": ("MAX_EXACT_RESPONSE_BYTES", 12 * MIB),
    "atoms": ("MAX_ATOMS", 10_000),  # "no more atoms than lags"
    "prove dimension": ("MAX_PROVE_DIM", 64),
    "prove precision": ("MAX_PROVE_PREC", 4096),
    "Taylor order": ("MAX_TAYLOR_ORDER", 100),
    "spec bytes": ("MAX_SPEC_BYTES", MIB),  # "a spec is a few lines" (1 MiB)
    "seed": ("MAX_SEED", 2**63 - 1),  # "seeds below 2**63"
    "jobs": ("MAX_JOBS", 1024),
    "steps": ("MAX_STEPS", 100_000_000),
    "runs": ("MAX_RUNS", 1_000_000),  # experiments guide: "more than a million runs"
    "seed count": ("MAX_SEEDS", 100_000),
    "symbolic moment terms": ("MAX_SYMBOLIC_MOMENT_TERMS", 4000),  # "2000 moments of two atoms"
    "exact determinant size": ("MAX_EXACT_DETERMINANT", 150),  # "4 s at 150" rows
    "exact Hankel bits": ("MAX_EXACT_RANK_BITS", 60_000_000),
    "certify SDP order": ("MAX_CERTIFY_SDP_ORDER", 32),  # "32 5.6 s"  # "5.2e7, 6.0 s" below it
    "certify units": ("MAX_CERTIFY_UNITS", 5000),  # "5000 units 11.6 s"
    "exact moment bits": ("MAX_EXACT_MOMENT_BITS", 10**9),  # atoms times bits, 1e9
    "extrapolation length": ("MAX_EXTRAPOLATION_LENGTH", 1_000_000),  # MAX_COUNT: a million
    "certify weight bits": ("MAX_CERTIFY_WEIGHT_BITS", 1_100_000),  # every double at length 1000
    # a 40-unit flow report at length 1000 (2.2e9 bits, 45 s), about a minute in all
    "certify total bits": ("MAX_CERTIFY_TOTAL_BITS", 2_500_000_000),
    "exact factor work": ("MAX_EXACT_FACTOR_WORK", 1_100_000_000_000),
}


def test_every_cap_is_the_value_its_reason_states():
    assert set(LIMITS) == set(STATED)
    for name, (constant, value) in STATED.items():
        assert LIMITS[name].maximum == value, name
        assert getattr(_limits, constant) == value, constant
        assert LIMITS[name].name == name and LIMITS[name].reason and LIMITS[name].checked_by


@pytest.mark.parametrize("name", sorted(STATED))
def test_check_count_accepts_each_cap_and_refuses_one_more(name):
    cap = STATED[name][1]
    assert check_count(cap, "n", name) == cap
    assert check_count(1, "n", name) == 1
    with pytest.raises(InputError) as info:
        check_count(cap + 1, "n", name)
    message = str(info.value)
    assert f"is more than {cap}, the most this accepts" in message
    assert f"(the limit: {LIMITS[name].reason})" in message
    with pytest.raises(InputError, match="must be a positive integer"):
        check_count(0, "n", name)


def test_a_count_check_takes_the_fix_it_is_given_instead_of_the_reason():
    with pytest.raises(InputError, match=r"\(use fewer\)$"):
        check_count(10**9, "n", "moments", "use fewer")


def test_lag_work_accepts_ten_million_values_and_refuses_one_more():
    check_lag_work(1000, 10_000)
    check_lag_work(10_000, 1000)
    with pytest.raises(InputError) as info:
        check_lag_work(1000, 10_001)
    message = str(info.value)
    assert "k=1000 lags of a student of dimension 10001 make 10001000 values" in message
    assert "more than the 10000000 a run fits" in message
    assert "use k <= 999 or a smaller dim" in message  # floor(10**7 / 10001)
    # a student wider than the work allows: no k fits, the advice is the least k there is
    with pytest.raises(InputError, match=r"use k <= 1 or a smaller dim"):
        check_lag_work(1, 10**7 + 1)


def test_physical_memory_is_16_gib_when_the_system_does_not_say(monkeypatch):
    def fail(name):
        raise ValueError(name)

    monkeypatch.setattr(_limits.os, "sysconf", fail)
    assert _limits.physical_memory() == 16 * GIB


@pytest.mark.parametrize("n, text", [
    (0, "0 bytes"), (1023, "1023 bytes"), (1024, "1 KiB"), (1536, "1.5 KiB"),
    (1024**2 - 1, "1.02e+03 KiB"), (1024**2, "1 MiB"), (3 * 1024**3, "3 GiB"),
    (1024**4, "1 TiB"), (1024**5, "1 PiB"), (1024**6, "1.02e+03 PiB"),
    (math.inf, "more bytes than can be counted"), (10**400, "more bytes than can be counted"),
])
def test_byte_counts_are_written_in_the_largest_unit_below_them(n, text):
    assert format_bytes(n) == text


@pytest.mark.parametrize("machine", [2 * GIB, 64 * GIB + 2])
def test_work_may_take_half_the_memory_and_not_one_byte_more(monkeypatch, machine):
    monkeypatch.setattr(_limits, "physical_memory", lambda: machine)
    half = machine // 2
    check_memory(half, "the arrays", "use less")
    with pytest.raises(InputError) as info:
        check_memory(half + 1, "the arrays", "use less")
    assert str(info.value) == (f"the arrays needs {format_bytes(half + 1)} of memory, more than "
                               f"the {format_bytes(half)} allowed (half of this machine's "
                               "memory); use less")


# ---------------------------------------------------------------- momentrnn._validate

@settings(max_examples=25, derandomize=True, deadline=None)
@given(st.integers(-10**6, 10**6), st.booleans())
def test_positive_and_nonnegative_ints_keep_their_bounds(value, as_numpy):
    given_value = np.int64(value) if as_numpy else value
    if value >= 1:
        assert positive_int(given_value, "n") == value
        assert type(positive_int(given_value, "n")) is int
    else:
        refused = rf"n={re.escape(repr(given_value))} must be a positive integer$"
        with pytest.raises(InputError, match=refused):
            positive_int(given_value, "n")
    if value >= 0:
        assert nonnegative_int(given_value, "n") == value
    else:
        with pytest.raises(InputError, match="must be a non-negative integer"):
            nonnegative_int(given_value, "n")


@pytest.mark.parametrize("value, kind", [
    (2.5, "float"), (1.0, "float"), (1j, "complex"), ("3", "str"), (None, "NoneType"),
    (True, "bool"), (np.bool_(True), type(np.bool_(True)).__name__),
])
def test_a_refused_count_names_the_type_of_every_non_integer(value, kind):
    with pytest.raises(InputError) as info:
        positive_int(value, "n", hint="say 3")
    assert str(info.value) == (f"n={value!r} must be a positive integer (got a {kind}: pass "
                               "an int) (say 3)")
    with pytest.raises(InputError, match="must be a non-negative integer"):
        nonnegative_int(value, "n")


def test_a_count_beyond_its_maximum_names_both():
    assert positive_int(7, "n", maximum=7) == 7
    with pytest.raises(InputError) as info:
        positive_int(8, "n", maximum=7)
    assert str(info.value) == "n=8 is more than 7, the most this accepts"


def test_a_refused_value_is_quoted_whole_up_to_eighty_characters():
    whole = "x" * 78  # repr: 80 characters
    with pytest.raises(InputError) as info:
        positive_int(whole, "n")
    assert repr(whole) in str(info.value)
    longer = "x" * 79  # repr: 81 characters, shortened to 70 and its length
    with pytest.raises(InputError) as info:
        positive_int(longer, "n")
    assert str(info.value).startswith(f"n={repr(longer)[:70]}... (81 characters) must be")


def test_shown_quotes_a_value_whole_up_to_its_limit():
    assert shown("a" * 38) == repr("a" * 38)  # 40 characters: the default limit
    assert shown("a" * 39) == repr("a" * 39)[:30] + "... (41 characters)"
    assert shown(10**39) == repr(10**39)  # 40 digits
    assert shown(10**40) == "an integer of 41 digits"
    assert shown(-(10**40)) == "an integer of 41 digits"
    assert shown(7) == "7" and shown(np.int64(-7)) == repr(np.int64(-7))
    assert shown("a" * 8, limit=10) == repr("a" * 8)
    assert shown("a" * 9, limit=10) == "... (11 characters)"


def test_a_huge_integer_is_named_by_its_digits_never_written():
    # 2**13285 has floor(13285 log10 2) + 1 = 4000 digits: counted exactly; past 4000 digits
    # the count is estimated from the bits ("about"), as Python refuses to write the number
    assert len(str(2**13285)) == 4000
    assert shown(2**13285) == "an integer of 4000 digits"
    assert shown(2**13290) == "an integer of about 4001 digits"
    assert shown(10**5000) == "an integer of about 5001 digits"
    assert shown(2**20000) == f"an integer of about {math.floor(20000 * math.log10(2)) + 1} digits"


# ranges of values: name -> (module constant, smallest, largest as their comments state them)
STATED_RANGES = {
    "flow time": ("MIN_T_MAX", 1e-100, math.inf),  # "the shortest flow time"
    "SDP input range": ("SDP_INPUT_RANGE", Fraction(1, 10**300), 10**300),  # "1e-300 and 1e300"
    "tracking range": ("TRACKING_RANGE", Fraction(1, 2**1000), 2**1000),  # "2**+-1000"
    "escalation bits": ("MAX_ESCALATION_BITS", 64, 200_000),  # "up to 200 000 bits"
}


def test_every_range_is_a_limit_entry_stating_its_ends():
    from momentrnn._limits import RANGES

    assert set(RANGES) == set(STATED_RANGES)
    for name, (constant, low, high) in STATED_RANGES.items():
        entry = RANGES[name]
        assert (entry.minimum, entry.maximum) == (low, high), name
        assert getattr(_limits, constant) in (low, high), constant
        assert entry.name == name and entry.reason and entry.checked_by
    # the modules check the table's values, not copies
    from momentrnn.dynamics import flow
    from momentrnn.moments import _data, recovery

    assert flow.MIN_T_MAX == RANGES["flow time"].minimum
    assert _data._RANGE == RANGES["tracking range"].maximum
    assert recovery.MAX_BITS == RANGES["escalation bits"].maximum


@pytest.mark.parametrize("where", ["flow time", "tracking range high", "tracking range low",
                                   "SDP input range"])
def test_values_just_outside_each_range_are_refused(where):
    from momentrnn import (
        extrapolation_range,
        init_student,
        integrate_flow,
        random_teacher,
        recover_measure,
    )
    from momentrnn._limits import RANGES

    calls = {
        "flow time": lambda: integrate_flow(init_student(2, scale=0.1, seed=0),
                                            random_teacher(2), k=3,
                                            t_max=RANGES["flow time"].minimum * 0.99),
        # rounded moments of magnitude 2**1001 and 2**-1001, atoms +-1/sqrt(3)
        "tracking range high": lambda: recover_measure([2.0**1001, 0.0, 2.0**1001 / 3, 0.0]),
        "tracking range low": lambda: recover_measure([2.0**-1001, 0.0, 2.0**-1001 / 3, 0.0]),
        "SDP input range": lambda: extrapolation_range(
            [1, 0, RANGES["SDP input range"].maximum + 1], tolerance=Fraction(1, 1000)),
    }
    with pytest.raises(InputError) as info:
        calls[where]()
    assert "\n" not in str(info.value)

"""The decision ``minyi up`` makes when a process exits: restart after a back-off that
doubles, forget old exits, give up after too many in the window. A fake clock throughout."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from minyi.cli.restarts import GiveUp, Restart, RestartPolicy, Restarts

POLICY = RestartPolicy(backoff=1.0, max_backoff=8.0, max_restarts=5, window=300.0)


@dataclass
class FakeClock:
    now: float = 1000.0

    def advance(self, seconds: float) -> float:
        self.now += seconds
        return self.now


def test_a_first_exit_is_restarted_after_the_initial_back_off_and_not_before() -> None:
    clock, restarts = FakeClock(), Restarts(POLICY)
    assert not restarts.waiting and not restarts.due(clock.now)

    assert restarts.exited(clock.now) == Restart(delay=1.0, exits=1)

    assert restarts.waiting
    assert not restarts.due(clock.advance(0.9))
    assert restarts.due(clock.advance(0.1))
    restarts.restarted()
    assert not restarts.waiting and not restarts.due(clock.advance(100))


def test_the_back_off_doubles_with_each_exit_in_the_window_up_to_the_maximum() -> None:
    clock, restarts = FakeClock(), Restarts(POLICY)
    delays = []
    for _ in range(5):
        decision = restarts.exited(clock.advance(2))
        assert isinstance(decision, Restart)
        delays.append(decision.delay)
        restarts.restarted()
    assert delays == [1.0, 2.0, 4.0, 8.0, 8.0]


def test_exits_older_than_the_window_are_forgotten_so_the_back_off_starts_over() -> None:
    clock, restarts = FakeClock(), Restarts(POLICY)
    for _ in range(4):
        restarts.exited(clock.advance(1))
        restarts.restarted()
    # A long healthy run: the window has passed since the last of those four exits.
    assert restarts.exited(clock.advance(300)) == Restart(delay=1.0, exits=1)


def test_the_exit_after_max_restarts_in_the_window_gives_up_for_good() -> None:
    clock, restarts = FakeClock(), Restarts(POLICY)
    for n in range(1, 6):
        assert isinstance(restarts.exited(clock.advance(10)), Restart), n
        restarts.restarted()

    assert restarts.exited(clock.advance(10)) == GiveUp(exits=6)

    assert restarts.given_up
    assert not restarts.waiting and not restarts.due(clock.advance(10_000))
    assert isinstance(restarts.exited(clock.advance(10_000)), GiveUp)  # never again


def test_exits_spread_wider_than_the_window_are_never_given_up() -> None:
    clock, restarts = FakeClock(), Restarts(POLICY)
    for _ in range(50):  # one exit a minute: at most five in any 300 s
        assert isinstance(restarts.exited(clock.advance(61)), Restart)
        restarts.restarted()
    assert not restarts.given_up


def test_with_no_restarts_allowed_the_first_exit_gives_up() -> None:
    restarts = Restarts(RestartPolicy(max_restarts=0))
    assert restarts.exited(0.0) == GiveUp(exits=1)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"backoff": 0}, "backoff must be positive"),
        ({"backoff": 5, "max_backoff": 1}, "max_backoff must not be less than backoff"),
        ({"max_restarts": -1}, "max_restarts must not be negative"),
        ({"window": 0}, "window must be positive"),
    ],
)
def test_a_policy_that_makes_no_sense_is_refused(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        RestartPolicy(**kwargs)  # type: ignore[arg-type]


@given(st.lists(st.floats(min_value=0.0, max_value=1000.0), max_size=60))
def test_a_delay_is_always_between_the_initial_back_off_and_the_maximum(
    gaps: list[float],
) -> None:
    clock, restarts = FakeClock(), Restarts(RestartPolicy(max_restarts=1000))
    for gap in gaps:
        decision = restarts.exited(clock.advance(gap))
        assert isinstance(decision, Restart)
        assert 1.0 <= decision.delay <= 30.0
        assert restarts.due(clock.now + decision.delay)
        restarts.restarted()

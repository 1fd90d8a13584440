"""``minyi up``'s process handling on stand-in processes (no NATS, no services): an exit is
noticed and named, the log's tail is shown, the process comes back with a new pid, a crash
loop is given up, and stopping during a back-off restarts nothing."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import pytest

from minyi.cli.restarts import RestartPolicy, Restarts
from minyi.cli.up import Child, LocalSystem, StartFailed, exit_reason
from tests.support.system import eventually

SLEEPER = [sys.executable, "-c", "import time; print('sleeper up', flush=True); time.sleep(120)"]
CRASHER = [sys.executable, "-c", "import sys; print('boom: no database', flush=True); sys.exit(3)"]


def system_of(tmp_path: Path, policy: RestartPolicy | None, **commands: list[str]) -> LocalSystem:
    system = LocalSystem(tmp_path, list(commands), policy=policy)
    system.logs.mkdir(parents=True)
    for name, command in commands.items():
        child = Child(
            name, command, None, system.logs / f"{name}.log", Restarts(policy or RestartPolicy())
        )
        child.spawn()
        system.children[name] = child
    return system


def tend_until(system: LocalSystem, probe: object, what: str) -> None:
    def tended() -> bool:
        system.tend()
        return bool(probe() if callable(probe) else probe)

    eventually(tended, timeout=30, interval=0.05, what=what)


def test_exit_reasons_name_the_code_or_the_signal() -> None:
    assert exit_reason(3) == "exited with code 3"
    assert exit_reason(-signal.SIGKILL).startswith("was killed by SIGKILL (a crash")
    assert exit_reason(-signal.SIGSEGV) == "was killed by SIGSEGV"


def test_a_killed_process_is_named_with_its_signal_and_log_tail_and_started_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = RestartPolicy(backoff=0.1, max_backoff=0.1, max_restarts=3, window=60)
    system = system_of(tmp_path, policy, routing=SLEEPER, other=SLEEPER)
    try:
        routing, other = system.children["routing"], system.children["other"]
        first, other_pid = routing.pid, other.pid
        tend_until(system, lambda: "sleeper up" in routing.log_path.read_text(), "routing's log")
        os.kill(first, signal.SIGKILL)

        tend_until(system, lambda: routing.running and routing.pid != first, "a new routing")

        err = capsys.readouterr().err
        assert "routing was killed by SIGKILL" in err
        assert "restarting it in 0.1 s (restart 1 of at most 3 within 60 s)" in err
        assert "    sleeper up" in err  # the tail of its log, indented
        assert f"restarted routing (pid {routing.pid})" in err
        assert other.running and other.pid == other_pid  # the other one was left alone
        assert not system.given_up
    finally:
        system.stop()
    assert not any(c.running for c in system.children.values())


def test_a_crash_loop_is_given_up_and_the_others_keep_running(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = RestartPolicy(backoff=0.05, max_backoff=0.1, max_restarts=2, window=60)
    system = system_of(tmp_path, policy, broken=CRASHER, steady=SLEEPER)
    try:
        tend_until(system, lambda: system.given_up, "giving up on the crash loop")
        time.sleep(0.3)
        system.tend()  # nothing more happens to it

        err = capsys.readouterr().err
        assert system.given_up == ["broken"]
        assert err.count("broken exited with code 3; restarting it") == 2
        assert err.count("restarted broken") == 2
        assert "broken exited with code 3: 3 exits in 60 s (MINYI_UP_MAX_RESTARTS=2" in err
        assert "GAVE UP on broken; the other services keep running." in err
        assert "boom: no database" in err
        assert system.children["steady"].running
        assert not system.children["broken"].running
    finally:
        system.stop()


def test_stopping_during_a_back_off_restarts_nothing_and_stops_the_rest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = RestartPolicy(backoff=600, max_backoff=600, max_restarts=5, window=600)
    system = system_of(tmp_path, policy, waiting=SLEEPER, steady=SLEEPER)
    waiting = system.children["waiting"]
    os.kill(waiting.pid, signal.SIGKILL)
    tend_until(system, lambda: waiting.restarts.waiting, "the back-off")
    assert "restarting it in 600 s" in capsys.readouterr().err

    system.stopping[0] = True  # what SIGINT/SIGTERM do
    system.tend()
    system.stop()

    assert not waiting.running and not system.children["steady"].running
    assert system.children["steady"].proc is not None
    assert system.children["steady"].proc.returncode == -signal.SIGTERM
    assert "restarted" not in capsys.readouterr().err


def test_without_a_policy_any_exit_stops_everything_as_simulate_wants(tmp_path: Path) -> None:
    system = system_of(tmp_path, None, broken=CRASHER, steady=SLEEPER)
    try:
        with pytest.raises(StartFailed, match=r"broken exited with code 3; its log ends:\n.*boom"):
            tend_until(system, False, "the crash to be fatal")
    finally:
        system.stop()

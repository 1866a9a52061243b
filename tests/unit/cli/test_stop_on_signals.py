"""``pose_cli.signals`` (issue 20, ADR-0131): the first SIGTERM / SIGINT asks for a stop, a
second ends at once; stopped runs get one line and exit 128 + signal."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap

import pytest

from pose_cli.signals import stop_on_signals


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_first_signal_sets_the_token_and_a_stopped_run_exits_128_plus_signal(signum, code):
    # in a fresh interpreter: a test worker may hold other handlers (Ray installs its own)
    script = textwrap.dedent(f"""
        import io, os, signal
        from pose_cli.errors import describe, report
        from pose_cli.signals import SignalStop, stop_on_signals
        from pose_domain.errors import RunInterrupted
        before = signal.getsignal({int(signum)})
        stream = io.StringIO()
        try:
            with stop_on_signals(SignalStop(cooperative=True), stream=stream) as stop:
                os.kill(os.getpid(), {int(signum)})
                assert stop.wait(5) and stop.signum == {int(signum)}
                raise RunInterrupted(frames_saved=250, frames_total=600, last_frame_idx=249)
        except RunInterrupted as exc:
            assert signal.getsignal({int(signum)}) is before, "the previous handler is restored"
            assert "again to stop at once" in stream.getvalue()
            message, rc = describe(exc)
            err = io.StringIO()
            assert report(exc, debug=False, stream=err) == rc
            assert err.getvalue() == f"pose: {{message}}\\n"
            print(rc)
            print(message)
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    rc, message = proc.stdout.strip().splitlines()
    assert int(rc) == code
    assert message == ("stopped at frame 250 of 600; 250 saved; "
                       "run the same command with --resume to continue")


def test_abort_mode_raises_interrupted_in_the_main_thread():
    script = textwrap.dedent("""
        import os, signal
        from pose_cli.errors import describe
        from pose_cli.signals import Interrupted, stop_on_signals
        try:
            with stop_on_signals() as stop:
                os.kill(os.getpid(), signal.SIGTERM)
                stop.wait(5)
                for _ in range(1000):  # the handler runs between bytecodes
                    pass
        except Exception:
            print("swallowed by except Exception")
        except Interrupted as exc:
            message, rc = describe(exc)
            print(rc)
            print(message)
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    rc, message = proc.stdout.strip().splitlines()
    assert int(rc) == 143 and "interrupted by SIGTERM" in message


def test_no_signal_no_change():
    with stop_on_signals() as stop:
        pass
    assert not stop.is_set() and stop.exit_code == 143


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_second_signal_ends_at_once(signum, code):
    script = textwrap.dedent(f"""
        import os, time
        from pose_cli.signals import SignalStop, stop_on_signals
        with stop_on_signals(SignalStop(cooperative=True)) as stop:
            os.kill(os.getpid(), {int(signum)})
            stop.wait(5)
            os.kill(os.getpid(), {int(signum)})
            time.sleep(30)  # a run that does not notice the stop
        print("not reached")
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=20, check=False)
    assert proc.returncode == code, proc.stderr
    assert "not reached" not in proc.stdout
    assert f"second {signal.Signals(signum).name}: stopping now" in proc.stderr

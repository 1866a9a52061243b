from __future__ import annotations

import subprocess
import sys

from pose_cli.main import main


def test_help_lists_commands_without_importing_torch():
    code = (
        "import sys, io, contextlib\n"
        "from pose_cli.main import main\n"
        "buf = io.StringIO()\n"
        "with contextlib.redirect_stdout(buf):\n"
        "    rc = main(['--help'])\n"
        "out = buf.getvalue()\n"
        "assert rc == 0, rc\n"
        "for c in ('track', 'eval', 'export', 'predict'):\n"
        "    assert c in out, out\n"
        "heavy = [m for m in ('torch', 'onnxruntime', 'openvino', 'tensorflow', 'cv2') "
        "if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_version(capsys):
    assert main(["--version"]) == 0
    assert "0.1.0" in capsys.readouterr().out


def test_usage_error_is_one_line_exit_2(capsys):
    rc = main(["track", "--no-such-flag"])
    err = capsys.readouterr().err
    assert rc == 2
    assert err.count("\n") == 1 and err.startswith("pose: error:")
    assert "Traceback" not in err


def test_nothing_to_do_is_exit_2(capsys):
    assert main(["track", "-i", "x.mp4"]) == 2
    assert "nothing to do" in capsys.readouterr().err


def test_command_help_imports_no_numpy():
    # the option classes every command's flags come from stay light (ADR-0150)
    code = (
        "import sys, io, contextlib\n"
        "from pose_cli.main import main\n"
        "for c in ('track', 'predict', 'eval', 'export', 'qc', 'render'):\n"
        "    with contextlib.redirect_stdout(io.StringIO()):\n"
        "        assert main([c, '--help']) == 0, c\n"
        "heavy = [m for m in ('numpy', 'scipy', 'torch', 'sleap_io', 'h5py') "
        "if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)

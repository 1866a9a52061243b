from pose_cli.main import run

run()

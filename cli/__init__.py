"""The `daiwei` command line: argparse entry points and the one helper that executes a Dagster job."""

"""`python -m orchestration.dbt_in_build ARGS…`: dbt, started in the run's build folder.

dbt parses the whole project again whenever its connection settings or its command-line vars
differ from those of its saved parse: ≈ 4 s at the first run of every new warehouse, when the
build copy's path was part of both. So every run opens its copy by the same relative name
(`warehouse.duckdb`, dbt_project/profiles.yml) from its own build folder, which the dbt asset
names in the var `daiwei_build_dir`. This wrapper takes that var out of `--vars`, enters the
folder and replaces itself with dbt; the project and its profiles are found through
DBT_PROJECT_DIR (set by dagster-dbt) and DBT_PROFILES_DIR (the project's folder, where
profiles.yml lives, unless set). Without the var it is plain dbt.

When the var `daiwei_dbt_warm` names the socket of a dbt already imported by the run
(orchestration/dbt_warm.py, decision 105), that dbt runs the invocation instead; when it cannot,
dbt is started here as before.

Kept to the standard library: it starts before every dbt invocation.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

BUILD_DIR_VAR = "daiwei_build_dir"
WARM_VAR = "daiwei_dbt_warm"
RUN_VARS = (BUILD_DIR_VAR, WARM_VAR)


def split_run_vars(args: list[str]) -> tuple[list[str], dict[str, str]]:
    """dbt's arguments without this wrapper's vars (the build folder, the warm dbt's socket) in
    --vars, and those vars. dbt never sees them: its saved parse holds for every run."""
    out, taken = list(args), {}
    for i, arg in enumerate(out[:-1]):
        if arg != "--vars":
            continue
        try:
            variables = json.loads(out[i + 1])
        except ValueError:  # YAML vars (typed by hand): passed on as they are
            continue
        if isinstance(variables, dict) and any(name in variables for name in RUN_VARS):
            taken.update({name: str(variables.pop(name)) for name in RUN_VARS if name in variables})
            out[i + 1] = json.dumps(variables, ensure_ascii=False, sort_keys=True)
    return out, taken


def dbt_executable() -> str:
    """The dbt of this virtualenv, so runs work without the venv on PATH."""
    local = Path(sys.executable).parent / "dbt"
    return str(local) if local.exists() else (shutil.which("dbt") or "dbt")


def main() -> None:
    args, taken = split_run_vars(sys.argv[1:])
    env = dict(os.environ)
    build_dir = taken.get(BUILD_DIR_VAR)
    if build_dir is not None:
        project = env.setdefault("DBT_PROJECT_DIR", os.getcwd())
        env.setdefault("DBT_PROFILES_DIR", project)
        os.chdir(build_dir)
    if WARM_VAR in taken:
        from orchestration.dbt_warm import run_through

        code = run_through(taken[WARM_VAR], args, os.getcwd(), env)
        if code is not None:
            sys.exit(code)
    dbt = dbt_executable()
    os.execve(dbt, [dbt, *args], env)


if __name__ == "__main__":
    main()

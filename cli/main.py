"""`daiwei`: the command line of cli.md.

Exit codes: 0 success (rejected rows are reported, not a failure); 1 when at
least one whole file was rejected (or the run failed); 2 for a usage error.
Every error is one line, Chinese and English, naming the file; tracebacks go
to the log, never to the user.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from cli.errors import EXIT_OK, EXIT_REJECTED, EXIT_USAGE, UsageError
from core.settings import DEFAULT_HOST, DEFAULT_PROVINCE, Settings

if TYPE_CHECKING:
    from reporting.exports import Table


class _Help(argparse.HelpFormatter):
    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=24)


class _RawHelp(argparse.RawDescriptionHelpFormatter, _Help):
    """`daiwei --help`: the exit codes below the commands keep their lines."""

    def add_argument(self, action: argparse.Action) -> None:
        super().add_argument(action)
        if action.help is not argparse.SUPPRESS and isinstance(action, argparse._SubParsersAction):
            self._action_max_length += 2  # argparse measures the commands without their extra indent


class _Parser(argparse.ArgumentParser):
    """Bilingual help (Chinese first), and a usage error as one line instead of argparse's usage dump."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Help)
        add_help, parents = kwargs.pop("add_help", True), kwargs.pop("parents", [])
        super().__init__(add_help=False, **kwargs)
        self._optionals.title = "选项 / options"
        self._positionals.title = "命令 / commands"
        if add_help:  # argparse's own -h, worded like the other options
            self.add_argument("-h", "--help", action="help", help="显示此帮助并退出 / show this help and exit")
        for parent in parents:  # after -h, as argparse would add them
            self._add_container_actions(parent)
            self._defaults.update(parent._defaults)

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"用法错误 / usage error: {message} (daiwei --help)")


MASKED_NOTE = "姓名与电话默认脱敏 / names and phone numbers are masked unless --unmasked"
OUT_FILE_HELP = (
    "输出文件，按扩展名选格式：.csv（UTF-8，无BOM）或 .xlsx（一个工作表）/ file to write, its extension "
    "chooses the format: .csv (UTF-8 without BOM) or .xlsx (one sheet, numbers as numbers) (required)"
)
EPILOG = """\
退出码 / exit codes: 0 成功 success (rejected rows are reported, not a failure);
  1 有整文件被拒绝或运行失败 a whole file was rejected, or the run failed;
  2 用法错误 usage error (unknown option, missing folder, month without data, unsupported extension).
每个命令的选项 / each command's options: daiwei COMMAND --help"""
PROVINCE_REFERENCE_HELP = (
    "省份名称，取参考表（地市、区县、代维公司）中该省的行 / the province's name: the rows of the reference "
    "seeds (prefectures, counties, contractors) this command uses, one of those in ref_prefectures "
    f"(default: $DAIWEI_PROVINCE, else {DEFAULT_PROVINCE})"
)
UNMASKED_HELP = (
    "明文写出姓名与电话，仅限管理员；审计日志上线后将记录此操作 / write names and phone numbers in clear: "
    "for admins only, and recorded in the audit trail once it exists (default: masked)"
)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="daiwei",
        description="代维 KPI 数据仓库 / contractor KPI warehouse",
        epilog=EPILOG,
        formatter_class=_RawHelp,
    )
    common = _Parser(add_help=False)
    common.add_argument(
        "--warehouse",
        metavar="PATH",
        help="仓库文件 / warehouse file, a DuckDB path (default: $DAIWEI_WAREHOUSE, else data/warehouse.duckdb)",
    )
    common.add_argument(
        "--user",
        metavar="USERNAME",
        help="代表哪个账号操作 / the account this command acts for (default: $DAIWEI_USER, "
        "else the operating-system user as a local admin)",
    )
    common.add_argument(
        "--app-db",
        metavar="URL",
        help="应用数据库 / application database, an SQLAlchemy URL or an SQLite path "
        "(default: $DAIWEI_APP_DB, else data/app.db)",
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)

    def command(name: str, text: str) -> argparse.ArgumentParser:
        """A subcommand whose own --help starts with what it does (the line `daiwei --help` shows)."""
        return sub.add_parser(name, parents=[common], help=text, description=text)

    d = command("demo-data", "生成演示数据 / write a messy sample delivery")
    d.add_argument("--out", required=True, metavar="DIR", help="输出文件夹 / folder to write into (required)")
    d.add_argument("--seed", type=int, default=7, metavar="N", help="随机种子 / random seed, an integer (default: 7)")
    d.add_argument(
        "--months", type=int, default=3, metavar="N", help="月份数 / number of months, an integer (default: 3)"
    )
    d.add_argument(
        "--scale",
        choices=["small", "province"],
        default="small",
        help="规模 / size: small or province (default: small)",
    )
    d.add_argument("--province", metavar="NAME", help=PROVINCE_REFERENCE_HELP)

    r = command("run", "加载并构建 / load every file under --input and rebuild")
    r.add_argument(
        "--input",
        required=True,
        metavar="DIR",
        help="交付文件夹，递归读取 / delivery folder, read recursively (required)",
    )
    r.add_argument("--province", metavar="NAME", help=PROVINCE_REFERENCE_HELP)

    e = command("export", "导出KPI长表或十个不统一表 / write the KPI table, or with --table areas the ten areas")
    e.add_argument("--out", required=True, metavar="FILE", help=OUT_FILE_HELP)
    e.add_argument(
        "--month",
        metavar="YYYY-MM",
        help="只导出该月；配合 --period 时为季度 YYYY-Qn 或年份 YYYY / only this month, YYYY-MM; with --period "
        "quarter or year, only that quarter (YYYY-Qn) or year (YYYY) (default: every month or period)",
    )
    e.add_argument(
        "--table",
        choices=["kpi", "areas"],
        default="kpi",
        help="导出哪张表 / which table: kpi (long KPI table) or areas (ten areas) (default: kpi)",
    )
    e.add_argument(
        "--period",
        choices=["month", "quarter", "year"],
        help="KPI长表按月、季度或年份精确汇总（不适用于 --table areas）/ the KPI table by month, or rolled up "
        "exactly to quarters (2026-Q3) or years (2026); not with --table areas (default: month)",
    )

    rj = command("rejects", f"导出拒绝行 / write every set-aside row ({MASKED_NOTE})")
    rj.add_argument("--out", required=True, metavar="FILE", help=OUT_FILE_HELP)
    rj.add_argument("--unmasked", action="store_true", help=UNMASKED_HELP)
    lo = command("loads", f"导出加载日志 / write the load log ({MASKED_NOTE})")
    lo.add_argument("--out", required=True, metavar="FILE", help=OUT_FILE_HELP)
    lo.add_argument("--unmasked", action="store_true", help=UNMASKED_HELP)

    xr = command("export-raw", "导出原始表为分区Parquet / write the raw tables as partitioned Parquet for Spark")
    xr.add_argument(
        "--out",
        required=True,
        metavar="DIR",
        help="数据湖文件夹：新建、空文件夹或已有的 daiwei 数据湖；只替换本省份的分区 / the lake folder: new, empty "
        "or an earlier daiwei lake; only this province's partitions are replaced (required)",
    )
    xr.add_argument(
        "--province",
        metavar="NAME",
        help=f"省份名称，即分区 province=NAME / the province's name, its partition province=NAME "
        f"(default: $DAIWEI_PROVINCE, else {DEFAULT_PROVINCE})",
    )

    pk = command("pack", "生成月报 / write the KPI pack of a month, quarter or year (xlsx + pdf)")
    pk.add_argument(
        "--month",
        required=True,
        metavar="YYYY-MM",
        help="月份、季度或年份 / the month (YYYY-MM), quarter (YYYY-Qn) or year (YYYY) (required)",
    )
    pk.add_argument(
        "--out", required=True, metavar="DIR", help="输出文件夹 / folder for the xlsx and the pdf (required)"
    )
    pk.add_argument(
        "--contractor",
        metavar="NAME",
        help="只含该代维公司的数据 / a contractor's own pack, only its rows; a contractor account always gets its own "
        "(default: the department's pack, every contractor)",
    )
    pk.add_argument(
        "--send",
        action="store_true",
        help="生成后发送邮件 / e-mail the pack to its recipients (seed pack_recipients, $DAIWEI_PACK_RECIPIENTS; "
        "without $DAIWEI_SMTP_HOST the messages go to the outbox folder, data/outbox) (default: not sent)",
    )

    s = command("serve", "启动看板 / serve the dashboard")
    s.add_argument("--port", type=int, default=8501, metavar="N", help="端口 / TCP port, an integer (default: 8501)")
    s.add_argument(
        "--host",
        metavar="ADDRESS",
        help="监听地址 / address to listen on, e.g. 0.0.0.0 for every interface "
        f"(default: $DAIWEI_HOST, else {DEFAULT_HOST}, this machine only)",
    )

    from cli import demo_accounts, national, people, watch

    COMMANDS.update(people.register(command, _settings))
    COMMANDS.update(watch.register(command, _settings))
    COMMANDS.update(demo_accounts.register(command, _settings))
    COMMANDS.update(national.register(command, _settings))
    return p


def _month(value: str | None) -> str | None:
    from core.months import is_month

    if value is not None and not is_month(value):
        raise UsageError(f"月份格式应为 YYYY-MM / month must be YYYY-MM: {value}")
    return value


def _period_label(value: str | None, kind: str | None = None) -> str | None:
    """A month, quarter or year label (core/months.py), of the kind `kind` when given; UsageError otherwise."""
    from core.months import BadPeriod, parse_period

    if value is None:
        return None
    try:
        found = parse_period(value).kind
    except BadPeriod as exc:
        raise UsageError(str(exc)) from exc
    if kind is not None and found != kind:
        form = {"month": "YYYY-MM", "quarter": "YYYY-Qn", "year": "YYYY"}[kind]
        raise UsageError(f"--period {kind} 需要 {form} 形式的 --month / --period {kind} takes --month {form}: {value}")
    return value


def _published(args: argparse.Namespace):
    from core.warehouse import open_published, warehouse_path

    path = warehouse_path(args.warehouse)
    if not path.exists():
        raise UsageError(f"{path}: 仓库不存在，请先运行 daiwei run / warehouse not found, run `daiwei run` first")
    return open_published(path)


def _held_province(warehouse: Path) -> str | None:
    """The province the published warehouse holds (audit.warehouse_province); None for a new warehouse."""
    from core.warehouse import open_published
    from ingestion.loader import recorded_province

    if not Path(warehouse).exists():
        return None
    con = open_published(Path(warehouse))
    try:
        return recorded_province(con)
    finally:
        con.close()


def _out_dir(value: str) -> Path:
    """A folder to write into: a usage error when --out names an existing file (`--out x.xlsx` to `pack`)."""
    out = Path(value)
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out}: 这是文件，--out 应为文件夹 / is a file: --out names a folder here")
    return out


def _reference_province(args: argparse.Namespace) -> Settings:
    """The command's settings, whose province must be one of the reference seeds' (else a usage error)."""
    from ingestion.loader import UnknownProvince, check_province

    settings = _settings(args)
    try:
        check_province(settings.province)
    except UnknownProvince as exc:
        raise UsageError(str(exc)) from exc
    return settings


def cmd_demo_data(args: argparse.Namespace) -> int:
    from demo_data import generate

    province = _reference_province(args).province
    out = _out_dir(args.out)
    manifest = generate(out, seed=args.seed, months=args.months, scale=args.scale, province=province)
    n = len(manifest.get("files", []))
    print(f"演示数据已写入 / demo delivery written: {out} ({n} files, {province})")
    return EXIT_OK


def _settings(args: argparse.Namespace) -> Settings:
    """The one Settings object of this command: arguments win over the environment."""
    try:
        return Settings.load(
            warehouse=args.warehouse,
            host=getattr(args, "host", None),
            app_db=getattr(args, "app_db", None),
            user=getattr(args, "user", None),
            province=getattr(args, "province", None),
        )
    except ValueError as exc:  # a malformed DAIWEI_* variable: one line, no traceback
        raise UsageError(f"设置错误 / bad setting: {exc}") from exc


def cmd_run(args: argparse.Namespace) -> int:
    from cli.runner import run_pipeline
    from cli.summary import print_summary

    settings = _reference_province(args)
    input_dir = Path(args.input)
    if not input_dir.is_dir():
        raise UsageError(f"{input_dir}: 输入文件夹不存在 / input folder does not exist")
    held = _held_province(settings.warehouse)
    if held is not None and held != settings.province:  # before Dagster starts; the asset checks it again
        from ingestion.loader import wrong_province_message

        raise UsageError(wrong_province_message(held, settings.province))
    outcome = run_pipeline(
        input_dir, settings.warehouse, limits=settings.limits, app_db=settings.app_db, province=settings.province
    )
    if not outcome.success:
        print(
            f"运行失败，已发布的仓库未改变 / run failed, the published warehouse is unchanged: "
            f"{outcome.error} (log: {outcome.log})",
            file=sys.stderr,
        )
        return EXIT_REJECTED
    print_summary(outcome)
    return EXIT_REJECTED if outcome.rejected_files else EXIT_OK


def _scope_of(args: argparse.Namespace, action: str, target: str):  # type: ignore[no-untyped-def]
    """The acting principal's scope (cli.md --user), with the audit entry of this read (access.md)."""
    from appstate import record, visible_months
    from cli.acting import acting
    from reporting.scope import Scope

    app, principal = acting(_settings(args))
    try:
        record(app, actor=principal, action=action, target=target)
        return principal, Scope.for_principal(principal, visible_months(app, principal), comparisons=False)
    finally:
        app.dispose()


def _export(args: argparse.Namespace, table: Callable[..., Table], *extra: object, note: str = "") -> int:
    """Write one of the exports.py tables to --out (.csv or .xlsx) from the published warehouse, read-only.

    The extension is checked first: a file daiwei cannot write is a usage error before anything is read.
    `note` adds to the audit entry's target what the extra arguments do not say (the period)."""
    from reporting.exports import output_format, write_table

    out = Path(args.out)
    output_format(out)
    what = " ".join(str(e) for e in (note or None, *extra) if e is not None)
    _, scope = _scope_of(args, "export", f"{args.command} {what} -> {out}")
    con = _published(args)
    try:
        written = write_table(table(con, *extra, scope=scope), out)
    finally:
        con.close()
    print(f"已导出 / exported {written.rows} rows: {out}")
    if written.cut_cells:
        print(
            f"注意：{written.cut_cells} 个单元格超过 Excel 的 32767 字符上限，已截断，.csv 保留全文 / note: "
            f"{written.cut_cells} cells longer than Excel's 32,767 characters were cut; a .csv keeps them whole",
            file=sys.stderr,
        )
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from functools import partial

    from reporting import exports

    if args.table == "areas":
        if args.period is not None:
            raise UsageError(
                "--period 只适用于KPI长表，不能与 --table areas 同用 / --period applies to the KPI table only"
            )
        return _export(args, exports.areas_table, _month(args.month))
    period = args.period or "month"
    if period == "month":
        return _export(args, exports.kpi_table, _month(args.month))
    month = _period_label(args.month, period)
    return _export(args, partial(exports.kpi_table, period=period), month, note=f"--period {period}")


def _masked_note(args: argparse.Namespace) -> None:
    if args.unmasked:
        print("注意：已明文写出姓名与电话 / note: names and phone numbers written in clear", file=sys.stderr)


def cmd_rejects(args: argparse.Namespace) -> int:
    from reporting import exports

    code = _export(args, exports.rejects_table, args.unmasked)
    _masked_note(args)
    return code


def cmd_loads(args: argparse.Namespace) -> int:
    from reporting import exports

    code = _export(args, exports.loads_table, args.unmasked)
    _masked_note(args)
    return code


def cmd_export_raw(args: argparse.Namespace) -> int:
    """The raw tables, the load log and the rejects as a partitioned Parquet lake (scale.md item 2).

    They hold every contractor's rows in clear, so only a role that sees everything may write them
    (access.md); a contractor account is refused, on the record, before anything is read."""
    from cli.acting import require_everything
    from ingestion.datasets import DATASETS
    from reporting.lake import NotALake, check_out, export_raw

    settings = _settings(args)  # the province is checked here: a bad one is a usage error
    # the warehouse's own province (audit.warehouse_province) names its partition; a different --province
    # would file one province's rows under another's name
    held = _held_province(settings.warehouse)
    if held is not None and getattr(args, "province", None) is not None and settings.province != held:
        raise UsageError(
            f"仓库存放的是「{held}」的数据，不能导出为「{settings.province}」 / the warehouse holds {held}'s "
            f"deliveries: it cannot be exported as {settings.province}"
        )
    province = held or settings.province
    out = Path(args.out)
    try:
        check_out(out)
    except NotALake as exc:
        raise UsageError(str(exc)) from exc
    target = f"export-raw --province {province} -> {out}"
    require_everything(
        settings,
        target,
        "无权导出原始数据：原始表含所有代维公司的数据 / a contractor account may not export the raw tables "
        "(they hold every contractor's rows): export-raw",
    )
    con = _published(args)
    try:
        lake = export_raw(con, out, province, DATASETS)
    except NotALake as exc:
        raise UsageError(str(exc)) from exc
    finally:
        con.close()
    from cli.summary import lake_lines

    for line in lake_lines(lake):
        print(line)
    return EXIT_OK


def cmd_pack(args: argparse.Namespace) -> int:
    """A month's, a quarter's or a year's pack: the label goes on to run_pack unchanged."""
    from cli.pack import run_pack
    from core.months import data_months_of
    from reporting import exports

    label = _period_label(args.month) or ""
    con = _published(args)
    try:
        exports.check_period(con, label)  # a label without data: NoData, exit 2
        held = data_months_of(label, exports.months_in(con))
    finally:
        con.close()
    sending = " send" if args.send else ""
    principal, scope = _scope_of(args, "pack", f"pack {label} {args.contractor or ''} -> {args.out}{sending}".strip())
    if args.send and principal.is_contractor:
        raise UsageError("代维公司账号不能发送月报 / a contractor account cannot send the pack")
    contractor = args.contractor
    if principal.is_contractor:
        if contractor and contractor != principal.contractor:
            raise UsageError("代维公司账号只能生成本公司的月报 / a contractor account builds only its own pack")
        contractor = principal.contractor
        if scope.months is not None and not set(held) <= scope.months:
            if len(held) == 1 and held[0] == label:
                raise UsageError(f"{label}: 该月尚未发布 / this month is not published to contractors yet")
            raise UsageError(
                f"{label}: 其中有月份尚未发布 / a month of this period is not published to contractors yet"
            )
    if args.send:
        from cli.deliver import send_pack

        sent = send_pack(label, _out_dir(args.out), _settings(args), contractor)
        for p in sent.files:
            print(f"已生成 / written: {p}")
        for line in sent.lines:
            print(line)
        return EXIT_OK if sent.failed == 0 else EXIT_REJECTED
    paths = run_pack(label, _out_dir(args.out), args.warehouse, contractor)
    for p in paths:
        print(f"已生成 / written: {p}")
    return EXIT_OK


def serve_command(app: Path, port: int, host: str) -> list[str]:
    """The streamlit command line `daiwei serve` runs: bound to `host` only (127.0.0.1 unless asked)."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app),
        "--server.address",
        host,
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--logger.hideWelcomeMessage",  # cmd_serve prints the address, once
        "true",
    ]


def dashboard_url(host: str, port: int) -> str:
    """The address to open: localhost for this machine or every interface, else the host asked for."""
    shown = "localhost" if host in ("127.0.0.1", "localhost", "::1", "0.0.0.0", "::") else host
    return f"http://{shown}:{port}"


def cmd_serve(args: argparse.Namespace) -> int:
    settings = _settings(args)
    app = Path(__file__).resolve().parent.parent / "app" / "streamlit_app.py"
    env = dict(os.environ, DAIWEI_WAREHOUSE=str(settings.warehouse), DAIWEI_APP_DB=settings.app_db)
    where = "" if settings.host in ("127.0.0.1", "localhost", "::1") else f" (监听 / listening on {settings.host})"
    # The one line with the address: Streamlit's own welcome message is off (serve_command).
    print(
        f"看板地址 / dashboard: {dashboard_url(settings.host, args.port)}{where}  (Ctrl+C 停止 / to stop)", flush=True
    )
    cmd = serve_command(app, args.port, settings.host)
    return subprocess.call(cmd, env=env, cwd=app.parent.parent)  # .streamlit/config.toml lives there


COMMANDS = {
    "demo-data": cmd_demo_data,
    "run": cmd_run,
    "export": cmd_export,
    "export-raw": cmd_export_raw,
    "rejects": cmd_rejects,
    "loads": cmd_loads,
    "pack": cmd_pack,
    "serve": cmd_serve,
}


def main(argv: list[str] | None = None) -> int:
    from appstate import Denied, Invalid
    from reporting.exports import NoData, UnsupportedFormat

    try:
        args = _parser().parse_args(argv)
        return COMMANDS[args.command](args)
    except (UsageError, NoData, UnsupportedFormat, Denied, Invalid) as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("已中断 / interrupted", file=sys.stderr)
        return EXIT_REJECTED
    except Exception as exc:  # the last line of defence: one line, no traceback
        import logging

        logging.getLogger("daiwei").debug("unexpected error", exc_info=True)
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
        print(f"内部错误 / internal error: {type(exc).__name__}: {first}", file=sys.stderr)
        return EXIT_REJECTED


def entry() -> NoReturn:
    """The `daiwei` command (and `python -m cli.main`): main(), then a quick exit (decision 107).

    A normal interpreter exit after a run spends about 2 s tearing down what the run imported and
    held (Dagster, dbt, Great Expectations, pandas, DuckDB's buffers) once all work is done. So the
    shutdown Python would do is done by hand, in its order: the threads that are not daemons are
    waited for, the exit handlers run (the temporary folders of Dagster and GE are removed), the
    logs and both streams are flushed; then the process ends without the teardown."""
    import atexit
    import contextlib
    import logging
    import threading

    code = main()
    for thread in threading.enumerate():
        if thread is not threading.current_thread() and not thread.daemon:
            thread.join()
    atexit._run_exitfuncs()
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing more can reach it
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    entry()

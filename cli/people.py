"""The people commands of cli.md: `users`, `month`, `appeal`, `audit verify`.

Each command acts as `cli.acting.acting()` (--user, $DAIWEI_USER, else the OS user as a
local admin), and the rules (who may do what, in which month state, within which window)
live in `appstate`, once, for the CLI and the dashboard alike: a refusal comes back as
`Denied` / `Invalid` with a bilingual message, printed here as one line (exit 2). Every
command leaves an audit entry through appstate, refusals included.
"""

from __future__ import annotations

import argparse
import getpass
import sys
import unicodedata
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

import appstate
from appstate import AppDB, Denied, Invalid
from appstate.months import check_month
from cli.acting import acting_as
from core.inert import write_csv
from core.principal import ROLES, Principal
from core.settings import Settings

EXIT_OK, EXIT_BROKEN, EXIT_USAGE = 0, 1, 2
COMMON = ("--warehouse", "--user", "--app-db")

Handler = Callable[[argparse.Namespace], int]
Action = Callable[[argparse.Namespace, Settings], int]
MakeCommand = Callable[[str, str], argparse.ArgumentParser]


def register(command: MakeCommand, settings_of: Callable[[argparse.Namespace], Settings]) -> dict[str, Handler]:
    """Add `users`, `month`, `appeal` and `audit` to the parser; returns their handlers by command name."""
    table: dict[str, dict[str, Action]] = {}

    u = _group(command("users", "管理账号（管理员） / manage accounts (admin)"), "users")
    add = _action(u, "add", "新建账号，密码从标准输入读取 / create an account, the password read from stdin")
    add.add_argument("username", metavar="USERNAME", help="用户名 / the account's name (required)")
    add.add_argument("--role", required=True, choices=ROLES, help="角色 / role (required)")
    add.add_argument(
        "--contractor",
        metavar="NAME",
        help="代维公司（仅代维公司账号） / the contractor, for role contractor (default: none)",
    )
    add.add_argument(
        "--password-stdin",
        action="store_true",
        required=True,
        help="从标准输入读取密码 / read the password from stdin (required)",
    )
    _action(u, "list", "列出账号 / list the accounts (no password hashes)")
    dis = _action(u, "disable", "停用账号 / disable an account")
    dis.add_argument("username", metavar="USERNAME", help="用户名 / the account's name (required)")
    table["users"] = {"add": _users_add, "list": _users_list, "disable": _users_disable}

    m = _group(command("month", "月份状态：发布、关账、重新打开、确认 / a month's lifecycle"), "month")
    for name, text in (
        ("open", "发布月份给代维公司，开始申诉期 / publish a draft month and start its appeal window (admin)"),
        ("close", "关账并冻结已发布数据 / close an open month, freezing its published figures (admin)"),
        ("reopen", "重新打开已关账月份，需要理由 / reopen a closed month, with a reason (admin)"),
        ("confirm", "代维公司确认该月数据 / confirm the month's figures (contractor)"),
    ):
        p = _action(m, name, text)
        p.add_argument("month", metavar="YYYY-MM", help="月份 / the month, YYYY-MM (required)")
        if name == "reopen":
            p.add_argument(
                "--reason", required=True, metavar="TEXT", help="理由，记入审计 / why, on the record (required)"
            )
    _action(m, "list", "列出月份状态 / list the months that left draft")
    table["month"] = {
        "open": _month_open,
        "close": _month_close,
        "reopen": _month_reopen,
        "confirm": _month_confirm,
        "list": _month_list,
    }

    a = _group(command("appeal", "申诉：提交、裁决、导出 / appeals: file, rule, list"), "appeal")
    f = _action(a, "file", "代维公司对本公司工单提出申诉 / file an appeal on one of your tickets (contractor)")
    f.add_argument("--month", required=True, metavar="YYYY-MM", help="月份 / the month, YYYY-MM (required)")
    f.add_argument("--ticket", required=True, metavar="ID", help="工单号 / the ticket id (required)")
    f.add_argument("--rule", required=True, choices=appstate.RULES, help="申诉规则 / the rule appealed (required)")
    f.add_argument(
        "--item",
        metavar="NAME",
        help="回单项或照片类别 / the form item or photo kind, for form_item and photo (default: none)",
    )
    f.add_argument("--reason", required=True, metavar="TEXT", help="理由 / why (required)")
    f.add_argument("--evidence", default="", metavar="TEXT", help="证据说明 / evidence (default: none)")
    r = _action(a, "rule", "管理员裁决申诉 / rule on an appeal (admin)")
    r.add_argument("appeal_id", type=int, metavar="ID", help="申诉编号 / the appeal id, an integer (required)")
    verdict = r.add_mutually_exclusive_group(required=True)
    verdict.add_argument("--accept", action="store_true", help="接受 / accept; --accept or --reject (required)")
    verdict.add_argument("--reject", action="store_true", help="驳回 / reject; --accept or --reject (required)")
    r.add_argument("--note", required=True, metavar="TEXT", help="裁决说明 / the ruling's note (required)")
    ls = _action(a, "list", "导出申诉（代维公司只看本公司） / write the appeals to a CSV (a contractor gets its own)")
    ls.add_argument("--month", metavar="YYYY-MM", help="只导出该月 / only this month (default: every month)")
    ls.add_argument(
        "--out", required=True, metavar="FILE", help="输出 CSV（UTF-8 含 BOM） / CSV file to write (required)"
    )
    table["appeal"] = {"file": _appeal_file, "rule": _appeal_rule, "list": _appeal_list}

    au = _group(command("audit", "审计记录 / the audit trail"), "audit")
    _action(au, "verify", "校验审计链（0 完整，1 指出第一条断裂） / check the hash chain: 0 intact, 1 names the break")
    table["audit"] = {"verify": _audit_verify}

    def handler(name: str) -> Handler:
        return lambda args: _run(table[name][getattr(args, f"{name}_action")], args, settings_of)

    return {name: handler(name) for name in table}


def _group(parser: argparse.ArgumentParser, name: str) -> argparse._SubParsersAction:
    sub = parser.add_subparsers(
        dest=f"{name}_action",
        required=True,
        metavar="ACTION",
        parser_class=type(parser),
        help="操作，见下 / what to do, below (required)",
    )
    sub._daiwei_parent = parser  # type: ignore[attr-defined]  # whose common options the actions repeat
    return sub


def _action(sub: argparse._SubParsersAction, name: str, text: str) -> argparse.ArgumentParser:
    """An action whose parser also takes the common options, so `--user` may come after it.

    Its copies default to SUPPRESS: argparse copies every value of the action's namespace over
    the command's, and a default None would undo `daiwei users --user x list`."""
    p = sub.add_parser(name, help=text, description=text)
    for act in sub._daiwei_parent._actions:  # type: ignore[attr-defined]
        if act.option_strings and act.option_strings[0] in COMMON:
            p.add_argument(
                *act.option_strings, dest=act.dest, metavar=act.metavar, help=act.help, default=argparse.SUPPRESS
            )
    return p


def _run(action: Action, args: argparse.Namespace, settings_of: Callable[[argparse.Namespace], Settings]) -> int:
    try:
        return action(args, settings_of(args))
    except (Denied, Invalid) as exc:
        print(str(exc).splitlines()[0] if str(exc) else type(exc).__name__, file=sys.stderr)
        return EXIT_USAGE


def _allow(app: AppDB, who: Principal, roles: Sequence[str], target: str) -> None:
    """Refuse (on the record) a role outside `roles`: a check appstate leaves to the caller (a read)."""
    if who.role not in roles:
        appstate.record(app, actor=who, action="view", target=target, outcome="denied")
        raise Denied(f"无权执行 / {who.role} may not do this ({', '.join(roles)} only): {target}")


# --- users ---------------------------------------------------------------------------------------------------


def _read_password() -> str:
    if sys.stdin is None:
        return ""
    if sys.stdin.isatty():
        return getpass.getpass("密码 / password: ")
    lines = sys.stdin.read().splitlines()
    return lines[0] if lines else ""


def _users_add(args: argparse.Namespace, settings: Settings) -> int:
    with acting_as(settings) as (app, who):
        password = _read_password()
        if not password:
            raise Invalid("标准输入没有密码 / no password on stdin (--password-stdin reads its first line)")
        acc = appstate.add_user(app, args.username, args.role, password, args.contractor, actor=who)
    bound = f", {acc.contractor}" if acc.contractor else ""
    print(f"已创建账号 / account created: {acc.username} ({acc.role}{bound})")
    return EXIT_OK


def _users_list(args: argparse.Namespace, settings: Settings) -> int:
    with acting_as(settings) as (app, who):
        _allow(app, who, ("admin", "auditor"), "users list")
        users = appstate.list_users(app)
        appstate.record(app, actor=who, action="view", target="users list")
    rows = [(u.username, u.role, u.contractor or "", "yes" if u.disabled else "no") for u in users]
    print(_table(("username", "role", "contractor", "disabled"), rows))
    return EXIT_OK


def _users_disable(args: argparse.Namespace, settings: Settings) -> int:
    with acting_as(settings) as (app, who):
        appstate.disable_user(app, args.username, actor=who)
    print(f"已停用账号 / account disabled: {args.username}")
    return EXIT_OK


# --- months --------------------------------------------------------------------------------------------------


def _month_open(args: argparse.Namespace, settings: Settings) -> int:
    with acting_as(settings) as (app, who):
        st = appstate.open_month(app, args.month, actor=who)
    print(f"已发布 / opened: {st.month}; 申诉期至 / appeals until {_when(st.window_ends_at)}")
    return EXIT_OK


def _month_close(args: argparse.Namespace, settings: Settings) -> int:
    with acting_as(settings) as (app, who):
        snapshot, watermark = _published_month(settings, args.month)
        if not any(snapshot.values()):
            raise Invalid(f"{args.month} 在仓库中没有数据 / no published figures for {args.month} in the warehouse")
        st = appstate.close_month(app, args.month, actor=who, snapshot=snapshot, load_seq_watermark=watermark)
    rows = sum(len(v) for v in snapshot.values())
    print(f"已关账 / closed: {st.month} ({rows} rows frozen)")
    return EXIT_OK


def _published_month(settings: Settings, month: str) -> tuple[dict[str, list[dict]], int]:
    check_month(month)
    db = _warehouse(settings)
    try:
        from reporting.freeze import load_seq_watermark, snapshot

        return snapshot(db, month), load_seq_watermark(db)
    except LookupError as exc:  # no KPI rows for the month: nothing to freeze
        raise Invalid(str(exc).splitlines()[0]) from exc
    finally:
        db.close()


def _warehouse(settings: Settings):  # -> reporting.reader.DirectDB
    from reporting.reader import DirectDB

    if not Path(settings.warehouse).exists():
        raise Invalid(f"{settings.warehouse}: 仓库不存在，请先运行 daiwei run / warehouse not found, run `daiwei run`")
    return DirectDB.open(settings.warehouse)


def _month_reopen(args: argparse.Namespace, settings: Settings) -> int:
    with acting_as(settings) as (app, who):
        st = appstate.reopen_month(app, args.month, actor=who, reason=args.reason)
    print(f"已重新打开 / reopened: {st.month}")
    return EXIT_OK


def _month_confirm(args: argparse.Namespace, settings: Settings) -> int:
    with acting_as(settings) as (app, who):
        st = appstate.confirm_month(app, args.month, actor=who)
    print(f"已确认 / confirmed: {st.month} ({who.contractor})")
    return EXIT_OK


def _month_list(args: argparse.Namespace, settings: Settings) -> int:
    with acting_as(settings) as (app, who):
        states = appstate.month_states(app)
        appstate.record(app, actor=who, action="view", target="month list")
    rows = []
    for st in states.values():
        if who.is_contractor and st.state not in ("open", "closed"):
            continue
        # a contractor learns whether its own contractor confirmed, never who else did
        confirmed = (
            ("yes" if who.contractor in st.confirmed_by else "no") if who.is_contractor else ", ".join(st.confirmed_by)
        )
        rows.append(
            (
                st.month,
                st.state,
                _when(st.opened_at),
                _when(st.window_ends_at),
                _when(st.closed_at),
                confirmed,
                st.reopened_reason or "",
            )
        )
    print(_table(("month", "state", "opened_at", "window_ends_at", "closed_at", "confirmed", "reopened_reason"), rows))
    return EXIT_OK


# --- appeals -------------------------------------------------------------------------------------------------


def _appeal_file(args: argparse.Namespace, settings: Settings) -> int:
    with acting_as(settings) as (app, who):
        owner: str | None = None
        if who.is_contractor:  # anyone else is refused by appstate before the warehouse matters
            check_month(args.month)
            db = _warehouse(settings)
            try:
                from reporting.freeze import ticket_contractor
                from reporting.scope import Scope, scoped

                # the contractor's own scope: another contractor's ticket is "no such ticket", whose it is unsaid
                scope = Scope.for_principal(who, appstate.visible_months(app, who))
                owner = ticket_contractor(scoped(db, scope), args.month, args.ticket)
            finally:
                db.close()
        appeal_id = appstate.file_appeal(
            app,
            actor=who,
            month=args.month,
            ticket_id=args.ticket,
            ticket_contractor=owner,
            rule=args.rule,
            item=args.item,
            reason=args.reason,
            evidence=args.evidence,
        )
    print(appeal_id)
    print(f"申诉已提交 / appeal filed: #{appeal_id}", file=sys.stderr)
    return EXIT_OK


def _appeal_rule(args: argparse.Namespace, settings: Settings) -> int:
    with acting_as(settings) as (app, who):
        ap = appstate.rule_appeal(app, args.appeal_id, actor=who, accept=bool(args.accept), note=args.note)
    print(f"已裁决 / ruled: #{ap.appeal_id} {ap.state}; 下次 daiwei run 生效 / applies at the next `daiwei run`")
    return EXIT_OK


APPEAL_COLUMNS = (
    "appeal_id",
    "month",
    "ticket_id",
    "contractor",
    "rule",
    "item",
    "state",
    "reason",
    "evidence",
    "filed_by",
    "filed_at",
    "ruled_by",
    "ruled_at",
    "note",
)
CHANGED = "changed_figures"  # cli.md: "the figures they changed" (after the run that applied the ruling)


def _appeal_list(args: argparse.Namespace, settings: Settings) -> int:
    out = Path(args.out)
    if out.suffix.lower() != ".csv":
        raise Invalid(f"{out}: 申诉列表只写 .csv / the appeal list is written as .csv only")
    if args.month is not None:
        check_month(args.month)
    with acting_as(settings) as (app, who):
        appeals = appstate.list_appeals(app, actor=who, month=args.month)
        changed = _changed_figures(settings, app, who)
        rows = [[*(_iso(getattr(ap, c)) for c in APPEAL_COLUMNS), changed.get(ap.appeal_id, "")] for ap in appeals]
        n = write_csv(out, [*APPEAL_COLUMNS, CHANGED], rows, bom=True, numeric=("appeal_id",))
        appstate.record(app, actor=who, action="export", target=f"appeals {args.month or 'all months'} -> {out}")
    print(f"已导出 / exported {n} appeals: {out}")
    return EXIT_OK


def _changed_figures(settings: Settings, app: AppDB, who: Principal) -> dict[int, str]:
    """The figures each accepted appeal changed, through the acting principal's scope (none without a warehouse)."""
    if not Path(settings.warehouse).exists():
        return {}
    from reporting.appeals import figures_by_appeal
    from reporting.scope import Scope, scoped

    db = _warehouse(settings)
    try:
        return figures_by_appeal(scoped(db, Scope.for_principal(who, appstate.visible_months(app, who))))
    finally:
        db.close()


# --- audit ---------------------------------------------------------------------------------------------------


def _audit_verify(args: argparse.Namespace, settings: Settings) -> int:
    with acting_as(settings) as (app, who):
        _allow(app, who, ("admin", "auditor"), "audit verify")
        result = appstate.verify(app)
        outcome = "intact" if result.ok else f"broken at {result.first_broken}"
        appstate.record(app, actor=who, action="view", target="audit verify", outcome=outcome)
    if result.ok:
        print(f"审计记录完整 / audit trail intact: {result.checked} entries")
        return EXIT_OK
    at = result.first_broken
    print(f"审计记录在第 {at} 条断裂 / audit trail broken at entry {at}: {result.reason}", file=sys.stderr)
    return EXIT_BROKEN


# --- output --------------------------------------------------------------------------------------------------


def _iso(value: object) -> object:
    return value.isoformat(timespec="seconds") if isinstance(value, datetime) else value


def _when(value: datetime | None) -> str:
    return value.isoformat(timespec="minutes") if value else ""


def _printable(text: str) -> str:
    return "".join(" " if unicodedata.category(ch).startswith("C") else ch for ch in text)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain aligned text table (CJK characters count double); control characters in data text (a line
    break, a terminal escape in a reason) are shown as spaces, so a cell cannot rewrite the screen."""
    cells = [list(header), *([_printable(str(c)) for c in r] for r in rows)]
    widths = [max(_width(r[i]) for r in cells) for i in range(len(header))]
    lines = ["  ".join(c + " " * (w - _width(c)) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    return "\n".join(lines)

"""The contractor scope of reporting/scope.py on the real demo warehouse: own rows, aliases, fail closed."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.principal import Principal
from reporting.reader import DirectDB
from reporting.scope import OTHER, RULES, OutOfScope, Scope, pseudonyms, scoped

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def db(warehouse: Path):
    reader = DirectDB.open(warehouse)
    yield reader
    reader.close()


def names(db: DirectDB) -> list[str]:
    return db.df("SELECT DISTINCT contractor FROM marts.fct_kpi WHERE contractor <> '' ORDER BY 1")[
        "contractor"
    ].tolist()


def test_every_relation_of_the_warehouse_has_a_rule(db: DirectDB) -> None:
    rels = db.df(
        "SELECT DISTINCT table_schema || '.' || table_name AS rel FROM information_schema.tables "
        "WHERE table_schema IN ('marts', 'audit')"
    )["rel"].tolist()
    macros = db.df(
        "SELECT DISTINCT schema_name || '.' || function_name AS rel FROM duckdb_functions() "
        "WHERE schema_name = 'marts' AND function_type = 'table_macro'"
    )["rel"].tolist()
    assert sorted(set(rels) - set(RULES)) == [] and sorted(set(macros) - set(RULES)) == []


@pytest.mark.parametrize("comparisons", [True, False])
def test_a_contractor_sees_only_its_rows_and_aliases(db: DirectDB, comparisons: bool) -> None:
    everyone = names(db)
    assert len(everyone) >= 2
    for own in everyone:
        others = [n for n in everyone if n != own]
        reader = scoped(db, Scope.for_principal(Principal("u", "contractor", own), None, comparisons=comparisons))
        for rel, rule in RULES.items():
            macro = rel == "marts.watch_list_at"  # a table macro: the watch list at a moment
            frame = reader.df(f"SELECT * FROM {rel}(TIMESTAMP '2026-09-15 12:00')" if macro else f"SELECT * FROM {rel}")
            text = frame.astype(str).to_string()
            assert not any(o in text for o in others), (own, rel)
            if "contractor" in frame.columns and rule.kind in ("own", "hidden"):
                assert set(frame["contractor"].dropna()) <= {own}, (own, rel)
            if rule.kind == "figures" and not comparisons and "contractor" in frame.columns:
                assert set(frame["contractor"].dropna()) <= {own}, (own, rel)
        if comparisons:
            shown = set(reader.df("SELECT DISTINCT contractor FROM marts.fct_kpi")["contractor"])
            assert shown == {"", own, *pseudonyms(everyone, own).values()}


def test_months_not_published_are_invisible(db: DirectDB) -> None:
    own = names(db)[0]
    months = db.df("SELECT DISTINCT month FROM marts.fct_kpi ORDER BY 1")["month"].tolist()
    reader = scoped(db, Scope.for_principal(Principal("u", "contractor", own), {months[-1]}))
    assert set(reader.df("SELECT DISTINCT month FROM marts.fct_kpi")["month"]) == {months[-1]}
    assert reader.df("SELECT count(*) AS n FROM marts.mart_fault_tickets WHERE month <> ?", months[-1])["n"][0] == 0
    nothing = scoped(db, Scope.for_principal(Principal("u", "contractor", own), set()))
    assert nothing.df("SELECT count(*) AS n FROM marts.fct_kpi")["n"][0] == 0


def test_an_unknown_relation_is_refused_and_the_department_sees_everything(db: DirectDB) -> None:
    reader = scoped(db, Scope.for_principal(Principal("u", "contractor", names(db)[0]), None))
    with pytest.raises(OutOfScope):
        reader.df("SELECT * FROM marts.not_a_mart")
    assert scoped(db, Scope.for_principal(Principal("a", "analyst"), None)) is db


def test_aliases_are_stable_and_do_not_follow_the_names() -> None:
    a = pseudonyms(["乙", "甲", "丙", "丁"], "甲")
    assert a == pseudonyms(["丁", "丙", "乙", "甲"], "甲")
    assert sorted(a.values()) == ["代维公司A", "代维公司B", "代维公司C"] and "甲" not in a


def test_periods_need_every_month_published_and_a_table_macro_is_scoped_like_a_relation() -> None:
    import duckdb

    con = duckdb.connect()
    con.execute("CREATE SCHEMA marts")
    con.execute(
        "CREATE TABLE marts.fct_kpi_periods AS SELECT * FROM (VALUES "
        "('2026-Q3', '2026-07,2026-08,2026-09', '甲'), ('2026-Q3', '2026-07,2026-08,2026-09', '乙'), "
        "('2026-Q4', '2026-10', '甲')) t(month, months_in_period, contractor)"
    )
    con.execute("CREATE TABLE marts.fct_kpi AS SELECT * FROM (VALUES ('甲'), ('乙')) t(contractor)")
    con.execute("CREATE TABLE marts.t AS SELECT * FROM (VALUES ('甲', 1), ('乙', 2)) t(contractor, n)")
    con.execute("CREATE MACRO marts.watch_list_at(as_of) AS TABLE SELECT contractor, n, as_of AS a FROM marts.t")
    db = DirectDB(con)
    some = scoped(db, Scope.for_principal(Principal("u", "contractor", "甲"), {"2026-07", "2026-08", "2026-10"}))
    assert some.df("SELECT month FROM marts.fct_kpi_periods")["month"].tolist() == ["2026-Q4"]
    every = scoped(db, Scope.for_principal(Principal("u", "contractor", "甲"), {"2026-07", "2026-08", "2026-09"}))
    rows = every.df("SELECT month, contractor FROM marts.fct_kpi_periods ORDER BY contractor")
    assert rows.values.tolist() == [["2026-Q3", "代维公司A"], ["2026-Q3", "甲"]]
    w = every.df("SELECT * FROM marts.watch_list_at(CAST(? AS TIMESTAMP)) AS w", "2026-10-05 09:00")
    assert w["contractor"].tolist() == ["甲"] and str(w["a"][0]) == "2026-10-05 09:00:00"


def test_a_tie_for_best_or_worst_keeps_the_contractors_own_name(db: DirectDB) -> None:
    """The area index names every contractor tied at the best or worst score, joined by ', ': a contractor
    sees its own name in the tie and the others by their aliases (never '其他代维公司' for a tie)."""
    everyone = names(db)
    sql = "SELECT month, area_no, best_contractor, worst_contractor FROM marts.mart_area_index"
    real = db.df(sql)
    tied = real[
        real["best_contractor"].str.contains(", ").fillna(False)
        | real["worst_contractor"].str.contains(", ").fillna(False)
    ]
    assert len(tied) > 0  # the demo has ties (instrument coverage: two contractors at 0 %)
    for own in everyone:
        aliases = {**pseudonyms(everyone, own), own: own}
        shown = scoped(db, Scope.for_principal(Principal("u", "contractor", own), None)).df(sql)
        merged = real.merge(shown, on=["month", "area_no"], suffixes=("", "_shown"))
        assert len(merged) == len(real)
        for column in ("best_contractor", "worst_contractor"):
            for name, seen in zip(merged[column], merged[f"{column}_shown"], strict=True):
                if not isinstance(name, str) or not name:  # no score this month: nothing to name
                    continue
                assert seen == ", ".join(sorted(aliases[n] for n in name.split(", "))), (own, name, seen)
                assert OTHER not in seen

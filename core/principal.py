"""Who is asking: the signed-in person (or the local operator) every read and action is made for.

A plain value shared by the application database (`appstate`), the reporting
layer (which derives the contractor scope from it, once) and the entry points.
"""

from __future__ import annotations

from dataclasses import dataclass

ROLES = ("admin", "analyst", "contractor", "auditor")
ROLE_NAMES_ZH = {"admin": "网络部管理员", "analyst": "网络部分析员", "contractor": "代维公司", "auditor": "审计"}


@dataclass(frozen=True)
class Principal:
    username: str
    role: str
    contractor: str | None = None  # set for (and only for) role 'contractor'

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"未知角色 / unknown role: {self.role!r}")
        if (self.role == "contractor") != bool(self.contractor):
            raise ValueError("代维公司账号须绑定一个代维公司 / a contractor account is bound to one contractor")

    @property
    def is_contractor(self) -> bool:
        return self.role == "contractor"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_auditor(self) -> bool:
        return self.role == "auditor"

    @property
    def sees_everything(self) -> bool:
        """Department roles (admin, analyst, auditor) read every contractor's rows."""
        return self.role != "contractor"

    @classmethod
    def local_admin(cls, username: str) -> Principal:
        """The operating-system user acting locally on the command line, without --user (cli.md)."""
        return cls(username=username or "local", role="admin")

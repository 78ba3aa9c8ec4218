"""Errors a user can act on: one line, Chinese and English, naming the file."""

from __future__ import annotations


class FileRejected(Exception):
    """A file that cannot be loaded at all; the other files still load."""

    def __init__(self, zh: str, en: str) -> None:
        self.zh = zh
        self.en = en
        super().__init__(f"{zh} / {en}")

    def line(self, file: str) -> str:
        return f"{file}: {self.zh} / {self.en}"

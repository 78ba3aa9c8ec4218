"""core.imports.hidden: a module unimportable inside the block, importable again after it."""

from __future__ import annotations

import importlib
import sys

import pytest

from core.imports import hidden


def test_a_hidden_module_cannot_be_imported_and_comes_back_afterwards() -> None:
    name = "colorsys"  # stdlib, not imported by anything here
    sys.modules.pop(name, None)
    with hidden(name) as was_hidden:
        assert was_hidden
        with pytest.raises(ImportError):
            importlib.import_module(name)
    assert name not in sys.modules
    assert importlib.import_module(name).hls_to_rgb(0, 0.5, 0) == (0.5, 0.5, 0.5)


def test_it_is_put_back_when_the_block_raises() -> None:
    name = "colorsys"
    sys.modules.pop(name, None)
    with pytest.raises(RuntimeError), hidden(name):
        raise RuntimeError("inside")
    assert name not in sys.modules
    importlib.import_module(name)


def test_an_imported_module_is_left_alone() -> None:
    module = importlib.import_module("colorsys")
    with hidden("colorsys") as was_hidden:
        assert not was_hidden
        assert importlib.import_module("colorsys") is module
    assert sys.modules["colorsys"] is module


def test_a_module_imported_inside_the_block_is_kept() -> None:
    """Something may legitimately import it for real inside the block after removing the
    placeholder; then it stays."""
    name = "colorsys"
    sys.modules.pop(name, None)
    with hidden(name):
        del sys.modules[name]
        module = importlib.import_module(name)
    assert sys.modules[name] is module

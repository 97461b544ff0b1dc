"""Where the data folders that ship with Regelrett (knowledge/, prompts/) are found.

In a checkout they sit at the project root; in an installed wheel they are packaged under
`assistant/_data/`.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_folder(name: str) -> Path:
    """The `knowledge` or `prompts` folder."""
    packaged = _PACKAGE / "_data" / name
    if packaged.is_dir():
        return packaged
    return _PACKAGE.parent / name


def project_root() -> Path:
    """The folder paths in knowledge/default-sources.yaml are relative to."""
    return data_folder("knowledge").parent

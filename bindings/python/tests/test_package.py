"""The installed package: where it comes from, what ships with it, its
module-level functions and import time."""

from __future__ import annotations

import importlib.metadata
import re
import subprocess
import sys
from pathlib import Path

import idn_toto
from idn_toto._endpoints import ClientEndpoints

SOURCE = Path(__file__).resolve().parents[1] / "python"


def test_imported_from_the_installed_wheel_not_the_source_tree() -> None:
    location = Path(idn_toto.__file__).resolve()
    assert SOURCE not in location.parents, location
    assert "site-packages" in location.parts


def test_typing_files_ship_in_the_wheel() -> None:
    package = Path(idn_toto.__file__).parent
    assert (package / "py.typed").exists()
    stub = (package / "_native.pyi").read_text()
    assert "class UserBalance" in stub and "def balance(self, /) -> Decimal" in stub


def test_endpoint_table() -> None:
    # The core's table, in its order; the client's methods are generated from it.
    ids = [e["id"] for e in idn_toto.endpoints()]
    assert ids[0] == "transaction_list" and "pga_transaction" in ids
    methods = [name for name in vars(ClientEndpoints) if not name.startswith(("_", "iter_"))]
    assert ids == methods


def test_import_time_is_small() -> None:
    code = "import time; t = time.perf_counter(); import idn_toto; print(time.perf_counter() - t)"
    seconds = float(subprocess.check_output([sys.executable, "-c", code], text=True))
    assert seconds < 1.0, seconds


def test_version_is_the_cargo_workspace_version() -> None:
    # The one version source is [workspace.package] version in Cargo.toml;
    # maturin copies it into the distribution metadata __version__ reads.
    cargo_toml = (Path(__file__).resolve().parents[3] / "Cargo.toml").read_text(encoding="utf-8")
    section = cargo_toml.split("[workspace.package]", 1)[1].split("\n[", 1)[0]
    declared = re.search(r'^version\s*=\s*"([^"]+)"', section, re.M)
    assert declared, "no version in [workspace.package]"
    assert idn_toto.__version__ == declared.group(1)
    assert idn_toto.__version__ == importlib.metadata.version("idn-toto")

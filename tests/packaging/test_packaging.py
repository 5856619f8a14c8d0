"""What a person installing Thinkpane gets: a wheel that carries the icons and the `thinkpane`
command, a menu entry and AppStream metadata the freedesktop validators accept, one version
everywhere, and a user-level install that an uninstall takes back completely."""

from __future__ import annotations

import configparser
import os
import shutil
import stat
import subprocess
import sys
import tarfile
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from client import __version__

ROOT = Path(__file__).resolve().parents[2]
APP_ID = "io.github.thinkpane.Thinkpane"
DESKTOP = ROOT / "packaging" / f"{APP_ID}.desktop"
METAINFO = ROOT / "packaging" / f"{APP_ID}.metainfo.xml"
ICON_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)


def _validator(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is missing: .ci/setup --test installs it")
        pytest.skip(f"{name} is not installed here")
    return path


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("thinkpane-*.whl")
    assert built.name.startswith(f"thinkpane-{__version__}-")
    return zipfile.ZipFile(built)


def test_the_wheel_carries_the_icons_the_menu_entry_and_the_metadata(wheel):
    names = set(wheel.namelist())
    assert f"client/resources/icons/hicolor/scalable/apps/{APP_ID}.svg" in names
    for size in ICON_SIZES:
        assert f"client/resources/icons/hicolor/{size}x{size}/apps/{APP_ID}.png" in names
    assert f"client/resources/{APP_ID}.desktop" in names
    assert f"client/resources/{APP_ID}.metainfo.xml" in names
    assert "client/ui/app.py" in names or any(
        n.startswith("client/ui/") and n.endswith("app.py") for n in names
    )


def test_the_wheel_installs_the_thinkpane_command_at_the_one_version(wheel):
    (entry_points,) = [n for n in wheel.namelist() if n.endswith(".dist-info/entry_points.txt")]
    parser = configparser.ConfigParser()
    parser.read_string(wheel.read(entry_points).decode())
    assert parser["console_scripts"]["thinkpane"] == "client.cli:main"
    (metadata,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
    assert f"Version: {__version__}\n" in wheel.read(metadata).decode()


def test_version_is_the_same_on_the_command_line_and_in_the_metainfo():
    shown = subprocess.run(
        [sys.executable, "-m", "client", "--version"], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert shown == f"thinkpane {__version__}"
    releases = ET.parse(METAINFO).getroot().find("releases")
    assert releases is not None
    assert releases[0].get("version") == __version__  # the newest release comes first


def test_the_menu_entry_passes_desktop_file_validate():
    result = subprocess.run(
        [_validator("desktop-file-validate"), str(DESKTOP)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "error" not in result.stdout.lower()
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[assignment,method-assign]
    entry.read(DESKTOP)
    group = entry["Desktop Entry"]
    assert (
        group["Exec"] == "thinkpane %U"
    )  # a dropped export is imported (client.cli.files_to_open)
    assert group["Icon"] == APP_ID
    # Docks match a running window to its entry by the window's class, which Qt takes from the
    # application name the app sets.
    assert group["StartupWMClass"] == "Thinkpane"


def test_the_appstream_metadata_passes_appstreamcli():
    result = subprocess.run(
        [_validator("appstreamcli"), "validate", "--no-net", str(METAINFO)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    root = ET.parse(METAINFO).getroot()
    assert root.findtext("id") == APP_ID
    assert root.find("launchable").text == f"{APP_ID}.desktop"  # type: ignore[union-attr]
    assert root.find("provides/binary").text == "thinkpane"  # type: ignore[union-attr]
    for image in root.iter("image"):
        name = image.text.rsplit("/", 1)[-1]  # type: ignore[union-attr]
        assert (ROOT / "docs" / "screenshots" / name).exists(), name


def test_the_window_icon_has_every_size(qapp):
    from client.ui.icons import app_icon

    sizes = {s.width() for s in app_icon().availableSizes()}
    assert set(ICON_SIZES) <= sizes


def _fake_bundle(tmp_path: Path) -> Path:
    """A tarball shaped like packaging/build's (an executable and its _internal folder holding
    client/resources), with a shell script standing in for the PyInstaller executable."""
    bundle = tmp_path / "bundle" / "thinkpane"
    resources = bundle / "_internal" / "client" / "resources"
    shutil.copytree(ROOT / "resources", resources)
    shutil.copy(DESKTOP, resources)
    shutil.copy(METAINFO, resources)
    exe = bundle / "thinkpane"
    exe.write_text(f"#!/bin/sh\necho 'thinkpane {__version__}'\n")
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    tarball = tmp_path / f"thinkpane-{__version__}-linux-x86_64.tar.gz"
    with tarfile.open(tarball, "w:gz") as tar:
        tar.add(bundle, arcname="thinkpane")
    return tarball


def _files_under(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def test_install_puts_the_app_in_the_menu_and_uninstall_takes_it_all_back(tmp_path):
    home = tmp_path / "home"
    data_folder = home / ".local" / "share" / "thinkpane"
    data_folder.mkdir(parents=True)
    (data_folder / "thinkpane.sqlite3").write_text("the user's conversations")
    before = _files_under(home)
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin"}
    install = ROOT / "packaging" / "install"

    result = subprocess.run(
        ["bash", str(install), str(_fake_bundle(tmp_path))], env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    share = home / ".local" / "share"
    entry = (share / "applications" / f"{APP_ID}.desktop").read_text()
    assert f'Exec="{home}/.local/opt/thinkpane/thinkpane" %U' in entry
    assert (share / "metainfo" / f"{APP_ID}.metainfo.xml").exists()
    assert (share / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg").exists()
    assert (share / "icons" / "hicolor" / "512x512" / "apps" / f"{APP_ID}.png").exists()
    linked = home / ".local" / "bin" / "thinkpane"
    assert subprocess.run(
        [str(linked), "--version"], capture_output=True, text=True
    ).stdout.strip() == (f"thinkpane {__version__}")

    result = subprocess.run(
        ["bash", str(install), "--uninstall"], env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert _files_under(home) == before  # nothing left behind, the data untouched
    assert (data_folder / "thinkpane.sqlite3").read_text() == "the user's conversations"


def test_uninstall_without_an_install_says_so(tmp_path):
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        ["bash", str(ROOT / "packaging" / "install"), "--uninstall"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "not installed" in result.stderr


def test_install_without_a_bundle_says_to_build_one(tmp_path):
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        ["bash", str(ROOT / "packaging" / "install"), str(tmp_path / "missing.tar.gz")],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "packaging/build" in result.stderr

"""Reflex's pickled tab states (session token inside) are readable by the app's user only."""

from __future__ import annotations

import stat

from engagement.ui.auth import protect_state_files


def test_the_state_folder_and_its_files_become_owner_only(tmp_path) -> None:
    folder = tmp_path / ".states"
    folder.mkdir(mode=0o755)
    old = folder / "tab.pkl"
    old.write_bytes(b"state")
    old.chmod(0o644)
    assert protect_state_files(folder) == folder
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(old.stat().st_mode) == 0o600


def test_a_missing_state_folder_is_created_owner_only(tmp_path) -> None:
    folder = protect_state_files(tmp_path / "new" / ".states")
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700

"""Where a feature still shows untranslated text: ``python scripts/i18n_check.py [folder ...]``.

Prints, for the given folders of ``engagement/`` (all when none): f-strings the extractor
cannot take, and for every page the literal texts that do not go through ``t``. Writes nothing.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engagement.core import catalogue
from tests import i18n_scan


def main(folders: list[str]) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        catalogue.extract()
    for w in caught:
        where = str(getattr(w, "filename", ""))
        text = str(w.message)
        if not folders or any(f"/{f}/" in text or f"/{f}/" in where for f in folders):
            print("extract:", text.splitlines()[0][:200])
    for route in sorted(i18n_scan.pages()):
        found = i18n_scan.untranslated(route)
        if found:
            print(f"page /{route}: {len(found)} untranslated: {found[:40]}")


if __name__ == "__main__":
    main(sys.argv[1:])

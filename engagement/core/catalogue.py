"""Keeping the catalogues: extract the messages of the code, update every language's ``.po``.

``make i18n`` runs ``python -m engagement.core.catalogue update``: it writes
``engagement/locale/messages.pot`` and merges it into each ``<code>/LC_MESSAGES/messages.po``
(new messages arrive untranslated, gone ones are dropped; no fuzzy guessing, which would
put a near-miss translation in front of users). ``import FILE.json`` fills untranslated
entries from a ``{"message id": "translation"}`` file. The catalogue test uses ``extract``.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from engagement.core.i18n import LOCALE_DIR, SOURCE_LANGUAGE
from engagement.settings import LANGUAGES

PACKAGE_DIR = LOCALE_DIR.parent
TEMPLATE = LOCALE_DIR / "messages.pot"

_ERRORS = ("DomainError", "NotAllowed", "NotFound", "Invalid", "Conflict", "Throttled", "JobBusy")
#: The markers of translatable text (core.i18n, ui.i18n, LangState, the error classes).
KEYWORDS: dict[str, tuple[int, ...] | None] = {
    "_": None, "N_": None, "t": None, "_t": None,
    "_n": (1, 2), "N_n": (1, 2), "t_n": (1, 2), "_tn": (1, 2),
    **dict.fromkeys(_ERRORS),
}


def po_path(lang: str) -> Path:
    """Where the catalogue of ``lang`` lives."""
    return LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"


def extract() -> Catalog:
    """Every message the code marks, as a template catalogue."""
    catalog = Catalog(project="engagement", domain="messages", creation_date=datetime(2026, 1, 1, tzinfo=UTC))
    method_map = [("**.py", "python")]
    for filename, lineno, message, comments, context in extract_from_dir(
            str(PACKAGE_DIR), method_map=method_map, keywords=KEYWORDS, comment_tags=("TRANSLATORS:",),
            strip_comment_tags=True):
        if not message or (isinstance(message, tuple) and not message[0]):
            continue
        catalog.add(message, None, [(f"engagement/{filename}", lineno)], auto_comments=comments, context=context)
    return catalog


def read(lang: str) -> Catalog:
    """The catalogue of ``lang`` (empty when there is none yet)."""
    path = po_path(lang)
    if not path.is_file():
        return Catalog(locale=lang, project="engagement", domain="messages")
    with path.open("rb") as fh:
        return read_po(fh, locale=lang)


def write(lang: str, catalog: Catalog) -> None:
    """Write the catalogue of ``lang`` (sorted, without line numbers that churn)."""
    path = po_path(lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        write_po(fh, catalog, width=0, sort_output=True, include_lineno=False, ignore_obsolete=True)


def update() -> None:
    """Extract, write the template, merge it into every language's catalogue."""
    template = extract()
    TEMPLATE.parent.mkdir(parents=True, exist_ok=True)
    with TEMPLATE.open("wb") as fh:
        write_po(fh, template, width=0, sort_output=True, include_lineno=False)
    for lang in LANGUAGES:
        if lang == SOURCE_LANGUAGE:
            continue
        catalog = read(lang)
        catalog.update(template, no_fuzzy_matching=True)
        write(lang, catalog)
        missing = sum(1 for m in catalog if m.id and not _translated(m))
        print(f"{lang}: {len(catalog)} messages, {missing} to translate")


def _translated(message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return all(strings) and not message.fuzzy


def import_json(path: str, lang: str = "vi") -> None:
    """Fill untranslated entries of ``lang`` from a ``{"message id": "translation"}`` file."""
    texts = json.loads(Path(path).read_text(encoding="utf-8"))
    catalog = read(lang)
    filled = 0
    for message in catalog:
        if not message.id or _translated(message):
            continue
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        if texts.get(key):
            value = texts[key]
            if isinstance(message.id, tuple):
                forms = catalog.num_plurals
                value = tuple(value) if isinstance(value, list) else (value,) * forms
            message.string = value
            filled += 1
    write(lang, catalog)
    print(f"{lang}: {filled} filled from {path}")


def main(argv: list[str]) -> None:
    """``update`` or ``import FILE.json [LANG]``."""
    if argv[:1] == ["update"]:
        update()
    elif argv[:1] == ["import"] and len(argv) >= 2:
        for path in argv[1:]:
            if path.endswith(".json"):
                import_json(path)
    else:
        sys.exit("usage: python -m engagement.core.catalogue update | import FILE.json...")


if __name__ == "__main__":
    main(sys.argv[1:])

"""Pure rules of the organisation feature: no database, no Reflex, no clock."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from babel.numbers import format_decimal

from engagement.core import formats, i18n, inputs
from engagement.core.errors import Invalid
from engagement.core.i18n import N_, Msg, N_n, _


@dataclass(frozen=True)
class Sentences(Msg):
    """Several messages read one after the other, each translated on its own."""

    def render(self, lang: str | None = None) -> str:
        return " ".join(i18n.render(part, lang) for part in self.params.get("parts", ()))


def sentences(parts: Sequence[Msg]) -> Msg:
    """One message made of ``parts`` (a refusal that lists every problem found)."""
    return Sentences(parts[0].msgid if parts else "", {"parts": tuple(parts)})


def _count(n: int) -> str:
    """A whole number in the current language's convention (``60.000`` in Vietnamese)."""
    return format_decimal(n, format="#,##0", locale=i18n.LOCALES.get(i18n.current(), "en_GB"))

# --- names and text -------------------------------------------------------------------

_SPACES = re.compile(r"\s+")
# Letters of any script (Vietnamese diacritics included), spaces, apostrophe, hyphen, dot.
_NAME_OK = re.compile(r"^[^\W\d_]+(?:[ '\-.][^\W\d_]+)*\.?$")


def collapse(text: str) -> str:
    """Trim, NFC-normalise and collapse runs of white space to one space."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text or "")).strip()


def fold(text: str) -> str:
    """A search key: lower case without diacritics (``Đặng Thị Hoà`` -> ``dang thi hoa``)."""
    decomposed = unicodedata.normalize("NFD", collapse(text).lower().replace("đ", "d"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# Vietnamese order of people's names. The letters and tones follow the "standard" collation
# of CLDR / ICU for "vi" (unicode-org/cldr common/collation/vi.xml, ICU coll/vi.txt:
# ``&a<ă<â &d<đ &e<ê &o<ô<ơ &u<ư`` for the letters, and the tone marks grave < hook above <
# tilde < acute < dot below as a secondary level): letters decide first, tones only break
# ties, and the digraphs (ch, ng, nh...) are not letters of their own. Two choices of ours:
# the tone counts once per syllable wherever its mark sits ("Hòa" and "Hoà" are one name;
# ICU would compare mark positions), and the name is read given name first (see sort_key).
#
# Codes are lower-case ASCII letters and digits only (no spaces or punctuation, which locale
# collations skip), so that plain byte order, COLLATE "C" and a database's locale collation
# sort the keys alike (checked on PostgreSQL 15 with "C", "und-x-icu" and "vi-x-icu").
_END = "0"  # end of the letters, before the tones: lowest, so "An" < "Anh" and "Bình" < "An Bình"
_GAP = "1"  # between syllables: below every letter, so "Lê An" < "Lê Anh"
_LETTERS = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_LETTER_CODES = "23456789abcdefghijklmnopqrstuvwxy"
_OTHER = "zz"  # any other letter (another script, ø, ß...): after every letter of the alphabet
_DIGIT = "z"  # followed by the digit; names have none, imported or older rows might
_LETTER_CODE = dict(zip(_LETTERS, _LETTER_CODES, strict=True))
_SHAPES = {("a", "\u0306"): "ă", ("a", "\u0302"): "â", ("e", "\u0302"): "ê", ("o", "\u0302"): "ô",
           ("o", "\u031b"): "ơ", ("u", "\u031b"): "ư"}
# No mark < huyền (grave) < hỏi (hook) < ngã (tilde) < sắc (acute) < nặng (dot below).
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_TONE_CODES = "abcdef"
SORT_KEY_LENGTH = 200


def _syllable_key(syllable: str) -> tuple[str, str]:
    """The letter codes and the tone code of one syllable (lower case, NFD)."""
    letters: list[str] = []
    tone = 0
    for ch in syllable:
        if unicodedata.combining(ch):
            if ch in _TONES:
                tone = tone or _TONES[ch]
            elif letters and (shaped := _SHAPES.get((letters[-1], ch))):
                letters[-1] = shaped
        elif ch.isalpha() or (ch.isascii() and ch.isdigit()):
            letters.append(ch)
    codes = "".join(_DIGIT + ch if ch.isascii() and ch.isdigit() else _LETTER_CODE.get(ch, _OTHER)
                    for ch in letters)
    return codes, _TONE_CODES[tone]


def sort_key(full_name: str) -> str:
    """A key that puts people's names in Vietnamese order under plain byte comparison.

    The name is read given name (the last word) first, then the middle names in order,
    then the family name: ``Nguyễn Văn An`` sorts as ``An Văn Nguyễn``. The letters of the
    whole name are compared first, in the Vietnamese alphabet (a ă â b c d đ e ê ... o ô ơ
    ... u ư ...); only names with the same letters are then told apart by their tones,
    syllable by syllable: none, huyền, hỏi, ngã, sắc, nặng. Case, spacing and where a tone
    mark sits in its syllable are ignored; a hyphen separates syllables; dots and apostrophes
    do not count.

    Args:
        full_name: a person's name as entered.

    Returns:
        Characters from ``[0-9a-z]`` only, at most ``SORT_KEY_LENGTH`` (a valid name of 120
        characters needs at most 181); ``""`` when the name has no letters.
    """
    words = collapse(full_name).lower().split()
    ordered = words[-1:] + words[1:-1] + words[:1] if len(words) > 1 else words
    keys = [_syllable_key(part) for word in ordered
            for part in unicodedata.normalize("NFD", word).split("-")]
    keys = [key for key in keys if key[0]]
    if not keys:
        return ""
    key = _GAP.join(letters for letters, _ in keys) + _END + "".join(tone for _, tone in keys)
    return key[:SORT_KEY_LENGTH]


def clean_full_name(raw: str) -> str:
    """Validate and normalise a person's full name.

    Raises:
        Invalid: empty, too long, or with digits or symbols.
    """
    name = collapse(raw)
    if len(name) < 2:
        raise Invalid("Enter the person's full name.", {"full_name": N_("Required")})
    if len(name) > 120:
        raise Invalid("The full name is longer than {n} characters.", {"full_name": N_("Too long")}, n=120)
    if not _NAME_OK.match(name):
        raise Invalid(
            "“{name}” is not a valid name: use letters and spaces only (no digits or symbols).",
            {"full_name": N_("Letters and spaces only")}, name=name,
        )
    return name


def names_match(typed: str, on_record: str) -> bool:
    """Whether a typed name is the recorded name (case and spacing ignored, accents kept)."""
    return collapse(typed).casefold() == collapse(on_record).casefold()


_CODE_OK = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]{0,39}$")


def clean_code(raw: str, what: str | Msg | None = None) -> str:
    """Validate a short identifier such as an employee code or unit code (kept upper case).

    Raises:
        Invalid: empty, too long or with characters other than letters, digits, ``. _ -``.
    """
    what = N_("code") if what is None else what
    code = (raw or "").strip().upper()
    if not code:
        raise Invalid("Enter the {what}.", {"code": N_("Required")}, what=what)
    if not _CODE_OK.match(code):
        raise Invalid(
            "The {what} “{code}” may only contain letters, digits, dot, dash and underscore "
            "(at most 40 characters).",
            {"code": N_("Letters, digits, . _ - only")}, what=what, code=code,
        )
    return code


def clean_unit_name(raw: str) -> str:
    """Validate a unit name.

    Raises:
        Invalid: empty or over 200 characters.
    """
    name = collapse(raw)
    if len(name) < 2:
        raise Invalid("Enter the unit's name.", {"name": N_("Required")})
    if len(name) > 200:
        raise Invalid("The unit name is longer than {n} characters.", {"name": N_("Too long")}, n=200)
    return name


_EMAIL_OK = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def clean_email(raw: str | None) -> str | None:
    """Validate an optional e-mail address (stored lower case).

    Raises:
        Invalid: not of the form name@domain.tld.
    """
    email = (raw or "").strip().lower()
    if not email:
        return None
    if len(email) > 200 or not _EMAIL_OK.match(email):
        raise Invalid("“{email}” is not a valid e-mail address.", {"email": N_("Invalid e-mail")}, email=email)
    return email


_PHONE_OK = re.compile(r"^\+?[0-9 .\-]{8,20}$")


def clean_phone(raw: str | None) -> str | None:
    """Validate an optional phone number.

    Raises:
        Invalid: not 8-20 digits (spaces, dots and dashes allowed, optional leading +).
    """
    phone = collapse(raw or "")
    if not phone:
        return None
    if not _PHONE_OK.match(phone):
        raise Invalid("“{phone}” is not a valid phone number.", {"phone": N_("Invalid phone")}, phone=phone)
    return phone


def clean_position(raw: str | None) -> str:
    """Validate a job title (optional, at most 120 characters).

    Raises:
        Invalid: too long.
    """
    position = collapse(raw or "")
    if len(position) > 120:
        raise Invalid("The position is longer than {n} characters.", {"position": N_("Too long")}, n=120)
    return position


# --- what commendation dossiers ask for -----------------------------------------------------

GENDERS = ("male", "female")
#: How a gender may be written in a form or a file (folded): the dossier forms say "Nam"/"Nữ".
_GENDER_WORDS = {"male": "male", "nam": "male", "m": "male", "female": "female", "nu": "female", "f": "female"}
MAX_RANK = 120
#: The youngest and oldest plausible age at recruitment, and the oldest staff record kept.
MIN_RECRUIT_AGE = 16
MAX_RECRUIT_AGE = 70
MAX_AGE = 100


def clean_gender(raw: str | None) -> str:
    """``male``, ``female`` or ``""`` (not given) from a form value or a file's cell.

    Raises:
        Invalid: anything else (the message names the accepted words).
    """
    word = fold(raw or "")
    if not word:
        return ""
    if word not in _GENDER_WORDS:
        raise Invalid("“{value}” is not a gender: write Nam or Nữ (male or female), or leave it empty.",
                      {"gender": N_("Nam or Nữ")}, value=collapse(raw or "")[:40])
    return _GENDER_WORDS[word]


def clean_rank(raw: str | None) -> str:
    """A rank or grade (ngạch/hạng) as written on decisions, e.g. "Chuyên viên chính (01.002)".

    Raises:
        Invalid: longer than ``MAX_RANK`` characters.
    """
    rank = collapse(raw or "")
    if len(rank) > MAX_RANK:
        raise Invalid("The rank or grade is longer than {n} characters.", {"rank": N_("Too long")}, n=MAX_RANK)
    return rank


_DAY_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")


def parse_day(raw: str | None, what: Msg) -> date | None:
    """A calendar day written ``dd/mm/yyyy`` (as Vietnamese forms do) or ``yyyy-mm-dd``; None when empty.

    Raises:
        Invalid: not a date, or a year outside 1900-2200.
    """
    text = collapse(raw or "")
    if not text:
        return None
    try:
        found = _DAY_DMY.match(text)
        day = date(int(found[3]), int(found[2]), int(found[1])) if found else date.fromisoformat(text[:10])
    except ValueError:
        raise Invalid("“{value}” is not a date: write the {what} as dd/mm/yyyy, e.g. 25/03/1990.",
                      value=text[:40], what=what) from None
    return inputs.bounded_day(day, what)


def _years_after(day: date, years: int) -> date:
    """The same day ``years`` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def check_dossier_dates(*, birth_date: date | None, recruited_on: date | None, today: date) -> None:
    """Refuse dates of birth and of recruitment that cannot be true.

    Neither may be in the future; the person is at most ``MAX_AGE`` years old; recruitment falls
    between the 16th and the 70th birthday.

    Raises:
        Invalid: with the field concerned and a message that names the dates.
    """
    if birth_date is not None:
        if birth_date > today:
            raise Invalid("The date of birth {day} is in the future; check the year.",
                          {"birth_date": N_("In the future")}, day=formats.day(birth_date))
        if birth_date < _years_after(today, -MAX_AGE):
            raise Invalid("The date of birth {day} would make the person over {n} years old; check the year.",
                          {"birth_date": N_("Check the year")}, day=formats.day(birth_date), n=MAX_AGE)
    if recruited_on is None:
        return
    if recruited_on > today:
        raise Invalid("The date of recruitment {day} is in the future; enter it once the person is recruited.",
                      {"recruited_on": N_("In the future")}, day=formats.day(recruited_on))
    if birth_date is None:
        return
    youngest = _years_after(birth_date, MIN_RECRUIT_AGE)
    if recruited_on < youngest:
        raise Invalid("The date of recruitment {day} is before the person's {n}th birthday ({birthday}); check "
                      "both dates.", {"recruited_on": N_("Before the {n}th birthday", n=MIN_RECRUIT_AGE)},
                      day=formats.day(recruited_on), n=MIN_RECRUIT_AGE, birthday=formats.day(youngest))
    if recruited_on > _years_after(birth_date, MAX_RECRUIT_AGE):
        raise Invalid("The date of recruitment {day} is after the person's {n}th birthday; check both dates.",
                      {"recruited_on": N_("After the {n}th birthday", n=MAX_RECRUIT_AGE)},
                      day=formats.day(recruited_on), n=MAX_RECRUIT_AGE)


# --- accounts and passwords -------------------------------------------------------------

_USERNAME_OK = re.compile(r"^[a-z0-9][a-z0-9._\-]{2,59}$")


def clean_username(raw: str) -> str:
    """Validate a login name (lower case letters, digits, ``. _ -``; 3 to 60 characters).

    Raises:
        Invalid: when it does not match.
    """
    username = (raw or "").strip().lower()
    if not _USERNAME_OK.match(username):
        raise Invalid(
            "A username has 3 to 60 characters: lower-case letters without accents, digits, "
            "dot, dash or underscore.",
            {"username": N_("Invalid username")},
        )
    return username


def suggest_username(full_name: str) -> str:
    """``Nguyễn Văn An`` -> ``an.nv`` (given name, then initials of the other names)."""
    parts = fold(full_name).split()
    if not parts:
        return ""
    given = re.sub(r"[^a-z0-9]", "", parts[-1])
    initials = "".join(p[0] for p in parts[:-1] if p and p[0].isalnum())
    return f"{given}.{initials}" if initials else given


MIN_PASSWORD_LENGTH = 10
_COMMON = frozenset(
    {"1234567890", "0123456789", "password12", "password123", "qwertyuiop", "abc1234567",
     "matkhau123", "123456789a", "a123456789", "iloveyou12", "admin12345"}
)


def password_problem_messages(password: str, *, username: str, full_name: str) -> list[Msg]:
    """Why a new password is refused, as messages (empty list = acceptable).

    Length is what matters (NIST SP 800-63B): at least 10 characters, not a common
    password, and not the username or the person's name.
    """
    problems: list[Msg] = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(N_("Use at least {n} characters.", n=MIN_PASSWORD_LENGTH))
    if len(password) > 128:
        problems.append(N_("Use at most {n} characters.", n=128))
    lowered = password.lower()
    if lowered in _COMMON or len(set(password)) <= 2:
        problems.append(N_("This password is too easy to guess."))
    if username and username.lower() in lowered:
        problems.append(N_("Do not put your username in your password."))
    if name_in_password(password, full_name):
        problems.append(N_("Do not put your name in your password."))
    return problems


def name_in_password(password: str, full_name: str) -> bool:
    """Whether the password holds the person's given name (or whole name) as a word of its own.

    Both are compared without accents or case, word by word: "Mật khẩu rất mạnh 2026!" holds
    no "Anh" ("mạnh" is another word), "anh2026" and "Anh-yeu" do. A name shorter than three
    letters is never looked for.
    """
    names = fold(full_name or "").split()
    if not names:
        return False
    # The given name, and the name written without spaces from any part to its end ("maianh").
    wanted = {n for i in range(len(names)) if len(n := re.sub(r"[^a-z0-9]", "", "".join(names[i:]))) >= 3}
    return bool(wanted & _password_words(password))


def _password_words(password: str) -> set[str]:
    """The words of a password, folded: runs of letters, also cut where a capital follows a
    small letter ("iloveHOA" is "ilove" and "hoa")."""
    words, word, previous = [], [], ""
    for ch in unicodedata.normalize("NFC", password):
        if not ch.isalpha() or (ch.isupper() and previous.islower()):
            if word:
                words.append("".join(word))
            word = [ch] if ch.isalpha() else []
        else:
            word.append(ch)
        previous = ch
    if word:
        words.append("".join(word))
    return {re.sub(r"[^a-z]", "", fold(w)) for w in words} - {""}


def password_problems(password: str, *, username: str, full_name: str) -> list[str]:
    """Why a new password is refused, in the current language (empty list = acceptable)."""
    return [m.render() for m in password_problem_messages(password, username=username, full_name=full_name)]


# --- login throttling -----------------------------------------------------------------------

ACCOUNT_FAILURE_LIMIT = 5
CLIENT_FAILURE_LIMIT = 20
THROTTLE_WINDOW = timedelta(minutes=15)


def retry_after(
    failures: list[datetime], *, now: datetime, limit: int, window: timedelta = THROTTLE_WINDOW
) -> timedelta | None:
    """How long to wait before another attempt, or None when attempts are allowed.

    Once ``limit`` failures fall inside ``window``, the next attempt is allowed when the
    oldest of the latest ``limit`` failures leaves the window.
    """
    recent = sorted(f for f in failures if now - f < window)
    if len(recent) < limit:
        return None
    return recent[-limit] + window - now


def wait_msg(wait: timedelta) -> Msg:
    """The message for a throttled login (to render in the reader's language)."""
    minutes = max(1, -(-int(wait.total_seconds()) // 60))
    return N_n(
        "Too many failed attempts. Try again in {n} minute, or ask your system administrator to "
        "reset your password.",
        "Too many failed attempts. Try again in {n} minutes, or ask your system administrator to "
        "reset your password.",
        minutes,
    )


def wait_message(wait: timedelta) -> str:
    """A human message for a throttled login, in the current language."""
    return wait_msg(wait).render()


# --- slowing down rather than locking out (issue 18) ------------------------------------------
# Failures are counted by account AND client together: a client that keeps failing waits
# longer and longer before its next try, but the right password from a client that has not
# failed still logs in at once, so nobody can lock an account (say ``admin``) from outside.

#: Free failures before the delays start: one client on one account, one client on any
#: account (guessing across usernames), one account from clients that have failed on it.
PAIR_FREE_FAILURES = 3
CLIENT_FREE_FAILURES = 10
ACCOUNT_FREE_FAILURES = 5
SLOWDOWN_WINDOW = timedelta(hours=1)
FIRST_DELAY = timedelta(seconds=1)
MAX_DELAY = timedelta(minutes=15)


def growing_delay(failures: Sequence[datetime], *, now: datetime, free: int,
                  window: timedelta = SLOWDOWN_WINDOW) -> timedelta | None:
    """How long to wait before the next attempt, or None when it may go ahead now.

    Past ``free`` failures inside ``window``, each further failure doubles the wait after the
    latest one (1 s, 2 s, 4 s ... at most ``MAX_DELAY``).
    """
    recent = sorted(f for f in failures if now - f < window)
    if len(recent) < free or not recent:
        return None
    doublings = min(len(recent) - free, 20)
    delay = min(MAX_DELAY, FIRST_DELAY * (2 ** doublings))
    ready = recent[-1] + delay
    return ready - now if ready > now else None


def slow_down_msg(wait: timedelta) -> Msg:
    """The message for an attempt refused until ``wait`` has passed (seconds when under a minute)."""
    seconds = max(1, -(-int(wait.total_seconds() * 1000) // 1000))
    if seconds < 60:
        return N_n("Too many failed attempts. Wait {n} second and try again.",
                   "Too many failed attempts. Wait {n} seconds and try again.", seconds)
    return wait_msg(wait)


# --- unit tree --------------------------------------------------------------------------------


def child_path(parent_path: str | None, unit_id: int) -> str:
    """The materialised path of a unit below ``parent_path`` (``None`` for a root)."""
    return f"{parent_path or '/'}{unit_id}/"


def check_move(unit_path: str, new_parent_path: str | None) -> None:
    """Refuse moving a unit into itself or one of its own sub-units.

    Raises:
        Invalid: the new parent is the unit or lies below it.
    """
    if new_parent_path is not None and new_parent_path.startswith(unit_path):
        raise Invalid("A unit cannot be moved under itself or one of its own sub-units.")


def rebase_path(path: str, old_prefix: str, new_prefix: str) -> str:
    """Rewrite a descendant's path after its ancestor moved."""
    return new_prefix + path[len(old_prefix):]


# --- CSV import of staff -----------------------------------------------------------------

IMPORT_COLUMNS = (
    "employee_code", "full_name", "position", "unit_code", "email", "phone",
    "union_branch", "youth_branch", "gender", "birth_date", "rank", "recruited_on",
)
REQUIRED_COLUMNS = ("employee_code", "full_name", "unit_code")
MAX_IMPORT_ROWS = 60_000

#: Vietnamese column names a file may use instead of the codes, folded (no accents, lower case,
#: punctuation as spaces): "Mã cán bộ", "Họ và tên", "Ngạch/hạng", "Ngày tuyển dụng"...
COLUMN_ALIASES: dict[str, str] = {
    "ma can bo": "employee_code", "ma cb": "employee_code", "ma nhan vien": "employee_code",
    "ma cong chuc": "employee_code", "ma so": "employee_code",
    "ho va ten": "full_name", "ho ten": "full_name",
    "chuc vu": "position", "chuc danh": "position",
    "ma don vi": "unit_code",
    "email": "email", "e mail": "email", "thu dien tu": "email",
    "dien thoai": "phone", "so dien thoai": "phone", "sdt": "phone",
    "cong doan": "union_branch", "ma cong doan": "union_branch", "to cong doan": "union_branch",
    "doan thanh nien": "youth_branch", "ma doan thanh nien": "youth_branch", "chi doan": "youth_branch",
    "gioi tinh": "gender",
    "ngay sinh": "birth_date", "ngay thang nam sinh": "birth_date",
    "ngach": "rank", "hang": "rank", "ngach hang": "rank", "ngach bac": "rank",
    "ngay tuyen dung": "recruited_on",
}


def column_of(header: str) -> str:
    """The column a header names: a code as it is (any case), or a Vietnamese name from ``COLUMN_ALIASES``;
    anything else comes back lower-cased, for the "unknown column" message."""
    name = header.strip().lower()
    if name in IMPORT_COLUMNS:
        return name
    return COLUMN_ALIASES.get(" ".join(re.sub(r"[^a-z0-9]+", " ", fold(header)).split()), name)


@dataclass(frozen=True)
class PersonInput:
    """One validated staff row. Empty optional cells are ``""``/None (for a known person: keep the value)."""

    employee_code: str
    full_name: str
    position: str
    unit_id: int
    email: str | None
    phone: str | None
    union_branch_id: int | None
    youth_branch_id: int | None
    gender: str = ""
    birth_date: date | None = None
    rank: str = ""
    recruited_on: date | None = None
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class RowError:
    """A problem on one line of the file (line 1 is the header)."""

    line: int
    column: str
    message: str


class CsvRow(dict):
    """A row of the file by column name, remembering the line it starts on.

    A quoted cell may span several lines, so a row's index does not give its line.
    """

    def __init__(self, values: dict[str, str], line: int) -> None:
        super().__init__(values)
        self.line = line


def read_csv(text: str) -> tuple[list[str], list[dict[str, str]]]:
    """Parse CSV text (comma or semicolon, optional BOM) into a header and row dicts.

    Headers are the column codes (any case) or their Vietnamese names (``COLUMN_ALIASES``).

    Raises:
        Invalid: empty file, missing required columns, unknown or repeated columns, or too many rows.
    """
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise Invalid("The file is empty. Download the template and fill in one row per person.")
    first_line = text.splitlines()[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    lines = inputs.csv_rows(reader)  # a line csv cannot parse (a 1 MB cell) is refused with its number
    header = [column_of(h) if h.strip() else "" for h in next(lines)]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise Invalid(
            "The first line must name the columns; missing: {columns}. Download the template to "
            "see the expected columns.", columns=", ".join(missing),
        )
    unknown = [h for h in header if h and h not in IMPORT_COLUMNS]
    if unknown:
        raise Invalid("Unknown column(s): {unknown}. Allowed: {allowed}",
                      unknown=", ".join(unknown), allowed=", ".join(IMPORT_COLUMNS))
    repeated = sorted({h for h in header if h and header.count(h) > 1})
    if repeated:
        raise Invalid("These columns appear more than once: {columns}. Keep one of each.",
                      columns=", ".join(repeated))
    rows: list[dict[str, str]] = []
    line = reader.line_num + 1  # where the next row starts
    for values in lines:
        if not any(v.strip() for v in values):
            rows.append(CsvRow({}, line))  # blank lines are skipped later
        else:
            rows.append(CsvRow({h: (values[i] if i < len(values) else "")
                                for i, h in enumerate(header) if h}, line))
        line = reader.line_num + 1
        if len(rows) > MAX_IMPORT_ROWS:
            raise Invalid("The file has more than {n} rows; split it into parts.", n=_count(MAX_IMPORT_ROWS))
    return header, rows


def validate_import(
    rows: list[dict[str, str]],
    *,
    unit_ids_by_code: dict[str, int],
    union_branch_ids_by_code: dict[str, int],
    youth_branch_ids_by_code: dict[str, int],
    allowed_unit_ids: set[int] | None,
) -> tuple[list[PersonInput], list[RowError]]:
    """Validate every row on its own; ``plan_import`` then matches the rows to the people on record.

    Args:
        rows: rows from ``read_csv`` (empty dicts are blank lines).
        unit_ids_by_code: active units by upper-case code.
        union_branch_ids_by_code: active union branches by upper-case code.
        youth_branch_ids_by_code: active youth-union branches by upper-case code.
        allowed_unit_ids: units the importer may add people to (None = all).

    Returns:
        The valid rows and every error found (all rows are checked, not just the first).
    """
    valid: list[PersonInput] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for index, row in enumerate(rows):
        line = getattr(row, "line", index + 2)
        if not row:
            continue
        row_errors: list[RowError] = []

        def attempt(column: str, fn, value: str):
            try:
                return fn(value)
            except Invalid as exc:
                row_errors.append(RowError(line, column, exc.message))  # noqa: B023
                return None

        code = attempt("employee_code", lambda v: clean_code(v, N_("employee code")),
                       row.get("employee_code", ""))
        if code is not None:
            if code in seen:
                row_errors.append(RowError(line, "employee_code",
                                           _("Employee code {code} is also on line {line}.", code=code,
                                             line=seen[code])))
            else:
                seen[code] = line
        name = attempt("full_name", clean_full_name, row.get("full_name", ""))
        position = attempt("position", clean_position, row.get("position", ""))
        email = attempt("email", clean_email, row.get("email", ""))
        phone = attempt("phone", clean_phone, row.get("phone", ""))
        gender = attempt("gender", clean_gender, row.get("gender", ""))
        birth_date = attempt("birth_date", lambda v: parse_day(v, N_("date of birth")), row.get("birth_date", ""))
        rank = attempt("rank", clean_rank, row.get("rank", ""))
        recruited_on = attempt("recruited_on", lambda v: parse_day(v, N_("date of recruitment")),
                               row.get("recruited_on", ""))
        unit_code = (row.get("unit_code") or "").strip().upper()
        unit_id = unit_ids_by_code.get(unit_code)
        if not unit_code:
            row_errors.append(RowError(line, "unit_code", _("Enter the unit code.")))
        elif unit_id is None:
            row_errors.append(RowError(line, "unit_code", _("No active unit has code {code}.", code=unit_code)))
        elif allowed_unit_ids is not None and unit_id not in allowed_unit_ids:
            row_errors.append(RowError(line, "unit_code",
                                       _("Unit {code} is outside the units you manage.", code=unit_code)))
        branch_ids: dict[str, int | None] = {}
        for column, table in (("union_branch", union_branch_ids_by_code),
                              ("youth_branch", youth_branch_ids_by_code)):
            branch_code = (row.get(column) or "").strip().upper()
            branch_ids[column] = table.get(branch_code) if branch_code else None
            if branch_code and branch_ids[column] is None:
                row_errors.append(RowError(line, column, _("No active branch has code {code}.", code=branch_code)))
        if row_errors:
            errors.extend(row_errors)
            continue
        valid.append(PersonInput(
            employee_code=code, full_name=name, position=position or "", unit_id=unit_id,
            email=email, phone=phone, union_branch_id=branch_ids["union_branch"],
            youth_branch_id=branch_ids["youth_branch"], gender=gender or "", birth_date=birth_date,
            rank=rank or "", recruited_on=recruited_on, line=line,
        ))
    if not valid and not errors:
        errors.append(RowError(1, "", _("The file has a header but no rows of people.")))
    return valid, errors


#: What an import compares and writes, in the order a preview lists the changes.
PERSON_FIELDS = ("full_name", "unit_id", "position", "email", "phone", "union_branch_id", "youth_branch_id",
                 "gender", "birth_date", "rank", "recruited_on")
#: The fields an empty cell leaves as they are: a re-import never blanks what is on record.
KEEP_WHEN_EMPTY = frozenset(PERSON_FIELDS[2:])
_EMPTY_VALUES = {"position": "", "email": None, "phone": None, "union_branch_id": None, "youth_branch_id": None,
                 "gender": "", "birth_date": None, "rank": "", "recruited_on": None}


@dataclass(frozen=True)
class StoredPerson:
    """A person on record, as an import compares it (``PERSON_FIELDS`` plus id and status)."""

    id: int
    is_active: bool
    full_name: str
    unit_id: int
    position: str = ""
    email: str | None = None
    phone: str | None = None
    union_branch_id: int | None = None
    youth_branch_id: int | None = None
    gender: str = ""
    birth_date: date | None = None
    rank: str = ""
    recruited_on: date | None = None


@dataclass(frozen=True)
class PlannedRow:
    """What an import will do with one row: ``new`` person, ``changed`` or ``unchanged`` one.

    ``values`` are the person's ``PERSON_FIELDS`` after the import; ``changes`` the fields that
    differ from the record, as (field, before, after).
    """

    line: int
    kind: str
    employee_code: str
    person_id: int | None
    values: tuple[tuple[str, object], ...]
    changes: tuple[tuple[str, object, object], ...] = ()

    @property
    def fields(self) -> dict[str, object]:
        """``values`` as a dict."""
        return dict(self.values)


def plan_import(
    valid: Sequence[PersonInput], *, existing: Mapping[str, StoredPerson], allowed_unit_ids: set[int] | None,
    today: date,
) -> tuple[list[PlannedRow], list[RowError]]:
    """Match each valid row to the person with its employee code: a new person, or a change to them.

    An empty optional cell keeps the value on record; name and unit are in every row. A deactivated
    person is not changed by an import (reactivate them first), nor one outside the importer's units.
    The dates are checked on the values after the import (a new date of recruitment against the
    date of birth on record).

    Args:
        valid: the rows ``validate_import`` accepted.
        existing: the people on record whose codes are in the file, by code.
        allowed_unit_ids: units the importer may change people in (None = all).
        today: the organisation's calendar day, for dates in the future.

    Returns:
        The planned rows in file order, and the rows refused (to add to ``validate_import``'s).
    """
    planned: list[PlannedRow] = []
    errors: list[RowError] = []
    for row in valid:
        incoming = {name: getattr(row, name) for name in PERSON_FIELDS}
        stored = existing.get(row.employee_code)
        if stored is not None and not stored.is_active:
            errors.append(RowError(row.line, "employee_code", _(
                "Employee code {code} belongs to a deactivated person; reactivate them on the People page "
                "first, or remove the row.", code=row.employee_code)))
            continue
        if stored is not None and allowed_unit_ids is not None and stored.unit_id not in allowed_unit_ids:
            errors.append(RowError(row.line, "employee_code", _(
                "Employee code {code} belongs to a person outside the units you manage.", code=row.employee_code)))
            continue
        if stored is None:
            values = {name: (_EMPTY_VALUES[name] if value in (None, "") and name in _EMPTY_VALUES else value)
                      for name, value in incoming.items()}
            changes: tuple[tuple[str, object, object], ...] = ()
        else:
            values = {name: (getattr(stored, name) if name in KEEP_WHEN_EMPTY and value in (None, "") else value)
                      for name, value in incoming.items()}
            changes = tuple((name, getattr(stored, name), values[name]) for name in PERSON_FIELDS
                            if values[name] != getattr(stored, name))
        try:
            check_dossier_dates(birth_date=values["birth_date"], recruited_on=values["recruited_on"], today=today)
        except Invalid as exc:
            errors.append(RowError(row.line, next(iter(exc.raw_fields), "birth_date"), exc.message))
            continue
        kind = "new" if stored is None else ("changed" if changes else "unchanged")
        planned.append(PlannedRow(line=row.line, kind=kind, employee_code=row.employee_code,
                                  person_id=stored.id if stored is not None else None,
                                  values=tuple(values.items()), changes=changes))
    return planned, errors


# --- the audit log in words ------------------------------------------------------------------

_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _shown(value: object, name: str, value_labels: Mapping[str, Mapping[str, Msg]]) -> str:
    """One value of an audit entry as a person reads it."""
    if value is None or value == "" or value == [] or value == {}:
        return _("(empty)")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list | tuple):
        return ", ".join(_shown(v, name, value_labels) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_shown(v, str(k), value_labels)}" for k, v in value.items())
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    known = value_labels.get(name, {}).get(text) or value_labels.get("*", {}).get(text)
    if known is not None:
        return known.render()
    if _ISO_DAY.match(text):
        try:
            return formats.day(date.fromisoformat(text))
        except ValueError:
            return text
    return text


def change_lines(
    detail: Mapping[str, object], *, field_labels: Mapping[str, Msg],
    value_labels: Mapping[str, Mapping[str, Msg]] | None = None,
) -> list[str]:
    """An audit entry's detail as lines a person reads: "Unit: Phòng A → Phòng B".

    Understands the shapes the features record: ``changes`` ({field: [before, after]}),
    ``before``/``after`` (two dicts: only the fields that differ are listed), ``old``/``new``
    (one value that changed), and any other key as "field: value". Field names are shown by
    their label (the key itself when there is none); empty values as "(empty)", ISO days as
    dd/mm/yyyy, codes with a label in ``value_labels`` (by field, or ``"*"`` for any) by it.

    Args:
        detail: the entry's decoded JSON (anything else gives no lines).
        field_labels: the label of each known field.
        value_labels: labels of coded values, by field name.

    Returns:
        One line per change or fact, in a stable order.
    """
    if not isinstance(detail, Mapping):
        return []
    values = value_labels or {}

    def name_of(key: str) -> str:
        found = field_labels.get(key)
        return found.render() if found is not None else key

    def change(key: str, before: object, after: object) -> str:
        return _("{field}: {before} → {after}", field=name_of(key), before=_shown(before, key, values),
                 after=_shown(after, key, values))

    order = {key: index for index, key in enumerate(field_labels)}

    def in_order(keys: Iterable[object]) -> list[str]:
        """Known fields in the labels' order (name, unit, position...), then the others by name: the
        stored JSON has its keys sorted alphabetically."""
        return sorted((str(k) for k in keys), key=lambda k: (order.get(k, len(order)), k))

    lines: list[str] = []
    rest = dict(detail)
    changes = rest.pop("changes", None)
    if isinstance(changes, Mapping):
        for key in in_order(changes):
            pair = changes[key]
            if isinstance(pair, list | tuple) and len(pair) == 2:
                lines.append(change(key, pair[0], pair[1]))
            else:
                lines.append(_("{field}: {value}", field=name_of(key), value=_shown(pair, key, values)))
    elif changes is not None:
        rest["changes"] = changes
    before, after = rest.get("before"), rest.get("after")
    if isinstance(before, Mapping) and isinstance(after, Mapping):
        del rest["before"], rest["after"]
        for key in in_order({*before, *after}):
            if before.get(key) != after.get(key):
                lines.append(change(str(key), before.get(key), after.get(key)))
    if "old" in rest and "new" in rest:
        old, new = rest.pop("old"), rest.pop("new")
        if old in (None, ""):
            if new not in (None, ""):
                lines.append(_shown(new, "new", values))
        else:
            lines.append(_("{before} → {after}", before=_shown(old, "old", values), after=_shown(new, "new", values)))
    for key in in_order(rest):
        lines.append(_("{field}: {value}", field=name_of(key), value=_shown(rest[key], key, values)))
    return lines

"""Pure rules of the organisation feature: names, codes, passwords, throttling, tree, CSV."""

from __future__ import annotations

import itertools
import unicodedata
from datetime import UTC, date, datetime, timedelta

import pytest

from engagement.core.errors import Invalid
from engagement.org import rules
from engagement.org.rules import PersonInput, RowError

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)


# --- names and text ----------------------------------------------------------------------


@pytest.mark.parametrize("name", [
    "Nguyễn Thị Hoà",
    "Đặng Văn Đức",
    "Trần Thị Bình",
    "Lê Hoàng Phương Uyên",
    "Hồ Xuân Hương",
    "Ngô Bảo Châu",
    "O'Brien",
    "Jean-Pierre Dupont",
    "Nguyễn Văn A.",
])
def test_real_names_with_diacritics_are_accepted(name):
    assert rules.clean_full_name(name) == name


@pytest.mark.parametrize("name", [
    "Nguyễn Văn 2",
    "Nguyen2 Van",
    "123",
    "Trần_Bình",
    "Trần @Bình",
    "Lê <script>",
    "Lê; DROP TABLE",
    "Nguyễn Văn An!",
    "-Nguyễn",
    "Nguyễn--Văn",
])
def test_names_with_digits_or_symbols_are_refused(name):
    with pytest.raises(Invalid) as exc:
        rules.clean_full_name(name)
    assert exc.value.fields == {"full_name": "Letters and spaces only"}


@pytest.mark.parametrize("name", ["", "   ", "A", None])
def test_empty_or_one_letter_name_is_refused_as_required(name):
    with pytest.raises(Invalid) as exc:
        rules.clean_full_name(name)
    assert exc.value.fields == {"full_name": "Required"}


def test_name_of_120_characters_is_accepted_and_121_refused():
    assert len(rules.clean_full_name("A" * 120)) == 120
    with pytest.raises(Invalid) as exc:
        rules.clean_full_name("A" * 121)
    assert exc.value.fields == {"full_name": "Too long"}


def test_name_spacing_is_collapsed_and_trimmed():
    assert rules.clean_full_name("  Nguyễn   Thị\tHoà \n") == "Nguyễn Thị Hoà"


def test_decomposed_name_is_stored_composed():
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Hoà")
    assert decomposed != "Nguyễn Thị Hoà"
    cleaned = rules.clean_full_name(decomposed)
    assert cleaned == "Nguyễn Thị Hoà"
    assert unicodedata.is_normalized("NFC", cleaned)


@pytest.mark.parametrize(("raw", "key"), [
    ("Đặng Thị Hoà", "dang thi hoa"),
    ("Đặng Văn Đức", "dang van duc"),
    ("ĐẶNG VĂN ĐỨC", "dang van duc"),
    ("Nguyễn Thị Hòa", "nguyen thi hoa"),
    ("  Lê   Thị  Ánh  ", "le thi anh"),
    ("Hồ Xuân Hương", "ho xuan huong"),
    ("", ""),
])
def test_fold_removes_accents_case_and_extra_spaces(raw, key):
    assert rules.fold(raw) == key


def test_fold_treats_old_and_new_accent_placement_alike():
    assert rules.fold("Hoà") == rules.fold("Hòa") == rules.fold("HOÀ") == "hoa"
    assert rules.fold(unicodedata.normalize("NFD", "Đặng Thị Hoà")) == "dang thi hoa"


def test_names_match_ignores_case_and_spacing_but_not_accents():
    assert rules.names_match("nguyễn  thị hoà", "Nguyễn Thị Hoà")
    assert not rules.names_match("Nguyen Thi Hoa", "Nguyễn Thị Hoà")


@pytest.mark.parametrize(("raw", "clean"), [
    ("e001", "E001"), ("  adm-01 ", "ADM-01"), ("a.b_c-9", "A.B_C-9"), ("X" * 40, "X" * 40),
])
def test_codes_are_trimmed_and_upper_cased(raw, clean):
    assert rules.clean_code(raw) == clean


@pytest.mark.parametrize("raw", ["E 001", "-E001", "E/001", "Ê001", "X" * 41, "E001;"])
def test_codes_with_other_characters_or_too_long_are_refused(raw):
    with pytest.raises(Invalid) as exc:
        rules.clean_code(raw, "employee code")
    assert "employee code" in exc.value.message


@pytest.mark.parametrize("raw", ["", "   ", None])
def test_empty_code_is_refused_as_required(raw):
    with pytest.raises(Invalid) as exc:
        rules.clean_code(raw, "unit code")
    assert exc.value.fields == {"code": "Required"}
    assert exc.value.message == "Enter the unit code."


def test_unit_name_is_collapsed_and_bounded():
    assert rules.clean_unit_name("  Sở   Tài chính ") == "Sở Tài chính"
    assert rules.clean_unit_name("Sở 1") == "Sở 1"  # digits are fine in unit names
    with pytest.raises(Invalid):
        rules.clean_unit_name("S")
    assert len(rules.clean_unit_name("x" * 200)) == 200
    with pytest.raises(Invalid):
        rules.clean_unit_name("x" * 201)


def test_email_is_optional_and_lower_cased():
    assert rules.clean_email(None) is None
    assert rules.clean_email("   ") is None
    assert rules.clean_email(" An.NV@Example.GOV.vn ") == "an.nv@example.gov.vn"


@pytest.mark.parametrize("raw", ["an", "an@", "an@example", "a n@example.vn", "@example.vn",
                                 "a@b@c.vn", "x" * 200 + "@a.vn"])
def test_malformed_email_is_refused(raw):
    with pytest.raises(Invalid) as exc:
        rules.clean_email(raw)
    assert exc.value.fields == {"email": "Invalid e-mail"}


@pytest.mark.parametrize("raw", ["0912345678", "+84 912 345 678", "024.3825.1234", "0912-345-678"])
def test_plausible_phone_numbers_are_accepted(raw):
    assert rules.clean_phone(raw) == raw


@pytest.mark.parametrize("raw", ["1234567", "0912 ABC 678", "++84912345678", "1" * 21])
def test_implausible_phone_numbers_are_refused(raw):
    with pytest.raises(Invalid):
        rules.clean_phone(raw)


def test_empty_phone_is_none():
    assert rules.clean_phone("") is None
    assert rules.clean_phone(None) is None


def test_position_is_optional_and_bounded():
    assert rules.clean_position(None) == ""
    assert rules.clean_position("  Trưởng   phòng ") == "Trưởng phòng"
    assert rules.clean_position("x" * 120) == "x" * 120
    with pytest.raises(Invalid):
        rules.clean_position("x" * 121)


# --- usernames and passwords -------------------------------------------------------------


@pytest.mark.parametrize(("raw", "clean"), [
    ("an.nv", "an.nv"), ("  An.NV ", "an.nv"), ("abc", "abc"), ("a_b-c.9", "a_b-c.9"),
    ("a" * 60, "a" * 60),
])
def test_valid_usernames_are_lower_cased(raw, clean):
    assert rules.clean_username(raw) == clean


@pytest.mark.parametrize("raw", ["", "ab", "a" * 61, ".an", "-an", "hoà.dt", "an nv", "an@nv", None])
def test_invalid_usernames_are_refused(raw):
    with pytest.raises(Invalid) as exc:
        rules.clean_username(raw)
    assert exc.value.fields == {"username": "Invalid username"}


@pytest.mark.parametrize(("full_name", "suggestion"), [
    ("Nguyễn Văn An", "an.nv"),
    ("Đặng Thị Hoà", "hoa.dt"),
    ("Lê Hoàng Phương Uyên", "uyen.lhp"),
    ("An", "an"),
    ("", ""),
])
def test_username_suggestion_is_given_name_then_initials(full_name, suggestion):
    assert rules.suggest_username(full_name) == suggestion


def test_suggested_username_is_itself_valid():
    assert rules.clean_username(rules.suggest_username("Đặng Văn Đức")) == "duc.dv"


def _problems(password, username="an.nv", full_name="Nguyễn Văn An"):
    return rules.password_problems(password, username=username, full_name=full_name)


def test_long_unrelated_password_is_acceptable():
    assert _problems("correct horse battery") == []
    assert _problems("x7#kQ!m2Lp") == []  # exactly 10 characters


def test_nine_characters_are_too_short():
    assert _problems("x7#kQ!m2L") == ["Use at least 10 characters."]


def test_more_than_128_characters_are_refused():
    assert "Use at most 128 characters." in _problems("ab" * 64 + "c")
    assert "Use at most 128 characters." not in _problems("abcd" * 32)


@pytest.mark.parametrize("password", ["1234567890", "Password123", "MATKHAU123", "aaaaaaaaaaaa",
                                      "abababababab"])
def test_common_or_repetitive_passwords_are_too_easy(password):
    assert "This password is too easy to guess." in _problems(password)


def test_password_containing_the_username_is_refused():
    assert "Do not put your username in your password." in _problems("xyz-AN.NV-2026!")


def test_password_containing_the_given_name_without_accents_is_refused():
    problems = _problems("iloveHOA2026!", username="hoa.dt", full_name="Đặng Thị Hoà")
    assert "Do not put your name in your password." in problems
    problems = _problems("yêu hoà mãi mãi", username="xyz", full_name="Đặng Thị Hoà")
    assert "Do not put your name in your password." in problems


def test_short_given_name_is_not_checked():
    # "An" has two letters: it would forbid too many passwords.
    assert _problems("banana split forever", username="an.nv", full_name="Nguyễn Văn An") == []


def test_every_password_problem_is_listed():
    problems = _problems("an.nv", username="an.nv", full_name="Nguyễn Văn An")
    assert "Use at least 10 characters." in problems
    assert "Do not put your username in your password." in problems


# --- login throttling --------------------------------------------------------------------


def test_fewer_failures_than_the_limit_do_not_throttle():
    failures = [NOW - i * MIN for i in range(4)]
    assert rules.retry_after(failures, now=NOW, limit=5) is None


def test_failures_exactly_at_the_limit_throttle_until_the_oldest_leaves_the_window():
    failures = [NOW - 10 * MIN, NOW - 8 * MIN, NOW - 5 * MIN, NOW - 2 * MIN, NOW]
    assert rules.retry_after(failures, now=NOW, limit=5) == 5 * MIN


def test_limit_failures_at_the_same_moment_throttle_for_the_whole_window():
    assert rules.retry_after([NOW] * 5, now=NOW, limit=5) == rules.THROTTLE_WINDOW


def test_failure_exactly_one_window_old_no_longer_counts():
    failures = [NOW - rules.THROTTLE_WINDOW] + [NOW - i * MIN for i in range(4)]
    assert rules.retry_after(failures, now=NOW, limit=5) is None


def test_failure_just_inside_the_window_still_counts():
    second = timedelta(seconds=1)
    failures = [NOW - rules.THROTTLE_WINDOW + second] + [NOW - i * MIN for i in range(4)]
    assert rules.retry_after(failures, now=NOW, limit=5) == second


def test_failures_outside_the_window_are_ignored():
    failures = [NOW - rules.THROTTLE_WINDOW - i * MIN for i in range(50)]
    assert rules.retry_after(failures, now=NOW, limit=5) is None


def test_with_more_failures_than_the_limit_the_wait_follows_the_latest_ones():
    failures = [NOW - 14 * MIN, NOW - 12 * MIN, NOW - 9 * MIN, NOW - 7 * MIN, NOW - 3 * MIN,
                NOW - 1 * MIN]
    # The 5 latest: the oldest of them is 12 minutes old, so 3 more minutes.
    assert rules.retry_after(list(reversed(failures)), now=NOW, limit=5) == 3 * MIN


def test_client_limit_is_larger_than_account_limit():
    failures = [NOW - i * timedelta(seconds=10) for i in range(19)]
    assert rules.retry_after(failures, now=NOW, limit=rules.CLIENT_FAILURE_LIMIT) is None
    failures.append(NOW)
    assert rules.retry_after(failures, now=NOW, limit=rules.CLIENT_FAILURE_LIMIT) is not None


def test_custom_window_is_honoured():
    failures = [NOW - 2 * MIN] * 3
    assert rules.retry_after(failures, now=NOW, limit=3, window=MIN) is None
    assert rules.retry_after(failures, now=NOW, limit=3, window=5 * MIN) == 3 * MIN


@pytest.mark.parametrize(("wait", "text"), [
    (timedelta(minutes=15), "Try again in 15 minutes"),
    (timedelta(seconds=1), "Try again in 1 minute,"),
    (timedelta(seconds=60), "Try again in 1 minute,"),
    (timedelta(seconds=61), "Try again in 2 minutes"),
    (timedelta(0), "Try again in 1 minute,"),
])
def test_wait_message_rounds_up_to_whole_minutes(wait, text):
    message = rules.wait_message(wait)
    assert text in message
    assert message.startswith("Too many failed attempts.")


# --- unit tree ----------------------------------------------------------------------------


def test_child_path_of_a_root_and_of_a_child():
    assert rules.child_path(None, 1) == "/1/"
    assert rules.child_path("/1/", 4) == "/1/4/"
    assert rules.child_path("/1/4/", 9) == "/1/4/9/"


@pytest.mark.parametrize("new_parent", ["/1/4/", "/1/4/9/", "/1/4/9/12/"])
def test_moving_a_unit_under_itself_or_its_subtree_is_refused(new_parent):
    with pytest.raises(Invalid) as exc:
        rules.check_move("/1/4/", new_parent)
    assert "under itself" in exc.value.message


@pytest.mark.parametrize("new_parent", [None, "/1/", "/1/5/", "/1/40/", "/14/", "/2/1/4/"])
def test_moving_a_unit_elsewhere_is_allowed(new_parent):
    assert rules.check_move("/1/4/", new_parent) is None


def test_rebase_path_replaces_the_moved_prefix_only():
    assert rules.rebase_path("/1/4/9/", "/1/4/", "/1/5/4/") == "/1/5/4/9/"
    assert rules.rebase_path("/1/4/", "/1/4/", "/4/") == "/4/"
    assert rules.rebase_path("/1/4/9/12/", "/1/4/", "/2/4/") == "/2/4/9/12/"


# --- CSV import: reading -------------------------------------------------------------------

HEADER = "employee_code,full_name,position,unit_code,email,phone,union_branch,youth_branch"


def test_read_csv_parses_header_and_rows():
    header, rows = rules.read_csv(HEADER + "\nE1,Nguyễn Thị Hoà,Chuyên viên,U1,h@x.vn,0912345678,,\n")
    assert header == list(rules.IMPORT_COLUMNS[:8])
    assert rows == [{"employee_code": "E1", "full_name": "Nguyễn Thị Hoà", "position": "Chuyên viên",
                     "unit_code": "U1", "email": "h@x.vn", "phone": "0912345678",
                     "union_branch": "", "youth_branch": ""}]


def test_read_csv_strips_byte_order_mark():
    header, rows = rules.read_csv("\ufeffemployee_code,full_name,unit_code\nE1,Lê Văn Tám,U1\n")
    assert header == ["employee_code", "full_name", "unit_code"]
    assert rows[0]["employee_code"] == "E1"


def test_read_csv_accepts_semicolon_delimiter():
    header, rows = rules.read_csv("employee_code;full_name;unit_code\r\nE1;Đặng Văn Đức;U1\r\n")
    assert header == ["employee_code", "full_name", "unit_code"]
    assert rows == [{"employee_code": "E1", "full_name": "Đặng Văn Đức", "unit_code": "U1"}]


def test_read_csv_with_semicolons_keeps_commas_inside_values():
    _, rows = rules.read_csv("employee_code;full_name;unit_code;position\nE1;An;U1;Phó, kiêm nhiệm\n")
    assert rows[0]["position"] == "Phó, kiêm nhiệm"


def test_read_csv_header_is_case_and_space_insensitive():
    header, _ = rules.read_csv(" Employee_Code , FULL_NAME ,Unit_Code\nE1,An Bình,U1\n")
    assert header == ["employee_code", "full_name", "unit_code"]


def test_read_csv_short_rows_are_padded_with_empty_values():
    _, rows = rules.read_csv("employee_code,full_name,unit_code,email\nE1,An Bình\n")
    assert rows == [{"employee_code": "E1", "full_name": "An Bình", "unit_code": "", "email": ""}]


@pytest.mark.parametrize("text", ["", "   \n\n", "\ufeff"])
def test_read_csv_refuses_an_empty_file(text):
    with pytest.raises(Invalid) as exc:
        rules.read_csv(text)
    assert "empty" in exc.value.message


def test_read_csv_names_every_missing_required_column():
    with pytest.raises(Invalid) as exc:
        rules.read_csv("full_name,position\nAn Bình,CV\n")
    assert "missing: employee_code, unit_code" in exc.value.message


def test_read_csv_names_unknown_columns():
    with pytest.raises(Invalid) as exc:
        rules.read_csv("employee_code,full_name,unit_code,salary,ssn\nE1,An,U1,1,2\n")
    assert "Unknown column(s): salary, ssn" in exc.value.message


def test_read_csv_blank_lines_keep_their_place():
    text = "employee_code,full_name,unit_code\nE1,An Bình,U1\n\n , ,\nE2,Lê Tám,U1\n"
    _, rows = rules.read_csv(text)
    assert rows[1] == {} and rows[2] == {}
    assert rows[3]["employee_code"] == "E2"


def test_read_csv_refuses_more_than_the_maximum_rows(monkeypatch):
    monkeypatch.setattr(rules, "MAX_IMPORT_ROWS", 3)
    rules.read_csv("employee_code,full_name,unit_code\n" + "E,An,U\n" * 3)
    with pytest.raises(Invalid) as exc:
        rules.read_csv("employee_code,full_name,unit_code\n" + "E,An,U\n" * 4)
    assert "more than 3 rows" in exc.value.message


# --- CSV import: validation --------------------------------------------------------------

UNITS = {"U1": 1, "U2": 2, "U3": 3}
UNION = {"CD1": 10}
YOUTH = {"DT1": 20}


def _validate(text, *, allowed=None):
    _, rows = rules.read_csv(text)
    return rules.validate_import(
        rows, unit_ids_by_code=UNITS, union_branch_ids_by_code=UNION,
        youth_branch_ids_by_code=YOUTH, allowed_unit_ids=allowed,
    )


def test_valid_rows_become_person_inputs():
    valid, errors = _validate(
        HEADER + "\n"
        "e001, Nguyễn  Thị Hoà ,Chuyên viên,u1,Hoa@X.vn,0912345678,cd1,dt1\n"
        "E002,Đặng Văn Đức,,U2,,,,\n"
    )
    assert errors == []
    assert valid == [
        PersonInput(employee_code="E001", full_name="Nguyễn Thị Hoà", position="Chuyên viên",
                    unit_id=1, email="hoa@x.vn", phone="0912345678", union_branch_id=10,
                    youth_branch_id=20),
        PersonInput(employee_code="E002", full_name="Đặng Văn Đức", position="", unit_id=2,
                    email=None, phone=None, union_branch_id=None, youth_branch_id=None),
    ]


def test_duplicate_code_in_the_file_points_to_the_first_line():
    valid, errors = _validate(
        "employee_code,full_name,unit_code\n"
        "E1,An Bình,U1\n"
        "E2,Lê Tám,U1\n"
        "e1,Trần Hoà,U1\n"
        "E1,Ngô Lan,U2\n"
    )
    assert [(e.line, e.column) for e in errors] == [(4, "employee_code"), (5, "employee_code")]
    assert all("also on line 2" in e.message for e in errors)
    assert [v.employee_code for v in valid] == ["E1", "E2"]


def test_blank_lines_do_not_shift_line_numbers_of_errors():
    _, errors = _validate(
        "employee_code,full_name,unit_code\n"
        "E1,An Bình,U1\n"
        "\n"
        "\n"
        "E2,Lê 5,U1\n"
    )
    assert errors == [RowError(5, "full_name", errors[0].message)]


def test_code_already_in_the_database_is_planned_as_a_change_not_refused():
    valid, errors = _validate("employee_code,full_name,unit_code\nE1,An Bình,U2\n")
    stored = rules.StoredPerson(id=7, is_active=True, full_name="An Bình", unit_id=1, position="Chuyên viên")
    planned, refused = rules.plan_import(valid, existing={"E1": stored}, allowed_unit_ids=None,
                                         today=date(2026, 3, 2))
    assert (errors, refused) == ([], [])
    (row,) = planned
    assert (row.kind, row.person_id, row.changes) == ("changed", 7, (("unit_id", 1, 2),))
    assert row.fields["position"] == "Chuyên viên"  # an empty cell keeps what is on record


def test_unknown_or_missing_unit_code_is_reported():
    _, errors = _validate("employee_code,full_name,unit_code\nE1,An Bình,U9\nE2,Lê Tám,\n")
    assert errors == [
        RowError(2, "unit_code", "No active unit has code U9."),
        RowError(3, "unit_code", "Enter the unit code."),
    ]


def test_unit_outside_the_allowed_set_is_reported():
    valid, errors = _validate(
        "employee_code,full_name,unit_code\nE1,An Bình,U1\nE2,Lê Tám,U3\n", allowed={1, 2}
    )
    assert errors == [RowError(3, "unit_code", "Unit U3 is outside the units you manage.")]
    assert [v.employee_code for v in valid] == ["E1"]


def test_empty_allowed_set_refuses_every_unit():
    _, errors = _validate("employee_code,full_name,unit_code\nE1,An Bình,U1\n", allowed=set())
    assert [e.column for e in errors] == ["unit_code"]


def test_unknown_branch_codes_are_reported():
    _, errors = _validate(
        "employee_code,full_name,unit_code,union_branch,youth_branch\n"
        "E1,An Bình,U1,CD9,DT1\n"
        "E2,Lê Tám,U1,CD1,DT9\n"
        "E3,Lê Năm,U1,DT1,CD1\n"  # swapped: codes of the other kind
    )
    assert [(e.line, e.column) for e in errors] == [
        (2, "union_branch"), (3, "youth_branch"), (4, "union_branch"), (4, "youth_branch"),
    ]


def test_every_error_of_every_row_is_reported():
    valid, errors = _validate(
        HEADER + "\n"
        "E1,Nguyễn Thị Hoà,,U1,,,,\n"
        ",Lê 3,x*121,U9,not-an-email,12,CD9,DT9\n"
        "E 3,An Bình,,U1,,,,\n"
        "E4,Trần Văn Bốn,,,a@b,,,\n"
    )
    found = {(e.line, e.column) for e in errors}
    assert found == {
        (3, "employee_code"), (3, "full_name"), (3, "unit_code"), (3, "email"), (3, "phone"),
        (3, "union_branch"), (3, "youth_branch"),
        (4, "employee_code"),
        (5, "unit_code"), (5, "email"),
    }
    assert [v.employee_code for v in valid] == ["E1"]


def test_errors_come_in_line_order():
    _, errors = _validate(
        "employee_code,full_name,unit_code\nE1,An 1,U1\nE2,An Bình,U9\nE3,Lê 2,U1\n"
    )
    assert [e.line for e in errors] == sorted(e.line for e in errors)
    assert {e.line for e in errors} == {2, 3, 4}


def test_header_without_rows_is_an_error():
    valid, errors = _validate("employee_code,full_name,unit_code\n\n\n")
    assert valid == []
    assert errors == [RowError(1, "", "The file has a header but no rows of people.")]


def test_line_numbers_stay_right_after_a_cell_with_a_line_break():
    _, errors = _validate(
        "employee_code,full_name,unit_code,position\n"
        'E1,An Bình,U1,"Chuyên viên\nkiêm thủ quỹ"\n'
        "E2,Lê 2,U1,\n"
    )
    assert [e.line for e in errors] == [4]


# --- Vietnamese name order ------------------------------------------------------------------


def _in_order(*names: str) -> bool:
    keys = [rules.sort_key(n) for n in names]
    return all(a < b for a, b in itertools.pairwise(keys))


def test_letters_come_before_tones_so_an_anh_then_an_with_circumflex():
    # a < â decides at the first letter; "An" is a prefix of "Anh", so it comes first.
    assert _in_order("An", "Anh", "Ân")
    assert _in_order("Nguyễn Văn An", "Nguyễn Văn Anh", "Nguyễn Văn Ân")


@pytest.mark.parametrize("lower, higher", [
    ("An", "Ăn"), ("Ăn", "Ân"), ("Ân", "Bình"), ("Em", "Êm"), ("On", "Ôn"), ("Ôn", "Ơn"),
    ("Ơn", "Phúc"), ("Ung", "Ưng"), ("Ưng", "Vân"), ("Uyên", "Vân"), ("Vân", "Xuân"), ("Xuân", "Yến"),
    ("Bình", "Chi"), ("Dũng", "Đức"), ("Duy", "Đào"), ("Đức", "Em"), ("Hương", "Khoa"),
])
def test_the_vietnamese_alphabet(lower, higher):
    assert rules.sort_key(lower) < rules.sort_key(higher)


def test_the_given_name_decides_before_the_family_name():
    # Family-name order would read Bùi, Lê, Nguyễn, Trần; a danh sách reads by given name.
    unit = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Chi", "Bùi Minh Đức", "Phạm Thị Dung"]
    assert sorted(reversed(unit), key=rules.sort_key) == [
        "Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Chi", "Phạm Thị Dung", "Bùi Minh Đức"]


def test_the_same_given_name_is_ordered_by_middle_then_family_name():
    assert _in_order("Nguyễn Thị An", "Lê Văn An", "Nguyễn Văn An")
    # Middle names before the family name: "Anh" < "Bảo" even though Bùi < Trần.
    assert _in_order("Trần Anh Minh", "Bùi Bảo Minh")
    # Without a middle name the family name stands next: "Lê" is compared with "Hoàng".
    assert _in_order("Minh", "Lê Hoàng Minh", "Lê Minh", "Nguyễn Minh")


def test_tones_break_ties_in_their_order():
    # none < huyền < hỏi < ngã < sắc < nặng (the ICU/CLDR "vi" secondary order).
    assert _in_order("Hoa", "Hòa", "Hỏa", "Hõa", "Hóa", "Họa")
    assert _in_order("Lê Văn Ha", "Lê Văn Hà", "Lê Văn Hả", "Lê Văn Hã", "Lê Văn Há", "Lê Văn Hạ")


def test_tones_only_break_ties_after_all_letters():
    assert _in_order("Hoạ", "Hoan")  # letters: "hoa" is a prefix of "hoan"
    assert _in_order("Nguyễn Văn Hòa", "Trần Văn Hoa")  # the letters of the family name decide
    assert _in_order("Lê Văn Hóa", "Lê Vấn Hoa")  # ...and of the middle name


def test_where_the_tone_mark_sits_does_not_matter():
    assert rules.sort_key("Nguyễn Thị Hòa") == rules.sort_key("Nguyễn Thị Hoà")
    assert rules.sort_key("Thúy") == rules.sort_key("Thuý")
    decomposed = unicodedata.normalize("NFD", "Đặng Thị Hoà")
    assert rules.sort_key(decomposed) == rules.sort_key("Đặng Thị Hòa")


def test_case_and_spacing_are_ignored():
    assert rules.sort_key("NGUYỄN VĂN AN") == rules.sort_key("nguyễn văn an") == rules.sort_key("Nguyễn Văn An")
    assert rules.sort_key("  Nguyễn \t Văn   An ") == rules.sort_key("Nguyễn Văn An")
    assert rules.sort_key("ĐỨC") == rules.sort_key("đức")


def test_the_key_is_plain_ascii_that_fits_the_column():
    for name in ["Nguyễn Thị Hòa Bình", "Đặng Ư", "O'Brien", "Jean-Pierre Dupont", "Zoë Şahin", "李小龍",
                 "ạ " * 59 + "ạ", "Nguyễn Văn A."]:
        key = rules.sort_key(name)
        assert key and key.isascii() and key == key.lower() and key.isalnum(), name
        assert len(key) <= rules.SORT_KEY_LENGTH
    assert rules.sort_key("") == rules.sort_key("   ") == ""


def test_letters_of_other_scripts_come_after_the_alphabet():
    assert _in_order("Yến", "Zoë", "Øyvind")
    assert _in_order("Zoë", "李")

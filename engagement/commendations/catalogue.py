"""The national set of titles and forms, the base salary table and the exclusions, as seed data.

Pure data, with the legal basis of every value (see ``../shared/domain/commendation-law.md``).
Two versions of each national rule: the Law of 2022 with Decree 98/2023 from 1 January 2024,
and Decree 152/2025 from 1 July 2025 (which replaced Decree 98 and moved the individual Bằng
khen from 1.0 to 1.5 x the base salary). Officers add local entries and override values in the
app, each with its own basis; this module is only what a new organisation starts from.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from engagement.commendations.rules import COLLECTIVE, FORM, INDIVIDUAL, TITLE

LAW = "Luật Thi đua, khen thưởng 06/2022/QH15"
D98 = "Nghị định 98/2023/NĐ-CP"
D152 = "Nghị định 152/2025/NĐ-CP"
BN86 = "QĐ 86/2025/QĐ-UBND tỉnh Bắc Ninh"
V1_FROM, V1_TO, V2_FROM = date(2024, 1, 1), date(2025, 6, 30), date(2025, 7, 1)


@dataclass(frozen=True)
class TitleSeed:
    """One catalogue entry with the values of its two national versions."""

    code: str
    abbreviation: str
    name: str
    subject: str
    kind: str
    decider: str
    coefficient_pct: int  # under Decree 152 (from 1 July 2025)
    criteria: tuple[dict, ...]
    article: str
    ballot_required: bool = False
    threshold_pct: int = 0
    note: str = ""
    coefficient_pct_98: int | None = None  # under Decree 98 where it differed
    sort_order: int = 100


def _c(kind: str, basis: str, **params: object) -> dict:
    return {"kind": kind, **params, "basis": basis}


SEEDS: tuple[TitleSeed, ...] = (
    TitleSeed("LDTT", "LĐTT", "Lao động tiên tiến", INDIVIDUAL, TITLE, "org_head", 30,
              (_c("min_rating", "Luật TĐKT 2022, Điều 24", level="HTTNV"),),
              "Luật TĐKT 2022, Điều 24; NĐ 152/2025, Điều 50", sort_order=10),
    TitleSeed("CSTDCS", "CSTĐCS", "Chiến sĩ thi đua cơ sở", INDIVIDUAL, TITLE, "org_head", 100,
              (_c("title_this_year", "Luật TĐKT 2022, Điều 23", title="LDTT"),
               _c("initiative", "Luật TĐKT 2022, Điều 23", scope="unit", or_rating="HTXSNV")),
              "Luật TĐKT 2022, Điều 23; NĐ 152/2025, Điều 50", ballot_required=True, threshold_pct=80,
              sort_order=20),
    TitleSeed("CSTD_TINH", "CSTĐ cấp tỉnh", "Chiến sĩ thi đua cấp tỉnh/bộ, ban, ngành", INDIVIDUAL, TITLE, "higher",
              300,
              (_c("consecutive_title", "Luật TĐKT 2022, Điều 22", title="CSTDCS", years=3),
               _c("initiative", "Luật TĐKT 2022, Điều 22", scope="province", years=3)),
              "Luật TĐKT 2022, Điều 22; NĐ 152/2025, Điều 50", ballot_required=True, threshold_pct=90,
              sort_order=30),
    TitleSeed("CSTD_TQ", "CSTĐTQ", "Chiến sĩ thi đua toàn quốc", INDIVIDUAL, TITLE, "higher", 450,
              (_c("consecutive_title", "Luật TĐKT 2022, Điều 21", title="CSTD_TINH", years=2),
               _c("initiative", "Luật TĐKT 2022, Điều 21", scope="national", years=6)),
              "Luật TĐKT 2022, Điều 21; NĐ 152/2025, Điều 50", ballot_required=True, threshold_pct=90,
              sort_order=40),
    TitleSeed("GK_CN", "GK", "Giấy khen (cá nhân)", INDIVIDUAL, FORM, "org_head", 30,
              (_c("min_rating", "Luật TĐKT 2022, Điều 75", level="HTTNV"),),
              "Luật TĐKT 2022, Điều 75; NĐ 152/2025, Điều 54",
              note="Cần có thành tích được bình xét trong phong trào thi đua (QĐ 86/2025/QĐ-UBND Bắc Ninh, Điều 4).",
              sort_order=50),
    TitleSeed("BK_TINH_CN", "BK tỉnh", "Bằng khen của Chủ tịch UBND tỉnh/Bộ trưởng (cá nhân)", INDIVIDUAL, FORM,
              "higher", 150,
              (_c("any", BN86 + ", Điều 3", of=[
                  _c("consecutive_title", BN86 + ", Điều 3", title="CSTDCS", years=2),
                  _c("all", BN86 + ", Điều 3", of=[
                      _c("consecutive_rating", BN86 + ", Điều 3", level="HTXSNV", years=2),
                      _c("initiative", BN86 + ", Điều 3", scope="unit", count=2, years=2)])]),),
              "Luật TĐKT 2022, Điều 74; NĐ 152/2025, Điều 53", coefficient_pct_98=100, sort_order=60),
    TitleSeed("BK_TTG_CN", "BK TTg", "Bằng khen của Thủ tướng Chính phủ (cá nhân)", INDIVIDUAL, FORM, "higher", 350,
              (_c("min_rating", "Luật TĐKT 2022, Điều 71", level="HTXSNV"),),
              "Luật TĐKT 2022, Điều 71–72; NĐ 152/2025, Điều 52",
              note="Tiêu chuẩn chi tiết theo Điều 71–72 Luật TĐKT do Hội đồng xem xét.", sort_order=70),
    TitleSeed("TTLDTT", "TTLĐTT", "Tập thể lao động tiên tiến", COLLECTIVE, TITLE, "org_head", 80,
              (_c("unit_rating", "Luật TĐKT 2022, Điều 28", level="HTTNV"),
               _c("member_title_share", BN86 + ", Điều 5", title="LDTT", pct=70),
               _c("no_member_discipline", BN86 + ", Điều 5", form="warning")),
              "Luật TĐKT 2022, Điều 28; NĐ 152/2025, Điều 51", sort_order=110),
    TitleSeed("TTLDXS", "TTLĐXS", "Tập thể lao động xuất sắc", COLLECTIVE, TITLE, "higher", 150,
              (_c("unit_rating", "Luật TĐKT 2022, Điều 27", level="HTXSNV"),
               _c("member_rating_share", BN86 + ", Điều 5", level="HTNV", pct=100),
               _c("member_title_share", BN86 + ", Điều 5", title="LDTT", pct=70),
               _c("member_title_count", BN86 + ", Điều 5", title="CSTDCS", min=1)),
              "Luật TĐKT 2022, Điều 27; NĐ 152/2025, Điều 51", sort_order=120),
    TitleSeed("CO_TINH", "Cờ thi đua tỉnh", "Cờ thi đua cấp tỉnh/bộ, ban, ngành", COLLECTIVE, TITLE, "higher", 800,
              (_c("title_this_year", "Luật TĐKT 2022, Điều 26", title="TTLDXS"),),
              "Luật TĐKT 2022, Điều 26; NĐ 152/2025, Điều 51", ballot_required=True, threshold_pct=80,
              note="Tập thể dẫn đầu cụm, khối thi đua (QĐ 86/2025/QĐ-UBND Bắc Ninh, Điều 3).", sort_order=130),
    TitleSeed("CO_CP", "Cờ thi đua CP", "Cờ thi đua của Chính phủ", COLLECTIVE, TITLE, "higher", 1200,
              (_c("title_this_year", "Luật TĐKT 2022, Điều 25", title="CO_TINH"),),
              "Luật TĐKT 2022, Điều 25; NĐ 152/2025, Điều 51", ballot_required=True, threshold_pct=80,
              note="Tập thể dẫn đầu các cụm, khối do Hội đồng TĐKT Trung ương tổ chức; hồ sơ gửi Bộ Nội vụ trước 30/6.",
              sort_order=140),
    TitleSeed("GK_TT", "GK tập thể", "Giấy khen (tập thể)", COLLECTIVE, FORM, "org_head", 60,
              (_c("unit_rating", "Luật TĐKT 2022, Điều 75", level="HTTNV"),),
              "Luật TĐKT 2022, Điều 75; NĐ 152/2025, Điều 54", sort_order=150),
    TitleSeed("BK_TINH_TT", "BK tỉnh tập thể", "Bằng khen của Chủ tịch UBND tỉnh/Bộ trưởng (tập thể)", COLLECTIVE,
              FORM, "higher", 300,
              (_c("unit_rating", "Luật TĐKT 2022, Điều 74", level="HTXSNV"),),
              "Luật TĐKT 2022, Điều 74; NĐ 152/2025, Điều 53", coefficient_pct_98=200, sort_order=160),
    TitleSeed("BK_TTG_TT", "BK TTg tập thể", "Bằng khen của Thủ tướng Chính phủ (tập thể)", COLLECTIVE, FORM, "higher",
              700, (_c("unit_rating", "Luật TĐKT 2022, Điều 72", level="HTXSNV"),),
              "Luật TĐKT 2022, Điều 71–72; NĐ 152/2025, Điều 52", sort_order=170),
)

#: The base salary table (lương cơ sở), with the decree of each amount.
BASE_SALARIES: tuple[tuple[date, int, str], ...] = (
    (date(2019, 7, 1), 1_490_000, "Nghị định 38/2019/NĐ-CP"),
    (date(2023, 7, 1), 1_800_000, "Nghị định 24/2023/NĐ-CP"),
    (date(2024, 7, 1), 2_340_000, "Nghị định 73/2024/NĐ-CP, Điều 3"),
)

UNION_GUIDANCE = "Hướng dẫn của Công đoàn (2021) theo TT 12/2019/TT-BNV; quy định của cơ quan"

#: The local exclusions: code -> (switched on?, threshold, basis). Not in the national texts of
#: 2022–2025 (law notes §2.2): each organisation decides, so each can be switched off.
EXCLUSION_SEEDS: dict[str, tuple[bool, int, str]] = {
    "recent_recruit": (True, 10, UNION_GUIDANCE),
    "absent": (True, 40, UNION_GUIDANCE),
    "not_registered": (True, 0, UNION_GUIDANCE),
    "disciplined": (True, 0, "Nghị định 90/2020/NĐ-CP sửa đổi bởi NĐ 48/2023; " + UNION_GUIDANCE),
}


def versions(seed: TitleSeed) -> list[dict]:
    """The two national versions of a seed, as ``TitleRule`` field values."""
    common = {"decider": seed.decider, "ballot_required": seed.ballot_required, "threshold_pct": seed.threshold_pct,
              "quota_kind": "none", "quota_pct": 0, "criteria": list(seed.criteria), "note": seed.note}
    article_98 = seed.article.replace("NĐ 152/2025", "NĐ 98/2023")
    return [
        {**common, "valid_from": V1_FROM, "valid_to": V1_TO, "basis_document": f"{LAW}; {D98}",
         "basis_article": article_98,
         "coefficient_pct": seed.coefficient_pct if seed.coefficient_pct_98 is None else seed.coefficient_pct_98},
        {**common, "valid_from": V2_FROM, "valid_to": None, "basis_document": f"{LAW}; {D152}",
         "basis_article": seed.article, "coefficient_pct": seed.coefficient_pct},
    ]

"""default recognition values in the organisation's language

The first recognition migration seeded the movement's values with English names ("The 4
requests") and older Vietnamese descriptions. An organisation in Vietnamese (the default)
now gets them in Vietnamese ("4 xin"), in English otherwise. Only rows an officer has not
edited (name and description still the seeded ones) are rewritten; the texts are written
out here so that this migration never depends on the catalogue of a later version.

Revision ID: f3c8d1e2a4b6
Revises: e1a4c2b7d903
Create Date: 2026-12-01 16:45:00
"""
import os
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'f3c8d1e2a4b6'
down_revision: str | None = 'e1a4c2b7d903'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# code: (as first seeded, English, Vietnamese) — each a (name, description).
_VALUES = {
    "4-requests": (("The 4 requests", "Kỷ cương, trách nhiệm, năng động, sáng tạo"),
                   ("The 4 requests", "Say hello, say sorry, say thank you, ask permission"),
                   ("4 xin", "Xin chào, xin lỗi, xin cảm ơn, xin phép")),
    "4-always": (("The 4 always", "Luôn lắng nghe, luôn thấu hiểu, luôn chia sẻ, luôn hỗ trợ"),
                 ("The 4 always", "Always smile, always be gentle, always understand, always help"),
                 ("4 luôn", "Luôn mỉm cười, luôn nhẹ nhàng, luôn thấu hiểu, luôn giúp đỡ")),
    "discipline": (("Discipline", "Giữ kỷ luật, kỷ cương hành chính"),
                   ("Discipline", "Keep discipline and administrative order"),
                   ("Kỷ cương", "Giữ kỷ luật, kỷ cương hành chính")),
    "responsibility": (("Responsibility", "Trách nhiệm với công việc đến cùng"),
                       ("Responsibility", "See the work through to the end"),
                       ("Trách nhiệm", "Trách nhiệm với công việc đến cùng")),
    "exemplary": (("Exemplary conduct", "Nêu gương trong lời nói và việc làm"),
                  ("Exemplary conduct", "Set an example in word and deed"),
                  ("Nêu gương", "Nêu gương trong lời nói và việc làm")),
    "service": (("Service attitude", "Thái độ phục vụ nhân dân, doanh nghiệp"),
                ("Service attitude", "Serve citizens and businesses well"),
                ("Thái độ phục vụ", "Thái độ phục vụ nhân dân, doanh nghiệp")),
    "green-office": (("Green office", "Công sở xanh - sạch - đẹp, tiết kiệm"),
                     ("Green office", "A green, clean and tidy office that saves resources"),
                     ("Công sở xanh", "Công sở xanh - sạch - đẹp, tiết kiệm")),
    "digital": (("Digital transformation", "Chuyển đổi số, dịch vụ công trực tuyến"),
                ("Digital transformation", "Digital transformation, online public services"),
                ("Chuyển đổi số", "Chuyển đổi số, dịch vụ công trực tuyến")),
}

_table = sa.table("recognition_value", sa.column("code", sa.String), sa.column("name", sa.String),
                  sa.column("description", sa.String))


def _rewrite(source: int, target: int) -> None:
    conn = op.get_bind()
    for code, texts in _VALUES.items():
        (old_name, old_desc), (new_name, new_desc) = texts[source], texts[target]
        conn.execute(_table.update()
                     .where(_table.c.code == code, _table.c.name == old_name, _table.c.description == old_desc)
                     .values(name=new_name, description=new_desc))


def upgrade() -> None:
    language = (os.environ.get("ENGAGEMENT_LANGUAGE") or "vi").strip().lower()
    _rewrite(0, 2 if language == "vi" else 1)


def downgrade() -> None:
    language = (os.environ.get("ENGAGEMENT_LANGUAGE") or "vi").strip().lower()
    _rewrite(2 if language == "vi" else 1, 0)

"""Every table of the application, imported in one place for migrations and tests."""

from sqlmodel import SQLModel

from engagement.commendations import models as _commendations  # noqa: F401
from engagement.commitments import models as _commitments  # noqa: F401
from engagement.core import audit as _audit  # noqa: F401
from engagement.core import files as _files  # noqa: F401
from engagement.core import secrets as _secrets  # noqa: F401
from engagement.good_models import models as _good_models  # noqa: F401
from engagement.green import models as _green  # noqa: F401
from engagement.jobs import models as _jobs  # noqa: F401
from engagement.notify import models as _notify  # noqa: F401
from engagement.org import models as _org  # noqa: F401
from engagement.recognition import models as _recognition  # noqa: F401
from engagement.scoring import models as _scoring  # noqa: F401
from engagement.supervision import models as _supervision  # noqa: F401

metadata = SQLModel.metadata

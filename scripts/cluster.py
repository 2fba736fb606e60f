"""Start the scale-out set on one machine (``make cluster``): see engagement/cluster/supervisor.py."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engagement.cluster.supervisor import main

if __name__ == "__main__":
    raise SystemExit(main())

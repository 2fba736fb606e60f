"""One app process of the set: Reflex's production server with worker respawn.

``reflex run --env prod`` builds the frontend before it serves, and its granian server does
not respawn a worker that dies (the whole process stops: ARCHITECTURE "Facts measured").
Here the frontend was built once beforehand (``supervisor``); this process only serves:
the backend and the built pages on one port, as ``reflex run --env prod`` would, with
granian told to respawn a dead worker. A worker that keeps dying (granian: twice within
5.5 s) ends the process, and the supervisor restarts it.

Granian's ``GRANIAN_RESPAWN_FAILED_WORKERS`` is read by granian's own command line only;
Reflex builds its server in Python, so the setting has no effect there: hence this module.
"""

from __future__ import annotations

import argparse
import os
import sys


def serve(*, host: str, port: int, workers: int) -> None:
    """Serve the app (already built) on ``host:port`` with ``workers`` respawning workers."""
    import granian.server
    from reflex.utils import exec as reflex_exec
    from reflex_base import constants
    from reflex_base.config import get_config
    from reflex_base.environment import environment

    base = granian.server.Server

    class RespawningServer(base):  # type: ignore[misc, valid-type]
        """Reflex's granian server, respawning failed workers."""

        def __init__(self, *args: object, **kwargs: object) -> None:
            kwargs.setdefault("respawn_failed_workers", True)
            kwargs["workers"] = workers
            super().__init__(*args, **kwargs)

    # Reflex imports the server class from this module when it starts serving.
    granian.server.Server = RespawningServer
    environment.REFLEX_ENV_MODE.set(constants.Env.PROD)
    # The pages were built by the supervisor: skip the compile, serve the build.
    environment.REFLEX_SKIP_COMPILE.set(True)
    os.environ["GRANIAN_WORKERS"] = str(workers)
    reflex_exec.run_backend_prod(host, port, get_config().loglevel.subprocess_level(), True)


def main(argv: list[str] | None = None) -> int:
    """``python -m engagement.cluster.serve --port P --workers W``."""
    parser = argparse.ArgumentParser(prog="engagement.cluster.serve", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)
    if args.workers < 1:
        sys.stderr.write("--workers must be at least 1\n")
        return 2
    serve(host=args.host, port=args.port, workers=args.workers)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Several app processes behind a load balancer (issue 19).

``supervisor`` starts and watches the whole set on one machine (README "Running several
processes"); ``serve`` is one app process; ``takeover`` lets a tab whose process died carry
on, with its state, on another process.
"""

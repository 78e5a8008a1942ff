#!/usr/bin/env python
"""Same as the ``keyclusters`` command, for those used to manage.py."""

from keyclusters.cli import main

if __name__ == "__main__":
    main()

"""``python -m jpeglite``: the same as the ``jpeglite`` command."""
from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())

"""``python -m bankkey``: the support command line (see :mod:`bankkey.cli`)."""

import sys

from bankkey.cli import main

sys.exit(main())

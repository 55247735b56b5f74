"""`python -m pipelines.generate --n N --seed S --out DIR`."""

import sys

from pipelines.generate.cli import main

sys.exit(main())

import sys

from metevo.cli import main

sys.exit(main())

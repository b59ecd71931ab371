import sys

from scorecast.cli import main

sys.exit(main())

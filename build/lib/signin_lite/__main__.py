import sys

from signin_lite.cli import main

sys.exit(main())

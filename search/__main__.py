"""``python -m search`` is the ``defsearch`` command."""

from search.cli import main

raise SystemExit(main())

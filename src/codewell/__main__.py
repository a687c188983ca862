"""``python -m codewell`` is the same as the ``codewell`` command."""

from codewell.cli.app import main

main()

"""The ``codewell`` command: thin Typer commands over :mod:`codewell.project`."""

"""Reading and writing the files researchers bring and take away: survey exports, codings, datasets.

The readers here are pure: they turn a file into plain value objects (or a clear
:class:`~codewell.errors.DataFileError`) and never touch a project store; ``codewell.project``
decides what to keep.
"""

"""codewell: code free-text survey responses in the terminal, with suggestions that learn.

Only the version lives here so that ``import codewell`` stays instant; everything heavy is
imported inside the functions that need it.
"""

__version__ = "0.1.0"

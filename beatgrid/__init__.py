"""The ``beatgrid`` command-line tool (``beatgrid --help``).

The library lives in ``gis``, the service in ``api`` and the map builders in
``maps``; this package only wires them to the command line.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("beatgrid")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"

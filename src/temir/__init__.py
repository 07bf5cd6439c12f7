"""Temir: open platform for interstate rail freight on the 1520 mm railways of Central Asia."""

__version__ = "0.1.0"

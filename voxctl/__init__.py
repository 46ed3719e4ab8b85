"""voxctl: self-hosted programmable voice on FreeSWITCH."""

__version__ = "0.1.0"

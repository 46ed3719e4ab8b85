"""Tests of the document model: voxctl.xml and voxctl lint."""

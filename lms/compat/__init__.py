"""Patches to framework internals, each with the versions it was written for and a system
check (``lms.checks``) that fails on any other version."""

"""Rows for tests, one module per domain, written straight to the database (not through the services under test).

tests/conftest.py offers the common ones as fixtures (make_unit, make_user, …) for tests that take them that way.
"""

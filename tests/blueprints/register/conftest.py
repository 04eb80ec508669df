"""The register's tests take their rows from tests/factories/register.py (fixtures in tests/conftest.py)."""

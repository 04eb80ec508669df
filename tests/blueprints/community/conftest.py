"""The community domain's fixtures: alpha's categories and folders, and a topic to write in."""

from __future__ import annotations

import pytest

from models.community import Category
from models.documents import Folder


@pytest.fixture
def categories(alpha) -> dict[str, Category]:
    return {category.key: category for category in Category.of(alpha).where(Category.key.is_null(False))}


@pytest.fixture
def folders(alpha) -> dict[str, Folder]:
    return {folder.key: folder for folder in Folder.of(alpha).where(Folder.key.is_null(False))}

"""A folder's page costs the same number of queries however many documents it holds (issue 10 item 2)."""

import datetime as dt
import re

import pytest


@pytest.fixture
def app_overrides():
    return {"COUNT_QUERIES": True}


def queries(client, path):
    response = client.get(path)
    assert response.status_code == 200
    return int(response.headers["X-Query-Count"]), response.get_data(as_text=True)


def test_a_folder_lists_newest_first_in_pages_with_constant_queries(client, alpha, login_as, folders, make_document):
    login_as("tenant")
    url = f"/alpha/documents/folders/{folders['notice_board'].id}"
    for day in range(1, 4):
        make_document(folders["notice_board"], f"Notice {day:02d}", created_at=dt.datetime(2024, 12, day, 12))
    few, _page = queries(client, url)
    for day in range(4, 46):
        make_document(
            folders["notice_board"], f"Notice {day:02d}", created_at=dt.datetime(2025, 1, 1) + dt.timedelta(hours=day)
        )
    many, first = queries(client, url)
    assert many == few
    titles = re.findall(r"<strong>(Notice \d\d)</strong>", first)
    assert titles[:2] == ["Notice 45", "Notice 44"] and len(titles) == 20
    assert "Older documents" in first
    assert queries(client, url + "?page=3")[0] == few

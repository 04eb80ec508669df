"""The contact page (SPEC P8) and the optional tabs."""


def test_member_reads_the_contact_text_with_links_and_no_script(client, alpha, login_as):
    alpha.contact_text = (
        "Call [the board](tel:+46812345) or write to [us](mailto:board@alpha.example).\n\n<script>x()</script>"
    )
    alpha.save()
    login_as("member")
    response = client.get("/alpha/contact")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<a href="tel:+46812345" rel="noopener noreferrer nofollow">the board</a>' in page
    assert 'href="mailto:board@alpha.example"' in page
    assert "<script>x()" not in page
    assert '<a href="/alpha/contact" class="wide-only" aria-current="page">' in page  # the tab is there and marked


def test_empty_contact_text_says_so(client, alpha, login_as):
    login_as("tenant")
    page = client.get("/alpha/contact").get_data(as_text=True)
    assert "The board has not written its contact details here yet." in page
    assert "Edit the contact details" not in page


def test_contact_tab_switched_off_is_hidden_and_404(client, alpha, login_as):
    alpha.tabs = "members units"
    alpha.save()
    login_as("member")
    assert client.get("/alpha/contact").status_code == 404
    assert 'href="/alpha/contact"' not in client.get("/alpha/").get_data(as_text=True)


def test_contact_page_needs_a_login(client, alpha):
    response = client.get("/alpha/contact")
    assert response.status_code == 302 and "/alpha/login" in response.location


def test_the_contact_page_shows_whom_to_call_when_it_is_urgent(client, alpha, login_as):
    alpha.on_call_text = "**On call: 08-520 200 00**, day and night"
    alpha.save()
    login_as("tenant")
    page = client.get("/alpha/contact").get_data(as_text=True)
    assert "Urgent? Call now" in page and "<strong>On call: 08-520 200 00</strong>" in page

"""Roles (P5): every permission with its sentence, custom roles, built-ins protected, assignment."""

from models import AuditLog, Membership, Person, Role
from models import permissions as perms


def test_role_page_shows_every_permission_with_its_sentence(client, alpha, login_as):
    login_as("administrator")
    board = alpha.role("board")
    page = client.get(f"/alpha/admin/roles/{board.id}").get_data(as_text=True)
    for key, sentence in perms.DESCRIPTIONS.items():
        assert key in page and str(sentence) in page
    assert 'value="register.manage" checked disabled' in page  # built-in: read only
    assert 'value="roles.manage"  disabled' in page


def test_built_in_roles_cannot_be_changed_or_deleted(client, alpha, login_as):
    login_as("administrator")
    board = alpha.role("board")
    before = board.permissions
    changed = client.submit(f"/alpha/admin/roles/{board.id}", {"name": "Bored", "permissions": ["search.use"]})
    assert changed.status_code == 422
    assert "Built-in roles cannot be changed" in changed.get_data(as_text=True)
    assert Role.get_by_id(board.id).permissions == before

    confirm = client.get(f"/alpha/admin/roles/{board.id}/delete").get_data(as_text=True)
    assert "is a built-in role and cannot be deleted" in confirm
    client.submit(f"/alpha/admin/roles/{board.id}/delete", {}, form_page=f"/alpha/admin/roles/{board.id}")
    assert Role.get_or_none(Role.id == board.id) is not None


def test_copy_a_built_in_role_and_save_permissions(client, alpha, login_as):
    login_as("administrator")
    member = alpha.role("member")
    form = client.get(f"/alpha/admin/roles/new?copy={member.id}").get_data(as_text=True)
    assert 'value="Copy of Member"' in form
    assert 'value="votes.cast" checked' in form

    taken = client.submit("/alpha/admin/roles/new", {"name": "member", "permissions": ["search.use"]})
    assert taken.status_code == 422 and "Another role has this name." in taken.get_data(as_text=True)

    chosen = sorted(perms.MEMBER | {perms.FAULTS_RESOLVE})
    response = client.submit("/alpha/admin/roles/new", {"name": "Caretaker", "permissions": chosen})
    assert response.status_code == 302
    caretaker = Role.get(Role.name == "Caretaker")
    assert caretaker.key is None and caretaker.permission_set == frozenset(chosen)

    fewer = [perms.DOCUMENTS_READ, perms.FAULTS_RESOLVE]
    response = client.submit(f"/alpha/admin/roles/{caretaker.id}", {"name": "Caretaker", "permissions": fewer})
    assert response.status_code == 302
    assert Role.get_by_id(caretaker.id).permission_set == frozenset(fewer)

    unknown = client.submit(f"/alpha/admin/roles/{caretaker.id}", {"name": "Caretaker", "permissions": ["root"]})
    assert unknown.status_code == 422 and Role.get_by_id(caretaker.id).permission_set == frozenset(fewer)
    assert [a.action for a in AuditLog.select().where(AuditLog.action.startswith("roles."))] == [
        "roles.created",
        "roles.updated",
    ]


def test_a_custom_role_in_use_cannot_be_deleted(client, alpha, login_as, make_user):
    login_as("administrator")
    custom = Role.create(association=alpha, name="Auditor", permissions="audit.view")
    user = make_user(alpha, "auditor@example.com", "member")
    Membership.update(role=custom).where(Membership.user == user).execute()

    page = client.get(f"/alpha/admin/roles/{custom.id}/delete").get_data(as_text=True)
    assert "Auditor is in use: 1 members hold it" in page
    client.submit(f"/alpha/admin/roles/{custom.id}/delete", {}, form_page=f"/alpha/admin/roles/{custom.id}")
    assert Role.get_or_none(Role.id == custom.id) is not None

    Membership.update(role=alpha.role("member")).where(Membership.user == user).execute()
    response = client.submit(f"/alpha/admin/roles/{custom.id}/delete", {}, form_page=f"/alpha/admin/roles/{custom.id}")
    assert response.status_code == 302
    assert Role.get_or_none(Role.id == custom.id) is None


def test_assigning_a_custom_role_changes_what_the_member_can_open(
    client, new_client, alpha, login_as, make_user, login
):
    login_as("administrator")
    resident = make_user(alpha, "resident@example.com", "member")
    browser = new_client()
    login(browser, resident.email)
    assert browser.get("/alpha/admin/audit").status_code == 403
    assert browser.get("/alpha/members").status_code == 200

    auditor = Role.create(association=alpha, name="Auditor", permissions="audit.view documents.read")
    person = Person.get(Person.user == resident)
    response = client.submit(
        f"/alpha/people/{person.id}/role", {"role": auditor.id}, form_page=f"/alpha/people/{person.id}"
    )
    assert response.status_code == 302
    assert Membership.get(Membership.user == resident).role_id == auditor.id
    assert Person.get_by_id(person.id).role_id == auditor.id

    assert browser.get("/alpha/admin/audit").status_code == 200
    assert browser.get("/alpha/members").status_code == 403
    assert AuditLog.select().where(AuditLog.action == "people.role_assigned").count() == 1


def test_only_role_managers_assign_roles(client, alpha, login_as, make_user):
    login_as("board")
    resident = make_user(alpha, "resident@example.com", "member")
    person = Person.get(Person.user == resident)
    assert "Change role" not in client.get(f"/alpha/people/{person.id}").get_data(as_text=True)
    response = client.submit(
        f"/alpha/people/{person.id}/role", {"role": alpha.role("board").id}, form_page=f"/alpha/people/{person.id}"
    )
    assert response.status_code == 403
    assert Membership.get(Membership.user == resident).role.key == "member"


def test_the_last_administrator_keeps_the_right_to_manage_roles(client, alpha, login_as):
    admin = login_as("administrator")
    person = Person.get(Person.user == admin)
    response = client.submit(
        f"/alpha/people/{person.id}/role", {"role": alpha.role("member").id}, form_page=f"/alpha/people/{person.id}"
    )
    assert response.status_code == 422
    assert "Someone must keep the right to manage roles" in response.get_data(as_text=True)
    assert Membership.get(Membership.user == admin).role.key == "administrator"


def test_roles_list_counts_members(client, alpha, login_as, make_user):
    login_as("administrator")
    make_user(alpha, "m1@example.com", "member")
    make_user(alpha, "m2@example.com", "member")
    page = client.get("/alpha/admin/roles").get_data(as_text=True)
    assert "2 members" in page and "Built in" in page

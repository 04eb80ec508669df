"""demo.people: contact details and pending requests in every demo association, idempotent."""

from demo.people import load_people
from demo.portal import load_associations
from models import Association, Person, RegistrationRequest


def test_load_people_fills_contacts_and_adds_requests_once(app):
    with app.app_context():
        list(load_associations())
        lines = list(load_people())
        assert len(lines) == 3
        for slug in ("solrosen", "nakopci", "kase5"):
            association = Association.get(Association.slug == slug)
            assert RegistrationRequest.of(association).where(RegistrationRequest.status == "pending").count() >= 1
            assert Person.of(association).where(Person.personal_id != "").count() >= 1
            assert Person.of(association).where(Person.phone_mobile != "").count() >= 1
        before = (RegistrationRequest.select().count(), [p.phone_mobile for p in Person.select().order_by(Person.id)])
        list(load_people())
        after = (RegistrationRequest.select().count(), [p.phone_mobile for p in Person.select().order_by(Person.id)])
        assert before == after

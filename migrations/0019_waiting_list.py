"""The waiting list (issue 15 item 4): the board's rules, applicants, offers of vacant homes, lettings through
the list, the log of every step, the applicants' mailed links and the sign-up throttle."""
from peewee import *


def up(migrator, db):
    def table(name):
        class Meta:
            database = db
            table_name = name
        return type(name.title().replace('_', ''), (Model,), {'Meta': Meta})

    Association, Vacancy = (table(n) for n in ('association', 'vacancy'))

    class WaitingListRules(Model):
        association = ForeignKeyField(Association, unique=True, on_delete='CASCADE')
        fee = BigIntegerField(null=True)
        grace_days = IntegerField(default=30)
        internal_share = IntegerField(default=0)
        offer_batch = IntegerField(default=3)
        reply_days = IntegerField(default=3)

        class Meta:
            database = db
            table_name = 'waiting_list_rules'

    class Applicant(Model):
        association = ForeignKeyField(Association, on_delete='CASCADE')
        name = CharField(max_length=200)
        email = CharField(max_length=254)
        birth_date = DateField()
        language = CharField(max_length=10, default='en')
        housing_types = CharField(max_length=40, default='')
        departments = CharField(max_length=500, default='')
        rooms_from = IntegerField(null=True)
        max_rent = BigIntegerField(null=True)
        accessibility = CharField(max_length=200, default='')
        internal = BooleanField(default=False)
        status = CharField(max_length=8, default='pending')
        pseudonym = CharField(max_length=20)
        signed_up_at = DateTimeField()
        seniority_on = DateField(null=True)
        paid_until = DateField(null=True)
        reminded_for = DateField(null=True)
        reminders_sent = IntegerField(default=0)
        unanswered = IntegerField(default=0)

        class Meta:
            database = db
            table_name = 'applicant'
            indexes = ((('association', 'status', 'seniority_on'), False), (('association', 'email'), False))

    class Offer(Model):
        association = ForeignKeyField(Association, on_delete='CASCADE')
        vacancy = ForeignKeyField(Vacancy, on_delete='CASCADE')
        applicant = ForeignKeyField(Applicant, on_delete='CASCADE')
        internal_turn = BooleanField(default=False)
        sent_at = DateTimeField()
        deadline = DateTimeField()
        status = CharField(max_length=10, default='open')
        answered_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = 'offer'
            indexes = ((('vacancy', 'applicant'), True), (('status', 'deadline'), False))

    class Letting(Model):
        association = ForeignKeyField(Association, on_delete='CASCADE')
        vacancy = ForeignKeyField(Vacancy, unique=True, on_delete='CASCADE')
        applicant = ForeignKeyField(Applicant, null=True, on_delete='SET NULL')
        internal_turn = BooleanField(default=False)
        let_on = DateField()

        class Meta:
            database = db
            table_name = 'letting'

    class ApplicantEvent(Model):
        association = ForeignKeyField(Association, on_delete='CASCADE')
        applicant = ForeignKeyField(Applicant, null=True, on_delete='SET NULL')
        applicant_number = IntegerField()
        pseudonym = CharField(max_length=20)
        seniority_on = DateField(null=True)
        housing_types = CharField(max_length=40, default='')
        vacancy = ForeignKeyField(Vacancy, null=True, on_delete='SET NULL')
        kind = CharField(max_length=20)
        detail = CharField(max_length=200, default='')
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'applicant_event'
            indexes = ((('association', 'created_at'), False),)

    class ApplicantToken(Model):
        token_hash = CharField(max_length=64, unique=True)
        purpose = CharField(max_length=8)
        applicant = ForeignKeyField(Applicant, on_delete='CASCADE')
        offer = ForeignKeyField(Offer, null=True, on_delete='CASCADE')
        created_at = DateTimeField()
        expires_at = DateTimeField()
        used_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = 'applicant_token'

    class WaitingListRequest(Model):
        association = ForeignKeyField(Association, on_delete='CASCADE')
        sender_key = CharField(max_length=64)
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'waiting_list_request'
            indexes = ((('sender_key', 'created_at'), False),)

    db.create_tables([WaitingListRules, Applicant, Offer, Letting, ApplicantEvent, ApplicantToken, WaitingListRequest])


def down(migrator, db):
    for name in ('waiting_list_request', 'applicant_token', 'applicant_event', 'letting', 'offer', 'applicant',
                 'waiting_list_rules'):
        db.execute_sql(f'DROP TABLE "{name}"')

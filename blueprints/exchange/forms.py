"""Forms for ordering reports, choosing which are on offer, and creating API tokens."""

from flask_wtf import FlaskForm
from wtforms import EmailField, RadioField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length

from blueprints.exchange import reports
from core.forms import CheckboxesField
from core.text import lazy_gettext as _l


class ReportOrderForm(FlaskForm):
    # The report and the scope are checked by the view: a report not offered is a 403, a building
    # not in the register a 422 with its own message.
    report = RadioField(
        _l("Report"), choices=[], validate_choice=False, validators=[DataRequired(_l("Choose a report."))]
    )
    scope = SelectField(_l("Object"), choices=[], validate_choice=False)
    to_address = EmailField(
        _l("Send to"),
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[
            DataRequired(_l("Enter the e-mail address the report goes to.")),
            Email(_l("Enter a valid e-mail address, like name@example.com."), check_deliverability=False),
            Length(max=254),
        ],
        render_kw={"autocomplete": "email", "autocapitalize": "none", "spellcheck": "false"},
    )


class ReportSettingsForm(FlaskForm):
    board_reports = CheckboxesField(
        _l("The board may order"), choices=[SelectChoice(key, label) for key, label in reports.REPORTS.items()]
    )
    resident_reports = CheckboxesField(
        _l("Residents may order"), choices=[SelectChoice(key, label) for key, label in reports.REPORTS.items()]
    )


class ApiTokenForm(FlaskForm):
    name = StringField(
        _l("Name"),
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[
            DataRequired(_l("Name the token after the system that will use it.")),
            Length(max=100, message=_l("At most %(max)d characters.")),
        ],
    )
    scopes = CheckboxesField(
        _l("What it may do"),
        choices=[],  # set from api.SCOPE_LABELS by the view (translated per request)
        validators=[DataRequired(_l("Choose at least one thing the token may do."))],
    )

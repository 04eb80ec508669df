"""Forms for recording paper ballots (V7): one by one, and a batch from a spreadsheet.

The rules (which unit may still vote, which day, who may have signed) are the services' (ballots.py,
paper.py); these forms only carry what was typed, so a refused post can show it again.
"""

from flask_wtf import FlaskForm
from wtforms import DateField, FileField, HiddenField, IntegerField, RadioField, SelectField
from wtforms.validators import InputRequired, Optional

from core.text import lazy_gettext as _l


class PaperBallotForm(FlaskForm):
    """One ballot that came back on paper: the unit, its choice, the day it arrived, who signed, the scan."""

    # The view fills the units and the options; the services refuse what does not fit, with the reason.
    unit = SelectField(
        _l("Unit"), coerce=int, validate_choice=False, validators=[InputRequired(_l("Choose the unit."))]
    )
    option = RadioField(
        _l("Choice on the ballot"),
        coerce=int,
        validate_choice=False,
        validators=[InputRequired(_l("Choose what the ballot says."))],
    )
    received_on = DateField(_l("Day it arrived"), validators=[InputRequired(_l("Give the day the ballot arrived."))])
    signed_by = IntegerField(_l("Signed by"), validators=[Optional()])
    scan = FileField(_l("Scan of the ballot"))


class PaperBatchForm(FlaskForm):
    """Step 1: the spreadsheet."""

    spreadsheet = FileField(_l("Spreadsheet (CSV or XLSX)"))


class PaperBatchConfirmForm(FlaskForm):
    """Step 3: the checked rows, signed by the server at the preview."""

    token = HiddenField()

"""Sign-in forms: login, forgotten password, reset, change password, sign out everywhere."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import EqualTo, InputRequired, Length

from portal.auth.sessions import MIN_PASSWORD_LENGTH
from portal.forms import PortalForm


class LoginForm(PortalForm):
    email = EmailField(_l("Email"), validators=[InputRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[InputRequired(), Length(max=256)])
    remember = BooleanField(_l("Remember me"))


class ForgotPasswordForm(PortalForm):
    email = EmailField(_l("Email"), validators=[InputRequired(), Length(max=254)])


class _NewPassword:
    password = PasswordField(
        _l("New password"),
        validators=[
            InputRequired(),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=256,
                message=_l("Use at least %(num)s characters.", num=MIN_PASSWORD_LENGTH),
            ),
        ],
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[InputRequired(), EqualTo("password", message=_l("The passwords do not match."))],
    )


class ResetPasswordForm(_NewPassword, PortalForm):
    pass


class ChangePasswordForm(_NewPassword, PortalForm):
    current_password = PasswordField(_l("Current password"), validators=[InputRequired(), Length(max=256)])


class SignOutEverywhereForm(PortalForm):
    """Only the CSRF token: the button ends every other session of the signed-in user."""

"""Sign-in forms: login, forgotten password, reset, change password, sign out everywhere."""

from __future__ import annotations

from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import EqualTo, InputRequired, Length

from portal.auth.sessions import MIN_PASSWORD_LENGTH
from portal.forms import PortalForm


class LoginForm(PortalForm):
    email = EmailField("Email", validators=[InputRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[InputRequired(), Length(max=256)])
    remember = BooleanField("Remember me")


class ForgotPasswordForm(PortalForm):
    email = EmailField("Email", validators=[InputRequired(), Length(max=254)])


class _NewPassword:
    password = PasswordField(
        "New password",
        validators=[
            InputRequired(),
            Length(min=MIN_PASSWORD_LENGTH, max=256, message=f"Use at least {MIN_PASSWORD_LENGTH} characters."),
        ],
    )
    confirm = PasswordField(
        "Repeat the new password",
        validators=[InputRequired(), EqualTo("password", message="The passwords do not match.")],
    )


class ResetPasswordForm(_NewPassword, PortalForm):
    pass


class ChangePasswordForm(_NewPassword, PortalForm):
    current_password = PasswordField("Current password", validators=[InputRequired(), Length(max=256)])


class SignOutEverywhereForm(PortalForm):
    """Only the CSRF token: the button ends every other session of the signed-in user."""

from django.urls import path

from chainward.core.registry import get_register

from . import login, mfa_views, models, passkey_views, views

app_name = "access"
people = get_register(models.RoleAssignment)
urlpatterns = [
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.revoke_token, name="revoke_token"),
    path("sessions/", views.session_list, name="sessions"),
    path("sessions/<int:pk>/end/", views.end_session, name="end_session"),
    path("sessions/end-others/", views.end_other_sessions, name="end_other_sessions"),
    path("two-step/", mfa_views.two_step, name="two_step"),
    path("two-step/code/", login.TwoStepLoginView.as_view(), name="two_step_login"),
    # Security keys (access/passkeys.py): django-otp-webauthn's ceremonies, narrowed.
    path("two-step/keys/register/begin/", passkey_views.RegisterBegin.as_view(),
         name="passkey_register_begin"),
    path("two-step/keys/register/complete/", passkey_views.RegisterComplete.as_view(),
         name="passkey_register_complete"),
    path("two-step/keys/name/", passkey_views.name_key, name="passkey_name"),
    path("two-step/keys/<int:pk>/remove/", passkey_views.remove_key, name="passkey_remove"),
    path("two-step/keys/sign-in/begin/", passkey_views.LoginBegin.as_view(),
         name="passkey_login_begin"),
    path("two-step/keys/sign-in/complete/", passkey_views.LoginComplete.as_view(),
         name="passkey_login_complete"),
    path("two-step/keys/script-messages.js", passkey_views.catalog, name="passkey_catalog"),
    path("invitations/<str:secret>/", views.invitation, name="invitation"),
    path("password/", login.PasswordChangeView.as_view(), name="password_change"),
    path("password/reset/", login.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/done/", login.auth_views.PasswordResetDoneView.as_view(),
         name="password_reset_done"),
    path("password/reset/complete/", login.auth_views.PasswordResetCompleteView.as_view(),
         name="password_reset_complete"),
    path("password/reset/<uidb64>/<token>/", login.PasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
    # People join by invitation, and the last administrator's refusal is a message: these two
    # routes come before the register's own and take precedence over them.
    path(f"{people.url_prefix}/add/", views.InviteView.as_view(register=people),
         name="roleassignment_add"),
    path(f"{people.url_prefix}/<int:pk>/reset-two-step/", mfa_views.reset_two_step,
         name="reset_two_step"),
    path(f"{people.url_prefix}/<int:pk>/archive/",
         views.RoleAssignmentArchiveView.as_view(register=people, archive=True),
         name="roleassignment_archive"),
]
urlpatterns += people.get_urls()

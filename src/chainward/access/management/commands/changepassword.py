"""`chainward changepassword <e-mail>`: Django's command, but the password set is a one-time
password — its holder must choose their own at their next login, so nobody keeps a password
someone else knows. `--own` when you set your own password."""

from django.contrib.auth import get_user_model
from django.contrib.auth.management.commands import changepassword

from chainward.access.services import require_password_change


class Command(changepassword.Command):
    help = ("Set a user's password. It is a one-time password: its holder must choose their "
            "own at their next login, unless --own says you are setting your own.")

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--own", action="store_true",
                            help="The password is your own: no change is forced.")

    def handle(self, *args, **options):
        result = super().handle(*args, **options)
        if not options["own"]:
            model = get_user_model()
            user = model._default_manager.using(options["database"]).get(
                **{model.USERNAME_FIELD: options["username"]})
            require_password_change(user, reason="password set by an operator "
                                                 "(chainward changepassword)")
            result = f"{result} {user.email} must choose their own password at next login."
        return result

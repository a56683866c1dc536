from django.core.management.base import BaseCommand
from django.db import transaction
from wagtail import hooks

from lms import demo
from lms.hooks import DEMO_SEED_HOOK


class Command(BaseCommand):
    help = (
        "Create the demo company (idempotent: run it again and nothing is duplicated). "
        "Apps add their own demo data through the register_demo_seed hook."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset", action="store_true", help="Delete the demo data first and start over."
        )

    def handle(self, *args, reset=False, **options):
        seeders = sorted(
            (fn() for fn in hooks.get_hooks(DEMO_SEED_HOOK)), key=lambda seeder: seeder.order
        )
        with transaction.atomic():
            if reset:
                for seeder in reversed(seeders):
                    seeder.reset()
                demo.reset_organisation()
            demo.seed_organisation(stdout=self.stdout)
            for seeder in seeders:
                seeder.seed(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data ready. Sign in at /accounts/login/ with:"))
        for number, name, role in demo.demo_sign_ins():
            self.stdout.write(f"  {number:<8} {name:<6} {role:<10} password: {demo.DEMO_PASSWORD}")

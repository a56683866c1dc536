"""Demo story placeholder (replaced below)."""

from lms.demo import DemoSeeder


class DrillsDemoSeeder(DemoSeeder):
    order = 400

    def seed(self, stdout=None):
        pass

    def reset(self):
        pass

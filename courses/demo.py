from lms.demo import DemoSeeder


class CoursesDemoSeeder(DemoSeeder):
    order = 20

    def seed(self, stdout=None):
        pass

"""factory-boy factories for the organisation. Other apps' factories live in tests/<app>/factories.py."""

import factory

from units.models import Assignment, Campaign, Office, Post, Role, Unit, User


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"unit{n}")
    name = factory.Sequence(lambda n: f"测试单位{n}")
    kind = "office"
    batch = 2


class OfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Office

    unit = factory.SubFactory(UnitFactory)
    name = factory.Sequence(lambda n: f"科室{n}")


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Post

    unit = factory.SubFactory(UnitFactory)
    office = factory.LazyAttribute(lambda o: OfficeFactory(unit=o.unit))
    name = factory.Sequence(lambda n: f"岗位{n}")
    duties = "负责本岗位的业务工作。"
    is_key = False


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.edu.cn")
    staff_no = factory.Sequence(lambda n: f"T{n:05d}")
    role = Role.STAFF
    unit = factory.SubFactory(UnitFactory)
    password = factory.PostGenerationMethodCall("set_password", "demo12345")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    post = factory.SubFactory(PostFactory)
    user = factory.SubFactory(UserFactory, unit=factory.SelfAttribute("..post.unit"))


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    name = factory.Sequence(lambda n: f"测试批次{n}")
    year = 2010
    batch = 1

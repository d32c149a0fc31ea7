"""The kept figures also hold the unit's post count (the coverage page and dashboard read it instead of counting the
campus's posts); existing rows are filled from the roster."""

from django.db import migrations, models
from django.db.models import Count


def fill_posts(apps, schema_editor):
    Post = apps.get_model("units", "Post")
    UnitRiskFigures = apps.get_model("risks", "UnitRiskFigures")
    totals = dict(Post.objects.order_by().values("unit_id").annotate(n=Count("pk")).values_list("unit_id", "n"))
    for unit_id, n in totals.items():
        UnitRiskFigures.objects.filter(unit_id=unit_id).update(posts=n)


class Migration(migrations.Migration):
    dependencies = [
        ("risks", "0004_unit_risk_figures"),
        ("units", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="unitriskfigures",
            name="posts",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.RunPython(fill_posts, migrations.RunPython.noop),
    ]

"""The Curators group, holding exactly the permissions curation needs.

Curators are staff, not superusers: they edit agendas, projects and tags; review
outputs, proposals and flagged comments; read claims and the history. They cannot
delete anything, nor manage users or groups.
"""

from django.db import migrations

CURATOR_PERMISSIONS = {
    "agenda": ["view", "add", "change"],
    "project": ["view", "add", "change"],
    "tag": ["view", "add", "change"],
    "output": ["view", "change", "review_output"],
    "comment": ["view", "moderate_comment"],
    "flag": ["view"],
    "proposal": ["view", "change", "review_proposal"],
    "claim": ["view"],
    "event": ["view"],
    "statuschange": ["view"],
    "textversion": ["view"],
}


def codenames(model: str, actions: list[str]) -> list[str]:
    return [a if "_" in a else f"{a}_{model}" for a in actions]


def create_group(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally made after all migrations; this group needs them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Curators")
    wanted = [c for model, actions in CURATOR_PERMISSIONS.items() for c in codenames(model, actions)]
    permissions = Permission.objects.filter(content_type__app_label="projects", codename__in=wanted)
    missing = set(wanted) - set(permissions.values_list("codename", flat=True))
    assert not missing, f"permissions not found: {missing}"
    group.permissions.set(permissions)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Curators").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0003_curation"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]

"""Capture every create, update, delete and many-to-many change of registered models."""

from django.db.models.signals import m2m_changed, post_save, pre_delete, pre_save

from chainward.core.registry import registrations

from .services import append_entry


def serialise(instance):
    """The concrete field values of a record, foreign keys as ids."""
    return {f.name: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def _before_save(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        instance._ledger_before = None
        return
    previous = sender._base_manager.filter(pk=instance.pk).first()
    instance._ledger_before = serialise(previous) if previous is not None else None


def _after_save(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    before = None if created else getattr(instance, "_ledger_before", None)
    after = serialise(instance)
    if before == after:
        return
    action = "create" if created else _update_kind(before, after)
    append_entry(action, obj=instance, before=before, after=after)


def _update_kind(before, after):
    """Name archive and restore as such; everything else is an update."""
    if before and "archived" in after and before.get("archived") != after["archived"]:
        return "archive" if after["archived"] else "restore"
    return "update"


def _before_delete(sender, instance, **kwargs):
    append_entry("delete", obj=instance, before=serialise(instance), after=None)


def _m2m_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    if action not in {"pre_add", "pre_remove", "pre_clear", "post_add", "post_remove",
                      "post_clear"}:
        return
    targets = [instance] if not reverse else list(model._base_manager.filter(pk__in=pk_set or []))
    for target in targets:
        field = _m2m_field(type(target), sender)
        if field is None:
            continue
        current = set(getattr(target, field.name).values_list("pk", flat=True))
        if action.startswith("pre_"):
            target._ledger_m2m = {**getattr(target, "_ledger_m2m", {}), field.name: current}
            continue
        before = getattr(target, "_ledger_m2m", {}).pop(field.name, None)
        if before is None or before == current:
            continue
        append_entry("update", obj=target, before={field.name: sorted(before)},
                     after={field.name: sorted(current)})


def _m2m_field(model, through):
    for field in model._meta.many_to_many:
        if field.remote_field.through is through:
            return field
    return None


def connect():
    """Attach the receivers to every registered model (called once from AppConfig.ready)."""
    for reg in registrations():
        model = reg.model
        uid = f"ledger:{reg.label}"
        pre_save.connect(_before_save, sender=model, dispatch_uid=uid + ":pre_save")
        post_save.connect(_after_save, sender=model, dispatch_uid=uid + ":post_save")
        pre_delete.connect(_before_delete, sender=model, dispatch_uid=uid + ":pre_delete")
        for field in model._meta.many_to_many:
            m2m_changed.connect(_m2m_changed, sender=field.remote_field.through,
                                dispatch_uid=f"{uid}:m2m:{field.name}")

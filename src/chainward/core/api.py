"""REST API base classes: the same scope, filters, validation and optimistic locking as the UI."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from chainward.core.scope import organisations_of
from chainward.ledger.context import actor_for, reset_actor, set_actor

from . import problems, services
from .api_expand import display_serializer, wants_display, with_display
from .bounds import INT_MAX, id_or_none
from .registry import get_register

ACTIONS = {"GET": "view", "HEAD": "view", "OPTIONS": "view", "POST": "add", "PUT": "change",
           "PATCH": "change"}


class ConflictError(exceptions.APIException):
    """409: the record changed since the client read it."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"

    def __init__(self, payload):
        super().__init__(payload["detail"])
        self.payload = payload


def exception_handler(exc, context):
    """Map Django's errors to API answers (never a 500 for bad input), as problem details.

    The body follows `core.problems`: type, title, status, detail, and for a 400 the field
    errors under `errors`.
    """
    if isinstance(exc, ConflictError):
        response = Response(exc.payload, status=exc.status_code)
    else:
        if isinstance(exc, DjangoValidationError):
            detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors":
                                                                          exc.messages}
            exc = exceptions.ValidationError(detail)
        elif isinstance(exc, DjangoPermissionDenied):
            exc = exceptions.PermissionDenied(str(exc) or None)
        elif isinstance(exc, Http404):
            exc = exceptions.NotFound(str(exc) or None)
        response = drf_exception_handler(exc, context)
        if response is None:
            return None  # a server error: Django logs it, the middleware answers a problem
    request = context.get("request")
    response.data = problems.from_data(response.status_code, response.data,
                                       code=getattr(exc, "default_code", None),
                                       instance=request.path if request is not None else None)
    return response


class BoundedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A reference by id; an id beyond 64 bits is "does not exist", not a database error."""

    def to_internal_value(self, data):
        if not isinstance(data, bool) and isinstance(data, (int, str)) and \
                id_or_none(data) is None and str(data).strip().lstrip("+-").isdigit():
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)


class RecordSerializer(serializers.ModelSerializer):
    """Base serializer: scoped related choices, model validation, version for locking."""

    serializer_related_field = BoundedPrimaryKeyRelatedField
    url = serializers.SerializerMethodField()
    organisation = serializers.PrimaryKeyRelatedField(read_only=True)
    version = serializers.IntegerField(
        required=False, min_value=0, max_value=INT_MAX,
        help_text="Send back the version you read when updating; a stale version is refused "
                  "with 409.")

    def get_url(self, obj) -> str:
        return obj.get_absolute_url()

    # A derived choice (editable=False, or read-only in the declaration) is empty until it is
    # derived: DRF drops allow_blank/allow_null for read-only fields, so the schema would promise
    # a value the record lacks. Both hooks keep what the model field says.
    def build_standard_field(self, field_name, model_field):
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        if "choices" in kwargs:
            if model_field.blank and isinstance(model_field, (models.CharField,
                                                              models.TextField)):
                kwargs["allow_blank"] = True
            if model_field.null:
                kwargs["allow_null"] = True
        return field_class, kwargs

    def include_extra_kwargs(self, kwargs, extra_kwargs):
        kept = {k: kwargs[k] for k in ("allow_blank", "allow_null") if "choices" in kwargs
                and k in kwargs}
        kwargs = super().include_extra_kwargs(kwargs, extra_kwargs)
        if kwargs.get("read_only"):
            kwargs.update(kept)
        return kwargs

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        # The related choices are narrowed for validating input: a read has none to validate.
        if request is None or not getattr(request, "user", None) or \
                request.method in ("GET", "HEAD"):
            return fields
        from django.contrib.auth import get_user_model

        from chainward.core.registry import registration

        organisation = self.context.get("organisation")
        for fld in fields.values():
            target = getattr(fld, "child_relation", fld)
            queryset = getattr(target, "queryset", None)
            if queryset is not None and not fld.read_only and \
                    queryset.model is get_user_model():
                # People only from the record's organisation, as in the forms.
                target.queryset = queryset.filter(
                    role_assignments__organisation=organisation,
                    role_assignments__archived=False, is_active=True).distinct()
                continue
            if queryset is None or fld.read_only or registration(queryset.model) is None:
                continue
            reg = registration(queryset.model)
            scoped = queryset.model.objects.restrict(request.user, "view")
            if organisation is not None:
                scoped = scoped.filter(**{reg.organisation_path: organisation.pk})
            target.queryset = scoped
        return fields

    def validate(self, attrs):
        model = self.Meta.model
        many = {f.name for f in model._meta.many_to_many}
        instance = self.instance or model()
        if self.instance is None and hasattr(model, "organisation_id"):
            instance.organisation = self.context["organisation"]
        probe = model(**{f.attname: getattr(instance, f.attname)
                         for f in model._meta.concrete_fields})
        probe._state.adding = self.instance is None
        for name, value in attrs.items():
            if name not in many and name != "version":
                setattr(probe, name, value)
        try:
            probe.full_clean(exclude=[*many, "version"])
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from None
        return attrs


class RecordViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                    mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """A register over the API. Records are archived, never deleted (POST …/archive/)."""

    model = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # Token-authenticated users are only known now: attribute ledger entries to them.
        self._actor_token = set_actor(actor_for(request.user,
                                                request_id=getattr(request, "request_id", None)))

    def finalize_response(self, request, response, *args, **kwargs):
        token = getattr(self, "_actor_token", None)
        if token is not None:
            reset_actor(token)
            self._actor_token = None
        return super().finalize_response(request, response, *args, **kwargs)

    @property
    def register(self):
        return get_register(self.model)

    def get_action_name(self):
        if self.action in {"archive", "restore"}:
            return "delete"
        return ACTIONS.get(self.request.method, "view")

    def get_queryset(self):
        register = self.register
        queryset = register.base_queryset().restrict(self.request.user, self.get_action_name())
        # Serializers list many-to-many ids: one query per relation, not one per row.
        many = [f.name for f in self.model._meta.many_to_many]
        if many:
            queryset = queryset.prefetch_related(*many)
        if self.action == "list" and "archived" not in self.request.query_params:
            queryset = queryset.filter(archived=False)
        if wants_display(self.request):
            queryset = with_display(queryset, super().get_serializer_class())
        return queryset

    def get_serializer_class(self):
        # ?expand=display adds related records' names, in the same queries (core.api_expand).
        base = super().get_serializer_class()
        return display_serializer(base) if wants_display(self.request) else base

    def filter_queryset(self, queryset):
        # Filters (and the "hide archived" default) narrow lists; a record addressed by its id
        # is found archived or not, so GET, PATCH and POST …/restore/ reach archived records.
        if self.action == "list":
            return super().filter_queryset(queryset)
        return queryset

    @property
    def filterset_class(self):
        return self.register.filterset_class

    @property
    def ordering_fields(self):
        return [c.sort for c in self.register.bound_columns if c.sort]

    def get_organisation(self):
        """The organisation a new record goes to: `?organisation=` or the user's only one."""
        from chainward.supplychain.models import Organisation

        user = self.request.user
        allowed = organisations_of(user) if not user.is_superuser else set(
            Organisation.objects.values_list("pk", flat=True))
        requested = self.request.query_params.get("organisation") or \
            (self.request.data.get("organisation") if hasattr(self.request.data, "get") else None)
        if requested:
            try:
                requested = int(requested)
            except (TypeError, ValueError):
                raise exceptions.ValidationError(
                    {"organisation": "Give the organisation's numeric id."}) from None
            if requested not in allowed:
                raise exceptions.ValidationError(
                    {"organisation": "You have no role in that organisation."})
            return Organisation.objects.get(pk=requested)
        if len(allowed) == 1:
            return Organisation.objects.get(pk=next(iter(allowed)))
        raise exceptions.ValidationError(
            {"organisation": "You belong to several organisations; say which one."})

    def create(self, request, *args, **kwargs):
        if not (self.register.can_add and self.register.api_can_add):
            raise exceptions.PermissionDenied(
                f"{self.register.verbose_name_plural} cannot be created through the API.")
        return super().create(request, *args, **kwargs)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.request is not None and self.request.user.is_authenticated:
            if self.action == "create":
                context["organisation"] = self.get_organisation()
            elif self.kwargs.get("pk") and self.action not in {"list"}:
                obj = getattr(self, "_object", None)
                context["organisation"] = getattr(obj, "organisation", None)
        return context

    def get_object(self):
        lookup = self.kwargs.get(self.lookup_url_kwarg or self.lookup_field)
        if lookup is not None and id_or_none(lookup) is None:
            raise exceptions.NotFound("No record has this id.")
        self._object = super().get_object()
        if self._object.archived and self.request.method not in permissions.SAFE_METHODS \
                and self.action not in {"archive", "restore"}:
            raise exceptions.PermissionDenied("Restore this record before changing it.")
        return self._object

    def perform_create(self, serializer):
        self._save(serializer, None)

    def perform_update(self, serializer):
        version = serializer.validated_data.get("version")
        if version is None:
            raise exceptions.ValidationError(
                {"version": "Send the version you read; it stops you overwriting someone "
                            "else's change."})
        self._save(serializer, version)

    def update(self, request, *args, **kwargs):
        self.get_object()
        return super().update(request, *args, **kwargs)

    def _save(self, serializer, expected_version):
        data = dict(serializer.validated_data)
        data.pop("version", None)
        many = {f.name for f in self.model._meta.many_to_many}
        instance = serializer.instance or self.model()
        if serializer.instance is None and hasattr(self.model, "organisation_id"):
            instance.organisation = serializer.context["organisation"]
        relations = {k: data.pop(k) for k in list(data) if k in many}
        for name, value in data.items():
            setattr(instance, name, value)
        # A serializer's own step inside the saving transaction (evidence stores its upload).
        hook = getattr(serializer, "before_save", None)
        try:
            # Many-to-many values, the register's after_save and the scope re-check all happen
            # inside save_record, as for the UI and imports.
            services.save_record(self.request.user, instance, relations=relations,
                                 expected_version=expected_version,
                                 before_save=hook and (lambda user: hook(user, instance)))
        except services.Conflict as conflict:
            raise ConflictError({
                "detail": f"This record changed since version {expected_version}; it is now "
                          f"version {conflict.current.version}. Reload it and apply your change "
                          "again.",
                "current_version": conflict.current.version,
            }) from None
        serializer.instance = instance

    def _set_archived(self, archived):
        obj = self.get_object()
        obj = services.set_archived(self.request.user, obj, archived)
        return Response(self.get_serializer(obj).data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def archive(self, request, pk=None):
        """Archive the record (records are never deleted)."""
        return self._set_archived(True)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def restore(self, request, pk=None):
        """Restore an archived record."""
        return self._set_archived(False)


_viewsets = {}


def viewset_for(model):
    """Declare the API of a register: a RecordViewSet bound to the serializer generated from
    the register's declaration (`Register.get_serializer_class`)."""
    if model in _viewsets:
        return _viewsets[model]
    register = get_register(model)
    doc = (model.__doc__ or "").strip().splitlines()[0]
    base = register.viewset_base or RecordViewSet
    _viewsets[model] = type(f"{model.__name__}ViewSet", (base,), {
        "model": model,
        "queryset": model.objects.none(),
        "serializer_class": register.get_serializer_class(),
        "__doc__": base.__doc__ if register.viewset_base else
        f"{str(model._meta.verbose_name_plural).capitalize()} — {doc}",
    })
    return _viewsets[model]

"""YAML data files (catalogues, demo data), parsed with libyaml's C parser when PyYAML was built
with it (the wheels are): the same safe loader, about ten times faster than the pure-Python one,
which reading the catalogues on every `chainward demo` and `catalogs load` spent most of its time
in. A file the C parser refuses is parsed again by the pure-Python one, whose error names the line
where the problem starts (libyaml names where it noticed it)."""

import yaml

YAMLError = yaml.YAMLError
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(stream):
    """`yaml.safe_load`, on the fastest safe loader available."""
    try:
        return yaml.load(stream, Loader=_FAST_LOADER)
    except yaml.YAMLError:
        if _FAST_LOADER is yaml.SafeLoader:
            raise
        return yaml.safe_load(stream)

"""Safe names for uploaded files: no folders, control characters or device names."""

import re
import unicodedata

NAME_MAX_CHARS = 120
NAME_MAX_BYTES = 240
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", "conin$", "conout$",
                     *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10)),
                     *(f"com{c}" for c in "¹²³"), *(f"lpt{c}" for c in "¹²³")}
_UNSAFE_CHARS = re.compile(r'[<>:"|?*]')
_EXTENSION = re.compile(r"[A-Za-z0-9]{1,10}")


def split_extension(name):
    """`(stem, extension)`; the extension (lower case) only if it looks like one."""
    stem, dot, ext = name.rpartition(".")
    if dot and stem and _EXTENSION.fullmatch(ext) and re.search(r"[A-Za-z]", ext):
        return stem, ext.lower()
    return name, ""


def sanitise_name(name):
    """A harmless file name: no folders, `..`, control or invisible characters, no leading dots,
    no reserved Windows device names; whitespace collapsed; at most 120 characters; never empty.

    `../../etc/passwd` → `passwd`, `..\\..\\boot.ini` → `boot.ini`, `CON.txt` → `_CON.txt`.
    """
    name = unicodedata.normalize("NFKC", str(name or ""))  # also turns ／ and ＼ into / and \
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    # Drop control and format characters (NUL, bidi overrides that disguise “exe.pdf”, …).
    name = "".join(ch for ch in name
                   if unicodedata.category(ch) not in {"Cc", "Cf", "Cs", "Co", "Cn"} or ch in "\t")
    name = _UNSAFE_CHARS.sub("_", name)
    name = " ".join(name.split())
    name = name.strip(" .")  # leading dots (hidden files, “..”) and Windows' trailing dots
    stem, ext = split_extension(name)
    stem = stem.rstrip(" .")
    if stem.split(".", 1)[0].strip().lower() in _WINDOWS_RESERVED:
        stem = "_" + stem
    suffix = f".{ext}" if ext else ""
    room = NAME_MAX_CHARS - len(suffix)
    stem = stem[:room]
    while len((stem + suffix).encode()) > NAME_MAX_BYTES:
        stem = stem[:-1]
    stem = stem.rstrip(" .")
    return (stem or "file") + suffix


def has_unsafe_parts(name):
    """Whether a client-supplied name carries folders, `..` or control characters."""
    name = str(name or "")
    return ("/" in name or "\\" in name or name.strip() in {".", ".."}
            or any(unicodedata.category(ch) in {"Cc", "Cf"} for ch in name))

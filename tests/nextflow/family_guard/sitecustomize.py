"""Makes this Python behave like a metevo image with respect to third-party imports.

Put this folder first on PYTHONPATH and list, in METEVO_ALLOWED_IMPORTS (comma-separated),
the top-level modules of the image's requirements.txt. Importing any other non-stdlib module
then fails with ModuleNotFoundError, as it would in the image, so a step that needs a package
its family's image lacks fails its test instead of failing in a user's Nextflow run.
"""

import os
import sys

_allowed = set(filter(None, os.environ.get("METEVO_ALLOWED_IMPORTS", "").split(",")))
# Modules of the interpreter and its packaging that sys.stdlib_module_names does not list.
_interpreter = ("_sysconfigdata", "__editable__", "_distutils_hack", "usercustomize")


class _ImageGuard:
    def find_spec(self, fullname, path=None, target=None):
        top = fullname.partition(".")[0]
        if top in _allowed or top in sys.stdlib_module_names or top == "metevo" or top.startswith(_interpreter):
            return None  # let the normal finders handle it
        raise ModuleNotFoundError(f"No module named '{top}' in this image (not in its requirements.txt)", name=top)


if "METEVO_ALLOWED_IMPORTS" in os.environ:
    sys.meta_path.insert(0, _ImageGuard())

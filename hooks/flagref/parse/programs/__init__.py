"""Option syntax of common programs: ``data/programs.yaml``, read strictly.

The flag catalog says what Kubernetes flags mean; this data says only how
command lines are put together: which options take a value (so that the
word after ``-o`` is not an operand), which short options bundle (``-xzf``),
and which programs run another command (``sudo``, ``ssh HOST CMD``,
``sh -c STRING``, ``kubectl exec POD -- CMD``) and where that command is.
The shell reader (:mod:`.shell`) asks it; the engine asks the catalog first
and this second.

Reading is strict, like the catalog's: an unknown key, a repeated option or a
malformed one raises :class:`ProgramsError` (a ``ValueError``) whose message
starts with ``file:line``. :mod:`.model` holds the records and the queries,
:mod:`.loader` the reading.
"""

from .loader import DEFAULT_PATH, MODES, OPERANDS, STYLES, ProgramsError, load_programs
from .model import CarrierSpec, Programs, ProgramSpec

__all__ = [
    "DEFAULT_PATH",
    "MODES",
    "OPERANDS",
    "STYLES",
    "CarrierSpec",
    "ProgramSpec",
    "Programs",
    "ProgramsError",
    "load_programs",
]

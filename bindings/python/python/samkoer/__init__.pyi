from typing import Any, Iterable

from ._samkoer import (
    FileError as FileError,
    InputError as InputError,
    Match as Match,
    OpenFailedError as OpenFailedError,
    RandomError as RandomError,
    RunKey as RunKey,
    SamkoerError as SamkoerError,
    SealingKey as SealingKey,
    __version__ as __version__,
    match_publications as match_publications,
    parse_cpr as parse_cpr,
    publish as publish,
    read_publication as read_publication,
    review as review,
)

def pseudonymise(run_key: RunKey, cprs: Iterable[str]) -> list[bytes]: ...
def pseudonymise_packed(run_key: RunKey, cprs: Iterable[str]) -> bytes: ...
def statistics_frame(match: Match) -> Any: ...

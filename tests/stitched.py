"""Reading stitched answers (projects.stitching) in tests."""

from django.middleware.csrf import CSRF_TOKEN_LENGTH

from projects import stitching
from projects.page_cache import TOKEN_INPUT_LENGTH


def tokens_apart(stretches: list) -> tuple[list[bytes], list]:
    """A stitched answer's stretches as the tokens it holds in stored blocks (the reader's
    CSRF token, alone or as a form's input) and everything else."""
    tokens, rest = [], []
    for stretch in stretches:
        if (
            isinstance(stretch, stitching.Piece)
            and stretch.blocks[:1] == b"\x00"  # a stored block
            and stretch.length in (CSRF_TOKEN_LENGTH, TOKEN_INPUT_LENGTH)
        ):
            tokens.append(stretch.blocks[5:])
        else:
            rest.append(stretch)
    return tokens, rest

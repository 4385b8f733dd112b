"""Templates as Django reads them."""

import re
from pathlib import Path

import qiao

# Django's short comment ends on its own line: a `{#` whose `#}` comes on a later line is not a
# comment, and the page shows it to the user as text.
UNCLOSED_COMMENT = re.compile(r"\{#(?:(?!#\}).)*$", re.MULTILINE)


def test_no_template_shows_a_comment_written_over_two_lines():
    broken = [f"{path.relative_to(Path(qiao.__file__).parent)}: {match.group(0)[:60]}"
              for path in Path(qiao.__file__).parent.rglob("*.html")
              for match in UNCLOSED_COMMENT.finditer(path.read_text())]
    assert broken == []

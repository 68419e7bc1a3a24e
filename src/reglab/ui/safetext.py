"""Text from files, links and imported JSON, made safe for Streamlit's Markdown.

``st.markdown``, captions, ``st.error``/``st.warning``, toasts, widget labels, radio options
and ``help=`` tooltips all render Markdown — and Streamlit's extras: ``:red[…]`` colours,
``:material/…:`` icons, ``$…$`` LaTeX, and GitHub-style autolinks of bare URLs, ``www.``
hosts and e-mail addresses.  Escaping HTML is not enough.  :func:`md` returns text that
renders as exactly the characters given (checked in Chromium for each construct by
``tests/test_browser_hostile.py``).
"""

from __future__ import annotations

import re

#: Every ASCII punctuation character may be backslash-escaped in CommonMark, and an escaped
#: character never starts syntax: links, emphasis, code, HTML, LaTeX, colour directives.
_PUNCTUATION = re.compile(r"""([!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])""")
#: Autolinks and the ``<-``/``->`` arrow ligature act on the unescaped text, so these patterns
#: are broken with a WORD JOINER (U+2060): invisible, and it does not allow a line break.
_JOINER = "\u2060"
_AUTOLINK = re.compile(r"(?<=:)(?=//)|(?<=www)(?=\.)|(?=@)|(?<=<)(?=-)|(?<=-)(?=>)", re.IGNORECASE)


def md(text: object) -> str:
    """``text`` as Markdown that displays literally (for labels, captions, errors, tooltips)."""
    escaped = _PUNCTUATION.sub(r"\\\1", _AUTOLINK.sub(_JOINER, str(text)))
    # A newline would start a new Markdown block (a "# " heading, a "- " list); show it as a space.
    return escaped.replace("\r", " ").replace("\n", " ")

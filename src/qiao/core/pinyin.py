"""Pinyin keys so that 张三 is found by typing zhangsan or zs."""

from pypinyin import lazy_pinyin


def pinyin_keys(text: str) -> tuple[str, str]:
    """(full pinyin, initials) of `text`, lower case, without spaces; non-Chinese
    characters pass through (so ABC贸易 gives "abcmaoyi" and "abcmy")."""
    if not text:
        return "", ""
    # pypinyin documents that `errors` may return a list (one item per character); its type
    # hints allow only a string.
    syllables = [s.lower() for s in lazy_pinyin(
        text, errors=lambda chars: list(chars)) if s.strip()]  # type: ignore[arg-type, return-value]
    full = "".join(syllables)
    initials = "".join(s[0] for s in syllables if s[0].isalnum())
    return full, initials

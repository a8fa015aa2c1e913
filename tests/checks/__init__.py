"""Shared by the checker tests: what a failing verdict must say."""


def assert_fails(verdict, code: str, *hint_words: str, absent: tuple[str, ...] = ()):
    """A failing verdict with this mistake's code, a hint holding these words, and none of the `absent` ones."""
    assert not verdict, repr(verdict)
    assert verdict.code == code, repr(verdict)
    said = f"{verdict.message} {verdict.hint}".lower()
    for word in hint_words:
        assert word.lower() in said, (word, repr(verdict))
    for word in absent:
        assert word.lower() not in said, (word, repr(verdict))

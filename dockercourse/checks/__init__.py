"""Exercise checkers: each says exactly what is right or wrong, with a hint when it is wrong.

One module per chapter (``ch00`` … ``ch06``) and ``common`` (the Verdict every checker returns, and how
they look at the engine). A checker takes what the learner's cell produced (the lines of a
`!docker …` command captured with ``answer = !…``, a value, or nothing: it asks the engine) and
judges it against the engine itself, not against a stored answer. It returns a Verdict and never
raises: an answer that is not there yet is a hint, not an error.

A chapter uses its own: ``from dockercourse.checks import ch04``, then ``ch04.runs_as_non_root(…)``.
Each module is tested by ``tests/checks/test_chNN.py`` against the solution shown in the chapter
and typical wrong answers.
"""

"""MkDocs hook for the chapter pages: their pictures, where the site serves them.

A chapter links its diagrams relative to itself (``![…](img/03-engine-chain.svg)``), which JupyterLab
resolves in notebooks/. The site serves the chapter one level deeper (notebooks/03-architecture/),
and mkdocs-jupyter passes its HTML through untouched, so the hook points those links one level up.
"""

import re

IMAGE_SOURCE = re.compile(r'(<img\b[^>]*\bsrc=")img/')


def on_page_content(html, page, config, files):
    if page.file.src_path.endswith(".ipynb"):
        return IMAGE_SOURCE.sub(r"\1../img/", html)
    return html

# The course image: JupyterLab with the chapters, the helper package and every requirement, as a
# non-root user. It has Docker's client only: it drives the host's engine through the mounted socket.
#   make course-image                      (or: docker build -t dockercourse/lab:VERSION .)
#   SOCKET=$(docker context inspect --format '{{.Endpoints.docker.Host}}'); SOCKET=${SOCKET#unix://}
#   docker run --rm --network host --pid host --group-add "$(stat -c %g "$SOCKET")" \
#     -v "$SOCKET":/var/run/docker.sock -v /tmp:/tmp dockercourse/lab:VERSION
# Host network, host PIDs and the host's /tmp: the chapters reach published ports on 127.0.0.1,
# look at containers' processes as the host sees them, and bind-mount directories under /tmp.
# The socket gives this container root-equivalent power over the host: see docs/setup.md, "The course in a container".

# The course's own pinned Python base, from the image manifest (dockercourse/images.toml).
FROM python:3.14-slim-trixie

# Docker's client with the buildx and compose plugins (the notebooks run `docker build` and
# `docker compose`), curl for the Compose chapter, ps for the processes chapters 01 and 03 look at. Not version-pinned: the base's Debian release
# pins them, and Debian drops superseded package versions from its mirror, which would break the build.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends docker-cli docker-buildx docker-compose curl procps \
    && apt-get clean && rm -rf /var/lib/apt/lists/*

# The learner (UID 1000): not root, with a home for JupyterLab's settings and the chapters' working files, and a
# member of the group docker (GID 999), which owns the private engine's socket in the course stack and on a
# workshop server (dockerd --group=999), as the group of that name owns the socket of a Linux install.
# The course's folder is the learner's too: JupyterLab, the chapters and the tests write there (build/, the work
# volume of the course stack, which starts as a copy of it, owner included).
RUN groupadd --system --gid 999 docker \
    && useradd --create-home --uid 1000 --groups docker --shell /bin/bash learner \
    && install -d -o learner -g learner /home/learner/course
WORKDIR /home/learner/course

# Requirements first: this layer is rebuilt only when requirements.txt changes.
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

# Then the course itself, owned by the learner so that notebooks can be edited and saved.
COPY --chown=learner:learner . .
# Then JupyterLab's defaults for the course (dockercourse/machine/lab.py): no prompt about Jupyter news.
RUN pip install --no-cache-dir --no-deps -e . \
    && python -m dockercourse lab --write-settings

USER 1000
# matplotlib's font cache, built now: its first import would otherwise say so under a chapter's plot. Then the
# slide decks (dockercourse/tooling/slides.py; reveal.js from npm's registry) in build/slides/, for JupyterLab.
RUN python -c "import matplotlib.pyplot" \
    && python -m dockercourse.tooling.slides
# JupyterLab reads JUPYTER_PORT; the lab is on the host's 127.0.0.1 only (with --network host),
# and asks for the token printed in the container's log.
ENV JUPYTER_PORT=8888
# The learner's progress log (dockercourse/progress.py) in the course's folder, which the stack's work volume keeps.
ENV DOCKERCOURSE_DATA=/home/learner/course/.dockercourse
EXPOSE 8888
# The course's root is JupyterLab's (the chapters beside sample_app/), and `/` opens chapter 00.
CMD ["jupyter", "lab", "--no-browser", "--ip=127.0.0.1", "--ServerApp.root_dir=/home/learner/course", \
     "--LabApp.default_url=/lab/tree/notebooks/00-preflight.ipynb"]

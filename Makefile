# The course's commands. `make help` lists them; `make lab` and `make test` are the two to know.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
# The package is run straight from the checkout for engine and images: they need only the
# standard library (3.11+), so they work before (and without) the virtualenv.
PYTHON_OK := $(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is needed: install it, or run make PYTHON=python3.12")'
COURSE := $(PYTHON_OK) && $(PYTHON) -m dockercourse
LAB_IP ?= 127.0.0.1
# `make stack LAB_PORT=8890`: that port for the stack's JupyterLab (else 8888 or the next free one).
LAB_PORT_SET := $(LAB_PORT)
# Where `make bundle` writes the workshop bundle and `make bundle-load` reads it.
BUNDLE ?= build/workshop-bundle
port = $(shell $(PYTHON) -c 'from dockercourse.course import $(1); print($(1))')

.DEFAULT_GOAL := help
.PHONY: slides quizzes progress radar first-images-prefetch stack stack-down stack-check workshop-cards workshop-server workshop-check workshop-bench help lab test check engine images doctor doctor-workshop notebooks docs clean lint unit nbval solutions site leaks bench \
	browser course-image bundle bundle-load offline-check

help: ## list the commands
	@grep -E '^[a-z][a-z -]*:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.txt pyproject.toml
	@$(PYTHON_OK)
	$(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install --quiet --upgrade pip
	$(VPY) -m pip install --quiet -r requirements.txt
	$(VPY) -m pip install --quiet --no-deps -e .
	@# matplotlib builds its font cache on first import and says so on stderr: not inside a chapter's plot cell.
	$(VPY) -c "import matplotlib.pyplot"
	@touch $@

engine: ## use the running Docker engine, or install and start one (Debian/Ubuntu, root)
	@$(COURSE) engine

images: engine ## make sure every image in the manifest is there (pull, or build a stand-in offline)
	@$(COURSE) images

doctor: ## check this machine for the course
	@$(COURSE) doctor

doctor-workshop: ## the room preflight: everything a workshop day needs, as a red/green table
	@$(COURSE) doctor --workshop

course-image: images ## build the course image: JupyterLab and the chapters in a container (README)
	@$(COURSE) course-image

bundle: $(VENV)/.installed course-image ## write the offline workshop bundle to BUNDLE (images, wheels, course)
	@$(VPY) -m dockercourse bundle $(BUNDLE)

# The bundle's wheels for the course's virtualenv (the layout is dockercourse/machine/bundle.py's).
BUNDLE_WHEELS = $(abspath $(BUNDLE))/$(shell $(PYTHON) -c 'from dockercourse.machine.bundle import HOST_WHEELS; print(HOST_WHEELS)')
# In the room: the images into the engine, then the virtualenv from the bundle's wheels only (the
# environment beats any pip configuration), and a pip.conf that keeps the virtualenv's pip there.
bundle-load: ## in a room with no network: load BUNDLE's images, install Python packages from its wheels only
	@$(COURSE) bundle-load $(BUNDLE)
	@PIP_NO_INDEX=1 PIP_FIND_LINKS="$(BUNDLE_WHEELS)" $(MAKE) --no-print-directory $(VENV)/.installed
	@printf '[global]\nno-index = true\nfind-links = %s\n' "$(BUNDLE_WHEELS)" > $(VENV)/pip.conf
	@echo "bundle-load: .venv installs from $(BUNDLE_WHEELS) only; next: make doctor-workshop"

offline-check: ## root: the bundle, then every chapter in the course stack from it, the network cut (DROP)
	@bash dockercourse/tooling/offline_check.sh

# JupyterLab on the course's root and chapter 00, on 8888 or the next free port (dockercourse/machine/lab.py).
# The fast way to the first cell: the virtualenv and the engine side by side, then only the images chapter 00
# needs; the other images are prepared in the background (build/images.log), and each chapter's first cell
# waits for its own if they are not there yet.
lab: ## start JupyterLab on the first chapter (LAB_IP=0.0.0.0 on a server)
	@$(MAKE) --no-print-directory -j3 $(VENV)/.installed engine first-images-prefetch
	@$(VPY) -m dockercourse images --chapter 00
	@$(VPY) -m dockercourse lab --ip=$(LAB_IP) --prepare-images

# Offline, on a fresh machine: chapter 00's stand-ins are built while the engine is being installed.
first-images-prefetch:
	@$(COURSE) images --prefetch --chapter 00

# The course stack (compose.yaml): JupyterLab and a private engine, nothing mounted from the host.
stack: images ## the course in a container stack of its own: JupyterLab + a private engine (LAB_PORT=…)
	@$(COURSE) stack up $(if $(LAB_PORT_SET),--port $(LAB_PORT_SET))

stack-down: ## stop the course stack, keeping your work (python -m dockercourse stack down --reset: remove it too)
	@$(COURSE) stack down

# The workshop server (docs/workshop-server.md): ROSTER is a CSV file with a `name` column (and `role`).
WORKSHOP_PORT ?= $(call port,WORKSHOP_PORT)
workshop-cards: $(VENV)/.installed browser ## the room's accounts and login cards (A4 PDF): ROSTER=room.csv
	@$(VPY) -m dockercourse workshop-cards --roster $(ROSTER)

workshop-server: $(VENV)/.installed images ## JupyterHub for the room, a course stack per learner: ROSTER=room.csv
	@$(VPY) -m dockercourse workshop-server --roster $(ROSTER) --port $(WORKSHOP_PORT)

workshop-check: $(VENV)/.installed images browser ## CI: the workshop server with three learners, end to end
	@$(VPY) -m dockercourse.tooling.harness workshop

workshop-bench: $(VENV)/.installed images ## what N learners cost on this machine (N=3): memory, CPU, time; quiet machine
	@$(VPY) -m dockercourse.tooling.workshop_bench $(or $(N),3)

slides: $(VENV)/.installed ## the slide decks, a chapter's and an agenda's, into build/slides (reveal.js from npm)
	@$(VPY) -m dockercourse.tooling.slides

quizzes: $(VENV)/.installed ## the chapters' quizzes for the site, from docs/quizzes/NN.toml and the stored outputs
	@$(VPY) -m dockercourse.tooling.quiz

progress: $(VENV)/.installed ## your progress: each exercise solved, tried (with its last hint) or not; where to resume
	@$(VPY) -m dockercourse progress

radar: $(VENV)/.installed ## the instructor's live view of the room (learners join with the command it prints)
	@$(VPY) -m dockercourse radar serve

stack-check: $(VENV)/.installed images browser ## CI, root: the stack via its dev container, then every chapter in it offline
	@$(VPY) -m dockercourse.tooling.harness stack
	@$(MAKE) --no-print-directory offline-check

browser: ## make sure Chromium is there for the site's browser tests (Debian/Ubuntu: installs it)
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
		&& echo "browser: installing Debian's chromium …" \
		&& DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null; } \
		|| { echo "browser: the site's tests need Chromium: install it (Debian/Ubuntu: apt-get install chromium)"; exit 1; }

test: $(VENV)/.installed images browser ## every check: lint, unit tests, notebooks under nbval, site, leaks
	@$(VPY) -m dockercourse.tooling.harness

check: $(VENV)/.installed ## the inner loop: lint, the unit tests that need no engine, the chapters changed since main
	@$(VPY) -m dockercourse.tooling.harness lint unit-fast nbval-changed

lint: $(VENV)/.installed ## one stage of make test (no engine needed)
	@$(VPY) -m dockercourse.tooling.harness $@

site: $(VENV)/.installed browser ## one stage of make test: build the site strictly, then test it in Chromium
	@$(VPY) -m dockercourse.tooling.harness $@

unit nbval: $(VENV)/.installed images ## one stage of make test (nbval: each exercise solved after its hint)
	@$(VPY) -m dockercourse.tooling.harness $@

solutions: $(VENV)/.installed images ## executed, solved copies of the chapters in build/solved/ (for instructors)
	@$(VPY) -m dockercourse solutions

leaks: $(VENV)/.installed ## one stage of make test: nothing the course labelled may remain
	@$(VPY) -m dockercourse.tooling.harness $@

notebooks: $(VENV)/.installed images ## re-execute every notebook in place, refreshing the stored outputs (CHAPTERS="05 07": some)
	@$(VPY) -m dockercourse.tooling.store $(CHAPTERS)

docs: $(VENV)/.installed ## serve the site locally (prints its address)
	$(VENV)/bin/mkdocs serve --dev-addr 127.0.0.1:$(call port,DOCS_PORT)

clean: ## remove what the course created in the engine (by label); the manifest's images stay
	@$(COURSE) clean

bench: $(VENV)/.installed images ## the last make test's timing table; the sample app (sizes, build cache, start/stop, load); the stack
	@$(VPY) -m dockercourse.tooling.timings
	@$(VPY) -m dockercourse.tooling.bench
	@$(VPY) -m dockercourse.tooling.stack_bench

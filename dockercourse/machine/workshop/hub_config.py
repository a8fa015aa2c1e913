# JupyterHub's configuration for the workshop server (`jupyterhub -f` this file; `make workshop-server` starts it).
# What the hub reads from its environment is set by dockercourse/machine/workshop/server.py:
#   WORKSHOP_PORT (the room's address), WORKSHOP_BIND (0.0.0.0 for the room, 127.0.0.1 for the tests),
#   WORKSHOP_DIR (the hub's state: database, cookie secret), WORKSHOP_ACCOUNTS, WORKSHOP_IMAGES (the image
#   archives for the learners' engines), WORKSHOP_MIRROR (1 when the registry mirror runs), WORKSHOP_PROXY
#   (configurable-http-proxy), WORKSHOP_IDLE_TIMEOUT (seconds).
import os
import sys

from dockercourse.machine.course_image import course_image_name
from dockercourse.machine.workshop.auth import RosterAuthenticator
from dockercourse.machine.workshop.spawner import CourseSpawner
from dockercourse.manifest import manifest_image

c = get_config()  # noqa: F821 - JupyterHub provides it

port = int(os.environ["WORKSHOP_PORT"])
state = os.environ["WORKSHOP_DIR"]

# The room reaches the hub's proxy; the hub's own API (port + 1) is what the learners' servers call back, each at
# its network's gateway (CourseSpawner sets that learner's hub_connect_url), so the API listens on every address
# (it answers only with a token); the proxy's API (port + 2) stays on loopback.
c.JupyterHub.bind_url = f"http://{os.environ.get('WORKSHOP_BIND', '0.0.0.0')}:{port}"
c.JupyterHub.hub_bind_url = f"http://0.0.0.0:{port + 1}"
c.JupyterHub.hub_connect_url = f"http://127.0.0.1:{port + 1}"  # the idle culler's, on this machine
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{port + 2}"
c.ConfigurableHTTPProxy.command = [os.environ["WORKSHOP_PROXY"]]
c.JupyterHub.db_url = f"sqlite:///{state}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = f"{state}/jupyterhub_cookie_secret"
c.JupyterHub.pid_file = f"{state}/jupyterhub.pid"

c.JupyterHub.authenticator_class = RosterAuthenticator
c.RosterAuthenticator.accounts_file = os.environ["WORKSHOP_ACCOUNTS"]

c.JupyterHub.spawner_class = CourseSpawner
c.CourseSpawner.image = course_image_name()
c.CourseSpawner.engine_image = manifest_image("docker").name
c.CourseSpawner.images_dir = os.environ["WORKSHOP_IMAGES"]
c.CourseSpawner.hub_api_port = port + 1
c.CourseSpawner.mirror_port = port + 3 if os.environ.get("WORKSHOP_MIRROR") else 0
c.CourseSpawner.radar_port = port + 4
c.CourseSpawner.pull_policy = "never"  # the course image is built or loaded on this machine
c.CourseSpawner.remove = True
c.Spawner.default_url = "/lab/tree/notebooks/00-preflight.ipynb"
c.Spawner.start_timeout = 600  # a first start loads the course's images into the learner's engine
c.Spawner.http_timeout = 300

# Idle servers are stopped (and their engines removed) by the idle culler, a service of the hub.
# The room radar (machine/radar.py) is another: on every address of port + 4, where the learners' labs reach it
# at their network's gateway (offered to them, not joined: progress.py) and the instructor opens its dashboard.
c.JupyterHub.services = [{"name": "idle-culler", "command": [
    sys.executable, "-m", "jupyterhub_idle_culler", f"--timeout={os.environ.get('WORKSHOP_IDLE_TIMEOUT', '3600')}",
    "--cull-every=60"]},
    {"name": "radar", "command": [sys.executable, "-m", "dockercourse", "radar", "serve", f"--port={port + 4}",
                                  f"--database={state}/radar.sqlite"]}]
c.JupyterHub.load_roles = [{"name": "idle-culler", "services": ["idle-culler"],
                            "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"]}]

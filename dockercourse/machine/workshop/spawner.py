"""Each learner's server: the course stack's two containers, made by the hub (DockerSpawner, extended).

- a private engine (the manifest's docker-in-docker image, privileged, capped), on a network of the learner's own,
  its data in a volume of its own;
- the lab (the course image, as learner) in the engine's network namespace, as in compose.yaml, running
  jupyterhub-singleuser; its work in a volume of the learner's own, kept when the server stops;
- on stop (the learner's, the instructor's or the idle culler's): the lab, the engine with every container it ran,
  the engine's data and the network go; the work volume stays.

Used by: hub_config.py.
"""

from dockerspawner import DockerSpawner
from traitlets import Integer, Unicode

from ... import LABEL
from ...progress import RADAR_OFFER_ENV
from ..stack import COURSE_IN_LAB
from . import CAPS

#: What the course's resources of the workshop carry: `make clean` and the checks find them by it.
CREATOR = "workshop"
ENGINE_SOCKET_DIR = "/run/engine"
LAB_PORT_INSIDE = 8888


def learner_resources(name: str) -> dict[str, str]:
    """The names of one learner's containers, network and volumes."""
    prefix = f"dockercourse-ws-{name}"
    return {"engine": f"{prefix}-engine", "lab": f"{prefix}-lab", "network": prefix, "engine_data": f"{prefix}-docker",
            "socket": f"{prefix}-socket", "tmp": f"{prefix}-tmp", "work": f"{prefix}-work"}


def _bytes(size: str) -> int:
    units = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}
    return int(float(size[:-1]) * units[size[-1].lower()]) if size[-1].lower() in units else int(size)


class CourseSpawner(DockerSpawner):
    """DockerSpawner, with a private engine beside each learner's lab container."""

    engine_image = Unicode(config=True, help="the manifest's docker-in-docker image")
    # The lab container's name: learner_resources(name)["lab"].
    name_template = Unicode("dockercourse-ws-{username}-lab", config=True)
    images_dir = Unicode(config=True, help="the host folder of image archives the lab loads into the engine")
    hub_api_port = Integer(config=True, help="the hub's API, on every address of the hub's machine")
    mirror_port = Integer(0, config=True, help="the registry mirror's port on the hub's machine (0: no mirror)")
    radar_port = Integer(0, config=True, help="the room radar's port on the hub's machine (0: no radar)")

    def _names(self) -> dict[str, str]:
        return learner_resources(self.user.name)

    async def _create_network_and_volumes(self, names: dict[str, str]) -> str:
        """The learner's network and volumes; returns the network's gateway, the hub's machine as the learner's
        containers reach it. (Not Docker's default bridge address, 172.17.0.1: inside the learner's engine that is
        the engine's own bridge.)"""
        labels = {LABEL: CREATOR, f"{LABEL}.learner": self.user.name}
        networks = await self.docker("networks", names=[names["network"]])
        if not any(network["Name"] == names["network"] for network in networks):
            await self.docker("create_network", names["network"], driver="bridge", labels=labels)
        for key in ("engine_data", "socket", "tmp", "work"):
            await self.docker("create_volume", names[key], labels=labels)
        network = await self.docker("inspect_network", names["network"])
        return network["IPAM"]["Config"][0]["Gateway"]

    async def _start_engine(self, names: dict[str, str]) -> None:
        await self._remove_engine(names)  # what an interrupted start left
        gateway = await self._create_network_and_volumes(names)
        self.hub_connect_url = f"http://{gateway}:{self.hub_api_port}"
        # Offered, not joined: `python -m dockercourse radar join` takes it, if the learner wants (progress.py).
        self.radar_offer = {RADAR_OFFER_ENV: f"http://{gateway}:{self.radar_port}"} if self.radar_port else {}
        # The socket's group: the course image's group docker (GID 999), the learner's (Dockerfile).
        command = ["dockerd", f"--host=unix://{ENGINE_SOCKET_DIR}/docker.sock", "--group=999"]
        if self.mirror_port:
            mirror = f"{gateway}:{self.mirror_port}"
            command += [f"--registry-mirror=http://{mirror}", f"--insecure-registry={mirror}"]
        binds = {names["engine_data"]: {"bind": "/var/lib/docker", "mode": "rw"},
                 names["socket"]: {"bind": ENGINE_SOCKET_DIR, "mode": "rw"},
                 names["work"]: {"bind": COURSE_IN_LAB, "mode": "rw"}, names["tmp"]: {"bind": "/tmp", "mode": "rw"}}
        host_config = self.client.create_host_config(
            privileged=True, binds=binds, network_mode=names["network"],
            mem_limit=_bytes(CAPS["engine"]["memory"]), nano_cpus=int(CAPS["engine"]["cpus"] * 1e9))
        engine = await self.docker("create_container", image=self.engine_image, command=command,
                                   name=names["engine"], environment={"DOCKER_TLS_CERTDIR": ""},
                                   labels={LABEL: CREATOR, f"{LABEL}.learner": self.user.name},
                                   host_config=host_config)
        await self.docker("start", engine["Id"])
        await self._wait_for_engine(names)

    async def _wait_for_engine(self, names: dict[str, str], timeout: float = 120) -> None:
        import asyncio
        import time

        started = time.monotonic()
        while time.monotonic() - started < timeout:
            run = await self.docker("exec_create", names["engine"],
                                    ["docker", f"--host=unix://{ENGINE_SOCKET_DIR}/docker.sock", "version"])
            await self.docker("exec_start", run["Id"])
            if (await self.docker("exec_inspect", run["Id"]))["ExitCode"] == 0:
                return
            await asyncio.sleep(1)
        raise RuntimeError(f"{self.user.name}'s engine did not answer within {timeout:.0f} s: "
                           f"`docker logs {names['engine']}` says why")

    async def _remove_engine(self, names: dict[str, str]) -> None:
        """The engine (with every container it ran, which live inside it), its data, the socket and /tmp volumes and
        the network; the learner's work volume stays."""
        from docker.errors import NotFound

        for container in (names["lab"], names["engine"]):
            await self._remove_container(container)
        for key in ("engine_data", "socket", "tmp"):
            try:
                await self.docker("remove_volume", names[key], force=True)
            except NotFound:
                pass
        try:
            await self.docker("remove_network", names["network"])
        except NotFound:
            pass

    async def _remove_container(self, name: str, attempts: int = 5) -> None:
        """Remove a container, forcibly; one that died hard may be "dead" for a moment, so try again."""
        import asyncio

        from docker.errors import APIError, NotFound

        for attempt in range(attempts):
            try:
                await self.docker("remove_container", name, v=True, force=True)
                return
            except NotFound:
                return
            except APIError:
                if attempt == attempts - 1:
                    raise
                await asyncio.sleep(2)

    async def start(self):
        names = self._names()
        await self._start_engine(names)
        self.use_internal_ip = True
        self.volumes = {names["socket"]: ENGINE_SOCKET_DIR, names["work"]: COURSE_IN_LAB, names["tmp"]: "/tmp",
                        self.images_dir: {"bind": "/images", "mode": "ro"}}
        # The engine's socket group (docker, GID 999): with "1000:1000", Docker adds no groups of the image's own.
        self.extra_host_config = {"network_mode": f"container:{names['engine']}", "group_add": ["999"]}
        self.extra_create_kwargs = {"ports": None, "user": "1000:1000",
                                    "labels": {LABEL: CREATOR, f"{LABEL}.learner": self.user.name}}
        self.mem_limit = _bytes(CAPS["lab"]["memory"])
        self.cpu_limit = CAPS["lab"]["cpus"]
        self.environment = {"DOCKER_HOST": f"unix://{ENGINE_SOCKET_DIR}/docker.sock", "DOCKERCOURSE_STACK": "1",
                            "DOCKERCOURSE_IMAGE_ARCHIVES": "/images", **self.radar_offer}
        self.cmd = ["python", "-m", "dockercourse", "stack-lab", "--images", "/images"]
        return await super().start()

    async def get_ip_and_port(self):
        """The lab listens in the engine's network namespace: the engine's address on the learner's network."""
        engine = await self.docker("inspect_container", self._names()["engine"])
        return engine["NetworkSettings"]["Networks"][self._names()["network"]]["IPAddress"], LAB_PORT_INSIDE

    async def stop(self, now=False):
        try:
            await super().stop(now=now)
        finally:  # a lab that died (killed over its memory cap, say) still takes its engine with it
            await self._remove_engine(self._names())

"""Chapter 07's checkers (Networking): the judges against hand-written records, with no engine (the starting
points, typical wrong answers, the chapter's solutions and other correct answers), and the observers against real
containers and networks.

The engine tests name their containers and networks after the test's label (`tests-…`), so they collide with
neither the chapter (course07-…, ports 8070–8079) nor other tests; the fixture removes whatever carries the label.
"""

from dockercourse.checks import ch07
from dockercourse.course import TEST_PORTS
from dockercourse.engine import docker
from dockercourse.manifest import manifest_image
from dockercourse.wait import until

PYTHON = manifest_image("python").name
REDIS = manifest_image("redis").name
PORT = TEST_PORTS[7]  # this module's own host port, for the loopback exercise
DB_AT = "172.19.0.2"


def brief(name: str, networks=("bridge",), running=True, label="07", ports=None, command=()) -> dict:
    return {"name": name, "running": running, "status": "running" if running else "exited", "label": label,
            "networks": list(networks), "ports": ports or {}, "command": list(command)}


# --- Exercise 7.1: records ---------------------------------------------------------------------------------

def name_record(shared=(), label="07", resolved=(DB_AT,), opened=True, marker="written before the fix",
                running=True) -> dict:
    networks = ["bridge", *[name for name, _ in shared]]
    return {"client": brief("course07-ex-client", networks), "server": brief("course07-ex-db", networks, running),
            "shared": [{"name": "bridge", "driver": "bridge", "internal": False, "label": None}] +
                      [{"name": name, "driver": driver, "internal": False, "label": label} for name, driver in shared],
            "reached": {"resolved": list(resolved), "open": opened}, "marker": marker,
            "server_addresses": {"bridge": "172.17.0.2", **{name: DB_AT for name, _ in shared}}}


def test_7_1_starting_point_only_the_default_bridge():
    verdict = ch07.judge_name(name_record(resolved=(), opened=False))
    assert not verdict and verdict.code == "no-shared-network"
    assert "share only the default bridge" in verdict.message and "section 1" in verdict.hint
    assert "create" not in verdict.hint.split() and "connect" not in verdict.hint


def test_7_1_a_recreated_database_lost_its_data():
    verdict = ch07.judge_name(name_record(shared=[("course07-ex-net", "bridge")], marker=None))
    assert not verdict and verdict.code == "db-recreated" and "new container" in verdict.message


def test_7_1_an_unlabelled_network_a_wrong_name_a_closed_port_a_stopped_server():
    assert ch07.judge_name(name_record(shared=[("course07-ex-net", "bridge")], label=None)).code == \
        "network-unlabelled"
    assert ch07.judge_name(name_record(shared=[("course07-ex-net", "bridge")], resolved=())).code == \
        "name-not-resolved"
    assert ch07.judge_name(name_record(shared=[("course07-ex-net", "bridge")], opened=False)).code == "port-closed"
    assert ch07.judge_name(name_record(running=False)).code == "container-missing"


def test_7_1_the_solution_passes():
    verdict = ch07.judge_name(name_record(shared=[("course07-ex-net", "bridge")]))
    assert verdict, repr(verdict)
    assert "on course07-ex-net" in verdict.message and "kept its data" in verdict.message


def test_7_1_another_correct_answer():
    """Another network name, and the database connected with an alias as well: its own name still resolves."""
    assert ch07.judge_name(name_record(shared=[("course07-backend", "bridge")]))


# --- Exercise 7.2: records ---------------------------------------------------------------------------------

def published_record(bindings, running=True, status=200, label="07") -> dict:
    ports = {"8000/tcp": [list(binding) for binding in bindings]} if bindings else {}
    return {"container": brief("course07-ex-web", running=running, label=label, ports=ports), "status": status}


def test_7_2_starting_point_published_on_every_address():
    verdict = ch07.judge_published(published_record([("0.0.0.0", "8075"), ("::", "8075")]))
    assert not verdict and verdict.code == "published-on-all-interfaces"
    assert "0.0.0.0:8075, [::]:8075" in verdict.message and "section 4" in verdict.hint
    assert "127.0.0.1" not in verdict.hint


def test_7_2_other_addresses_ports_and_states():
    assert ch07.judge_published(published_record([("192.168.1.20", "8075")])).code == "published-on-other-address"
    verdict = ch07.judge_published(published_record([("127.0.0.1", "32768")]))
    assert not verdict and verdict.code == "wrong-host-port" and "127.0.0.1:32768" in verdict.message
    assert ch07.judge_published(published_record([])).code == "not-published"
    assert ch07.judge_published(published_record([("127.0.0.1", "8075")], running=False)).code == "not-running"
    assert ch07.judge_published(published_record([("127.0.0.1", "8075")], status=None)).code == "no-answer"
    assert ch07.judge_published({"container": None, "status": None}).code == "container-missing"
    assert ch07.judge_published(published_record([("127.0.0.1", "8075")], label=None)).code == "label-missing"


def test_7_2_the_solution_passes():
    verdict = ch07.judge_published(published_record([("127.0.0.1", "8075")]))
    assert verdict, repr(verdict)
    assert "127.0.0.1:8075 only" in verdict.message


def test_7_2_another_correct_answer():
    """Both loopbacks: -p 127.0.0.1:8075:8000 -p '[::1]:8075:8000'."""
    verdict = ch07.judge_published(published_record([("127.0.0.1", "8075"), ("::1", "8075")]))
    assert verdict and "[::1]:8075" in verdict.message


# --- Exercise 7.3: records ---------------------------------------------------------------------------------

def worker_record(networks=("course07_back",), running=True, opened=True) -> dict:
    return {"worker": brief("course07-worker-1", networks, running) if networks is not None else None,
            "target_networks": ["course07_back"], "reached": {"resolved": ["172.20.0.2"], "open": opened}}


def test_7_3_starting_point_compose_refused_the_blank():
    verdict = ch07.judge_worker(worker_record(networks=None))
    assert not verdict and verdict.code == "worker-missing"
    assert "undefined network ____" in verdict.hint and "section 6" in verdict.hint
    assert "back" not in verdict.hint.replace("background", "")


def test_7_3_front_only_and_front_and_back():
    verdict = ch07.judge_worker(worker_record(networks=("course07_front",)))
    assert not verdict and verdict.code == "not-on-target-network" and "course07_back" in verdict.hint
    verdict = ch07.judge_worker(worker_record(networks=("course07_back", "course07_front")))
    assert not verdict and verdict.code == "extra-network" and "fewest networks" in verdict.hint


def test_7_3_a_stopped_worker_and_an_unreachable_redis():
    assert ch07.judge_worker(worker_record(running=False)).code == "worker-stopped"
    assert ch07.judge_worker(worker_record(opened=False)).code == "target-unreachable"


def test_7_3_the_solution_passes():
    verdict = ch07.judge_worker(worker_record())
    assert verdict, repr(verdict)
    assert "course07_back alone" in verdict.message


def test_7_3_another_correct_answer():
    """The long form (`networks: {back: {}}`) gives the same container on the same network; under another
    project name the networks are named after it."""
    record = worker_record(networks=("staging_back",))
    record["target_networks"] = ["staging_back"]
    assert ch07.judge_worker(record, project="staging")


# --- Exercise 7.4: records ---------------------------------------------------------------------------------

REFUSED = '{"reason":"redis unreachable: Error 111 connecting to course07-cache:6379. Connection refused.",' \
          '"status":"unavailable"}'
UNKNOWN = '{"reason":"redis unreachable: Error -2 connecting to course07-cache:6379. Name or service not known.",' \
          '"status":"unavailable"}'


def app_record(status=200, body='{"counter":"redis","status":"ready"}', app_networks=("course07-data",),
               cache_networks=("course07-data",), cache_ports=None, cache_running=True) -> dict:
    return {"app": brief("course07-app", app_networks, ports={"8000/tcp": [["127.0.0.1", "8074"]]}),
            "cache": brief("course07-cache", cache_networks, cache_running, ports=cache_ports,
                           command=["docker-entrypoint.sh", "redis-server"]),
            "ready": {"status": status, "body": body} if status else None}


def test_7_4_starting_point_connection_refused():
    verdict = ch07.judge_app(app_record(503, REFUSED))
    assert not verdict and verdict.code == "connection-refused"
    assert "Connection refused" in verdict.message and "which addresses does the server listen on" in verdict.hint
    assert "--network" not in verdict.hint and "--bind" not in verdict.hint


def test_7_4_the_shortcuts_that_give_up_isolation():
    assert ch07.judge_app(app_record(app_networks=("host",), cache_networks=("host",))).code == "host-network"
    verdict = ch07.judge_app(app_record(cache_ports={"6379/tcp": [["0.0.0.0", "6379"]]}))
    assert not verdict and verdict.code == "cache-published"


def test_7_4_other_states():
    assert ch07.judge_app(app_record(503, UNKNOWN)).code == "name-not-resolved"
    assert ch07.judge_app(app_record(cache_running=False)).code == "cache-not-running"
    assert ch07.judge_app(app_record(status=None)).code == "app-not-answering"
    assert ch07.judge_app(app_record(500, "oops")).code == "not-ready"


def test_7_4_the_solution_passes():
    verdict = ch07.judge_app(app_record())
    assert verdict, repr(verdict)
    assert "Redis is published nowhere" in verdict.message


def test_7_4_another_correct_answer():
    """`redis-cli CONFIG SET bind '* -::*'` in the running cache: nothing recreated, the same record of a ready app;
    here the app is also on a second network of its own."""
    assert ch07.judge_app(app_record(app_networks=("course07-apps", "course07-data")))


# --- The observers, against real containers --------------------------------------------------------------

def test_the_name_observer_sees_the_default_bridge_then_a_shared_network(test_label):
    db, client, net = f"{test_label}-db", f"{test_label}-client", f"{test_label}-net"
    docker("run", "-d", "--name", db, "--label", f"dockercourse={test_label}", REDIS)
    docker("run", "-d", "--name", client, "--label", f"dockercourse={test_label}", PYTHON, "sleep", "infinity")
    docker("exec", db, "sh", "-c", f"until redis-cli ping; do sleep 0.2; done; redis-cli SET {ch07.MARKER} kept")
    seen = ch07.observe_name(client, db, creator=test_label)
    assert [network["name"] for network in seen["shared"]] == ["bridge"] and seen["reached"]["resolved"] == []
    assert ch07.judge_name(seen, client, db, creator=test_label).code == "no-shared-network"
    docker("network", "create", "--label", f"dockercourse={test_label}", net)
    docker("network", "connect", net, db)
    docker("network", "connect", net, client)
    verdict = ch07.name_resolves(client, db, creator=test_label)
    assert verdict, repr(verdict)


def test_the_publishing_observer_sees_every_address_then_loopback(test_label):
    name = f"{test_label}-web"
    serve = [PYTHON, "python", "-m", "http.server", "8000"]
    docker("run", "-d", "--name", name, "--label", f"dockercourse={test_label}", "-p", f"{PORT}:8000", *serve)
    seen = ch07.observe_published(name, PORT)
    assert ["0.0.0.0", str(PORT)] in seen["container"]["ports"]["8000/tcp"] and seen["status"] == 200
    assert ch07.judge_published(seen, name, PORT, creator=test_label).code == "published-on-all-interfaces"
    docker("rm", "-f", name)
    docker("run", "-d", "--name", name, "--label", f"dockercourse={test_label}", "-p", f"127.0.0.1:{PORT}:8000",
           *serve)
    verdict = ch07.published_on_loopback(name, PORT, creator=test_label)
    assert verdict, repr(verdict)


def test_the_worker_and_app_observers_see_networks_and_readiness(test_label):
    """Containers labelled as Compose labels them stand in for a project; a plain web server for the app (its
    /ready is a 404: the observer reports what the server said)."""
    back = f"{test_label}_back"
    docker("network", "create", "--label", f"dockercourse={test_label}", back)
    compose = ["--label", f"com.docker.compose.project={test_label}", "--label", "com.docker.compose.oneoff=False",
               "--label", f"dockercourse={test_label}", "--network", back]
    docker("run", "-d", "--name", f"{test_label}-redis-1", *compose, "--label", "com.docker.compose.service=redis",
           "--network-alias", "redis", REDIS)
    docker("run", "-d", "--name", f"{test_label}-worker-1", *compose, "--label", "com.docker.compose.service=worker",
           PYTHON, "sleep", "infinity")
    seen = ch07.observe_worker(test_label, creator=test_label)
    assert seen["worker"]["networks"] == [back] and seen["target_networks"] == [back]
    verdict = ch07.worker_on_back_tier(test_label, creator=test_label)
    assert verdict, repr(verdict)

    app = f"{test_label}-app"
    docker("run", "-d", "--name", app, "--label", f"dockercourse={test_label}", "--network", back,
           PYTHON, "python", "-m", "http.server", "8000")
    seen = until(lambda: (found := ch07.observe_app(app, f"{test_label}-redis-1"))["ready"] and found, 15)
    assert seen["cache"]["networks"] == [back] and seen["cache"]["ports"] == {}
    assert seen["ready"]["status"] == 404 and ch07.judge_app(seen, app, f"{test_label}-redis-1").code == "not-ready"

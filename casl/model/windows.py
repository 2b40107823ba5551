"""Windows services and processes, with the PIDs a tasklist would show.

>>> from casl.model.clock import PidSource
>>> w = Windows(PidSource(1)); svc = w.add_service(Service("W3SVC", "World Wide Web Publishing Service", "svchost.exe"))
>>> w.start("W3SVC"); w.process_of("W3SVC").image
'svchost.exe'
"""
from __future__ import annotations

from dataclasses import dataclass, field

from casl.model.clock import PidSource

RUNNING, STOPPED = "Running", "Stopped"


@dataclass
class Service:
    name: str
    display_name: str
    image: str
    start_type: str = "Automatic"
    status: str = STOPPED
    depends_on: tuple[str, ...] = ()
    shared_host: str = ""
    pid: int | None = None


@dataclass
class Process:
    pid: int
    image: str
    services: list[str] = field(default_factory=list)
    session: str = "Services"
    session_id: int = 0
    mem_kb: int = 60_000
    app_pool: str = ""          # w3wp.exe only
    parent_service: str = ""    # child processes such as MSExchangeHMWorker.exe
    user: str = "NT AUTHORITY\\SYSTEM"


class ServiceError(Exception):
    """A service operation Windows refuses (the shell turns it into PowerShell's error text)."""


@dataclass
class Windows:
    pids: PidSource
    services: dict[str, Service] = field(default_factory=dict)
    processes: dict[int, Process] = field(default_factory=dict)
    memory: dict[str, int] = field(default_factory=dict)
    default_memory: int = 60_000

    def add_service(self, svc: Service) -> Service:
        self.services[svc.name.lower()] = svc
        return svc

    def service(self, name: str) -> Service | None:
        key = name.lower()
        if key in self.services:
            return self.services[key]
        return next((s for s in self.services.values() if s.display_name.lower() == key), None)

    def dependents(self, name: str) -> list[Service]:
        """Running services that need ``name`` (directly or through another service)."""
        out: list[Service] = []
        todo = [name.lower()]
        while todo:
            n = todo.pop()
            for s in self.services.values():
                if n in (d.lower() for d in s.depends_on) and s not in out and s.status == RUNNING:
                    out.append(s)
                    todo.append(s.name.lower())
        return out

    def spawn(self, image: str, **kw) -> Process:
        pid = self.pids.next()
        mem = self.memory.get(image, self.default_memory)
        # Vary memory a little, deterministically, so tables look like a real server's.
        mem = mem + self.pids.randint(-mem // 10, mem // 10)
        p = Process(pid, image, mem_kb=mem, **kw)
        self.processes[pid] = p
        return p

    def kill(self, pid: int | None) -> None:
        if pid is not None:
            self.processes.pop(pid, None)

    def process_of(self, service: str) -> Process | None:
        s = self.service(service)
        return self.processes.get(s.pid) if s and s.pid else None

    def start(self, name: str) -> None:
        svc = self.service(name)
        if svc is None:
            raise ServiceError(f"Cannot find any service with service name '{name}'.")
        if svc.status == RUNNING:
            return
        for dep in svc.depends_on:
            if self.service(dep) is not None:
                self.start(dep)
        host = None
        if svc.shared_host:
            host = next((self.processes[s.pid] for s in self.services.values()
                         if s.shared_host == svc.shared_host and s.pid in self.processes), None)
        if host is None:
            host = self.spawn(svc.image)
        host.services.append(svc.name)
        host.services.sort(key=str.lower)
        svc.pid, svc.status = host.pid, RUNNING

    def stop(self, name: str) -> None:
        svc = self.service(name)
        if svc is None or svc.status == STOPPED:
            return
        proc = self.processes.get(svc.pid) if svc.pid else None
        if proc is not None:
            if svc.name in proc.services:
                proc.services.remove(svc.name)
            if not proc.services:
                self.kill(proc.pid)
                for child in [p for p in self.processes.values() if p.parent_service == svc.name]:
                    self.kill(child.pid)
        svc.pid, svc.status = None, STOPPED

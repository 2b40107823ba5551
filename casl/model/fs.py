"""A server's small file system: enough for ``> file``, ``Get-Content`` and backups.

Paths are Windows paths, compared without regard to case, as NTFS does.

>>> fs = FileSystem(); fs.write(r"C:\\IISOutput.txt", "hello\\n")
>>> fs.read(r"c:\\iisoutput.txt")
'hello\\n'
"""
from __future__ import annotations

import ntpath
from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class File:
    path: str
    text: str
    written: datetime | None = None


def normalise(path: str) -> str:
    p = ntpath.normpath(path.replace("/", "\\"))
    return p.lower()


@dataclass
class FileSystem:
    files: dict[str, File] = field(default_factory=dict)
    folders: dict[str, str] = field(default_factory=lambda: {"c:\\": "C:\\"})  # key -> path as created

    def write(self, path: str, text: str, *, append: bool = False, when: datetime | None = None) -> File:
        key = normalise(path)
        old = self.files.get(key)
        if append and old is not None:
            text = old.text + text
        f = File(old.path if old else ntpath.normpath(path), text, when)
        self.files[key] = f
        self.mkdir(ntpath.dirname(f.path))
        return f

    def read(self, path: str) -> str:
        f = self.files.get(normalise(path))
        if f is None:
            raise FileNotFoundError(path)
        return f.text

    def exists(self, path: str) -> bool:
        key = normalise(path)
        return key in self.files or key in self.folders

    def is_dir(self, path: str) -> bool:
        return normalise(path) in self.folders

    def mkdir(self, path: str) -> None:
        shown = ntpath.normpath(path.replace("/", "\\"))
        key = normalise(shown)
        while key and key not in self.folders:
            self.folders[key] = shown
            parent, shown = ntpath.dirname(key), ntpath.dirname(shown)
            if parent == key:
                break
            key = parent

    def remove(self, path: str) -> None:
        self.files.pop(normalise(path), None)

    def listdir(self, path: str) -> list[tuple[str, File | None]]:
        """Entries directly below ``path``: (name, File) for files, (name, None) for folders."""
        base = normalise(path).rstrip("\\") + "\\"
        out: dict[str, File | None] = {}
        for key, f in self.files.items():
            if key.startswith(base) and "\\" not in key[len(base):]:
                out[ntpath.basename(f.path)] = f
        for key, shown in self.folders.items():
            rest = key[len(base):]
            if key.startswith(base) and rest and "\\" not in rest.rstrip("\\"):
                out.setdefault(ntpath.basename(shown.rstrip("\\")), None)
        return sorted(out.items(), key=lambda kv: kv[0].lower())

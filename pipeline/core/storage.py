"""Writing files safely: temp file + rename, under a lock, only when the bytes change; cleaning up after a kill."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import signal
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

# A test hook: kill this process (SIGKILL, as `kill -9` would) at the Nth call of write_atomic that changes a file,
# after the temporary file is written and before it replaces the file, so tests can interrupt a build at every write.
# `count` kills nothing and says on stderr which file each write replaced, so tests know how many writes there are.
KILL_AT_WRITE = "AWARENESS_TEST_KILL_AT_WRITE"
_writes = 0
# what write_atomic's temporaries look like: `.<name>.<random>.tmp` (tempfile's random part: 8 characters)
TEMPORARY = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")


def _count_write(path: Path) -> None:
    global _writes
    _writes += 1
    wanted = os.environ.get(KILL_AT_WRITE)
    if wanted == "count":
        sys.stderr.write(f"awareness: test: write {_writes}: {path}\n")
        sys.stderr.flush()
    elif wanted and wanted.isdigit() and _writes == int(wanted):
        # `<N>` kills (kill -9); the signal can be chosen, e.g. SIGINT for Ctrl-C
        os.kill(os.getpid(), getattr(signal, os.environ.get(KILL_AT_WRITE + "_SIGNAL", "SIGKILL")))


def _restart_count() -> None:
    global _writes
    _writes = 0


os.register_at_fork(after_in_child=_restart_count)  # the Nth write is of this process, also of a forked one


def write_atomic(path: Path, data: bytes) -> bool:
    """Write `data` to `path` via a temp file in the same folder; return False when nothing changed.

    The temporary is locked while it is written, so `clean_temporaries` never removes one in use."""
    try:
        if path.read_bytes() == data:
            return False
    except (FileNotFoundError, NotADirectoryError):
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = -1, None  # set as soon as they exist: Ctrl-C may come at any point, and must leave no temporary
    try:
        while True:
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            fcntl.flock(fd, fcntl.LOCK_EX)
            # a cleaner may have taken this file for an orphan between mkstemp and flock: then make another
            with contextlib.suppress(FileNotFoundError):
                if os.stat(tmp).st_ino == os.fstat(fd).st_ino:
                    break
            os.close(fd)
            fd, tmp = -1, None
        handle, fd = os.fdopen(fd, "wb"), -1
        with handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
            os.chmod(tmp, 0o644)
            _count_write(path)
            os.replace(tmp, path)
            tmp = None
    except OSError as exc:
        _discard(fd, tmp)
        if exc.filename is None:  # a full disk fails the write itself, which names no file: name it
            raise OSError(exc.errno, exc.strerror, str(path)) from exc
        raise
    except BaseException:
        _discard(fd, tmp)
        if tmp is None:  # interrupted inside mkstemp, after it made the file: it is ours, and not locked yet
            clean_temporaries(path.parent, path.name)
        raise
    return True


def _discard(fd: int, tmp: str | None) -> None:
    """Close and remove a temporary that will not become the file."""
    if fd >= 0:
        with contextlib.suppress(OSError):
            os.close(fd)
    if tmp is not None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def clean_temporaries(folder: Path, name: str | None = None) -> list[Path]:
    """Remove the temporaries an interrupted write left below `folder` (never one another process is writing:
    those are locked), or only those of the file `name` in `folder`. Returns what was removed."""
    removed: list[Path] = []
    if not folder.is_dir():
        return removed
    for path in (folder.glob(f".{name}.*.tmp") if name else folder.rglob(".*.tmp")):
        if not TEMPORARY.match(path.name) or path.is_symlink() or not path.is_file():
            continue
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue  # being written right now
        try:
            path.unlink()
            removed.append(path)
        except FileNotFoundError:
            pass
        finally:
            os.close(fd)
    return removed


def is_temporary(name: str) -> bool:
    """A name write_atomic uses for its temporaries (never a file to publish)."""
    return bool(TEMPORARY.match(name))


@contextlib.contextmanager
def locked(folder: Path, *, clean: bool = True) -> Iterator[None]:
    """An exclusive advisory lock on a folder, so two merges or updates never interleave. Holding it, the
    temporaries an interrupted command left below the folder are removed (clean=False: leave them)."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".awareness.lock", "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            if clean:
                clean_temporaries(folder)
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def user_cache(name: str) -> Path:
    """A folder of this tool's cache in the user's cache directory (XDG), not created here."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "awareness-pipeline" / name


def warn(message: str) -> None:
    """One line on stderr for something that was repaired on the way (a broken cache, a discarded state)."""
    sys.stderr.write(f"awareness: warning: {message}\n")
    sys.stderr.flush()


# What the machine refused, and what the person at the keyboard can do about it.
MACHINE_ADVICE = {
    errno.EACCES: "permission denied; make it writable (or readable) for this user, or use another --project folder",
    errno.EPERM: "operation not permitted; check the folder's owner and permissions",
    errno.EROFS: "the file system is read-only; build in a writable copy of the project",
    errno.ENOSPC: "the disk is full; free some space and run the command again",
    errno.EDQUOT: "the disk quota is used up; free some space and run the command again",
    errno.EMFILE: "too many open files; raise the limit (ulimit -n) or use fewer --jobs",
    errno.ENFILE: "too many open files on this machine; close some programs and run the command again",
    errno.EIO: "the disk reported an input/output error; check the disk",
}


@contextlib.contextmanager
def machine_errors() -> Iterator[None]:
    """Turn an error of the machine into a MachineError (one line, exit code 4); anything else stays a bug."""
    from .errors import MachineError

    try:
        yield
    except OSError as exc:
        problem = machine_problem(exc)
        if problem is None:
            raise
        raise MachineError(problem) from None


def machine_problem(exc: OSError) -> str | None:
    """One line for an error of the machine (permissions, read-only or full disk), or None for anything else."""
    advice = MACHINE_ADVICE.get(exc.errno or 0)
    if advice is None:
        return None
    where = exc.filename if exc.filename is not None else "(unknown path)"
    return f"{where}: {advice}"

"""The index folder: generations, the CURRENT pointer, metadata, the write lock, leases.

Layout::

    index/
      DEFSEARCH-INDEX  marker: this folder is ours, and the generations we made in it
      CURRENT          name of the live generation, replaced atomically
      gen-000007/      a complete Whoosh index, defsearch.json (schema version, last sync,
                       the size of every index file) and the story files
      .writelock       POSIX lock of the one process that writes, with its pid
      watches.sqlite3  saved searches and their matches (search.watches), kept by rebuilds

Generations are never changed once live. A sync forks the live generation (hard links to
its immutable segment files), writes into the fork and swaps ``CURRENT``; a reader holds a
shared ``flock`` on the folder of the generation it reads (its lease), and a generation is
removed only when a writer can take that lock exclusively: no reader loses a file under it,
and a server that follows new generations closes the old readers (search.reader).

defsearch deletes only what it made: generations recorded in the marker, never another
folder, and it refuses to use a folder that holds other files, or the corpus, as an index.
No write follows a symbolic link out of the folder.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import re
import shutil
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from search.errors import IndexBusyError, IndexMissingError, IndexUnusableError

MARKER_FILE = "DEFSEARCH-INDEX"
CURRENT_FILE = "CURRENT"
META_FILE = "defsearch.json"
LOCK_FILE = ".writelock"
WATCHES_FILE = "watches.sqlite3"  # saved searches (search.watches): outside every generation
GENERATION_RE = re.compile(r"gen-\d{6}")
# Files of an older layout that a folder may hold to be adopted as ours (no marker yet).
_LEGACY_NAMES = {CURRENT_FILE, LOCK_FILE, CURRENT_FILE + ".tmp"}
# Ours too: the saved searches' SQLite database and the journal files SQLite keeps beside it.
_OWN_FILES = {WATCHES_FILE} | {WATCHES_FILE + tail for tail in ("-journal", "-wal", "-shm")}
# Not carried into a fork: Whoosh's lock and files being written.
_NOT_FORKED = re.compile(r"(.*WRITELOCK|.*\.tmp\d*|.*\.doclist)$")
LEASE_TRIES = 20  # a reader retries this often when a generation is swapped under it


def missing(index_dir: Path) -> IndexMissingError:
    return IndexMissingError(f"no index in {index_dir}; build one with: defsearch index")


def damaged(index_dir: Path, why: str) -> IndexUnusableError:
    return IndexUnusableError(
        f"index in {index_dir} is damaged ({why}); run: defsearch index --rebuild"
    )


# -- files that never follow a link -------------------------------------------------------


def write_file(path: Path, data: bytes) -> None:
    """Replace ``path`` atomically; neither the temporary file nor the target may be a link."""
    tmp = path.with_name(f"{path.name}.tmp{os.getpid()}")
    try:
        os.unlink(tmp)  # a planted link is removed, never written through
    except FileNotFoundError:
        pass
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)  # replaces a link at ``path`` itself, not its target
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def read_file(path: Path, limit: int = 64 * 1024 * 1024) -> bytes:
    """Read one of our own files, refusing links and anything larger than ``limit``."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(fd, "rb") as f:
        data = f.read(limit + 1)
    if len(data) > limit:
        raise OSError(errno.EFBIG, f"{path.name} is larger than expected")
    return data


def _is_real_dir(path: Path) -> bool:
    try:
        return os.lstat(path).st_mode & 0o170000 == 0o040000
    except OSError:
        return False


# -- the folder ------------------------------------------------------------------------------


def _marker(index_dir: Path) -> dict | None:
    try:
        data = json.loads(read_file(index_dir / MARKER_FILE, 1024 * 1024))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        raise damaged(index_dir, f"unreadable {MARKER_FILE}") from None
    if not isinstance(data, dict) or not isinstance(data.get("generations"), list):
        raise damaged(index_dir, f"unreadable {MARKER_FILE}")
    return data


def _write_marker(index_dir: Path, generations: list[str]) -> None:
    data = {"defsearch_index": 1, "generations": sorted(set(generations))}
    write_file(index_dir / MARKER_FILE, json.dumps(data).encode())


def _nested(a: Path, b: Path) -> bool:
    return a == b or a in b.parents or b in a.parents


def claim(index_dir: Path, corpus: Path | None = None) -> list[str]:
    """Make sure ``index_dir`` is a defsearch index folder we may write; return the
    generations recorded in it. A new or empty folder becomes one; a folder holding other
    files, or the corpus, is refused."""
    if corpus is not None and _nested(index_dir.resolve(), corpus.resolve()):
        raise IndexUnusableError(
            f"the index folder {index_dir} and the corpus {corpus} overlap; "
            "keep the index in a folder of its own (--index)"
        )
    if os.path.islink(index_dir):
        raise IndexUnusableError(f"the index folder {index_dir} is a symbolic link")
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        names = set(os.listdir(index_dir))
    except OSError as exc:
        raise IndexUnusableError(f"cannot use {index_dir} as index: {exc.strerror}") from None
    marker = _marker(index_dir)
    if marker is not None:
        return [g for g in marker["generations"] if isinstance(g, str)]
    generations = sorted(n for n in names if GENERATION_RE.fullmatch(n))
    legacy = names - _LEGACY_NAMES - _OWN_FILES - set(generations)
    if legacy or (generations and CURRENT_FILE not in names):
        raise IndexUnusableError(
            f"{index_dir} holds other files and is not a defsearch index; "
            "choose an empty or new folder with --index"
        )
    _write_marker(index_dir, generations)  # a new folder, or one an older version made
    return generations


def current_generation(index_dir: Path) -> Path | None:
    """Return the folder of the live generation, or None when there is no index yet."""
    try:
        name = read_file(index_dir / CURRENT_FILE, 1024).decode("utf-8").strip()
    except FileNotFoundError:
        return None
    except UnicodeDecodeError:
        raise damaged(index_dir, f"unreadable {CURRENT_FILE}") from None
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.EFBIG):  # a link, or not a file we wrote
            raise damaged(index_dir, f"unreadable {CURRENT_FILE}") from None
        raise IndexUnusableError(f"cannot read index {index_dir}: {exc.strerror}") from None
    if not GENERATION_RE.fullmatch(name):
        raise damaged(index_dir, f"{CURRENT_FILE} names no generation")
    generation = index_dir / name
    if not _is_real_dir(generation):
        raise damaged(index_dir, f"{name} is missing or not a folder")
    return generation


def swap_current(index_dir: Path, generation: Path) -> None:
    write_file(index_dir / CURRENT_FILE, (generation.name + "\n").encode())


def read_meta(generation: Path) -> dict:
    try:
        meta = json.loads(read_file(generation / META_FILE, 16 * 1024 * 1024))
    except (OSError, ValueError):
        return {}
    return meta if isinstance(meta, dict) else {}


def write_meta(generation: Path, meta: dict) -> None:
    write_file(generation / META_FILE, json.dumps(meta).encode())


def file_sizes(generation: Path) -> dict[str, int]:
    """Return the size of every Whoosh file of a finished generation (for verify())."""
    sizes = {}
    for entry in os.scandir(generation):
        if entry.name.startswith(("MAIN", "_MAIN")) and not _NOT_FORKED.fullmatch(entry.name):
            sizes[entry.name] = entry.stat(follow_symlinks=False).st_size
    return sizes


def verify(index_dir: Path, generation: Path, meta: dict) -> None:
    """Raise when a file of the generation is missing, truncated, grown or a link."""
    sizes = meta.get("files")
    if not isinstance(sizes, dict):
        return  # written before sizes were recorded: nothing to compare
    for name, size in sizes.items():
        try:
            st = os.lstat(generation / name)
        except OSError:
            raise damaged(index_dir, f"{name} is missing") from None
        if st.st_mode & 0o170000 != 0o100000:
            raise damaged(index_dir, f"{name} is not a regular file")
        if st.st_size != size:
            raise damaged(index_dir, f"{name} has {st.st_size} bytes, expected {size}")


# -- generations ---------------------------------------------------------------------------


def new_generation(index_dir: Path, recorded: list[str]) -> Path:
    """Create the next generation folder, recorded in the marker before it exists."""
    existing = [n for n in os.listdir(index_dir) if GENERATION_RE.fullmatch(n)]
    number = max((int(n[4:]) for n in [*existing, *recorded]), default=0) + 1
    name = f"gen-{number:06d}"
    recorded.append(name)
    _write_marker(index_dir, recorded)
    generation = index_dir / name
    generation.mkdir()
    return generation


def fork_generation(index_dir: Path, live: Path, recorded: list[str]) -> Path:
    """Return a new generation holding the live one's files (hard links: segment files are
    never rewritten, and our own files are replaced, never written in place)."""
    target = new_generation(index_dir, recorded)
    try:
        for entry in os.scandir(live):
            if _NOT_FORKED.fullmatch(entry.name):
                continue
            if not entry.is_file(follow_symlinks=False):
                raise damaged(index_dir, f"{live.name}/{entry.name} is not a regular file")
            os.link(entry.path, target / entry.name, follow_symlinks=False)
    except BaseException:
        remove_generation(index_dir, target, recorded)
        raise
    return target


def remove_generation(index_dir: Path, generation: Path, recorded: list[str]) -> bool:
    """Remove a generation we made when no reader holds it; return whether it is gone."""
    if generation.name not in recorded:
        return False
    if os.path.lexists(generation):
        if not _is_real_dir(generation):
            return False  # a link or a file in its place: not ours to delete
        try:
            fd = os.open(generation, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        except OSError:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False  # a reader still uses it: the next sync tries again
        try:
            shutil.rmtree(generation, ignore_errors=True)
        finally:
            os.close(fd)
        if os.path.lexists(generation):
            return False
    recorded.remove(generation.name)
    _write_marker(index_dir, recorded)
    return True


def remove_unused_generations(index_dir: Path, live: Path | None, recorded: list[str]) -> None:
    """Remove every recorded generation but the live one that no reader holds."""
    for name in list(recorded):
        if live is None or name != live.name:
            remove_generation(index_dir, index_dir / name, recorded)


# -- readers ------------------------------------------------------------------------------


def lease(index_dir: Path) -> tuple[Path | None, int]:
    """Return the live generation with a shared lock on its folder held (a lease), and the
    lock's fd; (None, -1) when there is no index yet.

    The caller closes the fd when it closes its reader: while it is open, no writer removes
    the generation.
    """
    for _ in range(LEASE_TRIES):
        generation = current_generation(index_dir)
        if generation is None:
            return None, -1
        try:
            fd = os.open(generation, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        except OSError:
            time.sleep(0.01)
            continue  # removed after CURRENT moved on: read CURRENT again
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            time.sleep(0.01)
            continue  # being removed right now
        if (generation / META_FILE).exists():
            return generation, fd
        os.close(fd)  # removed between our read of CURRENT and the lock
    raise IndexUnusableError(f"index in {index_dir} keeps changing; try again")


# -- the write lock -----------------------------------------------------------------------


@contextmanager
def write_lock(index_dir: Path, wait: float, notify=None) -> Iterator[None]:
    """Hold the index's write lock; wait up to ``wait`` seconds for another run to finish.

    A POSIX record lock (lockf), not flock: forked worker processes do not inherit it, and
    the kernel drops it the moment the owner dies, whatever its workers do. The file names
    the owner (pid, host, start time) so that a waiting run can say who it waits for.
    """
    fd = os.open(index_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
    try:
        deadline = time.monotonic() + wait
        told = False
        while True:
            try:
                fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
            holder = _holder(fd)
            if time.monotonic() >= deadline:
                raise IndexBusyError(
                    f"another index run ({holder}) is still writing {index_dir}; "
                    "try again when it ends"
                )
            if notify and not told:
                notify(f"waiting for another index run ({holder}) to finish...")
                told = True
            time.sleep(0.1)
        owner = {"pid": os.getpid(), "host": socket.gethostname(), "since": time.time()}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(owner).encode(), 0)
        yield
    finally:
        os.close(fd)  # closing drops the lock


def _holder(fd: int) -> str:
    """Describe the lock's owner from what it wrote; the kernel knows who holds it."""
    try:
        owner = json.loads(os.pread(fd, 512, 0))
        return f"pid {int(owner['pid'])}"
    except (OSError, ValueError, KeyError, TypeError):
        return "pid ?"

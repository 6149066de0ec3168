"""Git, as the authoring app uses it: fetch a branch into a bare mirror, export one commit's
course folder, and commit edited files on top of a known commit and push them. No Django
here: callers pass paths, credentials and limits.

Everything runs the ``git`` program with a scrubbed environment: no terminal prompt, no
system or user configuration, only the transports in ``protocols`` (``ext::`` and friends
could run commands), and credentials that never appear on a command line. A token goes in
as an HTTP header through ``GIT_CONFIG_*`` variables; a deploy key as a 0600 file that
lives as long as the command. Whatever git prints is scrubbed of the secrets before it
reaches an exception, a log or a page.

Commits are written without a work tree: the new blobs go into the mirror, a temporary
index is built from the base commit's tree plus the edited paths, and ``commit-tree``
makes the commit whose parent is the commit the author was editing. Pushing it is then a
fast-forward only if nobody pushed meanwhile; otherwise git refuses and the author is
told the branch moved. Nothing lands on the server's disk that git does not hold.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

SHA = re.compile(r"[0-9a-f]{40}")
# A path inside a course that may be read or written from the browser.
EDITABLE_SUFFIXES = (".md", ".yaml", ".yml", ".py", ".txt")


class GitError(Exception):
    """A git operation failed; the message is safe to show (secrets scrubbed)."""


class BranchMoved(GitError):
    """The push was refused because the branch no longer points at the edited commit."""


@dataclass(frozen=True)
class Remote:
    url: str
    token: str = ""
    deploy_key: str = ""

    @property
    def secrets(self) -> list[str]:
        found = [s for s in (self.token, self.deploy_key) if s]
        if self.token:
            found.append(_basic(self.token))
        return found


@dataclass(frozen=True)
class Limits:
    timeout_s: float = 120
    max_files: int = 5000
    max_bytes: int = 50 * 1024 * 1024


@dataclass(frozen=True)
class Commit:
    sha: str
    message: str
    author: str
    committed_at: str  # ISO 8601


def _basic(token: str) -> str:
    user, _, secret = token.partition(":") if ":" in token else ("x-access-token", "", token)
    return base64.b64encode(f"{user}:{secret}".encode()).decode()


def scrub(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    # user:password@ in a URL git echoes back
    return re.sub(r"(://)[^/@\s]+@", r"\1***@", text)


def is_local(url: str) -> bool:
    return url.startswith(("/", "file://"))


def local_path(url: str) -> Path:
    return Path(url.removeprefix("file://"))


@contextmanager
def _environment(remote: Remote | None, protocols: str) -> Iterator[dict]:
    with tempfile.TemporaryDirectory(prefix="descent-git-") as home:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": home,
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_ALLOW_PROTOCOL": protocols,
            "GIT_ASKPASS": "/bin/false",
            "SSH_ASKPASS": "/bin/false",
            "LC_ALL": "C",
        }
        config = [("protocol.file.allow", "always" if "file" in protocols else "never")]
        if remote and remote.token:
            config.append(("http.extraHeader", f"Authorization: Basic {_basic(remote.token)}"))
        ssh = "ssh -o BatchMode=yes -o StrictHostKeyChecking=accept-new"
        ssh += f" -o UserKnownHostsFile={home}/known_hosts"
        if remote and remote.deploy_key:
            key = Path(home) / "deploy_key"
            key.write_text(remote.deploy_key.strip() + "\n")
            key.chmod(0o600)
            ssh += f" -o IdentitiesOnly=yes -i {key}"
        env["GIT_SSH_COMMAND"] = ssh
        env["GIT_CONFIG_COUNT"] = str(len(config))
        for index, (key_name, value) in enumerate(config):
            env[f"GIT_CONFIG_KEY_{index}"] = key_name
            env[f"GIT_CONFIG_VALUE_{index}"] = value
        yield env


class Git:
    """Commands on one bare mirror repository."""

    def __init__(self, mirror: Path, *, protocols: str, limits: Limits = Limits()):
        self.mirror = Path(mirror)
        self.protocols = protocols
        self.limits = limits

    def _run(
        self, *args: str, remote: Remote | None = None, input: bytes | None = None, env=None
    ) -> bytes:
        if remote is not None and remote.url.startswith("-"):
            raise GitError("a repository address may not start with '-'")
        secrets = remote.secrets if remote else []
        with _environment(remote, self.protocols) as base:
            try:
                done = subprocess.run(
                    ["git", "-C", str(self.mirror), *args],
                    input=input,
                    capture_output=True,
                    env={**base, **(env or {})},
                    timeout=self.limits.timeout_s,
                    check=False,
                )
            except subprocess.TimeoutExpired:
                raise GitError(
                    f"git {args[0]} took longer than {self.limits.timeout_s:.0f} s"
                ) from None
        if done.returncode != 0:
            message = done.stderr.decode("utf-8", "replace").strip()[-2000:]
            raise GitError(scrub(message or f"git {args[0]} failed", secrets))
        return done.stdout

    def ensure(self) -> None:
        if not (self.mirror / "HEAD").exists():
            self.mirror.mkdir(parents=True, exist_ok=True)
            self._run("init", "--bare", "--quiet")

    def fetch(self, remote: Remote, branch: str) -> str:
        """Fetch ``branch`` into the mirror; the commit it points at."""
        if is_local(remote.url) and not local_path(remote.url).exists():
            raise GitError(f"{remote.url} does not exist on this server")
        self.ensure()
        ref = f"refs/heads/{branch}"
        self._run(
            "fetch", "--quiet", "--no-tags", "--prune", remote.url, f"+{ref}:{ref}",
            remote=remote,
        )  # fmt: skip
        return self.resolve(ref)

    def resolve(self, ref: str) -> str:
        return self._run("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").decode().strip()

    def commit_info(self, sha: str) -> Commit:
        out = self._run("show", "-s", "--format=%H%x00%an <%ae>%x00%cI%x00%B", sha).decode(
            "utf-8", "replace"
        )
        full, author, date, message = out.split("\x00", 3)
        return Commit(sha=full, message=message.strip()[:2000], author=author, committed_at=date)

    def export(self, sha: str, subdirectory: str, dest: Path) -> None:
        """Write the tree of ``sha`` (its ``subdirectory``, if any) to ``dest``, which must
        not exist; refuses links, special files and trees over the limits."""
        treeish = f"{sha}:{subdirectory.strip('/')}" if subdirectory.strip("/") else sha
        try:
            self._run("cat-file", "-e", treeish)
        except GitError:
            raise GitError(f"commit {sha[:7]} has no folder {subdirectory!r}") from None
        self._check_size(treeish)
        archive = self._run("archive", "--format=tar", treeish)
        staging = Path(tempfile.mkdtemp(prefix=".export-", dir=dest.parent))
        try:
            self._untar(archive, staging)
            staging.rename(dest)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise

    def _check_size(self, treeish: str) -> None:
        """Refuse a tree over the limits before it is archived into memory."""
        listing = self._run("ls-tree", "-r", "-l", "-z", treeish).split(b"\0")
        files = size = 0
        for entry in filter(None, listing):
            meta = entry.split(b"\t", 1)[0].split()
            files += 1
            if len(meta) == 4 and meta[3].isdigit():
                size += int(meta[3])
        if files > self.limits.max_files:
            raise GitError(f"more than {self.limits.max_files} files")
        if size > self.limits.max_bytes:
            raise GitError(f"more than {self.limits.max_bytes // 2**20} MiB of files")

    def _untar(self, archive: bytes, into: Path) -> None:
        import io

        files = size = 0
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            members = []
            for member in tar:
                if member.issym() or member.islnk():
                    raise GitError(f"{member.name} is a link; a course holds plain files only")
                if not (member.isfile() or member.isdir()):
                    raise GitError(f"{member.name} is not a plain file")
                files += 1
                size += member.size
                if files > self.limits.max_files:
                    raise GitError(f"more than {self.limits.max_files} files")
                if size > self.limits.max_bytes:
                    raise GitError(f"more than {self.limits.max_bytes // 2**20} MiB")
                members.append(member)
            tar.extractall(into, members=members, filter="data")

    def commit_files(
        self,
        *,
        base: str,
        subdirectory: str,
        files: dict[str, str],
        author: tuple[str, str],
        message: str,
    ) -> str:
        """A new commit on top of ``base`` with ``files`` (paths inside the course folder)
        replaced or added; its sha. Nothing is pushed."""
        prefix = subdirectory.strip("/")
        with tempfile.TemporaryDirectory(prefix="descent-index-") as scratch:
            index = {"GIT_INDEX_FILE": str(Path(scratch) / "index")}
            self._run("read-tree", base, env=index)
            for path, content in files.items():
                full = f"{prefix}/{path}" if prefix else path
                blob = self._run("hash-object", "-w", "--stdin", input=content.encode())
                entry = f"100644,{blob.decode().strip()},{full}"
                self._run("update-index", "--add", "--cacheinfo", entry, env=index)
            tree = self._run("write-tree", env=index).decode().strip()
        name, email = author
        who = {
            "GIT_AUTHOR_NAME": name,
            "GIT_AUTHOR_EMAIL": email,
            "GIT_COMMITTER_NAME": name,
            "GIT_COMMITTER_EMAIL": email,
        }
        out = self._run("commit-tree", tree, "-p", base, "-F", "-", input=message.encode(), env=who)
        return out.decode().strip()

    def push(self, remote: Remote, sha: str, branch: str) -> None:
        """Move the remote ``branch`` to ``sha``: a fast-forward, or BranchMoved."""
        ref = f"refs/heads/{branch}"
        try:
            self._run("push", "--quiet", "--porcelain", remote.url, f"{sha}:{ref}", remote=remote)
        except GitError as exc:
            text = str(exc)
            if "non-fast-forward" in text or "rejected" in text or "fetch first" in text:
                raise BranchMoved(
                    f"The branch {branch!r} moved since you opened this file: "
                    "someone pushed to it. Sync the course, then make your change again."
                ) from None
            raise
        self._run("update-ref", ref, sha)


def init_repository(bare: Path, files: Path, *, branch: str, author: tuple[str, str]) -> str:
    """A new bare repository at ``bare`` whose ``branch`` holds one commit of the files
    under ``files``; its sha. For `make run`'s demo course."""
    repo = Git(bare, protocols="file")
    repo.ensure()
    repo._run("config", "core.bare", "true")
    with tempfile.TemporaryDirectory(prefix="descent-index-") as scratch:
        index = {"GIT_INDEX_FILE": str(Path(scratch) / "index"), "GIT_WORK_TREE": str(files)}
        repo._run("add", "--all", ".", env=index)
        tree = repo._run("write-tree", env=index).decode().strip()
    name, email = author
    who = {"GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email,
           "GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email}  # fmt: skip
    sha = repo._run("commit-tree", tree, "-m", "A new course", env=who).decode().strip()
    repo._run("update-ref", f"refs/heads/{branch}", sha)
    repo._run("symbolic-ref", "HEAD", f"refs/heads/{branch}")
    return sha


def safe_course_path(path: str) -> str:
    """A relative path inside a course that the browser may read or write, normalized;
    ValueError with the reason otherwise."""
    if not path or len(path) > 300:
        raise ValueError("a file path of 1 to 300 characters is needed")
    pure = PurePosixPath(path)
    if pure.is_absolute() or any(part in ("..", "", ".") for part in pure.parts):
        raise ValueError(f"{path!r} is not a path inside the course")
    if any(part.startswith(".") for part in pure.parts):
        raise ValueError(f"{path!r}: hidden files and folders are not edited here")
    if not re.fullmatch(r"[A-Za-z0-9_./-]+", path):
        raise ValueError(f"{path!r}: use letters, digits, '-', '_' and '.' only")
    if pure.suffix not in EDITABLE_SUFFIXES:
        raise ValueError(f"{path!r}: only {', '.join(EDITABLE_SUFFIXES)} files are edited here")
    return str(pure)

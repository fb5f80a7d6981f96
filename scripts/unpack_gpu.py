"""Unpack the GPU run's archive (``gpu_signin.tar.gz``, written by scripts/gpu_reference.sh) into results/gpu_signin/.

    python3 scripts/unpack_gpu.py /path/to/gpu_signin.tar.gz              # into results/gpu_signin/
    python3 scripts/unpack_gpu.py gpu_signin.tar.gz --dest /tmp/g --force  # elsewhere; replace differing files

The archive is read first and every run record in it is validated against its schema before anything is written,
so a broken archive writes nothing. Files already there with the same content are kept; a file that differs stops
the unpacking (nothing is written) unless ``--force`` is given. The calibration's one-epoch run records
(``calibration/``) stay out unless ``--with-calibration`` is given: the reference results page reads every record
below results/ and would show them as a test of their own (``plan.json`` keeps the times the plan was made from).
"""
from __future__ import annotations

import argparse
import io
import json
import sys
import tarfile
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from signin_lite.foundations import schema  # noqa: E402  (the checkout's package, also without an install)


def read(archive: Path) -> dict[str, bytes]:
    """Every regular file of the archive by its relative path; refuses absolute paths and ``..``."""
    if not archive.is_file():
        raise FileNotFoundError(f"no archive at {archive}: pass the gpu_signin.tar.gz the device run returned")
    files = {}
    with tarfile.open(archive, "r:gz") as tar:
        for member in tar.getmembers():
            if not member.isfile():
                continue
            path = PurePosixPath(member.name.removeprefix("./"))
            if path.is_absolute() or ".." in path.parts:
                raise ValueError(f"{archive}: refusing the unsafe path {member.name!r}")
            files[str(path)] = tar.extractfile(member).read()
    return files


def check(files: dict[str, bytes]) -> int:
    """Validate the run records (``runs/*.json``, ``calibration/*.json``); returns how many there are."""
    n = 0
    for name, data in files.items():
        if name.endswith(".json") and name.split("/")[0] in ("runs", "calibration"):
            rec = json.load(io.BytesIO(data))
            try:
                schema.validate(rec)
            except schema.RecordError as e:
                raise schema.RecordError(f"{name} in the archive: {e}") from e
            n += 1
    return n


def unpack(archive: Path, dest: Path, force: bool = False, calibration: bool = False) -> dict[str, int]:
    """Write the archive's files under ``dest``; counts of written, unchanged, record and left-out files."""
    files = read(archive)
    records = check(files)
    left_out = [n for n in files if n.startswith("calibration/") and not calibration]
    files = {n: d for n, d in files.items() if n not in left_out}
    clashes = [n for n, d in files.items() if (dest / n).exists() and (dest / n).read_bytes() != d]
    if clashes and not force:
        raise FileExistsError(f"{len(clashes)} files differ from those in {dest} (first: {clashes[0]}); nothing was "
                              "written: pass --force to replace them, or --dest another folder")
    written = 0
    for name, data in files.items():
        target = dest / name
        if target.exists() and target.read_bytes() == data:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        written += 1
    return {"written": written, "unchanged": len(files) - written, "records": records, "left_out": len(left_out)}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("archive", type=Path, help="the gpu_signin.tar.gz the device run returned")
    p.add_argument("--dest", type=Path, default=ROOT / "results" / "gpu_signin", help="default: results/gpu_signin")
    p.add_argument("--force", action="store_true", help="replace files that differ")
    p.add_argument("--with-calibration", action="store_true", help="also write the calibration's run records")
    args = p.parse_args(argv)
    try:
        n = unpack(args.archive, args.dest, args.force, args.with_calibration)
    except (OSError, ValueError, tarfile.TarError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(f"{args.dest}: {n['written']} files written, {n['unchanged']} unchanged, {n['records']} run records checked"
          + (f"; {n['left_out']} calibration files left out (--with-calibration writes them)" if n["left_out"] else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())

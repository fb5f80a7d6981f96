"""CIFAR-10 loading, per-class subsets and a device-resident loader with batch augmentation.

Two sources, picked by :func:`resolve_root`:

* ``"official"`` (the default when nothing is given): torchvision's download of the official
  release, kept in ``<cache_dir>/official``.
* ``"offline-jpeg"``: a folder or ``.zip`` laid out as ``train/<class>/*.jpg`` and
  ``test/<class>/*.jpg``, possibly nested one level (``cifar10/train/...``). The copy at
  ``../shared/data/cifar10-jpeg.zip`` is re-encoded JPEG, so it is lossy: label results with
  :func:`data_source`.

Example::

    images, labels = load_cifar10("../shared/data/cifar10-jpeg.zip", "train")
    loader = DeviceLoader(images, labels, 128, train=True, device="cuda")
    for epoch in range(10):
        loader.set_epoch(epoch)
        for x, y in loader:
            ...
"""

from __future__ import annotations

import hashlib
import io
import math
import os
import tempfile
import warnings
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from tqdm import tqdm

__all__ = [
    "CLASSES", "CIFAR10_MEAN", "CIFAR10_STD", "DataError", "resolve_root", "load_cifar10",
    "data_source", "per_class_subset", "train_val_split", "DeviceLoader",
]

CLASSES: tuple[str, ...] = (
    "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
)
# Per-channel mean and standard deviation of the official training set, pixels scaled to [0, 1].
CIFAR10_MEAN: tuple[float, float, float] = (0.4914, 0.4822, 0.4465)
CIFAR10_STD: tuple[float, float, float] = (0.2470, 0.2435, 0.2616)

DATA_ENV = "SIGNIN_LITE_DATA"
CACHE_ENV = "SIGNIN_LITE_CACHE"
OFFLINE_HINT = "../shared/data/cifar10-jpeg.zip"
SPLITS = ("train", "test")
IMAGE_SIZE = 32
_IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")
_CACHE_VERSION = 1  # bump when the cached format or decoding changes


class DataError(RuntimeError):
    """Raised for every problem with the data itself: missing, partial, corrupt or wrongly sized."""


# ----------------------------------------------------------------------------- sources

def resolve_root(root: str | os.PathLike | None = None) -> Path | None:
    """The offline data root: ``root``, else ``$SIGNIN_LITE_DATA``, else None (official download)."""
    if root is None or str(root) == "":
        root = os.environ.get(DATA_ENV) or None
    return None if root is None else Path(root).expanduser()


def data_source(root: str | os.PathLike | None = None) -> str:
    """``"official"`` or ``"offline-jpeg"``, for run records (the JPEG copy is lossy)."""
    return "official" if resolve_root(root) is None else "offline-jpeg"


def _cache_dir(cache_dir: str | os.PathLike | None) -> Path:
    if cache_dir is None:
        cache_dir = os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "signin_lite"
    return Path(cache_dir).expanduser()


def _not_found(path: Path) -> DataError:
    return DataError(
        f"CIFAR-10 not found at {path}. Set {DATA_ENV} to a folder or zip with "
        f"train/<class>/*.jpg and test/<class>/*.jpg (offline copy: {OFFLINE_HINT}), "
        "or unset it to download the official release."
    )


# ----------------------------------------------------------------------------- offline layout

def _list_folder(root: Path) -> list[str]:
    """Relative POSIX paths of the files at most four levels below ``root``."""
    files = []
    for dirpath, dirnames, filenames in os.walk(root):
        depth = len(Path(dirpath).relative_to(root).parts)
        if depth >= 3:
            dirnames.clear()  # nothing deeper than prefix/split/class/file is used
        rel = Path(dirpath).relative_to(root).as_posix()
        files.extend(name if rel == "." else f"{rel}/{name}" for name in filenames)
    return files


def _select_split(paths: Sequence[str], split: str, where: Path) -> list[tuple[str, int]]:
    """Pick ``[prefix/]split/<class>/<image>`` from ``paths``; return sorted (path, label) pairs."""
    trees: dict[str, dict[str, dict[str, list[str]]]] = {}  # prefix -> split -> class -> files
    for p in paths:
        parts = p.split("/")
        if len(parts) not in (3, 4) or parts[-3] not in SPLITS:
            continue
        if parts[0] == "__MACOSX" or any(part.startswith(".") for part in parts):
            continue
        if not parts[-1].lower().endswith(_IMAGE_SUFFIXES):
            continue
        prefix = parts[0] if len(parts) == 4 else ""
        trees.setdefault(prefix, {}).setdefault(parts[-3], {}).setdefault(parts[-2], []).append(p)
    if not trees:
        raise DataError(
            f"No train/<class>/*.jpg or test/<class>/*.jpg images in {where} (looked at the top "
            f"level and one folder down). Set {DATA_ENV} to a folder or zip laid out that way "
            f"(offline copy: {OFFLINE_HINT}), or unset it to download the official release."
        )
    if "" in trees:
        prefix = ""
    elif len(trees) == 1:
        prefix = next(iter(trees))
    else:
        raise DataError(f"Several data folders in {where}: {sorted(trees)}; point {DATA_ENV} at one of them.")
    split_dir = f"{prefix}/{split}" if prefix else split
    tree = trees[prefix]
    if split not in tree:
        raise DataError(f"Split '{split}' missing: no images under {split_dir}/<class>/ in {where}.")
    missing = [c for c in CLASSES if c not in tree[split]]
    if missing:
        raise DataError(f"Class folders missing or without images in {where}: "
                        + ", ".join(f"{split_dir}/{c}/" for c in missing))
    extra = sorted(set(tree[split]) - set(CLASSES))
    if extra:
        raise DataError(f"Unknown class folders in {where}: " + ", ".join(f"{split_dir}/{c}/" for c in extra)
                        + f". Expected exactly {list(CLASSES)}.")
    return [(p, label) for label, c in enumerate(CLASSES) for p in sorted(tree[split][c])]


def _decode_image(data: bytes, name: str) -> np.ndarray:
    """Decode one image file to a uint8 [32, 32, 3] RGB array; ``name`` is used in errors."""
    try:
        with Image.open(io.BytesIO(data), formats=("JPEG", "PNG")) as im:
            if im.size != (IMAGE_SIZE, IMAGE_SIZE):
                raise DataError(f"Image {name} is {im.size[0]}x{im.size[1]}, expected 32x32.")
            return np.asarray(im if im.mode == "RGB" else im.convert("RGB"))  # skip a copy when already RGB
    except DataError:
        raise
    except Exception as e:  # PIL raises many types for bad bytes
        raise DataError(f"Corrupt image {name}: {type(e).__name__}: {e}. Replace the file "
                        "or point SIGNIN_LITE_DATA at a good copy.") from e


def _decode_all(files: list[tuple[str, int]], read, describe, split: str) -> tuple[torch.Tensor, torch.Tensor]:
    images = np.empty((len(files), IMAGE_SIZE, IMAGE_SIZE, 3), dtype=np.uint8)
    for i, (path, _) in enumerate(tqdm(files, desc=f"CIFAR-10 {split}", unit="img", disable=None)):
        images[i] = _decode_image(read(path), describe(path))
    labels = torch.tensor([label for _, label in files], dtype=torch.int64)
    return torch.from_numpy(images).permute(0, 3, 1, 2).contiguous(), labels


def _load_offline(root: Path, split: str) -> tuple[torch.Tensor, torch.Tensor]:
    if root.is_dir():
        files = _select_split(_list_folder(root), split, root)
        return _decode_all(files, lambda p: (root / p).read_bytes(), lambda p: str(root / p), split)
    try:
        zf = zipfile.ZipFile(root)
    except (zipfile.BadZipFile, OSError) as e:
        raise DataError(f"Cannot read {root} as a zip file ({e}). Set {DATA_ENV} to a folder or a "
                        f"valid zip (offline copy: {OFFLINE_HINT}).") from e
    with zf:
        names = [info.filename for info in zf.infolist() if not info.is_dir()]
        files = _select_split(names, split, root)
        return _decode_all(files, zf.read, lambda p: f"{p} in {root}", split)


def _offline_key(root: Path, split: str) -> str:
    """Cache key: source path + size + mtime + split (for a folder, of every file in it)."""
    h = hashlib.sha256(f"v{_CACHE_VERSION}|{root.resolve()}|{split}".encode())
    if root.is_dir():
        for rel in sorted(_list_folder(root)):
            st = (root / rel).stat()
            h.update(f"|{rel}:{st.st_size}:{st.st_mtime_ns}".encode())
    else:
        st = root.stat()
        h.update(f"|{st.st_size}:{st.st_mtime_ns}".encode())
    return h.hexdigest()[:20]


# ----------------------------------------------------------------------------- cache

def _read_cache(path: Path) -> tuple[torch.Tensor, torch.Tensor] | None:
    if not path.is_file():
        return None
    try:
        blob = torch.load(path, map_location="cpu", weights_only=True)
        images, labels = blob["images"], blob["labels"]
        ok = (images.dtype == torch.uint8 and images.dim() == 4 and labels.dtype == torch.int64
              and labels.shape == (images.shape[0],))
    except Exception as e:
        warnings.warn(f"Ignoring unreadable cache file {path} ({e}); decoding again.", stacklevel=2)
        return None
    if not ok:
        warnings.warn(f"Ignoring malformed cache file {path}; decoding again.", stacklevel=2)
        return None
    return images.contiguous(), labels


def _write_cache(path: Path, images: torch.Tensor, labels: torch.Tensor, source: str, split: str) -> None:
    """Write atomically (temporary file, then os.replace); a failure only warns."""
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            torch.save({"images": images, "labels": labels, "source": source, "split": split}, f)
        os.replace(tmp, path)
    except OSError as e:
        warnings.warn(f"Could not write the cache file {path} ({e}); the data will be decoded again next time.",
                      stacklevel=2)
        if tmp is not None and os.path.exists(tmp):
            os.remove(tmp)


# ----------------------------------------------------------------------------- official release

def _load_official(split: str, cache_dir: Path, download: bool) -> tuple[torch.Tensor, torch.Tensor]:
    root = cache_dir / "official"
    hint = f"set {DATA_ENV} to an offline copy such as {OFFLINE_HINT}"
    try:
        from torchvision import datasets  # deferred: only the official download needs torchvision
    except ImportError as e:
        raise DataError(f"torchvision is needed to download the official CIFAR-10; install it or {hint}.") from e
    try:
        ds = datasets.CIFAR10(root=str(root), train=split == "train", download=download)
    except Exception as e:
        if download:
            raise DataError(f"Could not download CIFAR-10 into {root} ({type(e).__name__}: {e}). There seems to "
                            f"be no network: {hint}.") from e
        raise DataError(f"Official CIFAR-10 not found in {root} ({e}). Pass download=True, or {hint}.") from e
    if tuple(ds.classes) != CLASSES:
        raise DataError(f"Unexpected class list in {root}: {ds.classes}")
    images = torch.from_numpy(np.asarray(ds.data, dtype=np.uint8)).permute(0, 3, 1, 2).contiguous()
    return images, torch.as_tensor(ds.targets, dtype=torch.int64)


def load_cifar10(root: str | os.PathLike | None = None, split: str = "train", *,
                 cache_dir: str | os.PathLike | None = None,
                 download: bool = True) -> tuple[torch.Tensor, torch.Tensor]:
    """Load one CIFAR-10 split as (images uint8 [N, 3, 32, 32], labels int64 [N]).

    ``root`` (else ``$SIGNIN_LITE_DATA``) names an offline folder or zip; without one the official
    release is fetched by torchvision into ``<cache_dir>/official`` (``download`` applies only
    there). Offline copies are decoded once and cached as ``<cache_dir>/cifar10-<split>-<key>.pt``;
    ``cache_dir`` defaults to ``$SIGNIN_LITE_CACHE``, else ``~/.cache/signin_lite``.
    """
    if split not in SPLITS:
        raise ValueError(f"Unknown split {split!r}; expected one of {SPLITS}.")
    cache = _cache_dir(cache_dir)
    src = resolve_root(root)
    if src is None:
        return _load_official(split, cache, download)
    if not src.exists():
        raise _not_found(src)
    cache_file = cache / f"cifar10-{split}-{_offline_key(src, split)}.pt"
    cached = _read_cache(cache_file)
    if cached is not None:
        return cached
    images, labels = _load_offline(src, split)
    _write_cache(cache_file, images, labels, str(src.resolve()), split)
    return images, labels


# ----------------------------------------------------------------------------- subsets

def per_class_subset(labels: torch.Tensor, n_per_class: int, seed: int = 0) -> torch.Tensor:
    """Sorted indices of exactly ``n_per_class`` random examples of every class present in ``labels``."""
    labels = torch.as_tensor(labels).cpu()
    if n_per_class < 0:
        raise ValueError(f"n_per_class must be >= 0, got {n_per_class}.")
    g = torch.Generator().manual_seed(seed)
    picked = []
    for c in torch.unique(labels).tolist():
        idx = torch.nonzero(labels == c).flatten()
        if n_per_class > len(idx):
            raise ValueError(f"n_per_class={n_per_class} but class {c} has only {len(idx)} examples available.")
        picked.append(idx[torch.randperm(len(idx), generator=g)[:n_per_class]])
    if not picked:
        return torch.empty(0, dtype=torch.int64)
    return torch.sort(torch.cat(picked)).values


def train_val_split(labels: torch.Tensor, val_per_class: int, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Disjoint sorted (train_idx, val_idx); val holds exactly ``val_per_class`` examples per class."""
    val = per_class_subset(labels, val_per_class, seed)
    keep = torch.ones(len(labels), dtype=torch.bool)
    keep[val] = False
    return torch.nonzero(keep).flatten(), val


# ----------------------------------------------------------------------------- device loader

def _epoch_seed(seed: int, epoch: int) -> int:
    """A 63-bit seed unique to (seed, epoch)."""
    digest = hashlib.sha256(f"signin_lite.DeviceLoader:{seed}:{epoch}".encode()).digest()
    return int.from_bytes(digest[:8], "little") >> 1


class DeviceLoader:
    """Holds a whole data set on one device and yields augmented batches without per-image Python work.

    Images are moved to ``device`` and normalized into ``dtype`` once. With ``train=True`` every
    epoch is shuffled, and each image gets a random crop from a 4-pixel zero-padded copy (black
    pixels before normalization, as torchvision's ``RandomCrop(32, padding=4)`` followed by
    ``Normalize``) and a horizontal flip with probability 1/2. All draws come from the loader's
    own generator seeded by (seed, epoch), so runs are reproducible and resumable via
    :meth:`set_epoch`; iterating without it advances an internal epoch counter. With
    ``train=False`` the order is fixed, there is no augmentation, and the last partial batch is
    kept (unless ``drop_last=True``).
    """

    pad = 4

    def __init__(self, images: torch.Tensor, labels: torch.Tensor, batch_size: int, *, train: bool,
                 device: str | torch.device = "cpu", dtype: torch.dtype = torch.float32,
                 channels_last: bool = True, drop_last: bool | None = None, seed: int = 0,
                 mean: Sequence[float] = CIFAR10_MEAN, std: Sequence[float] = CIFAR10_STD):
        if images.dtype != torch.uint8 or images.dim() != 4 or images.shape[1] != len(mean):
            raise ValueError(f"images must be uint8 [N, {len(mean)}, H, W], got {images.dtype} {list(images.shape)}.")
        if labels.dim() != 1 or len(labels) != len(images):
            raise ValueError(f"labels must be 1-D with {len(images)} entries, got shape {list(labels.shape)}.")
        if len(images) == 0:
            raise ValueError("DeviceLoader needs at least one example.")
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}.")
        self.batch_size = batch_size
        self.train = train
        self.device = torch.device(device)
        self.dtype = dtype
        self.channels_last = channels_last
        self.drop_last = train if drop_last is None else drop_last
        self.seed = seed
        self.rank, self.world_size = 0, 1
        self._epoch = 0
        self.labels = labels.to(self.device, torch.int64)
        # Stored as [N, H, W, C] (channels-last memory), padded for training; batches index rows directly.
        self._nhwc = self._normalize(images.to(self.device), mean, std, self.pad if train else 0)
        self._rows = torch.arange(images.shape[2], device=self.device)
        self._cols = torch.arange(images.shape[3], device=self.device)

    def _normalize(self, images: torch.Tensor, mean: Sequence[float], std: Sequence[float], pad: int) -> torch.Tensor:
        """[N, H + 2 pad, W + 2 pad, C] of (x / 255 - mean) / std in ``dtype``, zero-padded in pixel space."""
        n, c, h, w = images.shape
        m = torch.tensor(mean, device=self.device, dtype=torch.float32).view(1, c, 1, 1)
        s = torch.tensor(std, device=self.device, dtype=torch.float32).view(1, c, 1, 1)
        nhwc = torch.empty((n, h + 2 * pad, w + 2 * pad, c), device=self.device, dtype=self.dtype)
        out = nhwc.permute(0, 3, 1, 2)  # an NCHW view to write into
        black = (torch.zeros_like(m) / 255 - m) / s  # a zero (black) pixel after normalization
        for i in range(0, n, 1024):  # in chunks to bound the float32 temporary
            chunk = out[i:i + 1024]
            if pad:
                chunk[:] = black
                chunk = chunk[:, :, pad:pad + h, pad:pad + w]
            chunk[:] = images[i:i + 1024].float().div_(255).sub_(m).div_(s)
        return nhwc

    @property
    def num_examples(self) -> int:
        return len(self.labels)

    @property
    def epoch(self) -> int:
        """The epoch the next iteration will use."""
        return self._epoch

    def shard(self, rank: int, world_size: int) -> DeviceLoader:
        """Yield only rank ``rank``'s share of the data (of ``world_size`` processes); returns the loader.

        Training: examples rank, rank + world_size, ... of every global batch (as DistributedSampler), so the
        global batch, its order and its augmentation are those of one process; ``batch_size`` stays the global
        batch and must be a multiple of ``world_size``. Evaluation: a contiguous slice of the examples.
        ``len()`` and ``num_examples`` still count the whole data set.
        """
        if not 0 <= rank < world_size:
            raise ValueError(f"rank={rank} must be in [0, world_size={world_size})")
        if self.train and self.batch_size % world_size:
            raise ValueError(f"the global batch size {self.batch_size} is not divisible by the {world_size} processes; "
                             f"choose a batch size that is a multiple of {world_size}")
        self.rank, self.world_size = rank, world_size
        return self

    def set_epoch(self, epoch: int) -> None:
        """Make the next iteration use ``epoch``'s shuffle and augmentation."""
        self._epoch = int(epoch)

    def __len__(self) -> int:
        n, b = self.num_examples, self.batch_size
        return n // b if self.drop_last else math.ceil(n / b)

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        epoch, self._epoch = self._epoch, self._epoch + 1
        if not self.train:
            return self._eval_batches()
        n = self.num_examples
        g = torch.Generator(device=self.device).manual_seed(_epoch_seed(self.seed, epoch))
        perm = torch.randperm(n, device=self.device, generator=g)
        shifts = torch.randint(0, 2 * self.pad + 1, (2, n), device=self.device, generator=g)
        flips = torch.rand(n, device=self.device, generator=g) < 0.5
        return self._train_batches(perm, shifts, flips)

    def _batch_ranges(self) -> Iterator[tuple[int, int]]:
        n, b = self.num_examples, self.batch_size
        for i in range(len(self)):
            yield i * b, min((i + 1) * b, n)

    def _to_nchw(self, x: torch.Tensor) -> torch.Tensor:
        """[B, H, W, C] -> [B, C, H, W]: a free view in channels_last memory format, else a copy."""
        x = x.permute(0, 3, 1, 2)
        return x if self.channels_last else x.contiguous()

    def _eval_batches(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        if self.world_size > 1:  # this rank's contiguous slice, in batches
            n = self.num_examples
            first, end = self.rank * n // self.world_size, (self.rank + 1) * n // self.world_size
            ranges = ((lo, min(lo + self.batch_size, end)) for lo in range(first, end, self.batch_size))
        else:
            ranges = self._batch_ranges()
        for lo, hi in ranges:  # copies, so a caller's in-place edit cannot reach the data
            yield self._to_nchw(self._nhwc[lo:hi].clone()), self.labels[lo:hi]

    def _train_batches(self, perm: torch.Tensor, shifts: torch.Tensor,
                       flips: torch.Tensor) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        for lo, hi in self._batch_ranges():
            idx = perm[lo:hi][self.rank::self.world_size]
            yield self._augment(idx, shifts[0, idx], shifts[1, idx], flips[idx]), self.labels[idx]

    def _augment(self, idx: torch.Tensor, dy: torch.Tensor, dx: torch.Tensor, flip: torch.Tensor) -> torch.Tensor:
        """Crop each padded image at its own (dy, dx) and flip where ``flip``; no Python loop over images."""
        h, w = len(self._rows), len(self._cols)
        rows = dy[:, None] + self._rows  # [B, H]
        # A flip reverses the crop's columns, so it is folded into the column index with torch.where.
        cols = torch.where(flip[:, None], dx[:, None] + (w - 1) - self._cols, dx[:, None] + self._cols)  # [B, W]
        x = self._nhwc[idx[:, None], rows]  # [B, H, W + 2p, C]: each image's own rows
        x = x.gather(2, cols[:, None, :, None].expand(-1, h, -1, x.shape[3]))  # [B, H, W, C]
        return self._to_nchw(x)

"""Tests for signin_lite.training.data on tiny fake CIFAR-10 copies built in tmp_path (seconds in all)."""

from __future__ import annotations

import os
import sys
import types
import urllib.error
import zipfile
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image

from signin_lite.training import data
from signin_lite.training.data import CIFAR10_MEAN, CIFAR10_STD, CLASSES, DataError, DeviceLoader

REAL_ZIP = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "cifar10-jpeg.zip"
PER_CLASS = 3


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path, monkeypatch):
    """No test reads the user's data setting or writes to ~/.cache."""
    monkeypatch.delenv("SIGNIN_LITE_DATA", raising=False)
    monkeypatch.setenv("SIGNIN_LITE_CACHE", str(tmp_path / "default-cache"))


def make_tree(base: Path, splits=("train", "test"), classes=CLASSES, n=PER_CLASS, seed=0) -> Path:
    """Write base/<split>/<class>/<i>.jpg, 32x32 images of random solid colours."""
    rng = np.random.default_rng(seed)
    for split in splits:
        for c in classes:
            (base / split / c).mkdir(parents=True, exist_ok=True)
            for i in range(n):
                colour = tuple(int(v) for v in rng.integers(0, 256, 3))
                Image.new("RGB", (32, 32), colour).save(base / split / c / f"{i:04d}.jpg", quality=95)
    return base


def zip_tree(folder: Path, zip_path: Path, prefix: str = "") -> Path:
    with zipfile.ZipFile(zip_path, "w") as zf:
        for f in sorted(folder.rglob("*")):
            if f.is_file():
                zf.write(f, prefix + f.relative_to(folder).as_posix())
    return zip_path


def normalized(images: torch.Tensor) -> torch.Tensor:
    m = torch.tensor(CIFAR10_MEAN).view(1, 3, 1, 1)
    s = torch.tensor(CIFAR10_STD).view(1, 3, 1, 1)
    return (images.float() / 255 - m) / s


# ----------------------------------------------------------------------------- loading

@pytest.mark.parametrize("split", ["train", "test"])
def test_folder_and_zip_give_same_tensors(tmp_path, split):
    folder = make_tree(tmp_path / "folder")
    zip_path = zip_tree(folder, tmp_path / "c.zip")
    x1, y1 = data.load_cifar10(folder, split, cache_dir=tmp_path / "cache")
    x2, y2 = data.load_cifar10(zip_path, split, cache_dir=tmp_path / "cache")
    assert x1.shape == (10 * PER_CLASS, 3, 32, 32) and x1.dtype == torch.uint8 and x1.is_contiguous()
    assert y1.dtype == torch.int64
    assert y1.tolist() == [c for c in range(10) for _ in range(PER_CLASS)]
    assert torch.equal(x1, x2) and torch.equal(y1, y2)
    # A solid colour survives JPEG almost exactly: check the first airplane's pixels against the file.
    ref = np.array(Image.open(folder / split / "airplane" / "0000.jpg").convert("RGB"))
    assert torch.equal(x1[0], torch.from_numpy(ref).permute(2, 0, 1))


def test_nested_folder_and_nested_zip(tmp_path):
    folder = make_tree(tmp_path / "outer" / "cifar10", splits=("test",))
    zip_path = zip_tree(tmp_path / "outer", tmp_path / "nested.zip")  # members: cifar10/test/...
    x1, y1 = data.load_cifar10(tmp_path / "outer", "test", cache_dir=tmp_path / "cache")
    x2, y2 = data.load_cifar10(zip_path, "test", cache_dir=tmp_path / "cache")
    x3, _ = data.load_cifar10(folder, "test", cache_dir=tmp_path / "cache")
    assert len(x1) == 10 * PER_CLASS
    assert torch.equal(x1, x2) and torch.equal(y1, y2) and torch.equal(x1, x3)


def test_cache_hit_skips_decoding_and_source_change_invalidates(tmp_path, monkeypatch):
    zip_path = zip_tree(make_tree(tmp_path / "f"), tmp_path / "c.zip")
    cache = tmp_path / "cache"
    x1, y1 = data.load_cifar10(zip_path, "train", cache_dir=cache)
    assert len(list(cache.glob("cifar10-train-*.pt"))) == 1
    assert not list(cache.glob("*.tmp"))

    def no_decode(*args, **kwargs):
        raise AssertionError("decoded again despite a cache hit")

    monkeypatch.setattr(data, "_decode_image", no_decode)
    x2, y2 = data.load_cifar10(zip_path, "train", cache_dir=cache)
    assert torch.equal(x1, x2) and torch.equal(y1, y2)
    st = zip_path.stat()
    os.utime(zip_path, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))  # the source changed: decode again
    with pytest.raises(AssertionError, match="decoded again"):
        data.load_cifar10(zip_path, "train", cache_dir=cache)


def test_cache_dir_from_env(tmp_path, monkeypatch):
    folder = make_tree(tmp_path / "f", splits=("test",))
    monkeypatch.setenv("SIGNIN_LITE_CACHE", str(tmp_path / "env-cache"))
    data.load_cifar10(folder, "test")
    assert len(list((tmp_path / "env-cache").glob("cifar10-test-*.pt"))) == 1


def test_env_var_selects_offline_copy(tmp_path, monkeypatch):
    folder = make_tree(tmp_path / "f", splits=("test",))
    assert data.resolve_root() is None and data.data_source() == "official"
    monkeypatch.setenv("SIGNIN_LITE_DATA", str(folder))
    assert data.resolve_root() == folder
    assert data.data_source() == "offline-jpeg"
    x, y = data.load_cifar10(split="test", cache_dir=tmp_path / "cache")
    assert len(x) == 10 * PER_CLASS
    assert data.resolve_root(tmp_path / "other") == tmp_path / "other"  # the argument wins


def test_bad_split_is_value_error(tmp_path):
    with pytest.raises(ValueError, match="'valid'"):
        data.load_cifar10(tmp_path, "valid")


# ----------------------------------------------------------------------------- errors

def test_missing_folder(tmp_path):
    missing = tmp_path / "nowhere"
    with pytest.raises(DataError, match="not found") as e:
        data.load_cifar10(missing, "train", cache_dir=tmp_path / "cache")
    assert str(missing) in str(e.value) and "SIGNIN_LITE_DATA" in str(e.value)
    assert isinstance(e.value, RuntimeError)


def test_missing_class_and_missing_split(tmp_path):
    folder = make_tree(tmp_path / "f", splits=("train",), classes=[c for c in CLASSES if c != "cat"])
    with pytest.raises(DataError, match="train/cat/") as e:
        data.load_cifar10(folder, "train", cache_dir=tmp_path / "cache")
    assert str(folder) in str(e.value)
    with pytest.raises(DataError, match="Split 'test' missing"):
        data.load_cifar10(folder, "test", cache_dir=tmp_path / "cache")


def test_no_images_at_all(tmp_path):
    (tmp_path / "empty" / "train").mkdir(parents=True)
    with pytest.raises(DataError, match="No train/<class>"):
        data.load_cifar10(tmp_path / "empty", "train", cache_dir=tmp_path / "cache")


def test_not_a_zip(tmp_path):
    bogus = tmp_path / "bogus.zip"
    bogus.write_bytes(b"not a zip")
    with pytest.raises(DataError, match="bogus.zip"):
        data.load_cifar10(bogus, "train", cache_dir=tmp_path / "cache")


def test_corrupt_jpeg_names_the_file(tmp_path):
    folder = make_tree(tmp_path / "f", splits=("test",))
    bad = folder / "test" / "dog" / "0001.jpg"
    bad.write_bytes(bad.read_bytes()[:40])  # truncated JPEG
    with pytest.raises(DataError, match="Corrupt image") as e:
        data.load_cifar10(folder, "test", cache_dir=tmp_path / "cache")
    assert str(bad) in str(e.value)
    zip_path = zip_tree(folder, tmp_path / "c.zip")
    with pytest.raises(DataError, match="test/dog/0001.jpg in ") as e:
        data.load_cifar10(zip_path, "test", cache_dir=tmp_path / "cache")
    assert str(zip_path) in str(e.value)
    assert not list((tmp_path / "cache").glob("*.pt"))  # nothing cached from a failed load


def test_garbage_bytes_and_wrong_size_name_the_file(tmp_path):
    folder = make_tree(tmp_path / "f", splits=("test",))
    garbage = folder / "test" / "ship" / "0002.jpg"
    garbage.write_bytes(b"\x00" * 100)
    with pytest.raises(DataError, match="0002.jpg"):
        data.load_cifar10(folder, "test", cache_dir=tmp_path / "cache")
    garbage.unlink()
    big = folder / "test" / "frog" / "0000.jpg"
    Image.new("RGB", (33, 32), (1, 2, 3)).save(big)
    with pytest.raises(DataError, match="33x32") as e:
        data.load_cifar10(folder, "test", cache_dir=tmp_path / "cache")
    assert str(big) in str(e.value)


def fake_torchvision(monkeypatch, cifar_cls) -> None:
    """Stand in for torchvision so the official path is tested without network or a slow import."""
    tv = types.ModuleType("torchvision")
    tv.datasets = types.SimpleNamespace(CIFAR10=cifar_cls)
    monkeypatch.setitem(sys.modules, "torchvision", tv)


def test_official_download_failure_says_what_to_do(tmp_path, monkeypatch):
    class NoNetwork:
        def __init__(self, root, train=True, download=False):
            raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    fake_torchvision(monkeypatch, NoNetwork)
    with pytest.raises(DataError) as e:
        data.load_cifar10(split="test", cache_dir=tmp_path / "cache")
    msg = str(e.value)
    assert "no network" in msg and "SIGNIN_LITE_DATA" in msg and "cifar10-jpeg.zip" in msg
    assert str(tmp_path / "cache" / "official") in msg


def test_official_source_converts_layout(tmp_path, monkeypatch):
    calls = {}

    class Fake:
        classes = list(CLASSES)

        def __init__(self, root, train=True, download=False):
            calls.update(root=root, train=train, download=download)
            self.data = np.arange(4 * 32 * 32 * 3, dtype=np.int64).reshape(4, 32, 32, 3).astype(np.uint8)
            self.targets = [3, 1, 4, 1]

    fake_torchvision(monkeypatch, Fake)
    x, y = data.load_cifar10(None, "test", cache_dir=tmp_path / "cache", download=False)
    assert calls == {"root": str(tmp_path / "cache" / "official"), "train": False, "download": False}
    assert x.shape == (4, 3, 32, 32) and x.dtype == torch.uint8 and x.is_contiguous()
    assert torch.equal(x, torch.from_numpy(Fake(None).data).permute(0, 3, 1, 2))
    assert y.dtype == torch.int64 and y.tolist() == [3, 1, 4, 1]


# ----------------------------------------------------------------------------- subsets

def test_per_class_subset():
    labels = torch.arange(200) % 10
    idx = data.per_class_subset(labels, 7, seed=1)
    assert torch.equal(torch.bincount(labels[idx], minlength=10), torch.full((10,), 7))
    assert torch.equal(idx, torch.sort(idx).values) and len(torch.unique(idx)) == 70
    assert torch.equal(idx, data.per_class_subset(labels, 7, seed=1))
    assert not torch.equal(idx, data.per_class_subset(labels, 7, seed=2))
    with pytest.raises(ValueError, match=r"n_per_class=21.*only 20"):
        data.per_class_subset(labels, 21)


def test_train_val_split():
    labels = torch.randint(0, 10, (500,), generator=torch.Generator().manual_seed(0))
    train, val = data.train_val_split(labels, 5, seed=3)
    assert torch.equal(torch.bincount(labels[val], minlength=10), torch.full((10,), 5))
    assert not set(train.tolist()) & set(val.tolist())
    assert sorted(train.tolist() + val.tolist()) == list(range(500))
    t2, v2 = data.train_val_split(labels, 5, seed=3)
    assert torch.equal(train, t2) and torch.equal(val, v2)


# ----------------------------------------------------------------------------- DeviceLoader

def random_images(n: int, seed: int = 0) -> torch.Tensor:
    return torch.randint(0, 256, (n, 3, 32, 32), dtype=torch.uint8, generator=torch.Generator().manual_seed(seed))


def collect(loader) -> tuple[torch.Tensor, torch.Tensor]:
    xs, ys = zip(*list(loader), strict=True)
    return torch.cat(xs), torch.cat(ys)


def test_train_batches_shapes_and_count():
    loader = DeviceLoader(random_images(300), torch.arange(300) % 10, 64, train=True)
    assert len(loader) == 4 and loader.num_examples == 300
    batches = list(loader)
    assert len(batches) == 4
    for x, y in batches:
        assert x.shape == (64, 3, 32, 32) and x.dtype == torch.float32
        assert x.is_contiguous(memory_format=torch.channels_last)
        assert y.shape == (64,) and y.dtype == torch.int64
    loader = DeviceLoader(random_images(300), torch.arange(300), 64, train=True, drop_last=False,
                          channels_last=False, dtype=torch.bfloat16)
    assert len(loader) == 5
    x, y = collect(loader)
    assert x.dtype == torch.bfloat16 and x.is_contiguous()
    assert sorted(y.tolist()) == list(range(300))  # every example exactly once per epoch


def test_eval_is_ordered_unaugmented_and_exact():
    images, labels = random_images(300), torch.arange(300) % 10
    loader = DeviceLoader(images, labels, 64, train=False)
    assert len(loader) == 5
    batches = list(loader)
    assert [len(y) for _, y in batches] == [64, 64, 64, 64, 44]
    assert all(x.is_contiguous(memory_format=torch.channels_last) for x, _ in batches)
    x, y = collect(loader)
    assert torch.equal(x, normalized(images)) and torch.equal(y, labels)
    x[0].fill_(7.0)  # batches are copies: editing one does not change the next epoch
    assert torch.equal(collect(loader)[0], normalized(images))


def test_same_seed_and_epoch_repeat_different_differ():
    images, labels = random_images(256), torch.arange(256)

    def epoch(seed, e):
        loader = DeviceLoader(images, labels, 64, train=True, seed=seed)
        loader.set_epoch(e)
        return collect(loader)

    a, b = epoch(0, 3), epoch(0, 3)
    assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])
    assert not torch.equal(a[1], epoch(0, 4)[1])
    assert not torch.equal(a[1], epoch(1, 3)[1])
    loader = DeviceLoader(images, labels, 64, train=True)  # no set_epoch: epochs 0, 1, ... in turn
    first, second = collect(loader), collect(loader)
    assert torch.equal(first[0], epoch(0, 0)[0]) and torch.equal(second[0], epoch(0, 1)[0])
    assert loader.epoch == 2


def test_global_rng_untouched():
    loader = DeviceLoader(random_images(128), torch.arange(128), 32, train=True)
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    collect(loader)
    assert torch.equal(torch.rand(3), expected)


def test_augmentation_is_a_zero_padded_crop_maybe_flipped():
    """Every output equals one of the 81 crops of the black-padded image, flipped or not."""
    images = random_images(48, seed=5)
    loader = DeviceLoader(images, torch.arange(48), 16, train=True, channels_last=False)
    x, y = collect(loader)
    padded = normalized(F.pad(images, (4, 4, 4, 4)))  # pad with 0 in pixel space, then normalize
    seen_shifts = set()
    for out, i in zip(x, y.tolist(), strict=True):
        matches = [(dy, dx, flip) for dy in range(9) for dx in range(9) for flip in (False, True)
                   if torch.equal(out, (lambda c: c.flip(-1) if flip else c)(padded[i, :, dy:dy + 32, dx:dx + 32]))]
        assert matches, f"output for image {i} is not a crop of it"
        seen_shifts.add(matches[0][:2])
    assert len(seen_shifts) > 10


def test_bright_pixel_moves_at_most_4_and_flips_about_half():
    n = 2000
    images = torch.zeros(n, 3, 32, 32, dtype=torch.uint8)
    images[:, :, 16, 8] = 255  # left half, so a flip moves it to the right half
    loader = DeviceLoader(images, torch.arange(n), 250, train=True, channels_last=False)
    x, _ = collect(loader)
    assert x.shape == (n, 3, 32, 32)
    bright = x[:, 0] > 0
    assert torch.equal(bright.sum((1, 2)), torch.ones(n, dtype=torch.int64))  # exactly one bright pixel survives
    rows = bright.any(2).float().argmax(1)
    cols = bright.any(1).float().argmax(1)
    flipped = cols >= 16
    unflipped_col = torch.where(flipped, 31 - cols, cols)
    assert ((rows - 16).abs() <= 4).all() and ((unflipped_col - 8).abs() <= 4).all()
    assert set(rows.tolist()) == set(range(12, 21)) and set(unflipped_col.tolist()) == set(range(4, 13))
    assert 0.45 < flipped.float().mean().item() < 0.55
    background = x[:, 0][~bright]
    assert torch.allclose(background, torch.tensor(-CIFAR10_MEAN[0] / CIFAR10_STD[0]))


def test_loader_rejects_bad_input():
    with pytest.raises(ValueError, match="uint8"):
        DeviceLoader(torch.zeros(4, 3, 32, 32), torch.arange(4), 2, train=True)
    with pytest.raises(ValueError, match="labels"):
        DeviceLoader(random_images(4), torch.arange(5), 2, train=True)
    with pytest.raises(ValueError, match="batch_size"):
        DeviceLoader(random_images(4), torch.arange(4), 0, train=True)


# ----------------------------------------------------------------------------- the real offline copy

@pytest.mark.slow
@pytest.mark.skipif(not REAL_ZIP.exists(), reason=f"offline CIFAR-10 copy not at {REAL_ZIP}")
def test_real_offline_zip_test_split(tmp_path):
    x, y = data.load_cifar10(REAL_ZIP, "test", cache_dir=tmp_path / "cache")
    assert x.shape == (10_000, 3, 32, 32) and x.dtype == torch.uint8
    assert torch.equal(torch.bincount(y, minlength=10), torch.full((10,), 1000))

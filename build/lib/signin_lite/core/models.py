"""Models: the CIFAR ResNets of He et al. (2016) and the single-neuron toy model."""

from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

RESNET_DEPTHS = (8, 14, 20, 32, 44, 56, 110)


class BasicBlock(nn.Module):
    """Two 3x3 convolutions with a shortcut; option A (zero-padded identity) when the shape changes."""

    def __init__(self, in_planes: int, planes: int, stride: int = 1) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.stride = stride
        self.extra_channels = planes - in_planes

    def shortcut(self, x: torch.Tensor) -> torch.Tensor:
        if self.stride == 1 and self.extra_channels == 0:
            return x
        x = x[:, :, :: self.stride, :: self.stride]
        half = self.extra_channels // 2
        return F.pad(x, (0, 0, 0, 0, half, self.extra_channels - half))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.shortcut(x))


class CifarResNet(nn.Module):
    """ResNet-(6n+2) for 32x32 images: three stages of n blocks with 16, 32, 64 channels (times ``width``)."""

    def __init__(self, depth: int = 20, width: float = 1.0, num_classes: int = 10) -> None:
        super().__init__()
        if depth not in RESNET_DEPTHS:
            raise ValueError(f"depth must be one of {RESNET_DEPTHS} (6n+2), got {depth!r}")
        if not width > 0:
            raise ValueError(f"width must be a positive multiplier, got {width!r}")
        n = (depth - 2) // 6
        planes = [max(1, round(c * width)) for c in (16, 32, 64)]
        self.conv1 = nn.Conv2d(3, planes[0], 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes[0])
        layers, in_planes = [], planes[0]
        for stage, p in enumerate(planes):
            blocks = []
            for i in range(n):
                stride = 2 if stage > 0 and i == 0 else 1
                blocks.append(BasicBlock(in_planes, p, stride))
                in_planes = p
            layers.append(nn.Sequential(*blocks))
        self.layer1, self.layer2, self.layer3 = layers
        self.fc = nn.Linear(in_planes, num_classes)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Kaiming-normal convolutions and linear layer, as in the usual CIFAR ResNet code."""
        for module in self.modules():
            if isinstance(module, (nn.Conv2d, nn.Linear)):
                nn.init.kaiming_normal_(module.weight, mode="fan_out" if isinstance(module, nn.Conv2d) else "fan_in",
                                        nonlinearity="relu")
                if module.bias is not None:
                    nn.init.zeros_(module.bias)
            elif isinstance(module, nn.BatchNorm2d):
                nn.init.ones_(module.weight)
                nn.init.zeros_(module.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.layer3(self.layer2(self.layer1(out)))
        out = F.adaptive_avg_pool2d(out, 1).flatten(1)
        return self.fc(out)


def resnet(depth: int = 20, width: float = 1.0, num_classes: int = 10) -> CifarResNet:
    """A CIFAR ResNet; ``resnet(20)`` has about 0.27M parameters."""
    return CifarResNet(depth, width, num_classes)


class ToyNeuron(nn.Module):
    """The single hidden neuron f(x) = a * ReLU(w^T x) of the theory chapter.

    ``hidden.weight`` is w (shape 1 x d) and ``out.weight`` is a (shape 1 x 1), so masks and
    Sign-In treat them like any other linear layer.
    """

    def __init__(self, dim: int = 1, a0: float | None = None, w0: torch.Tensor | list[float] | None = None) -> None:
        super().__init__()
        self.hidden = nn.Linear(dim, 1, bias=False)
        self.out = nn.Linear(1, 1, bias=False)
        with torch.no_grad():
            if w0 is not None:
                self.hidden.weight.copy_(torch.as_tensor(w0, dtype=torch.float32).reshape(1, dim))
            if a0 is not None:
                self.out.weight.fill_(float(a0))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.out(F.relu(self.hidden(x))).squeeze(-1)


def teacher_data(n: int, dim: int = 1, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """x ~ U[-1, 1]^dim and the teacher's labels y = ReLU(x_1)."""
    if n <= 0 or dim <= 0:
        raise ValueError(f"n and dim must be positive, got n={n!r}, dim={dim!r}")
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(n, dim, generator=g) * 2 - 1
    return x, F.relu(x[:, 0])


def count_parameters(model: nn.Module) -> int:
    """Number of trainable scalars (counting a parametrized weight once, as its original tensors)."""
    return sum(p.numel() for p in model.parameters())

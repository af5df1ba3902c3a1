"""Trains the reference CNN on Fashion-MNIST and exports tools/fixtures/fashion-cnn.onnx.

Usage: /usr/bin/python3 tools/train-fashion-cnn.py   (Debian: apt-get install python3-torch dataset-fashion-mnist)

The network has what compression passes must handle in real models: plain
convolutions, a depthwise separable residual block, batch normalization, a
residual add and dense layers. Input [N, 1, 28, 28] float32 in [0, 1]; output 10
logits. Seeds are fixed and threads pinned, so a rerun gives the same model.
"""
import gzip
import os
import sys

import numpy as np
import torch
from torch import nn

DATA = "/usr/share/datasets/fashion-mnist"
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "fashion-cnn.onnx")
EPOCHS = 2


def idx(name):
    with gzip.open(os.path.join(DATA, name), "rb") as f:
        raw = f.read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


class FashionCnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, 32, 3, padding=1, bias=False), nn.BatchNorm2d(32), nn.ReLU())
        self.down1 = nn.Sequential(nn.Conv2d(32, 64, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(64), nn.ReLU())
        self.block = nn.Sequential(
            nn.Conv2d(64, 64, 3, padding=1, groups=64, bias=False), nn.BatchNorm2d(64), nn.ReLU(),
            nn.Conv2d(64, 64, 1, bias=False), nn.BatchNorm2d(64),
        )
        self.down2 = nn.Sequential(nn.Conv2d(64, 64, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(64), nn.ReLU())
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10))

    def forward(self, x):
        x = self.down1(self.stem(x))
        x = torch.relu(x + self.block(x))
        return self.head(self.down2(x))


def main():
    torch.manual_seed(0)
    np.random.seed(0)
    torch.set_num_threads(2)
    train_x = torch.from_numpy(idx("train-images-idx3-ubyte.gz").astype(np.float32) / 255.0).unsqueeze(1)
    train_y = torch.from_numpy(idx("train-labels-idx1-ubyte.gz").astype(np.int64))
    test_x = torch.from_numpy(idx("t10k-images-idx3-ubyte.gz").astype(np.float32) / 255.0).unsqueeze(1)
    test_y = torch.from_numpy(idx("t10k-labels-idx1-ubyte.gz").astype(np.int64))
    model = FashionCnn()
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=EPOCHS * (len(train_x) // 128))
    loss_fn = nn.CrossEntropyLoss()
    for epoch in range(EPOCHS):
        model.train()
        order = torch.randperm(len(train_x))
        for i in range(len(train_x) // 128):
            batch = order[i * 128:(i + 1) * 128]
            opt.zero_grad()
            loss = loss_fn(model(train_x[batch]), train_y[batch])
            loss.backward()
            opt.step()
            sched.step()
        model.eval()
        with torch.no_grad():
            correct = sum((model(test_x[i:i + 1000]).argmax(1) == test_y[i:i + 1000]).sum().item() for i in range(0, 10000, 1000))
        print(f"epoch {epoch + 1}: loss {loss.item():.3f}, test accuracy {correct / 100:.2f}%", flush=True)
    model.eval()
    torch.onnx.export(model, torch.zeros(1, 1, 28, 28), OUT, opset_version=13, input_names=["image"], output_names=["logits"],
                      dynamic_axes={"image": {0: "N"}, "logits": {0: "N"}}, do_constant_folding=True)
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""Reference fixtures for reading weight files as they exist in the wild.

Run with Debian's PyTorch 1.13 (not the first python3 on PATH):
    /usr/bin/python3 tests/reference/weight_formats_reference.py

Two tiny networks, seeded, are saved in every format NativeCam reads, under tests/fixtures/formats/:
  tiny        nn.Sequential(Conv2d, BatchNorm2d, ReLU, torchvision's resnet BasicBlock(8, 8), pool, Flatten, Linear)
  densenet    torchvision.models.densenet.DenseNet(growth_rate=4, block_config=(1, 1), num_init_features=8, bn_size=2, num_classes=3)
  densenet_2017  its state_dict without num_batches_tracked, saved under the old names (norm.1, conv.2, ...) as in
                 torchvision's original densenet121-a639ec97.pth

formats.fixture.json holds, per network, the state_dict torch gives (name, shape, dtype, sums, samples and
sha256 of the bytes, as weights_fixture.py records them) and, per file, what the reader must report:
source format, wrapper key, stripped prefix, renamed keys and module class. Every file is loaded back here
with torch.load and compared with the network's state_dict before it is listed.

safetensors files are written with struct and json (Debian 12 has no python3-safetensors): an 8-byte
little-endian header length, the JSON header, then the tensors' bytes in header order.
"""
import collections
import json
import os
import struct
import sys

import torch
import torchvision

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from weights_fixture import _record  # noqa: E402  (same tensor records as the other weight fixtures)

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "fixtures", "formats")


def tiny():
    torch.manual_seed(2024)
    from torchvision.models.resnet import BasicBlock
    net = torch.nn.Sequential(
        torch.nn.Conv2d(3, 8, 3, padding=1, bias=False),
        torch.nn.BatchNorm2d(8),
        torch.nn.ReLU(inplace=True),
        BasicBlock(8, 8),
        torch.nn.AdaptiveAvgPool2d(1),
        torch.nn.Flatten(),
        torch.nn.Linear(8, 3),
    )
    _randomise_norms(net)
    return net


def densenet():
    torch.manual_seed(1957)
    from torchvision.models.densenet import DenseNet
    net = DenseNet(growth_rate=4, block_config=(1, 1), num_init_features=8, bn_size=2, num_classes=3)
    _randomise_norms(net)
    return net


def _randomise_norms(net):
    """Running statistics and counters that are not their initial values, so every buffer is checked."""
    g = torch.Generator().manual_seed(7)
    for m in net.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.copy_(torch.randn(m.running_mean.shape, generator=g))
            m.running_var.copy_(torch.rand(m.running_var.shape, generator=g) + 0.5)
            m.weight.data.copy_(torch.randn(m.weight.shape, generator=g))
            m.bias.data.copy_(torch.randn(m.bias.shape, generator=g))
            m.num_batches_tracked.fill_(int(torch.randint(1, 1000, (1,), generator=g)))


DENSENET_OLD = (".norm1.", ".norm.1."), (".relu1.", ".relu.1."), (".conv1.", ".conv.1."), \
               (".norm2.", ".norm.2."), (".relu2.", ".relu.2."), (".conv2.", ".conv.2.")


def old_densenet_name(key):
    """The name torchvision's original densenet downloads used (its loader renames them back)."""
    if ".denselayer" not in key:
        return key
    for new, old in DENSENET_OLD:
        key = key.replace(new, old)
    return key


SAFETENSORS_DTYPES = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.float64: "F64",
                      torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8",
                      torch.uint8: "U8", torch.bool: "BOOL"}


def save_safetensors(sd, path, metadata):
    header, blobs, offset = {"__metadata__": metadata}, [], 0
    for name, t in sd.items():
        data = t.detach().contiguous().numpy().tobytes()
        header[name] = {"dtype": SAFETENSORS_DTYPES[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)  # the header is padded with spaces to 8 bytes, as safetensors does
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def load_safetensors(path):
    with open(path, "rb") as f:
        n, = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    sd = collections.OrderedDict()
    inverse = {v: k for k, v in SAFETENSORS_DTYPES.items()}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        flat = torch.frombuffer(bytearray(data[begin:end]), dtype=inverse[info["dtype"]])
        sd[name] = flat.reshape(info["shape"])
    return sd


def legacy(path, obj):
    torch.save(obj, path, _use_new_zipfile_serialization=False)


def zipped(path, obj):
    torch.save(obj, path)


def main():
    os.makedirs(OUT, exist_ok=True)
    nets = {"tiny": tiny(), "densenet": densenet()}
    sds = {k: v.state_dict() for k, v in nets.items()}
    t = nets["tiny"]
    optimizer = torch.optim.SGD(t.parameters(), lr=0.1, momentum=0.9)
    t(torch.randn(2, 3, 8, 8)).sum().backward()
    optimizer.step()  # the momentum buffers make the optimizer state hold tensors
    optimizer.zero_grad()
    t.eval()
    sds["tiny"] = t.state_dict()  # after the step: these are the weights every file holds
    sd = sds["tiny"]
    dp = torch.nn.DataParallel(t)  # on a CPU-only machine it only wraps: names gain 'module.'
    # torchvision's original DenseNet downloads (2017) predate BatchNorm's num_batches_tracked counter.
    sds["densenet_2017"] = collections.OrderedDict(
        (k, v) for k, v in sds["densenet"].items() if not k.endswith(".num_batches_tracked"))
    old = collections.OrderedDict((old_densenet_name(k), v) for k, v in sds["densenet_2017"].items())
    renamed = sum(1 for k in sds["densenet_2017"] if old_densenet_name(k) != k)
    assert renamed > 0

    # file, network, writer, object, expected reader report
    files = [
        ("tiny_zip.pt", "tiny", zipped, sd, dict(format="pytorch-zip")),
        ("tiny_legacy.pt", "tiny", legacy, sd, dict(format="pytorch-legacy")),
        ("tiny_module_zip.pt", "tiny", zipped, t, dict(format="pytorch-zip", module_class="torch.nn.modules.container.Sequential")),
        ("tiny_module_legacy.pt", "tiny", legacy, t, dict(format="pytorch-legacy", module_class="torch.nn.modules.container.Sequential")),
        ("tiny_wrap_state_dict.pt", "tiny", zipped,
         {"epoch": 90, "arch": "tiny", "state_dict": sd, "best_acc1": torch.tensor(71.5), "optimizer": optimizer.state_dict()},
         dict(format="pytorch-zip", wrapper_key="state_dict")),
        ("tiny_wrap_model_legacy.pt", "tiny", legacy, {"model": sd, "epoch": 3}, dict(format="pytorch-legacy", wrapper_key="model")),
        ("tiny_wrap_model_state_dict.pt", "tiny", zipped,
         {"epoch": 3, "model_state_dict": sd, "optimizer_state_dict": optimizer.state_dict(), "loss": 0.25},
         dict(format="pytorch-zip", wrapper_key="model_state_dict")),
        ("tiny_dataparallel.pt", "tiny", zipped, dp.state_dict(), dict(format="pytorch-zip", stripped_prefix="module.")),
        ("tiny_dataparallel_legacy.pt", "tiny", legacy, {"state_dict": dp.state_dict()},
         dict(format="pytorch-legacy", wrapper_key="state_dict", stripped_prefix="module.")),
        ("tiny_dataparallel_module.pt", "tiny", zipped, dp,
         dict(format="pytorch-zip", stripped_prefix="module.", module_class="torch.nn.modules.container.Sequential")),
        ("tiny.safetensors", "tiny", save_safetensors, sd, dict(format="safetensors")),
        ("densenet_old_names.pth", "densenet_2017", legacy, old, dict(format="pytorch-legacy", renamed_keys=renamed)),
        ("densenet_module_zip.pt", "densenet", zipped, nets["densenet"],
         dict(format="pytorch-zip", module_class="torchvision.models.densenet.DenseNet")),
        ("densenet_module_legacy.pt", "densenet", legacy, nets["densenet"],
         dict(format="pytorch-legacy", module_class="torchvision.models.densenet.DenseNet")),
    ]
    listed = []
    for name, net, writer, obj, report in files:
        path = os.path.join(OUT, name)
        if writer is save_safetensors:
            writer(obj, path, {"format": "pt", "source": "weight_formats_reference.py"})
            loaded = load_safetensors(path)
        else:
            writer(path, obj)
            loaded = torch.load(path, map_location="cpu")
        check(name, loaded, sds[net])
        listed.append(dict(dict(file=name, network=net, wrapper_key=None, stripped_prefix=None, renamed_keys=0,
                                module_class=None), **report))
        print("wrote", name, os.path.getsize(path), "bytes")

    fixture = {
        "generator": f"tests/reference/weight_formats_reference.py (PyTorch {torch.__version__}, torchvision {torchvision.__version__})",
        "networks": {k: [_record(n, v) for n, v in s.items()] for k, s in sds.items()},
        "files": listed,
    }
    with open(os.path.join(OUT, "formats.fixture.json"), "w") as f:
        json.dump(fixture, f, indent=1)


def check(name, loaded, expected):
    """What torch.load gives back is the network's state dict (after the same unwrapping NativeCam does)."""
    if isinstance(loaded, torch.nn.Module):
        loaded = loaded.state_dict()
    for key in ("state_dict", "model", "model_state_dict"):
        if isinstance(loaded, dict) and key in loaded:
            loaded = loaded[key]
    loaded = collections.OrderedDict((k[len("module."):] if k.startswith("module.") else k, v) for k, v in loaded.items())
    loaded = collections.OrderedDict(
        (k.replace(".norm.1.", ".norm1.").replace(".conv.1.", ".conv1.").replace(".norm.2.", ".norm2.").replace(".conv.2.", ".conv2."), v)
        for k, v in loaded.items())
    assert list(loaded) == list(expected), (name, list(loaded)[:5], list(expected)[:5])
    for k in expected:
        assert loaded[k].dtype == expected[k].dtype and torch.equal(loaded[k], expected[k]), (name, k)


if __name__ == "__main__":
    main()

"""Reference for src/Vit: a small seeded timm-style ViT in plain PyTorch, saved in both key layouts.

Writes tests/fixtures/vit/:
  vit_small_timm.pt         state dict with timm/DeiT names (patch_embed.proj, blocks.N.attn.qkv, ...)
  vit_small_torchvision.pt  the same weights with torchvision names (conv_proj, encoder.layers.encoder_layer_N...)
  vit_small.json            the input, logits, per-layer attention probabilities [B, heads, T, T], and for
                            K = 2 targets (d logit[:, class_k].sum() / d ...) the gradients at blocks.1.norm1
                            and at each layer's attention probabilities, as [K, ..shape].
The torchvision file is checked here by loading it into torchvision's own VisionTransformer, which must give
the same logits. Everything is computed in float64 from float32-exact weights and input.
Run: /usr/bin/python3 tests/reference/vit_reference.py
"""
import json
import math
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

from fixture_io import FIXTURES, array

IMAGE, PATCH, DEPTH, HEADS, HIDDEN, MLP, CLASSES, BATCH = 32, 8, 2, 2, 16, 32, 5, 2
TARGETS = [1, 3]  # class k's logit, summed over the batch, is target k
OUT = os.path.join(FIXTURES, "vit")


class Attention(nn.Module):
    def __init__(self):
        super().__init__()
        self.qkv = nn.Linear(HIDDEN, 3 * HIDDEN)
        self.proj = nn.Linear(HIDDEN, HIDDEN)

    def forward(self, x, taps, i):
        b, t, c = x.shape
        qkv = self.qkv(x).reshape(b, t, 3, HEADS, c // HEADS).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        attn = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(c // HEADS))
        attn = attn.softmax(dim=-1)
        attn.retain_grad()
        taps[f"blocks.{i}.attn.attn_drop"] = attn
        return self.proj((attn @ v).transpose(1, 2).reshape(b, t, c))


class Mlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(HIDDEN, MLP)
        self.fc2 = nn.Linear(MLP, HIDDEN)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.norm1 = nn.LayerNorm(HIDDEN, eps=1e-6)
        self.attn = Attention()
        self.norm2 = nn.LayerNorm(HIDDEN, eps=1e-6)
        self.mlp = Mlp()

    def forward(self, x, taps, i):
        h = self.norm1(x)
        h.retain_grad()
        taps[f"blocks.{i}.norm1"] = h
        x = x + self.attn(h, taps, i)
        return x + self.mlp(self.norm2(x))


class PatchEmbed(nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = nn.Conv2d(3, HIDDEN, PATCH, stride=PATCH)


class Vit(nn.Module):
    def __init__(self):
        super().__init__()
        self.patch_embed = PatchEmbed()
        self.cls_token = nn.Parameter(torch.randn(1, 1, HIDDEN) * 0.5)
        self.pos_embed = nn.Parameter(torch.randn(1, (IMAGE // PATCH) ** 2 + 1, HIDDEN) * 0.5)
        self.blocks = nn.ModuleList([Block() for _ in range(DEPTH)])
        self.norm = nn.LayerNorm(HIDDEN, eps=1e-6)
        self.head = nn.Linear(HIDDEN, CLASSES)

    def forward(self, x, taps):
        x = self.patch_embed.proj(x).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], dim=1) + self.pos_embed
        for i, blk in enumerate(self.blocks):
            x = blk(x, taps, i)
        return self.head(self.norm(x)[:, 0])


def torchvision_state_dict(sd):
    """timm names → torchvision ≥ 0.13 names (the in_proj packs q, k, v in the same order as timm's qkv)."""
    rename = {"patch_embed.proj": "conv_proj", "norm": "encoder.ln", "head": "heads.head"}
    inner = {"norm1": "ln_1", "norm2": "ln_2", "attn.qkv": "self_attention.in_proj", "attn.proj": "self_attention.out_proj",
             "mlp.fc1": "mlp.0", "mlp.fc2": "mlp.3"}
    out = {}
    for key, v in sd.items():
        if key == "cls_token":
            out["class_token"] = v
        elif key == "pos_embed":
            out["encoder.pos_embedding"] = v
        elif key.startswith("blocks."):
            _, i, rest = key.split(".", 2)
            module, param = rest.rsplit(".", 1)
            name = inner[module]
            if name == "self_attention.in_proj":
                out[f"encoder.layers.encoder_layer_{i}.self_attention.in_proj_{param}"] = v
            else:
                out[f"encoder.layers.encoder_layer_{i}.{name}.{param}"] = v
        else:
            module, param = key.rsplit(".", 1)
            out[f"{rename[module]}.{param}"] = v
    return out


def main():
    torch.manual_seed(7)
    model = Vit()
    with torch.no_grad():  # LayerNorm affine parameters away from (1, 0) so a swapped gamma/beta shows
        for name, p in model.named_parameters():
            if "norm" in name:
                p.copy_((torch.rand_like(p) * 0.8 + 0.6) if name.endswith("weight") else torch.randn_like(p) * 0.2)
    model.eval()
    os.makedirs(OUT, exist_ok=True)
    sd = {k: v.detach().clone().contiguous() for k, v in model.state_dict().items()}
    torch.save(sd, os.path.join(OUT, "vit_small_timm.pt"))
    tv = torchvision_state_dict(sd)
    torch.save(tv, os.path.join(OUT, "vit_small_torchvision.pt"))

    gen = torch.Generator().manual_seed(11)
    image = (torch.rand(BATCH, 3, IMAGE, IMAGE, generator=gen) * 2 - 1).float()

    model = model.double()
    x = image.double()
    seen = {}
    for k, cls in enumerate(TARGETS):
        taps = {}
        logits = model(x, taps)
        logits[:, cls].sum().backward()
        for name, t in taps.items():
            seen.setdefault(name, {"value": t.detach(), "grads": []})["grads"].append(t.grad.detach().clone())
        model.zero_grad()

    from torchvision.models.vision_transformer import VisionTransformer
    ref = VisionTransformer(image_size=IMAGE, patch_size=PATCH, num_layers=DEPTH, num_heads=HEADS,
                            hidden_dim=HIDDEN, mlp_dim=MLP, num_classes=CLASSES)
    ref.load_state_dict(tv)
    ref = ref.double().eval()
    with torch.no_grad():
        tv_logits = ref(x)
    assert torch.allclose(tv_logits, logits.detach(), rtol=1e-10, atol=1e-12), (tv_logits, logits)

    case = {
        "config": {"image": IMAGE, "patch": PATCH, "depth": DEPTH, "heads": HEADS, "hidden": HIDDEN, "mlp": MLP,
                   "classes": CLASSES},
        "targets": TARGETS,
        "input": array(image),
        "logits": array(logits),
        "activations": {n: array(s["value"]) for n, s in seen.items()},
        "grads": {n: array(torch.stack(s["grads"])) for n, s in seen.items()},
    }
    path = os.path.join(OUT, "vit_small.json")
    with open(path, "w") as f:
        json.dump({"generator": "tests/reference/vit_reference.py (PyTorch %s, float64)" % torch.__version__, **case}, f)
    print("wrote", os.path.relpath(path), "and both .pt files; torchvision logits match")


if __name__ == "__main__":
    main()

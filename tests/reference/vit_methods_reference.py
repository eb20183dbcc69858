"""Reference for the ViT methods that follow other people's code: Chefer et al. 2021's generic attention relevance
(`vit-cam --method chefer`) and jacobgil/vit-explain's rollout and gradient rollout (`vit-cam --compat vit-explain`).
Both are run from the AUTHORS' OWN CODE, imported from outside this repository at generation time:

  * Chefer: hila-chefer/Transformer-MM-Explainability (commit 58eaea8), notebook
    Transformer_MM_explainability_ViT.ipynb, the cell with `avg_heads` (rule 5), `apply_self_attention_rules`
    (rule 6) and `generate_relevance`; it is exec'd as written, with `Tensor.cuda` made the identity (no GPU here).
    `generate_relevance` needs a model with `model(x, register_hook=True)` and `blocks[i].attn.get_attention_map()` /
    `get_attn_gradients()`, as their baselines/ViT/ViT_new.py has: `HookedVit` below provides exactly that
    (the attention map is saved after attn_drop and its gradient hooked there, as in ViT_new).
  * vit-explain: jacobgil/vit-explain (commit 15a81d3), vit_rollout.VITAttentionRollout and
    vit_grad_rollout.VITAttentionGradRollout, used as its vit_explain.py uses them, on a timm-style model whose
    attention probabilities go through an `attn_drop` nn.Dropout module (timm 0.3 / DeiT, what vit-explain hooks).
    A fresh model per call: VITAttentionGradRollout never clears its lists, so only a first call is meaningful.

The model is the small seeded ViT of vit_reference.py (tests/fixtures/vit/vit_small_timm.pt: image 32, patch 8,
depth 2, heads 2, hidden 16) on the first image of vit_small.json, in float64 (torch's default dtype is set to
float64 so vit-explain's torch.eye is float64 too). Targets: vit_reference.TARGETS.

Inputs and outputs (tests/fixtures/vit/vit_methods.json, fixture_io format):
  attention<l> [H, T, T], gradient<l> [K, H, T, T]   layer l's probabilities and d logit[class_k] / d probabilities
                                    (captured by ViT_new's hook on the float64 model), rounded to float32
  chefer                       [K, g, g]  R[0, 1:] of generate_relevance(model, x, index=class_k)
  vitexplain_rollout_<f>_<d>   [1, g, g]  VITAttentionRollout(model, head_fusion=f, discard_ratio=d)(x)
  vitexplain_grad_rollout_<d>  [K, g, g]  VITAttentionGradRollout(model, discard_ratio=d)(x, class_k) (d = 0: its
                                          grad_rollout on the same captured lists)
  <any of those>_kernel                   the same code on the rounded attentions (and, for Chefer, the rounded
                                          gradients; vit-explain's gradient lists as its hooks captured them): what
                                          the kernels must give from the inputs above
and prints the smallest gap between the m-th and (m+1)-th smallest fused values at each vit-explain discard, relative
to the (m+1)-th (the float32 C# side picks the same entries only if that is well above float32 rounding, 6e-8).

Setup (once):
  git clone https://github.com/jacobgil/vit-explain /tmp/vx && git -C /tmp/vx checkout 15a81d3
  git clone https://github.com/hila-chefer/Transformer-MM-Explainability /tmp/chefer && git -C /tmp/chefer checkout 58eaea8
Run: VIT_EXPLAIN=/tmp/vx CHEFER=/tmp/chefer /usr/bin/python3 tests/reference/vit_methods_reference.py
"""
import json
import math
import os
import sys
import warnings

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from fixture_io import array, write
from vit_reference import CLASSES, DEPTH, HEADS, HIDDEN, IMAGE, MLP, OUT, PATCH, TARGETS

torch.set_default_dtype(torch.float64)
warnings.simplefilter("ignore")  # vit-explain's register_backward_hook is deprecated in torch 1.13

VIT_EXPLAIN = os.environ.get("VIT_EXPLAIN", "/tmp/vx")
CHEFER = os.environ.get("CHEFER", "/tmp/chefer")


class Attention(nn.Module):
    """timm 0.3's Attention (what DeiT ran when vit-explain was written), with ViT_new's relevance hooks."""

    def __init__(self):
        super().__init__()
        self.num_heads = HEADS
        self.scale = (HIDDEN // HEADS) ** -0.5
        self.qkv = nn.Linear(HIDDEN, 3 * HIDDEN)
        self.attn_drop = nn.Dropout(0.0)
        self.proj = nn.Linear(HIDDEN, HIDDEN)
        self.attention_map = self.attn_gradients = None

    def save_attn_gradients(self, g):
        self.attn_gradients = g

    def get_attn_gradients(self):
        return self.attn_gradients

    def get_attention_map(self):
        return self.attention_map

    def forward(self, x, register_hook=False):
        b, n, c = x.shape
        qkv = self.qkv(x).reshape(b, n, 3, self.num_heads, c // self.num_heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        attn = (q @ k.transpose(-2, -1)) * self.scale
        attn = attn.softmax(dim=-1)
        attn = self.attn_drop(attn)
        self.attention_map = attn
        if register_hook:
            attn.register_hook(self.save_attn_gradients)
        return self.proj((attn @ v).transpose(1, 2).reshape(b, n, c))


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

    def forward(self, x, register_hook=False):
        x = x + self.attn(self.norm1(x), register_hook=register_hook)
        return x + self.mlp(self.norm2(x))


class PatchEmbed(nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = nn.Conv2d(3, HIDDEN, PATCH, stride=PATCH)


class HookedVit(nn.Module):
    """The small fixture ViT under timm's module names (so vit_small_timm.pt loads as is)."""

    def __init__(self):
        super().__init__()
        self.patch_embed = PatchEmbed()
        self.cls_token = nn.Parameter(torch.zeros(1, 1, HIDDEN))
        self.pos_embed = nn.Parameter(torch.zeros(1, (IMAGE // PATCH) ** 2 + 1, HIDDEN))
        self.blocks = nn.ModuleList([Block() for _ in range(DEPTH)])
        self.norm = nn.LayerNorm(HIDDEN, eps=1e-6)
        self.head = nn.Linear(HIDDEN, CLASSES)

    always_hook = False  # hook the probabilities' gradients on every forward (to capture them next to vit-explain's)

    def forward(self, x, register_hook=False):
        register_hook = register_hook or self.always_hook
        x = self.patch_embed.proj(x).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], dim=1) + self.pos_embed
        for blk in self.blocks:
            x = blk(x, register_hook=register_hook)
        return self.head(self.norm(x)[:, 0])


def load_model():
    model = HookedVit()
    model.load_state_dict(torch.load(os.path.join(OUT, "vit_small_timm.pt")))
    return model.double().eval()


def chefer_code():
    """The notebook cell that defines generate_relevance, exec'd with .cuda() as the identity."""
    with open(os.path.join(CHEFER, "Transformer_MM_explainability_ViT.ipynb")) as f:
        cells = [''.join(c["source"]) for c in json.load(f)["cells"] if c["cell_type"] == "code"]
    cell = next(c for c in cells if "def generate_relevance" in c)
    torch.Tensor.cuda = lambda self, *a, **k: self
    scope = {"torch": torch, "np": np}
    exec(cell, scope)
    return scope["generate_relevance"]


def cutoff_gap(f, ratio):
    """The gap between the m-th and (m+1)-th smallest values relative to the (m+1)-th: float32 (relative rounding
    6e-8) selects the same m entries when it is well above 1e-6."""
    flat = f.reshape(-1)
    m = int(flat.numel() * ratio)
    if m == 0 or m >= flat.numel():
        return float("inf")
    s = torch.sort(flat).values
    if s[m] == 0:  # ties among exact zeros (ReLU): zeroing a zero changes nothing
        return float("inf")
    return float((s[m] - s[m - 1]) / s[m])


def f32(t):
    """Rounded to float32 (the C# kernels' inputs), kept as float64."""
    return t.detach().float().double()


class FakeModel:
    """What generate_relevance reads, served from stored (float32-rounded) attentions and gradients: its code then
    runs unchanged on exactly the kernels' inputs. The output only needs a gradient path for one_hot.backward()."""

    class _Attn:
        def __init__(self, a, g):
            self.a, self.g = a, g

        def get_attention_map(self):
            return self.a

        def get_attn_gradients(self):
            return self.g

    class _Block:
        def __init__(self, a, g):
            self.attn = FakeModel._Attn(a, g)

    def __init__(self, attentions, gradients):
        self.blocks = [FakeModel._Block(a, g) for a, g in zip(attentions, gradients)]

    def __call__(self, x, register_hook=False):
        return torch.zeros(1, max(CLASSES, 2), requires_grad=True) * 1

    def zero_grad(self):
        pass


def hashed(seed, n):
    """splitmix64 of (seed, index) for index 0..n-1, as uint64. Three 21-bit uniforms in [0, 1) are cut from each
    (bits 43-63, 22-42, 1-21: float32-exact). The C# test makes the same numbers (tests/Vit/VitMethodsTests.cs,
    Hashed), so a ViT-B-sized input needs no fixture."""
    with np.errstate(over="ignore"):
        z = np.uint64(seed) + (np.arange(n, dtype=np.uint64) + np.uint64(1)) * np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    mask = np.uint64((1 << 21) - 1)
    return [torch.from_numpy(((z >> np.uint64(shift)) & mask).astype(np.float64) / 2.0 ** 21) for shift in (43, 22, 1)]


def vitb_case(generate_relevance, rollout):
    """ViT-B/16's attention shapes (L = 12, H = 12, T = 197), K = 2: per entry (l, h, i, j) one hash (seed 1) gives
    A = u0 / 128 and the two targets' G = (2 u1 − 1) / 16, (2 u2 − 1) / 16; Chefer's relevance and vit-explain's rollout
    (mean fusion at discard 0.9) by their code."""
    layers, heads, tokens, k = 12, 12, 197, 2
    u = [x.reshape(layers, heads, tokens, tokens) for x in hashed(1, layers * heads * tokens * tokens)]
    a = (u[0] / 128).unsqueeze(1)                                        # [L, 1, H, T, T]
    g = torch.stack([(u[1] * 2 - 1) / 16, (u[2] * 2 - 1) / 16], dim=1)  # [L, K, H, T, T]
    outputs, gaps = {}, []
    outputs["chefer_kernel"] = torch.stack([
        generate_relevance(FakeModel(list(a), [g[l, t].unsqueeze(0) for l in range(layers)]), None, index=t).detach().reshape(14, 14)
        for t in range(k)])
    for fusion in ["mean"]:  # max: exact ties at the cutoff on these 21-bit inputs, where topk's order is unspecified
        outputs[f"vitexplain_rollout_{fusion}_0.9_kernel"] = torch.from_numpy(rollout(list(a), 0.9, fusion)).unsqueeze(0)
        for l in range(layers):
            gaps.append(cutoff_gap(a[l, 0].mean(dim=0) if fusion == "mean" else a[l, 0].max(dim=0)[0], 0.9))
    print("ViT-B shapes: smallest relative gap at a discard cutoff:", min(gaps))
    return {"name": "vitb_shapes_hashed",
            "params": {"layers": layers, "heads": heads, "tokens": tokens, "targets": k, "seed": 1,
                       "attention_scale": 1 / 128, "gradient_scale": 1 / 16, "min_relative_cutoff_gap": min(gaps)},
            "inputs": {}, "outputs": {n: array(v) for n, v in outputs.items()}}


def main():
    sys.path.insert(0, VIT_EXPLAIN)
    from vit_grad_rollout import VITAttentionGradRollout, grad_rollout
    from vit_rollout import VITAttentionRollout, rollout
    generate_relevance = chefer_code()

    with open(os.path.join(OUT, "vit_small.json")) as f:
        src = json.load(f)["input"]
    x = torch.tensor(src["data"], dtype=torch.float64).reshape(src["shape"])[:1].clone()
    g = IMAGE // PATCH
    outputs, gaps = {}, []

    # One capture per target: vit-explain's hooks (attentions in forward order; its gradients in backward order, the
    # gradient of the softmax INPUT: see docs/vit-explain.md) and ViT_new's hook on the probabilities themselves.
    attentions, grads_p, captures = None, [], []
    for c in TARGETS:
        model = load_model()
        model.always_hook = True
        vx = VITAttentionGradRollout(model, discard_ratio=0.9)
        outputs.setdefault("vitexplain_grad_rollout_0.9", []).append(torch.from_numpy(vx(x, c)))
        attentions = [f32(a[0]) for a in vx.attentions]                                    # [H, T, T]
        grads_p.append([f32(b.attn.get_attn_gradients()[0]) for b in model.blocks])       # [H, T, T] each
        captures.append(vx)
        outputs["logits"] = model(x).detach()
    outputs["vitexplain_grad_rollout_0.9"] = torch.stack(outputs["vitexplain_grad_rollout_0.9"])
    layers, k = len(attentions), len(TARGETS)
    gradients = [torch.stack([grads_p[t][l] for t in range(k)]) for l in range(layers)]  # [K, H, T, T]

    # End to end (the float64 model) and on the rounded inputs the kernels get (their functions, unchanged).
    outputs["chefer"] = torch.stack([generate_relevance(load_model(), x, index=c).detach().reshape(g, g) for c in TARGETS])
    outputs["chefer_kernel"] = torch.stack([
        generate_relevance(FakeModel([a.unsqueeze(0) for a in attentions], [gr[t].unsqueeze(0) for gr in gradients]), x,
                           index=c).detach().reshape(g, g)
        for t, c in enumerate(TARGETS)])
    for fusion in ["mean", "max", "min"]:
        for ratio in [0.0, 0.9]:
            key = f"vitexplain_rollout_{fusion}_{ratio}"
            vx = VITAttentionRollout(load_model(), head_fusion=fusion, discard_ratio=ratio)
            outputs[key] = torch.from_numpy(vx(x)).unsqueeze(0)
            outputs[key + "_kernel"] = torch.from_numpy(rollout([a.unsqueeze(0) for a in attentions], ratio, fusion)).unsqueeze(0)
            for a in attentions:
                fused = {"mean": a.mean(dim=0), "max": a.max(dim=0)[0], "min": a.min(dim=0)[0]}[fusion]
                gaps.append(cutoff_gap(fused, ratio))
    for ratio in [0.0, 0.9]:
        key = f"vitexplain_grad_rollout_{ratio}"
        if ratio == 0.0:
            outputs[key] = torch.stack([torch.from_numpy(grad_rollout(vx.attentions, vx.attention_gradients, ratio)) for vx in captures])
        rounded = [a.unsqueeze(0) for a in attentions]
        outputs[key + "_kernel"] = torch.stack([torch.from_numpy(grad_rollout(rounded, vx.attention_gradients, ratio)) for vx in captures])
        for vx in captures:
            for a, gr in zip(vx.attentions, vx.attention_gradients):
                gaps.append(cutoff_gap(torch.relu((a * gr).mean(dim=1)), ratio))
    print("smallest relative gap at a discard cutoff:", min(gaps))

    inputs = {"input": array(x)}
    inputs.update({f"attention{l}": array(attentions[l]) for l in range(layers)})
    inputs.update({f"gradient{l}": array(gradients[l]) for l in range(layers)})
    write("vit/vit_methods.json", [{
        "name": "vit_small_image0",
        "params": {"targets": TARGETS, "layers": layers, "tokens": attentions[0].shape[-1],
                   "min_relative_cutoff_gap": min(gaps),
                   "sources": {"chefer": "hila-chefer/Transformer-MM-Explainability@58eaea8",
                               "vit_explain": "jacobgil/vit-explain@15a81d3"}},
        "inputs": inputs,
        "outputs": {n: array(v) for n, v in outputs.items()},
    }, vitb_case(generate_relevance, rollout)])


if __name__ == "__main__":
    main()

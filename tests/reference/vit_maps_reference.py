"""End-to-end reference for the ViT explanation chain: the small seeded ViT of vit_reference.py (loaded from
tests/fixtures/vit/vit_small_timm.pt) on the FIRST image of vit_small.json's input as a batch-1 input, in float64:
attention rollout (head fusion mean/max/min at discard 0.9, mean at 0), gradient rollout for K = 2 targets
(vit_reference.TARGETS, each d logit[0, class_k] / d ...) at discard 0.9 and 0, and token Grad-CAM at
blocks.1.norm1 for the same K = 2 targets, with the formulas of docs/vit-explain.md (vit_explain_reference.py's).

Also prints, for every discard step, the gap between the m-th and (m+1)-th smallest fused values (ignoring ties at exact zero): the float32
C# side selects the same entries only if that gap is well above float32 rounding.
Writes tests/fixtures/vit/vit_maps.json (one case, fixture_io format).
Run: /usr/bin/python3 tests/reference/vit_maps_reference.py
"""
import json
import math
import os

import torch

from fixture_io import write
from fixture_io import array
from vit_explain_reference import fuse, grid_map, rollout
from vit_reference import OUT, TARGETS, Vit


def cutoff_gap(f, ratio):
    flat = f.reshape(-1)
    m = int(math.floor(ratio * flat.numel()))
    if m == 0 or m >= flat.numel():
        return float("inf")
    s = torch.sort(flat, stable=True).values
    if s[m] == 0:  # ties among exact zeros (ReLU): zeroing a zero changes nothing
        return float("inf")
    return float(s[m] - s[m - 1])


def main():
    model = Vit()
    model.load_state_dict(torch.load(os.path.join(OUT, "vit_small_timm.pt")))
    model = model.double().eval()
    with open(os.path.join(OUT, "vit_small.json")) as f:
        src = json.load(f)["input"]
    full = torch.tensor(src["data"], dtype=torch.float64).reshape(src["shape"])
    x = full[:1].clone()  # batch 1: the first image (already float32-exact)

    attn, grads, tokens, tgrads = None, [], None, []
    for cls in TARGETS:
        taps = {}
        logits = model(x, taps)
        logits[0, cls].backward()
        names = sorted([n for n in taps if n.endswith("attn.attn_drop")], key=lambda n: int(n.split(".")[1]))
        attn = [taps[n].detach()[0] for n in names]              # [H, T, T] per layer
        grads.append([taps[n].grad.detach()[0] for n in names])  # per target: [H, T, T] per layer
        tokens = taps["blocks.1.norm1"].detach()[0]              # [T, C]
        tgrads.append(taps["blocks.1.norm1"].grad.detach()[0])
        model.zero_grad()
    layers, k = len(attn), len(TARGETS)
    grads = [torch.stack([grads[t][l] for t in range(k)]) for l in range(layers)]  # [K, H, T, T] per layer
    gx = torch.stack(tgrads)                                                    # [K, T, C]

    outputs, gaps = {"logits": logits.detach()}, []
    for fusion, ratio in [("mean", 0.9), ("max", 0.9), ("min", 0.9), ("mean", 0.0)]:
        fused = [fuse(a, fusion) for a in attn]
        gaps += [cutoff_gap(f, ratio) for f in fused]
        outputs[f"rollout_{fusion}_{ratio}"] = grid_map(rollout(fused, ratio)[0]).unsqueeze(0)
    for ratio in [0.9, 0.0]:
        maps = []
        for t in range(k):
            fused = [torch.relu(attn[l] * grads[l][t]).mean(dim=0) for l in range(layers)]
            gaps += [cutoff_gap(f, ratio) for f in fused]
            maps.append(grid_map(rollout(fused, ratio)[0]))
        outputs[f"grad_rollout_{ratio}"] = torch.stack(maps)
    g = int(round(math.sqrt(tokens.shape[0] - 1)))
    weights = gx[:, 1:, :].mean(dim=1)
    outputs["gradcam_blocks.1.norm1"] = torch.relu(weights @ tokens[1:].T).reshape(k, g, g)
    print("smallest gap at a discard cutoff:", min(gaps))

    write("vit/vit_maps.json", [{
        "name": "vit_small_image0",
        "params": {"targets": TARGETS, "layer": "blocks.1.norm1", "min_cutoff_gap": min(gaps)},
        "inputs": {"input": array(x)},
        "outputs": {n: array(v) for n, v in outputs.items()},
    }])


if __name__ == "__main__":
    main()

"""float64 reference of the ViT explanation maps (src/Cam/Vit): attention rollout, gradient attention rollout and
token Grad-CAM, on seeded random softmax-normalised attentions. Writes tests/fixtures/cam/vit_explain.json.

This is our own implementation of the corrected formulas (docs/vit-explain.md), not a copy of vit-explain:
  * discard: the m = floor(d * T*T) lowest entries of the flattened fused matrix (ascending value, ties by flat
    index: a stable sort) are zeroed, except those in row 0 or column 0 (the class token);
  * A_hat = (F + I) normalised so that each ROW sums to 1;
  * R = A_hat_{L-1} @ ... @ A_hat_0; the map is R[0, 1:] on the patch grid;
  * gradient rollout fuses mean_h ReLU(A_l * G_l) with G_l the gradient of the SAME layer's probabilities.
Run with Debian's /usr/bin/python3.
"""
import math

import torch

from fixture_io import array, write

torch.set_default_dtype(torch.float64)


def f32(x):
    """Rounds to float32 so the C# side sees exactly the same inputs."""
    return x.float().double()


def attention(gen, h, t, temperature):
    logits = torch.randn(h, t, t, generator=gen) * temperature
    return f32(torch.softmax(logits, dim=-1))


def fuse(a, fusion):
    if fusion == "mean":
        return a.mean(dim=0)
    if fusion == "max":
        return a.max(dim=0).values
    return a.min(dim=0).values


def discard_normalise(f, ratio):
    """One layer's A_hat from its fused [T, T] matrix."""
    t = f.shape[-1]
    flat = f.reshape(-1).clone()
    m = int(math.floor(ratio * flat.numel()))
    if m > 0:
        order = torch.sort(flat, stable=True).indices[:m]
        rows, cols = order // t, order % t
        keep = (rows == 0) | (cols == 0)
        flat[order[~keep]] = 0
    a = flat.reshape(t, t) + torch.eye(t)
    return a / a.sum(dim=-1, keepdim=True)


def rollout(fused_layers, ratio):
    t = fused_layers[0].shape[-1]
    r = torch.eye(t)
    hats = []
    for f in fused_layers:
        a = discard_normalise(f, ratio)
        hats.append(a)
        r = a @ r  # the newest layer multiplies from the left: R = A_{L-1} ... A_0
    return r, hats


def grid_map(r):
    g = int(round(math.sqrt(r.shape[-1] - 1)))
    return r[0, 1:].reshape(g, g)


def main():
    gen = torch.Generator().manual_seed(20261124)
    cases = []
    for name, layers, heads, tokens, targets, temperature in [
        ("L3_H2_T17_K2", 3, 2, 17, 2, 1.5),
        ("L2_H3_T10_K3", 2, 3, 10, 3, 3.0),
    ]:
        attn = [attention(gen, heads, tokens, temperature) for _ in range(layers)]
        grads = [f32(torch.randn(targets, heads, tokens, tokens, generator=gen)) for _ in range(layers)]
        channels = 5
        x = f32(torch.randn(tokens, channels, generator=gen))
        gx = f32(torch.randn(targets, tokens, channels, generator=gen))
        inputs = {f"attention{l}": attn[l] for l in range(layers)}
        inputs.update({f"gradient{l}": grads[l] for l in range(layers)})
        inputs["tokens"] = x
        inputs["token_gradient"] = gx
        outputs = {}
        for fusion in ["mean", "max", "min"]:
            for ratio in [0.0, 0.9]:
                r, hats = rollout([fuse(a, fusion) for a in attn], ratio)
                key = f"rollout_{fusion}_{ratio}"
                outputs[key] = r.unsqueeze(0)
                outputs[key + "_map"] = grid_map(r).unsqueeze(0)
                outputs[key + "_hat0"] = hats[0].unsqueeze(0)
        for ratio in [0.0, 0.9]:
            rs = []
            for k in range(targets):
                fused = [torch.relu(attn[l] * grads[l][k]).mean(dim=0) for l in range(layers)]
                rs.append(rollout(fused, ratio)[0])
            key = f"grad_rollout_{ratio}"
            outputs[key] = torch.stack(rs)
            outputs[key + "_map"] = torch.stack([grid_map(r) for r in rs])
        g = int(round(math.sqrt(tokens - 1)))
        patches = x[1:]                                   # [N, C]: drop the class token
        weights = gx[:, 1:, :].mean(dim=1)                # [K, C]: mean over the grid per channel
        cams = torch.relu(weights @ patches.T)            # [K, N]
        outputs["token_gradcam"] = cams.reshape(targets, g, g)
        cases.append({
            "name": name,
            "params": {"layers": layers, "heads": heads, "tokens": tokens, "targets": targets, "channels": channels},
            "inputs": {k: array(v) for k, v in inputs.items()},
            "outputs": {k: array(v) for k, v in outputs.items()},
        })
    write("cam/vit_explain.json", cases)


if __name__ == "__main__":
    main()

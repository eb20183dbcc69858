"""Reference for Hugging Face ViT files (google/vit-base-patch16-224's layout) read by src/Vit.

transformers is not installed here (Debian 12 has no package), so its ViTForImageClassification is written below
from transformers' modeling_vit.py architecture (ViTEmbeddings, ViTSelfAttention with separate query/key/value,
ViTSelfOutput, ViTIntermediate with exact GELU, ViTOutput, ViTLayer with layernorm_before/after, the final
layernorm, the classifier on token 0), under HF's module names, so that load_state_dict(strict=True) checks every
key and shape. Its weights are the small seeded ViT of vit_reference.py (vit_small_timm.pt) renamed into HF keys
(timm's fused qkv split into query, key, value); with eps 1e-6 it must give vit_reference's logits.

Writes tests/fixtures/vit/hf/ as a Hugging Face model folder:
  model.safetensors, pytorch_model.bin   the same state dict (safetensors written with struct and json, as
                                         weight_formats_reference.py does; .bin with torch.save, as HF saves it)
  config.json                            ViTConfig fields (layer_norm_eps 1e-12, num_attention_heads 2, ...)
  preprocessor_config.json               ViTImageProcessor's (size 32, bilinear, mean = std = 0.5)
and tests/fixtures/vit/vit_hf.json: the logits of the first image of vit_small.json at layer_norm_eps 1e-12 (the
folder's config) and 0.5 (a config that says otherwise must be obeyed), float64; and zidane_hf32.npy, samples/zidane.jpg
through ViTImageProcessor's steps (PIL resize to 32x32 bilinear, x * (1/255) in float64 cast to float32,
(x - 0.5) / 0.5 in float32, channels first), written from image_processing_vit.py since it cannot be imported.
Run: /usr/bin/python3 tests/reference/vit_hf_reference.py
"""
import json
import math
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

from fixture_io import FIXTURES, array, write
from vit_reference import CLASSES, DEPTH, HEADS, HIDDEN, IMAGE, MLP, OUT, PATCH, Vit
from weight_formats_reference import save_safetensors

HF = os.path.join(OUT, "hf")


class SelfAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.query = nn.Linear(HIDDEN, HIDDEN)
        self.key = nn.Linear(HIDDEN, HIDDEN)
        self.value = nn.Linear(HIDDEN, HIDDEN)

    def forward(self, x):
        b, t, _ = x.shape
        d = HIDDEN // HEADS
        split = lambda y: y.view(b, t, HEADS, d).permute(0, 2, 1, 3)  # transpose_for_scores
        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        probs = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d), dim=-1)
        return (probs @ v).permute(0, 2, 1, 3).reshape(b, t, HIDDEN)


class Dense(nn.Module):
    def __init__(self, n_in, n_out):
        super().__init__()
        self.dense = nn.Linear(n_in, n_out)


class Attention(nn.Module):
    def __init__(self):
        super().__init__()
        self.attention = SelfAttention()
        self.output = Dense(HIDDEN, HIDDEN)


class Layer(nn.Module):
    def __init__(self, eps):
        super().__init__()
        self.attention = Attention()
        self.intermediate = Dense(HIDDEN, MLP)
        self.output = Dense(MLP, HIDDEN)
        self.layernorm_before = nn.LayerNorm(HIDDEN, eps=eps)
        self.layernorm_after = nn.LayerNorm(HIDDEN, eps=eps)

    def forward(self, x):
        x = x + self.attention.output.dense(self.attention.attention(self.layernorm_before(x)))
        return x + self.output.dense(F.gelu(self.intermediate.dense(self.layernorm_after(x))))


class Embeddings(nn.Module):
    def __init__(self):
        super().__init__()
        self.cls_token = nn.Parameter(torch.zeros(1, 1, HIDDEN))
        self.position_embeddings = nn.Parameter(torch.zeros(1, (IMAGE // PATCH) ** 2 + 1, HIDDEN))
        self.patch_embeddings = nn.Module()
        self.patch_embeddings.projection = nn.Conv2d(3, HIDDEN, PATCH, stride=PATCH)

    def forward(self, x):
        x = self.patch_embeddings.projection(x).flatten(2).transpose(1, 2)
        return torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], dim=1) + self.position_embeddings


class VitModel(nn.Module):
    def __init__(self, eps):
        super().__init__()
        self.embeddings = Embeddings()
        self.encoder = nn.Module()
        self.encoder.layer = nn.ModuleList([Layer(eps) for _ in range(DEPTH)])
        self.layernorm = nn.LayerNorm(HIDDEN, eps=eps)


class VitForImageClassification(nn.Module):
    def __init__(self, eps):
        super().__init__()
        self.vit = VitModel(eps)
        self.classifier = nn.Linear(HIDDEN, CLASSES)

    def forward(self, x):
        x = self.vit.embeddings(x)
        for layer in self.vit.encoder.layer:
            x = layer(x)
        return self.classifier(self.vit.layernorm(x)[:, 0])


def hf_state_dict(sd):
    """timm names → Hugging Face ViTForImageClassification names; qkv [3D, D] split in q, k, v order."""
    out = {"vit.embeddings.cls_token": sd["cls_token"], "vit.embeddings.position_embeddings": sd["pos_embed"]}
    for p in ["weight", "bias"]:
        out[f"vit.embeddings.patch_embeddings.projection.{p}"] = sd[f"patch_embed.proj.{p}"]
        out[f"vit.layernorm.{p}"] = sd[f"norm.{p}"]
        out[f"classifier.{p}"] = sd[f"head.{p}"]
        for i in range(DEPTH):
            hf, tm = f"vit.encoder.layer.{i}", f"blocks.{i}"
            q, k, v = sd[f"{tm}.attn.qkv.{p}"].chunk(3, dim=0)
            out.update({f"{hf}.attention.attention.query.{p}": q.clone(), f"{hf}.attention.attention.key.{p}": k.clone(),
                        f"{hf}.attention.attention.value.{p}": v.clone(),
                        f"{hf}.attention.output.dense.{p}": sd[f"{tm}.attn.proj.{p}"],
                        f"{hf}.intermediate.dense.{p}": sd[f"{tm}.mlp.fc1.{p}"],
                        f"{hf}.output.dense.{p}": sd[f"{tm}.mlp.fc2.{p}"],
                        f"{hf}.layernorm_before.{p}": sd[f"{tm}.norm1.{p}"],
                        f"{hf}.layernorm_after.{p}": sd[f"{tm}.norm2.{p}"]})
    return {k: v.contiguous() for k, v in out.items()}


def hf_preprocess(path, size):
    """ViTImageProcessor.preprocess's steps for one RGB image, defaults but for the size."""
    img = Image.open(path).convert("RGB").resize((size, size), resample=Image.BILINEAR, reducing_gap=None)
    x = (np.array(img).astype(np.float64) * (1 / 255)).astype(np.float32)
    mean, std = np.array([0.5] * 3, dtype=np.float32), np.array([0.5] * 3, dtype=np.float32)
    return ((x - mean) / std).transpose(2, 0, 1)[None].astype(np.float32)


def main():
    sd = torch.load(os.path.join(OUT, "vit_small_timm.pt"))
    hf = hf_state_dict(sd)
    os.makedirs(HF, exist_ok=True)
    save_safetensors(hf, os.path.join(HF, "model.safetensors"), {"format": "pt"})
    torch.save(hf, os.path.join(HF, "pytorch_model.bin"))
    config = {"architectures": ["ViTForImageClassification"], "model_type": "vit", "hidden_size": HIDDEN,
              "num_hidden_layers": DEPTH, "num_attention_heads": HEADS, "intermediate_size": MLP, "hidden_act": "gelu",
              "layer_norm_eps": 1e-12, "image_size": IMAGE, "patch_size": PATCH, "num_channels": 3, "qkv_bias": True,
              "id2label": {str(i): f"label{i}" for i in range(CLASSES)}}
    with open(os.path.join(HF, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    with open(os.path.join(HF, "preprocessor_config.json"), "w") as f:
        json.dump({"do_normalize": True, "do_rescale": True, "do_resize": True, "image_mean": [0.5, 0.5, 0.5],
                   "image_processor_type": "ViTImageProcessor", "image_std": [0.5, 0.5, 0.5], "resample": 2,
                   "rescale_factor": 1 / 255, "size": {"height": IMAGE, "width": IMAGE}}, f, indent=2)

    with open(os.path.join(OUT, "vit_small.json")) as f:
        src = json.load(f)["input"]
    x = torch.tensor(src["data"], dtype=torch.float64).reshape(src["shape"])[:1].clone()
    logits = {}
    for eps in [1e-12, 0.5, 1e-6]:
        model = VitForImageClassification(eps)
        model.load_state_dict(hf, strict=True)  # every HF key and shape, none missing or extra
        with torch.no_grad():
            logits[eps] = model.double().eval()(x)
    timm = Vit()
    timm.load_state_dict(sd)
    reference = timm.double().eval()(x, {}).detach()  # (vit_reference's taps need autograd on)
    assert torch.allclose(reference, logits[1e-6], rtol=1e-12, atol=1e-12), "HF tree != timm tree"
    print("eps 1e-12 vs 0.5: logits differ by", float((logits[1e-12] - logits[0.5]).abs().max()))

    image = hf_preprocess(os.path.join(FIXTURES, "..", "..", "samples", "zidane.jpg"), IMAGE)
    np.save(os.path.join(OUT, "zidane_hf32.npy"), image)
    write("vit/vit_hf.json", [{
        "name": "vit_small_hf",
        "params": {"layer_norm_eps": [1e-12, 0.5]},
        "inputs": {"input": array(x)},
        "outputs": {"logits_eps1e-12": array(logits[1e-12]), "logits_eps0.5": array(logits[0.5])},
    }])


if __name__ == "__main__":
    main()

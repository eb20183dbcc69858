"""PyTorch fixtures for RoIAlign: torchvision.ops.roi_align forward and its autograd backward, in float64.

torchvision's Faster R-CNN pools with MultiScaleRoIAlign: output 7x7, sampling_ratio 2, aligned=False, spatial
scale 1/stride of the FPN level. The cases cover that, aligned=True, and sampling_ratio -1 (adaptive: ceil(region
size / output size) samples per bin). Regions include one partly outside the map (samples beyond one pixel read
zero, those within are clamped to the border), one smaller than a pixel, and regions of two images, so the
backward scatter meets overlapping regions and both images. rois get no gradient (torchvision gives them none).
"""
import torch
from torchvision.ops import roi_align

from fixture_io import case, rand, write

gen = torch.Generator().manual_seed(17)
cases = []


def rois_for(gen, n, h, w, scale, count):
    """Random boxes in image coordinates (the map is h x w at 1/scale), plus fixed edge cases."""
    img_h, img_w = h / scale, w / scale
    rows = []
    for i in range(count):
        x1, y1 = [float(v) for v in torch.rand(2, generator=gen, dtype=torch.float64) * torch.tensor([img_w, img_h])]
        bw, bh = [float(v) for v in torch.rand(2, generator=gen, dtype=torch.float64) * torch.tensor([img_w, img_h]) * 0.7]
        rows.append([i % n, x1, y1, x1 + bw, y1 + bh])
    rows.append([0, -0.6 / scale, -0.3 / scale, 0.4 * img_w, 0.5 * img_h])        # starts outside the map
    rows.append([n - 1, 0.55 * img_w, 0.5 * img_h, 1.1 * img_w, 1.2 * img_h])     # ends outside the map
    rows.append([0, 0.3 * img_w, 0.3 * img_h, 0.3 * img_w + 0.2, 0.3 * img_h + 0.1])  # under a pixel
    r = torch.tensor(rows, dtype=torch.float64)
    return r.float().double()  # float32-exact, as C# reads them


#        name,                 x shape,       out, scale, sampling, aligned, regions
CASES = [("frcnn_sr2_unaligned", (2, 3, 9, 11), 7, 0.25, 2, False, 4),
         ("sr2_aligned", (1, 2, 8, 10), 7, 0.125, 2, True, 3),
         ("adaptive_unaligned", (2, 2, 10, 9), 3, 0.5, -1, False, 3),
         ("adaptive_aligned", (1, 3, 7, 8), 2, 1.0, -1, True, 3),
         ("sr1_out5x4", (1, 2, 6, 7), (5, 4), 0.5, 1, False, 2)]
for name, xs, out, scale, sampling, aligned, count in CASES:
    x = rand(gen, *xs)
    rois = rois_for(gen, xs[0], xs[2], xs[3], scale, count)
    size = out if isinstance(out, tuple) else (out, out)
    params = {"op": "roi_align", "output_size": list(size), "spatial_scale": scale, "sampling_ratio": sampling,
              "aligned": aligned}
    fn = lambda x, rois, size=size, scale=scale, sampling=sampling, aligned=aligned: roi_align(
        x, rois, size, scale, sampling, aligned)
    cases.append(case(name, params, {"x": x, "rois": rois}, fn, gen, targets=2))

write("ops/roi_align.json", cases)

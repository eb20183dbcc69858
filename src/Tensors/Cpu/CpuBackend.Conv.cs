namespace NativeCam.Tensors;

// Convolutions as GEMMs (docs/cpu-backend.md, "Convolutions"). Per image and group, with P = OH·OW output pixels:
//   forward          y[Cout/G, P]          = W[Cout/G, kdim] · im2col(x)[kdim, P] (+ bias)
//   input gradient   gx                    = col2im(Wᵀ[kdim, Cout/G] · gy[Cout/G, P])
//   weight gradient  gw[Cout/G, kdim]     += gy[Cout/G, P] · im2col(x)ᵀ[P, kdim]   (summed over a target's images)
// with kdim = Cin/G·kh·kw. The im2col panel is never built for a whole image: the pixels are cut into tiles whose
// panel stays in L2, one tile per task, and 1×1 stride-1 unpadded convs skip it (x is already the panel).
// Gradients are scanned for their box of nonzero pixels first and only that box is computed: a per-detection
// CAM's gradient images are zero except near one anchor cell. Depth-wise convs run a direct loop (ConvDepthwise.cs).
public sealed partial class CpuBackend
{
    /// <summary>Floats of im2col panel per task (256 KiB: L2 is 1 MiB per core here and the GEMM packs beside it).</summary>
    const int PanelFloats = 64 * 1024;

    /// <summary>Fewest pixels per GEMM call: below this the GEMM's packing of W costs more than its multiply.</summary>
    const int MinTile = 64;

    /// <summary>Pixels per task for 1×1 convs (no panel; the GEMM blocks its operands itself).</summary>
    const int PointwiseTile = 2048;

    /// <summary>Bands an input-gradient image is cut into when there are few images (a constant, not the core
    /// count, so the order gradients are summed in is the same on every machine).</summary>
    const int BandsPerImageGroup = 16;

    public unsafe void Conv2d(Tensor x, Tensor w, Tensor? bias, Tensor y, ConvGeometry g)
    {
        var s = Dims("conv2d", x, w.Shape, y, g);
        if (bias != null) Require(bias.Length == s.Cout, $"conv2d: bias of {bias.Length} elements for {s.Cout} channels");
        if (s.OutImages == 0) return;
        float* b = bias == null ? null : bias.Pointer;
        if (s.Depthwise) ConvDepthwise.Forward(s, x.Pointer, w.Pointer, b, y.Pointer);
        else GemmForward(s, x.Pointer, w.Pointer, b, y.Pointer);
    }

    public unsafe void Conv2dBackwardInput(Tensor gy, Tensor w, Tensor gx, ConvGeometry g)
    {
        var s = Dims("conv2d backward input", gx, w.Shape, gy, g);
        if (s.OutImages == 0) return;
        if (s.Depthwise) ConvDepthwise.BackwardInput(s, gy.Pointer, w.Pointer, gx.Pointer);
        else GemmBackwardInput(s, gy.Pointer, w.Pointer, gx.Pointer);
    }

    public unsafe void Conv2dBackwardWeight(Tensor x, Tensor gy, Tensor gw, ConvGeometry g)
    {
        Require(gw.Rank == 5, $"conv2d backward weight: gradient must be [K, Cout, Cin/groups, kh, kw], got {Tensor.Format(gw.Shape)}");
        var s = Dims("conv2d backward weight", x, gw.Shape[1..], gy, g, checkBatch: false);
        // The smaller batch is N (shared by all targets); equal batches are both K·N (or N with K = 1).
        int k = gw.Shape[0], n = s.InImages == s.OutImages ? s.InImages / Math.Max(1, k) : Math.Min(s.InImages, s.OutImages);
        Require(k >= 1 && n >= 1 && (s.InImages == n || s.InImages == k * n) && (s.OutImages == n || s.OutImages == k * n),
            $"conv2d backward weight: {s.InImages} input and {s.OutImages} output-gradient images are not N and K·N for K = {k}");
        if (s.Depthwise) ConvDepthwise.BackwardWeight(s, x.Pointer, gy.Pointer, gw.Pointer, k, n);
        else GemmBackwardWeight(s, x.Pointer, gy.Pointer, gw.Pointer, k, n);
    }

    /// <summary>Reads the conv dimensions off an input [.., Cin, H, W] / weight shape / output [.., Cout, OH, OW] triple and checks them.</summary>
    static ConvDims Dims(string what, Tensor input, int[] ws, Tensor output, ConvGeometry g, bool checkBatch = true)
    {
        Require(ws.Length == 4, $"{what}: weight must be [Cout, Cin/groups, kh, kw], got {Tensor.Format(ws)}");
        Require(input.Rank >= 4 && output.Rank >= 4, $"{what}: expected NCHW tensors, got {Tensor.Format(input.Shape)} and {Tensor.Format(output.Shape)}");
        Require(g.Groups >= 1 && g.StrideH >= 1 && g.StrideW >= 1 && g.PadH >= 0 && g.PadW >= 0, $"{what}: invalid geometry {g}");
        int cin = input.Shape[^3], h = input.Shape[^2], wd = input.Shape[^1];
        int cout = output.Shape[^3], oh = output.Shape[^2], ow = output.Shape[^1];
        int kh = ws[2], kw = ws[3];
        Require(cin > 0 && h > 0 && wd > 0 && kh > 0 && kw > 0, $"{what}: empty input {Tensor.Format(input.Shape)} or kernel {kh}x{kw}");
        Require(cin % g.Groups == 0 && cout % g.Groups == 0, $"{what}: {cin} input and {cout} output channels do not split into {g.Groups} groups");
        Require(ws[0] == cout && ws[1] * g.Groups == cin,
            $"{what}: weight {Tensor.Format(ws)} does not map {cin} to {cout} channels in {g.Groups} groups");
        Require(oh == (h + 2 * g.PadH - kh) / g.StrideH + 1 && ow == (wd + 2 * g.PadW - kw) / g.StrideW + 1 && oh > 0 && ow > 0
                && h + 2 * g.PadH >= kh && wd + 2 * g.PadW >= kw,
            $"{what}: output {Tensor.Format(output.Shape)} does not match input {Tensor.Format(input.Shape)} with kernel {kh}x{kw}, {g}");
        Require(input.Length % (cin * h * wd) == 0 && output.Length % (cout * oh * ow) == 0,
            $"{what}: {Tensor.Format(input.Shape)} or {Tensor.Format(output.Shape)} is not a whole number of images");
        int inImages = input.Length / (cin * h * wd), outImages = output.Length / (cout * oh * ow);
        if (checkBatch) Require(inImages == outImages, $"{what}: input holds {inImages} images, output {outImages}");
        return new ConvDims(inImages, cin, h, wd, outImages, cout, oh, ow, kh, kw, g);
    }

    /// <summary>
    /// Pixels per tile: at most <paramref name="maxTile"/> (rounded to the GEMM's 32-column micro-tiles), but small
    /// enough that the <paramref name="outer"/> images·groups give about 4 tasks per core, and never below MinTile.
    /// </summary>
    static int PixelTile(int pixels, int outer, int maxTile)
    {
        int tile = Math.Max(MinTile, maxTile / 32 * 32);
        int want = (4 * CpuParallel.Cores + outer - 1) / outer;
        if (want > 1) tile = Math.Min(tile, Math.Max(MinTile, ((pixels + want - 1) / want + 31) / 32 * 32));
        return Math.Min(tile, pixels);
    }

    // ---- Forward: per (image, group, pixel tile) one GEMM, y_tile = W_g · im2col(x)_tile + bias ----

    static unsafe void GemmForward(ConvDims s, float* x, float* w, float* bias, float* y)
    {
        int groups = s.Groups, cinG = s.CinG, coutG = s.CoutG, kdim = s.Kdim;
        long inPlane = s.InPlane, outPlane = s.OutPlane;
        int tile = PixelTile(s.OutPlane, s.OutImages * groups, s.Pointwise ? PointwiseTile : PanelFloats / kdim);
        int tiles = (s.OutPlane + tile - 1) / tile, tasks = s.OutImages * groups * tiles;
        bool inner = tasks < CpuParallel.Cores; // too few tiles to share out: let each GEMM use the cores
        nint px = (nint)x, pw = (nint)w, pb = (nint)bias, py = (nint)y;
        CpuParallel.For(tasks, 1, (t0, t1) =>
        {
            for (int t = t0; t < t1; t++)
            {
                int b = t / (groups * tiles), gi = t / tiles % groups, q0 = t % tiles * tile, n = Math.Min(s.OutPlane - q0, tile);
                float* xg = (float*)px + ((long)b * s.Cin + gi * cinG) * inPlane;
                float* yg = (float*)py + ((long)b * s.Cout + gi * coutG) * outPlane + q0;
                float* wg = (float*)pw + (long)gi * coutG * kdim;
                float* bg = pb == 0 ? null : (float*)pb + gi * coutG;
                if (s.Pointwise)
                {
                    Sgemm.Multiply(coutG, n, cinG, wg, kdim, 1, xg + q0, inPlane, 1, yg, outPlane, 1, parallel: inner, rowBias: bg);
                    continue;
                }
                float* panel = ConvScratch.Get(ConvScratch.Panel, (long)kdim * n);
                Im2Col.Gather(panel, n, xg, cinG, s, new PixelBox(0, 0, s.OH, s.OW), q0, q0 + n);
                Sgemm.Multiply(coutG, n, kdim, wg, kdim, 1, panel, n, 1, yg, outPlane, 1, parallel: inner, rowBias: bg);
            }
        });
    }

    // ---- Input gradient: per band of gradient rows, cols = W_gᵀ · gy_band, then col2im adds cols onto gx ----

    /// <summary>Rows [Row, Row + Rows) of the nonzero box of (image, group) ImageGroup.</summary>
    readonly record struct Band(int ImageGroup, int Row, int Rows);

    static unsafe void GemmBackwardInput(ConvDims s, float* gy, float* w, float* gx)
    {
        int groups = s.Groups, cinG = s.CinG, coutG = s.CoutG, kdim = s.Kdim, pairs = s.OutImages * groups;
        long inPlane = s.InPlane, outPlane = s.OutPlane;
        nint pgy = (nint)gy, pw = (nint)w, pgx = (nint)gx;
        // A 1×1 stride-1 conv's GEMM writes gx directly where its box spans whole rows (no col2im, nothing to add to).
        bool Direct(PixelBox box) => s.Pointwise && box.Cols == s.OW;

        // 1. The box of nonzero gradient pixels of each (image, group), and gx cleared wherever the GEMMs will not
        //    overwrite it (everything, when col2im adds onto it).
        var boxes = new PixelBox[pairs];
        CpuParallel.For(pairs, 1, (i0, i1) =>
        {
            for (int i = i0; i < i1; i++)
            {
                int b = i / groups, gi = i % groups;
                var box = boxes[i] = Im2Col.NonzeroBox((float*)pgy + ((long)b * s.Cout + gi * coutG) * outPlane, coutG, s.OH, s.OW);
                float* gxg = (float*)pgx + ((long)b * s.Cin + gi * cinG) * inPlane;
                if (box.IsEmpty || !Direct(box)) Im2Col.Clear(gxg, cinG * s.InPlane);
                else
                    for (int c = 0; c < cinG; c++)
                    {
                        Im2Col.Clear(gxg + c * inPlane, box.Row * s.W);
                        Im2Col.Clear(gxg + c * inPlane + (long)(box.Row + box.Rows) * s.W, (s.H - box.Row - box.Rows) * s.W);
                    }
            }
        });

        // 2. Cut each box into bands of rows. Two bands write the same gx rows only if their windows overlap
        //    (kh > sh); with at least ⌈kh/sh⌉ − 1 rows per band, band i and band i + 2 never do, so the even
        //    bands run in parallel first and the odd ones after: no races, and a fixed order of additions.
        int maxTile = Math.Max(MinTile, PanelFloats / kdim / 32 * 32);
        bool overlap = s.KH > s.SH;
        int minRows = overlap ? Math.Max(1, (s.KH + s.SH - 1) / s.SH - 1) : 1;
        int bandsWanted = Math.Max(1, BandsPerImageGroup / pairs);
        var passes = new[] { new List<Band>(), new List<Band>() };
        for (int i = 0; i < pairs; i++)
        {
            var box = boxes[i];
            if (box.IsEmpty) continue;
            int rows = Math.Max(minRows, Math.Min(maxTile / box.Cols, (box.Rows + bandsWanted - 1) / bandsWanted));
            for (int r = 0, band = 0; r < box.Rows; r += rows, band++)
                passes[overlap ? band % 2 : 0].Add(new Band(i, r, Math.Min(rows, box.Rows - r)));
        }

        // 3. Per band, in tiles of at most maxTile pixels: the band's gradient pixels (straight from gy when the box
        //    spans whole rows, else packed), one GEMM, col2im.
        foreach (var pass in passes)
        {
            var bands = pass.ToArray();
            bool inner = bands.Length < CpuParallel.Cores;
            CpuParallel.For(bands.Length, 1, (t0, t1) =>
            {
                for (int t = t0; t < t1; t++)
                {
                    var band = bands[t];
                    int b = band.ImageGroup / groups, gi = band.ImageGroup % groups;
                    var box = boxes[band.ImageGroup];
                    var sub = new PixelBox(box.Row + band.Row, box.Col, band.Rows, box.Cols);
                    float* wg = (float*)pw + (long)gi * coutG * kdim;
                    float* gyg = (float*)pgy + ((long)b * s.Cout + gi * coutG) * outPlane;
                    float* gxg = (float*)pgx + ((long)b * s.Cin + gi * cinG) * inPlane;
                    for (int q0 = 0; q0 < sub.Pixels; q0 += maxTile)
                    {
                        int n = Math.Min(maxTile, sub.Pixels - q0);
                        float* src;
                        long srcRow;
                        if (sub.Cols == s.OW)
                        {
                            src = gyg + (long)sub.Row * s.OW + q0;
                            srcRow = outPlane;
                        }
                        else
                        {
                            src = ConvScratch.Get(ConvScratch.Packed, (long)coutG * n);
                            Im2Col.PackBox(src, gyg, coutG, s.OH, s.OW, sub, q0, q0 + n);
                            srcRow = n;
                        }
                        // A = W_gᵀ: A[(ci, ky, kx), co] = w[co, (ci, ky, kx)].
                        if (Direct(sub))
                        {
                            Sgemm.Multiply(cinG, n, coutG, wg, 1, kdim, src, srcRow, 1, gxg + (long)sub.Row * s.W + q0, inPlane, 1, parallel: inner);
                            continue;
                        }
                        float* cols = ConvScratch.Get(ConvScratch.Panel, (long)kdim * n);
                        Sgemm.Multiply(kdim, n, coutG, wg, 1, kdim, src, srcRow, 1, cols, n, 1, parallel: inner);
                        Im2Col.ScatterAdd(cols, n, gxg, cinG, s, sub, q0, q0 + n);
                    }
                }
            });
        }
    }

    // ---- Weight gradient: per (target, group, input-channel chunk), gw_block += gy_tile · im2col(x)_tileᵀ over the target's images ----

    static unsafe void GemmBackwardWeight(ConvDims s, float* x, float* gy, float* gw, int targets, int perTarget)
    {
        int groups = s.Groups, cinG = s.CinG, coutG = s.CoutG, taps = s.Taps, kdim = s.Kdim;
        long inPlane = s.InPlane, outPlane = s.OutPlane, wLen = (long)s.Cout * kdim;
        nint px = (nint)x, pgy = (nint)gy, pgw = (nint)gw;

        // Gradient pixels that are zero add nothing: each gradient image contributes only its nonzero box.
        var boxes = new PixelBox[s.OutImages * groups];
        CpuParallel.For(boxes.Length, 1, (i0, i1) =>
        {
            for (int i = i0; i < i1; i++)
                boxes[i] = Im2Col.NonzeroBox((float*)pgy + ((long)(i / groups) * s.Cout + i % groups * coutG) * outPlane, coutG, s.OH, s.OW);
        });

        // Each task owns the gw columns of a chunk of input channels, so it sums over all pixels alone (no partial
        // sums to merge) and builds only its own rows of the panel. The pixel tile (the GEMM's reduction block) does
        // not depend on the chunking, so neither does the order of the sums.
        int chunks = Math.Min(cinG, Math.Max(1, Math.Min((2 * CpuParallel.Cores + targets * groups - 1) / (targets * groups), kdim / 64)));
        int tile = Math.Max(MinTile, PanelFloats / kdim / 32 * 32), tasks = targets * groups * chunks;
        bool inner = tasks < CpuParallel.Cores;
        CpuParallel.For(tasks, 1, (t0, t1) =>
        {
            for (int t = t0; t < t1; t++)
            {
                int k = t / (groups * chunks), gi = t / chunks % groups, chunk = t % chunks;
                int ci0 = chunk * cinG / chunks, ci1 = (chunk + 1) * cinG / chunks, nj = (ci1 - ci0) * taps;
                float* c = (float*)pgw + k * wLen + (long)gi * coutG * kdim + ci0 * taps;
                bool first = true;
                for (int q = 0; q < perTarget; q++)
                {
                    int image = k * perTarget + q, yi = image % s.OutImages, xi = image % s.InImages;
                    var box = boxes[yi * groups + gi];
                    float* gyg = (float*)pgy + ((long)yi * s.Cout + gi * coutG) * outPlane;
                    float* xg = (float*)px + ((long)xi * s.Cin + gi * cinG + ci0) * inPlane;
                    for (int q0 = 0; q0 < box.Pixels; q0 += tile)
                    {
                        int n = Math.Min(tile, box.Pixels - q0);
                        bool rows = box.Cols == s.OW; // the tile is a contiguous run of the planes
                        float* a = rows ? gyg + (long)box.Row * s.OW + q0 : ConvScratch.Get(ConvScratch.Packed, (long)coutG * n);
                        if (!rows) Im2Col.PackBox(a, gyg, coutG, s.OH, s.OW, box, q0, q0 + n);
                        float* panel;
                        long panelCol;
                        if (s.Pointwise && rows)
                        {
                            panel = xg + (long)box.Row * s.W + q0;
                            panelCol = inPlane;
                        }
                        else
                        {
                            panel = ConvScratch.Get(ConvScratch.Panel, (long)nj * n);
                            Im2Col.Gather(panel, n, xg, ci1 - ci0, s, box, q0, q0 + n);
                            panelCol = n;
                        }
                        // B = panelᵀ: B[pixel, (ci, ky, kx)] = panel[(ci, ky, kx), pixel].
                        Sgemm.Multiply(coutG, nj, n, a, rows ? outPlane : n, 1, panel, 1, panelCol, c, kdim, 1,
                            accumulate: !first, parallel: inner);
                        first = false;
                    }
                }
                if (first) // every gradient image of this target is zero
                    for (int co = 0; co < coutG; co++) Im2Col.Clear(c + (long)co * kdim, nj);
            }
        });
    }
}

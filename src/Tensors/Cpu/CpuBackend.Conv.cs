namespace NativeCam.Tensors;

// Convolutions as GEMMs (docs/cpu-backend.md, "Convolutions"). Per image and group, with P = OH·OW output pixels:
//   forward          y[Cout/G, P]          = W[Cout/G, kdim] · im2col(x)[kdim, P] (+ bias)
//   input gradient   gx                    = col2im(Wᵀ[kdim, Cout/G] · gy[Cout/G, P])
//   weight gradient  gw[Cout/G, kdim]     += gy[Cout/G, P] · im2col(x)ᵀ[P, kdim]   (summed over a target's images)
// with kdim = Cin/G·kh·kw. The im2col panel is never built for a whole image: the pixels are cut into tiles whose
// panel stays in cache, one tile per task, and 1×1 stride-1 unpadded convs skip it (x is already the panel).
// Gradients are scanned for their box of nonzero pixels first and only that box is computed: a per-detection
// CAM's gradient images are zero except near one anchor cell. Depth-wise convs run a direct loop (ConvDepthwise.cs).
public sealed partial class CpuBackend
{
    /// <summary>Floats of im2col panel per task where the tile allows (256 KiB: L2 is 1 MiB per core here and the
    /// GEMM packs its blocks beside it).</summary>
    const int PanelFloats = 64 * 1024;

    /// <summary>Fewest pixels per tile the panel budget asks for: narrower tiles make each GEMM call short (and the
    /// gradient paths pack the weights per call); panels of big kernels (kdim > 256) then outgrow L2 and stream from
    /// L3. The forward may still cut smaller tiles to give every core work (<see cref="TilesPerImage"/>).</summary>
    const int MinTile = 256;

    /// <summary>Pixels per task for 1×1 convs (no panel; the GEMM blocks its operands itself).</summary>
    const int PointwiseTile = 2048;

    public unsafe void Conv2d(Tensor x, Tensor w, Tensor? bias, Tensor y, ConvGeometry g)
    {
        var s = Dims("conv2d", x, w.Shape, y, g);
        if (bias != null) Require(bias.Length == s.Cout, $"conv2d: bias of {bias.Length} elements for {s.Cout} channels");
        if (s.OutImages == 0) return;
        float* b = bias == null ? null : bias.Pointer;
        if (s.Depthwise) ConvDepthwise.Forward(_width, s, x.Pointer, w.Pointer, b, y.Pointer);
        else GemmForward(s, x.Pointer, w.Pointer, b, y.Pointer, null, null);
    }

    public unsafe void Conv2dBackwardInput(Tensor gy, Tensor w, Tensor gx, ConvGeometry g)
    {
        var s = Dims("conv2d backward input", gx, w.Shape, gy, g);
        if (s.OutImages == 0) return;
        if (s.Depthwise) ConvDepthwise.BackwardInput(_width, s, gy.Pointer, w.Pointer, gx.Pointer);
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
        if (s.Depthwise) ConvDepthwise.BackwardWeight(_width, s, x.Pointer, gy.Pointer, gw.Pointer, k, n);
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
    /// How many pixel tiles each of the <paramref name="outer"/> images·groups is cut into: enough that a tile holds
    /// at most <paramref name="maxTile"/> pixels, and that there are about 2 tiles per core overall (the pool hands
    /// them out as cores free up), rounded up to a whole multiple of the cores when that still leaves every tile a
    /// 32-pixel sliver. Tile t then covers slivers [t·S/T, (t + 1)·S/T) (<see cref="TileRange"/>): sizes differ by
    /// at most one sliver, so a 300-pixel image on 2 cores is 96 + 96 + 64 + 64 pixels, not 256 + 44.
    /// </summary>
    static int TilesPerImage(int pixels, int outer, int maxTile)
    {
        int slivers = (pixels + 31) / 32, cores = CpuParallel.Cores;
        int tiles = Math.Max((pixels + maxTile - 1) / maxTile, (2 * cores + outer - 1) / outer);
        int total = (outer * tiles + cores - 1) / cores * cores;
        if (total % outer == 0) tiles = total / outer;
        return Math.Clamp(tiles, 1, slivers);
    }

    /// <summary>Pixels [q0, q0 + n) of tile <paramref name="t"/> of <paramref name="tiles"/> (see <see cref="TilesPerImage"/>).</summary>
    static (int Q0, int N) TileRange(int pixels, int tiles, int t)
    {
        int slivers = (pixels + 31) / 32;
        int q0 = (int)((long)t * slivers / tiles) * 32, q1 = Math.Min(pixels, (int)((long)(t + 1) * slivers / tiles) * 32);
        return (q0, q1 - q0);
    }

    /// <summary>The step that cuts <paramref name="length"/> into equal pieces of at most <paramref name="max"/> (multiples of 32 where it can).</summary>
    static int EqualSteps(int length, int max)
    {
        int pieces = (length + max - 1) / max, step = (length + pieces - 1) / pieces;
        return Math.Min(length, Math.Min(max, (step + 31) / 32 * 32));
    }

    // ---- Forward: per (image, group, pixel tile) one GEMM, y_tile = W_g · im2col(x)_tile + bias ----

    /// <summary>
    /// The forward GEMMs; with <paramref name="activate"/> (src, dst, count) each tile's rows are also activated into
    /// <paramref name="activated"/> right after its GEMM, while the tile is still in cache (Conv2dActivation).
    /// </summary>
    static unsafe void GemmForward(ConvDims s, float* x, float* w, float* bias, float* y, float* activated, Action<nint, nint, int>? activate)
    {
        if (ConvIndirect.Enabled && ConvIndirect.Suits(s))
        {
            ConvIndirect.Forward(s, x, w, bias, y, activated, activate);
            return;
        }
        int groups = s.Groups, cinG = s.CinG, coutG = s.CoutG, kdim = s.Kdim;
        long inPlane = s.InPlane, outPlane = s.OutPlane;
        int tiles = TilesPerImage(s.OutPlane, s.OutImages * groups, s.Pointwise ? PointwiseTile : Math.Max(MinTile, PanelFloats / kdim));
        int tasks = s.OutImages * groups * tiles;
        bool inner = tasks < CpuParallel.Cores; // too few tiles to share out: let each GEMM use the cores
        // Each group's weights are the A of all its tiles: packed once here, not once per tile.
        var packed = new Sgemm.PackedA[groups];
        for (int gi = 0; gi < groups; gi++) packed[gi] = new Sgemm.PackedA(coutG, kdim, w + (long)gi * coutG * kdim, kdim, 1);
        nint px = (nint)x, pw = (nint)w, py = (nint)y, pb = (nint)bias, pa = (nint)activated;
        try
        {
            CpuParallel.For(tasks, 1, (t0, t1) =>
            {
                for (int t = t0; t < t1; t++)
                {
                    int b = t / (groups * tiles), gi = t / tiles % groups;
                    var (q0, n) = TileRange(s.OutPlane, tiles, t % tiles);
                    float* xg = (float*)px + ((long)b * s.Cin + gi * cinG) * inPlane;
                    float* yg = (float*)py + ((long)b * s.Cout + gi * coutG) * outPlane + q0;
                    float* wg = (float*)pw + (long)gi * coutG * kdim;
                    float* bg = pb == 0 ? null : (float*)pb + gi * coutG;
                    if (s.Pointwise)
                        Sgemm.Multiply(coutG, n, cinG, wg, kdim, 1, xg + q0, inPlane, 1, yg, outPlane, 1, parallel: inner, rowBias: bg, packedA: packed[gi]);
                    else
                    {
                        float* panel = ConvScratch.Get(ConvScratch.Panel, (long)kdim * n);
                        Im2Col.Gather(panel, n, xg, 0, kdim, s, new PixelBox(0, 0, s.OH, s.OW), q0, q0 + n);
                        Sgemm.Multiply(coutG, n, kdim, wg, kdim, 1, panel, n, 1, yg, outPlane, 1, parallel: inner, rowBias: bg, packedA: packed[gi]);
                    }
                    if (activate == null) continue;
                    long offset = yg - (float*)py;
                    for (int r = 0; r < coutG; r++)
                        activate((nint)(yg + (long)r * outPlane), pa + (nint)((offset + (long)r * outPlane) * sizeof(float)), n);
                }
            });
        }
        finally
        {
            foreach (var p in packed) p.Dispose();
        }
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
                boxes[i] = Im2Col.NonzeroBox((float*)pgy + ((long)(i / groups) * s.Cout + i % groups * coutG) * outPlane, coutG, s.OH, s.OW);
        });
        CpuParallel.For(pairs * cinG, 16, (p0, p1) =>
        {
            for (int p = p0; p < p1; p++)
            {
                var box = boxes[p / cinG];
                float* plane = (float*)pgx + ((long)(p / cinG / groups) * s.Cin + p / cinG % groups * cinG + p % cinG) * inPlane;
                if (box.IsEmpty || !Direct(box)) Im2Col.Clear(plane, s.InPlane);
                else
                {
                    Im2Col.Clear(plane, box.Row * s.W);
                    Im2Col.Clear(plane + (long)(box.Row + box.Rows) * s.W, (s.H - box.Row - box.Rows) * s.W);
                }
            }
        });

        // 2. Cut each box into bands of rows. Two bands write the same gx rows only if their windows overlap
        //    (kh > sh); with at least ⌈kh/sh⌉ − 1 rows per band, band i and band i + 2 never do, so the even
        //    bands run in parallel first and the odd ones after: no races, and a fixed order of additions.
        int maxTile = Math.Max(MinTile, PanelFloats / kdim / 32 * 32);
        bool overlap = s.KH > s.SH;
        int minRows = overlap ? Math.Max(1, (s.KH + s.SH - 1) / s.SH - 1) : 1;
        var passes = new[] { new List<Band>(), new List<Band>() };
        for (int i = 0; i < pairs; i++)
        {
            var box = boxes[i];
            if (box.IsEmpty) continue;
            int rows = Math.Max(minRows, maxTile / box.Cols);
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
                    int step = EqualSteps(sub.Pixels, maxTile);
                    for (int q0 = 0; q0 < sub.Pixels; q0 += step)
                    {
                        int n = Math.Min(step, sub.Pixels - q0);
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

    // ---- Weight gradient: per (target, group), gw_block = Σ over the target's images and pixel tiles of gy_tile · im2col(x)_tileᵀ ----

    static unsafe void GemmBackwardWeight(ConvDims s, float* x, float* gy, float* gw, int targets, int perTarget)
    {
        int groups = s.Groups, coutG = s.CoutG, kdim = s.Kdim, blocks = targets * groups;
        long inPlane = s.InPlane, outPlane = s.OutPlane, wLen = (long)s.Cout * kdim;
        nint px = (nint)x, pgy = (nint)gy, pgw = (nint)gw;

        // Gradient pixels that are zero add nothing: each gradient image contributes only its nonzero box.
        var boxes = new PixelBox[s.OutImages * groups];
        CpuParallel.For(boxes.Length, 1, (i0, i1) =>
        {
            for (int i = i0; i < i1; i++)
                boxes[i] = Im2Col.NonzeroBox((float*)pgy + ((long)(i / groups) * s.Cout + i % groups * coutG) * outPlane, coutG, s.OH, s.OW);
        });

        // Tasks split a block's columns into chunks of panel rows (multiples of the GEMM's 32-column slivers): each
        // builds only its rows of the panel and owns its gw columns, so it sums over all pixels alone. Blocks with
        // few columns (small kernels and channel counts, where the pixels are the big dimension) also split their
        // pixel tiles into a fixed number of runs whose partial sums are added in order at the end. The splits and
        // the tile (the GEMM's reduction block) depend on the shape only, never on the core count, so the order
        // of the sums is the same on every machine.
        int slivers = (kdim + 31) / 32, tile = Math.Max(MinTile, PanelFloats / kdim / 32 * 32), mostTiles = 0;
        for (int block = 0; block < blocks; block++)
        {
            int tiles = 0;
            for (int q = 0; q < perTarget; q++) tiles += Tiles(boxes[(block / groups * perTarget + q) % s.OutImages * groups + block % groups].Pixels, tile);
            mostTiles = Math.Max(mostTiles, tiles);
        }
        int splits = blocks * slivers >= 8 ? 1 : Math.Clamp((8 + blocks * slivers - 1) / (blocks * slivers), 1, Math.Max(1, Math.Min(4, mostTiles)));
        int chunks = Math.Min(slivers, (2 * CpuParallel.Cores + blocks * splits - 1) / (blocks * splits));
        int rowsPerChunk = (slivers + chunks - 1) / chunks * 32;
        chunks = (kdim + rowsPerChunk - 1) / rowsPerChunk;
        int tasks = blocks * chunks * splits;
        bool inner = tasks < CpuParallel.Cores;
        float* partials = splits > 1 ? (float*)System.Runtime.InteropServices.NativeMemory.Alloc((nuint)((splits - 1) * targets * wLen), sizeof(float)) : null;
        nint pp = (nint)partials;
        try
        {
            CpuParallel.For(tasks, 1, (t0, t1) =>
            {
                for (int t = t0; t < t1; t++)
                {
                    int block = t / (chunks * splits), chunk = t / splits % chunks, split = t % splits;
                    int k = block / groups, gi = block % groups, r0 = chunk * rowsPerChunk, r1 = Math.Min(kdim, r0 + rowsPerChunk);
                    float* c = (split == 0 ? (float*)pgw : (float*)pp + (split - 1) * targets * wLen) + k * wLen + (long)gi * coutG * kdim + r0;
                    // This split's run of the block's pixel tiles (over all its images, in order).
                    int tiles = 0;
                    for (int q = 0; q < perTarget; q++) tiles += Tiles(boxes[(k * perTarget + q) % s.OutImages * groups + gi].Pixels, tile);
                    int from = (int)((long)split * tiles / splits), to = (int)((long)(split + 1) * tiles / splits), seen = 0;
                    bool first = true;
                    for (int q = 0; q < perTarget && seen < to; q++)
                    {
                        int image = k * perTarget + q, yi = image % s.OutImages, xi = image % s.InImages;
                        var box = boxes[yi * groups + gi];
                        float* gyg = (float*)pgy + ((long)yi * s.Cout + gi * coutG) * outPlane;
                        float* xg = (float*)px + ((long)xi * s.Cin + gi * s.CinG) * inPlane;
                        int step = EqualSteps(box.Pixels, tile);
                        for (int q0 = 0; q0 < box.Pixels; q0 += step, seen++)
                        {
                            if (seen < from || seen >= to) continue;
                            int n = Math.Min(step, box.Pixels - q0);
                            bool rows = box.Cols == s.OW; // the tile is a contiguous run of the planes
                            float* a = rows ? gyg + (long)box.Row * s.OW + q0 : ConvScratch.Get(ConvScratch.Packed, (long)coutG * n);
                            if (!rows) Im2Col.PackBox(a, gyg, coutG, s.OH, s.OW, box, q0, q0 + n);
                            float* panel;
                            long panelCol;
                            if (s.Pointwise && rows)
                            {
                                panel = xg + r0 * inPlane + (long)box.Row * s.W + q0;
                                panelCol = inPlane;
                            }
                            else
                            {
                                panel = ConvScratch.Get(ConvScratch.Panel, (long)(r1 - r0) * n);
                                Im2Col.Gather(panel, n, xg, r0, r1, s, box, q0, q0 + n);
                                panelCol = n;
                            }
                            // B = panelᵀ: B[pixel, (ci, ky, kx)] = panel[(ci, ky, kx), pixel].
                            Sgemm.Multiply(coutG, r1 - r0, n, a, rows ? outPlane : n, 1, panel, 1, panelCol, c, kdim, 1,
                                accumulate: !first, parallel: inner);
                            first = false;
                        }
                    }
                    if (first) // no nonzero gradient pixel in this run
                        for (int co = 0; co < coutG; co++) Im2Col.Clear(c + (long)co * kdim, r1 - r0);
                }
            });
            if (splits > 1) // gw += the other runs' partial sums, in run order
                CpuParallel.For(targets * s.Cout, 16, (i0, i1) =>
                {
                    for (long i = i0; i < i1; i++)
                        for (int split = 1; split < splits; split++)
                            Im2Col.AddStrided((float*)pgw + i * kdim, (float*)pp + ((split - 1) * targets * (long)s.Cout + i) * kdim, kdim, 1);
                });
        }
        finally
        {
            System.Runtime.InteropServices.NativeMemory.Free(partials);
        }
    }

    /// <summary>How many tiles <see cref="EqualSteps"/> cuts <paramref name="pixels"/> into.</summary>
    static int Tiles(int pixels, int tile)
    {
        if (pixels == 0) return 0;
        int step = EqualSteps(pixels, tile);
        return (pixels + step - 1) / step;
    }
}

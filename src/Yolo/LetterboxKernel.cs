using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime;
using NativeCam.Imaging;
using NativeCam.Tensors;
using Device = NativeCam.Tensors.Device;

namespace NativeCam.Yolo;

/// <summary>
/// The letterbox as one kernel: each work item is one pixel of the padded output, writing its three
/// channel planes. Inside the resized window it evaluates OpenCV's fixed-point INTER_LINEAR from the
/// host-built tap tables (so the float→fixed rounding happens once, on the host, in OpenCV's exact
/// arithmetic); outside it writes the pad value. Output = uint8 result / 255 as float32, RGB planes.
/// On the `cpu` device the same arithmetic runs as plain C# over rows (<see cref="RunOnHost"/>), bit-identical,
/// instead of on ILGPU's simulator (which also compiled the kernel on first use: ~0.2 s per run of the CLI).
/// </summary>
internal static unsafe class LetterboxKernel
{
    /// <summary>Sizes for the kernel: source image, output (padded) image, pad offsets, resized window.</summary>
    internal readonly struct Shape(int srcW, int outH, int outW, int top, int left, int newH, int newW)
    {
        public readonly int SrcW = srcW, OutH = outH, OutW = outW, Top = top, Left = left, NewH = newH, NewW = newW;
    }

    sealed class Loaded(Action<Index1D, Work, ArrayView<byte>, ArrayView<int>, ArrayView<float>, Shape> kernel)
    {
        public readonly Action<Index1D, Work, ArrayView<byte>, ArrayView<int>, ArrayView<float>, Shape> Kernel = kernel;
    }

    // One compiled kernel per accelerator, dropped with it.
    static readonly ConditionalWeakTable<Accelerator, Loaded> _cache = new();

    // taps: for each resized column x, [4x..4x+3] = (first source column·3, second column·3, a0, a1); then for each
    // resized row y, at 4·NewW + 4y: (first source row offset, second row offset, b0, b1), offsets in bytes.
    static void Kernel(Index1D t, Work w, ArrayView<byte> src, ArrayView<int> taps, ArrayView<float> dst, Shape s)
    {
        int plane = s.OutH * s.OutW;
        float pad = Letterbox.PadValue / 255f;
        for (int c = t * w.Chunk; c < w.N; c += w.Stride)
            for (int i = c; i < w.End(c); i++)
            {
                int y = i / s.OutW - s.Top, x = i % s.OutW - s.Left;
                if (y < 0 || y >= s.NewH || x < 0 || x >= s.NewW)
                {
                    dst[i] = pad;
                    dst[plane + i] = pad;
                    dst[2 * plane + i] = pad;
                    continue;
                }
                int tx = 4 * x, ty = 4 * s.NewW + 4 * y;
                int x0 = taps[tx], x1 = taps[tx + 1], a0 = taps[tx + 2], a1 = taps[tx + 3];
                int r0 = taps[ty], r1 = taps[ty + 1], b0 = taps[ty + 2], b1 = taps[ty + 3];
                for (int ch = 0; ch < 3; ch++)
                {
                    int h0 = src[r0 + x0 + ch] * a0 + src[r0 + x1 + ch] * a1;
                    int h1 = src[r1 + x0 + ch] * a0 + src[r1 + x1 + ch] * a1;
                    int v = (((b0 * (h0 >> 4)) >> 16) + ((b1 * (h1 >> 4)) >> 16) + 2) >> 2;
                    dst[ch * plane + i] = v / 255f;
                }
            }
    }

    public static void Run(Device device, RgbImage image, LetterboxInfo info, Tensor output)
    {
        if (output.Length != 3 * info.InputHeight * info.InputWidth)
            throw new ArgumentException($"letterbox: output {output} is not [1, 3, {info.InputHeight}, {info.InputWidth}]");
        int[] taps = Tables(image, info);
        var shape = new Shape(image.Width, info.InputHeight, info.InputWidth, info.PadTop, info.PadLeft,
            info.ResizedHeight, info.ResizedWidth);
        if (device.Kind == DeviceKind.Cpu)
        {
            RunOnHost(image.Pixels, taps, output, shape);
            return;
        }
        var acc = device.Accelerator;
        var kernel = _cache.GetValue(acc, a => new Loaded(
            a.LoadAutoGroupedStreamKernel<Index1D, Work, ArrayView<byte>, ArrayView<int>, ArrayView<float>, Shape>(Kernel))).Kernel;
        using var src = acc.Allocate1D(image.Pixels);
        using var tapBuffer = acc.Allocate1D(taps);
        var (threads, work) = Launch.Plan(device, info.InputHeight * info.InputWidth);
        kernel(threads, work, src.View, tapBuffer.View, output.View, shape);
        // The two upload buffers are freed on return: let the kernel finish reading them first.
        device.Synchronize();
    }

    // The kernel, an output row at a time on the host memory of the `cpu` device's tensor. Each range of rows owns
    // its output rows.
    static void RunOnHost(byte[] pixels, int[] taps, Tensor output, Shape s)
    {
        nint dst = (nint)output.Pointer;
        CpuParallel.For(s.OutH, Math.Max(1, 4096 / s.OutW), (start, end) =>
        {
            fixed (byte* src = pixels)
            fixed (int* t = taps)
                for (int y = start; y < end; y++) Row(src, t, (float*)dst, y, s);
        });
    }

    // Output row oy of the three planes: all padding, or the left padding, the pixels from the taps (the kernel's
    // integer arithmetic, channel by channel), the right padding.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Row(byte* src, int* taps, float* dst, int oy, Shape s)
    {
        float pad = Letterbox.PadValue / 255f;
        int plane = s.OutH * s.OutW, y = oy - s.Top;
        float* row = dst + (long)oy * s.OutW;
        if (y < 0 || y >= s.NewH)
        {
            for (int ch = 0; ch < 3; ch++) new Span<float>(row + ch * plane, s.OutW).Fill(pad);
            return;
        }
        int* ty = taps + 4 * s.NewW + 4 * y;
        byte* r0 = src + ty[0], r1 = src + ty[1];
        int b0 = ty[2], b1 = ty[3];
        for (int ox = 0; ox < s.OutW; ox++)
        {
            int x = ox - s.Left;
            if (x < 0 || x >= s.NewW)
            {
                row[ox] = row[plane + ox] = row[2 * plane + ox] = pad;
                continue;
            }
            int* tx = taps + 4 * x;
            int x0 = tx[0], x1 = tx[1], a0 = tx[2], a1 = tx[3];
            for (int ch = 0; ch < 3; ch++)
            {
                int h0 = r0[x0 + ch] * a0 + r0[x1 + ch] * a1;
                int h1 = r1[x0 + ch] * a0 + r1[x1 + ch] * a1;
                int v = (((b0 * (h0 >> 4)) >> 16) + ((b1 * (h1 >> 4)) >> 16) + 2) >> 2;
                row[ch * plane + ox] = v / 255f;
            }
        }
    }

    // When the size is unchanged the tables are the identity (weights 2048/0, the formula then returns the
    // source byte exactly), which is YOLOv5's "skip cv2.resize" without a second code path.
    static int[] Tables(RgbImage image, LetterboxInfo info)
    {
        var columns = LinearTaps.Columns(image.Width, info.ResizedWidth);
        var rows = LinearTaps.Rows(image.Height, info.ResizedHeight);
        var taps = new int[4 * (columns.Length + rows.Length)];
        for (int x = 0; x < columns.Length; x++)
        {
            var tap = columns[x];
            taps[4 * x] = 3 * tap.S0;
            taps[4 * x + 1] = 3 * tap.S1;
            taps[4 * x + 2] = tap.W0;
            taps[4 * x + 3] = tap.W1;
        }
        int rowBase = 4 * columns.Length, stride = 3 * image.Width;
        for (int y = 0; y < rows.Length; y++)
        {
            var tap = rows[y];
            taps[rowBase + 4 * y] = stride * tap.S0;
            taps[rowBase + 4 * y + 1] = stride * tap.S1;
            taps[rowBase + 4 * y + 2] = tap.W0;
            taps[rowBase + 4 * y + 3] = tap.W1;
        }
        return taps;
    }
}
